"""Result lists built by appends (rt::PyOut: items created as Python
objects straight into the returned list), room reserved for a loop's trip
count, fallible appends, nested list results, and list arguments read in
place with their live size. Lists of strs and tuples are built the same
way, their items made Python objects as they are appended: a str literal
is one object per function, interned when CPython's compiler interns it
(SHARING lists the functions whose results' sharing is compared)."""


class F(float):
    pass


class I(int):
    pass


def diff(xs: list[float]) -> list[float]:
    out = []
    for i in range(1, len(xs)):
        out.append(xs[i] - xs[i - 1])
    return out


def scale(xs: list[float], k: float) -> list[float]:
    out = []
    for v in xs:
        out.append(v * k)
    return out


def cumsum(xs: list[int]) -> list[int]:
    out = []
    total = 0
    for i in range(len(xs)):
        total = total + xs[i]
        out.append(total)
    return out


def running_mean(xs: list[float]) -> list[float]:
    out = []
    total = 0.0
    count = 0
    for v in xs:
        total += v
        count += 1
        out.append(total / count)
    return out


def ratios(xs: list[float]) -> list[float]:
    # ZeroDivisionError part way: the half-built result is dropped
    out = []
    for i in range(len(xs) - 1):
        out.append(xs[i] / xs[i + 1])
    return out


def positives(xs: list[float]) -> list[float]:
    out = []
    for v in xs:
        if v > 0.0:
            out.append(v)
    return out


def until_negative(xs: list[int]) -> list[int]:
    out = []
    for v in xs:
        if v < 0:
            break
        out.append(v * 2)
    return out


def flags(xs: list[float], t: float) -> list[bool]:
    out = []
    for v in xs:
        out.append(v > t)
    return out


def twice(xs: list[int]) -> list[int]:
    out = []
    for v in xs:
        out.append(v)
        out.append(-v)
    return out


def cycle(xs: list[float], n: int) -> list[float]:
    out = []
    if n < 0:
        return out
    for i in range(n):
        out.append(xs[i % len(xs)])
    return out


def reset(xs: list[float]) -> list[float]:
    out = []
    for v in xs:
        out.append(v)
    if len(xs) > 3:
        out = []
        for v in xs:
            out.append(-v)
    return out


def sums(a: list[float], b: list[float]) -> list[float]:
    out = []
    for i in range(len(a)):
        out.append(a[i] + b[i])
    return out


def window(xs: list[float], w: int) -> list[float]:
    out = []
    for i in range(len(xs) - w + 1):
        total = 0.0
        for j in range(i, i + w):
            total += xs[j]
        out.append(total / w)
    return out


def outer(a: list[float], b: list[float]) -> list[list[float]]:
    rows = []
    for x in a:
        row = []
        for y in b:
            row.append(x * y)
        rows.append(row)
    return rows


def squares(xs: list[int]) -> list[int]:
    return [x * x for x in xs]


def halves(n: int) -> list[float]:
    return [i / 2 for i in range(n)]


def helper(xs: list[float]) -> list[float]:
    out = []
    for v in xs:
        out.append(v + 1.0)
    return out


def uses_helper(xs: list[float]) -> float:
    total = 0.0
    for v in helper(xs):
        total += v
    return total


def push_all(dst: list[float], src: list[float]) -> int:
    for v in src:
        dst.append(v)
    return len(dst)


def total_len(xs: list[int], ys: list[int]) -> int:
    n = 0
    for x in xs:
        n += x
    for y in ys:
        n -= y
    return n + len(xs) * len(ys)


def kinds(src: str) -> list[tuple[str, str]]:
    out = []
    i = 0
    while i < len(src):
        c = src[i]
        if c.isdigit():
            j = i
            while j < len(src) and src[j].isdigit():
                j += 1
            out.append(("number", src[i:j]))
            i = j
        elif c == " ":
            i += 1
        else:
            out.append(("op" if c in "+-*/" else "other char", c))
            i += 1
    return out


def labels(xs: list[int]) -> list[str]:
    out = []
    for x in xs:
        if x < 0:
            out.append("neg")
        elif x == 0:
            out.append("")
        elif x < 10:
            out.append("é")
        else:
            out.append("big number")
    return out


def records(names: list[str], scores: list[float]) -> list[tuple[str, int, float]]:
    out = []
    for i in range(len(names)):
        out.append((names[i].upper(), i * i, scores[i] * 2.0))
    return out


def singles(s: str) -> list[tuple[str]]:
    out = []
    for i in range(len(s)):
        out.append((s[i:i + 2],))
    return out


def words(s: str) -> list[str]:
    out = []
    start = 0
    for i in range(len(s)):
        if s[i] == " ":
            out.append(s[start:i])
            start = i + 1
    out.append(s[start:])
    return out


def nested(xs: list[int]) -> list[tuple[str, tuple[int, bool]]]:
    out = []
    for x in xs:
        out.append(("pair", (x, x > 2)))
    return out


NAN = float("nan")
INF = float("inf")
BIG = 2 ** 70
SHARED = [1.5, -2.0, 3.25]
SHARED_I = [3, 1, 4]

INPUTS = {
    "diff": [([],), ([1.0],), ([1.0, 2.5],), ([0.0, -0.0, NAN, INF, -INF],),
             ([1.0, 2, 3.0],), ([1.0, F(2.0), 3.0],), ([1.0, "x"],),
             ([float(i) * 0.1 for i in range(1000)],), (None,), ((1.0, 2.0),)],
    "scale": [([], 2.0), ([1.0], -0.0), ([NAN, -0.0, INF], 2.0),
              ([1.0, 2.0], 1), ([1.0, I(2)], 2.0), ([1e308, -1e308], 10.0),
              ([float(i) for i in range(3000)], 0.5)],
    "cumsum": [([],), ([1],), ([1, 2, 3],), ([2 ** 62, 2 ** 62],),
               ([BIG, 1],), ([1, BIG],), ([-2 ** 63, -1],), ([1, 2.0],),
               ([1, True, 2],), ([1, I(5)],), (list(range(-500, 500)),)],
    "running_mean": [([],), ([5.0],), ([1.0, NAN, 2.0],),
                     ([-0.0, -0.0],), ([1.0, 2, 3.0],),
                     ([F(1.0), 2.0],), ([0.1] * 2000,)],
    "ratios": [([],), ([1.0],), ([1.0, 2.0, 4.0],), ([1.0, 0.0, 2.0],),
               ([1.0, 2.0, -0.0],), ([NAN, 1.0],), ([3.0, 2.0, 1.0, "a"],)],
    "positives": [([],), ([-1.0],), ([1.0, -1.0, 2.0, NAN, INF, -0.0],),
                  ([float(i % 7) - 3.0 for i in range(1000)],),
                  ([1.0, 1],)],
    "until_negative": [([],), ([1, 2, 3],), ([1, -1, 2],), ([-5],),
                       ([2 ** 62, 1],), ([BIG, 1],), ([1, 2, 2 ** 63 - 1],),
                       (list(range(100)) + [-1] + list(range(100)),)],
    "flags": [([], 0.0), ([NAN, 0.0, -0.0, 1.0], 0.0),
              ([1.0, 2.0, 3.0], 2.0), ([1.0, 2], 0.0)],
    "twice": [([],), ([0],), ([1, -2, 3],), ([-2 ** 63],),
              (list(range(1000)),)],
    "cycle": [([1.0, 2.0], 5), ([1.0], 0), ([1.0], -3), ([], 0), ([], 2),
              ([1.0, 2.0, 3.0], 10), ([1.0, 2], 4)],
    "reset": [([],), ([1.0, 2.0],), ([1.0, 2.0, 3.0, 4.0],),
              ([1.0, 2.0, 3.0, NAN, -0.0],)],
    "sums": [([], []), ([1.0], [2.0]), ([1.0, 2.0], [3.0]),
             (SHARED, SHARED), ([1.0, NAN], [-0.0, 1.0]), ([1.0], [1])],
    "window": [([], 2), ([1.0, 2.0, 3.0], 2), ([1.0, 2.0], 3),
               ([1.0, 2.0, 3.0], 0), ([1.0, 2.0, 3.0], -1),
               ([float(i) for i in range(200)], 7)],
    "outer": [([], [1.0]), ([1.0], []), ([1.0, 2.0], [3.0, NAN]),
              ([1.0, -0.0], [-0.0, INF]), ([1.0], [2])],
    "squares": [([],), ([3],), ([-4, 5],), ([2 ** 32],), ([BIG],),
                ([1, 2.0],)],
    "halves": [(0,), (1,), (7,), (-3,), (1000,)],
    "helper": [([],), ([1.0, 2.0],), ([NAN],)],
    "uses_helper": [([],), ([1.0, 2.0],), ([1e308, 1e308],)],
    # (not one list for both: Python itself would append forever)
    "push_all": [([], []), ([1.0], [2.0, 3.0]), ([1.0], [2]),
                 ([], [NAN, -0.0]), ([F(1.0)], [2.0])],
    "total_len": [([], []), ([1, 2], [3]), (SHARED_I, SHARED_I),
                  ([BIG], [1]), ([1], [2.0])],
    "kinds": [("",), ("12 + 3",), ("x1 ** 22 / é",), ("007 -- 8!",),
              ("ü" * 3 + " 9" * 500,), ("\udc80 1",)],
    "labels": [([],), ([-1, 0, 5, 12, 0, -7],), ([BIG],), ([1, 2.0],),
               (list(range(-3, 300)),)],
    "records": [([], []), (["a", "ß", "Ab"], [1.0, NAN, -0.0]),
                (["a"], []), (["a", 1], [1.0, 2.0]), (["x"] * 300,
                                                      [0.5] * 300)],
    "singles": [("",), ("a",), ("héllo wörld",), ("\U0001f600x",)],
    "words": [("",), (" ",), ("a bc  déf ",), ("one",),
              (" ".join(["w"] * 400),)],
    "nested": [([],), ([1, 2, 3, 4],), ([BIG],), ([True, 3],)],
}

# result lists of strs: which items are the same object (within a result
# and across two calls) must be as in Python
SHARING = ["kinds", "labels", "singles", "words", "nested"]
