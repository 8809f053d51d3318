"""round() with ndigits, as CPython rounds: the correctly rounded decimal
(half-even on the exact binary value) read back as a float."""
import random


def r2(x: float) -> float:
    return round(x, 2)


def rn(x: float, n: int):
    return round(x, n)


def r0(x: float):
    return round(x)


def ri(x: int, n: int):
    return round(x, n)


def round_all(xs: list[float], n: int) -> list[float]:
    return [round(x, n) for x in xs]


def round_bool(b: bool, n: int):
    return round(b, n)


NAN = float("nan")
INF = float("inf")
_rng = random.Random(5)
_rand = [_rng.uniform(-1000, 1000) for _ in range(40)]
_rand += [_rng.uniform(-1, 1) * 10.0 ** _rng.randint(-20, 20) for _ in range(40)]
_ties = [0.125, 0.375, 2.675, 0.5, 1.5, 2.5, -0.5, -2.5, 1.005, 0.045,
         1234.5, 1250.0, 1350.0, -1250.0, 5e-324, 1.7976931348623157e308,
         -0.0, 0.0, 0.285, 1e22, 123456789.125]

INPUTS = {
    "r2": [(x,) for x in _ties + _rand + [NAN, INF, -INF]],
    "rn": ([(x, n) for x in _ties for n in (0, 1, 2, 3, -1, -2, -3)] +
           [(x, n) for x in _rand[:30] for n in (-2, 0, 1, 5, 12, 17)] +
           [(1.5, 400), (1.5, -400), (-1.5, -400), (1.7976931348623157e308, -308),
            (1.7976931348623157e308, -300), (NAN, 2), (INF, 2), (-INF, -1),
            (5e-324, 323), (5e-324, 324), (0.5, 2 ** 62), (1.5, -(2 ** 62)),
            (9.5e15, -16), (4.9e15, -16), (5e15, -16), (1.5, True)]),
    "r0": [(0.5,), (-0.5,), (1.5,), (2.5,), (NAN,), (INF,), (-INF,), (1e300,),
           (-0.0,), (2.0 ** 62,)],
    "ri": [(1234, -2), (1250, -2), (1350, -2), (-1250, -2), (15, -1), (25, -1),
           (-25, -1), (7, 3), (7, 0), (2 ** 62, -18), (9 * 10 ** 18, -19),
           (5 * 10 ** 18, -19), (123, -40), (2 ** 63 - 1, -1), (0, -5)],
    "round_all": [([], 2), ([0.125, 0.375, 2.675], 2), ([1.5, 2.5], 0),
                  (_rand[:20], 3), ([NAN, INF], 1)],
    "round_bool": [(True, 0), (False, 2), (True, -1)],
}
