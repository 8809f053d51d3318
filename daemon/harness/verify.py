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
        --out OUT.json [--repeat-budget 1.0] [--call-timeout 2.0]
        [--check-budget 3.0]
        [--memory-headroom-mb 2048]
        [--capture-harness PROFILE.py --capture-args-json '["--entry",
            "mod:main"]' --capture-bytes 134217728
            --capture-timeout 300]

The two sides.  The original source is imported as a module named
"_rustify_original_STEM" (so its __main__ block does not run) with its
folder on sys.path; the accelerated package MODNAME is imported with DIR
first on sys.path.  When MODNAME has a submodule `_original` (the object
tier's layout: a copy of the source that importing MODNAME patches in
place), that module is the accelerated side's module: its globals are the
accelerated functions' globals and its classes are the classes of the
accelerated side's objects.  Otherwise (a flat extension module) the
accelerated functions are called on the original module's objects.

Functions.  A qualname is looked up on both sides: on MODNAME, then on
MODNAME._original (MODNAME.Cls is MODNAME._original.Cls, whose methods
the package sets on it).  Module functions and plain methods are called
with the captured arguments (self first); a @staticmethod is called
through its class, a @classmethod is bound to the class in the first
argument, and a @property "Cls.prop" is the property access: one
argument (self) reads it, two (self, value) assign it.  The kind is taken
from the original class; the accelerated side is called the same way.
"signature" may be null; then only samples and values derived from them
are checked.

Inputs: every captured sample (profile.py's SAMPLES.pkl: one pickled
blob per call, or the (args, kwargs) tuples of older profiles; a sample
that does not load on both sides is counted in unloadable_samples and
left out), then inputs
generated from the signature: a small base call, and the base with one
argument at a time replaced by edge values (empty, one element, zero,
-0.0, NaN, +-inf, extreme floats, ints near the i64 limits, mismatched
types such as int for float, a list of ints for floats, str, None), lists
of different lengths, aliased arguments (one list object passed for two
list parameters) and a call leaving defaults out.  Each input is copied
for each side by unpickling it with that side's unpickler: classes and
functions of the source (pickled from __main__, from the source's own
module name or from the original module) resolve to that side's module,
so `self` is an instance of that side's class.

What must match, on every input (the first difference is reported, in
this order of kinds):
  - "exception": one side raised and the other returned, or the
    exceptions differ in type, str(), args, __cause__, __context__
    (recursively) or __suppress_context__;
  - "type" / "value": the return value, compared exactly and
    recursively (dicts in the same order; floats bit for bit, so
    NaN == NaN and -0.0 != 0.0; instances by class and by __dict__ and
    slots; classes of the source module match their counterpart on the
    other side by qualname);
  - "output": what the call wrote to sys.stdout and sys.stderr, as one
    ordered sequence of (stream, text) events (adjacent writes to one
    stream joined);
  - "mutation": the arguments (self included) after the call;
  - "globals": the module's data globals after the call (names bound to
    anything but modules, classes and callables; names whose values
    differ between the two freshly imported modules are left out);
  - "identity": which objects are shared.  Every mutable object (and
    every NaN) reachable from the result, from the arguments after the
    call and from the data globals is labelled with where it came from:
    the argument or global path it had before the call, another place
    it already appeared in (aliasing), or nothing (a fresh object).
    `[r for r in rows]` must return the caller's rows, not copies.
An input on which the original runs longer than its timeout (0.1 s after
three such inputs) is skipped; the accelerated function gets at least
the timeout, and ACCEL_SLACK times what the original took.  The timeout
is --call-timeout seconds, or CALL_TIME_SLACK times the function's mean
call in the profiled workload (its spec's optional "call_time", seconds)
when that is longer, at most MAX_CALL_TIMEOUT.  The alarm (SIGALRM) cannot stop native code
that holds the GIL: rustifyd's own timeout on the child process is the
backstop.  While inputs run, the address space is capped at its current
size plus --memory-headroom-mb (0: no cap), so that huge edge values fail
with MemoryError.  A call that raises SystemExit is an outcome like any
other exception; KeyboardInterrupt stops the harness.

Captured calls: a spec with "capture": true and no loadable sample (every
call the profile sampled was over its size budget: a method of an object
that holds the program's million objects) gets samples here.  With
--capture-harness (profile.py), the harness runs the workload once more in
a child (the profile's options --capture-args-json: --entry or
--entry-cmd-json), probed for those functions only (profile.py
--capture-json), which pickles the arguments of each one's first
CAPTURE_CALLS calls (more than one only while they took under an eighth
of --capture-bytes; none over it; the run is stopped past
--capture-timeout seconds) and ends the workload once it has them.
They are checked as captured samples are, but not timed (loading and
freeing their copies takes seconds, and instances loaded from a pickle
keep their attributes in a __dict__, so that a method runs slower on
them than in the program: the whole-workload check times them, in the
program).  The result of such a function has "captured": the number of
calls captured (-1: the capture run failed; its stderr is in the job
log), and with none, "capture_missed": "oversized" (over
--capture-bytes), "unpicklable" or "not called" (the run ended before
its first call).

Module state: both sides' data globals carry over from one call to the
next, as in a program.  When they differ before a call (after a failure,
or an input the original timed out on), they are not compared on that
call; before each function's first input, globals that differ are reset
on both sides from a copy taken at import.  The global random
generators (random's, and numpy's legacy one) are put back before the
accelerated call to the state the original call started from, so both
sides draw the same numbers.

Time: comparing both sides walks the arguments' object graphs (for
identity and mutation) on every input, which on a method of an object
that holds the whole program's data costs a tenth of a second or more.
Past --check-budget seconds on one function, once at least
MIN_BUDGET_INPUTS inputs are checked (or one that alone took longer
than the budget), its remaining inputs are left out (counted in
"inputs_left"), so that every function gets checked before the daemon's
time runs out.  The collector is off while the harness labels and
compares (GcOff), not while the functions run.

Speed: rounds over the captured samples, each calling both functions once
per sample (on fresh copies, GC off, output discarded), at least 5 rounds
(MIN_BIG_ROUNDS when the first alone took longer than the budget: the
copies of a graph of a million objects take seconds to load) and more
while the function's --repeat-budget seconds last; time per call
is the median round time divided by the number of samples.  Each copy
is made before the last one is freed (what the call allocates then
finds freed memory, as in a running program), and the collector runs
between calls once GC_CALL_OBJECTS objects were made.

OUT.json (written to a temporary file, then renamed)::

    {"functions": [{"qualname": str, "verified": bool,
                    "checked_inputs": int, "failures": int,
                    "first_failure": null or {
                        "input": call repr (<= 500 chars),
                        "expected": repr, "got": repr,
                        "kind": "value" | "type" | "exception" |
                                "output" | "mutation" | "globals" |
                                "identity" | "timeout" | "import" |
                                "missing",
                        "detail": where the outcomes differ,
                        "path": the path alone ("result[2]",
                                "self.items[0]", "globals['CACHE']",
                                "stdout", "exception.__cause__", ...)},
                    "failure_kinds": {kind: number of inputs},
                    "call_kind": "function" | "method" | "staticmethod"
                                 | "classmethod" | "property" | null,
                    "samples_checked": int, "generated_checked": int,
                    "skipped_inputs": int, "unloadable_samples": int,
                    "inputs_left": int (past --check-budget),
                    "time_original_ns": int or null,
                    "time_accelerated_ns": int or null,
                    "speedup": float or null,
                    "speedup_range": [low, high] or null (95 % interval
                        of the per-round ratio),
                    "timed_inputs": int (every loadable captured
                        sample is timed, in every round, but those a
                        side ran past its timeout on in the check),
                    "timed_signatures": ["(int, float)", ...] (the
                        timed calls' argument types, at most 8),
                    "captured": int (specs with "capture" only),
                    "capture_missed": str (none captured: why)}]}

verified is true when at least one input was checked and none failed.
"import": the package (or the original) failed to import; "missing": the
function is not found on one side; "timeout": the accelerated function ran
past --call-timeout, and past ACCEL_SLACK times the original's own time
on that input, where the original did not.  Exit status 0 when
OUT.json was written, 2 with a message on stderr on a harness error.
"""

import argparse
import copyreg
import gc
import hashlib
import importlib
import importlib.util
import inspect
import io
import json
import marshal
import math
import os
import pickle
import reprlib
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import types

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path
               if os.path.realpath(p or os.curdir) != _HERE]

REPR_LIMIT = 500
MIN_ROUNDS = 5
MIN_BIG_ROUNDS = 3
MAX_ROUNDS = 1000
MAX_VALUES_PER_PARAM = 40
MAX_TIMEOUTS = 3
SHORT_TIMEOUT = 0.1
# The accelerated call's timeout: at least --call-timeout, and this many
# times what the original took on the same input.
ACCEL_SLACK = 3.0
# An input's timeout is also at least this many times the function's mean
# call time in the profiled workload (the spec's "call_time"; a whole
# program's construction that took 1.7 s there ran past 2 s here on a
# loaded machine), and at most MAX_CALL_TIMEOUT.
CALL_TIME_SLACK = 3.0
MAX_CALL_TIMEOUT = 60.0
MIN_BUDGET_INPUTS = 3
# Objects made (copies, results) after which the timing rounds run the
# collector, before the next call.
GC_CALL_OBJECTS = 20000
# Calls of each function the capture run keeps (see "Captured calls").
CAPTURE_CALLS = 2
PICKLE_PROTOCOL = 4
# Objects walked per side and call to label shared objects (identity),
# and the part of them one module global may take.
IDENTITY_NODE_LIMIT = 100000
GLOBALS_IDENTITY_LIMIT = 10000
# Values compared per call in the module globals (beyond: taken as equal).
GLOBALS_COMPARE_LIMIT = 50000
# Links followed along __cause__ / __context__.
EXCEPTION_CHAIN_DEPTH = 8
# Characters of output kept per call; the rest is compared by digest.
OUTPUT_KEEP_CHARS = 1 << 20
NAN = float("nan")
INF = float("inf")
_POK = inspect.Parameter.POSITIONAL_OR_KEYWORD
_DUNDER_GLOBALS = frozenset((
    "__name__", "__doc__", "__package__", "__loader__", "__spec__",
    "__file__", "__cached__", "__builtins__", "__annotations__",
    "__path__", "__all__"))


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


# profile.py's SamplePickler carries lambdas, closures and exceptions by
# value under these references.
SAMPLE_REFS = "_rustify_samples"


def _new_cell():
    return types.CellType()


def _set_cell(cell, state):
    cell.cell_contents = state[0]


def _new_exception(cls, args):
    """The exception without its __init__ (state set by pickle after)."""
    return cls.__new__(cls, *args)


class SampleUnpickler(pickle.Unpickler):
    """Resolves names of the profiled program to one side's module."""

    def __init__(self, f, original, aliases):
        super().__init__(f)
        self.original = original
        self.aliases = aliases

    def _function(self, code, module, name, qualname, defaults, kwdefaults,
                  closure, fdict):
        """A lambda or nested function of the sample, with this side's
        globals when it comes from the profiled program."""
        if self.original is not None and module in self.aliases:
            g = vars(self.original)
        else:
            g = vars(importlib.import_module(module))
        f = types.FunctionType(marshal.loads(code), g, name, defaults,
                               closure)
        f.__qualname__ = qualname
        f.__kwdefaults__ = kwdefaults
        if fdict:
            f.__dict__.update(fdict)
        return f

    def find_class(self, module, name):
        if module == SAMPLE_REFS:
            refs = {"function": self._function, "cell": _new_cell,
                    "set_cell": _set_cell, "exception": _new_exception}
            if name not in refs:
                raise pickle.UnpicklingError("unknown sample reference "
                                             + name)
            return refs[name]
        if self.original is not None and module in self.aliases:
            obj = self.original
            for part in name.split("."):
                obj = getattr(obj, part)
            return obj
        return super().find_class(module, name)


def load_samples(path, original, stem):
    """Read SAMPLES.pkl: {qualname: [blob or (args, kwargs), ...]}."""
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

class _Repr(reprlib.Repr):
    """reprlib with instances shown by their attributes."""

    def repr_instance(self, obj, level):
        t = type(obj)
        d = _own_dict(obj)
        slots = slot_names(t)
        if getattr(t, "__repr__", None) is not object.__repr__ or \
                isinstance(obj, (type, types.ModuleType)) or \
                not (isinstance(d, dict) or slots):
            return reprlib.Repr.repr_instance(self, obj, level)
        if level <= 0:
            return "%s(...)" % t.__name__
        items = list(d.items()) if isinstance(d, dict) else []
        for name in slots:
            value = _slot_value(obj, name)
            if value is not _MISSING:
                items.append((name, value))
        parts = ["%s=%s" % (k, self.repr1(v, level - 1))
                 for k, v in items[:self.maxdict]]
        if len(items) > self.maxdict:
            parts.append("...")
        return "%s(%s)" % (t.__name__, ", ".join(parts))


def short_repr(value):
    """A bounded repr (instances of plain classes by their attributes)."""
    r = _Repr()
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


state_repr = short_repr


def _float_bits(x):
    return struct.pack("<d", x)


_ROUTINE_TYPES = (types.FunctionType, types.BuiltinFunctionType,
                  types.MethodType, types.BuiltinMethodType,
                  types.MethodWrapperType, types.WrapperDescriptorType,
                  types.MethodDescriptorType, types.ClassMethodDescriptorType)
_SCALARS = (int, bool, str, bytes, bytearray, range)
# Compared by type and name only (running them would consume them).
_ITERATOR_OBJECTS = (types.GeneratorType, types.CoroutineType,
                     types.AsyncGeneratorType)
_OBJECT_REDUCE = object.__reduce__
_OBJECT_REDUCE_EX = object.__reduce_ex__
_OBJECT_GETSTATE = getattr(object, "__getstate__", None)


def is_routine(value):
    """True for functions, methods and native callables of any kind.

    Python functions, builtins and the native functions and method
    descriptors of extension modules (callables whose type binds like a
    function, through __get__); not classes or callable instances.
    """
    if isinstance(value, _ROUTINE_TYPES):
        return True
    return (callable(value) and not isinstance(value, type)
            and hasattr(type(value), "__get__")
            and hasattr(value, "__qualname__"))


def slot_names(t, cache={}):
    """The __slots__ names of a class and its bases."""
    names = cache.get(t)
    if names is None:
        try:
            names = tuple(copyreg._slotnames(t))
        except Exception:
            names = ()
        cache[t] = names
    return names


def _custom_state(t):
    """True when a type defines how it pickles (its state is not __dict__)."""
    if getattr(t, "__reduce_ex__", None) is not _OBJECT_REDUCE_EX:
        return True
    if getattr(t, "__reduce__", None) is not _OBJECT_REDUCE:
        return True
    getstate = getattr(t, "__getstate__", None)
    return getstate is not None and getstate is not _OBJECT_GETSTATE


_MISSING = object()


class Comparer:
    """Exact comparison of two values, one from each side.

    names_a and names_b are the module names of side a and side b: a
    class (or function) of side a matches one of side b of the same
    qualname when their modules are these.  budget, when given, is the
    number of values compared before the rest is taken as equal.
    """

    def __init__(self, names_a=(), names_b=(), budget=None):
        self.names_a = frozenset(names_a)
        self.names_b = frozenset(names_b)
        self.budget = budget

    def counterparts(self, a, b):
        """True when a and b are one class/function of the two sides."""
        if a is b:
            return True
        try:
            return (a.__qualname__ == b.__qualname__
                    and a.__module__ in self.names_a
                    and b.__module__ in self.names_b)
        except AttributeError:
            return False

    def same_type(self, ta, tb):
        return ta is tb or self.counterparts(ta, tb)

    def compare(self, a, b, path="", depth=0, seen=None):
        """None when a and b are the same, else (kind, detail, path)."""
        if self.budget is not None:
            if self.budget <= 0:
                return None
            self.budget -= 1
        ta, tb = type(a), type(b)
        if not path:
            path = "value"
        where = path
        if ta is float and tb is float:
            if _float_bits(a) != _float_bits(b):
                return ("value", "%s: %r != %r" % (where, a, b), where)
            return None
        if not self.same_type(ta, tb):
            if is_routine(a) and is_routine(b):
                return self._routines(a, b, where, depth, seen)
            return ("type", "%s: %s != %s" % (where, ta.__name__,
                                              tb.__name__), where)
        if ta is complex:
            if (_float_bits(a.real) != _float_bits(b.real)
                    or _float_bits(a.imag) != _float_bits(b.imag)):
                return ("value", "%s: %r != %r" % (where, a, b), where)
            return None
        if a is None or ta in _SCALARS:
            if a != b:
                return ("value", "%s: %s != %s" % (
                    where, short_repr(a), short_repr(b)), where)
            return None
        if isinstance(a, type):
            if not self.counterparts(a, b):
                return ("value", "%s: class %s != %s" % (
                    where, _class_name(a), _class_name(b)), where)
            return None
        if is_routine(a):
            return self._routines(a, b, where, depth, seen)
        if isinstance(a, _ITERATOR_OBJECTS):
            if a.__qualname__ != b.__qualname__:
                return ("value", "%s: %s != %s" % (
                    where, short_repr(a), short_repr(b)), where)
            return None
        if isinstance(a, types.ModuleType):
            if a is b or (a.__name__ in self.names_a
                          and b.__name__ in self.names_b):
                return None
            return ("value", "%s: module %s != %s" % (
                where, a.__name__, b.__name__), where)
        if depth > 200:
            return None if a == b else ("value", "%s: differs" % where,
                                        where)
        if seen is None:
            seen = set()
        key = (id(a), id(b))
        if key in seen:
            return None
        seen.add(key)
        return self._structured(a, b, path, where, depth, seen)

    def _routines(self, a, b, where, depth, seen):
        if self.counterparts(a, b):
            sa = getattr(a, "__self__", None)
            sb = getattr(b, "__self__", None)
            if isinstance(a, types.MethodType) and isinstance(
                    b, types.MethodType):
                # (an object holding its own bound method is a cycle:
                # depth and seen carry on through __self__)
                return self.compare(sa, sb, where + ".__self__", depth + 1,
                                    seen)
            return None
        return ("value", "%s: %s != %s" % (where, short_repr(a),
                                           short_repr(b)), where)

    def _structured(self, a, b, path, where, depth, seen):
        ta = type(a)
        if isinstance(a, (list, tuple)):
            if len(a) != len(b):
                return ("value", "%s: length %d != %d" % (
                    where, len(a), len(b)), where)
            for i in range(len(a)):
                bad = self.compare(a[i], b[i], "%s[%d]" % (path, i),
                                   depth + 1, seen)
                if bad is not None:
                    return bad
            if ta in (list, tuple):
                return None
        elif isinstance(a, dict):
            bad = self._dicts(a, b, path, where, depth, seen)
            if bad is not None or ta is dict:
                return bad
        elif isinstance(a, (set, frozenset)):
            ka = sorted((type(v).__name__, repr(v)) for v in a)
            kb = sorted((type(v).__name__, repr(v)) for v in b)
            if ka != kb:
                kind = "type" if ([k[0] for k in ka]
                                  != [k[0] for k in kb]) else "value"
                return (kind, "%s: %s != %s" % (
                    where, short_repr(a), short_repr(b)), where)
            if ta in (set, frozenset):
                return None
        elif hasattr(a, "tolist") and hasattr(a, "dtype"):
            if str(a.dtype) != str(b.dtype) or \
                    getattr(a, "shape", None) != getattr(b, "shape", None):
                return ("type", "%s: array %s%s != %s%s" % (
                    where, a.dtype, getattr(a, "shape", ""), b.dtype,
                    getattr(b, "shape", "")), where)
            if str(a.dtype) != "object" and hasattr(a, "tobytes"):
                # Bit for bit, as floats are compared (numpy arrays).
                try:
                    if a.tobytes() == b.tobytes():
                        return None
                except Exception:
                    pass
            return self.compare(a.tolist(), b.tolist(), path, depth + 1,
                                seen)
        elif _custom_state(ta) and not isinstance(a, BaseException):
            return self._reduced(a, b, path, where, depth, seen)
        return self._instance(a, b, path, where, depth, seen)

    def _dicts(self, a, b, path, where, depth, seen):
        if len(a) != len(b):
            return ("value", "%s: length %d != %d" % (where, len(a),
                                                      len(b)), where)
        for i, (ka, kb) in enumerate(zip(a, b)):
            bad = self.compare(ka, kb, "%s.keys()[%d]" % (path, i),
                               depth + 1, seen)
            if bad is not None:
                return bad
            bad = self.compare(dict.__getitem__(a, ka),
                               dict.__getitem__(b, kb),
                               "%s[%s]" % (path, key_repr(ka, i)),
                               depth + 1, seen)
            if bad is not None:
                return bad
        return None

    def _instance(self, a, b, path, where, depth, seen):
        """Instances: their __dict__ and slots, or == without either."""
        da = _own_dict(a)
        db = _own_dict(b)
        slots = slot_names(type(a))
        if isinstance(da, dict) or slots:
            if isinstance(da, dict) and isinstance(db, dict):
                bad = self._attrs(da, db, path, where, depth, seen)
                if bad is not None:
                    return bad
            for name in slots:
                va = _slot_value(a, name)
                vb = _slot_value(b, name)
                if (va is _MISSING) != (vb is _MISSING):
                    return ("value", "%s.%s: %s != %s" % (
                        where, name,
                        "unset" if va is _MISSING else short_repr(va),
                        "unset" if vb is _MISSING else short_repr(vb)),
                        "%s.%s" % (where, name))
                if va is not _MISSING:
                    bad = self.compare(va, vb, "%s.%s" % (path, name),
                                       depth + 1, seen)
                    if bad is not None:
                        return bad
            if isinstance(a, BaseException):
                return self.compare(a.args, b.args, path + ".args",
                                    depth + 1, seen)
            return None
        if isinstance(a, BaseException):
            return self.compare(a.args, b.args, path + ".args", depth + 1,
                                seen)
        try:
            equal = bool(a == b)
        except Exception:
            equal = a is b
        if not equal:
            return ("value", "%s: %s != %s" % (where, short_repr(a),
                                               short_repr(b)), where)
        return None

    def _attrs(self, da, db, path, where, depth, seen):
        """Compare two instance dicts as attributes (any order)."""
        if list(da) != list(db):
            missing = [k for k in da if k not in db]
            extra = [k for k in db if k not in da]
            if missing or extra:
                name = (missing or extra)[0]
                return ("value", "%s.%s: %s != %s" % (
                    where, name,
                    short_repr(da[name]) if name in da else "unset",
                    short_repr(db[name]) if name in db else "unset"),
                    "%s.%s" % (where, name))
        for name in da:
            bad = self.compare(da[name], db[name],
                               "%s.%s" % (path, name), depth + 1, seen)
            if bad is not None:
                return bad
        return None

    def _reduced(self, a, b, path, where, depth, seen):
        """Objects that define their own pickling: compare their state."""
        try:
            ra = a.__reduce_ex__(PICKLE_PROTOCOL)
            rb = b.__reduce_ex__(PICKLE_PROTOCOL)
        except Exception:
            return self._instance(a, b, path, where, depth, seen)
        if isinstance(ra, str) or isinstance(rb, str):
            return None if ra == rb else ("value", "%s: %s != %s" % (
                where, ra, rb), where)
        ra, rb = tuple(ra)[1:], tuple(rb)[1:]
        for i, label in enumerate(("args", "state", "items", "dictitems")):
            va = ra[i] if i < len(ra) else None
            vb = rb[i] if i < len(rb) else None
            if i >= 2:
                va = list(va) if va is not None else None
                vb = list(vb) if vb is not None else None
            bad = self.compare(va, vb, "%s<%s>" % (path, label), depth + 1,
                               seen)
            if bad is not None:
                return bad
        return None


def _own_dict(obj):
    """obj.__dict__ without calling a class's __getattr__, or None."""
    try:
        d = object.__getattribute__(obj, "__dict__")
    except Exception:
        return None
    return d if isinstance(d, dict) else None


def _slot_value(obj, name):
    try:
        return object.__getattribute__(obj, name)
    except AttributeError:
        return _MISSING
    except Exception:
        return _MISSING


def _class_name(t):
    return "%s.%s" % (getattr(t, "__module__", "?"),
                      getattr(t, "__qualname__", repr(t)))


def key_repr(key, index):
    """A dict key as it appears in a path: its repr when short and plain."""
    if type(key) in (str, int, float, bool, bytes, type(None)):
        text = repr(key)
        if len(text) <= 40:
            return text
    return "<key %d>" % index


def compare(a, b, path="", depth=0, seen=None):
    """Compare two values exactly (see Comparer).

    Returns None when they are the same, else (kind, detail) where kind is
    "type" or "value".
    """
    bad = Comparer().compare(a, b, path, depth, seen)
    return None if bad is None else bad[:2]


# ---------------------------------------------------------------- identity

_IMMUTABLE_ATOMS = frozenset((type(None), bool, int, str, bytes, tuple,
                              frozenset, range, type(Ellipsis),
                              type(NotImplemented), slice))


def identity_relevant(value):
    """True when an object's identity can show in Python code.

    Mutable objects and NaNs (`nan in xs` finds a NaN by identity only);
    not ints, strs, non-NaN floats, tuples and other immutable values,
    classes, functions or modules (compared by value or by name).
    """
    t = type(value)
    if t is list or t is dict or t is set:
        return True
    if t is float or t is complex:
        return value != value
    if t in _IMMUTABLE_ATOMS or t is type:
        return False
    if isinstance(value, (type, types.ModuleType)) or is_routine(value):
        return False
    return True


def _walk_kind(t, cache={}):
    """How children() takes a type's objects apart (cached per type)."""
    kind = cache.get(t)
    if kind is None:
        if issubclass(t, (type, types.ModuleType)) or issubclass(
                t, _ROUTINE_TYPES) or (callable(getattr(t, "__call__", None))
                                       and hasattr(t, "__get__")):
            kind = 0  # nothing inside
        else:
            kind = 1  # attributes and slots
            if issubclass(t, (list, tuple)):
                kind = 2
            elif issubclass(t, dict):
                kind = 3
            elif issubclass(t, (set, frozenset)):
                kind = 4
            elif t.__name__ == "deque":
                kind = 5
        cache[t] = kind
    return kind


def children(value):
    """(step, child) pairs of a value, in a fixed order.

    A step is an int (an index), a str (a suffix such as "{}" for any
    element of a set) or a tuple ("." name, or "[]" key index) that
    step_path formats only for the children the walk enters.
    """
    t = type(value)
    if t is list or t is tuple:
        return enumerate(value)
    if t is dict:
        return ((("[]", k, i), v) for i, (k, v) in enumerate(value.items()))
    if t is set or t is frozenset:
        return (("{}", v) for v in value)
    kind = _walk_kind(t)
    if kind == 0:
        return ()
    out = []
    if kind == 2:
        out += enumerate(value)
    elif kind == 3:
        out += ((("[]", k, i), v)
                for i, (k, v) in enumerate(dict.items(value)))
    elif kind == 4:
        out += (("{}", v) for v in value)
    elif kind == 5:
        out += enumerate(list(value))
    d = _own_dict(value)
    if d is not None:
        out += (((".", k), v) for k, v in d.items())
    for name in slot_names(t):
        v = _slot_value(value, name)
        if v is not _MISSING:
            out.append(((".", name), v))
    return out


def step_path(parent, step):
    """The path of a child: parent plus its step (see children)."""
    if type(step) is int:
        return "%s[%d]" % (parent, step)
    if type(step) is str:
        return parent + step
    if step[0] == ".":
        return "%s.%s" % (parent, step[1])
    return "%s[%s]" % (parent, key_repr(step[1], step[2]))


# Never identity-relevant and holding nothing that is.
_WALK_SKIP = frozenset((int, bool, str, bytes, type(None), range, type,
                        types.FunctionType, types.BuiltinFunctionType,
                        types.ModuleType))


def walk(roots, visit, limit=IDENTITY_NODE_LIMIT):
    """Visit the object graph of roots, preorder.

    roots are (label, value) or (label, value, root_limit).  Containers
    are entered once; visit(path, value, first_path) is called for every
    identity-relevant object, first_path being where the walk met it
    before (or None).  At most limit objects are entered in all, and at
    most root_limit from one root.
    """
    first = {}
    entered = 0
    skip = _WALK_SKIP
    for root in roots:
        room = min(limit - entered, root[2] if len(root) > 2 else limit)
        stack = [("", iter([(root[0], root[1])]))]
        used = 0
        while stack and used < room:
            parent, items = stack[-1]
            item = next(items, None)
            if item is None:
                stack.pop()
                continue
            step, value = item
            t = type(value)
            if t in skip:
                continue
            if t is float or t is complex:
                if value == value:
                    continue
            path = step_path(parent, step) if parent else step
            if t is tuple or t is frozenset:
                key = id(value)
                if key in first:
                    continue
                first[key] = path
            elif identity_relevant(value):
                key = id(value)
                before = first.get(key)
                visit(path, value, before)
                if before is not None:
                    continue
                first[key] = path
            else:
                continue
            used += 1
            stack.append((path, iter(children(value))))
        entered += used


def global_roots(names_values):
    """Walk roots of data globals (each walked only so far)."""
    return [("globals[%r]" % n, v, GLOBALS_IDENTITY_LIMIT)
            for n, v in names_values.items()]


class Origins:
    """Where every identity-relevant object was before a call."""

    def __init__(self, roots):
        self.paths = {}
        self.keep = []

        def visit(path, value, before):
            if before is None:
                self.paths[id(value)] = path
                self.keep.append(value)
        walk(roots, visit)


def identity_entries(roots, origins):
    """Label the objects reachable from roots after a call.

    Returns (path, label) pairs, those of the result first, then by path:
    "= P" (the object met earlier in this walk at P: with the arguments
    walked before the result, a result that shares an argument's object
    says where the argument holds it), "was P" (the object that was at P
    before the call, where P is not its place now) and "fresh" (created
    by the call).  An object still at its place gets no pair.
    """
    entries = []

    def visit(path, value, before):
        if before is not None:
            entries.append((path, "= " + before))
            return
        origin = origins.paths.get(id(value))
        if origin is None:
            entries.append((path, "fresh"))
        elif origin != path:
            entries.append((path, "was " + origin))
    walk(roots, visit)
    entries.sort(key=lambda e: (not e[0].startswith("result"), e))
    return entries


def explain_label(label):
    """A label of identity_entries in words."""
    if label == "fresh":
        return "a new object"
    if label.startswith("= "):
        return "the same object as %s" % label[2:]
    return "the very object of %s (before the call)" % label[4:]


def compare_identity(expected, got):
    """None, or (detail, path) at the first difference of two labellings.

    A path without a label holds the object that was there before the
    call.
    """
    if expected == got:
        return None
    i = 0
    while i < len(expected) and i < len(got) and expected[i] == got[i]:
        i += 1
    a = expected[i] if i < len(expected) else None
    b = got[i] if i < len(got) else None

    def order(entry):
        return (not entry[0].startswith("result"), entry[0])
    if a is None or (b is not None and order(b) < order(a)):
        path, label_a, label_b = b[0], None, b[1]
    elif b is None or order(a) < order(b):
        path, label_a, label_b = a[0], a[1], None
    else:
        path, label_a, label_b = a[0], a[1], b[1]
    unchanged = "the object that was there before the call"
    return ("%s: the original gives %s, the accelerated %s" % (
        path, explain_label(label_a) if label_a else unchanged,
        explain_label(label_b) if label_b else unchanged), path)


# ---------------------------------------------------------------- output

class Output:
    """The ordered (stream, text) events written during one call."""

    def __init__(self):
        self.events = []
        self.size = 0
        self.digest = None
        self.dropped = 0

    def add(self, stream, text):
        if not text:
            return
        if self.size < OUTPUT_KEEP_CHARS:
            if self.events and self.events[-1][0] == stream:
                self.events[-1][1].append(text)
            else:
                self.events.append((stream, [text]))
            self.size += len(text)
            return
        if self.digest is None:
            self.digest = hashlib.sha256()
        self.digest.update(("%s\0%d\0" % (stream, len(text))).encode())
        self.digest.update(text.encode("utf-8", "surrogatepass"))
        self.dropped += len(text)

    def result(self):
        """[(stream, text), ...] plus a digest of what was not kept."""
        events = [(s, "".join(parts)) for s, parts in self.events]
        merged = []
        for stream, text in events:
            if merged and merged[-1][0] == stream:
                merged[-1] = (stream, merged[-1][1] + text)
            else:
                merged.append((stream, text))
        tail = None
        if self.digest is not None:
            tail = (self.dropped, self.digest.hexdigest())
        return merged, tail


class CaptureStream(io.TextIOBase):
    """A text stream standing in for sys.stdout or sys.stderr."""

    def __init__(self, output, name):
        super().__init__()
        self._output = output
        self._name = name
        self.buffer = CaptureBuffer(output, name)

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "strict"

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s"
                            % type(text).__name__)
        self._output.add(self._name, text)
        return len(text)

    def writable(self):
        return True

    def isatty(self):
        return False

    def flush(self):
        pass


class CaptureBuffer(io.RawIOBase):
    """The binary .buffer of a CaptureStream (bytes kept as latin-1)."""

    def __init__(self, output, name):
        super().__init__()
        self._output = output
        self._name = name + ".buffer"

    def write(self, data):
        data = bytes(data)
        self._output.add(self._name, data.decode("latin-1"))
        return len(data)

    def writable(self):
        return True


class Redirect:
    """Swap sys.stdout and sys.stderr for capture streams.

    output None discards what is written (timing runs).
    """

    def __init__(self, output=None):
        if output is None:
            output = _NullOutput()
        self.out = CaptureStream(output, "stdout")
        self.err = CaptureStream(output, "stderr")
        self.saved = None

    def __enter__(self):
        self.saved = (sys.stdout, sys.stderr)
        sys.stdout, sys.stderr = self.out, self.err
        return self

    def __exit__(self, *exc_info):
        sys.stdout, sys.stderr = self.saved
        return False


class _NullOutput:
    """An Output that keeps nothing."""

    def add(self, stream, text):
        pass


# ---------------------------------------------------------------- exceptions

def exception_text(exc):
    """str(exc), or a placeholder when it cannot be printed."""
    try:
        return str(exc)
    except Exception:
        return "<unprintable %s>" % type(exc).__name__


def compare_exceptions(comparer, a, b, path="exception", depth=0):
    """None, or (detail, path) where two raised exceptions differ."""
    ta, tb = type(a), type(b)
    if not comparer.same_type(ta, tb):
        return ("%s: type %s != %s" % (path, ta.__name__, tb.__name__),
                path)
    ma, mb = exception_text(a), exception_text(b)
    if ma != mb:
        return ("%s: message %s != %s" % (path, short_repr(ma),
                                          short_repr(mb)), path)
    bad = comparer.compare(a.args, b.args, path + ".args")
    if bad is not None:
        return (bad[1], bad[2])
    if depth >= EXCEPTION_CHAIN_DEPTH:
        return None
    for link in ("__cause__", "__suppress_context__", "__context__"):
        la, lb = getattr(a, link), getattr(b, link)
        where = path + "." + link
        if link == "__suppress_context__":
            if bool(la) != bool(lb):
                return ("%s: %r != %r" % (where, la, lb), where)
            continue
        if (la is None) != (lb is None):
            return ("%s: %s != %s" % (
                where, "None" if la is None else describe_exception(la),
                "None" if lb is None else describe_exception(lb)), where)
        if la is not None and la is not a:
            bad = compare_exceptions(comparer, la, lb, where, depth + 1)
            if bad is not None:
                return bad
    return None


def describe_exception(exc):
    """'Type: message' of an exception (bounded)."""
    return short_repr("%s: %s" % (type(exc).__name__, exception_text(exc)))


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


# ---------------------------------------------------------------- sides

def _on_alarm(signum, frame):
    raise CallTimeout()


def class_attribute(owner, name):
    """An attribute from a class's own dict or its bases', unbound."""
    for klass in getattr(owner, "__mro__", (owner,)):
        d = vars(klass)
        if name in d:
            return d[name]
    return _MISSING


class Target:
    """How to call one qualname on one side.

    kind is "function", "method", "staticmethod", "classmethod" or
    "property" (see the module docstring for each calling convention).
    """

    def __init__(self, kind, func, raw):
        self.kind = kind
        self.func = func
        self.raw = raw

    def __call__(self, args, kwargs):
        kind = self.kind
        if kind == "classmethod":
            if not args:
                raise TypeError("a classmethod sample needs its class")
            return self.raw.__get__(None, args[0])(*args[1:], **kwargs)
        if kind == "property":
            if len(args) == 2 and not kwargs:
                self.raw.__set__(args[0], args[1])
                return None
            if len(args) != 1 or kwargs:
                raise TypeError("a property sample is (self,) or "
                                "(self, value)")
            return self.raw.__get__(args[0], type(args[0]))
        return self.func(*args, **kwargs)

    def signature_function(self):
        """The function whose parameters generated inputs follow."""
        if self.kind == "classmethod":
            return getattr(self.raw, "__func__", None)
        if self.kind == "property":
            return None
        return self.func

    def labels(self, args, kwargs):
        """Root labels of the arguments: self, cls, args[i], kwargs[k]."""
        out = []
        for i, value in enumerate(args):
            if i == 0 and self.kind in ("method", "property"):
                label = "self"
            elif i == 0 and self.kind == "classmethod":
                label = "cls"
            else:
                label = "args[%d]" % i
            out.append((label, value))
        for key, value in kwargs.items():
            out.append(("kwargs[%r]" % key, value))
        return out


def resolve(namespace, qualname, kind=None):
    """A Target for qualname under namespace, or None when missing.

    kind None takes the kind from what the class holds (the original
    side); the accelerated side is resolved with the original's kind.
    """
    if "<locals>" in qualname:
        return None
    parts = qualname.split(".")
    owner = namespace
    for part in parts[:-1]:
        owner = getattr(owner, part, None)
        if owner is None:
            return None
    name = parts[-1]
    if not isinstance(owner, type):
        func = getattr(owner, name, None)
        if func is None:
            return None
        return Target("function", func, None)
    raw = class_attribute(owner, name)
    if raw is _MISSING or raw is None:
        return None
    if kind is None:
        if isinstance(raw, staticmethod):
            kind = "staticmethod"
        elif isinstance(raw, classmethod):
            kind = "classmethod"
        elif isinstance(raw, property):
            kind = "property"
        else:
            kind = "method"
    func = None
    if kind in ("method", "staticmethod", "function"):
        func = getattr(owner, name, None)
        if func is None:
            return None
    return Target(kind, func, raw)


class Side:
    """One side of the comparison.

    namespace: where qualnames are looked up; module: whose globals the
    functions use (compared after each call); classes: the module that
    classes and functions of the profiled program resolve to when inputs
    are unpickled; names: module names counted as this side's own.
    """

    def __init__(self, label, namespace, module, classes, names, aliases):
        self.label = label
        self.namespace = namespace
        self.module = module
        self.classes = classes
        self.names = frozenset(n for n in names if n)
        self.aliases = tuple(aliases)
        self.excluded = set()
        self.snapshot = {}

    def unpickle(self, blob):
        """A fresh copy of a pickled input, with this side's classes.

        The collector is off meanwhile: loading a million objects with
        it on ran it over and over (8.9 s, against 0.8 s without)."""
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return SampleUnpickler(io.BytesIO(blob), self.classes,
                                   self.aliases).load()
        finally:
            if was_enabled:
                gc.enable()

    def data_globals(self):
        """{name: value} of the module's data globals, in name order."""
        out = {}
        for name, value in sorted(vars(self.module).items()):
            if name in _DUNDER_GLOBALS or name in self.excluded:
                continue
            if isinstance(value, (types.ModuleType, type)) or \
                    callable(value):
                continue
            out[name] = value
        return out

    def restore(self, names):
        """Rebind globals to copies of their values at import."""
        for name in names:
            blob = self.snapshot.get(name)
            if blob is not None:
                try:
                    vars(self.module)[name] = self.unpickle(blob)
                except Exception:
                    pass


def setup_globals(orig, accel):
    """Leave out globals that differ at import; keep copies of the rest."""
    og, ag = orig.data_globals(), accel.data_globals()
    for name in set(og) | set(ag):
        same = name in og and name in ag and Comparer(
            orig.names, accel.names, GLOBALS_COMPARE_LIMIT).compare(
                og[name], ag[name]) is None
        if not same:
            orig.excluded.add(name)
            accel.excluded.add(name)
            continue
        try:
            blob = pickle.dumps(og[name], protocol=PICKLE_PROTOCOL)
        except Exception:
            continue
        orig.snapshot[name] = blob
        accel.snapshot[name] = blob


def compare_globals(orig, accel, og=None, ag=None):
    """None, or (detail, path, expected, got) of the first difference."""
    if og is None:
        og, ag = orig.data_globals(), accel.data_globals()
    comparer = Comparer(orig.names, accel.names, GLOBALS_COMPARE_LIMIT)
    for name in sorted(set(og) | set(ag)):
        path = "globals[%r]" % name
        if name not in og or name not in ag:
            return ("%s: %s" % (path, "unset by the original" if
                                name not in og else "unset by the "
                                "accelerated function"), path,
                    state_repr(og.get(name, "<unset>")),
                    state_repr(ag.get(name, "<unset>")))
        bad = comparer.compare(og[name], ag[name], path)
        if bad is not None:
            return (bad[1], bad[2], state_repr(og[name]),
                    state_repr(ag[name]))
    return None


# ---------------------------------------------------------------- calling

class Outcome:
    """What one call did: returned or raised, output, state afterwards."""

    __slots__ = ("status", "value", "exc", "args", "kwargs", "output",
                 "identity", "globals", "seconds")

    def describe(self):
        if self.status == "ok":
            return short_repr(self.value)
        if self.status == "timeout":
            return "<timed out>"
        try:
            return "raises " + short_repr(self.exc)
        except Exception:
            return "raises " + type(self.exc).__name__


class GcOff:
    """The collector off for the harness's own work on a call's objects
    (labelling, comparing: dicts and tuples by the million on a program
    of a million objects, each batch of them running the collector over
    everything again: 18 s to compare two such graphs, 7 s without).
    The calls themselves run with it as the program left it."""

    def __enter__(self):
        self.was = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc_info):
        if self.was:
            gc.enable()
        return False


def run_call(side, target, blob, timeout, with_globals):
    """Call target on a fresh copy of the input, observing everything.

    The copy is frozen (gc.freeze, undone by Checker.check) before the
    call: the collector's passes during the call do not walk it, as
    they do not walk what a program built long before it calls (a young
    collection that moved a copy of a million objects cost more than the
    call, and made the full collection that frees it 6 times slower)."""
    args, kwargs = side.unpickle(blob)
    gc.freeze()
    with GcOff():
        before = side.data_globals() if with_globals else {}
        roots = target.labels(args, kwargs) + global_roots(before)
        origins = Origins(roots)
    out = Outcome()
    out.args, out.kwargs, out.value, out.exc = args, kwargs, None, None
    output = Output()
    with Redirect(output):
        signal.setitimer(signal.ITIMER_REAL, timeout)
        t0 = time.perf_counter()
        try:
            try:
                out.value = target(args, kwargs)
                out.status = "ok"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                out.seconds = time.perf_counter() - t0
        except CallTimeout:
            out.status = "timeout"
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            out.status = "raise"
            out.exc = exc
    out.output = output.result()
    out.globals = side.data_globals() if with_globals else None
    if out.status == "timeout":
        out.identity = []
        return out
    with GcOff():
        after = target.labels(args, kwargs) + global_roots(
            out.globals or {}) + (
            [("result", out.value)] if out.status == "ok" else [])
        out.identity = identity_entries(after, origins)
    return out


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


def compare_output(expected, got):
    """None, or (detail, path) where two outputs differ."""
    if expected == got:
        return None
    ea, ta = expected
    ga, tg = got
    for i in range(max(len(ea), len(ga))):
        a = ea[i] if i < len(ea) else None
        b = ga[i] if i < len(ga) else None
        if a == b:
            continue
        if a is not None and b is not None and a[0] == b[0]:
            text_a, text_b = a[1], b[1]
            j = 0
            while j < len(text_a) and j < len(text_b) and \
                    text_a[j] == text_b[j]:
                j += 1
            return ("%s (write %d), from character %d: %s != %s" % (
                a[0], i, j, short_repr(text_a[j:j + 80]),
                short_repr(text_b[j:j + 80])), a[0])
        return ("output[%d]: %s != %s" % (
            i, "nothing" if a is None else short_repr(a),
            "nothing" if b is None else short_repr(b)),
            "output[%d]" % i)
    return ("output past %d characters differs (digests %s != %s)" % (
        OUTPUT_KEEP_CHARS, ta, tg), "output")


class RandomStates:
    """The process-wide random generators' states, to replay them.

    Both sides draw from the same global generators (random's, and
    numpy's legacy one when numpy is loaded): the accelerated call starts
    from the state the original call started from.
    """

    def __init__(self):
        self.states = []
        for name, get, put in (("random", "getstate", "setstate"),
                               ("numpy.random", "get_state", "set_state")):
            module = sys.modules.get(name)
            if module is None:
                continue
            try:
                self.states.append((getattr(module, put),
                                    getattr(module, get)()))
            except Exception:
                pass

    def restore(self):
        for put, state in self.states:
            try:
                put(state)
            except Exception:
                pass


class Checker:
    """Compares the two sides of one function, input after input."""

    def __init__(self, orig, accel, t_orig, t_accel, name):
        self.orig = orig
        self.accel = accel
        self.t_orig = t_orig
        self.t_accel = t_accel
        self.name = name
        self.comparer = Comparer(orig.names, accel.names)
        # True: the two modules' globals are known to be equal; None:
        # unknown (check before the next call); False: they differ.
        self.in_sync = None
        self.timeout_used = 0.0

    def sync_globals(self, reset=False):
        """Find out whether globals agree; with reset, both sides start
        from the globals' values at import first (so that what earlier
        functions' calls appended to a global does not grow the work of
        every later call)."""
        if reset:
            names = set(self.orig.snapshot)
            self.orig.restore(names)
            self.accel.restore(names)
        bad = compare_globals(self.orig, self.accel)
        self.in_sync = bad is None

    def check(self, blob, timeouts):
        """Compare one input; returns None, "skip" or a failure dict.

        timeouts is (seconds for the original, seconds for the
        accelerated).
        """
        if self.in_sync is None:
            self.sync_globals()
        try:
            return self._check(blob, timeouts)
        finally:
            # run_call froze each copy (see there): back to the
            # collector, which frees them once unreachable
            gc.unfreeze()

    def _check(self, blob, timeouts):
        with_globals = self.in_sync
        self.timeout_used = timeouts[1]
        seeds = RandomStates()
        expected = run_call(self.orig, self.t_orig, blob, timeouts[0],
                            with_globals)
        if expected.status == "timeout":
            self.in_sync = None
            return "skip"
        seeds.restore()
        # the accelerated call may take a few times what the original
        # took (a loaded machine, an object-tier function no faster):
        # its timeout says it does not end, not that it is slower
        self.timeout_used = max(timeouts[1], ACCEL_SLACK * expected.seconds)
        got = run_call(self.accel, self.t_accel, blob, self.timeout_used,
                       with_globals)
        with GcOff():
            failure = self.difference(expected, got, with_globals)
        if failure is None:
            return None
        kind, detail, path, exp_text, got_text = failure
        if kind != "globals" and not (with_globals and kind == "identity"):
            self.in_sync = None
        args, kwargs = self.orig.unpickle(blob)
        return {"input": call_repr(self.name, args, kwargs),
                "expected": exp_text, "got": got_text, "kind": kind,
                "detail": detail + aliasing_note(args, kwargs),
                "path": path}

    def difference(self, e, g, with_globals):
        """None or (kind, detail, path, expected, got), first kind first."""
        if g.status == "timeout":
            return ("timeout", "the accelerated call ran past %.1f s; "
                    "the original took %.2f s"
                    % (self.timeout_used, e.seconds), "", e.describe(),
                    g.describe())
        if e.status != g.status:
            return ("exception", "original %s, accelerated %s" % (
                "raised" if e.status == "raise" else "returned",
                "raised" if g.status == "raise" else "returned"),
                "exception" if e.status == "raise" else "result",
                e.describe(), g.describe())
        if e.status == "raise":
            bad = compare_exceptions(self.comparer, e.exc, g.exc)
            if bad is not None:
                return ("exception", bad[0], bad[1], e.describe(),
                        g.describe())
        else:
            bad = self.comparer.compare(e.value, g.value, "result")
            if bad is not None:
                return (bad[0], bad[1], bad[2], e.describe(), g.describe())
        bad = compare_output(e.output, g.output)
        if bad is not None:
            return ("output", bad[0], bad[1], short_repr(e.output[0]),
                    short_repr(g.output[0]))
        roots_e = self.t_orig.labels(e.args, e.kwargs)
        roots_g = self.t_accel.labels(g.args, g.kwargs)
        for (label, va), (_, vb) in zip(roots_e, roots_g):
            bad = self.comparer.compare(va, vb, label)
            if bad is not None:
                return ("mutation", bad[1], bad[2], state_repr(va),
                        state_repr(vb))
        if with_globals:
            bad = compare_globals(self.orig, self.accel, e.globals,
                                  g.globals)
            self.in_sync = bad is None
            if bad is not None:
                return ("globals", bad[0], bad[1], bad[2], bad[3])
        bad = compare_identity(e.identity, g.identity)
        if bad is not None:
            return ("identity", bad[0], bad[1],
                    describe_identity(e.identity, bad[1]),
                    describe_identity(g.identity, bad[1]))
        return None


def describe_identity(entries, path):
    """The label of path in a labelling, in words."""
    for p, label in entries:
        if p == path:
            return "%s is %s" % (path, explain_label(label))
    return "%s is the object that was there before the call" % path


def _arg_types(args, kwargs):
    """The argument types of one timed call, "(int, float)"."""
    names = [type(a).__name__ for a in args]
    names += ["%s=%s" % (k, type(v).__name__)
              for k, v in sorted(kwargs.items())]
    return "(%s)" % ", ".join(names)


def call_timeout_for(spec, call_timeout):
    """Seconds an input of this function may run: --call-timeout, or
    CALL_TIME_SLACK times its mean call in the profiled workload when
    that is longer (at most MAX_CALL_TIMEOUT)."""
    t = spec.get("call_time")
    if isinstance(t, (int, float)) and not isinstance(t, bool) and \
            math.isfinite(t) and t > 0:
        return max(call_timeout, min(MAX_CALL_TIMEOUT, CALL_TIME_SLACK * t))
    return call_timeout


def speedup_range(times_o, times_a):
    """95 % interval of the per-round ratio original / accelerated
    (Student's t on the log ratios), or None under 2 rounds."""
    logs = [math.log(o / float(a)) for o, a in zip(times_o, times_a)
            if o > 0 and a > 0]
    n = len(logs)
    if n < 2:
        return None
    mean = sum(logs) / n
    var = sum((x - mean) ** 2 for x in logs) / (n - 1)
    t = 2.0 if n > 30 else {2: 12.71, 3: 4.30, 4: 3.18, 5: 2.78,
                            6: 2.57, 7: 2.45, 8: 2.36, 9: 2.31,
                            10: 2.26}.get(n, 2.1)
    half = t * math.sqrt(var / n)
    return [math.exp(mean - half), math.exp(mean + half)]


def time_function(orig, accel, t_orig, t_accel, blobs, budget,
                  info=None):
    """Median ns per call of both functions over every captured sample
    (each round calls each sample once); info gets "range" (the per-round
    ratio's interval), "inputs" and "signatures" (the timed argument
    types, at most 8)."""
    if info is None:
        info = {}
    info.update({"range": None, "inputs": len(blobs), "signatures": []})
    if not blobs:
        return None, None
    times_o, times_a = [], []
    deadline = time.perf_counter() + budget
    gc_was_enabled = gc.isenabled()
    clock = time.perf_counter_ns
    pairs = ((orig, t_orig), (accel, t_accel))
    # The collector is off while the rounds run, and runs before a call
    # when more than GC_CALL_OBJECTS objects were made since it last ran,
    # over the rounds' own objects only (what lives now is frozen): with
    # it on, the copies of an object graph of a million objects each
    # round left behind (cyclic: particles and their cells) made it walk
    # everything again and again, 75 % of the harness's time.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        with Redirect(None):
            for blob in blobs:  # warm-up
                for side, target in pairs:
                    args, kwargs = side.unpickle(blob)
                    if gc.get_count()[0] > GC_CALL_OBJECTS:
                        gc.collect()
                    sig = _arg_types(args, kwargs)
                    if side is orig and sig not in info["signatures"] \
                            and len(info["signatures"]) < 8:
                        info["signatures"].append(sig)
                    try:
                        target(args, kwargs)
                    except KeyboardInterrupt:
                        raise
                    except BaseException:
                        pass
            rounds = 0
            # a round that alone takes the budget (a method of a graph of
            # a million objects: each copy takes a second to load) makes
            # MIN_BIG_ROUNDS enough
            min_rounds = MIN_ROUNDS
            started = time.perf_counter()
            while rounds < min_rounds or (time.perf_counter() < deadline
                                          and rounds < MAX_ROUNDS):
                if rounds == 1 and time.perf_counter() - started > budget:
                    min_rounds = MIN_BIG_ROUNDS
                totals = [0, 0]
                for blob in blobs:
                    for i, (side, target) in enumerate(pairs):
                        # the last call's arguments are freed here, after
                        # the new copy is made: their memory is free for
                        # what the call makes (freed before the copy, it
                        # went to the copy, and cumsum's result floats to
                        # new arenas: 1.9x where it is 3.5x)
                        args, kwargs = side.unpickle(blob)
                        if gc.get_count()[0] > GC_CALL_OBJECTS:
                            gc.collect()
                        gc.disable()
                        start = clock()
                        try:
                            target(args, kwargs)
                        except KeyboardInterrupt:
                            raise
                        except BaseException:
                            pass
                        elapsed = clock() - start
                        totals[i] += elapsed
                times_o.append(totals[0])
                times_a.append(totals[1])
                rounds += 1
    finally:
        gc.unfreeze()
        if gc_was_enabled:
            gc.enable()
    n = len(blobs)
    info["range"] = speedup_range(times_o, times_a)
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

def empty_result(qualname, failure, call_kind=None):
    """The result of a function that could not be checked."""
    return {"qualname": qualname, "verified": False, "checked_inputs": 0,
            "failures": 1 if failure else 0, "first_failure": failure,
            "failure_kinds": {failure["kind"]: 1} if failure else {},
            "call_kind": call_kind,
            "samples_checked": 0, "generated_checked": 0,
            "skipped_inputs": 0, "unloadable_samples": 0, "inputs_left": 0,
            "time_original_ns": None,
            "time_accelerated_ns": None, "speedup": None,
            "speedup_range": None, "timed_inputs": 0,
            "timed_signatures": []}


def verify_function(spec, orig, accel, samples, args):
    """Check one function; returns its result dict."""
    qualname = spec["qualname"]
    t_orig = resolve(orig.namespace, qualname)
    t_accel = None
    for namespace in (accel.namespace, accel.module):
        t_accel = resolve(namespace, qualname,
                          t_orig.kind if t_orig is not None else None)
        if t_accel is not None:
            break
    if t_orig is None or t_accel is None:
        side = "original source" if t_orig is None else \
            "accelerated package"
        return empty_result(qualname, {
            "input": "", "expected": "", "got": "",
            "kind": "missing", "path": "",
            "detail": "%s has no function %s" % (side, qualname)},
            t_orig.kind if t_orig is not None else None)
    signature = spec.get("signature") or {}
    types_ = signature.get("args") or {}
    func = t_orig.signature_function()
    params = Params(func, types_.keys() if types_ else [])
    if not params.names and params.kinds:
        params.names = list(params.kinds)
    result = empty_result(qualname, None, t_orig.kind)
    blobs, own = [], []
    for item in samples.get(qualname) or []:
        try:
            blob = item if isinstance(item, bytes) else pickle.dumps(
                item, protocol=PICKLE_PROTOCOL)
            sample = orig.unpickle(blob)
            accel.unpickle(blob)
        except Exception:
            result["unloadable_samples"] += 1
            continue
        blobs.append(blob)
        if not own:
            own.append(sample)
    generated = []
    if func is not None:
        # not from a capture: inputs made from one are copies of a
        # graph as big (the signature's own values are made still)
        for inp in generated_inputs(
                params, types_, [] if spec.get("captured_here") else own):
            try:
                blob = pickle.dumps(inp, protocol=PICKLE_PROTOCOL)
                orig.unpickle(blob)
                accel.unpickle(blob)
            except Exception:
                continue
            generated.append(blob)
    timeouts = 0
    name = qualname if t_orig.kind != "function" else \
        qualname.rsplit(".", 1)[-1]
    checker = Checker(orig, accel, t_orig, t_accel, name)
    checker.sync_globals(reset=True)
    guard = MemoryGuard(int(args.memory_headroom_mb * 1024 * 1024))
    deadline = time.perf_counter() + args.check_budget
    result["inputs_left"] = 0
    # the samples timed below: not those a side did not end on in the
    # check (the timing rounds have no timeout)
    call_limit = call_timeout_for(spec, args.call_timeout)
    timeable = []
    last_input = time.perf_counter()
    for source, group in (("samples_checked", blobs),
                          ("generated_checked", generated)):
        for blob in group:
            now = time.perf_counter()
            # past the budget: at least MIN_BUDGET_INPUTS inputs, or
            # one when that one alone took longer than the budget
            if now > deadline and (
                    result["checked_inputs"] >= MIN_BUDGET_INPUTS or (
                        result["checked_inputs"] >= 1
                        and now - last_input > args.check_budget)):
                result["inputs_left"] += 1
                if group is blobs:
                    timeable.append(blob)
                continue
            # After a few inputs that never end in Python, give the
            # original less time, so that the remaining inputs still run.
            limit = call_limit
            if timeouts >= MAX_TIMEOUTS:
                limit = min(limit, SHORT_TIMEOUT)
            last_input = time.perf_counter()
            with guard:
                outcome = checker.check(blob, (limit, call_limit))
            if outcome == "skip":
                timeouts += 1
                result["skipped_inputs"] += 1
                continue
            if group is blobs and (outcome is None
                                   or outcome["kind"] != "timeout"):
                timeable.append(blob)
            result[source] += 1
            result["checked_inputs"] += 1
            if outcome is not None:
                result["failures"] += 1
                kinds = result["failure_kinds"]
                kinds[outcome["kind"]] = kinds.get(outcome["kind"], 0) + 1
                if result["first_failure"] is None:
                    result["first_failure"] = outcome
    result["verified"] = (result["checked_inputs"] > 0
                          and result["failures"] == 0)
    info = {}
    if spec.get("captured_here"):
        # a capture's copies take seconds to load and free, and time
        # it unlike the program's own objects (loaded instances have a
        # __dict__ where the program's keep their values inline: 0.8 s
        # against 0.36 s for World.move): the whole-workload check times
        # it, in the program
        timeable = []
    t_o, t_a = time_function(orig, accel, t_orig, t_accel, timeable,
                             args.repeat_budget, info)
    result["speedup_range"] = info["range"]
    result["timed_inputs"] = info["inputs"]
    result["timed_signatures"] = info["signatures"]
    result["time_original_ns"] = t_o
    result["time_accelerated_ns"] = t_a
    if t_o is not None and t_a:
        result["speedup"] = t_o / float(t_a)
        # the interval is the per-round ratio's: it holds the ratio of
        # the medians too
        rng = result["speedup_range"]
        if rng is not None:
            result["speedup_range"] = [min(rng[0], result["speedup"]),
                                       max(rng[1], result["speedup"])]
    return result


def import_failure(exc, what):
    """A first_failure for an import error."""
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {"input": "", "expected": "", "got": text, "kind": "import",
            "detail": "importing the %s failed" % what, "path": ""}


def make_sides(original, package, stem):
    """The original and accelerated Sides (see the module docstring)."""
    aliases = ("__main__", stem, original.__name__)
    accel_module = getattr(package, "_original", None)
    orig = Side("original", original, original, original,
                (original.__name__,), aliases)
    if isinstance(accel_module, types.ModuleType):
        accel = Side("accelerated", package, accel_module, accel_module,
                     (accel_module.__name__, package.__name__), aliases)
    else:
        accel = Side("accelerated", package, package, original,
                     (original.__name__, package.__name__), aliases)
    setup_globals(orig, accel)
    return orig, accel


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
    captured, missed = capture_samples(args, specs, source, stem, samples)
    for spec in specs:
        spec["captured_here"] = captured.get(spec["qualname"], 0) > 0
    try:
        package = importlib.import_module(args.module)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        failure = import_failure(exc, "accelerated package %s" % args.module)
        return {"functions": [empty_result(s["qualname"], failure)
                              for s in specs]}
    orig, accel = make_sides(original, package, stem)
    signal.signal(signal.SIGALRM, _on_alarm)
    results = []
    for spec in specs:
        results.append(verify_function(spec, orig, accel, samples, args))
        if spec.get("capture"):
            q = spec["qualname"]
            results[-1]["captured"] = captured.get(q, -1)
            if q in missed:
                results[-1]["capture_missed"] = missed[q]
        # what is known so far, for a run the daemon stops at its time
        # limit ("complete": false)
        write_atomic(args.out, json.dumps(
            {"functions": results, "complete": False}, indent=1).encode())
    return {"functions": results, "complete": True}


def capture_samples(args, specs, source, stem, samples):
    """Run the capture (the module docstring's "Captured calls") for the
    specs marked "capture" that have no sample; add what it took to
    samples.  Returns ({qualname: samples captured}, {qualname: why none
    was: "oversized", "unpicklable", "not called"}); a qualname is
    missing from both when the run failed."""
    wanted = [s["qualname"] for s in specs if s.get("capture")
              and not samples.get(s["qualname"])]
    if not wanted or not args.capture_harness:
        return {}, {}
    try:
        workload = json.loads(args.capture_args_json or "[]")
    except ValueError as exc:
        raise HarnessError("--capture-args-json is not JSON: %s" % exc)
    if not isinstance(workload, list) or not all(
            isinstance(a, str) for a in workload):
        raise HarnessError("--capture-args-json must be a list of strings")
    folder = tempfile.mkdtemp(prefix="capture-",
                              dir=os.path.dirname(os.path.abspath(args.out)))
    out = os.path.join(folder, "capture.json")
    pkl = os.path.join(folder, "capture.pkl")
    cmd = [sys.executable, args.capture_harness, "--source", source,
           "--name", stem, "--out", out, "--samples", pkl,
           "--capture-json", json.dumps(wanted),
           "--max-samples", str(CAPTURE_CALLS),
           "--max-sample-bytes", str(args.capture_bytes),
           "--max-total-bytes", str(args.capture_bytes * len(wanted))
           ] + workload
    found, missed = {}, {}
    try:
        # the workload's output is its own business: the child sends
        # its stdout to /dev/null, its stderr (tracebacks) to the log
        try:
            rc = subprocess.call(cmd, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL,
                                 timeout=args.capture_timeout)
        except subprocess.TimeoutExpired:
            sys.__stderr__.write(
                "rustify verify harness: the capture run took longer than "
                "%g s and was stopped\n" % args.capture_timeout)
            return {}, {}
        if rc != 0:
            sys.__stderr__.write(
                "rustify verify harness: the capture run exited %d\n" % rc)
            return {}, {}
        with open(pkl, "rb") as f:
            blobs = pickle.load(f)
        with open(out, "rb") as f:
            report = json.loads(f.read().decode()).get("capture") or {}
        for q in wanted:
            got = blobs.get(q) or []
            found[q] = len(got)
            if got:
                samples[q] = list(got)
            else:
                why = report.get(q) or {}
                missed[q] = (
                    "unpicklable" if why.get("unpicklable") else
                    "oversized" if why.get("oversized") else "not called")
    except (OSError, ValueError, pickle.UnpicklingError, EOFError) as exc:
        sys.__stderr__.write("rustify verify harness: capture: %s\n" % exc)
    finally:
        for name in (out, pkl):
            try:
                os.unlink(name)
            except OSError:
                pass
        try:
            os.rmdir(folder)
        except OSError:
            pass
    return found, missed


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
    parser.add_argument("--repeat-budget", type=float, default=1.0)
    parser.add_argument("--check-budget", type=float, default=3.0)
    parser.add_argument("--call-timeout", type=float, default=2.0)
    parser.add_argument("--memory-headroom-mb", type=float, default=2048)
    parser.add_argument("--capture-harness")
    parser.add_argument("--capture-args-json")
    parser.add_argument("--capture-bytes", type=int, default=128 << 20)
    parser.add_argument("--capture-timeout", type=float, default=300.0)
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
    status = main()
    # OUT.json is written: no teardown (freeing the copies of a program
    # of a million objects the checks leave behind took longer than
    # checking them)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
