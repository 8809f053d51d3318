"""A record pipeline: parse CSV-like lines into dicts, validate and
normalise them, aggregate per customer with a small class, report."""


class Account:
    __slots__ = ("name", "total", "count", "largest")

    def __init__(self, name):
        self.name = name
        self.total = 0.0
        self.count = 0
        self.largest = 0.0

    def add(self, amount):
        self.total += amount
        self.count += 1
        if amount > self.largest:
            self.largest = amount

    def mean(self):
        return self.total / self.count if self.count else 0.0


def make_lines(n, seed=7):
    names = ["ada", "bob", "cy", "dee", "eve", "fay", "gus", "hal"]
    cities = ["Oslo", "Lima", "Pune", "Cork"]
    state = seed
    lines = []
    for i in range(n):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        name = names[state % len(names)]
        city = cities[(state >> 5) % len(cities)]
        amount = "%d.%02d" % (state % 500, (state >> 3) % 100)
        if i % 97 == 0:
            amount = "n/a"
        lines.append("%d, %s ,%s,%s,%s" % (i, name.upper(), city, amount,
                                          "2024-%02d-%02d"
                                          % (1 + state % 12, 1 + state % 28)))
    return lines


def parse(line):
    parts = [p.strip() for p in line.split(",")]
    return {"id": int(parts[0]), "name": parts[1].lower(),
            "city": parts[2], "amount": parts[3], "date": parts[4]}


def validate(rec):
    try:
        rec["amount"] = float(rec["amount"])
    except ValueError:
        return None
    y, m, d = rec["date"].split("-")
    rec["month"] = int(m)
    rec["key"] = "%s/%s" % (rec["name"], rec["city"][:3].lower())
    return rec


def aggregate(records):
    accounts = {}
    for rec in records:
        acc = accounts.get(rec["key"])
        if acc is None:
            acc = accounts[rec["key"]] = Account(rec["key"])
        acc.add(rec["amount"])
    return accounts


def report(accounts):
    rows = sorted(accounts.values(), key=lambda a: (-a.total, a.name))
    return ["%-10s %5d %10.2f %8.2f" % (a.name, a.count, a.total, a.mean())
            for a in rows[:5]]


if __name__ == "__main__":
    lines = make_lines(120000)
    recs = [r for r in (validate(parse(l)) for l in lines) if r is not None]
    accs = aggregate(recs)
    print(len(recs), len(accs))
    print("\n".join(report(accs)))
