"""Dict arguments with str keys and list values, read where they are
(plan.c plan_dictviews, rt::DictView): never converted, each value read
converted when it is read. Every input is one way for that to drift from
Python: keys that are not exact strs, values of another type (read or
never read), lone surrogates, astral text, missing keys, a native dict
from a translated caller."""


class S(str):
    pass


class D(dict):
    def __getitem__(self, k):
        return ["over:" + k]


def expand(tokens: list[str], macros: dict[str, list[str]]) -> list[str]:
    out = []
    for t in tokens:
        if t in macros:
            for u in macros[t]:
                out.append(u)
        else:
            out.append(t)
    return out


def synonyms_of(words: list[str], table: dict[str, list[str]]) -> list[str]:
    """Called only from Python: the result holds the lists' own items."""
    out = []
    for w in words:
        if w in table:
            for s in table[w]:
                out.append(s)
    return out


def score(words: list[str], table: dict[str, list[int]]) -> int:
    total = len(table)
    for w in words:
        if w not in table:
            total -= 1
            continue
        for x in table[w]:
            total += x
    return total


def firsts(words: list[str], groups: dict[str, list[str]]) -> list[str]:
    out = []
    for w in words:
        if w in groups:
            g = groups[w]
            if len(g) > 0:
                out.append(g[0] + "/" + w)
    return out


def strict(words: list[str], groups: dict[str, list[str]]) -> int:
    n = 0
    for w in words:
        n += len(groups[w])
    return n


def caller(n: int) -> list[str]:
    d = {"a": ["x"], "b": ["y", "z"], "é": ["w"]}
    toks = [("a" if i % 3 == 0 else ("b" if i % 3 == 1 else "c"))
            for i in range(n)]
    return expand(toks, d)


BIG = {"w%d" % i: ["v%d" % i, "é"] for i in range(3000)}

INPUTS = {
    "expand": [([], {}), (["a", "b", "a", "q"], {"a": ["x", "é"], "b": []}),
               (["k"] * 30, {"k": ["v"] * 7}), (["a"], {"a": ["x", 1]}),
               (["a"], {"a": ("x",)}), (["😀", "x"], {"😀": ["\U0001d538"]}),
               (["a", "b"], {"a": ["x"], 2: ["y"]}),
               (["a", "b"], {S("a"): ["x"]}), (["a"], {"a": [S("s")]}),
               (["a\udc80"], {"a\udc80": ["y"]}), (["a"], {"a": ["\udc80"]}),
               (["w5", "w2999", "zz"], BIG), (["a"], {"a": ["x"], "b": 7}),
               (["a", 3], {"a": ["x"]}), (["a", "b"], D(a=["x"]))],
    "synonyms_of": [([], {}), (["a", "b", "a"], {"a": ["x", "é"], "b": []}),
                    (["a"], {"a": ["x", 1]}), (["a"], {"a": ["\udc80"]}),
                    (["a"], {"a": "xy"}), (["w9", "q"], BIG)],
    "score": [([], {}), (["a", "b", "c"], {"a": [1, 2], "b": []}),
              (["a"], {"a": [2 ** 70]}), (["a"], {"a": [True, 1]}),
              (["a"], {"a": [1.5]}), (["a", "a"], {"a": [-3], "b": "no"}),
              (["x"], {1: [1]})],
    "firsts": [([], {}), (["a", "b", "c"], {"a": ["x", "y"], "b": []}),
               (["é", "😀"], {"é": ["ü"], "😀": ["\U0001f601"]}),
               (["a"], {"a": [None]}), (["w7", "w8", "none"], BIG)],
    "strict": [(["a"], {"a": ["x", "y"]}), (["a", "b"], {"a": []}),
               ([], {3: []}), (["a"], {"a": "xyz"})],
    "caller": [(0,), (1,), (7,)],
}
