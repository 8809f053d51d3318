"""math.sqrt(x) outside loops holding registers (oemit.c ex_sqrt_v,
obj.rs msqrt): math's own sqrt of a float, or of an arithmetic result
kept unboxed, is computed natively; everything else must be what
Python does: ints (exact, and past a float), negative numbers and their
ValueError, NaN, -0.0, infinities, float subclasses, objects with
__float__, math rebound to another module or object, math.sqrt
patched (and the argument it receives: an int stays an int), math
missing from the globals, and the order M, M.sqrt, then the argument."""

import math
from math import sqrt


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm(self):
        return math.sqrt(self.x * self.x + self.y * self.y)

    def scaled(self, k):
        n = math.sqrt(self.x * self.x + self.y * self.y)
        return Point(self.x * k / n, self.y * k / n)


class F(float):
    pass


class Floaty:
    def __float__(self):
        return 6.25


def root(x):
    return math.sqrt(x)


def hyp(a, b):
    return math.sqrt(a * a + b * b) + 0.0


def mixed(a, b):
    return 2 * math.sqrt(a - b) - 1


def scenario_values():
    out = []
    for p in [Point(3.0, 4.0), Point(3, 4), Point(0.0, -0.0), Point(1e200, 1e200),
              Point(float("inf"), 1.0), Point(1e-200, 0.0)]:
        n = p.norm()
        out.append((repr(n), type(n).__name__))
    q = Point(6.0, 8.0).scaled(2)
    out.append((q.x, q.y))
    for x in [4, 2, 0, 10 ** 40, 0.25, -0.0, float("nan"), float("inf"),
              F(2.25), True, Floaty()]:
        r = root(x)
        out.append((repr(r), type(r).__name__))
    out.append(repr(hyp(5, 12)))
    out.append(repr(mixed(10, 1)))
    out.append(repr(mixed(10.5, 1)))
    return out


def scenario_errors():
    out = []
    for args in [(-1.0,), (-1,), (-(10 ** 400),), (10 ** 400,), ("4",),
                 (None,), (float("-inf"),)]:
        try:
            out.append(root(*args))
        except (ValueError, TypeError, OverflowError) as e:
            out.append((type(e).__name__, str(e)))
    try:
        mixed(1.0, 2.0)
    except ValueError as e:
        out.append(str(e))
    return out


def scenario_error_uncaught():
    return Point(1.0, 2.0).norm() + mixed(0, 3)


seen = []


def fake_sqrt(v):
    seen.append((v, type(v).__name__))
    return "fake"


class FakeMath:
    def sqrt(self, v):
        seen.append(("method", v))
        return -1


def scenario_patched():
    global math
    del seen[:]
    real = math.sqrt
    math.sqrt = fake_sqrt
    try:
        out = [root(9), root(2.25), safe(hyp, 3, 4), safe(hyp, 3.0, 4.0), mixed_safe(7, 3),
               mixed_safe(7.5, 3), Point(1.5, 2.0).norm(),
               Point(1, 1).norm()]
    finally:
        math.sqrt = real
    out.append(root(9))
    saved = math
    math = FakeMath()
    try:
        out.append(root(16.0))
        out.append(mixed(5.0, 1.0))
    finally:
        math = saved
    import cmath
    math = cmath
    try:
        out.append(repr(root(-4.0)))
    finally:
        math = saved
    return out, list(seen)


def safe(f, *args):
    try:
        return f(*args)
    except TypeError as e:
        return str(e)


def mixed_safe(a, b):
    try:
        return mixed(a, b)
    except TypeError as e:
        return str(e)


def scenario_missing():
    global math
    saved = math
    del math
    try:
        root(4.0)
    except NameError as e:
        r = str(e)
    finally:
        math = saved
    return r, root(4.0)


def scenario_order():
    log = []

    class M:
        def __getattr__(self, name):
            log.append("get " + name)
            return lambda v: log.append("call %r" % (v,)) or 0.5

    class Arg:
        def __init__(self, v):
            self.v = v

        def __float__(self):
            return self.v

        def __sub__(self, o):
            log.append("sub")
            return self.v - o

    global math
    saved = math
    math = M()
    try:
        r = mixed(Arg(9.0), 1.0)
    finally:
        math = saved
    return r, log


def bare(a, b):
    return sqrt(a * a + b * b)


def bare_root(x):
    return sqrt(x) * 1.0


def rebinding_arg(x):
    global sqrt
    sqrt = fake_sqrt
    return x + 0.0


def scenario_bare_name():
    global sqrt
    out = [repr(bare(3.0, 4.0)), repr(bare(3, 4)), repr(bare(1e300, 1e300)),
           repr(bare_root(2.25)), repr(bare_root(10 ** 20)),
           repr(bare_root(float("nan"))), repr(bare_root(-0.0))]
    out.append(safe(bare_root, "x"))
    try:
        bare_root(-2.0)
    except ValueError as e:
        out.append(str(e))
    real = sqrt
    del seen[:]
    try:
        # the name is read before the argument rebinds it
        out.append(repr(sqrt(rebinding_arg(4.0))))
        out.append(safe(bare_root, 9.0))
        sqrt = lambda v: ("lambda", v)
        out.append(bare(1.5, 2.0))
        del sqrt
        try:
            bare(1.0, 1.0)
        except NameError as e:
            out.append(str(e))
    finally:
        sqrt = real
    out.append(repr(bare(6.0, 8.0)))
    return out, list(seen)
