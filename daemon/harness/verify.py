"""rustify verify harness: original vs accelerated, same inputs, same results.

This file owns the "verify" stage's child process.  rustifyd writes it to a
job's work folder and runs it with the user's interpreter.  It is
self-contained (standard library only) and runs on CPython 3.8-3.13.

Command line::

    python3 verify.py --source /abs/file.py --package-dir DIR
        --module MODNAME --samples SAMPLES.pkl
        --functions-json '[{"qualname": "euclidean", "signature":
            {"args": {"a": "list[float]", "b": "list[float]"},
             "return": "float"}}]'
        --out OUT.json [--repeat-budget 2.0] [--call-timeout 2.0]
        [--memory-headroom-mb 2048]

The original source is imported as a module named "_rustify_original_STEM"
(so its __main__ block does not run) with its folder on sys.path; the
accelerated package MODNAME is imported with DIR first on sys.path.  A
function is looked up by its qualname (dotted for methods) on both.
"signature" may be null; then only samples and values derived from them
are checked.

Inputs: every captured sample (profile.py's SAMPLES.pkl; classes pickled
from __main__ or from the source's own module name resolve to the original
module), then inputs generated from the signature: a small base call, and
the base with one argument at a time replaced by edge values (empty, one
element, zero, -0.0, NaN, +-inf, extreme floats, ints near the i64 limits,
mismatched types such as int for float, a list of ints for floats, str,
None), lists of different lengths, aliased arguments (one list object
passed for two list parameters) and a call leaving defaults out.

Each input is copied for each side by a pickle round trip; both functions
are called; the outcome must be the same value of the same exact type
(recursively; dicts in the same order; floats bit for bit, so NaN == NaN
and -0.0 != 0.0) or the same exception type, and the arguments afterwards
must compare the same way (mutation).  An input on which the original runs
longer than --call-timeout seconds (0.1 s after three such inputs) is
skipped; the accelerated function always gets --call-timeout.  The alarm
(SIGALRM) cannot stop native code that holds the GIL: rustifyd's own
timeout on the child process is the backstop.  While inputs run, the
address space is capped at its current size plus --memory-headroom-mb
(0: no cap), so that huge edge values fail with MemoryError.

Speed: rounds over the captured samples, each calling both functions once
per sample (on fresh copies, GC off), at least 5 rounds and more while the
function's --repeat-budget seconds last; time per call is the median round
time divided by the number of samples.

OUT.json (written to a temporary file, then renamed)::

    {"functions": [{"qualname": str, "verified": bool,
                    "checked_inputs": int, "failures": int,
                    "first_failure": null or {
                        "input": call repr (<= 500 chars),
                        "expected": repr, "got": repr,
                        "kind": "value" | "type" | "exception" |
                                "mutation" | "timeout" | "import" |
                                "missing",
                        "detail": where the outcomes differ},
                    "samples_checked": int, "generated_checked": int,
                    "skipped_inputs": int,
                    "time_original_ns": int or null,
                    "time_accelerated_ns": int or null,
                    "speedup": float or null}]}

verified is true when at least one input was checked and none failed.
"import": the package (or the original) failed to import; "missing": the
function is not found on one side; "timeout": the accelerated function ran
past --call-timeout where the original did not.  Exit status 0 when
OUT.json was written, 2 with a message on stderr on a harness error.
"""

import argparse
import gc
import importlib
import importlib.util
import inspect
import io
import json
import math
import os
import pickle
import reprlib
import signal
import struct
import sys
import tempfile
import time
import traceback

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path
               if os.path.realpath(p or os.curdir) != _HERE]

REPR_LIMIT = 500
MIN_ROUNDS = 5
MAX_ROUNDS = 1000
MAX_VALUES_PER_PARAM = 40
MAX_TIMEOUTS = 3
SHORT_TIMEOUT = 0.1
PICKLE_PROTOCOL = 4
NAN = float("nan")
INF = float("inf")
_POK = inspect.Parameter.POSITIONAL_OR_KEYWORD


class HarnessError(Exception):
    """An error of the harness itself (exit status 2)."""


class CallTimeout(BaseException):
    """Raised in the main thread when a call runs past its time limit."""


# ---------------------------------------------------------------- loading

def load_original(source):
    """Import the source file as a module that is not __main__."""
    stem = os.path.splitext(os.path.basename(source))[0]
    name = "_rustify_original_" + stem
    spec = importlib.util.spec_from_file_location(name, source)
    if spec is None or spec.loader is None:
        raise ImportError("cannot import %s" % source)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


class SampleUnpickler(pickle.Unpickler):
    """Resolves classes of the profiled program to the original module."""

    def __init__(self, f, original, aliases):
        super().__init__(f)
        self.original = original
        self.aliases = aliases

    def find_class(self, module, name):
        if self.original is not None and module in self.aliases:
            obj = self.original
            for part in name.split("."):
                obj = getattr(obj, part)
            return obj
        return super().find_class(module, name)


def load_samples(path, original, stem):
    """Read SAMPLES.pkl: {qualname: [(args, kwargs), ...]}."""
    try:
        with open(path, "rb") as f:
            data = SampleUnpickler(f, original, ("__main__", stem)).load()
    except OSError as exc:
        raise HarnessError("cannot read samples: %s" % exc)
    except Exception as exc:
        raise HarnessError("cannot load samples: %s: %s"
                           % (type(exc).__name__, exc))
    if not isinstance(data, dict):
        raise HarnessError("samples file does not hold a dict")
    return data


def lookup(obj, qualname):
    """Follow a dotted qualname from a module; None when missing."""
    if "<locals>" in qualname:
        return None
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


# ---------------------------------------------------------------- compare

def short_repr(value):
    """A bounded repr."""
    r = reprlib.Repr()
    r.maxlist = r.maxtuple = r.maxset = r.maxfrozenset = r.maxdeque = 12
    r.maxdict = 8
    r.maxstring = r.maxother = 160
    r.maxlevel = 4
    try:
        text = r.repr(value)
    except Exception:
        text = "<unrepresentable %s>" % type(value).__name__
    if len(text) > REPR_LIMIT:
        text = text[:REPR_LIMIT - 3] + "..."
    return text


def _float_bits(x):
    return struct.pack("<d", x)


def compare(a, b, path="", depth=0, seen=None):
    """Compare two values exactly.

    Returns None when they are the same, else (kind, detail) where kind is
    "type" or "value".
    """
    ta, tb = type(a), type(b)
    where = path or "value"
    if ta is not tb:
        return ("type", "%s: %s != %s" % (where, ta.__name__, tb.__name__))
    if ta is float:
        if _float_bits(a) != _float_bits(b):
            return ("value", "%s: %r != %r" % (where, a, b))
        return None
    if ta is complex:
        if (_float_bits(a.real) != _float_bits(b.real)
                or _float_bits(a.imag) != _float_bits(b.imag)):
            return ("value", "%s: %r != %r" % (where, a, b))
        return None
    if a is None or ta in (int, bool, str, bytes, bytearray, range):
        if a != b:
            return ("value", "%s: %s != %s" % (where, short_repr(a),
                                               short_repr(b)))
        return None
    if depth > 200:
        return None if a == b else ("value", "%s: differs" % where)
    if seen is None:
        seen = set()
    key = (id(a), id(b))
    if key in seen:
        return None
    seen.add(key)
    if ta in (list, tuple):
        if len(a) != len(b):
            return ("value", "%s: length %d != %d" % (where, len(a), len(b)))
        for i in range(len(a)):
            bad = compare(a[i], b[i], "%s[%d]" % (path, i), depth + 1, seen)
            if bad is not None:
                return bad
        return None
    if ta is dict:
        if len(a) != len(b):
            return ("value", "%s: length %d != %d" % (where, len(a), len(b)))
        for i, (ka, kb) in enumerate(zip(a, b)):
            bad = compare(ka, kb, "%s.keys()[%d]" % (path, i), depth + 1,
                          seen)
            if bad is not None:
                return bad
            bad = compare(a[ka], b[kb], "%s[%s]" % (path, short_repr(ka)),
                          depth + 1, seen)
            if bad is not None:
                return bad
        return None
    if ta in (set, frozenset):
        ka = sorted((type(v).__name__, repr(v)) for v in a)
        kb = sorted((type(v).__name__, repr(v)) for v in b)
        if ka != kb:
            kind = "type" if ([k[0] for k in ka] != [k[0] for k in kb]) \
                else "value"
            return (kind, "%s: %s != %s" % (where, short_repr(a),
                                            short_repr(b)))
        return None
    if hasattr(a, "tolist") and hasattr(a, "dtype"):
        if str(a.dtype) != str(b.dtype) or \
                getattr(a, "shape", None) != getattr(b, "shape", None):
            return ("type", "%s: array %s%s != %s%s" % (
                where, a.dtype, getattr(a, "shape", ""), b.dtype,
                getattr(b, "shape", "")))
        return compare(a.tolist(), b.tolist(), path, depth + 1, seen)
    da = getattr(a, "__dict__", None)
    db = getattr(b, "__dict__", None)
    if isinstance(da, dict) and isinstance(db, dict):
        return compare(da, db, path + ".__dict__", depth + 1, seen)
    try:
        equal = a == b
        equal = bool(equal)
    except Exception:
        equal = a is b
    if not equal:
        return ("value", "%s: %s != %s" % (where, short_repr(a),
                                           short_repr(b)))
    return None


# ---------------------------------------------------------------- inputs

def split_top(text, sep):
    """Split a type string on sep outside brackets."""
    parts, depth, cur, i = [], 0, [], 0
    while i < len(text):
        c = text[i]
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        if depth == 0 and text.startswith(sep, i):
            parts.append("".join(cur).strip())
            cur = []
            i += len(sep)
            continue
        cur.append(c)
        i += 1
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


def parse_type(text):
    """Parse a type string into (head, [args]) or ("|", [alternatives])."""
    text = text.strip()
    alts = split_top(text, "|")
    if len(alts) > 1:
        return ("|", [parse_type(a) for a in alts])
    if text.endswith("]") and "[" in text:
        head = text[:text.index("[")]
        inner = text[text.index("[") + 1:-1]
        return (head, [parse_type(a) for a in split_top(inner, ",")])
    return (text, [])


_SCALAR_EDGES = {
    "float": [0.0, -0.0, 1.0, -2.5, 0.1, 1e308, -1e308, 5e-324, NAN, INF,
              -INF],
    "int": [0, 1, -1, 7, -7, 2 ** 31, 2 ** 62, -2 ** 62, 2 ** 63 - 1,
            -2 ** 63, 2 ** 63, -2 ** 63 - 1, 2 ** 64],
    "bool": [True, False],
    "str": ["", "a", "ab", " ", ",", '"', "\u00e9", "\x00", 'a,"b",c'],
    "bytes": [b"", b"a", b"\x00\xff"],
    "complex": [0j, 1 + 2j, complex(NAN, 0.0)],
    "None": [None],
}
_SCALAR_MISMATCH = {
    "float": [3, 0, True, "1.5", None],
    "int": [1.0, True, "1", None],
    "bool": [1, None],
    "str": [b"a", 1, None],
    "bytes": ["a", None],
    "complex": [1.0, None],
    "None": [0],
}
_BASE = {"float": 1.5, "int": 3, "bool": True, "str": "ab,c", "bytes": b"ab",
         "complex": 1 + 1j, "None": None}


def base_value(t):
    """A small ordinary value of a parsed type, or raise LookupError."""
    head, args = t
    if head == "|":
        return base_value(args[0])
    if head in _BASE:
        return _BASE[head]
    if head == "list":
        elem = args[0] if args else ("Never", [])
        if elem[0] == "Never":
            return []
        first = base_value(elem)
        edges = edge_values(elem, False)
        return [first, edges[2 % len(edges)] if edges else first, first]
    if head == "tuple":
        if len(args) == 2 and args[1][0] == "...":
            return (base_value(args[0]),) * 3
        if len(args) == 1 and args[0][0] == "()":
            return ()
        return tuple(base_value(a) for a in args)
    if head == "dict":
        if not args or args[0][0] == "Never":
            return {}
        return {base_value(args[0]): base_value(args[1])}
    if head in ("set", "frozenset"):
        if not args or args[0][0] == "Never":
            return set() if head == "set" else frozenset()
        value = {base_value(args[0])}
        return value if head == "set" else frozenset(value)
    raise LookupError(head)


def edge_values(t, mismatched=True):
    """Edge-case values of a parsed type (a list, maybe empty)."""
    head, args = t
    out = []
    if head == "|":
        for alt in args:
            out += edge_values(alt, mismatched)
        return out
    if head in _SCALAR_EDGES:
        out = list(_SCALAR_EDGES[head])
        if mismatched:
            out += _SCALAR_MISMATCH[head]
        return out
    if head == "list":
        elem = args[0] if args else ("Never", [])
        out.append([])
        try:
            b = base_value(elem)
        except LookupError:
            return out + ([None] if mismatched else [])
        for e in edge_values(elem, False):
            out.append([e])
        out.append([b] * 5)
        if elem[0] == "int":
            out += [[2 ** 62, 2 ** 62, 2 ** 62], [2 ** 63 - 1, 1],
                    [-2 ** 63, -1], [3, -3, 2 ** 32, 2 ** 32]]
        if elem[0] == "float":
            out += [[1e308, 1e308], [NAN, 1.0, -0.0], [-0.0, -0.0]]
        if mismatched:
            for m in _SCALAR_MISMATCH.get(elem[0], [None])[:2]:
                out.append([b, m, b])
                out.append([m, m, m])
            out += [tuple([b, b]), None, "abc"]
        return out
    if head == "tuple":
        try:
            base = base_value(t)
        except LookupError:
            return [None] if mismatched else []
        if len(args) == 2 and args[1][0] == "...":
            out += [(), base[:1]]
            for e in edge_values(args[0], False)[:6]:
                out.append((e,))
        else:
            for i, a in enumerate(args):
                for e in edge_values(a, False)[:6]:
                    out.append(base[:i] + (e,) + base[i + 1:])
            out.append(base + base[:1])
            out.append(base[:-1])
        if mismatched:
            out += [list(base), None]
        return out
    if head == "dict":
        out.append({})
        if args and args[0][0] != "Never":
            try:
                k, v = base_value(args[0]), base_value(args[1])
            except LookupError:
                return out
            for e in edge_values(args[1], False)[:8]:
                out.append({k: e})
            for e in edge_values(args[0], False)[:6]:
                try:
                    out.append({e: v})
                except TypeError:
                    pass
        if mismatched:
            out += [None, []]
        return out
    if head in ("set", "frozenset"):
        make = set if head == "set" else frozenset
        out.append(make())
        if args and args[0][0] != "Never":
            for e in edge_values(args[0], False)[:8]:
                try:
                    out.append(make([e]))
                except TypeError:
                    pass
        if mismatched:
            out += [None, []]
        return out
    return [None] if mismatched else []


def shrink(value, depth=0):
    """A smaller copy of a sample value (lists cut to 8 elements)."""
    t = type(value)
    if depth > 6:
        return value
    if t is list:
        return [shrink(v, depth + 1) for v in value[:8]]
    if t is dict and len(value) > 32:
        return {k: value[k] for k in list(value)[:32]}
    return value


class Params:
    """How to pass named values to a function (from inspect.signature)."""

    def __init__(self, func, names):
        self.names = list(names)
        self.kinds = {}
        self.defaults = set()
        try:
            sig = inspect.signature(func)
        except (TypeError, ValueError):
            sig = None
        if sig is not None:
            for p in sig.parameters.values():
                self.kinds[p.name] = p.kind
                if p.default is not p.empty:
                    self.defaults.add(p.name)

    def call_args(self, values, omit=()):
        """Build (args, kwargs) from {name: value} in parameter order."""
        args, kwargs = [], {}
        keyword = False
        for name in self.names:
            if name in omit:
                keyword = True
                continue
            kind = self.kinds.get(name, _POK)
            value = values[name]
            if kind == inspect.Parameter.VAR_POSITIONAL:
                if keyword or not isinstance(value, tuple):
                    return None
                args.extend(value)
            elif kind == inspect.Parameter.VAR_KEYWORD:
                if not isinstance(value, dict) or not all(
                        isinstance(k, str) for k in value):
                    return None
                kwargs.update(value)
            elif kind == inspect.Parameter.KEYWORD_ONLY or (
                    keyword and kind != inspect.Parameter.POSITIONAL_ONLY):
                kwargs[name] = value
            elif kind == inspect.Parameter.POSITIONAL_ONLY and keyword:
                return None
            else:
                args.append(value)
        return (tuple(args), kwargs)


def sample_values(params, sample):
    """Map a captured (args, kwargs) back to {name: value}, or None."""
    args, kwargs = sample
    values = {}
    args = list(args)
    for name in params.names:
        kind = params.kinds.get(name, _POK)
        if kind == inspect.Parameter.VAR_POSITIONAL:
            values[name] = tuple(args)
            args = []
        elif kind == inspect.Parameter.VAR_KEYWORD:
            values[name] = {k: v for k, v in kwargs.items()
                            if k not in params.names}
        elif kind == inspect.Parameter.KEYWORD_ONLY or not args:
            if name not in kwargs:
                return None
            values[name] = kwargs[name]
        else:
            values[name] = args.pop(0)
    return values


def generated_inputs(params, types, samples):
    """Inputs derived from the signature and the first sample."""
    parsed = {}
    for name in params.names:
        if name in types and isinstance(types[name], str):
            parsed[name] = parse_type(types[name])
    synthetic = {}
    for name in params.names:
        try:
            synthetic[name] = base_value(parsed[name])
        except (KeyError, LookupError, IndexError, ZeroDivisionError):
            pass
    from_sample = None
    if samples:
        values = sample_values(params, samples[0])
        if values is not None:
            from_sample = {k: shrink(v) for k, v in values.items()}
    bases = []
    if from_sample is not None:
        bases.append(from_sample)
        if len(synthetic) == len(params.names):
            mixed = dict(from_sample)
            mixed.update(synthetic)
            bases.append(mixed)
    elif len(synthetic) == len(params.names):
        bases.append(synthetic)
    if not bases:
        return []
    base = bases[0]
    calls = []
    for b in bases:
        calls.append(params.call_args(b))
    for name in params.names:
        if name not in parsed:
            continue
        for value in edge_values(parsed[name])[:MAX_VALUES_PER_PARAM]:
            values = dict(base)
            values[name] = value
            calls.append(params.call_args(values))
    list_names = [n for n in params.names if type(base.get(n)) is list]
    for i, p in enumerate(list_names):
        for q in list_names[i + 1:]:
            values = dict(base)
            values[q] = values[p]
            calls.append(params.call_args(values))
            values = dict(base)
            values[p] = base[p][:1]
            calls.append(params.call_args(values))
            values = dict(base)
            values[q] = base[q][:1]
            calls.append(params.call_args(values))
    if list_names:
        values = dict(base)
        for n in list_names:
            values[n] = []
        calls.append(params.call_args(values))
        values = dict(base)
        for n in list_names:
            values[n] = base[n][:1]
        calls.append(params.call_args(values))
    omit = [n for n in params.names if n in params.defaults]
    if omit:
        calls.append(params.call_args(base, omit=omit))
    return [c for c in calls if c is not None]


# ---------------------------------------------------------------- calling

def _on_alarm(signum, frame):
    raise CallTimeout()


def call(func, blob, unpickle, timeout):
    """Call func on a fresh copy of the pickled input.

    Returns (outcome, args, kwargs): outcome is ("ok", value),
    ("raise", exc_type, exc) or ("timeout",).
    """
    args, kwargs = unpickle(blob)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        try:
            result = func(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except CallTimeout:
        return ("timeout",), args, kwargs
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return ("raise", type(exc), exc), args, kwargs
    return ("ok", result), args, kwargs


def describe(outcome):
    """A repr of a call outcome."""
    if outcome[0] == "ok":
        return short_repr(outcome[1])
    if outcome[0] == "timeout":
        return "<timed out>"
    try:
        return "raises " + short_repr(outcome[2])
    except Exception:
        return "raises " + outcome[1].__name__


def call_repr(name, args, kwargs):
    """The input as a call expression (bounded)."""
    parts = [short_repr(a) for a in args]
    parts += ["%s=%s" % (k, short_repr(v)) for k, v in kwargs.items()]
    text = "%s(%s)" % (name, ", ".join(parts))
    if len(text) > REPR_LIMIT:
        text = text[:REPR_LIMIT - 3] + "..."
    return text


def aliasing_note(args, kwargs):
    """Say which arguments are one object passed twice, or ''."""
    items = ["#%d" % i for i in range(len(args))] + list(kwargs)
    values = list(args) + list(kwargs.values())
    notes = []
    for i in range(len(values)):
        if type(values[i]) in (int, float, bool, str, bytes, type(None)):
            continue
        for j in range(i + 1, len(values)):
            if values[i] is values[j]:
                notes.append("%s is %s" % (items[j], items[i]))
    if not notes:
        return ""
    return " (aliased: %s)" % ", ".join(notes)


def check_one(orig, accel, blob, unpickle, timeouts, name):
    """Compare one input; returns None, "skip" or a failure dict.

    timeouts is (seconds for the original, seconds for the accelerated).
    """
    expected, eargs, ekwargs = call(orig, blob, unpickle, timeouts[0])
    if expected[0] == "timeout":
        return "skip"
    timeout = timeouts[1]
    got, gargs, gkwargs = call(accel, blob, unpickle, timeout)
    args, kwargs = unpickle(blob)
    failure = None
    if got[0] == "timeout":
        failure = ("timeout", "the accelerated call ran past %.1f s"
                   % timeout)
    elif expected[0] != got[0]:
        failure = ("exception", "original %s, accelerated %s" % (
            "raised" if expected[0] == "raise" else "returned",
            "raised" if got[0] == "raise" else "returned"))
    elif expected[0] == "raise":
        if expected[1] is not got[1]:
            failure = ("exception", "exception types %s != %s" % (
                expected[1].__name__, got[1].__name__))
    else:
        bad = compare(expected[1], got[1], "result")
        if bad is not None:
            failure = bad
    if failure is None:
        bad = compare((eargs, ekwargs), (gargs, gkwargs), "arguments")
        if bad is not None:
            return {"input": call_repr(name, args, kwargs),
                    "expected": short_repr((eargs, ekwargs)),
                    "got": short_repr((gargs, gkwargs)),
                    "kind": "mutation",
                    "detail": bad[1] + aliasing_note(args, kwargs)}
        return None
    return {"input": call_repr(name, args, kwargs),
            "expected": describe(expected), "got": describe(got),
            "kind": failure[0],
            "detail": failure[1] + aliasing_note(args, kwargs)}


def time_function(orig, accel, blobs, unpickle, budget):
    """Median ns per call of both functions over the samples."""
    if not blobs:
        return None, None
    times_o, times_a = [], []
    deadline = time.perf_counter() + budget
    gc_was_enabled = gc.isenabled()
    clock = time.perf_counter_ns
    try:
        for blob in blobs:  # warm-up
            for func in (orig, accel):
                args, kwargs = unpickle(blob)
                try:
                    func(*args, **kwargs)
                except Exception:
                    pass
        rounds = 0
        while rounds < MIN_ROUNDS or (time.perf_counter() < deadline
                                      and rounds < MAX_ROUNDS):
            total_o = total_a = 0
            for blob in blobs:
                for func in (orig, accel):
                    args, kwargs = unpickle(blob)
                    gc.disable()
                    start = clock()
                    try:
                        func(*args, **kwargs)
                    except Exception:
                        pass
                    elapsed = clock() - start
                    if gc_was_enabled:
                        gc.enable()
                    if func is orig:
                        total_o += elapsed
                    else:
                        total_a += elapsed
            times_o.append(total_o)
            times_a.append(total_a)
            rounds += 1
    finally:
        if gc_was_enabled:
            gc.enable()
    n = len(blobs)
    return (int(round(median(times_o) / n)), int(round(median(times_a) / n)))


def median(values):
    """The median of a non-empty list."""
    values = sorted(values)
    mid = len(values) // 2
    if len(values) % 2:
        return values[mid]
    return (values[mid - 1] + values[mid]) / 2.0


class MemoryGuard:
    """Caps the address space (RLIMIT_AS) while inputs run.

    An edge value such as n = 2**31 in `[0.0] * n` then fails with
    MemoryError at once instead of exhausting the machine.  headroom is
    the number of bytes allowed beyond the current size; 0 disables.
    """

    def __init__(self, headroom):
        self.headroom = headroom
        self.saved = None

    def __enter__(self):
        if self.headroom <= 0:
            return self
        try:
            import resource
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            with open("/proc/self/statm") as f:
                pages = int(f.read().split()[0])
            limit = pages * os.sysconf("SC_PAGE_SIZE") + self.headroom
            for bound in (soft, hard):
                if bound != resource.RLIM_INFINITY:
                    limit = min(limit, bound)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            self.saved = (soft, hard)
        except (ImportError, OSError, ValueError, AttributeError):
            self.saved = None
        return self

    def __exit__(self, *exc_info):
        if self.saved is not None:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, self.saved)
            self.saved = None
        return False


# ---------------------------------------------------------------- driver

def empty_result(qualname, failure):
    """The result of a function that could not be checked."""
    return {"qualname": qualname, "verified": False, "checked_inputs": 0,
            "failures": 1 if failure else 0, "first_failure": failure,
            "samples_checked": 0, "generated_checked": 0,
            "skipped_inputs": 0, "time_original_ns": None,
            "time_accelerated_ns": None, "speedup": None}


def verify_function(spec, original, package, samples, args, unpickle):
    """Check one function; returns its result dict."""
    qualname = spec["qualname"]
    orig = lookup(original, qualname)
    accel = lookup(package, qualname)
    if orig is None or accel is None:
        side = "original source" if orig is None else "accelerated package"
        return empty_result(qualname, {
            "input": "", "expected": "", "got": "",
            "kind": "missing",
            "detail": "%s has no function %s" % (side, qualname)})
    signature = spec.get("signature") or {}
    types = signature.get("args") or {}
    params = Params(orig, types.keys() if types else [])
    if not params.names and params.kinds:
        params.names = list(params.kinds)
    own = samples.get(qualname) or []
    blobs = []
    for sample in own:
        try:
            blobs.append(pickle.dumps(sample, protocol=PICKLE_PROTOCOL))
        except Exception:
            pass
    generated = []
    for inp in generated_inputs(params, types, own):
        try:
            generated.append(pickle.dumps(inp, protocol=PICKLE_PROTOCOL))
        except Exception:
            pass
    result = empty_result(qualname, None)
    timeouts = 0
    short = qualname.rsplit(".", 1)[-1]
    guard = MemoryGuard(int(args.memory_headroom_mb * 1024 * 1024))
    for source, group in (("samples_checked", blobs),
                          ("generated_checked", generated)):
        for blob in group:
            # After a few inputs that never end in Python, give the
            # original less time, so that the remaining inputs still run.
            limit = args.call_timeout
            if timeouts >= MAX_TIMEOUTS:
                limit = min(limit, SHORT_TIMEOUT)
            with guard:
                outcome = check_one(orig, accel, blob, unpickle,
                                    (limit, args.call_timeout), short)
            if outcome == "skip":
                timeouts += 1
                result["skipped_inputs"] += 1
                continue
            result[source] += 1
            result["checked_inputs"] += 1
            if outcome is not None:
                result["failures"] += 1
                if result["first_failure"] is None:
                    result["first_failure"] = outcome
    result["verified"] = (result["checked_inputs"] > 0
                          and result["failures"] == 0)
    t_o, t_a = time_function(orig, accel, blobs, unpickle,
                             args.repeat_budget)
    result["time_original_ns"] = t_o
    result["time_accelerated_ns"] = t_a
    if t_o is not None and t_a:
        result["speedup"] = t_o / float(t_a)
    return result


def import_failure(exc, what):
    """A first_failure for an import error."""
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {"input": "", "expected": "", "got": text, "kind": "import",
            "detail": "importing the %s failed" % what}


def run(args):
    """Verify the functions as args say; returns the OUT.json document."""
    try:
        specs = json.loads(args.functions_json)
    except ValueError as exc:
        raise HarnessError("--functions-json is not JSON: %s" % exc)
    if not isinstance(specs, list) or not all(
            isinstance(s, dict) and isinstance(s.get("qualname"), str)
            for s in specs):
        raise HarnessError("--functions-json must be a list of objects "
                           "with a qualname")
    source = os.path.abspath(args.source)
    if not os.path.isfile(source):
        raise HarnessError("source not found: %s" % source)
    stem = os.path.splitext(os.path.basename(source))[0]
    source_dir = os.path.dirname(source)
    package_dir = os.path.abspath(args.package_dir)
    sys.path[:] = [package_dir, source_dir] + [
        p for p in sys.path if p not in (package_dir, source_dir)]
    sys.argv = [source]
    try:
        original = load_original(source)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        failure = import_failure(exc, "original source")
        samples_ok = os.path.exists(args.samples)
        if not samples_ok:
            raise HarnessError("cannot read samples: %s" % args.samples)
        return {"functions": [empty_result(s["qualname"], failure)
                              for s in specs]}
    samples = load_samples(args.samples, original, stem)
    try:
        package = importlib.import_module(args.module)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        failure = import_failure(exc, "accelerated package %s" % args.module)
        return {"functions": [empty_result(s["qualname"], failure)
                              for s in specs]}
    aliases = ("__main__", stem)

    def unpickle(blob):
        return SampleUnpickler(io.BytesIO(blob), original, aliases).load()

    signal.signal(signal.SIGALRM, _on_alarm)
    results = []
    for spec in specs:
        results.append(verify_function(spec, original, package, samples,
                                       args, unpickle))
    return {"functions": results}


def write_atomic(path, data):
    """Write bytes to path through a temporary file and a rename."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def parse_args(argv):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="verify.py", description="rustify verify harness")
    parser.add_argument("--source", required=True)
    parser.add_argument("--package-dir", required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--samples", required=True)
    parser.add_argument("--functions-json", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeat-budget", type=float, default=2.0)
    parser.add_argument("--call-timeout", type=float, default=2.0)
    parser.add_argument("--memory-headroom-mb", type=float, default=2048)
    args = parser.parse_args(argv)
    if not (args.repeat_budget >= 0 and args.call_timeout > 0
            and math.isfinite(args.call_timeout)):
        parser.error("--repeat-budget must be >= 0, --call-timeout > 0")
    return args


def main(argv=None):
    """Entry point: returns the process exit status."""
    args = parse_args(argv)
    try:
        report = run(args)
        write_atomic(args.out, json.dumps(report, indent=1).encode())
    except HarnessError as exc:
        sys.__stderr__.write("rustify verify harness: %s\n" % exc)
        return 2
    except Exception as exc:
        sys.__stderr__.write("rustify verify harness: internal error: %s\n"
                             % "".join(traceback.format_exception_only(
                                 type(exc), exc)).strip())
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
