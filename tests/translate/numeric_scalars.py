"""Scalar and list numeric functions (euclidean, dot, matmul, ...)."""
import math


def euclidean(a: list[float], b: list[float]) -> float:
    s = 0.0
    for i in range(len(a)):
        d = a[i] - b[i]
        s += d * d
    return math.sqrt(s)


def dot(xs: list[float], ys: list[float]) -> float:
    total = 0.0
    for x, y in zip(xs, ys):
        total += x * y
    return total


def matmul(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    result = []
    for i in range(len(a)):
        row = []
        for j in range(len(b[0])):
            s = 0.0
            for k in range(len(b)):
                s += a[i][k] * b[k][j]
            row.append(s)
        result.append(row)
    return result


def int_sum_squares(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


INPUTS = {
    "euclidean": [([1.0, 2.0], [4.0, 6.0]), ([], []), ([1.5], [float("nan")]),
                  ([1, 2], [3, 4]), ([1.0], [])],
    "dot": [([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]), ([], [1.0])],
    "matmul": [([[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]), ([[1.0]], [])],
    "int_sum_squares": [(10,), (0,), (-5,), (3_100_000,), (True,), (2.0,)],
    "mean": [([1.0, 2.0, 4.0],), ([],), ([1e308, 1e308],)],
}
