"""Typed-tier functions see every rebinding of the globals they were
translated against: constants, helpers, builtins and math functions,
rebound from inside or outside the module, through global, globals(),
setattr, mock.patch, import as, or del."""
import builtins
import math
import sys
from math import sqrt
from unittest import mock

LIMIT = 10
SCALE = 2.5
KEYWORDS = {"if", "else", "fn"}
SMALL = {1, 2, 3, -4}

TYPED = ["capped", "helper", "uses_helper", "norm", "norm_alias", "count",
         "kinds", "smalls"]


def capped(xs: list[int]) -> int:
    total = 0
    for x in xs:
        total += min(x, LIMIT)
    return total


def helper(x: float) -> float:
    return x * SCALE


def uses_helper(xs: list[float]) -> float:
    s = 0.0
    for x in xs:
        s += helper(x)
    return s


def norm(xs: list[float]) -> float:
    return math.sqrt(sum([x * x for x in xs]))


def norm_alias(xs: list[float]) -> float:
    return sqrt(sum([x * x for x in xs]))


def count(xs: list[int]) -> int:
    return len(xs)


def kinds(words: list[str]) -> list[str]:
    # a module set constant read by `in`: guarded on its content
    return ["kw" if w in KEYWORDS else "name" if w not in SMALL_WORDS
            else "small" for w in words]


SMALL_WORDS = {"a", "an"}


def smalls(xs: list[int]) -> int:
    return sum([1 for x in xs if x in SMALL])


class Weird(str):
    # equal to everything of its hash: `in` answers through this __eq__
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


THIS = sys.modules[__name__]


def scenario_constants():
    # rebound from outside the typed functions' view: globals(), setattr,
    # mock.patch (a rebinding inside the module would keep them untyped)
    out = [capped([5, 20, 30])]
    globals()["LIMIT"] = 25
    out.append(capped([5, 20, 30]))
    setattr(THIS, "LIMIT", 3)
    out.append(capped([5, 20, 30]))
    with mock.patch.object(THIS, "LIMIT", 100):
        out.append(capped([5, 20, 300]))
    globals()["LIMIT"] = 10.0
    out.append(capped([5, 20, 30]))
    THIS.LIMIT = 10
    out.append(capped([5, 20, 30]))
    del globals()["LIMIT"]
    try:
        capped([1])
    except NameError as e:
        out.append(str(e))
    THIS.LIMIT = 10
    return out


def scenario_helpers():
    out = [uses_helper([1.0, 2.0])]
    old = THIS.helper
    THIS.helper = lambda x: -x
    out.append(uses_helper([1.0, 2.0]))
    THIS.helper = old
    with mock.patch.object(THIS, "SCALE", 10.0):
        out.append(uses_helper([1.0, 2.0]))
    out.append(uses_helper([1.0, 2.0]))
    return out


def scenario_builtins_and_math():
    out = [norm([3.0, 4.0]), norm_alias([3.0, 4.0]), count([1, 2])]
    with mock.patch.object(math, "sqrt", lambda v: -1.0):
        out.append(norm([3.0, 4.0]))
        out.append(norm_alias([3.0, 4.0]))
    with mock.patch.object(builtins, "len", lambda v: 99):
        out.append(count([1, 2]))
    with mock.patch.object(builtins, "sum", lambda v: 1.0):
        out.append(norm([3.0, 4.0]))
    with mock.patch.object(THIS, "sqrt", abs):
        out.append(norm_alias([3.0, -4.0]))
    with mock.patch.object(THIS, "math", mock.Mock(sqrt=lambda v: 5.5)):
        out.append(norm([1.0]))
    out.append(norm_alias([3.0, 4.0]))
    return out, norm([3.0, 4.0]), count([1])


def scenario_set_constants():
    # sets are mutable and have no version: add, discard, clear, update,
    # a rebinding to an equal set or to a frozenset, an item of a str
    # subclass; every change shows
    ws = ["if", "x", "fn", "a", "while", "an"]
    out = [kinds(ws), smalls([1, 5, -4, 3])]
    KEYWORDS.add("while")
    out.append(kinds(ws))
    KEYWORDS.discard("while")
    out.append(kinds(ws))
    KEYWORDS.discard("if")
    KEYWORDS.add("x")
    out.append(kinds(ws))
    KEYWORDS.discard("x")
    KEYWORDS.add("if")
    out.append(kinds(ws))
    globals()["KEYWORDS"] = {"fn", "else", "if"}
    out.append(kinds(ws))
    THIS.KEYWORDS = frozenset({"fn", "else", "if"})
    out.append(kinds(ws))
    THIS.KEYWORDS = {"if", "else", "fn"}
    KEYWORDS.discard("fn")
    KEYWORDS.add(Weird("fn"))
    out.append(kinds(["fn", "x", "if"]))
    KEYWORDS.clear()
    KEYWORDS.update({"if", "else", "fn"})
    out.append(kinds(ws))
    SMALL.add(5)
    out.append(smalls([1, 5, -4, 3]))
    SMALL.discard(5)
    SMALL.add(True)
    out.append(smalls([1, 5, -4, 3]))
    SMALL.discard(True)
    SMALL.add(1)
    out.append(smalls([1, 5, -4, 3]))
    return out


def scenario_shadow_global_len():
    setattr(THIS, "len", lambda v: 7)
    try:
        return count([1, 2, 3])
    finally:
        delattr(THIS, "len")
