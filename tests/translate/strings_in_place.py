"""Strs read in place: a str argument that is only indexed, sliced,
measured and searched is read in its own PEP 393 storage (1, 2 or 4 bytes
a code point; a lone surrogate, which no Rust char holds, re-runs Python);
c = s[i] kept as a char and w = s[i:j] as a span while only tests and the
result read them; s[i:j] compared with literals without making the str.
Every input here is one way that could drift from Python: each storage
width, astral and surrogate code points, negative and out-of-range
bounds, empty text, a str subclass."""


class S(str):
    def __getitem__(self, i):
        return "?"


KEYWORDS = {"if", "else", "while", "return", "let", "fn", "für"}


def scan(src: str) -> list[tuple[str, str]]:
    """A tokenizer: char and span locals, a slice compared in place."""
    toks = []
    i = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
        elif c.isalpha() or c == "_":
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            word = src[i:j]
            toks.append(("kw" if word in KEYWORDS else "name", word))
            i = j
        elif c.isdigit():
            j = i + 1
            while j < n and src[j].isdigit():
                j += 1
            toks.append(("num", src[i:j]))
            i = j
        elif src[i:i + 2] in ("==", "->", "≤=", "\U0001f600!"):
            toks.append(("op2", src[i:i + 2]))
            i += 2
        elif c in "+-*/·€":
            toks.append(("op", c))
            i += 1
        else:
            toks.append(("other", c))
            i += 1
    return toks


def spans(s: str, k: int) -> list[str]:
    """w = s[a:b] with negative and out-of-range bounds, len(w), tests."""
    out = []
    for i in range(-3, len(s) + 3):
        w = s[i:i + k]
        if w == "ab" or w != "é\U0001f600" and len(w) == k:
            out.append(w)
        w = s[-i:]
        if w in ["", "z", "xyz", "\u0100\u0101"]:
            out.append(w)
        elif len(w) > 2:
            out.append(w)
    return out


def char_tests(s: str) -> list[str]:
    """c = s[i] against literals of each width, as items, negative i."""
    out = []
    for i in range(-len(s), len(s)):
        c = s[i]
        if c == "é" or c == "\u0100" or c == "\U0001f600":
            out.append(c)
        elif c in "aé\u0101\U0001f601" or not c.isalnum():
            out.append(c)
        elif c != "x" and c.isdigit():
            out.append(c)
    return out


def slice_tests(s: str, i: int) -> list[bool]:
    return [s[i:i + 2] == "ab", "é\U0001f600" == s[i:i + 2],
            s[i:] != "", s[i:i + 3] in ("abc", "\u0100\u0101\u0102"),
            s[-i:] not in {"z", "yz"}, s[:i] == s[:i]]


def positions(s: str, sub: str, start: int) -> list[int]:
    """find/index with bounds on the argument's own storage."""
    return [s.find(sub), s.find(sub, start), s.find(sub, -start, -1),
            s.index(sub, start, len(s)) if sub in s[start:] else -2]


def ends(s: str) -> list[str]:
    return [s[0], s[-1], s[1:], s[::2], s[::-1], s[len(s) // 2:]]


def stepped(s: str) -> list[str]:
    """Result items cut with steps: CPython makes a new str even of one
    character there, where s[i:i + 1] is its shared one."""
    out = []
    for i in range(len(s)):
        out.append(s[i:i + 1])
        out.append(s[i::2])
        out.append(s[i::-3])
    out.append(s[::-1])
    return out


def words(text: str) -> dict[str, int]:
    """for ch in text in place; ch a char lowered onto word."""
    counts = {}
    word = ""
    for ch in text:
        if ch.isalpha():
            word += ch.lower()
        elif word:
            counts[word] = counts.get(word, 0) + 1
            word = ""
    if word:
        counts[word] = counts.get(word, 0) + 1
    return counts


def classes(text: str) -> list[int]:
    """low = ch.upper() into low's buffer; ch tested and kept."""
    n = [0, 0, 0, 0]
    for ch in text:
        low = ch.upper()
        if low in "AEIOUÉİ" or ch == "ß":
            n[0] += 1
        elif ch.isalpha():
            n[1] += 1
        elif ch.isdigit() or ch in "😀":
            n[2] += 1
        else:
            n[3] += 1
    return n


def marks(text: str, keep: str) -> list[tuple[int, str]]:
    """enumerate(text) in place, the char an item of the result."""
    out = []
    for i, ch in enumerate(text, 1):
        if ch in keep:
            out.append((i, ch))
    return out


def loop_and_split(text: str) -> int:
    """text also split: not read in place, still iterated."""
    n = 0
    for ch in text:
        if ch == " ":
            n += 1
    return n + len(text.split())


def expand(tokens: list[str], macros: dict[str, list[str]]) -> list[str]:
    """for u in macros[t]: the argument's item read where it is."""
    out = []
    for t in tokens:
        if t in macros:
            for u in macros[t]:
                out.append(u + t)
        else:
            out.append(t)
    return out


def row_lengths(rows: list[list[str]], i: int) -> list[int]:
    out = []
    for w in rows[i]:
        out.append(len(w))
    for w in reversed(rows[-1]):
        out.append(-len(w))
    return out


def shapes(words: list[str]) -> dict[str, int]:
    """isupper/islower of chars and of whole strs (title case, no cased
    code point, one code point)."""
    counts = {}
    for w in words:
        shape = "U" if w.isupper() else "L" if w.islower() else "-"
        for ch in w:
            if ch.isupper():
                shape += "X"
            elif ch.islower():
                shape += "x"
            else:
                shape += "_"
        counts[shape] = counts.get(shape, 0) + 1
    return counts


def upper_runs(s: str) -> list[str]:
    out = []
    i = 0
    while i < len(s):
        if s[i].isupper() and not s[i].islower():
            out.append(s[i])
        i += 1
    return out


def lookup_total(words: list[str], table: dict[str, int]) -> int:
    """A lookup table passed call after call (rt::DictCache)."""
    total = 0
    for w in words:
        total += table.get(w, -1)
    return total


def labels(codes: list[int], names: dict[int, tuple[str, float]]) -> list[str]:
    out = []
    for c in codes:
        if c in names:
            out.append(names[c][0])
    return out


def cap_words(name: str) -> str:
    words = [w.capitalize() for w in name.replace("_", " ").split()]
    return " ".join(words) + "|" + name.capitalize()


def split_kv(line: str, sep: str) -> list[tuple[str, str, str]]:
    out = []
    for part in line.split(";"):
        key, mid, value = part.partition(sep)
        out.append((key.strip(), mid, value.strip()))
        out.append(part.rpartition(sep))
    return out


def pick_known(words: list[str], table: dict[str, int]) -> list[str]:
    """for w in words: each item kept where it is (tests, look-ups, len,
    and appended itself)."""
    out = []
    for w in words:
        if w in table and table[w] > 0 or w == "always" or w in ("x", "\u00e9"):
            out.append(w)
        elif len(w) > 3 and table.get(w, -1) < 0 and w not in table:
            out.append(w)
    return out


def tally(words: list[str], weights: dict[str, float]) -> float:
    total = 0.0
    for w in words:
        if w != "":
            total += weights.get(w, 0.5) * len(w)
    return total


def count_ops(s: str) -> int:
    n = 0
    for i in range(len(s)):
        if s[i] in "+-+" or s[i:i + 2] == "**" or s[i] not in "abc":
            n += 1
    return n


def caller(t: str) -> int:
    """A native call of an in-place function with a str of its own."""
    return count_ops(t.lower()) + count_ops(t + "+")


def with_default(s: str = "a+b") -> int:
    return len(s) + count_ops(s)


TEXTS = ["", "x", "let x_1 = 42 + y",
         "if a == b -> c * 3 ** 2 / d",
         "fn \u00e1rea(r) -> 3 \u00b7 r \u20ac 5 f\u00fcr \u00e9l",
         "\u0100\u0101\u0102 \u2264= \u0100 ab \u0101",
         "\U0001f600! \U0001f601 smile_1 == 9\U0001f600",
         "ab\udc80 1", "  \t\n ", "__init__ 007 \u0660\u0661 \u00b2"]

INPUTS = {
    "scan": [(t,) for t in TEXTS] + [("\u00e9" * 300 + " if 12 " * 200,),
                                    (S("a b"),), (None,), (12,)],
    "spans": [(t, k) for t in TEXTS for k in (0, 2, 3)],
    "char_tests": [(t,) for t in TEXTS] + [("aéĀā😀😁x5",)],
    "slice_tests": [(t, i) for t in ["abc", "é\U0001f600b", "\u0100\u0101\u0102z",
                                     "", "xyz"] for i in (0, 1, -2, 7)],
    "positions": [("abcabc", "c", 2), ("\u00e9t\u00e9 \u00e9t\u00e9", "\u00e9t", 1),
                  ("\u0100b\u0100b", "b", -1), ("\U0001f600a\U0001f600a", "a", 2),
                  ("abc", "", 5), ("abc", "zz", 0), ("a\udc80a", "a", 1)],
    "ends": [(t,) for t in TEXTS if t] + [("",)],
    "stepped": [(t,) for t in TEXTS],
    "words": [(t,) for t in TEXTS] + [("Straße naïve STRASSE İi " * 50,)],
    "classes": [(t,) for t in TEXTS] + [("ßŉﬁ İ",)],
    "marks": [(t, k) for t in TEXTS for k in ("", " _", "é😀ā")],
    "loop_and_split": [(t,) for t in TEXTS],
    "expand": [([], {}), (["a", "b", "a"], {"a": ["x", "é"], "c": []}),
               (["k"] * 50, {"k": ["v"] * 20}), (["a"], {"a": ["x", 1]}),
               (["a"], {"a": "xy"}), (["😀"], {"😀": []})],
    "row_lengths": [([["ab", "é"], ["x"]], 0), ([["a"]], -1),
                    ([["a"]], 3), ([[], []], 1), ([["a", 2]], 0)],
    "shapes": [([],), (["", "A", "a", "1", "AB1", "ab1", "Ab", "\u01c5", "\u01c5A",
                 "\u01c4\u01c6", "\u00dfSS", "\u03a9\u03c9", "\u2160", "\u2170x",
                 "\U0001d400", "123", "_"],), (TEXTS,)],
    "upper_runs": [(t,) for t in TEXTS] + [("\u01c5\u01c4\u01c6\u2160\U0001d400Z",)],
    "lookup_total": [([], {}), (["a", "b", "a", "z"], {"a": 1, "b": 2}),
                     (["a"], {"a": 2 ** 70}), (["a"], {"a": True}),
                     (["a"], {"a": 1, 2: 3})],
    "labels": [([1, 2, 1], {1: ("x", 0.5), 3: ("y", -0.0)}),
               ([1], {1: ("x", 1)}), ([], {})],
    "cap_words": [("",), ("a",), ("ada_lovelace",), ("ÉDITH piaf",),
                  ("\u00df x",), ("\u01c6a \u0149b",), ("1abc AbC",),
                  ("\u03a3\u03a3 x",), ("x\u03a3",), ("\U0001d400A",),
                  ("i\u0307 \u0130X",), ("  ",)],
    "split_kv": [("a=1; b = 2;c", "="), ("", "="), ("==x=", "="),
                 ("k::v::w; ::", "::"), ("\u00e9=\u00e8;\U0001f600=1", "="),
                 ("a=1", ""), ("abc", "abc")],
    "pick_known": [([], {}), (["a", "x", "always", "long_word", "\u00e9", "b"],
                                {"a": 1, "b": 0, "long_word": -3}),
                   (["\u00e9t\u00e9", "\U0001f600\U0001f600\U0001f600\U0001f600", "\udc80"],
                    {"\u00e9t\u00e9": 2}),
                   (["a", 1], {"a": 1}), ([S("always")], {}),
                   (["k"] * 100, {"k": 1})],
    "tally": [([], {}), (["ab", "", "\u00e9\u00e9\u00e9"], {"ab": 2.5}),
              (["a"], {"a": float("nan")}), (["a", None], {})],
    "count_ops": [(t,) for t in TEXTS],
    "caller": [(t,) for t in TEXTS[:7]],
    "with_default": [(), ("x**2+1",), ("\u00e9+",)],
}

SHARING = ["scan", "spans", "char_tests", "stepped", "marks", "upper_runs"]
