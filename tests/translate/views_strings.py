"""Lists read in place (rt::ListView) and str fast paths (StrIx, appends,
literal comparisons): every input here checks a way the fast path could
drift from Python (element types found mid-list, negative and out-of-range
indices, non-ASCII text, self-referencing appends)."""


class F(float):
    pass


def dot(a: list[float], b: list[float]) -> float:
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]
    return total


def last_minus_first(xs: list[float]) -> float:
    return xs[-1] - xs[0]


def sum_until_negative(xs: list[float]) -> float:
    total = 0.0
    for x in xs:
        if x < 0.0:
            break
        total += x
    return total


def weighted(xs: list[float], ws: list[float]) -> float:
    total = 0.0
    for x, w in zip(xs, ws):
        total += x * w
    return total


def index_sum(xs: list[int]) -> int:
    total = 0
    for i, x in enumerate(xs):
        total += i * x
    return total


def squares(xs: list[float]) -> list[float]:
    return [x * x for x in xs if x > 0.0]


def count_true(flags: list[bool]) -> int:
    n = 0
    for f in flags:
        if f:
            n += 1
    return n


def helper_len(xs: list[float]) -> int:
    return len(xs)


def calls_helper(xs: list[float]) -> int:
    # passes its list on: not read in place itself, the callee gets a Vec
    return helper_len(xs) + helper_len(xs)


def scale_into(xs: list[float], out: list[float]) -> None:
    # out changes in place: no argument is read in place
    for i in range(len(xs)):
        out.append(xs[i] * 2.0)


def char_at(s: str, i: int) -> str:
    return s[i]


def count_char(s: str, ch: str) -> int:
    n = 0
    for i in range(len(s)):
        c = s[i]
        if c == ch:
            n += 1
    return n


def reverse_text(s: str) -> str:
    out = ""
    i = len(s) - 1
    while i >= 0:
        out += s[i]
        i -= 1
    return out


def doubled(s: str) -> str:
    t = s
    t = t + t
    t += t
    t = t + "!"
    return t


def between(c: str) -> bool:
    return "a" <= c < "n" and c != "e"


def literal_first(s: str) -> bool:
    return "x" == s or "y" > s


def csv_split(line: str, sep: str = ",") -> list[str]:
    fields = []
    field = ""
    in_quotes = False
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if in_quotes:
            if c == '"':
                if i + 1 < n and line[i + 1] == '"':
                    field += '"'
                    i += 1
                else:
                    in_quotes = False
            else:
                field += c
        elif c == '"':
            in_quotes = True
        elif c == sep:
            fields.append(field)
            field = ""
        else:
            field = field + c
        i += 1
    fields.append(field)
    return fields


def scan_ops(src: str) -> list[str]:
    # slices, one-char tests and predicates through the str's index
    out = []
    i = 0
    n = len(src)
    while i < n:
        if src[i:i + 2] in ("==", "->", "é!"):
            out.append(src[i:i + 2])
            i += 2
        elif src[i].isalpha() or "_" == src[i]:
            j = i
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            out.append(src[i:j].upper() if src[i] != "é" else src[j:i:-1])
            i = j
        elif src[i].isdigit() or src[i].isspace():
            i += 1
        else:
            out.append(src[-i - 1::-2] + src[i])
            i += 1
    return out


VOWELS = "aeiouàé\u0130Ωω\U0001f600"


def vowel_classes(text: str) -> list[int]:
    # x in "literal": one-character x through a match!, others searched
    counts = [0, 0, 0, 0]
    for ch in text:
        low = ch.lower()
        if low in VOWELS:
            counts[0] += 1
        elif low not in "xyz\u00df\U0001f601":
            counts[1] += 1
        elif ch.upper() in "XY":
            counts[2] += 1
        else:
            counts[3] += 1
    return counts


def in_literal(s: str) -> list[bool]:
    return [s in "abc\u00e0\U0001f600", s not in "a\u0130a", s in VOWELS]


def small_codes(xs: list[int]) -> list[bool]:
    return [x in {3, -7, 2 ** 40} or x not in (1, 5, 9) for x in xs]


NAN = float("nan")
INF = float("inf")

def bracketed(line: str) -> list[str]:
    """The text inside each [...] (str.index with a start; ValueError
    when a bracket is not closed)."""
    out = []
    i = 0
    while i < len(line):
        if line[i] == "[":
            j = line.index("]", i)
            out.append(line[i + 1:j])
            i = j + 1
        else:
            i += 1
    return out


def find_from(s: str, sub: str, start: int, end: int) -> list[int]:
    return [s.find(sub), s.find(sub, start), s.find(sub, start, end),
            s.find(sub, -start), s.find(sub, start, -end)]


def index_in(s: str, sub: str, start: int) -> int:
    t = s + "."
    return t.index(sub, start) + t.find(sub, 1, start)


def padded(cells: list[str], width: int) -> list[str]:
    out = []
    for c in cells:
        out.append(c.ljust(width) + "|" + c.rjust(width, ".") + "|" +
                   c.center(width) + "|" + c.center(width + 1, "\u00e9"))
    return out


def pad_fill(s: str, width: int, fill: str) -> str:
    return s.center(width, fill)


def word_lines(lines: list[str]) -> dict[str, list[int]]:
    """A dict of lists built by d[k] = [] then d[k].append(i)."""
    index = {}
    for no, line in enumerate(lines):
        for word in line.split():
            if word not in index:
                index[word] = []
            if not index[word] or index[word][-1] != no:
                index[word].append(no)
    return index


def cut_words(s: str, k: int) -> list[str]:
    """w = s[i:j] into w's buffer (StrIx slice_into), steps and negatives."""
    out = []
    w = "start"
    for i in range(len(s)):
        w = s[i:i + k]
        out.append(w)
        w = s[-i::k] if k else s[i:]
        out.append(w + "|")
        w = s[i:-1:-1]
        out.append(w)
    w = s[k:]
    out.append(w)
    return out


INPUTS = {
    "vowel_classes": [
        ("",), ("hello World xyz",), ("\u0130stanbul \u00df \u1e9e",),
        ("\U0001f600\U0001f601 \u03a9\u03c9 X\u00c0",), ("IXY\u0130",),
    ],
    "in_literal": [
        ("",), ("a",), ("ab",), ("bc",), ("c\u00e0",), ("x",),
        ("\U0001f600",), ("\u00e0\U0001f600",), ("abc\u00e0\U0001f600",),
        ("abc\u00e0\U0001f600x",), ("i\u0307",), ("\u0130",), ("A",),
        ("a\u0130",), ("\u0130a",),
    ],
    "scan_ops": [
        ("",), ("a==b",), ("x_1 -> é! y",), ("naïve é_x == ²½ 3",),
        ("İstanbul ΣΑΣ ß",), ("\u3000a\u2028b",), ("==",), ("=",),
        ("->->é",), ("ab\U0001F600c",),
    ],
    "small_codes": [([],), ([3, 1, 2 ** 40, 9, -7, 4],)],
    "dot": [
        ([], []),
        ([1.5, -2.0], [2.0, 4.0]),
        ([1.0, 2.0, 3.0], [1.0]),             # IndexError part way
        ([1.0, 2.0], [1.0, 2.0, 3.0]),
        ([NAN, 1.0], [1.0, 1.0]),
        ([INF, 1.0], [0.0, 1.0]),
        ([-0.0], [0.0]),
        ([1.0, 2, 3.0], [1.0, 1.0, 1.0]),     # int found mid-list
        ([1.0, F(2.0)], [1.0, 1.0]),          # float subclass
        ([1.0, "x"], [1.0, 1.0]),
        ((1.0, 2.0), [1.0, 2.0]),             # tuple, not list
        ([2 ** 70 * 1.0], [3.0]),
    ],
    "last_minus_first": [
        ([1.0],),
        ([1.0, 2.5, -3.0],),
        ([],),
        ([INF, INF],),
        ([1.0, 2],),
    ],
    "sum_until_negative": [
        ([],),
        ([1.0, 2.0, -1.0, "never read"],),
        ([1.0, 2.0, -1.0, 5],),
        ([1.0, 2, -1.0],),
        ([NAN, 1.0],),
    ],
    "weighted": [
        ([1.0, 2.0, 3.0], [0.5, 0.25]),
        ([], [1.0]),
        ([1.0, 2.0], [0.5, 1]),
        ([-0.0], [-0.0]),
    ],
    "index_sum": [
        ([],),
        ([5, -7, 9],),
        ([1, 2 ** 62, 2 ** 62],),             # overflow: Python's big int
        ([1, 2 ** 70],),
        ([1, True, 3],),
        ([1, 2.0],),
    ],
    "squares": [
        ([],),
        ([1.0, -2.0, 3.0, NAN, INF, -0.0],),
        ([1.0, 2],),
    ],
    "count_true": [
        ([],),
        ([True, False, True],),
        ([True, 1],),
        ([False, None],),
    ],
    "calls_helper": [([],), ([1.0, 2.0],), ([1, "a"],)],
    "scale_into": [([1.0, 2.0], []), ([], [5.0]), ([1.0, 2], [])],
    "char_at": [
        ("hello", 1),
        ("hello", -1),
        ("hello", 5),
        ("", 0),
        ("h\u00e9llo w\u00f6rld", 1),
        ("h\u00e9llo w\u00f6rld", -2),
        ("\U0001f600x", 0),
        ("\U0001f600x", 1),
        ("\U0001f600x", -3),
    ],
    "count_char": [
        ("banana", "a"),
        ("", "a"),
        ("b\u00e4n\u00e4n\u00e4", "\u00e4"),
        ("abc", ""),
        ("a,b,,c", ","),
    ],
    "reverse_text": [
        ("",),
        ("abc",),
        ("na\u00efve \U0001f600",),
    ],
    "doubled": [("",), ("ab",), ("\u00e9",)],
    "between": [("a",), ("e",), ("m",), ("n",), ("",), ("ab",), ("\u00e9",)],
    "literal_first": [("x",), ("a",), ("z",), ("",), ("\u00ff",)],
    "csv_split": [
        ("",),
        ("a,b,c",),
        ('a,"b,c",d',),
        ('"say ""hi""",x',),
        ('"unterminated,x',),
        ("caf\u00e9,na\u00efve,\U0001f600",),
        ("a;b;c", ";"),
        ("a,,b", ""),
        ("a||b||c", "||"),
    ],
    "bracketed": [("",), ("[a] x [bc]",), ("[caf\u00e9] [\U0001f600]",),
                  ("[open",), ("[]]",), ("x[\u00e9[y]z]",)],
    "find_from": [("abcabc", "c", 3, 5), ("abc", "", 3, 3), ("abc", "", 4, 9),
                  ("abc", "", 2, 1), ("", "", 0, 0), ("abc", "z", 0, 3),
                  ("h\u00e9h\u00e9", "\u00e9", 2, 4),
                  ("h\u00e9h\u00e9", "h\u00e9", -3, 1),
                  ("\U0001f600ab\U0001f600", "\U0001f600", 1, 10),
                  ("abc", "\u00e9", 0, 2), ("aaaa", "aa", 1, -1),
                  ("abc", "bc", -100, 100),
                  ("abc", "", 2 ** 63 - 1, -(2 ** 63)),
                  ("abc", "c", -(2 ** 63), 2 ** 63 - 1)],
    "index_in": [("a.b.c", ".", 2), ("abc", "z", 0), ("abc", ".", 9),
                 ("\u00e9.\u00e9", "\u00e9", 1), ("abc", "", 4),
                 ("abc", "", 5)],
    "padded": [([], 3), (["a", "bc", "d\u00e9f", ""], 4),
               (["abcdef"], 3), (["x", "yy"], 0), (["x"], -2),
               (["\U0001f600"], 6), (["ab", "abc"], 5)],
    "pad_fill": [("ab", -(2 ** 63), "*"), ("", 2 ** 40, ""),
                 ("ab", 7, "*"), ("ab", 6, "*"), ("abc", 6, "-"),
                 ("abc", 7, "-"), ("", 3, "\u00e9"), ("x", 4, "ab"),
                 ("x", 4, ""), ("xyz", 2, "ab")],
    "word_lines": [([],), (["a b a", "", "b c", "c c a"],),
                   (["caf\u00e9 na\u00efve", "na\u00efve"],)],
    "cut_words": [("", 2), ("abc", 1), ("h\u00e9llo w\u00f6rld", 3),
                  ("abcdef", -2), ("\U0001f600ab", 2), ("abc", 0),
                  ("xyz", 9)],
}
