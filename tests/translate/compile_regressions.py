"""Functions whose typed Rust once did not compile: two big int literals
compared, and a list parameter seen only empty used in ''.join(xs). They
run on the object tier now (the typed tier says why) and build."""


def big_cmp(x: int) -> bool:
    return 10000000000000000000000 > 99999999999999999999999 and x > 1


def joined2(xs) -> str:
    return '-'.join(xs)


def chained_literals(xs: list[int]) -> list[int]:
    # rustc took the wide literal for an i32 when it stood alone
    return [x for x in xs if 1 < 2 > -9007199254740993 and x < 9007199254740993]


INPUTS = {
    "chained_literals": [([1, 2, 3],), ([],)],
    "big_cmp": [(0,), (5,)],
    "joined2": [([],), (["a", "b"],)],
}

SIGNATURES = {
    "chained_literals": {"args": {"xs": "list[int]"}, "return": "list[int]"},
    "big_cmp": {"args": {"x": "int"}, "return": "bool"},
    "joined2": {"args": {"xs": "list[Never]"}, "return": "str"},
}

FALLBACK = {
    "big_cmp": "does not fit in 64 bits",
    "joined2": "only seen empty",
}
