"""Functions that must stay in Python, each with the reason's words."""
import os


def gen(n):
    for i in range(n):
        yield i


def uses_try(x: float) -> float:
    try:
        return 1.0 / x
    except ZeroDivisionError:
        return 0.0


def uses_with(path: str) -> str:
    with open(path) as f:
        return f.read()


def uses_global_list(i: int) -> int:
    return TABLE[i]


def calls_os(p: str) -> bool:
    return os.path.exists(p)


def star_args(*args):
    return len(args)


def lambda_user(xs: list[int]) -> list[int]:
    return sorted(xs, key=lambda x: -x)


def returns_either(x: int):
    if x > 0:
        return 1
    return 1.5


def aliasing(xs: list[list[int]]) -> list[list[int]]:
    a = [0]
    b = a
    b.append(1)
    return [a]


def uses_set_order(xs: list[int]) -> list[int]:
    out = []
    for v in set(xs):
        out.append(v)
    return out


def non_const_pow(a: int, b: int) -> int:
    return a ** b


def untyped(a, b):
    return a + b


TABLE = [1, 2, 3]
TABLE.append(4)

FALLBACK = {
    "gen": "generator",
    "uses_try": "try/except",
    "uses_with": "with",
    "uses_global_list": "module global",
    "calls_os": "attribute",
    "star_args": "*args",
    "lambda_user": "lambda",
    "returns_either": "returns",
    "aliasing": "share",
    "uses_set_order": "set",
    "non_const_pow": "non-constant exponent",
    "untyped": "no type for parameter",
}
