"""Nested code: lambdas, nested functions and closures with cells shared
with the enclosing function and late binding, comprehensions of every
kind, generator expressions consumed in place or passed on, classes made
inside functions."""
import functools
import types

SCALE = 3


def make_adders(n):
    adders = []
    for i in range(n):
        adders.append(lambda x, i=i: x + i)
    late = [lambda x: x + i for i in range(n)]
    return [f(10) for f in adders], [f(10) for f in late]


def counter(start):
    count = start

    def bump(by=1):
        nonlocal count
        count += by
        return count

    def peek():
        return count

    return bump, peek


def shared_cell():
    value = 1

    def read():
        return value

    r1 = read()
    value = 2
    r2 = read()
    del value
    try:
        read()
    except NameError as e:
        r3 = str(e)
    return r1, r2, r3


def comprehensions(words):
    lengths = {w: len(w) for w in words if w}
    firsts = {w[0] for w in words if w}
    pairs = [(a, b) for a in range(3) for b in range(a) if (a + b) % 2]
    nested = [[c * SCALE for c in row] for row in [[1, 2], [3]]]
    total = sum(len(w) for w in words)
    biggest = max((len(w), w) for w in words)
    anyx = any("x" in w for w in words)
    joined = "-".join(w.upper() for w in words if w)
    return lengths, sorted(firsts), pairs, nested, total, biggest, anyx, joined


def comp_scope():
    x = "outer"
    ys = [x for x in range(3)]
    return x, ys, [y for y in ys if (z := y) > 0], z


def escaping(n):
    gen = (i * i for i in range(n))
    fn = lambda: n * 2
    return type(gen) is types.GeneratorType, type(fn) is types.FunctionType, \
        list(gen), fn(), fn.__name__, fn.__qualname__


def decorated_inner(values):
    @functools.lru_cache(maxsize=None)
    def slow_square(v):
        return v * v

    def twice(f):
        def wrapper(*args, **kwargs):
            return f(*args, **kwargs) * 2
        return wrapper

    @twice
    def plus_one(v):
        return v + 1

    return [slow_square(v) + plus_one(v) for v in values], \
        slow_square.cache_info().hits


def local_class(k):
    base = k * 10

    class Point:
        dims = 2

        def __init__(self, x):
            self.x = x + base

        def shifted(self):
            return Point(self.x + k - base)

        def __repr__(self):
            return "Point(%r)" % self.x

    class Point3(Point):
        def __init__(self, x):
            super().__init__(x)
            self.z = k

    p = Point(1)
    return p, p.shifted(), Point3(5).z, Point.__qualname__, Point.dims


def sort_keys(rows):
    by_second = sorted(rows, key=lambda r: (r[1], -r[0]))
    top = max(rows, key=lambda r: r[0] * SCALE)
    return by_second, top, list(map(lambda r: r[0], rows)), \
        list(filter(lambda r: r[1] > 1, rows))


def scenario_adders():
    return make_adders(3)


def scenario_counter():
    bump, peek = counter(5)
    return bump(), bump(10), peek(), bump.__closure__[0].cell_contents


def scenario_cells():
    return shared_cell()


def scenario_comprehensions():
    return comprehensions(["apple", "", "xylo", "kiwi"]), comp_scope()


def scenario_escaping():
    return escaping(4)


def scenario_decorated_inner():
    return decorated_inner([1, 2, 1, 3])


def scenario_local_class():
    return local_class(2)


def scenario_keys():
    return sort_keys([(1, 2), (3, 1), (2, 2), (5, 0)])
