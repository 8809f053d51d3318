"""Running (cumulative) mean of a series (hot function: running_mean)."""

import random


def running_mean(values):
    """Return the mean of values[0..i] for every i."""
    out = []
    total = 0.0
    count = 0
    for v in values:
        total += v
        count += 1
        out.append(total / count)
    return out


if __name__ == "__main__":
    rng = random.Random(6)
    values = [rng.random() * 10.0 for _ in range(200_000)]
    for k in range(4):
        means = running_mean(values[k:])
        print("final mean: %.6f" % means[-1])
