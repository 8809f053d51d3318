"""Side effects before a failed guard: the typed tier may re-run the
original only while nothing observable has happened. A function that
appends to its list argument and then outgrows 64-bit ints appends once;
one that also prints prints once (it is on the object tier: print)."""

TYPED = ["grow"]


def grow(xs: list[int], n: int) -> int:
    xs.append(n)
    t = n
    for i in range(10):
        t = t * n
    return t


def grow_loud(xs: list[int], n: int) -> int:
    xs.append(n)
    print("appended", len(xs))
    t = n
    for i in range(10):
        t = t * n
    return t


def scenario_small():
    xs = [1]
    return grow(xs, 3), xs


def scenario_overflow_appends_once():
    xs = [1]
    shared = xs
    r = grow(xs, 10**3)
    return r, xs, shared is xs


def scenario_overflow_prints_once():
    xs = []
    return grow_loud(xs, 10**3), grow_loud(xs, 2), xs
