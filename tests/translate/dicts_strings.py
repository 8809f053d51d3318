"""Dicts (insertion ordered), strings and tuples."""


def count_words(words: list[str]) -> dict[str, int]:
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return counts


def count_pairs(tokens: list[str]) -> dict[tuple[str, str], int]:
    pairs = {}
    for i in range(len(tokens) - 1):
        p = (tokens[i], tokens[i + 1])
        if p in pairs:
            pairs[p] += 1
        else:
            pairs[p] = 1
    return pairs


def parse_csv_row(line: str) -> list[float]:
    out = []
    for part in line.split(","):
        part = part.strip()
        if part == "":
            continue
        out.append(float(part))
    return out


def bpe_merge(tokens: list[str], a: str, b: str) -> list[str]:
    out = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i] == a and tokens[i + 1] == b:
            out.append(a + b)
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


def most_common(counts: dict[str, int]) -> str:
    best = ""
    best_n = -1
    for k, v in counts.items():
        if v > best_n:
            best = k
            best_n = v
    return best


def invert(d: dict[str, int]) -> dict[int, str]:
    out = {}
    for k in d:
        out[d[k]] = k
    return out


def join_upper(words: list[str]) -> str:
    return "-".join([w.upper() for w in words if len(w) > 1])


def char_hist(s: str) -> dict[str, int]:
    h = {}
    for ch in s:
        if ch.isalpha():
            h[ch] = h.get(ch, 0) + 1
    return h


def min_max_pair(xs: list[int]) -> tuple[int, int]:
    lo = xs[0]
    hi = xs[0]
    for x in xs:
        lo = min(lo, x)
        hi = max(hi, x)
    return lo, hi


def parse_ints(s: str) -> int:
    total = 0
    for tok in s.split():
        total += int(tok)
    return total


def remove_keys(d: dict[str, int], keys: list[str]) -> int:
    for k in keys:
        if k in d:
            del d[k]
    return len(d)


def str_ops(s: str) -> str:
    t = s.replace("a", "b")
    if t.startswith("b") and not t.endswith("x"):
        t = t + "!" * 2
    return t[1:] + str(len(s)) + s[-1]


def count_not_in(words: list[str]) -> dict[str, int]:
    counts = {}
    for w in words:
        if w not in counts:
            counts[w] = 1
        else:
            counts[w] += 1
    return counts


def rank_sum(tokens: list[str], ranks: dict[str, int]) -> int:
    total = 0
    for t in tokens:
        if t in ranks:
            r = ranks[t]
            total += r * 2
        elif t not in ranks:
            total -= 1
    return total


def group_concat(words: list[str]) -> dict[str, str]:
    groups = {}
    for w in words:
        k = w[:1]
        if k in groups:
            groups[k] += "," + w
        else:
            groups[k] = w
    return groups


def square_seen(xs: list[int]) -> dict[int, int]:
    seen = {}
    for x in xs:
        if x in seen:
            seen[x] *= x
        else:
            seen[x] = x
    return seen


def halve_seen(keys: list[str], d: dict[str, float]) -> dict[str, float]:
    out = {}
    for k in d:
        out[k] = d[k] * 1.0
    for k in keys:
        if k in out:
            out[k] /= 2.0
    return out


def char_kinds(text: str) -> list[int]:
    alpha = digit = alnum = space = 0
    for ch in text:
        if ch.isalpha():
            alpha += 1
        if ch.isdigit():
            digit += 1
        if ch.isalnum():
            alnum += 1
        if ch.isspace():
            space += 1
    return [alpha, digit, alnum, space, int(text.isalpha()), int(text.isspace())]


def fold_words(text: str) -> list[str]:
    out = []
    for w in text.split():
        out.append(w.strip().lower() + "|" + w.upper())
    return out


def last_char_vowels(text: str) -> str:
    ch = "?"
    n = 0
    for ch in text:
        if ch.lower() in "aeiouäöüéèαω":
            n += 1
    return ch + str(n)


def fold_count(text: str) -> dict[str, int]:
    counts = {}
    word = ""
    up = ""
    for ch in text:
        up = ch.upper()
        if ch.isalpha():
            word += ch.lower()
        elif word:
            counts[word] = counts.get(word, 0) + 1
            counts[up] = len(word)
            word = ""
    if word:
        counts[word] = counts.get(word, 0) + 1
    return counts


INPUTS = {
    "count_words": [(["a", "b", "a", "c", "b", "a"],), ([],)],
    "count_pairs": [(["a", "b", "a", "b", "c"],), (["x"],), ([],)],
    "parse_csv_row": [("1.5, 2,3e2,,-inf",), ("",), ("1,abc",), (" nan ",), ("1_0",)],
    "bpe_merge": [(["l", "o", "w", "e", "r"], "l", "o"), ([], "a", "b"), (["a", "a", "a"], "a", "a")],
    "most_common": [({"a": 1, "b": 3, "c": 3},), ({},)],
    "invert": [({"a": 1, "b": 2, "c": 1},), ({},)],
    "join_upper": [(["ab", "c", "def"],), ([],), (["ß", "éé"],)],
    "char_hist": [("hello world",), ("",), ("héllo",)],
    "min_max_pair": [([3, 1, 4, 1, 5],), ([],), ([7],)],
    "parse_ints": [("1 2 3",), ("",), ("  -4\t5\n",), ("1 x",), ("99999999999999999999",)],
    "remove_keys": [({"a": 1, "b": 2}, ["a", "z"]), ({}, ["a"])],
    "str_ops": [("abc",), ("x",), ("",), ("bax",)],
    "count_not_in": [(["a", "b", "a", "c", "b", "a"],), ([],), (["é", "é", "e"],)],
    "rank_sum": [(["a", "b", "zz", "a"], {"a": 3, "b": -4}), ([], {}),
                 (["a"], {"a": 2 ** 62})],
    "group_concat": [(["ab", "ac", "b", "", "", "ad"],), ([],)],
    "square_seen": [([3, 3, 3, 2],), ([2 ** 40, 2 ** 40, 2 ** 40],), ([],)],
    "char_kinds": [("Größe 42 naïve",), ("",), ("²½٣ ⅷ\u00a0\u2028\x1c\u3000",),
                   ("e\u0301 ǅ ᾼ 𝔘",), ("   ",), ("\u00a0",)],
    "fold_words": [("Straße İstanbul  ǅemal\u00a0ΣΑΣ ﬁne",), ("ὒ ŉ",), ("",),
                   ("\u2003 padded\u3000 x",)],
    "last_char_vowels": [("Ärger über Ωmega",), ("",), ("xyz",)],
    "fold_count": [("Straße STRASSE straße, ﬁne ΣΑΣ σας. İ i",), ("",),
                   ("abc abc ABC!",), ("ǅǆǄ ß",)],
    "halve_seen": [(["a", "z", "a"], {"a": 3.0, "b": 1.5}),
                   (["n"], {"n": float("nan")}), ([], {})],
}
