"""Evaluation order: Python evaluates left to right, and a read of a list
after a call changed it sees the change. Statements whose Rust borrows
could not keep that order (a container changed in one part and read in
another) stay in Python and say so; the others run natively with
Python's order."""


def pops_in_a_row(xs: list[int]) -> list[int]:
    out = []
    out.append(xs.pop() - xs.pop())
    return out


def min_of_pops(xs: list[int]) -> int:
    return min(xs.pop(), xs.pop())


def append_own_len(xs: list[int]) -> int:
    xs.append(len(xs))
    xs.append(xs[-1] * 2)
    return sum(xs)


def pop_then_read(xs: list[str]) -> str:
    last = xs.pop()
    return xs[-1] + last


def pop_or(xs: list[int]) -> int:
    # guards run before the change: native
    x = xs.pop() if xs else -1
    return x * 10 + len(xs)


def pop_if_bigger(xs: list[int], y: int) -> int:
    if len(xs) > 0 and xs.pop() > y:
        return 1
    return len(xs)


def pop_then_check(xs: list[int]) -> bool:
    # the change runs first, the read after it sees the shorter list
    return xs.pop() > 0 and len(xs) > 1 and xs[-1] > 0


def pop_in_branch(xs: list[str], first: bool) -> str:
    return xs.pop() if first else xs[0] + str(len(xs))


def add_pop(xs: list[int]) -> int:
    return xs[-1] + xs.pop()


def index_pop(xs: list[int]) -> int:
    return xs[len(xs) - 1 - xs.pop()]


def str_add_pop(xs: list[str]) -> str:
    return xs[-1] + xs.pop()


def aug_pop(xs: list[int]) -> int:
    xs[-1] += xs.pop()
    return sum(xs) * 10 + len(xs)


def dict_aug(d: dict[str, int], ks: list[str]) -> int:
    d[ks[-1]] += len(ks.pop())
    return d[ks[0]] * 100 + len(ks)


def concat_pop(xs: list[int]) -> list[int]:
    ys = xs + [xs.pop()]
    return ys


INPUTS = {
    "pops_in_a_row": [([1, 2, 3],), ([5, 9],), ([1],)],
    "min_of_pops": [([3, 1],), ([1, 3],), ([],)],
    "append_own_len": [([],), ([4, 5],)],
    "pop_then_read": [(["a", "b", "c"],), (["x"],), (["é", "ß"],)],
    "pop_or": [([1, 2, 3],), ([],)],
    "pop_if_bigger": [([1, 9], 4), ([9, 1], 4), ([], 0), ([5], 5)],
    "pop_then_check": [([1, 2, 3],), ([1, 2, -3],), ([1, -2, 3],), ([-1, 2],), ([2],), ([],)],
    "pop_in_branch": [(["a", "b"], True), (["a", "b"], False), ([], True), ([], False)],
    "add_pop": [([1, 2, 3],), ([4],), ([],)],
    "index_pop": [([0, 1, 2],), ([1, 1, 5, 1],), ([7],)],
    "str_add_pop": [(["a", "b", "c"],), (["z"],)],
    "aug_pop": [([1, 2, 3],), ([5, 5],), ([1],)],
    "dict_aug": [({"a": 1, "b": 2}, ["a", "b"]), ({"a": 1, "bcd": 2}, ["a", "bcd"])],
    "concat_pop": [([1, 2, 3],), ([],)],
}

FALLBACK = {
    "add_pop": "changed here and read elsewhere",
    "index_pop": "changed here and read elsewhere",
    "str_add_pop": "changed here and read elsewhere",
    "aug_pop": "changed here and read elsewhere",
    "dict_aug": "changed here and read elsewhere",
    "concat_pop": "changed here and read elsewhere",
}
