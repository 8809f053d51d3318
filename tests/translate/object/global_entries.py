"""Globals read where their entry is (obj.rs GC.keys: a write to another
global, or to the same one, leaves the entry in place), and
keyword-only defaults found by their interned names (bind's kwonly_name,
up to eight references kept without the heap, more with it). The entry
must be given up when the global is deleted (a builtin of that name then
answers), re-added at another place, moved by the dict's growth, stored
under an equal but other str, or when the globals take a key that is not
a str; keyword-only defaults must follow __kwdefaults__ replaced, emptied
or set to None."""

EVENTS = 0
SCALE = 3
LOG = []


def tick(*parts, sep=" ", end=None):
    global EVENTS
    EVENTS += 1
    LOG.append((EVENTS, sep.join(str(p) for p in parts), end))
    return EVENTS


def scaled(x):
    return x * SCALE + EVENTS


def reads_len(xs):
    return len(xs)


def many(a, *rest, k0=0, k1=1, k2=2, k3=3, k4=4, k5=5, k6=6, k7=7,
         k8=8, k9=9):
    return (a, rest, k0, k1, k2, k3, k4, k5, k6, k7, k8, k9)


def counting(n):
    out = []
    for i in range(n):
        tick(i, sep="-")
        out.append(scaled(i))
    return out


def scenario_counter():
    global EVENTS, SCALE
    a = counting(5)
    SCALE = 10
    b = counting(3)
    EVENTS = -100
    c = counting(2)
    return a, b, c, EVENTS, LOG[-3:]


def scenario_delete_and_readd():
    global SCALE
    first = scaled(2)
    del SCALE
    try:
        scaled(2)
    except NameError as e:
        gone = str(e)
    globals()["SCALE"] = 7          # a new entry, at another place
    return first, gone, scaled(2), scaled(3)


def scenario_shadow_builtin():
    before = reads_len([1, 2, 3])
    globals()["len"] = lambda xs: "shadowed %d" % sum(xs)
    shadowed = reads_len([1, 2, 3])
    del globals()["len"]
    return before, shadowed, reads_len([1, 2, 3])


def scenario_growth():
    global SCALE
    SCALE = 2
    a = scaled(1)
    for i in range(200):            # the globals' table grows
        globals()["extra_%d" % i] = i
    b = scaled(1)
    SCALE = 5
    c = scaled(1)
    for i in range(200):
        del globals()["extra_%d" % i]
    return a, b, c, scaled(1)


def scenario_equal_str_key():
    global SCALE
    SCALE = 4
    a = scaled(1)
    del SCALE
    key = "".join(["SC", "ALE"])    # equal, not the interned name
    globals()[key] = 11
    b = scaled(1)
    globals()[key] = 12
    return a, b, scaled(1)


def scenario_non_str_key():
    global SCALE
    SCALE = 6
    a = scaled(1)
    globals()[1] = "one"            # the globals' keys are no longer str-only
    SCALE = 8
    b = scaled(1)
    del globals()[1]
    SCALE = 9
    return a, b, scaled(1)


def scenario_kwdefaults():
    a = tick("a", "b")
    b = tick("c", "d", sep="+", end="!")
    tick.__kwdefaults__ = {"sep": ":", "end": "?"}
    c = tick("e", "f")
    tick.__kwdefaults__ = {"sep": ", "}
    try:
        tick("g")
    except TypeError as e:
        d = str(e)
    tick.__kwdefaults__ = None
    try:
        tick("h")
    except TypeError as e:
        e2 = str(e)
    tick.__kwdefaults__ = {"sep": " ", "end": None}
    return a, b, c, d, e2, LOG[-3:]


def scenario_many_kwonly():
    a = many(1)
    b = many(1, 2, 3, k9="nine", k0=[])
    shared = many.__kwdefaults__
    shared["k5"] = ["mutable"]
    c = many(0)
    c[7].append("seen")
    return a, b, c, many(0)[7], many.__kwdefaults__["k5"]
