"""Integer arithmetic: overflow falls back to Python's big ints, floor
division and modulo follow Python, int / int is correctly rounded."""


def factorial(n: int) -> int:
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def divmods(a: int, b: int) -> tuple[int, int, float]:
    return (a // b, a % b, a / b)


def powers(a: int) -> int:
    return a ** 3 + 2 ** 10 - (a << 2) + (a >> 1)


def neg_pow(a: int) -> float:
    return a ** -2


def gcd(a: int, b: int) -> int:
    while b != 0:
        a, b = b, a % b
    return abs(a)


def collatz_steps(n: int) -> int:
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
        if steps > 10000:
            break
    return steps


def bits(x: int) -> int:
    return (x & 0xFF) | (x ^ 3) & ~x


def digit_sum(n: int) -> int:
    s = 0
    n = abs(n)
    while n > 0:
        s += n % 10
        n //= 10
    return s


def isqrt_floor(n: int) -> int:
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid * mid <= n:
            lo = mid
        else:
            hi = mid - 1
    return lo


def mixed(a: int, x: float) -> float:
    return a * x + a / 3 - x // 2 + x % 3


def compare_int_float(a: int, x: float) -> bool:
    return a == x or a < x


def int_digest(xs: list[int], k: int) -> int:
    # every item's exact value matters: ints of one, two and three 30-bit
    # digits are read in place or through the C API
    total = k
    for x in xs:
        total = (total * 31 + x) % 1000000007
    return total


BIG = 2**63 - 1
EDGE_INTS = [0, 1, -1, 2**30 - 1, 2**30, -(2**30), 2**30 + 1, -(2**30) - 1,
             2**60 - 1, -(2**60) + 1, 2**60, -(2**60), 2**62 + 12345,
             BIG, -2**63]
INPUTS = {
    "factorial": [(5,), (0,), (20,), (21,), (25,)],
    "fib": [(10,), (0,), (92,), (93,), (100,)],
    "divmods": [(7, 2), (-7, 2), (7, -2), (-7, -2), (1, 0), (BIG, 3),
                (-2**63, -1), (2**53 + 1, 3), (3, 2**60)],
    "powers": [(3,), (-5,), (2**21,), (2**30,), (0,)],
    "neg_pow": [(2,), (0,), (-3,)],
    "gcd": [(12, 18), (0, 5), (-4, 6), (0, 0), (BIG, 2)],
    "collatz_steps": [(27,), (1,), (2**40,), (-3,)],
    "bits": [(0,), (-1,), (12345,), (BIG,)],
    "digit_sum": [(12345,), (-987,), (0,), (BIG,)],
    "isqrt_floor": [(0,), (15,), (16,), (10**12,)],
    "mixed": [(3, 2.5), (-7, -0.5), (0, 0.0), (2**60, 1.5), (5, float("inf"))],
    "int_digest": [([], 0), (EDGE_INTS, 1)] + [([x], x) for x in EDGE_INTS]
                  + [([2**63], 0), ([-2**63 - 1], 0), ([1, 2**100], 5),
                     ([True, 2], 0), ([3], 2**64)],
    "compare_int_float": [(1, 1.0), (2**53 + 1, 2.0**53), (3, 2.5), (-1, float("nan"))],
}
