"""Euclidean distance between two float vectors (hot function: euclidean)."""

import math
import random


def euclidean(a: list[float], b: list[float]) -> float:
    """Return the square root of the sum of squared differences."""
    total = 0.0
    for i in range(len(a)):
        d = a[i] - b[i]
        total += d * d
    return math.sqrt(total)


if __name__ == "__main__":
    rng = random.Random(1)
    n = 200_000
    xs = [rng.random() * 200.0 - 100.0 for _ in range(n)]
    ys = [rng.random() * 200.0 - 100.0 for _ in range(n)]
    for k in range(6):
        print("distance: %.6f" % euclidean(xs[k:], ys[:n - k]))
