"""Bank ledger simulation: accounts, transfers, interest, an audit log.

Classes with properties, class and static methods, inheritance and
super(), custom exceptions with `raise ... from`, try/except/else/finally,
a transaction context manager, a module-level counter updated with
`global`, f-strings and % formatting.
"""

import random

CURRENCY = "EUR"
OVERDRAFT_FEE = 25
MIN_BALANCE = -500
INTEREST_BPS = 125  # basis points per period

transaction_count = 0
audit_log = []


class LedgerError(Exception):
    """Base of the ledger's errors."""


class InsufficientFunds(LedgerError):
    def __init__(self, account, amount):
        super().__init__("account %s cannot pay %d" % (account.number, amount))
        self.account = account
        self.amount = amount


class FrozenAccount(LedgerError):
    pass


class TransferFailed(LedgerError):
    pass


def next_txn_id():
    global transaction_count
    transaction_count += 1
    return transaction_count


def log(tag, *parts, **fields):
    extra = " ".join(f"{k}={v}" for k, v in sorted(fields.items()))
    line = f"{tag:<8} " + " ".join(str(p) for p in parts)
    if extra:
        line += " [" + extra + "]"
    audit_log.append(line)


class Account:
    _next_number = 1000

    def __init__(self, owner, balance=0):
        self.owner = owner
        self._balance = balance
        self.frozen = False
        self.history = []
        self.number = Account._allocate()

    @classmethod
    def _allocate(cls):
        n = cls._next_number
        cls._next_number += 1
        return n

    @staticmethod
    def format_amount(cents):
        sign = "-" if cents < 0 else ""
        cents = abs(cents)
        return f"{sign}{cents // 100:,}.{cents % 100:02d} {CURRENCY}"

    @property
    def balance(self):
        return self._balance

    @balance.setter
    def balance(self, value):
        if value < self.floor():
            raise InsufficientFunds(self, self._balance - value)
        self._balance = value

    def floor(self):
        return 0

    def deposit(self, amount):
        if self.frozen:
            raise FrozenAccount(f"account {self.number} is frozen")
        if amount <= 0:
            raise ValueError("deposit must be positive, got %r" % amount)
        self.balance = self._balance + amount
        self.history.append(("dep", amount))

    def withdraw(self, amount):
        if self.frozen:
            raise FrozenAccount(f"account {self.number} is frozen")
        self.balance = self._balance - amount
        self.history.append(("wd", amount))

    def accrue(self):
        interest = self._balance * INTEREST_BPS // 10000
        if interest > 0:
            self._balance += interest
            self.history.append(("int", interest))
        return interest

    def __repr__(self):
        return f"Account({self.number}, {self.owner!r}, {self._balance})"

    def __eq__(self, other):
        if not isinstance(other, Account):
            return NotImplemented
        return self.number == other.number

    def __hash__(self):
        return hash(self.number)

    def __lt__(self, other):
        return (self._balance, self.number) < (other._balance, other.number)


class CheckingAccount(Account):
    def __init__(self, owner, balance=0, overdraft=MIN_BALANCE):
        super().__init__(owner, balance)
        self.overdraft = overdraft
        self.fees = 0

    def floor(self):
        return self.overdraft

    def withdraw(self, amount):
        super().withdraw(amount)
        if self._balance < 0:
            self._balance -= OVERDRAFT_FEE
            self.fees += OVERDRAFT_FEE

    def accrue(self):
        # No interest on checking; an overdrawn account pays it instead.
        if self._balance < 0:
            charge = -self._balance * INTEREST_BPS * 2 // 10000
            self._balance -= charge
            return -charge
        return 0


class Transaction:
    """A context manager: restores both balances if the block raises."""

    def __init__(self, *accounts):
        self.accounts = accounts
        self.saved = None
        self.committed = False

    def __enter__(self):
        self.saved = [(a, a._balance, len(a.history)) for a in self.accounts]
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.committed = True
            return False
        for account, balance, n in self.saved:
            account._balance = balance
            del account.history[n:]
        log("ROLLBACK", exc_type.__name__)
        return False


class Bank:
    def __init__(self, name):
        self.name = name
        self.accounts = {}
        self.failed = 0

    def open(self, owner, kind="savings", **options):
        cls = CheckingAccount if kind == "checking" else Account
        account = cls(owner, **options)
        self.accounts[account.number] = account
        log("OPEN", account.number, owner, kind=kind)
        return account

    def transfer(self, src, dst, amount):
        txn = next_txn_id()
        try:
            with Transaction(src, dst):
                src.withdraw(amount)
                dst.deposit(amount)
        except InsufficientFunds as e:
            self.failed += 1
            raise TransferFailed(f"txn {txn}: {e}") from e
        except FrozenAccount as e:
            self.failed += 1
            raise TransferFailed(f"txn {txn}: frozen") from e
        else:
            log("XFER", src.number, dst.number, amount, txn=txn)
            return txn
        finally:
            if txn % 500 == 0:
                log("CHECK", txn, self.total())

    def total(self):
        return sum(a.balance for a in self.accounts.values())

    def richest(self, n=3):
        return sorted(self.accounts.values(), reverse=True)[:n]

    def by_owner(self):
        owners = {}
        for a in self.accounts.values():
            owners.setdefault(a.owner, []).append(a.number)
        return owners


def simulate(bank, rounds, seed=7):
    rng = random.Random(seed)
    accounts = list(bank.accounts.values())
    ok = failed = 0
    causes = {}
    for i in range(rounds):
        src, dst = rng.sample(accounts, 2)
        amount = rng.randrange(1, 40000)
        if i % 997 == 0:
            src.frozen = True
        elif i % 997 == 150:
            for a in accounts:
                a.frozen = False
        try:
            bank.transfer(src, dst, amount)
        except TransferFailed as e:
            failed += 1
            name = type(e.__cause__).__name__
            causes[name] = causes.get(name, 0) + 1
        else:
            ok += 1
        if i % 1000 == 999:
            for a in accounts:
                a.accrue()
    return ok, failed, causes


def main():
    bank = Bank("Rust & Sons")
    names = ["ada", "bob", "cyd", "dee", "eve", "fay", "gus", "hal"]
    for i, name in enumerate(names):
        bank.open(name, balance=100000 + 2500 * i)
        bank.open(name, "checking", balance=5000 * i, overdraft=-20000 - i)
    start = bank.total()
    ok, failed, causes = simulate(bank, 30000)
    print(f"{bank.name}: {len(bank.accounts)} accounts, {ok} ok, {failed} failed")
    for cause, n in sorted(causes.items()):
        print("  %-18s %5d" % (cause, n))
    print("total before %s after %s" % (Account.format_amount(start),
                                        Account.format_amount(bank.total())))
    for a in bank.richest():
        print("  ", repr(a), Account.format_amount(a.balance))
    fees = sum(a.fees for a in bank.accounts.values()
               if isinstance(a, CheckingAccount))
    print(f"fees collected: {fees:>10,d}")
    print("transactions:", transaction_count, "audit lines:", len(audit_log))
    print("first:", audit_log[0])
    print("last:", audit_log[-1])
    kinds = {}
    for line in audit_log:
        kinds[line.split()[0]] = kinds.get(line.split()[0], 0) + 1
    print(sorted(kinds.items()))
    owners = bank.by_owner()
    assert all(len(v) == 2 for v in owners.values())
    assert len({a for a in bank.accounts.values()}) == len(bank.accounts)
    try:
        Account("zed").deposit(-5)
    except ValueError as e:
        print("error:", e)


if __name__ == "__main__":
    main()
