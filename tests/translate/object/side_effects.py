"""Order of evaluation and of side effects: arguments left to right, a
method looked up before its arguments run, displays, augmented
assignment on attributes and items, short-circuits, walrus, and the
values and/or and chained comparisons give."""

LOG = []


def note(tag, value=None):
    LOG.append(tag)
    return tag if value is None else value


class Box:
    def __init__(self):
        self.items = {}
        self.n = 0

    def __getattr__(self, name):
        LOG.append("getattr " + name)
        return lambda *a: ("dyn", name, a)

    def __getitem__(self, k):
        LOG.append(("get", k))
        return self.items.get(k, 0)

    def __setitem__(self, k, v):
        LOG.append(("set", k, v))
        self.items[k] = v


def order():
    del LOG[:]
    b = Box()
    r = [note("a"), note("b")] + [note("c")]
    d = {note("k1"): note("v1"), note("k2"): note("v2")}
    b[note("i")] += note("x", 5)
    b.n += note("n", 2)
    v = b.missing(note("arg"))
    w = note("l", 1) < note("m", 2) < note("r", 0) < note("never", 9)
    t = note("p", 0) and note("q")
    u = note("s", "") or note("t", []) or note("z", 7)
    return r, d, b.items, b.n, v, w, t, u, list(LOG)


def walrus(data):
    out = []
    while (n := len(data)) > 2:
        out.append((n, data.pop()))
    return out, n, [y for x in data if (y := x * 2) > 1], y


def prints_then_fails(xs):
    xs.append(len(xs))
    print("appended", xs)
    return xs[0] // (len(xs) - len(xs))


def unpack_order():
    del LOG[:]
    a = [0, 0, 0]
    i = 0
    i, a[i] = 1, note("v", 9)
    x, (y, z), *rest = [1, (2, 3), 4, 5]
    return a, i, x, y, z, rest, list(LOG)


def scenario_order():
    return order()


def scenario_walrus():
    return walrus([1, 2, 3, 4, 5])


def scenario_prints_then_fails():
    xs = [5]
    try:
        prints_then_fails(xs)
    except ZeroDivisionError as e:
        return xs, str(e)


def scenario_unpack():
    return unpack_order()


def scenario_unpack_errors():
    out = []
    for v in ([1], [1, 2, 3], 5, "ab", {"a": 1, "b": 2}):
        try:
            a, b = v
            out.append((a, b))
        except (TypeError, ValueError) as e:
            out.append((type(e).__name__, str(e)))
        try:
            a, *b, c = v
            out.append((a, b, c))
        except (TypeError, ValueError) as e:
            out.append((type(e).__name__, str(e)))
    return out


class Pair:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def swap(self):
        self.a, self.b = self.b, self.a
        return self


def scenario_parallel_assignment():
    del LOG[:]
    b = Box()
    x, y = note("x", 1), note("y", 2)
    x, y = y, x
    b[note("i", "k1")], b[note("j", "k2")] = note("v1", 10), note("v2", 20)
    p = Pair([1], [2]).swap()
    first = p.a
    p.a, p.b, first[0] = p.b, p.a, note("last", 3)
    return x, y, b.items, p.a, p.b, first, list(LOG)
