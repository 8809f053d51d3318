"""Cumulative sum of a list of integers (hot function: cumsum)."""

import random


def cumsum(values: list[int]) -> list[int]:
    """Return the running totals values[0], values[0]+values[1], ..."""
    out = []
    total = 0
    for i in range(len(values)):
        total = total + values[i]
        out.append(total)
    return out


if __name__ == "__main__":
    rng = random.Random(7)
    values = [int(rng.random() * 2001) - 1000 for _ in range(200_000)]
    for k in range(6):
        sums = cumsum(values[k:])
        print("total: %d" % sums[-1])
