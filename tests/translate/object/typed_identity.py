"""Typed-tier functions keep Python's object identity: rows and NaNs
taken from the arguments come back as the very objects."""
import math

NAN = float("nan")


def big_rows(rows: list[list[float]], k: float) -> list[list[float]]:
    return [r for r in rows if sum(r) > k]


def first_row(rows: list[list[int]]) -> list[int]:
    return rows[0]


def same(xs: list[int]) -> list[int]:
    return xs


def nonzero(xs: list[float]) -> list[float]:
    return [x for x in xs if x != 0.0]


def pick(xs: list[float], i: int) -> float:
    return xs[i]


def total(xs: list[float]) -> float:
    s = 0.0
    for x in xs:
        s += x
    return s


def scenario_rows():
    rows = [[1.0, 2.0], [3.0, 4.0]]
    big = big_rows(rows, 4.0)
    r0 = first_row([[1], [2]])
    xs = [1, 2]
    return big[0] is rows[1], r0, same(xs) is xs


def scenario_nan():
    xs = [1.0, NAN, 0.0]
    out = nonzero(xs)
    p = pick(xs, 1)
    return NAN in out, p is NAN, p in xs, math.isnan(total(xs)), \
        NAN in [pick([NAN], 0)], nonzero([1.0, 2.0]), pick([1.5], 0)


def rev(xs: list[float]) -> None:
    xs.reverse()


def bump_all(xs: list[float]) -> None:
    for i in range(len(xs)):
        xs[i] = xs[i] * 1.0


def scenario_mutated_nan():
    xs = [1.0, NAN, 2.0]
    rev(xs)
    ys = [NAN, 1.0]
    bump_all(ys)
    return NAN in xs, xs[1] is NAN, ys
