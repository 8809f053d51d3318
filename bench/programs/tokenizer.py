"""A tokenizer for a small expression language, over generated source
text: character classes, keywords, numbers, strings, comments; then
token statistics."""

KEYWORDS = {"let", "if", "else", "while", "return", "fn", "and", "or",
            "not"}
OPERATORS = {"+", "-", "*", "/", "%", "=", "==", "!=", "<", ">", "<=",
             ">=", "(", ")", "{", "}", ",", ";"}


def make_source(lines, seed=12345):
    words = ["alpha", "beta", "gamma", "delta", "count", "total", "x", "y",
             "item", "value"]
    ops = ["+", "-", "*", "/", "==", "<=", "!="]
    state = seed
    out = []
    for i in range(lines):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        a = words[state % len(words)]
        b = words[(state >> 8) % len(words)]
        op = ops[(state >> 16) % len(ops)]
        n = state % 1000
        if i % 7 == 0:
            out.append("# comment line %d about %s" % (i, a))
        elif i % 5 == 0:
            out.append('let %s = "text %d" ;' % (a, n))
        elif i % 3 == 0:
            out.append("if %s %s %d { return %s * %d.5 ; }" % (a, op, n, b,
                                                               n))
        else:
            out.append("let %s = %s %s %d ;" % (a, b, op, n))
    return "\n".join(out) + "\n"


def tokenize(text):
    tokens = []
    i = 0
    n = len(text)
    line = 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c == " " or c == "\t":
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c.isdigit():
            j = i
            while j < n and (text[j].isdigit() or text[j] == "."):
                j += 1
            tokens.append(("num", text[i:j], line))
            i = j
        elif c.isalpha() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            tokens.append(("kw" if word in KEYWORDS else "name", word, line))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 1
            tokens.append(("str", text[i + 1:j], line))
            i = j + 1
        else:
            two = text[i:i + 2]
            if two in OPERATORS:
                tokens.append(("op", two, line))
                i += 2
            elif c in OPERATORS:
                tokens.append(("op", c, line))
                i += 1
            else:
                raise ValueError("bad character %r on line %d" % (c, line))
    return tokens


def statistics(tokens):
    kinds = {}
    names = {}
    for kind, text, _ in tokens:
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "name":
            names[text] = names.get(text, 0) + 1
    top = sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return kinds, top


if __name__ == "__main__":
    src = make_source(80000)
    toks = tokenize(src)
    kinds, top = statistics(toks)
    print(len(toks), sorted(kinds.items()), top)
