"""Loops that build one result per iteration from a fresh accumulator run
two iterations side by side (emit_jam): two independent chains, each in
Python's order, so results stay bit-identical. Odd counts, empty and
zero-length inner loops, trip counts that differ between rows, errors in
the second row only, int accumulators that overflow."""


def conv(signal: list[float], kernel: list[float]) -> list[float]:
    n = len(signal)
    k = len(kernel)
    out = []
    for i in range(n - k + 1):
        total = 0.0
        for j in range(k):
            total += signal[i + j] * kernel[k - 1 - j]
        out.append(total)
    return out


def window_means(values: list[float], window: int) -> list[float]:
    out = []
    for i in range(len(values) - window + 1):
        total = 0.0
        for j in range(i, i + window):
            total += values[j]
        out.append(total / window)
    return out


def triangle_sums(xs: list[int]) -> list[int]:
    # the inner trip count grows with i: rows run one after the other
    out = []
    for i in range(len(xs)):
        s = 0
        for j in range(i + 1):
            s += xs[j] * (i - j + 1)
        out.append(s)
    return out


def shifted(xs: list[float], shift: int, width: int) -> list[float]:
    # negative and out-of-range indices: Python wraps or raises
    out = []
    for i in range(len(xs)):
        t = 0.0
        for j in range(width):
            t += xs[i + j - shift]
        out.append(t * 0.5)
    return out


def int_rows(xs: list[int], reps: int) -> list[int]:
    out = []
    for i in range(1, len(xs) + 1):
        acc = 1
        for j in range(reps):
            acc += xs[i - 1] * xs[(i + j) % len(xs)]
        out.append(acc - i)
    return out


def rows_then_more(xs: list[float]) -> float:
    # the pairs only touch their own rows: other locals stay as written
    res = []
    scale = 2.0
    for i in range(len(xs)):
        t = 0.0
        for j in range(3):
            t += xs[i] * scale + j
        res.append(t)
    return sum(res) + scale


def mat(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    out = []
    for i in range(len(a)):
        row = []
        for j in range(len(b[0])):
            s = 0.0
            for k in range(len(b)):
                s += a[i][k] * b[k][j]
            row.append(s)
        out.append(row)
    return out


def reads_total_after(xs: list[float]) -> float:
    # the accumulator is read after the loop: not paired
    out = []
    total = 0.0
    for i in range(len(xs)):
        total = 0.0
        for j in range(2):
            total += xs[i] + j
        out.append(total)
    return total + len(out)


_R = [((i * 7919) % 1000) / 7.0 - 60.0 for i in range(301)]
INPUTS = {
    "conv": [([], []), ([1.0], []), ([], [1.0]), ([1.0, 2.0], [0.5]),
             ([1.0, 2.0, 3.0], [0.5, -1.0]), (_R, [0.1, 0.2, 0.3]),
             (_R[:10], [0.25] * 4), ([1.0, float("nan"), 2.0, 3.0], [1.0, 1.0]),
             ([1e308, 1e308, -1e308], [1.0, 1.0]), ([0.1] * 5, [0.1] * 6),
             ([1.0, 2.0, 3.0], [1.0, 2])],
    "window_means": [([], 2), ([1.0], 1), ([1.0, 2.0, 3.0, 4.0], 2),
                     ([1.0, 2.0, 3.0, 4.0, 5.0], 3), (_R, 7), (_R, 1), (_R, 301),
                     (_R, 302), ([1.0, 2.0], 0), ([1.0, 2.0], -1),
                     ([float("inf"), 1.0, float("-inf")], 2)],
    "triangle_sums": [([],), ([1],), ([1, 2, 3, 4, 5],), ([2 ** 61, 2 ** 61, 1],),
                      ([-3, 7, 0, 9],)],
    "shifted": [([1.0, 2.0, 3.0, 4.0], 0, 1), ([1.0, 2.0, 3.0, 4.0], 2, 3),
                ([1.0, 2.0, 3.0, 4.0], 0, 2), ([1.0, 2.0, 3.0], 1, 2),
                ([1.0, 2.0, 3.0], 5, 1), ([], 0, 3), ([1.0], 0, 0)],
    "int_rows": [([],  3), ([1, 2, 3], 2), ([1, 2, 3, 4], 5), ([5], 0),
                 ([2 ** 40, 2 ** 40, 3], 4), ([-7, 8, -9, 10, 11], 3)],
    "rows_then_more": [([],), ([1.0],), ([1.0, 2.5, -3.0],), (_R,)],
    "mat": [([], [[1.0]]), ([[1.0]], [[2.0]]), ([[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]),
            ([[1.0, 2.0, 3.0]], [[1.0], [2.0], [3.0]]),
            ([[float(i + j) for j in range(5)] for i in range(3)],
             [[float(i * j) - 2.5 for j in range(7)] for i in range(5)]),
            ([[1.0, 2.0]], [[1.0, 2.0], [3.0]])],
    "reads_total_after": [([],), ([1.0, 2.0, 3.0],)],
}
