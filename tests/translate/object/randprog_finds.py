"""What the random-program differential test found, each now a case:
an f-string spec starting with '=', lambdas and generator expressions
nested on one line, star arguments among others, a starred call in a
display, and dead branches the compiler drops."""


def helper(*args):
    return args


def fmt(x):
    s = f"{x:=+8}"
    return s, x, f"{x:=^9}|"


def one_line():
    return (lambda q: (lambda s: s)(q))((lambda s: "arg")(0))


def genexprs(xs):
    return (lambda q: sum(x for x in q))(list(y * 2 for y in xs))


def keyed(xs):
    return sorted(xs, key=lambda v: (lambda w: -w)(v)) + [(lambda: 5)()]


def star_messages(x):
    out = []
    for call in (lambda: print(1, *x), lambda: helper(1, *x),
                 lambda: helper(*x), lambda: {1, *x}, lambda: [1, *x]):
        try:
            out.append(call())
        except TypeError as e:
            out.append(str(e).replace(__name__ + ".", ""))
    return out


def starred_calls(xs):
    return [*sorted(xs)], {*helper(*xs)}, [*xs[1:]], helper(0, *sorted(xs))


def dead_branches(xs):
    if False:
        return sum(x for x in xs)
    elif 0:
        return [lambda: 1]
    while False:
        xs = [y for y in xs]
    if True:
        total = len(xs)
    else:
        total = (lambda: -1)()
    return total, (lambda: "live")()


def scenario_randprog_finds():
    return (fmt(5), one_line(), genexprs([1, 2]), keyed([3, 1, 2]),
            star_messages(5), starred_calls([3, 1, 2]), dead_branches([1, 2]))
