"""Standard scores of a sample (hot function: zscore)."""

import math
import random


def zscore(values):
    """Return (v - mean) / stddev for each value (population stddev)."""
    n = len(values)
    total = 0.0
    for v in values:
        total += v
    mean = total / n
    sq = 0.0
    for v in values:
        sq += (v - mean) * (v - mean)
    std = math.sqrt(sq / n)
    out = []
    for v in values:
        out.append((v - mean) / std)
    return out


if __name__ == "__main__":
    rng = random.Random(10)
    values = [50.0 + 12.0 * (rng.random() - 0.5) for _ in range(100_000)]
    for k in range(4):
        z = zscore(values[k:])
        print("max z: %.6f" % max(z))
