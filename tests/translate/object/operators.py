"""Operators of the module's own classes (obj.rs nb_binop): a + b, a - b,
a * b, a / b and their in-place forms on two instances of one class
whose dunder is native enter it directly. Python's answer must hold
when the dunder returns NotImplemented (the TypeError's text, "+" or
"+="), is rebound on the class (even by itself, half way), deleted,
raises, when the class defines the in-place dunder, when the operands'
classes differ (reflected dunders of a subclass first), and when a
sequence base could take over (a list subclass)."""


class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, o):
        if not isinstance(o, Vec):
            return NotImplemented
        return Vec(self.x + o.x, self.y + o.y)

    def __sub__(self, o):
        return Vec(self.x - o.x, self.y - o.y)

    def __mul__(self, o):
        if isinstance(o, Vec):
            return self.x * o.x + self.y * o.y
        return Vec(self.x * o, self.y * o)

    def __truediv__(self, o):
        if isinstance(o, Vec):
            return NotImplemented
        return Vec(self.x / o, self.y / o)

    def __repr__(self):
        return "Vec(%r, %r)" % (self.x, self.y)


class Money:
    def __init__(self, amount, currency):
        self.amount = amount
        self.currency = currency

    def __add__(self, o):
        if o.currency != self.currency:
            return NotImplemented
        return Money(self.amount + o.amount, self.currency)

    def __sub__(self, o):
        if o.amount > self.amount:
            raise ValueError("overdrawn by %r" % (o.amount - self.amount))
        return Money(self.amount - o.amount, self.currency)


class Acc:
    def __init__(self, v):
        self.v = v

    def __add__(self, o):
        return Acc(self.v + o.v)

    def __iadd__(self, o):
        self.v += o.v * 10
        return self


class RVec(Vec):
    __slots__ = ()

    def __radd__(self, o):
        return ("radd", o.x, self.x)


class Items(list):
    def __add__(self, o):
        if len(o) > 2:
            return NotImplemented
        return Items(["short"])


def swap_sub(v, o):
    return ("swapped", v.x, o.x)


class Rebinder:
    def __init__(self, n):
        self.n = n

    def __sub__(self, o):
        Rebinder.__sub__ = lambda a, b: ("lambda", a.n, b.n)
        return ("first", self.n, o.n)


def show(v):
    return (type(v).__name__, v.x, v.y) if isinstance(v, Vec) else v


def scenario_values():
    a, b = Vec(1.0, 2.0), Vec(0.5, -3)
    out = [show(a + b), show(a - b), a * b, show(a * 3), show(b / 2)]
    c = a
    c += b
    c -= Vec(1, 1)
    c *= 2
    c /= 4
    out.append((show(c), show(a), c is a))
    total = Vec(0, 0)
    for i in range(50):
        total = total + Vec(i, -i) - Vec(0.5, 0.5)
    out.append(show(total))
    return out


def scenario_not_implemented():
    out = []
    try:
        Vec(1, 2) / Vec(3, 4)
    except TypeError as e:
        out.append(str(e))
    a = Money(5, "EUR")
    b = Money(7, "USD")
    try:
        a + b
    except TypeError as e:
        out.append(str(e))
    try:
        a += b
    except TypeError as e:
        out.append(str(e))
    out.append((a.amount, a.currency))
    c = a + Money(1, "EUR")
    out.append((c.amount, c.currency))
    return out


def scenario_raises():
    a = Money(5, "EUR")
    try:
        a - Money(9, "EUR")
    except ValueError as e:
        return str(e), a.amount


def scenario_raises_uncaught():
    return (Money(1, "x") - Money(2, "x")).amount


def scenario_inplace_dunder():
    a = Acc(1)
    keep = a
    a += Acc(2)
    b = a + Acc(3)
    return a.v, keep is a, b.v, b is a


def scenario_different_classes():
    v, r = Vec(1, 2), RVec(10, 20)
    out = [v + r, show(r + v), show(r + r), show(r - v), show(v - r)]
    try:
        v + 5
    except TypeError as e:
        out.append(str(e))
    out.append(show(Vec(1, 1) * 2.5))
    return out


def scenario_rebound_and_deleted():
    a, b = Vec(3, 4), Vec(1, 1)
    out = [show(a - b)]
    saved = Vec.__sub__
    Vec.__sub__ = swap_sub
    try:
        out.append(a - b)
        del Vec.__sub__
        try:
            a - b
        except TypeError as e:
            out.append(str(e))
    finally:
        Vec.__sub__ = saved
    out.append(show(a - b))
    r, s = Rebinder(1), Rebinder(2)
    kept = Rebinder.__sub__
    try:
        out.append(r - s)
        out.append(r - s)
    finally:
        Rebinder.__sub__ = kept
    out.append(r - s)
    Rebinder.__sub__ = kept
    return out


def scenario_sequence_base():
    a = Items([1, 2])
    return a + [9], a + [1, 2, 3], type(a + [1, 2, 3]).__name__


def scenario_sites_alternate():
    out = []
    for i in range(6):
        x = Vec(i, i) if i % 2 else Money(i, "m")
        y = Vec(1, 1) if i % 2 else Money(1, "m")
        z = x + y
        out.append(show(z) if isinstance(z, Vec) else (z.amount, z.currency))
    return out
