"""Operands borrowed from local variables (oemit.c borrowable: o[k],
comparisons, attribute stores and `obj.a op= v` take a plain local's
object without a reference): where evaluating the rest of the operation
rebinds that local (a walrus), the old object must stay alive and be the
one used, as CPython keeps it on its stack; where nothing can, the
results, exceptions and side effects are CPython's. Run under make asan,
a wrongly borrowed object is a use after free."""


class Box:
    def __init__(self, v):
        self.v = v
        self.log = []

    def __getitem__(self, k):
        self.log.append(("get", k))
        return self.v * 10 + k

    def __eq__(self, other):
        self.log.append(("eq", other if isinstance(other, int) else "obj"))
        return isinstance(other, Box) and self.v == other.v

    __hash__ = None


class Noisy:
    """Its attribute writes and deletes are logged (a data descriptor)."""

    log = []

    @property
    def x(self):
        return self.__dict__.get("_x", 0)

    @x.setter
    def x(self, v):
        Noisy.log.append(("set", v))
        self.__dict__["_x"] = v


EVENTS = []


class Mortal:
    """Logs its item reads, comparisons and its own end (__del__): the old
    object of a rebound local must end after the operation, not before."""

    def __init__(self, name):
        self.name = name

    def __getitem__(self, k):
        EVENTS.append(("get", self.name, k))
        return k

    def __eq__(self, other):
        EVENTS.append(("eq", self.name))
        return True

    __hash__ = None

    def __del__(self):
        EVENTS.append(("del", self.name))

    def say(self, what, end="."):
        EVENTS.append(("say", self.name, what, end))
        return self.name + end


def take(a, b, *, tag=""):
    EVENTS.append(("take", a.name, b, tag))
    return a.name


def mortal_arg(n):
    m = Mortal("old")
    r = take(m, (m := Mortal("new")).name)
    EVENTS.append(("after", r))
    return r


def mortal_kwarg(n):
    m = Mortal("old")
    r = take(m, 1, tag=(m := Mortal("new")).name)
    EVENTS.append(("after", r))
    return r


def mortal_method(n):
    m = Mortal("old")
    r = m.say((m := Mortal("new")).name)
    EVENTS.append(("after", r))
    return r


def mortal_method_kw(n):
    m = Mortal("old")
    r = m.say("x", end=(m := Mortal("new")).name)
    EVENTS.append(("after", r))
    return r


def mortal_calls(n):
    """Locals passed where nothing rebinds them (borrowed)."""
    m = Mortal("one")
    k = Mortal("two")
    out = [take(m, k.name), take(k, n, tag="t"), m.say(n), m.say(n, end="!"),
           k.say(m.name), len(EVENTS) > 0]
    m = None
    EVENTS.append(("rebound",))
    return out


def mortal_index(n):
    m = Mortal("old")
    r = m[(m := Mortal("new")).name]
    EVENTS.append(("after", r))
    return r


def mortal_compare(n):
    m = Mortal("old")
    r = m == (m := Mortal("new"))
    EVENTS.append(("after", r))
    return r


def mortal_aug(n):
    m = Mortal("old")
    m.count = 1
    m.count += (m := Mortal("new")).name.count("e")
    EVENTS.append(("after",))
    return m.name


def rebound_in_index(n):
    xs = [n * 100 + i for i in range(20)]
    return xs[(xs := [3, 1])[0]] + xs[0]


def rebound_in_compare(n):
    a = [n]
    return a == (a := [n]), a is a


def rebound_in_store(n):
    b = Box(n)
    c = Box(n + 1)
    b.v = (b := c)
    return b.v is c, c.v is c


def rebound_in_aug(n):
    b = Box(n)
    first = b
    other = Box(n + 5)
    b.v += (b := other).v
    return first.v, other.v, b is other


def items(grid, i, j):
    row = grid[i]
    return row[j], grid[i][j], grid[-1][-1]


def compare(a, b):
    out = []
    out.append(a == b)
    out.append(a != b)
    out.append(a == 3)
    out.append(a < b if isinstance(a, int) and isinstance(b, int) else None)
    return out


def box_items(b, k):
    return b[k], b[0], b.log


def set_attrs(obj, v):
    obj.x = v
    obj.x += v
    obj.x += v * 2
    return obj.x


def scenario_mortal():
    del EVENTS[:]
    out = [mortal_index(1), mortal_compare(2), mortal_aug(3), mortal_arg(4),
           mortal_kwarg(5), mortal_method(6), mortal_method_kw(7),
           mortal_calls(8)]
    return out, list(EVENTS)


def scenario_walrus_rebinds():
    return [rebound_in_index(1), rebound_in_index(2), rebound_in_compare(3),
            rebound_in_store(4), rebound_in_aug(6)]


def scenario_items():
    grid = [[r * 10 + c for c in range(5)] for r in range(4)]
    out = [items(grid, 1, 2), items(grid, -1, 0), items(grid, 3, -5)]
    for args in ((grid, 4, 0), (grid, 0, 9), (grid, "a", 0), ([], 0, 0),
                 ((("x",),), 0, 0), ({0: {1: "d"}}, 0, 1),
                 ({0: {1: "d"}}, 1, 1), (grid, True, -1),
                 (grid, 2 ** 70, 0)):
        try:
            out.append(items(*args))
        except Exception as exc:
            out.append((type(exc).__name__, str(exc)))
    return out


def scenario_compare():
    out = []
    x = float("nan")
    for a, b in ((1, 1), (1, 2), (3, 3.0), ("a", "a"), (x, x), ([1], [1]),
                 (None, None), (2 ** 70, 2 ** 70), ((1, 2), (1, 2))):
        out.append(compare(a, b))
    b1, b2 = Box(1), Box(1)
    out.append(compare(b1, b2))
    out.append((b1.log, b2.log))
    return out


def scenario_box_items():
    b = Box(7)
    out = [box_items(b, 3), box_items(b, -1)]
    return out, b.log


def scenario_attribute_stores():
    Noisy.log = []
    n = Noisy()
    out = [set_attrs(n, 2), set_attrs(n, 1.5), Noisy.log]
    b = Box(0)
    try:
        set_attrs(b, "s")
    except Exception as exc:
        out.append((type(exc).__name__, str(exc)))
    out.append(b.__dict__.get("x"))
    try:
        set_attrs(3, 1)
    except Exception as exc:
        out.append((type(exc).__name__, str(exc)))
    return out
