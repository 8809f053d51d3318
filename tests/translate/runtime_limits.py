"""Long loops, deep recursion, huge allocations: a translated function
stays interruptible (test_runtime_limits.py sends the signals), reaches
the interpreter's recursion limit where Python does, and raises
MemoryError where Python does, never aborting the process."""


def spin(n: int) -> int:
    # no list argument: the loop runs with the GIL released
    total = 0
    i = 0
    while i < n:
        total = (total + i * 7) % 1000003
        i += 1
    return total


def spin_list(xs: list[float], rounds: int) -> float:
    # reads its list in place: the loop runs holding the GIL
    total = 0.0
    for _ in range(rounds):
        for x in xs:
            total += x
    return total


def spin_rows(rows: int, width: int) -> int:
    # nested ranges: a short inner loop is counted at once before it runs,
    # a long one (over 2**14) ticks per iteration
    total = 0
    for r in range(rows):
        for c in range(width):
            total = (total + r * c + 1) % 1000003
    return total


def first_gap(xs: list[int], width: int) -> int:
    # breaks out of a short inner range from its tick-free copy
    for i in range(len(xs)):
        found = True
        for j in range(i + 1, i + width):
            if j >= len(xs) or xs[j] != xs[i] + (j - i):
                found = False
                break
        if found:
            return i
    return -1


def count_down(n: int) -> int:
    if n <= 0:
        return 0
    return count_down(n - 1) + 1


def tree_sum(lo: int, hi: int) -> int:
    if hi - lo <= 1:
        return lo
    mid = (lo + hi) // 2
    return tree_sum(lo, mid) + tree_sum(mid, hi)


def zeros(n: int) -> list[int]:
    return [0] * n


def dashes(n: int) -> str:
    return "-" * n


def pair_len(s: str, n: int) -> int:
    # copies by doubling: "ab" * 2**31 as fast as CPython (scripts/bench)
    t = s * n
    return len(t) * 3 + len(s)


def upto(n: int) -> list[int]:
    return list(range(n))


def squares(n: int) -> list[int]:
    return [i * i for i in range(n)]


def grow(n: int) -> list[int]:
    # no known length: the result grows append by append
    out = []
    i = 0
    while i < n:
        out.append(i)
        i += 1
    return out


def grow_pairs(n: int) -> list[list[int]]:
    out = []
    i = 0
    while i < n:
        out.append([i, i])
        i += 1
    return out


INPUTS = {
    "spin": [(0,), (1,), (-5,), (1000,), (200000,)],
    "spin_list": [([], 3), ([1.5, -2.25], 0), ([0.1, 0.2, 0.3], 1000),
                  ([1e308, 1e308], 2), ([float("nan")], 5), ([1, 2.0], 2)],
    "spin_rows": [(0, 5), (5, 0), (-1, 3), (3, 4), (20, 100), (2, 20000),
                  (1, 16384), (1, 16385), (3, -1)],
    "first_gap": [([], 3), ([5], 1), ([5], 2), ([1, 2, 3, 7, 8, 9, 10], 4),
                  ([1, 3, 5], 2), (list(range(100)), 100), ([1, 2], 3)],
    "count_down": [(0,), (1,), (-3,), (50,), (300,), (399,), (400,), (401,),
                   (990,), (5000,)],
    "tree_sum": [(0, 1), (0, 100), (-50, 50), (0, 100000)],
    "zeros": [(0,), (3,), (-1,), (10 ** 12,), (2 ** 40,), (2 ** 62,),
              (2 ** 63 - 1,), (10 ** 30,)],
    "dashes": [(0,), (5,), (-2,), (10 ** 12,), (2 ** 62,)],
    "pair_len": [("ab", 0), ("ab", 1), ("ab", 3), ("é✓", 7), ("", 2 ** 40),
                 ("xyz", -4), ("q", 2 ** 20 + 3), ("ab", 10 ** 12)],
    "upto": [(0,), (5,), (-5,), (10 ** 12,), (2 ** 62,)],
    "squares": [(0,), (4,), (10,), (-3,)],
    "grow": [(0,), (5,), (-1,), (3000,)],
    "grow_pairs": [(0,), (3,)],
}
