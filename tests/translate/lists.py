"""List-processing functions: running statistics, convolution, slicing."""
import math


def cumsum(xs: list[float]) -> list[float]:
    out = []
    acc = 0.0
    for x in xs:
        acc += x
        out.append(acc)
    return out


def diff(xs: list[int]) -> list[int]:
    return [xs[i + 1] - xs[i] for i in range(len(xs) - 1)]


def moving_average(xs: list[float], w: int) -> list[float]:
    out = []
    for i in range(len(xs) - w + 1):
        s = 0.0
        for j in range(i, i + w):
            s += xs[j]
        out.append(s / w)
    return out


def running_mean(xs: list[float]) -> list[float]:
    out = []
    total = 0.0
    for i, x in enumerate(xs):
        total += x
        out.append(total / (i + 1))
    return out


def normalize(xs: list[float]) -> list[float]:
    lo = min(xs)
    hi = max(xs)
    return [(x - lo) / (hi - lo) for x in xs]


def zscore(xs: list[float]) -> list[float]:
    n = len(xs)
    mu = sum(xs) / n
    var = sum([(x - mu) ** 2 for x in xs]) / n
    sd = math.sqrt(var)
    return [(x - mu) / sd for x in xs]


def convolve1d(signal: list[float], kernel: list[float]) -> list[float]:
    n = len(signal)
    k = len(kernel)
    out = [0.0] * (n + k - 1)
    for i in range(n):
        for j in range(k):
            out[i + j] += signal[i] * kernel[j]
    return out


def scale_in_place(xs: list[float], f: float) -> None:
    for i in range(len(xs)):
        xs[i] *= f


def tail_slices(xs: list[int], k: int) -> list[int]:
    return xs[-k:] + xs[:k] + xs[::-1] + xs[1:-1:2]


def take_last(xs: list[int]) -> int:
    return xs[-1] + xs[-len(xs)]


def stack_ops(xs: list[int]) -> list[int]:
    st = []
    for x in xs:
        if x < 0 and st:
            st.pop()
        else:
            st.append(x)
    st.insert(0, len(st))
    st.extend([7, 8])
    return st


def contains_all(xs: list[int], ys: list[int]) -> bool:
    for y in ys:
        if y not in xs:
            return False
    return True


def transpose(m: list[list[int]]) -> list[list[int]]:
    if not m:
        return []
    return [[row[j] for row in m] for j in range(len(m[0]))]


def sorted_desc(xs: list[float]) -> list[float]:
    return sorted(xs, reverse=True)


def argmax(xs: list[float]) -> int:
    best = 0
    for i in range(1, len(xs)):
        if xs[i] > xs[best]:
            best = i
    return best


NAN = float("nan")
INF = float("inf")
INPUTS = {
    "cumsum": [([1.0, 2.5, -3.0],), ([],), ([0.1] * 10,), ([INF, -INF],), ([1, 2],)],
    "diff": [([1, 4, 9, 16],), ([5],), ([],), ([2**62, -2**62],), ([1.0, 2.0],)],
    "moving_average": [([1.0, 2.0, 3.0, 4.0], 2), ([1.0], 3), ([1.0, 2.0], 0), ([1.0, 2.0], -1)],
    "running_mean": [([1.0, 2.0, 6.0],), ([],), ([NAN, 1.0],)],
    "normalize": [([1.0, 2.0, 3.0],), ([2.0, 2.0],), ([],), ([NAN, 1.0, 2.0],), ([1.0, NAN],)],
    "zscore": [([1.0, 2.0, 3.0, 4.0],), ([5.0],), ([],), ([1e200, -1e200],)],
    "convolve1d": [([1.0, 2.0, 3.0], [0.0, 1.0, 0.5]), ([], [1.0]), ([1.0], [])],
    "scale_in_place": [([1.0, 2.0], 3.0), ([], 2.0), ([1.0], 2)],
    "tail_slices": [([1, 2, 3, 4, 5], 2), ([], 3), ([1], -1), ([1, 2, 3], 10)],
    "take_last": [([1, 2, 3],), ([],), ([7],)],
    "stack_ops": [([1, 2, -1, 3],), ([-1, -1],), ([],)],
    "contains_all": [([1, 2, 3], [2, 3]), ([1], [4]), ([], [])],
    "transpose": [([[1, 2, 3], [4, 5, 6]],), ([],), ([[1], [2, 3]],), ([[1, 2], [3]],)],
    "sorted_desc": [([3.0, 1.0, 2.0, -0.0, 0.0],), ([],), ([NAN, 1.0],)],
    "argmax": [([1.0, 3.0, 2.0],), ([],), ([NAN, 1.0],), ([1.0, NAN, 3.0],)],
}
