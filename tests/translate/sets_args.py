"""Sets as arguments and return values. A set argument is read into a
native set; a returned set is rebuilt by the additions CPython made, which
gives its layout; anything else that could change the layout stays in
Python, as does iterating a set; sorted() of a set, whose result cannot
depend on the set's order, is native."""


def member(s: set[int], x: int) -> bool:
    return x in s


def size(s: set[str]) -> int:
    return len(s)


def sorted_of(s: set[int]) -> list[int]:
    return sorted(s)


def sorted_words(text: str, rev: bool) -> list[str]:
    words = set(text.split())
    if rev:
        return sorted(words, reverse=True)
    return sorted(words)


def sorted_floats(xs: list[float]) -> list[float]:
    s = set()
    for x in xs:
        s.add(x)
    return sorted(s, reverse=True)


def sorted_pairs(xs: list[int]) -> list[tuple[int, int]]:
    s = set()
    for x in xs:
        s.add((x % 3, x))
    return sorted(s)


def both(a: set[int], b: set[int], x: int) -> bool:
    return x in a and x not in b


def collect(xs: list[int]) -> set[int]:
    s = set()
    for x in xs:
        s.add(x)
    return s


def collect_words(text: str) -> set[str]:
    seen = set()
    for w in text.split():
        seen.add(w)
    return seen


def from_list(xs: list[int]) -> set[int]:
    return set(xs)


def pair_set(a: int, b: int) -> set[int]:
    return {a, b}


def seen_count(xs: list[int], s: set[int]) -> int:
    n = 0
    for x in xs:
        if x in s:
            n += 1
    return n


def drop(xs: list[int], y: int) -> set[int]:
    s = set()
    for x in xs:
        s.add(x)
    s.discard(y)
    return s


def echo(s: set[int]) -> set[int]:
    return s


def consts() -> set[int]:
    return {1, 2, 3, 4, 5}


def copy_set(s: set[int]) -> set[int]:
    return set(s)


def in_tuple(xs: list[int]) -> tuple[set[int], int]:
    s = set(xs)
    return (s, len(s))


def total(s: set[int]) -> int:
    t = 0
    for x in s:
        t += x
    return t


def grow(s: set[int], x: int) -> int:
    s.add(x)
    return len(s)


_many = list(range(40, 0, -3)) + [8, 16, 32, 64, 128, 7, 15, 31, 63]

INPUTS = {
    "member": [(set(), 1), ({1, 2, 3}, 2), ({1, 2, 3}, 4), ({2 ** 70}, 1),
               ({-1, 2 ** 62}, 2 ** 62), (frozenset({1}), 1), ([1], 1),
               ({1.0}, 1)],
    "size": [(set(),), ({"a", "b"},), ({"é", "x", ""},), ({1},)],
    "sorted_of": [(set(),), ({3, -1, 2 ** 62, 0},), (set(range(50, 0, -3)),),
                  ({2 ** 70, 1},), ({1.5, 2},)],
    "sorted_words": [("", False), ("b a b c", False), ("b a b c", True),
                     ("Zeta alpha Alpha é e", False), ("Zeta alpha Alpha é e", True)],
    "sorted_floats": [([],), ([1.5, -2.0, 1.5, 0.0],), ([0.0, -0.0, 1.0],),
                      ([-0.0, 0.0, -1.0],), ([float("nan"), 1.0],),
                      ([float("inf"), float("-inf"), 3.0],), ([1, 2.0],)],
    "sorted_pairs": [([],), ([5, 4, 3, 2, 1, 5],), ([-7, 7, 2 ** 62],)],
    "both": [({1}, {2}, 1), ({1}, {1}, 1), (set(), set(), 0)],
    "collect": [([],), ([3, 1, 3, 2],), (_many,), (list(range(100)),),
                ([2 ** 62, -1, 7, 7],), ([2 ** 64],)],
    "collect_words": [("",), ("b a b c",), ("the quick brown fox jumps over the lazy dog",)],
    "from_list": [([],), ([5, 5, 4],), (_many,), ([True],)],
    "pair_set": [(1, 1), (1, 9), (9, 1), (-1, -2)],
    "seen_count": [([], set()), ([1, 2, 3, 2], {2, 3}), ([1], {1.5})],
}

FALLBACK = {
    "drop": "removal",
    "sorted_floats": "float keys",
    "echo": "argument 's' itself",
    "consts": "more than two constants",
    "copy_set": "iteration over a set",
    "in_tuple": "a set inside a returned value",
    "total": "iteration over a set",
    "grow": "changed in place",
}
