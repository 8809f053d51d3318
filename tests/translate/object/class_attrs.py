"""self.NAME where NAME is a plain class attribute (a table, a constant:
obj.rs ACE.cv): the class's value while the class is unchanged and the
instance holds no NAME of its own. Instances that shadow it (in their
inline values, in a dict they were made to have, after the class's
shared keys grew), one deleting its own again, the class attribute
rebound, deleted (AttributeError), moved to a base class, made a
property, a subclass overriding it, __slots__ classes, a class with
__getattr__, and values that are descriptors (functions: bound methods)
must all read as CPython reads them."""


class Table:
    OPS = {"+": 1, "-": 2}
    LIMIT = 10
    name = "table"

    def __init__(self, n):
        self.n = n

    def op(self, k):
        return self.OPS[k] * self.n

    def limit(self):
        return self.LIMIT

    def label(self):
        return self.name


class Sub(Table):
    LIMIT = 20


class Slotted:
    __slots__ = ("v",)
    SCALE = 3

    def __init__(self, v):
        self.v = v

    def scaled(self):
        return self.v * self.SCALE


class Lazy:
    DEFAULT = "class"

    def __getattr__(self, name):
        return "missing " + name

    def read(self):
        return self.DEFAULT, self.other


def reads(objs):
    return [(o.limit(), o.label()) for o in objs]


def scenario_shadowing():
    a, b, c = Table(1), Table(2), Table(3)
    before = reads([a, b, c])
    b.LIMIT = 99                 # b's own, in its inline values
    c.__dict__["name"] = "own"   # c's dict made, holding its own
    mid = reads([a, b, c])
    del b.LIMIT
    after = reads([a, b, c])
    d = Table(4)
    d.extra1, d.extra2 = 1, 2    # the shared keys grow
    return before, mid, after, reads([a, b, c, d]), a.op("+"), d.op("-")


def scenario_class_changes():
    a, s = Table(1), Sub(1)
    first = reads([a, s])
    Table.LIMIT = 11
    second = reads([a, s])
    Sub.LIMIT = 21
    third = reads([a, s])
    del Sub.LIMIT                # Sub now reads Table's
    fourth = reads([a, s])
    del Table.LIMIT
    try:
        a.limit()
    except AttributeError as e:
        gone = str(e)
    Table.LIMIT = property(lambda self: -self.n)
    prop = reads([a, s])
    Table.LIMIT = 10
    return first, second, third, fourth, gone, prop, reads([a, s])


def scenario_descriptors():
    a = Table(5)
    Table.name = len             # a builtin: no descriptor, stays as is
    x = a.label()
    Table.name = lambda self: self.n  # a function: a bound method
    y = a.label()
    Table.name = "table"
    return x, y(), a.label()


def scenario_slots_and_getattr():
    s = Slotted(2)
    first = s.scaled()
    Slotted.SCALE = 4
    second = s.scaled()
    lz = Lazy()
    one = lz.read()
    lz.DEFAULT = "own"
    two = lz.read()
    del Lazy.DEFAULT
    del lz.DEFAULT
    three = lz.read()
    Lazy.DEFAULT = "class"
    return first, second, one, two, three


def scenario_many_instances():
    objs = [Table(i) if i % 3 else Sub(i) for i in range(30)]
    for i, o in enumerate(objs):
        if i % 7 == 0:
            o.name = "n%d" % i
    total = 0
    for _ in range(3):
        for o in objs:
            total += o.limit() + o.op("-")
    return total, [o.label() for o in objs]
