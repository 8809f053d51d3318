"""Exactness checks of daemon/harness/verify.py on the object tier's layout.

The accelerated package is simulated in pure Python as the translator
lays it out: PKG/_original.py is a copy of the source, and importing PKG
patches PKG._original in place (module functions replaced in its
globals, methods set on its classes) and exposes the same names.  A
faithful package (nothing patched) must verify everything; a package
patched with deliberately wrong functions must fail each one with the
right kind and place.  Samples come from running profile.py on the
source, as the daemon does.
"""

import json
import struct
import subprocess
import sys
import textwrap

import pytest

from test_verify_harness import H, HARNESS, PROFILE, PYTHON

SOURCE = '''\
import random
import sys

LIMIT = 10
LOG = []
CACHE = {}
ROWS = [[1, 2], [30, 40], [5, 6]]


class AppError(Exception):
    pass


class Counter:
    def __init__(self, start=0):
        self.count = start
        self.history = []

    def bump(self, k):
        self.count += k
        self.history.append(k)
        return self.count

    def rows_over(self, rows, k):
        return [r for r in rows if sum(r) > k]

    def is_mine(self):
        return type(self) is Counter and isinstance(self, Counter)

    @staticmethod
    def double(x):
        return 2 * x

    @classmethod
    def make(cls, n):
        return cls(n)

    @property
    def total(self):
        return self.count + sum(self.history)

    @total.setter
    def total(self, value):
        self.count = value - sum(self.history)


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a):
        self.a = a

    def set_b(self, v):
        self.b = v


def keep_big(rows, k):
    return [r for r in rows if sum(r) > k]


def nans(xs):
    return [x for x in xs if x != x]


def shout(msg):
    print("msg:", msg)
    print("warn", file=sys.stderr)
    return len(msg)


def fail_after_print(xs):
    xs.append(1)
    print("appended")
    raise ValueError("bad")


def wrap_error(x):
    try:
        return 1 // x
    except ZeroDivisionError as e:
        raise AppError("wrapped") from e


def quiet_error(d, k):
    try:
        return d[k]
    except KeyError:
        raise LookupError("no %s" % k) from None


def bad_args(x):
    raise ValueError(x)


def remember(x):
    LOG.append(x)
    CACHE[x] = len(LOG)
    return len(LOG)


def set_limit(v):
    global LIMIT
    LIMIT = v


def cache_size(extra):
    return len(CACHE) + LIMIT + extra


def pair(x):
    xs = [x]
    return [xs, xs]


def get_rows():
    return ROWS


def first_row(rows):
    return rows[0]


def leave(code):
    print("bye")
    sys.exit(code)


def roll(n):
    return [random.randint(1, 6) for _ in range(n)]


class Refused(Exception):
    def __init__(self, who, amount):
        super().__init__("%s: %s" % (who, amount))
        self.who = who


def refuse(who):
    raise Refused(who, 1)


class Dispatcher:
    """Holds lambdas and closures: its calls pickle only by value."""

    def __init__(self):
        self.handlers = {}

    def on(self, name, fn):
        self.handlers[name] = fn
        return len(self.handlers)

    def fire(self, name, x):
        return self.handlers[name](x)


def scaler(k):
    return lambda v: v * k


if __name__ == "__main__":
    c = Counter.make(1)
    c.bump(2)
    c.rows_over([[1, 2], [9, 9]], 5)
    c.is_mine()
    Counter.double(4)
    c.total = c.total + 5
    s = Slotted(1)
    s.set_b(2)
    keep_big([[1, 2], [30, 40], [5, 6]], 10)
    nan = float("nan")
    nans([1.0, nan, 2.0, nan])
    shout("hi")
    try:
        fail_after_print([0])
    except ValueError:
        pass
    for x in (0, 2):
        try:
            wrap_error(x)
        except AppError:
            pass
    try:
        quiet_error({}, "k")
    except LookupError:
        pass
    try:
        bad_args(1)
    except ValueError:
        pass
    remember(3)
    remember(4)
    set_limit(20)
    cache_size(1)
    pair(5)
    get_rows()
    first_row([[1], [2]])
    try:
        leave(2)
    except SystemExit:
        pass
    roll(3)
    try:
        refuse("ann")
    except Refused:
        pass
    d = Dispatcher()
    d.on("double", lambda v: v * 2)
    d.on("triple", scaler(3))
    d.fire("double", 4)
    d.fire("triple", 5)
'''

# Each function replaced by a wrong one: (code run in _original's
# globals, expected kind, a string the failure's path must contain).
WRONG = {
    "Counter.bump": ('''
def bump(self, k):
    self.count += k
    return self.count
Counter.bump = bump
''', "mutation", "self.history"),
    "Counter.rows_over": ('''
def rows_over(self, rows, k):
    return [list(r) for r in rows if sum(r) > k]
Counter.rows_over = rows_over
''', "identity", "result[0]"),
    "Counter.double": ('''
Counter.double = staticmethod(lambda x: 2.0 * x)
''', "type", "result"),
    "Counter.make": ('''
Counter.make = classmethod(lambda cls, n: cls(n + 1))
''', "value", "result.count"),
    "Counter.total": ('''
def _get(self):
    return self.count
def _set(self, value):
    self.count = value
Counter.total = property(_get, _set)
''', "value", "result"),
    "Slotted.set_b": ('''
def set_b(self, v):
    self.a = v
Slotted.set_b = set_b
''', "mutation", "self.a"),
    "keep_big": ('''
def keep_big(rows, k):
    return [list(r) for r in rows if sum(r) > k]
''', "identity", "result[0]"),
    "nans": ('''
def nans(xs):
    return [float("nan") for x in xs if x != x]
''', "identity", "result[0]"),
    "shout": ('''
def shout(msg):
    print("warn", file=sys.stderr)
    print("msg:", msg)
    return len(msg)
''', "output", "output[0]"),
    "fail_after_print": ('''
def fail_after_print(xs):
    xs.append(1)
    print("appended")
    print("appended")
    raise ValueError("bad")
''', "output", "stdout"),
    "wrap_error": ('''
def wrap_error(x):
    try:
        return 1 // x
    except ZeroDivisionError:
        raise AppError("wrapped")
''', "exception", "exception.__cause__"),
    "quiet_error": ('''
def quiet_error(d, k):
    try:
        return d[k]
    except KeyError:
        raise LookupError("no %s" % k)
''', "exception", "exception.__suppress_context__"),
    "bad_args": ('''
def bad_args(x):
    raise ValueError(str(x))
''', "exception", "exception.args[0]"),
    "remember": ('''
def remember(x):
    LOG.append(x)
    return len(LOG)
''', "globals", "globals['CACHE']"),
    "set_limit": ('''
def set_limit(v):
    pass
''', "globals", "globals['LIMIT']"),
    "pair": ('''
def pair(x):
    return [[x], [x]]
''', "identity", "result[1]"),
    "get_rows": ('''
def get_rows():
    return [list(r) for r in ROWS]
''', "identity", "result"),
    "first_row": ('''
def first_row(rows):
    return list(rows[0])
''', "identity", "result"),
    "Dispatcher.fire": ('''
def fire(self, name, x):
    return self.handlers[name](x + 1)
Dispatcher.fire = fire
''', "value", "result"),
    # SystemExit is an outcome like any exception (the harness goes on).
    "leave": ('''
def leave(code):
    print("bye")
    sys.exit(code + 1)
''', "exception", "exception"),
}

ALL_NAMES = ["Counter.__init__", "Counter.is_mine", "Slotted.__init__",
             "cache_size", "roll", "refuse", "Dispatcher.on"] + list(WRONG)

PACKAGE_INIT = '''\
import sys
from . import _original

exec(compile(%r, _original.__file__, "exec"), vars(_original))
_module = sys.modules[__name__]
for _name in dir(_original):
    if not _name.startswith("__"):
        setattr(_module, _name, getattr(_original, _name))
'''


def write_package(folder, name, patch="", source=SOURCE):
    """An accelerated package laid out as the object tier lays it out."""
    pkg = folder / name
    pkg.mkdir(parents=True)
    (pkg / "_original.py").write_text(source)
    (pkg / "__init__.py").write_text(PACKAGE_INIT % patch)
    return folder


@pytest.fixture(scope="module")
def profiled(tmp_path_factory):
    """The source, profiled: (folder, source path, samples path)."""
    tmp = tmp_path_factory.mktemp("exact")
    src = tmp / "objs.py"
    src.write_text(SOURCE)
    proc = subprocess.run(
        [PYTHON, PROFILE, "--source", str(src), "--name", "objs",
         "--out", str(tmp / "p.json"), "--samples", str(tmp / "s.pkl")],
        cwd=str(tmp), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return tmp, src, tmp / "s.pkl"


def run_verify(profiled, pkg_dir, module, names):
    tmp, src, samples = profiled
    out = tmp / ("v-%s.json" % module)
    functions = [{"qualname": n, "signature": None} for n in names]
    proc = subprocess.run(
        [PYTHON, HARNESS, "--source", str(src), "--package-dir",
         str(pkg_dir), "--module", module, "--samples", str(samples),
         "--functions-json", json.dumps(functions), "--out", str(out),
         "--repeat-budget", "0.02", "--call-timeout", "1"],
        cwd=str(tmp), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    return {f["qualname"]: f for f in json.loads(out.read_text())[
        "functions"]}


@pytest.fixture(scope="module")
def faithful(profiled):
    pkg = write_package(profiled[0] / "faithful", "objs_rs")
    return run_verify(profiled, pkg, "objs_rs", ALL_NAMES)


@pytest.fixture(scope="module")
def wrong(profiled):
    patch = "".join(code for code, _, _ in WRONG.values())
    pkg = write_package(profiled[0] / "wrong", "objs_bad", patch)
    # cache_size is not patched: it reads the globals that remember and
    # set_limit left different, and they are reset before it runs.
    return run_verify(profiled, pkg, "objs_bad", list(WRONG) + [
        "cache_size"])


@pytest.mark.parametrize("name", ALL_NAMES)
def test_faithful_package_verifies(faithful, name):
    result = faithful[name]
    assert result["first_failure"] is None, result["first_failure"]
    assert result["verified"] is True
    assert result["samples_checked"] >= 1


def test_exceptions_with_an_init_of_their_own_load(profiled):
    # Refused.__init__ takes other arguments than its args: plain pickle
    # would call it again on load and fail. Samples carry exceptions by
    # value (made without __init__), so the sample and the input
    # generated from it both load and are checked.
    pkg = write_package(profiled[0] / "refused", "objs_ref")
    result = run_verify(profiled, pkg, "objs_ref", ["Refused.__init__"])[
        "Refused.__init__"]
    assert result["samples_checked"] == 1
    assert result["generated_checked"] == 1
    assert result["verified"] is True


def test_call_kinds_and_timing(faithful):
    kinds = {n: faithful[n]["call_kind"] for n in ALL_NAMES}
    assert kinds["Counter.bump"] == "method"
    assert kinds["Counter.double"] == "staticmethod"
    assert kinds["Counter.make"] == "classmethod"
    assert kinds["Counter.total"] == "property"
    assert kinds["keep_big"] == "function"
    # The getter (self) and the setter (self, value) were both sampled.
    assert faithful["Counter.total"]["samples_checked"] == 2
    for name in ("Counter.bump", "Counter.total", "Counter.make"):
        assert faithful[name]["time_original_ns"] > 0
        assert faithful[name]["time_accelerated_ns"] > 0


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_functions_fail_with_kind_and_path(wrong, name):
    _, kind, path = WRONG[name]
    result = wrong[name]
    assert result["verified"] is False
    failure = result["first_failure"]
    assert failure["kind"] == kind, failure
    assert path in failure["path"], failure
    assert failure["path"] in failure["detail"], failure
    assert result["failure_kinds"][kind] >= 1


def test_failure_texts(wrong):
    rows = wrong["keep_big"]["first_failure"]
    assert "args[0][1]" in rows["detail"] and "a new object" in rows["detail"]
    nans = wrong["nans"]["first_failure"]
    assert "the same object as args[0][1]" in nans["detail"]
    out = wrong["shout"]["first_failure"]
    assert out["expected"] == "[('stdout', 'msg: hi\\n'), ('stderr', " \
        "'warn\\n')]"
    assert out["got"] == "[('stderr', 'warn\\n'), ('stdout', 'msg: hi\\n')]"
    bump = wrong["Counter.bump"]["first_failure"]
    assert bump["input"].startswith("Counter.bump(Counter(count=")
    assert bump["expected"].startswith("Counter(count=")
    lim = wrong["set_limit"]["first_failure"]
    assert (lim["expected"], lim["got"]) == ("20", "10")


def test_globals_are_reset_between_functions(wrong):
    assert wrong["remember"]["verified"] is False
    assert wrong["set_limit"]["verified"] is False
    assert wrong["cache_size"]["verified"] is True, wrong["cache_size"]


def test_methods_found_on_original_when_not_exported(profiled):
    # A package that patches _original's class but exports only
    # functions: Cls.meth is looked up on _original too.
    pkg = profiled[0] / "unexported"
    write_package(pkg, "objs_min", WRONG["Counter.bump"][0])
    (pkg / "objs_min" / "__init__.py").write_text(
        "from . import _original\n"
        "exec(compile(%r, _original.__file__, 'exec'), vars(_original))\n"
        "keep_big = _original.keep_big\n" % WRONG["Counter.bump"][0])
    results = run_verify(profiled, pkg, "objs_min",
                         ["Counter.bump", "keep_big"])
    assert results["Counter.bump"]["first_failure"]["kind"] == "mutation"
    assert results["keep_big"]["verified"] is True


def test_module_classes_resolve_per_side(faithful):
    # Counter.is_mine checks type(self) is Counter in its own module:
    # true on both sides only if each side's self is its own class.
    assert faithful["Counter.is_mine"]["verified"] is True
    assert faithful["Counter.make"]["verified"] is True


# ---------------------------------------------------------------- helpers


class Node:
    def __init__(self, v):
        self.v = v


def identity_of(func, *args):
    """identity_entries of one real call of func."""
    roots = [("args[%d]" % i, a) for i, a in enumerate(args)]
    origins = H.Origins(roots)
    result = func(*args)
    return H.identity_entries(roots + [("result", result)], origins)


def test_identity_entries_of_real_calls():
    rows = [[1, 2], [30, 40]]
    assert identity_of(lambda rs: [r for r in rs if sum(r) > 5], rows) == [
        ("result", "fresh"), ("result[0]", "= args[0][1]")]
    assert identity_of(lambda rs: [list(r) for r in rs if sum(r) > 5],
                       rows) == [("result", "fresh"), ("result[0]", "fresh")]
    nan = float("nan")
    assert identity_of(lambda xs: max(xs, key=lambda x: x != x),
                       [1.0, nan]) == [("result", "= args[0][1]")]
    # An object taken out of an argument: where it was before the call.
    assert identity_of(lambda xs: xs.pop(), [[1], [2]]) == [
        ("result", "was args[0][1]")]
    # Aliasing inside the result, and the argument changed by the call.
    assert identity_of(lambda x: [x, x], [1]) == [
        ("result", "fresh"), ("result[0]", "= args[0]"),
        ("result[1]", "= args[0]")]
    assert identity_of(lambda x: [[x], [x]][::1] and 2 * [[x]], 1) == [
        ("result", "fresh"), ("result[0]", "fresh"),
        ("result[1]", "= result[0]")]
    moved = identity_of(lambda xs: xs.append(xs[0]), [[1], [2]])
    assert moved == [("args[0][2]", "= args[0][0]")]
    # Ints, strs, tuples and non-NaN floats have no identity to keep.
    assert identity_of(lambda t: (t[0], 1.5, "s"), (7,)) == []
    # Objects are followed through their attributes.
    node = Node([1])
    assert identity_of(lambda n: n.v, node) == [("result", "= args[0].v")]


def test_compare_identity_says_where():
    bad = H.compare_identity([("result[0]", "was args[0][1]")],
                             [("result[0]", "fresh")])
    assert bad[1] == "result[0]"
    assert "the very object of args[0][1]" in bad[0]
    assert "a new object" in bad[0]
    assert H.compare_identity([("a", "fresh")], [("a", "fresh")]) is None


def test_compare_exceptions_chain():
    def raised(func):
        try:
            func()
        except Exception as exc:
            return exc

    def from_cause():
        try:
            {}["k"]
        except KeyError as e:
            raise ValueError("v") from e

    def in_handler():
        try:
            {}["k"]
        except KeyError:
            raise ValueError("v")

    def other_context():
        try:
            [][1]
        except IndexError:
            raise ValueError("v")

    comparer = H.Comparer()
    a, b = raised(from_cause), raised(in_handler)
    assert H.compare_exceptions(comparer, a, raised(from_cause)) is None
    assert H.compare_exceptions(comparer, a, b)[1] == "exception.__cause__"
    assert H.compare_exceptions(comparer, b, raised(other_context))[1] == \
        "exception.__context__"
    assert H.compare_exceptions(
        comparer, ValueError(1), ValueError("1"))[1] == "exception.args[0]"
    assert H.compare_exceptions(
        comparer, ValueError("a"), ValueError("b"))[1] == "exception"


def test_output_events_are_ordered_and_joined():
    out = H.Output()
    with H.Redirect(out):
        print("a", "b")
        print("c", file=sys.stderr)
        sys.stdout.write("d")
        sys.stdout.buffer.write(b"\xff")
        print("e", end="")
    assert out.result() == ([("stdout", "a b\n"), ("stderr", "c\n"),
                             ("stdout", "d"), ("stdout.buffer", "\xff"),
                             ("stdout", "e")], None)


def test_output_digest_past_the_kept_part():
    a, b = H.Output(), H.Output()
    chunk = "x" * 1000
    for out, last in ((a, "y"), (b, "z")):
        for _ in range(H.OUTPUT_KEEP_CHARS // 1000 + 5):
            out.add("stdout", chunk)
        out.add("stdout", last)
    assert a.result()[0] == b.result()[0]
    assert H.compare_output(a.result(), b.result())[1] == "output"


class Slots:
    __slots__ = ("a", "b")


@pytest.mark.parametrize("make_a, make_b, kind", [
    (lambda: Node([1]), lambda: Node([1]), None),
    (lambda: Node([1]), lambda: Node([1.0]), "type"),
    (lambda: setattr_then(Slots(), a=1), lambda: setattr_then(Slots(), a=1),
     None),
    (lambda: setattr_then(Slots(), a=1), lambda: setattr_then(Slots(), b=1),
     "value"),
    (lambda: __import__("random").Random(1),
     lambda: __import__("random").Random(1), None),
    (lambda: __import__("random").Random(1),
     lambda: __import__("random").Random(2), "value"),
    (lambda: __import__("collections").deque([1, 2]),
     lambda: __import__("collections").deque([1, 2.0]), "type"),
])
def test_compare_instances_by_state(make_a, make_b, kind):
    bad = H.compare(make_a(), make_b())
    assert (bad[0] if bad else None) == kind


def setattr_then(obj, **attrs):
    for k, v in attrs.items():
        setattr(obj, k, v)
    return obj


def test_counterpart_classes_match_by_qualname():
    a_mod = type(sys)("side_a")
    b_mod = type(sys)("side_b")
    for mod in (a_mod, b_mod):
        exec(textwrap.dedent("""\
            class P:
                def __init__(self, x):
                    self.x = x
            def f():
                pass
            """), vars(mod))
    comparer = H.Comparer(("side_a",), ("side_b",))
    assert comparer.compare(a_mod.P(1), b_mod.P(1)) is None
    assert comparer.compare(a_mod.P, b_mod.P) is None
    assert comparer.compare(a_mod.f, b_mod.f) is None
    assert comparer.compare(a_mod.P(1), b_mod.P(2))[2] == "value.x"
    # Without the module names, they are different classes.
    assert H.compare(a_mod.P(1), b_mod.P(1))[0] == "type"


class FakeArray:
    """Enough of numpy.ndarray for compare (numpy is not a dependency)."""

    def __init__(self, values, dtype="float64"):
        self.values = list(values)
        self.dtype = dtype
        self.shape = (len(self.values),)

    def tolist(self):
        return list(self.values)

    def tobytes(self):
        return struct.pack("<%dd" % len(self.values), *self.values)


def test_arrays_compare_bit_for_bit():
    nan = float("nan")
    assert H.compare(FakeArray([1.0, nan]), FakeArray([1.0, nan])) is None
    assert H.compare(FakeArray([0.0]), FakeArray([-0.0])) == (
        "value", "value[0]: 0.0 != -0.0")
    assert H.compare(FakeArray([1.0]), FakeArray([1.0], "float32"))[0] == \
        "type"
