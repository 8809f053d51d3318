"""First differences of a series (hot function: diff)."""

import random


def diff(values):
    """Return [values[1]-values[0], values[2]-values[1], ...]."""
    out = []
    for i in range(1, len(values)):
        out.append(values[i] - values[i - 1])
    return out


if __name__ == "__main__":
    rng = random.Random(8)
    values = [rng.random() * 1000.0 for _ in range(250_000)]
    for k in range(4):
        d = diff(values[k:])
        print("diffs: %d, first: %.6f" % (len(d), d[0]))
