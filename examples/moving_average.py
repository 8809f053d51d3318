"""Simple moving average over a fixed window (hot: moving_average)."""

import random


def moving_average(values: list[float], window: int) -> list[float]:
    """Return the mean of each full window of `window` consecutive values."""
    out = []
    for i in range(len(values) - window + 1):
        total = 0.0
        for j in range(i, i + window):
            total += values[j]
        out.append(total / window)
    return out


if __name__ == "__main__":
    rng = random.Random(5)
    prices = []
    price = 100.0
    for _ in range(25_000):
        price += rng.random() - 0.5
        prices.append(price)
    for window in (4, 8, 16):
        avg = moving_average(prices, window)
        print("points: %d, last: %.6f" % (len(avg), avg[-1]))
