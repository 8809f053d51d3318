"""f-strings, str() and %-formatting of ints, floats, bools and strs,
exactly as CPython prints them."""
import random


def plain(x: float) -> str:
    return f"{x}"


def fixed3(x: float) -> str:
    return f"{x:.3f}"


def right8(x: float) -> str:
    return f"[{x:>8}]"


def as_d(n: int) -> str:
    return f"{n:d}|{n:+d}|{n: d}|{n:5d}|{n:<5d}|{n:^6d}|{n:05d}"


def sci(x: float) -> str:
    return f"{x:e}|{x:.2E}|{x:.0e}"


def gen(x: float) -> str:
    return f"{x:g}|{x:.3g}|{x:.10G}|{x:.1g}|{x:.3}|{x:.12}"


def grouped(n: int) -> str:
    return f"{n:,}|{n:_}|{n:_x}|{n:,d}|{n:>12,}"


def grouped_f(x: float) -> str:
    return f"{x:,.2f}|{x:_}|{x:,}"


def reprs(x: float, n: int, s: str, b: bool) -> str:
    return f"{x!r} {n!r} {s!r} {b!r} {s!s}"


def padded(x: float) -> str:
    return f"{x:*^12.4f}|{x:010.3f}|{x:+.1f}|{x:-<9}|{x:08}|{x:_=+10.2f}"


def pct_f(x: float) -> str:
    return f"{x:.1%}|{x:%}"


def ints_as_float(n: int) -> str:
    return f"{n:.2f}|{n:e}|{n:%}"


def hexes(n: int) -> str:
    return f"{n:x}|{n:X}|{n:o}|{n:b}|{n:>10x}|{n:08b}"


def strs(s: str) -> str:
    return f"<{s}>|{s:>6}|{s:<6}|{s:^7}|{s:.2}|{s:*>5.1}|{s:05}"


def bools(b: bool) -> str:
    return f"{b}|{b:>5}|{b:d}|{str(b)}"


def label(name: str, score: float, rank: int) -> str:
    return f"{rank:>3}. {name:<10} {score:8.2f} ({'ok' if score > 0 else 'low'})"


def conc(n: int) -> str:
    return "a{" f"{n}" '}b' f"{{literal}}"


def pct_d(n: int) -> str:
    return "%d items" % n


def pct_many(name: str, x: float, n: int) -> str:
    return "%s: %.2f (%5.1f) [%d] %r %x %%" % (name, x, x, n, name, n)


def pct_flags(x: float, n: int) -> str:
    return "%-8.3f|%+d|% d|%05d|%08.2f|%e|%g|%10.4g|%G" % (x, n, n, n, x, x, x, x, x)


def pct_float_d(x: float) -> str:
    return "%d|%s|%r" % (x, x, x)


def pct_tuple_var(t: tuple[int, str]) -> str:
    return "%d-%s" % t


def pct_str(s: str) -> str:
    return "[%s] [%5s] [%-5s] [%.2s]" % (s, s, s, s)


def str_calls(n: int, x: float, b: bool) -> str:
    return str(n) + "," + str(x) + "," + str(b)


def fmt_nested(x: float, w: int) -> str:
    return f"{x:{w}}"


def fmt_list(xs: list[int]) -> str:
    return f"{xs}"


def fmt_ascii(s: str) -> str:
    return f"{s!a}"


def fmt_debug(x: int) -> str:
    return f"{x=}"


def fmt_alt(n: int) -> str:
    return f"{n:#x}"


def fmt_bad_prec(n: int) -> str:
    return f"{n:.2}"


def pct_count(n: int) -> str:
    return "%d %d" % (n,)


def pct_map(n: int) -> str:
    return "%(n)d" % {"n": n}


def fmt_str_sign(s: str) -> str:
    return f"{s:+}"


def fmt_zero_group(n: int) -> str:
    return f"{n:010,}"


NAN = float("nan")
INF = float("inf")
_rng = random.Random(11)
_fl = ([_rng.uniform(-1e6, 1e6) for _ in range(30)] +
       [_rng.uniform(-1, 1) * 10.0 ** _rng.randint(-30, 30) for _ in range(30)])
_edge = [0.0, -0.0, 1.0, -1.5, 0.5, 2.5, 0.125, 0.0005, 1e16, 1e15, 123456789.0,
         1e-5, 1e-4, 9.9999, 99999.95, 0.1, 2.675, 1.5e300, 5e-324, NAN, INF,
         -INF, -NAN, 1e100, 999999.5, 0.05]
_ints = [0, 1, -1, 7, -42, 1234, 1234567, -9876543, 2 ** 62, -(2 ** 63),
         2 ** 63 - 1, 255]

INPUTS = {
    "plain": [(x,) for x in _edge + _fl],
    "fixed3": [(x,) for x in _edge + _fl + [0.0005, 0.0015, 0.0025, 1.0005, 2.0625]],
    "right8": [(x,) for x in _edge],
    "as_d": [(n,) for n in _ints] + [(2 ** 70,), (True,)],
    "sci": [(x,) for x in _edge + _fl],
    "gen": [(x,) for x in _edge + _fl + [100.0, 1234.0, 10.0, 0.0001, 0.00001, 123456.0, 1234567.0]],
    "grouped": [(n,) for n in _ints],
    "grouped_f": [(x,) for x in _edge + _fl],
    "reprs": [(1.5, 3, "a'b", True), (NAN, -1, 'x"y', False), (0.1, 0, "it's \"q\"", True),
              (1e16, 2, "tab\tnl\n\\", False), (2.0, 5, "é", True), (1.0, 1, "\x01\x7f", False)],
    "padded": [(x,) for x in _edge + _fl[:20]],
    "pct_f": [(x,) for x in _edge + _fl[:20]],
    "ints_as_float": [(n,) for n in _ints],
    "hexes": [(n,) for n in _ints],
    "strs": [("",), ("a",), ("hello world",), ("héllo",), ("日本語",)],
    "bools": [(True,), (False,)],
    "label": [("ann", 3.14159, 1), ("bob", -0.005, 12), ("a-very-long-name", NAN, 100)],
    "conc": [(0,), (-5,)],
    "pct_d": [(0,), (-3,), (2 ** 62,)],
    "pct_many": [("ann", 3.14159, 255), ("é", -0.05, -1), ("x", NAN, 0), ("q'", INF, 16)],
    "pct_flags": [(x, n) for x, n in zip(_edge + _fl[:10], _ints * 4)],
    "pct_float_d": [(x,) for x in [3.7, -3.7, -0.5, 0.0, 1e20, 2.0 ** 62, NAN, INF]],
    "pct_tuple_var": [((1, "a"),), ((-7, ""),)],
    "pct_str": [("",), ("abc",), ("héllo",)],
    "str_calls": [(1, 0.1, True), (-5, 1e16, False), (0, NAN, True), (7, -0.0, False)],
}

FALLBACK = {
    "fmt_nested": "nested or escaped format specs",
    "fmt_list": "formatting a value of this type",
    "fmt_ascii": "conversion !a",
    "fmt_debug": "self-documenting",
    "fmt_alt": "'#'",
    "fmt_bad_prec": "a precision for an int",
    "pct_count": "fewer arguments than directives",
    "pct_map": "mapping keys",
    "fmt_str_sign": "a sign",
    "fmt_zero_group": "zero padding with grouping",
}
