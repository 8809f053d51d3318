"""Functions whose typed Rust once did not compile: two big int literals
compared, and a list parameter seen only empty used in ''.join(xs). They
run on the object tier now (the typed tier says why) and build."""


def big_cmp(x: int) -> bool:
    return 10000000000000000000000 > 99999999999999999999999 and x > 1


def joined2(xs) -> str:
    return '-'.join(xs)


INPUTS = {
    "big_cmp": [(0,), (5,)],
    "joined2": [([],), (["a", "b"],)],
}

SIGNATURES = {
    "big_cmp": {"args": {"x": "int"}, "return": "bool"},
    "joined2": {"args": {"xs": "list[Never]"}, "return": "str"},
}

FALLBACK = {
    "big_cmp": "does not fit in 64 bits",
    "joined2": "only seen empty",
}
