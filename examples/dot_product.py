"""Dot product of two float vectors (hot function: dot_product)."""

import random


def dot_product(a, b):
    """Return the sum of the element-wise products of a and b."""
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]
    return total


if __name__ == "__main__":
    rng = random.Random(2)
    n = 200_000
    xs = [rng.random() - 0.5 for _ in range(n)]
    ys = [rng.random() - 0.5 for _ in range(n)]
    for k in range(6):
        print("dot: %.6f" % dot_product(xs[k:], ys[:n - k]))
