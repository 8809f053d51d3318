"""Variables that hold None and one other type (Option<T>), parameters
rebound to a fresh copy on entry, and tuple assignments that reuse their
Strings."""


def bpe_encode(tokens, merges):
    tokens = list(tokens)
    while len(tokens) > 1:
        best = None
        best_rank = -1
        for i in range(len(tokens) - 1):
            pair = (tokens[i], tokens[i + 1])
            if pair in merges:
                rank = merges[pair]
                if best is None or rank < best_rank:
                    best = pair
                    best_rank = rank
        if best is None:
            break
        merged = []
        i = 0
        while i < len(tokens):
            if (i < len(tokens) - 1 and tokens[i] == best[0]
                    and tokens[i + 1] == best[1]):
                merged.append(best[0] + best[1])
                i += 2
            else:
                merged.append(tokens[i])
                i += 1
        tokens = merged
    return tokens


def first_negative(xs: list[float]):
    found = None
    for x in xs:
        if x < 0.0:
            found = x
            break
    return found


def truthy_int(flag: bool, v: int) -> int:
    x = None
    if flag:
        x = v
    if x:
        return 1
    if not x:
        return 2
    return 3


def truthy_str(flag: bool, s: str) -> bool:
    x = None
    if flag:
        x = s
    return None is not x and bool(x)


def head(flag: bool) -> int:
    x = None
    if flag:
        x = (1, 2)
    return x[0]  # None[0]: TypeError in Python


def last_word(words: list[str]) -> str:
    best = None
    for w in words:
        if best is None or len(w) >= len(best):
            best = w
    if best is None:
        return ""
    return best + "!"


def param_none(x: int):
    x = None
    return x


def opt_list(flag: bool) -> int:
    x = None
    if flag:
        x = [1]
    return 0 if x is None else 1


def opt_eq(flag: bool) -> bool:
    x = None
    if flag:
        x = 1
    return x == 1


def opt_in_list(flag: bool) -> int:
    out = []
    x = None
    if flag:
        x = 1
    out.append(x)
    return len(out)


def fresh_copy(xs: list[int]) -> list[int]:
    xs = list(xs)
    xs.append(0)
    return xs


def fresh_nested(xs: list[list[int]]) -> list[list[int]]:
    xs = list(xs)
    return xs


def equal_neighbours(tokens: list[str]) -> int:
    toks = list(tokens)
    pair = ("", "")
    n = 0
    for i in range(len(toks) - 1):
        pair = (toks[i], toks[i + 1])
        if pair[0] == pair[1]:
            n += 1
    return n + len(pair[0])


def only_none_len(a: int) -> int:
    x = None
    return len(x)


def only_none_add(a: int) -> int:
    x = None
    return x + a


def only_none_idx(a: int) -> int:
    x = None
    return x[a]


def opt_add_later(flag: bool, a: int) -> int:
    x = None
    y = 0
    if flag:
        y = x + a
    x = 5
    return y


def opt_ret(flag: bool):
    x = None
    if flag:
        x = 2.5
    return x


def opt_ifexp(flag: bool):
    x = None
    if flag:
        x = 1
    return x if flag else None


def o_str(flag: bool):
    x = None
    if flag:
        x = "a"
    return str(x)


def o_tuple(flag: bool):
    x = None
    if flag:
        x = (1, "a")
    return x


def o_len_tuple(flag: bool):
    x = None
    if flag:
        x = (1, "a")
    return len(x)


def len_of_tuple(xs: list[int], i: int) -> int:
    return len((xs[i], 1))


MERGES = {("t", "h"): 0, ("th", "e"): 1, ("e", "r"): 2, ("h", "e"): 3}

INPUTS = {
    "bpe_encode": [
        ([], MERGES),
        (["t"], MERGES),
        (list("the other there"), MERGES),
        (list("hehehe"), MERGES),
        (list("abc"), {}),
        (list("th\u00e9"), {("t", "h"): 5, ("h", "\u00e9"): -1}),
        (["t", 1], MERGES),
        (list("the"), {("t", "h"): 2 ** 70}),
        (list("the"), None),
    ],
    "first_negative": [([],), ([1.0, 2.0],), ([1.0, -0.5, -2.0],),
                       ([float("nan"), -0.0, -1.0],), ([1.0, 2],)],
    "truthy_int": [(False, 5), (True, 5), (True, 0), (True, -1)],
    "truthy_str": [(False, "a"), (True, "a"), (True, "")],
    "head": [(True,), (False,)],
    "last_word": [([],), (["a", "bcd", "ef", "ghi"],), ([""],), (["x", 3],)],
    "fresh_copy": [([],), ([1, 2],), ([2 ** 63 - 1],)],
    "opt_add_later": [(False, 1), (True, 1)],
    "opt_ret": [(False,), (True,)],
    "o_tuple": [(False,), (True,)],
    "len_of_tuple": [([1], 0), ([1], 3), ([], -1)],
    "o_len_tuple": [(False,), (True,)],
    "equal_neighbours": [([],), (["a"],), (["a", "a", "b", "b", "b"],),
                         (["\u00e9", "\u00e9"],)],
}

FALLBACK = {
    "param_none": "would hold both",
    "opt_list": "would hold both",
    "opt_eq": "comparison",
    "opt_in_list": "None inside",
    "fresh_nested": "returns",
    "only_none_len": "len() of None",
    "only_none_add": "operator +",
    "only_none_idx": "indexing None",
    "opt_ifexp": "conditional expression",
    "o_str": "str() of str | None",
}

SIGNATURES = {
    "bpe_encode": {"args": {"tokens": "list[str]",
                            "merges": "dict[tuple[str, str], int]"},
                   "return": "list[str]"},
}
