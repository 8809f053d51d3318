"""o[lo:hi] cut without a slice object (obj.rs getslice), and len() and
isinstance() answered without the call (obj.rs call): every result, its
type and identity, every exception and side effect must be CPython's."""


class Seq:
    """A sequence that logs the slices it is asked for."""

    def __init__(self, items):
        self.items = items
        self.log = []

    def __getitem__(self, k):
        self.log.append(k)
        return self.items[k]

    def __len__(self):
        self.log.append("len")
        return len(self.items)


class SubStr(str):
    pass


class SubList(list):
    pass


class Index:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


def cut(s, lo, hi):
    return s[lo:hi]


def cut_lo(s, lo):
    return s[lo:]


def cut_hi(s, hi):
    return s[:hi]


def cut_all(s):
    return s[:]


def bounds_order(log, s):
    return s[log.append("lo") or 1:log.append("hi") or 3]


def scenario_str_bounds():
    s = "hello, w\u00f6rld \u2603 \U0001f600!"
    out = []
    for lo in (None, 0, 1, 3, -1, -5, -100, 100, 2 ** 40, -(2 ** 40)):
        for hi in (None, 0, 2, 5, -1, -3, -100, 100, 2 ** 70, True):
            out.append(cut(s, lo, hi))
    return out


def scenario_same_objects():
    s = "abcdef"
    t = (1, [2], 3)
    lst = [1, 2, 3]
    empty, empty_t, c = "", (), s[2]
    return [cut_all(s) is s, cut(s, 0, 100) is s, cut(s, -100, None) is s,
            cut(t, None, None) is t, cut(t, 0, 3) is t, cut_all(lst) is lst,
            cut_all(lst) == lst, cut(s, 2, 3) is c, cut(s, 4, 1) is empty,
            cut(t, 2, 1) is empty_t, cut(t, 1, 2)[0] is t[1],
            cut(s, 3, 4) is s[3], cut("\u2603x", 0, 1) == "\u2603"]


def scenario_lists_tuples():
    lst = list(range(10))
    out = []
    for lo, hi in ((2, 5), (-3, None), (None, -8), (7, 2), (0, 0),
                   (-20, 20)):
        out.append((cut(lst, lo, hi), cut(tuple(lst), lo, hi)))
    got = cut(lst, 1, 3)
    got.append(99)
    # a list subclass's slice is list's: a list
    return out, lst, got, type(cut(SubList(lst), 1, 3))


def scenario_subclasses_and_others():
    s = SubStr("abcdef")
    q = Seq("abcdef")
    r = cut(s, 1, 3), type(cut(s, 1, 3)), type(cut_all(s)), cut_all(s) is s
    return r, cut(q, 1, 4), cut_lo(q, 2), cut_hi(q, -1), q.log, \
        cut(b"bytes!", 1, 3), cut(bytearray(b"xyz"), 0, 2), \
        cut(range(10), 2, 8), cut("abcdef", Index(1), Index(4))


def scenario_bad_bounds():
    out = []
    for lo, hi in (("a", 2), (1.5, 3), (1, [2])):
        try:
            out.append(cut("abcdef", lo, hi))
        except TypeError as e:
            out.append(("TypeError", str(e)))
    try:
        cut(None, 1, 2)
    except TypeError as e:
        out.append(("TypeError", str(e)))
    try:
        cut(5, 1, 2)
    except TypeError as e:
        out.append(("TypeError", str(e)))
    try:
        cut({"a": 1}, 0, 1)
    except TypeError as e:
        out.append(("TypeError", str(e)))
    return out


def scenario_evaluation_order():
    log = []
    return bounds_order(log, "abcdef"), log


def length(x):
    return len(x)


def isa(x, c):
    return isinstance(x, c)


class Sized:
    def __len__(self):
        return 7


class Negative:
    def __len__(self):
        return -1


class Meta(type):
    def __instancecheck__(cls, inst):
        return False


class Odd(metaclass=Meta):
    pass


def scenario_len():
    out = [length(x) for x in ("", "abc", "\u2603\U0001f600", [], [1, 2],
                                (), (1,), {}, {"a": 1}, set(), {1, 2, 3},
                                frozenset("ab"), b"xy", range(5),
                                SubStr("abcd"), SubList([1]), Sized())]
    for bad in (5, None, Negative()):
        try:
            out.append(length(bad))
        except (TypeError, ValueError) as e:
            out.append((type(e).__name__, str(e)))
    return out


def scenario_len_rebound():
    global len
    try:
        len = lambda x: "mine"
        first = length([1, 2])
    finally:
        del len
    return first, length([1, 2])


def scenario_isinstance():
    o = Odd()
    return [isa(1, int), isa(True, int), isa("s", str), isa(SubStr("x"), str),
            isa([], (list, tuple)), isa(o, Odd), isa(3.0, int),
            isa(Odd, Meta), isa(Odd(), object)]


def scenario_isinstance_errors():
    try:
        return isa(1, 2)
    except TypeError as e:
        return str(e)
