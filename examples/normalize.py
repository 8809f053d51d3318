"""Scale a vector to unit Euclidean length (hot function: normalize)."""

import math
import random


def normalize(values: list[float]) -> list[float]:
    """Return values divided by their Euclidean norm."""
    total = 0.0
    for v in values:
        total += v * v
    norm = math.sqrt(total)
    out = []
    for v in values:
        out.append(v / norm)
    return out


if __name__ == "__main__":
    rng = random.Random(9)
    values = [rng.random() * 20.0 - 10.0 for _ in range(150_000)]
    for k in range(4):
        unit = normalize(values[k:])
        print("first: %.6f" % unit[0])
