"""Tokenize a small expression language (hot: tokenize)."""

import random

KEYWORDS = {"if", "else", "while", "return", "let", "fn"}


def tokenize(src: str) -> list[tuple[str, str]]:
    """(kind, text) tokens: name, keyword, number, string, op."""
    tokens = []
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
            tokens.append(("keyword" if word in KEYWORDS else "name", word))
            i = j
        elif c.isdigit():
            j = i + 1
            while j < n and (src[j].isdigit() or src[j] == "."):
                j += 1
            tokens.append(("number", src[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 1
            tokens.append(("string", src[i + 1:j]))
            i = j + 1
        elif src[i:i + 2] in ("==", "!=", "<=", ">=", "->"):
            tokens.append(("op", src[i:i + 2]))
            i += 2
        else:
            tokens.append(("op", c))
            i += 1
    return tokens


if __name__ == "__main__":
    rng = random.Random(7)
    lines = ['let x_1 = 42 + y * 3.5;', 'if (a >= b) { return "done"; }',
             'fn área(r) -> 3.14159 * r * r', 'while i != 10 { i = i + 1; }',
             'let s = "naïve café";']
    src = "\n".join(rng.choice(lines) for _ in range(12_000))
    for _ in range(3):
        toks = tokenize(src)
    print(len(toks), toks[:4])
