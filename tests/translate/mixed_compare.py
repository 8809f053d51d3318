"""Comparisons between ints and floats, and of int | float variables:
Python compares them exactly, never through a rounded float."""

BIG = 2 ** 53


def int_lt_float(a: int, b: float) -> bool:
    return a < b


def int_eq_float(a: int, b: float) -> bool:
    return a == b


def float_ge_int(a: float, b: int) -> bool:
    return a >= b


def chain_mixed(a: int, b: float, c: int) -> bool:
    return a <= b < c


def num_gt(xs: list[float]) -> bool:
    t = 0
    for x in xs:
        t += x
    return t > 1


def num_eq_int(xs: list[float], k: int) -> bool:
    t = 0
    for x in xs:
        t += x
    return t == k


def num_vs_num(xs: list[float], ys: list[float]) -> bool:
    s = 0
    for x in xs:
        s += x
    t = 0
    for y in ys:
        t += y
    return s <= t


def num_ne_float(xs: list[float], f: float) -> bool:
    t = 0
    for x in xs:
        t += x
    return t != f


def num_chain(xs: list[float], lo: int, hi: float) -> bool:
    t = lo
    for x in xs:
        t += x
    return lo <= t < hi


def big_vs_literal(a: int) -> bool:
    return a == 9007199254740992.0


def count_above(xs: list[int], f: float) -> int:
    n = 0
    for x in xs:
        if x > f:
            n += 1
    return n


NAN = float("nan")
INF = float("inf")
_pairs = [(BIG + 1, float(BIG)), (BIG, float(BIG)), (BIG + 1, float(BIG + 2)),
          (-(BIG + 1), -float(BIG)), (2 ** 63 - 1, 2.0 ** 63),
          (-(2 ** 63), -(2.0 ** 63)), (3, 3.5), (-3, -3.5), (0, -0.0),
          (5, NAN), (5, INF), (5, -INF), (2 ** 62 + 1, 2.0 ** 62),
          (2 ** 62, 4611686018427387904.5), (1, 1.0), (7, 6.999999999999999),
          (2 ** 63, 1.0), (True, 1.0)]

INPUTS = {
    "int_lt_float": _pairs,
    "int_eq_float": _pairs,
    "float_ge_int": [(b, a) for a, b in _pairs],
    "chain_mixed": [(1, 1.5, 2), (BIG, float(BIG), BIG + 1),
                    (BIG + 1, float(BIG), BIG + 2), (1, NAN, 2), (3, 2.5, 9)],
    "num_gt": [([],), ([0.5, 0.5],), ([1.0, 0.0],), ([2],), ([NAN],), ([INF],)],
    "num_eq_int": [([], 0), ([], BIG + 1), ([1.0], 1), ([float(BIG)], BIG + 1),
                   ([float(BIG)], BIG), ([NAN], 0), ([0.5], 1)],
    "num_vs_num": [([], []), ([0.5], []), ([], [0.5]), ([NAN], [1.0]),
                   ([-0.0], [0.0])],
    "num_ne_float": [([], 0.0), ([], -0.0), ([NAN], NAN), ([1.5], 1.5), ([], 1.0)],
    "num_chain": [([], 1, 2.0), ([], BIG + 1, float(BIG)),
                  ([0.5], BIG, float(BIG + 2)), ([], 3, 3.0), ([NAN], 0, 1.0)],
    "big_vs_literal": [(BIG,), (BIG + 1,), (0,), (2 ** 70,)],
    "count_above": [([], 1.0), ([BIG, BIG + 1, BIG + 2], float(BIG)),
                    ([1, 2, 3], 1.5), ([1, 2], NAN), ([1, 2], -INF)],
}
