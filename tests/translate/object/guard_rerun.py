"""Side effects before a failed guard: the typed tier may re-run the
original only while nothing observable has happened. A function that
appends to its list argument and then outgrows 64-bit ints appends once;
one that also prints prints once (it is on the object tier: print)."""

TYPED = ["grow", "power_sum"]


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


def power_sum(n: int, k: int) -> int:
    t = 0
    for i in range(n):
        p = 1
        for _ in range(k):
            p = p * i
        t += p
    return t


def scenario_mostly_big_then_small():
    # past 64 bits on most calls: after a window of them the calls run on
    # the object body directly; small ones later give the same values
    out = [power_sum(50, 12) for _ in range(80)]
    out += [power_sum(50, 2) for _ in range(40)]
    out += [power_sum(30, 20), power_sum(3, 1)]
    return out[0], out[79], out[80], out[-2:], len(set(out))
