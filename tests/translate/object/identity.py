"""Object identity: results share exactly the objects Python shares
(rows, NaNs, arguments), and mutations through them are seen."""
import math

NAN = float("nan")
ROWS = [[1.0, 2.0], [3.0, NAN], [5.0, 6.0]]


def big_rows(rows, k):
    return [r for r in rows if sum(r) > k]


def copies(m, n):
    return m[:], list(m), sorted(m), m + n, [x for x in m]


def values_of(d):
    return [d[k] for k in d], list(d.values())


def with_nan(xs):
    out = [x for x in xs if x != 0.0]
    return out, NAN in out, math.isnan(out[-1])


def same_arg(a, b):
    a.append(1)
    return a is b, len(b)


def scenario_rows():
    rows = [list(r) for r in ROWS]
    big = big_rows(rows, 4)
    big[0].append(99)
    return rows, big, big[0] is rows[1]


def scenario_copies():
    m = [[1], [2]]
    n = [[3]]
    res = copies(m, n)
    return m, n, res, [r[0] is m[0] for r in res]


def scenario_values():
    d = {"a": [1], "b": [2]}
    return d, values_of(d)


def scenario_nan():
    return with_nan([1.0, NAN, 0.0, NAN]), with_nan([NAN])


def scenario_same_arg():
    x = []
    return same_arg(x, x), x
