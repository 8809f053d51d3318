"""Control flow: elif chains, while/else, for/else, break/continue,
early return, conditional expressions, assert, raise, calls between
translated functions, defaults and keyword arguments."""


def classify(x: int) -> str:
    if x < 0:
        return "neg"
    elif x == 0:
        return "zero"
    elif x < 10:
        return "small"
    else:
        return "big"


def first_index(xs: list[int], target: int) -> int:
    for i, x in enumerate(xs):
        if x == target:
            break
    else:
        return -1
    return i


def count_until(xs: list[int], stop: int) -> int:
    n = 0
    i = 0
    while i < len(xs):
        if xs[i] == stop:
            break
        i += 1
        if xs[i - 1] % 2 == 0:
            continue
        n += 1
    else:
        n += 100
    return n


def sign(x: float) -> int:
    return 1 if x > 0 else (-1 if x < 0 else 0)


def checked_sqrt(x: float) -> float:
    assert x >= 0
    return x ** 0.5


def must_be_positive(n: int) -> int:
    if n <= 0:
        raise ValueError("n must be positive")
    return n * 2


def helper(a: int, b: int) -> int:
    return a * b + 1


def uses_helper(n: int) -> int:
    t = 0
    for i in range(n):
        t += helper(i, i + 1)
    return t


def with_default(x: int, scale: int = 3, bias: float = 0.5) -> float:
    return x * scale + bias


def countdown(n: int) -> list[int]:
    out = []
    for i in range(n, 0, -2):
        out.append(i)
    for j in reversed(range(3)):
        out.append(j)
    return out


def nested_break(m: list[list[int]]) -> int:
    total = 0
    for row in m:
        for v in row:
            if v < 0:
                break
            total += v
    return total


def boolean_logic(a: bool, b: bool, n: int) -> bool:
    return (a and not b) or (n > 3 and a) or (not a and n == 0)


def fact_rec(n: int) -> int:
    if n <= 1:
        return 1
    return n * fact_rec(n - 1)


def chained(a: int, b: float, c: int) -> bool:
    return a < b <= c != a


def chain_pop(xs: list[int], a: int) -> int:
    # a chain stops at the first false comparison: xs.pop() runs only
    # when a < 0 holds
    n = 0
    if a < 0 < xs.pop():
        n = 1
    return n * 100 + len(xs)


def chain_index(xs: list[int], i: int) -> bool:
    # xs[i] is never read (no IndexError) when 0 <= i fails
    return 0 <= i < len(xs) and 1 < xs[i] < 10 or -1 > i > xs[i] > -100


def comp_branch(xs: list[int], flag: bool) -> int:
    # a comprehension in a branch not taken never runs
    y = [xs.pop() for _ in range(2)] if flag else [0]
    return len(xs) * 10 + len(y)


def comp_or(xs: list[int], flag: bool) -> int:
    if flag or len([xs.pop() for _ in range(1)]) > 0:
        return len(xs)
    return -len(xs)


def comp_in_chain(xs: list[int], lo: int) -> bool:
    return lo < 0 < len([xs.pop() for _ in range(1)])


INPUTS = {
    "classify": [(-5,), (0,), (7,), (100,)],
    "comp_branch": [([1, 2, 3], True), ([1, 2, 3], False), ([1], True), ([], False)],
    "comp_or": [([1, 2, 3], True), ([1, 2, 3], False), ([], True), ([], False)],
    "comp_in_chain": [([1, 2], 5), ([1, 2], -5), ([], 5), ([], -5)],
    "chained": [(1, 1.5, 2), (1, 1.5, 1), (2, 1.5, 2), (1, 2.0, 2), (2, 2.0, 2),
                (1, float("nan"), 5), (-2**63, -1e30, 0)],
    "chain_pop": [([1, 2, 3], 5), ([1, 2, 3], -1), ([], 5), ([], -1), ([-4], -1),
                  ([7], 0)],
    "chain_index": [([5, 20], 0), ([5, 20], 1), ([5, 20], 2), ([5, 20], -1),
                    ([5, -50], -1), ([], -3)],
    "first_index": [([1, 2, 3], 2), ([1, 2, 3], 9), ([], 1)],
    "count_until": [([1, 2, 3, 4, 5], 4), ([1, 3, 5], 99), ([], 0)],
    "sign": [(2.0,), (-3.0,), (0.0,), (float("nan"),)],
    "checked_sqrt": [(4.0,), (-1.0,), (0.0,)],
    "must_be_positive": [(3,), (0,), (-2,), (2**62,)],
    "uses_helper": [(5,), (0,), (3_000_000_000,) if False else (10,)],
    "with_default": [(2,), (2, 5), (2, 5, 1.0), (1.5,)],
    "countdown": [(7,), (0,), (-3,)],
    "nested_break": [([[1, 2, -1, 5], [3]],), ([],), ([[-1]],)],
    "boolean_logic": [(True, False, 0), (False, False, 0), (True, True, 5)],
    "fact_rec": [(5,), (0,), (20,), (21,), (2000,)],
}
