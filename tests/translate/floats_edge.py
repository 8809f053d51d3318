"""Float edge cases: division by zero, floor division and modulo signs,
powers, math domain and range errors, rounding, NaN in min/max."""
import math
from math import sqrt, pi


def fdiv(a: float, b: float) -> float:
    return a / b


def ffloordiv(a: float, b: float) -> float:
    return a // b


def fmod_py(a: float, b: float) -> float:
    return a % b


def fpow(a: float, b: float) -> float:
    return a ** b


def hyp(a: float, b: float) -> float:
    return sqrt(a * a + b * b)


def logs(x: float) -> float:
    return math.log(x) + math.log10(x) + math.log2(x) + math.log(x, 3)


def trig(x: float) -> float:
    return math.sin(x) * math.cos(x) + math.tan(x) + math.atan(x) + pi


def expo(x: float) -> float:
    return math.exp(x)


def rounding(x: float) -> int:
    return round(x) + int(x) + math.floor(x) + math.ceil(x)


def minmax(a: float, b: float) -> float:
    return min(a, b) - max(a, b) + abs(a)


def min_of_list(xs: list[float]) -> float:
    return min(xs) + max(xs)


def fsum_left(xs: list[float]) -> float:
    return sum(xs)


def sum_start(xs: list[float]) -> float:
    return sum(xs, 0.0)


def clamp(x: float, lo: float, hi: float) -> float:
    if x < lo:
        return lo
    elif x > hi:
        return hi
    return x


def checks(x: float) -> bool:
    return math.isnan(x) or math.isinf(x) or x == 0.0


def to_str(x: float) -> str:
    return str(x)


NAN = float("nan")
INF = float("inf")
INPUTS = {
    "fdiv": [(1.0, 2.0), (1.0, 0.0), (-1.0, -0.0), (0.0, 0.0), (INF, INF), (1.0, 3)],
    "ffloordiv": [(7.0, 2.0), (-7.0, 2.0), (7.0, -2.0), (0.0, -1.0), (-0.0, 1.0),
                  (1.0, 0.0), (INF, 2.0), (5.0, INF), (-5.0, INF), (1e308, 1e-308)],
    "fmod_py": [(7.5, 2.0), (-7.5, 2.0), (7.5, -2.0), (0.0, -3.0), (-0.0, 3.0),
                (1.0, 0.0), (INF, 2.0), (3.0, INF), (-3.0, INF), (NAN, 1.0)],
    "fpow": [(2.0, 10.0), (-2.0, 3.0), (-2.0, 0.5), (0.0, -1.0), (0.0, 0.0),
             (NAN, 0.0), (1.0, NAN), (10.0, 400.0), (-1.0, INF), (INF, -3.0),
             (-INF, 3.0), (2.0, -1074.5), (-8.0, 1.0 / 3)],
    "hyp": [(3.0, 4.0), (0.0, 0.0), (INF, 1.0), (NAN, 1.0)],
    "logs": [(10.0,), (1.0,), (0.0,), (-1.0,), (INF,), (NAN,)],
    "trig": [(0.5,), (0.0,), (INF,), (NAN,), (1e22,)],
    "expo": [(1.0,), (709.0,), (710.0,), (-INF,), (NAN,)],
    "rounding": [(2.5,), (3.5,), (-2.5,), (0.49999999999999994,), (NAN,), (INF,), (1e300,)],
    "minmax": [(1.0, 2.0), (NAN, 1.0), (1.0, NAN), (-0.0, 0.0), (0.0, -0.0)],
    "min_of_list": [([3.0, 1.0, 2.0],), ([],), ([NAN, 1.0],), ([1.0, NAN],)],
    "fsum_left": [([0.1, 0.2, 0.3],), ([],), ([1e16, 1.0, -1e16],), ([-0.0],)],
    "sum_start": [([0.1, 0.2, 0.3],), ([],), ([-0.0],)],
    "clamp": [(5.0, 0.0, 1.0), (-1.0, 0.0, 1.0), (0.5, 0.0, 1.0), (NAN, 0.0, 1.0)],
    "checks": [(NAN,), (INF,), (0.0,), (-0.0,), (1.5,)],
    "to_str": [(1.0,), (0.1,), (1e16,), (1e-5,), (123456789.123,), (-0.0,), (NAN,),
               (-INF,), (1.5e300,), (0.0001,)],
}
