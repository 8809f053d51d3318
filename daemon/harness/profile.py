"""rustify profile harness: hot spots, observed types and sample arguments.

This file owns the "profile" stage's child process.  rustifyd writes it to a
job's work folder and runs it with the user's interpreter, with cwd set to
the source file's directory.  It is self-contained (standard library only)
and runs on CPython 3.8-3.13.

Command line::

    python3 profile.py --source /abs/file.py --name STEM --out OUT.json
        --samples SAMPLES.pkl
        [--entry MOD:FUNC | --entry-cmd-json '["script.py", "arg1"]']
        [--iterations N] [--max-samples 32] [--max-sample-bytes 1048576]
        [--max-recorded-calls 1000] [--max-total-bytes 33554432]
        [--record-by probes|trace] [--timing-by sampler|cprofile]

Workload: by default the source runs as __main__ (sys.argv = [source],
sys.path[0] = its directory); --entry imports MOD from the source directory
and calls FUNC() (FUNC may be dotted, e.g. Class.method); --entry-cmd-json
runs argv[0] as __main__ with sys.argv set to the list.  A source without an
``if __name__ == "__main__":`` block and no entry runs nothing and gets
workload.kind "none" with a message saying how to give a workload.

Run 1 (timing) runs the workload, repeated --iterations times, under a
statistical sampler (Sampler, sampler_run): a thread (started with
_thread, so that the program's threading.enumerate() does not list it)
that wakes every SAMPLE_INTERVAL = 0.2 ms and reads every other thread's
running frame (sys._current_frames()); the interpreter's switch interval
is SAMPLE_SWITCH_INTERVAL = 0.2 ms meanwhile (5 ms would let the thread
in 200 times a second), then what it was.  Each sample weighs the CPU
time its thread used since its last one (the thread's pthread CPU
clock), so a long C call counts in full and a sleeping or waiting thread
counts nothing; builtins and C functions count for the Python frame that
called them.  No signal: a timer signal interrupting a partial write to
a pipe made CPython's buffered stdout lose bytes, and a program's own
SIGALRM stays its own.  A thread switch happens only at the
interpreter's checks (a function's entry, a loop's back edge, the end of
a call of C code) or where C code releases the GIL, so a sample lands on
the frame at the next check: one at a function's entry (frame.f_lasti at
its RESUME) counts for the caller, whose code ran since its own last
check.  A function that has no loop and calls no C code (a small method,
an __init__ that stores attributes) so gets no own time; its time is its
callers' (which select their callees with them), where cProfile gave it
its own share plus its per-call overhead.  It costs a few percent of the
program's own time (cProfile cost 2 to 6 times it on call-heavy
programs).  Where no thread can be started, and with --timing-by
cprofile, run 1 is cProfile as before (cprofile_run, attribute(): one
cProfile.Profile per thread, merged).
Run 2 (types, samples and calls) runs the workload once more, on a copy
of the source whose functions carry probes (see instrument() and
probes_run: no trace function, which in CPython 3.11 would make every
instruction of the program run unspecialized and cost 4 to 7 times its
own time), in every thread (the recorder takes a lock, so that threads'
calls are sampled one at a time).  --record-by trace runs it under
sys.settrace instead, as when the source cannot be instrumented.  It
counts every call of every function and method of the file, by caller,
and every generator and coroutine when its body starts; for the first
--max-recorded-calls calls of each it records the exact argument and
return types.  Samples, the (args, kwargs) of a call pickled at call
time (self included for methods), are spread over the whole run with no
call count known beforehand: at the sample points 1, 1 + stride,
1 + 2 * stride, ... (stride 1 at first); when a function holds
--max-samples of them and comes to a point, its stride doubles and the
samples no longer on the grid are dropped, so that between half and all
of --max-samples are kept, one stride apart, from call 1 to the last
stride of the run.  The first call of each new signature among the
recorded ones is a sample too (when full, it replaces one of the
signature that has the most).  Sample points take at most SAMPLE_BUDGET
(10%) of run 2's time plus SAMPLE_BUDGET_BASE: past it, a function that
holds MIN_SAMPLES samples and whose samples cost more than the average
function's passes its points over (sampling.skipped) and doubles its
stride.  Sizes are bounded before anything is pickled: a sample whose
estimated size (a walk of its object graph that stops past the limit,
see estimate_size; skipped while the function's samples pickle small,
the pickler then stopping at INLINE_PICKLE_BYTES) would take the function
past --max-sample-bytes or the file past --max-total-bytes is skipped as
"oversized" (a function's first sample may push out other functions'
extra ones); after OVERSIZED_GIVE_UP of those a function takes no more.
A sample that fails to pickle is skipped as "unpicklable".  Under
sys.settrace, CPython removes a trace function that raises, as it does
when a RecursionError hits on entering it: frames then end unseen, and
the hook is installed again (sampling.trace_restarts) when the first of
them is freed, so calls after a RecursionError are still observed.

OUT.json (written to a temporary file, then renamed)::

    {"python": {"version": "3.11.7", "executable": str,
                "implementation": "cpython", "soabi": str or null,
                "float_sum": "naive" | "compensated"},
     "workload": {"kind": "main" | "entry" | "entry_cmd" | "none" |
                  "error" (the source does not compile: nothing ran),
                  "iterations": int, "exit_code": int or null,
                  "exception": null or {"type", "message", "traceback",
                                        "file", "line"},
                  "wall_time": float seconds of run 1 (the sampler's
                               is about the program's own),
                  "message": str (kind "none" only)},
     "total_time": float, the CPU seconds run 1's samples weighed, every
                   thread's (cProfile: tottime of everything it ran),
     "functions": [{"qualname": str, "line": int (the def line),
                    "ncalls": int, "primitive_calls": int,
                    "tottime": float, "cumtime": float, "share": 0..1,
                    "self_share": 0..1 (= share: tottime / total_time),
                    "time_share": 0..1 (inclusive: see attribute()),
                    "callees": [{"qualname": str, "calls": int}],
                    "signatures": [{"args": {"param": "type", ...},
                                    "return": "type" | "raises Exc" | null,
                                    "count": int}],
                    "samples": int, "unpicklable": int, "oversized": int,
                    "traced_calls": int, "sample_calls": [int],
                    "sample_bytes": int}],
     "sampling": {"max_samples": int, "max_sample_bytes": int,
                  "max_total_bytes": int, "samples_bytes": int,
                  "trace_restarts": int, "record_by": "probes" | "trace",
                  "timing_by": "sampler" | "cprofile",
                  "time_samples": int (run 1's samples; null: cProfile),
                  "skipped": int (sample points the budget passed over)},
     "phase_times": {"timing": s, "types": s, "samples": s}}

functions lists every def of the file (ncalls 0 if never called), sorted by
tottime descending.  Times come from run 1, statistical with the
sampler: tottime is the CPU time of the samples whose innermost frame
is the def's own code (builtins and C functions it called included;
not its comprehensions, generator expressions and lambdas, nor other
files' Python functions); cumtime that of the samples with the def
anywhere on the stack (at least tottime); share = self_share = tottime /
total_time; time_share = (tottime + its comprehensions', generator
expressions' and lambdas' + its nested defs' time_share time) /
total_time, as attribute() defines it for cProfile.  Calls come from
run 2, multiplied by --iterations (run 2 runs the workload once):
ncalls every call (a generator's or coroutine's: its body starting);
primitive_calls those not made by the function itself (direct recursion;
a call through another function counts as primitive, cProfile's did
not); callees the file's module functions and methods (no <locals>) the
function called, with counts: a call's caller is the nearest frame
below it of a plain function of the file (a generator, comprehension,
lambda or other file's frame is looked through: a generator's calls are
its consumer's; cProfile's were the generator's, a callback's through a
builtin none).  Once the workload started threads, an edge counts only
if a probed call (a recorded one or a sample point) saw it on its frames,
as a thread switch between a call's start and end can make the probes'
caller wrong; its count may then be off.  exit_code is 0 when the workload returned, the
SystemExit code when it exited, null when it raised another exception
(then "exception" says which).  Signatures are the distinct ones, most
frequent first, at most 8; "return" is null when the return was not seen
(generators, coroutines).  Type strings: int, float, bool, str, bytes,
complex, None, list[T], tuple[T1, T2] (tuple[T, ...] when longer than 8),
tuple[()], dict[K, V], set[T], frozenset[T], numpy.ndarray[dtype, ndim],
other objects module.QualName (builtins without module); unions "A | B"
(sorted); empty containers list[Never], dict[Never, Never]; nesting deeper
than 4 is "...".  Container element types come from at most 16 elements.

traced_calls: calls run 2 counted (= ncalls / --iterations); sample_calls: the call number (1 = first call in run 2) of
each kept sample, ascending; sample_bytes: their pickled size.  A
property's getter and setter are two entries with the same qualname.

SAMPLES.pkl: pickle of {qualname: [blob, ...]}, each blob (bytes) the
pickle of one call's (args_tuple, kwargs_dict), each function's samples in
call order (a property's getter samples are (self,), its setter's (self,
value), under the property's qualname).  Blobs are loaded one by one, so
that each side of verify.py loads them with its own classes and one that
does not load spoils nothing else; an instance of a class defined in a
script run as __main__ pickles as __main__.Class (verify.py maps that
module name to the source).  (Before blobs, the lists held the
(args, kwargs) tuples themselves; verify.py reads both.)

The user's program owns stdout and stderr.  The harness exits 0 whenever it
wrote OUT.json, and 2 with one message on stderr when it failed itself.
"""

import argparse
import ast
import copyreg
import builtins
import dis
import gc
import inspect
import itertools
import json
import marshal
import operator
import os
import pickle
import platform
import pstats
import random
import sys
import sysconfig
import tempfile
import threading
import time
import traceback
import types
import _thread

# This file is named profile.py: keep its own folder off sys.path so that
# "import profile" (done by cProfile) finds the standard library module.
_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path
               if os.path.realpath(p or os.curdir) != _HERE]

import cProfile  # noqa: E402  (after the sys.path fix above)

MAX_SIGNATURES = 8
ELEMENT_SAMPLE = 16
MAX_DEPTH = 4
TUPLE_FIXED_MAX = 8
PICKLE_PROTOCOL = 4
TRACEBACK_LIMIT = 20000
# Samples: the whole SAMPLES.pkl (--max-total-bytes).
MAX_TOTAL_BYTES = 32 << 20
# Objects a size estimate enters; past them, the pickler itself is capped.
WALK_NODE_LIMIT = 5000
# Estimates that could not tell after which a function's samples go
# straight to the capped pickler.
UNSIZED_GIVE_UP = 2
# Oversized samples after which a function takes no more.
OVERSIZED_GIVE_UP = 8
# Every WATCH_EVERY-th call past the recorded ones carries a Watch, so that
# tracing comes back after a RecursionError removed it.
WATCH_EVERY = 16
NO_WORKLOAD_MESSAGE = (
    "no workload: the file has no `if __name__ == '__main__':` block and "
    "no top-level statements beyond definitions, imports and constant "
    "assignments, so profiling has nothing to run. To give a workload: add "
    "an "
    "if __name__ == '__main__': block that calls the functions on realistic "
    "inputs, or pass --entry MODULE:FUNCTION or --entry-cmd \"SCRIPT ARGS\"")

_RETURN_OPS = frozenset(dis.opmap[name] for name in
                        ("RETURN_VALUE", "RETURN_CONST") if name in dis.opmap)
_NOT_TRACED_FLAGS = (inspect.CO_GENERATOR | inspect.CO_COROUTINE
                     | inspect.CO_ITERABLE_COROUTINE
                     | inspect.CO_ASYNC_GENERATOR)


class HarnessError(Exception):
    """An error of the harness itself (exit status 2)."""


# ---------------------------------------------------------------- source

def function_table(tree):
    """Return the functions defined in a module syntax tree.

    Each entry is a dict with qualname, name, line (of the def), first_line
    (of the first decorator, or the def) and params (names, in parameter
    order).
    """
    out = []

    def params_of(node):
        a = node.args
        names = [p.arg for p in getattr(a, "posonlyargs", [])]
        names += [p.arg for p in a.args]
        if a.vararg is not None:
            names.append(a.vararg.arg)
        names += [p.arg for p in a.kwonlyargs]
        if a.kwarg is not None:
            names.append(a.kwarg.arg)
        return names

    def visit(body_nodes, prefix):
        for node in body_nodes:
            walk(node, prefix)

    def walk(node, prefix):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            qualname = prefix + node.name
            first = node.lineno
            for dec in node.decorator_list:
                first = min(first, dec.lineno)
            out.append({"qualname": qualname, "name": node.name,
                        "line": node.lineno, "first_line": first,
                        "end_line": getattr(node, "end_lineno", None)
                        or node.lineno,
                        "params": params_of(node)})
            visit(node.body, qualname + ".<locals>.")
            return
        if isinstance(node, ast.ClassDef):
            visit(node.body, prefix + node.name + ".")
            return
        if isinstance(node, (ast.Lambda, ast.expr)):
            return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                walk(child, prefix)
            elif isinstance(child, ast.excepthandler):
                visit(child.body, prefix)
            elif type(child).__name__ == "match_case":
                visit(child.body, prefix)

    visit(tree.body, "")
    return out


def has_main_block(tree):
    """True when the module has a top-level `if __name__ == "__main__":`."""
    for node in tree.body:
        if not isinstance(node, ast.If):
            continue
        test = node.test
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1
                and isinstance(test.ops[0], ast.Eq)):
            continue
        sides = [test.left, test.comparators[0]]
        names = [s for s in sides
                 if isinstance(s, ast.Name) and s.id == "__name__"]
        consts = [s for s in sides if isinstance(s, ast.Constant)
                  and s.value == "__main__"]
        if names and consts:
            return True
    return False


def _is_constant(node):
    """A literal value (what ast.literal_eval accepts)."""
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError,
            RecursionError):
        return False
    return True


def has_toplevel_code(tree):
    """True when the module runs something of its own at import: a
    top-level statement beyond definitions, imports, docstrings, `pass`
    and assignments of literal values (a script, run as __main__ the way
    `python -m cProfile prog.py` runs it)."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef, ast.Import, ast.ImportFrom,
                             ast.Pass)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value,
                                                     ast.Constant):
            continue
        if isinstance(node, ast.Assign) and _is_constant(node.value):
            continue
        if isinstance(node, ast.AnnAssign) and (
                node.value is None or _is_constant(node.value)):
            continue
        return True
    return False


# ---------------------------------------------------------------- types

def _union(strings):
    """Join type strings as a sorted, deduplicated union."""
    items = sorted(set(strings))
    if not items:
        return "Never"
    return " | ".join(items)


def _sample_indices(n):
    """Indices of at most ELEMENT_SAMPLE elements: ends and some middle."""
    if n <= ELEMENT_SAMPLE:
        return range(n)
    head = list(range(6))
    tail = list(range(n - 5, n))
    step = (n - 11) / 6.0
    middle = [6 + int(step * (k + 1)) for k in range(5)]
    return sorted(set(head + middle + tail))


def type_name(value, depth=0):
    """Return the exact type of value as a type string (see docstring)."""
    t = type(value)
    if value is None:
        return "None"
    if t in (int, float, bool, str, bytes, complex):
        return t.__name__
    if depth >= MAX_DEPTH and t in (list, tuple, dict, set, frozenset):
        return "..."
    if t is list:
        if not value:
            return "list[Never]"
        return "list[%s]" % _union(type_name(value[i], depth + 1)
                                   for i in _sample_indices(len(value)))
    if t is tuple:
        n = len(value)
        if n == 0:
            return "tuple[()]"
        if n <= TUPLE_FIXED_MAX:
            inner = [type_name(v, depth + 1) for v in value]
            return "tuple[%s]" % ", ".join(inner)
        return "tuple[%s, ...]" % _union(type_name(value[i], depth + 1)
                                         for i in _sample_indices(n))
    if t is dict:
        if not value:
            return "dict[Never, Never]"
        if len(value) <= ELEMENT_SAMPLE:
            keys = list(value)
        else:
            half = ELEMENT_SAMPLE // 2
            keys = (list(itertools.islice(value, half))
                    + list(itertools.islice(reversed(value), half)))
        return "dict[%s, %s]" % (
            _union(type_name(k, depth + 1) for k in keys),
            _union(type_name(value[k], depth + 1) for k in keys))
    if t is set or t is frozenset:
        if not value:
            return "%s[Never]" % t.__name__
        return "%s[%s]" % (t.__name__, _union(
            type_name(v, depth + 1)
            for v in itertools.islice(value, ELEMENT_SAMPLE)))
    module = getattr(t, "__module__", None)
    qualname = getattr(t, "__qualname__", t.__name__)
    if module == "numpy" and t.__name__ == "ndarray":
        return "numpy.ndarray[%s, %s]" % (getattr(value, "dtype", "?"),
                                          getattr(value, "ndim", "?"))
    if module in (None, "builtins"):
        return qualname
    return "%s.%s" % (module, qualname)


def exception_name(exc_type):
    """Return 'raises X' for an exception class."""
    module = getattr(exc_type, "__module__", "builtins")
    name = getattr(exc_type, "__qualname__", repr(exc_type))
    if module in (None, "builtins"):
        return "raises " + name
    return "raises %s.%s" % (module, name)


# ---------------------------------------------------------------- workload

class Workload:
    """Runs the user's program in one of three ways, and restores state."""

    def __init__(self, args, source):
        self.source = source
        self.source_dir = os.path.dirname(source)
        self.kind = "main"
        self.entry = None
        self.argv = [source]
        if args.entry:
            self.kind = "entry"
            mod, sep, func = args.entry.partition(":")
            if not sep or not mod or not func:
                raise HarnessError("--entry must be MODULE:FUNCTION, got %r"
                                   % args.entry)
            self.entry = (mod, func)
        elif args.entry_cmd_json is not None:
            self.kind = "entry_cmd"
            try:
                argv = json.loads(args.entry_cmd_json)
            except ValueError as exc:
                raise HarnessError("--entry-cmd-json is not JSON: %s" % exc)
            if (not isinstance(argv, list) or not argv
                    or not all(isinstance(a, str) for a in argv)):
                raise HarnessError("--entry-cmd-json must be a non-empty "
                                   "JSON list of strings")
            script = os.path.abspath(argv[0])
            if not os.path.isfile(script):
                raise HarnessError("entry script not found: %s" % argv[0])
            self.argv = [script] + argv[1:]
        self.main_module = None
        self._codes = {}
        # run 2 (probes_run): the instrumented code of the source, or None
        self.code_for = None

    def _code(self, path):
        """Compile a script once and cache its code object."""
        if self.code_for is not None:
            code = self.code_for(path)
            if code is not None:
                return code
        code = self._codes.get(path)
        if code is None:
            with open(path, "rb") as f:
                code = compile(f.read(), path, "exec", dont_inherit=True)
            self._codes[path] = code
        return code

    def _run_script(self, path, argv):
        """Run a script as __main__ as runpy.run_path would."""
        code = self._code(path)
        module = types.ModuleType("__main__")
        module.__dict__.update({"__file__": path, "__cached__": None,
                                "__loader__": None, "__package__": None,
                                "__spec__": None,
                                "__builtins__": builtins})
        self.main_module = module
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = module
        sys.argv = list(argv)
        try:
            exec(code, module.__dict__)
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved

    def prepare(self):
        """Import the entry module (outside the timed region)."""
        if self.kind != "entry":
            return None
        import importlib
        mod_name, func_path = self.entry
        self._setup_paths()
        module = importlib.import_module(mod_name)
        obj = module
        for part in func_path.split("."):
            obj = getattr(obj, part)
        return obj

    def _setup_paths(self):
        first = self.source_dir
        if self.kind == "entry_cmd":
            first = os.path.dirname(self.argv[0])
        rest = [p for p in sys.path if p not in (first, self.source_dir)]
        sys.path[:] = [first] + ([self.source_dir]
                                 if self.source_dir != first else []) + rest

    def run_once(self, func):
        """Run the workload once (func is the prepared entry function)."""
        self._setup_paths()
        if self.kind == "entry":
            sys.argv = [self.source]
            func()
        elif self.kind == "entry_cmd":
            self._run_script(self.argv[0], self.argv)
        else:
            self._run_script(self.source, [self.source])


def run_guarded(body):
    """Run body(); return (exit_code, exception dict or None)."""
    saved_argv = list(sys.argv)
    saved_path = list(sys.path)
    saved_cwd = os.getcwd()
    saved_streams = (sys.stdout, sys.stderr, sys.stdin)
    exit_code, exception = 0, None
    try:
        body()
    except SystemExit as exc:
        code = exc.code
        if code is None:
            exit_code = 0
        elif isinstance(code, int):
            exit_code = code
        else:
            exit_code = 1
    except BaseException as exc:  # the user's exception, recorded
        exit_code = None
        exception = describe_exception(exc)
    finally:
        sys.settrace(None)
        threading.settrace(None)
        threading.setprofile(None)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        sys.stdout, sys.stderr, sys.stdin = saved_streams
        sys.argv[:] = saved_argv
        sys.path[:] = saved_path
        try:
            os.chdir(saved_cwd)
        except OSError:
            pass
    return exit_code, exception


def exception_place(exc, tb, source=None):
    """(file, line) an exception points at: a SyntaxError's own, else the
    deepest frame of the source file, else the deepest frame."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return os.path.abspath(exc.filename), exc.lineno
    place = (None, None)
    in_source = None
    real = os.path.realpath(source) if source else None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        place = (os.path.abspath(filename), tb.tb_lineno)
        if real and os.path.realpath(filename) == real:
            in_source = place
        tb = tb.tb_next
    return in_source or place


def describe_exception(exc, source=None):
    """Return {"type", "message", "traceback", "file", "line"} without
    harness frames; file and line say where it points (exception_place),
    null when nowhere."""
    tb = exc.__traceback__
    while tb is not None and os.path.realpath(
            tb.tb_frame.f_code.co_filename) == os.path.realpath(__file__):
        tb = tb.tb_next
    filename, line = exception_place(exc, tb, source or _SOURCE[0])
    try:
        text = "".join(traceback.format_exception(type(exc), exc, tb))
    except Exception:
        text = ""
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable %s>" % type(exc).__name__
    t = type(exc)
    name = t.__qualname__
    if t.__module__ not in ("builtins", None):
        name = "%s.%s" % (t.__module__, name)
    return {"type": name, "message": message,
            "traceback": text[-TRACEBACK_LIMIT:],
            "file": filename, "line": line}


# the source being profiled (run() sets it), where exceptions point first
_SOURCE = [None]


# ---------------------------------------------------------------- run 1

class _Stats:
    """What pstats.Stats reads a profile from: one thread's stats."""

    def __init__(self, stats):
        self.stats = stats

    def create_stats(self):
        pass


class ThreadProfilers:
    """A cProfile.Profile for each thread the workload starts (cProfile
    profiles only the thread that enables it).

    install() wraps threading.Thread._bootstrap_inner, which every thread
    started through threading runs in the new thread before run(): the
    thread's profiler is enabled there, so run() itself is seen (a
    Thread subclass's own run too).  Where that method does not exist,
    threading.setprofile does it on the thread's first event, the call of
    run(), which is then not counted.  The frames already running when
    profiling starts end unmatched, which cProfile ignores.
    """

    def __init__(self):
        self.profilers = []
        self.saved = None

    def _new(self):
        profiler = cProfile.Profile()
        self.profilers.append(profiler)
        return profiler

    def start(self, frame, event, arg):
        """threading.setprofile's function."""
        sys.setprofile(None)
        self._new().enable()

    def install(self):
        saved = threading.Thread.__dict__.get("_bootstrap_inner")
        if saved is None:
            threading.setprofile(self.start)
            return
        new = self._new

        def _bootstrap_inner(thread):
            profiler = new()
            profiler.enable()
            try:
                saved(thread)
            finally:
                profiler.disable()

        self.saved = saved
        threading.Thread._bootstrap_inner = _bootstrap_inner

    def remove(self):
        threading.setprofile(None)
        if self.saved is not None:
            threading.Thread._bootstrap_inner = self.saved
            self.saved = None

    def merged(self, main):
        """The stats dict of the main profiler plus every thread's."""
        main.create_stats()
        stats = pstats.Stats(_Stats(main.stats))
        for profiler in list(self.profilers):
            # snapshot_stats does not disable: that would act on this
            # thread, and a thread still running keeps its profiler
            profiler.snapshot_stats()
            stats.add(_Stats(profiler.stats))
        return stats.stats


def cprofile_run(workload, iterations, source_real, table):
    """Profile the workload with cProfile; return timing data (the
    fallback of sampler_run)."""
    stats = {}
    state = {"func": None}

    def prepare():
        state["func"] = workload.prepare()

    exit_code, exception = run_guarded(prepare)
    profiler = cProfile.Profile()
    threads = ThreadProfilers()
    wall = 0.0
    if exception is None and (exit_code == 0 or workload.kind != "entry"):
        def body():
            threads.install()
            profiler.enable()
            try:
                for _ in range(iterations):
                    workload.run_once(state["func"])
            finally:
                profiler.disable()
                threads.remove()
        start = time.perf_counter()
        exit_code, exception = run_guarded(body)
        wall = time.perf_counter() - start
        stats = threads.merged(profiler)
    total, per_func, inclusive, callees = attribute(stats, source_real,
                                                    table)
    return {"exit_code": exit_code, "exception": exception, "wall": wall,
            "total": total, "per_func": per_func, "inclusive": inclusive,
            "callees": callees}


# Run 1 by default: a statistical profiler.  cProfile's hook costs 2 to 6
# times a call-heavy program's own time; a thread that looks at the
# running frames every SAMPLE_INTERVAL costs a few percent.  A timer
# signal would be cheaper to deliver, but CPython's buffered writes lose
# data when a signal interrupts a partial write to a pipe (a program's
# output, cut, under the profiler), so the sampler is a thread.  Each
# sample weighs the CPU time its thread used since the one before (each
# thread's CPU clock): a sleeping program gets samples of no weight, a
# long C call one sample of its whole time.
SAMPLE_INTERVAL = 0.0002
# While run 1 samples, the interpreter's switch interval is this (it
# gives the GIL to the sampler thread at its checks: 5 ms by default,
# which would allow 200 samples a second), then what it was.
SAMPLE_SWITCH_INTERVAL = 0.0002
# frames a sample walks for cumulative time (deeper recursion is cut)
MAX_STACK_WALK = 10000


_RESUME = dis.opmap.get("RESUME", -1)


def _resume_offset(code):
    """The byte offset of a code's RESUME (its entry check), -1 when it
    has none (before 3.11: every sample is where it is)."""
    co = code.co_code
    for i in range(0, len(co), 2):
        if co[i] == _RESUME:
            return i
    return -1


class Sampler:
    """Run 1's statistical profiler (see sampler_run): a thread started
    with _thread (not threading: the program's threading.enumerate() and
    active_count() do not see it) that wakes every SAMPLE_INTERVAL and
    reads sys._current_frames()."""

    def __init__(self, source_real, table):
        self.by_line, self.owner = code_owners(source_real, table)
        # id(code) -> (own key, inner key); the codes are kept so that no
        # id is reused
        self.codes = {}
        # id(code) -> its RESUME offset (the code is in kept)
        self.entries = {}
        self.kept = []
        self.own = {}
        self.inner = {}
        self.cum = {}
        self.total = 0.0
        self.samples = 0
        self.ident = None
        self.clock_of = getattr(time, "pthread_getcpuclockid", None)
        self.seen = {}
        self.running = False
        self.done = None
        self.saved_interval = None

    def _classify(self, code):
        label = (code.co_filename, code.co_firstlineno, code.co_name)
        key = self.owner(label)
        own = key if key is not None and self.by_line.get(
            (code.co_firstlineno, code.co_name)) == key else None
        info = (own, key if own is None else None, key)
        self.kept.append(code)
        self.codes[id(code)] = info
        return info

    def sample_once(self):
        """One look at every thread but the sampler's, each weighed by
        its CPU time since its last sample (or, with no per-thread
        clock, the wall time)."""
        frames = sys._current_frames()
        seen = self.seen
        for ident, frame in frames.items():
            if ident == self.ident:
                continue
            try:
                if self.clock_of is not None:
                    now = time.clock_gettime(self.clock_of(ident))
                else:
                    now = time.perf_counter()
            except Exception:
                continue
            last = seen.get(ident)
            seen[ident] = now
            if last is None:
                continue
            w = now - last
            if w > 0:
                self.add(frame, w)
        if len(seen) > 2 * len(frames) + 8:
            for ident in list(seen):
                if ident not in frames:
                    del seen[ident]

    def loop(self):
        self.ident = _thread.get_ident()
        try:
            while self.running:
                time.sleep(SAMPLE_INTERVAL)
                if self.running:
                    self.sample_once()
        except Exception:
            pass
        finally:
            self.done.release()

    def add(self, frame, w):
        """One sample of weight w seconds: its innermost frame gets own
        time, every table function on the stack cumulative time."""
        self.samples += 1
        self.total += w
        codes = self.codes
        code = frame.f_code
        # CPython runs the handler only at its checks: a function's entry
        # (RESUME), a loop's back edge, the end of a call of C code.  A
        # sample seen at a function's entry came while its caller ran
        # (the code since the caller's last check): the caller's.  Without
        # this, a small method called in a loop got the loop's time
        # (Vec.__init__ 26 % of a ray tracer, 7 % under cProfile).
        if frame.f_back is not None:
            entry = self.entries.get(id(code))
            if entry is None:
                entry = self.entries[id(code)] = _resume_offset(code)
                self.kept.append(code)
            if frame.f_lasti <= entry:
                frame = frame.f_back
                code = frame.f_code
        info = codes.get(id(code)) or self._classify(code)
        if info[0] is not None:
            self.own[info[0]] = self.own.get(info[0], 0.0) + w
        elif info[1] is not None:
            self.inner[info[1]] = self.inner.get(info[1], 0.0) + w
        seen = set()
        cum = self.cum
        depth = 0
        while frame is not None and depth < MAX_STACK_WALK:
            code = frame.f_code
            info = codes.get(id(code)) or self._classify(code)
            key = info[2]
            if key is not None and key not in seen:
                seen.add(key)
                cum[key] = cum.get(key, 0.0) + w
            frame = frame.f_back
            depth += 1

    def start(self):
        """Start sampling; False when no thread can be started."""
        self.done = _thread.allocate_lock()
        self.done.acquire()
        self.running = True
        try:
            self.saved_interval = sys.getswitchinterval()
            sys.setswitchinterval(SAMPLE_SWITCH_INTERVAL)
            # every thread's clock starts now
            self.sample_once()
            _thread.start_new_thread(self.loop, ())
        except Exception:
            self.running = False
            self.restore()
            return False
        return True

    def stop(self):
        """Stop the thread (after its sample under way) and take the
        last sample."""
        if not self.running:
            return
        self.running = False
        self.done.acquire()
        self.sample_once()
        self.restore()

    def restore(self):
        if self.saved_interval is not None:
            sys.setswitchinterval(self.saved_interval)
            self.saved_interval = None

    def timing(self, table):
        """The timing dict of timing_run."""
        per_func = {}
        inclusive = {}
        for entry in table:
            key = (entry["qualname"], entry["line"])
            tt = self.own.get(key, 0.0)
            ct = max(self.cum.get(key, 0.0), tt)
            if tt or ct:
                per_func[key] = [0, 0, tt, ct]
            inc = tt + self.inner.get(key, 0.0)
            if inc:
                inclusive[key] = inc
        fold_nested(inclusive, table)
        return self.total, per_func, inclusive



def sampler_run(workload, iterations, source_real, table):
    """Profile the workload with Sampler; return timing data, or None
    when no sampler thread could be started (then cProfile it is)."""
    state = {"func": None}

    def prepare():
        state["func"] = workload.prepare()

    exit_code, exception = run_guarded(prepare)
    sampler = Sampler(source_real, table)
    wall = 0.0
    if exception is None and (exit_code == 0 or workload.kind != "entry"):
        box = {"started": False}

        def body():
            if not sampler.start():
                return
            box["started"] = True
            try:
                for _ in range(iterations):
                    workload.run_once(state["func"])
            finally:
                sampler.stop()
        start = time.perf_counter()
        exit_code, exception = run_guarded(body)
        wall = time.perf_counter() - start
        if not box["started"]:
            return None
    total, per_func, inclusive = sampler.timing(table)
    return {"exit_code": exit_code, "exception": exception, "wall": wall,
            "total": total, "per_func": per_func, "inclusive": inclusive,
            "callees": {}, "by": "sampler", "samples": sampler.samples}


def timing_run(workload, iterations, source_real, table, by="sampler"):
    """Run 1: the sampler, or cProfile where no sampler thread can start
    (or by says so)."""
    timing = None
    if by == "sampler":
        timing = sampler_run(workload, iterations, source_real, table)
    if timing is None:
        timing = cprofile_run(workload, iterations, source_real, table)
        timing["by"] = "cprofile"
    return timing


# Code objects of the source that are not defs of the table: they run
# inside the function whose lines hold them, and become native with it.
_INNER_CODE_NAMES = ("<listcomp>", "<genexpr>", "<lambda>", "<setcomp>",
                     "<dictcomp>")


def code_owners(source_real, table):
    """(by_line, owner): by_line maps (def line, name) -> table key (a
    def's own code: its def line, or its first decorator's); owner(label)
    is the table key a code object (file, first line, name) runs as part
    of: a def's own, or a comprehension's, generator expression's or
    lambda's of the source (by file and line range: the innermost def
    whose lines hold it), else None."""
    by_line = {}
    for entry in table:
        key = (entry["qualname"], entry["line"])
        by_line[(entry["line"], entry["name"])] = key
        by_line[(entry["first_line"], entry["name"])] = key
    # innermost function whose lines hold a line: the one that starts last
    spans = sorted(((e["first_line"], e.get("end_line") or e["line"],
                     (e["qualname"], e["line"])) for e in table),
                   key=lambda t: t[0])
    real_cache = {}

    def in_source(filename):
        real = real_cache.get(filename)
        if real is None:
            real = real_cache[filename] = os.path.realpath(filename)
        return real == source_real

    owners = {}

    def owner(label):
        """The table function a profiled code object runs as part of."""
        if label in owners:
            return owners[label]
        filename, line, name = label
        key = None
        if filename != "~" and in_source(filename):
            key = by_line.get((line, name))
            if key is None and name in _INNER_CODE_NAMES:
                for first, last, k in spans:
                    if first <= line <= last:
                        key = k
        owners[label] = key
        return key

    return by_line, owner


def fold_nested(inclusive, table):
    """Add nested defs' inclusive time into their enclosing functions'
    (the innermost first), in place."""
    for key in sorted(inclusive, key=lambda k: -k[0].count("<locals>")):
        q = key[0]
        cut = q.rfind(".<locals>.")
        if cut < 0:
            continue
        outer = q[:cut]
        for other in table:
            okey = (other["qualname"], other["line"])
            if other["qualname"] == outer and \
                    other["first_line"] <= key[1] <= \
                    (other.get("end_line") or other["line"]):
                inclusive[okey] = inclusive.get(okey, 0.0) + inclusive[key]
                break
    return inclusive


def attribute(stats, source_real, table):
    """Own and inclusive time of the table's functions, and their callees.

    stats is a pstats dict {(file, line, name): (cc, nc, tt, ct,
    callers)}, callers {(file, line, name): (nc, cc, tt, ct)} with the
    callee's time when called from that caller.  A function's inclusive
    time is its own, plus its comprehensions', generator expressions' and
    lambdas' (found by file and line range), plus its nested defs'
    inclusive time, plus the time of the builtins and C functions it (or
    those) call directly, as cProfile splits it by caller.  callees maps
    a function to the module functions and methods (no <locals>) it
    calls, with their call counts.
    """
    by_line, owner = code_owners(source_real, table)
    total = 0.0
    per_func = {}
    extra = {}
    callees = {}
    for label, (cc, nc, tt, ct, callers) in stats.items():
        filename, line, name = label
        if filename == "~" and "_lsprof.Profiler" in name:
            continue
        total += tt
        key = owner(label)
        if filename == "~":
            # a builtin: its time when called from each caller
            for caller, value in callers.items():
                k = owner(caller)
                if k is not None:
                    extra[k] = extra.get(k, 0.0) + value[2]
            continue
        if key is None:
            continue
        if by_line.get((line, name)) == key:
            acc = per_func.setdefault(key, [0, 0, 0.0, 0.0])
            acc[0] += nc
            acc[1] += cc
            acc[2] += tt
            acc[3] += ct
            if "<locals>" not in key[0]:
                for caller, value in callers.items():
                    k = owner(caller)
                    if k is not None and k != key:
                        calls = callees.setdefault(k, {})
                        calls[key] = calls.get(key, 0) + value[0]
        else:
            extra[key] = extra.get(key, 0.0) + tt
    inclusive = {}
    for key, acc in per_func.items():
        inclusive[key] = acc[2]
    for key, t in extra.items():
        inclusive[key] = inclusive.get(key, 0.0) + t
    fold_nested(inclusive, table)
    return total, per_func, inclusive, callees


# ---------------------------------------------------------------- sizes

_ATOM_SIZES = {type(None): 1, bool: 1, float: 9, complex: 19}


def _atom_size(value):
    """Pickled size of a scalar, or None when value is not one."""
    t = type(value)
    size = _ATOM_SIZES.get(t)
    if size is not None:
        return size
    if t is int:
        return 2 + (value.bit_length() >> 3)
    if t is str:
        n = len(value)
        return n + 5 if value.isascii() else 3 * n + 5
    if t is bytes or t is bytearray:
        return len(value) + 5
    return None


def _own_dict(obj):
    """obj.__dict__ without calling a class's __getattr__, or None."""
    try:
        d = object.__getattribute__(obj, "__dict__")
    except Exception:
        return None
    return d if isinstance(d, dict) else None


# In CPython 3.11 and 3.12 an instance keeps its attributes inline until
# something asks for its __dict__: from then on every attribute access of
# it takes a slower path, for the rest of the run (nbody's bodies: 2.3
# times slower after one sample had pickled them).  Samples and size
# estimates read such an instance's attributes one by one instead
# (inline_state), by the names the source uses as attributes.
_MANAGED_DICT = 1 << 4
_HEAPTYPE = 1 << 9
_INLINE_VALUES = sys.version_info[:2] in ((3, 11), (3, 12))
# the attribute names of the source (run() fills it)
ATTR_NAMES = set()
_plain_types = {}
_learned_names = {}


def _is_plain_instance_type(t):
    """Instances of t hold their state inline and pickle the default way
    (copyreg.__newobj__(t), then their attributes)."""
    known = _plain_types.get(t)
    if known is None:
        import copyreg
        known = bool(
            _INLINE_VALUES and t.__flags__ & _MANAGED_DICT
            and t.__itemsize__ == 0 and t.__mro__[-1] is object
            and all(c.__flags__ & _HEAPTYPE and "__slots__" not in c.__dict__
                    for c in t.__mro__[:-1])
            and getattr(t, "__reduce_ex__", None) is object.__reduce_ex__
            and getattr(t, "__reduce__", None) is object.__reduce__
            and getattr(t, "__getstate__", None) is getattr(
                object, "__getstate__", None)
            and not hasattr(t, "__getnewargs_ex__")
            and not hasattr(t, "__getnewargs__")
            and t not in copyreg.dispatch_table)
        if known:
            # names the class itself binds as data descriptors are not
            # read (a property would run)
            data = set()
            for c in t.__mro__:
                for name, value in c.__dict__.items():
                    if hasattr(type(value), "__set__") or hasattr(
                            type(value), "__delete__"):
                        data.add(name)
            known = frozenset(data)
        _plain_types[t] = known
    return known is not False


def inline_state(obj):
    """obj's attributes as a dict, read without making its __dict__; None
    when they cannot all be told apart (then obj.__dict__ it is)."""
    t = type(obj)
    if not _is_plain_instance_type(t):
        return None
    refs = gc.get_referents(obj)
    # the values in the order of the keys the class's instances share,
    # then the class (or the __dict__ made already, then the class)
    if not refs or refs[-1] is not t:
        return None
    values = refs[:-1]
    learned = _learned_names.get(t, ())
    if len(learned) == len(values):
        # the usual case: the names found on an instance before, in
        # the same order
        try:
            got = [object.__getattribute__(obj, name) for name in learned]
        except Exception:
            got = ()
        if all(a is b for a, b in zip(got, values)) and \
                len(got) == len(values):
            return dict(zip(learned, got))
    ids = {}
    for i, v in enumerate(values):
        ids.setdefault(id(v), []).append(i)
    data = _plain_types[t]
    for names in (learned, ATTR_NAMES):
        found = []
        for name in names:
            if name in data:
                continue
            try:
                v = object.__getattribute__(obj, name)
            except Exception:
                continue
            at = ids.get(id(v))
            if at is not None:
                found.append((name, v))
        if len(found) == len(values):
            break
    else:
        return None
    taken = {}
    placed = []
    for name, v in found:
        at = ids[id(v)]
        k = taken.get(id(v), 0)
        if k >= len(at):
            return None
        taken[id(v)] = k + 1
        placed.append((at[k], name, v))
    placed.sort(key=lambda e: e[0])
    if names is not learned:
        _learned_names[t] = tuple(name for _, name, _ in placed)
    return {name: v for _, name, v in placed}


def _slot_names(t, cache={}):
    names = cache.get(t)
    if names is None:
        try:
            import copyreg
            names = tuple(copyreg._slotnames(t))
        except Exception:
            names = ()
        cache[t] = names
    return names


def estimate_size(root, cap, node_limit=None):
    """Estimate the pickled size of root without pickling it.

    Walks the object graph (shared objects count once, as pickle memoizes
    them) and stops as soon as the estimate passes cap: the result is
    then larger than cap.  A list, tuple, set or dict longer than 64 is
    estimated from 16 of its elements.  Returns None when node_limit
    objects were entered before the walk could tell.
    """
    if node_limit is None:
        node_limit = WALK_NODE_LIMIT
    state = [0, node_limit, set(), set()]  # total, objects left, seen, classes
    stack = [root]
    while stack:
        _walk_one(stack.pop(), stack, state)
        if state[0] > cap:
            return state[0]
        if state[1] < 0:
            return None
    return state[0]


def _walk_one(obj, stack, state):
    """Count one object of an estimate; push what it holds."""
    size = _atom_size(obj)
    if size is not None:
        state[0] += size
        return
    seen = state[2]
    key = id(obj)
    if key in seen:
        state[0] += 2
        return
    seen.add(key)
    state[1] -= 1
    t = type(obj)
    if t is list or t is tuple or t is set or t is frozenset or t is dict:
        state[0] += 3 + len(obj) + _collection_size(obj, stack, state)
    elif isinstance(obj, (type, types.ModuleType, types.FunctionType,
                          types.BuiltinFunctionType)):
        state[0] += 10 + len(getattr(obj, "__qualname__", "") or "")
    else:
        state[0] += _object_size(obj, t, stack, state)


def _collection_size(obj, stack, state):
    """Push a collection's elements on stack; returns 0.

    A collection longer than 64 is not pushed: 16 elements (from both
    ends and the middle) are walked now and the estimated size of all of
    them is returned.
    """
    n = len(obj)
    if n <= 64:
        if isinstance(obj, dict):
            stack.extend(dict.keys(obj))
            stack.extend(dict.values(obj))
        else:
            stack.extend(obj)
        return 0
    if isinstance(obj, (list, tuple)):
        sample = [obj[i] for i in _sample_indices(n)]
    elif isinstance(obj, dict):
        sample = list(itertools.islice(dict.items(obj), ELEMENT_SAMPLE))
    else:
        sample = list(itertools.islice(obj, ELEMENT_SAMPLE))
    # The sampled elements are walked one by one; what each adds beyond
    # what the ones before it reached is its own share. The estimate is
    # what they reached together plus the typical (median) share for
    # each element not walked: elements of a list of graph nodes reach
    # the whole graph the first time and little after (a mean would
    # count the graph once per 16 elements).
    before = state[0]
    shares = []
    for item in sample:
        at = state[0]
        sub = [item]
        while sub and state[1] >= 0:
            _walk_one(sub.pop(), sub, state)
        shares.append(state[0] - at)
    walked = state[0] - before
    state[0] = before
    shares.sort()
    return walked + (n - len(sample)) * shares[len(shares) // 2]


def _object_size(obj, t, stack, state):
    """Estimated size of an instance (its state is pushed on stack)."""
    size = 8
    classes = state[3]
    if t not in classes:
        classes.add(t)
        size += 10 + len(getattr(t, "__module__", "") or "") + len(
            getattr(t, "__qualname__", "") or "")
    found = False
    refs = gc.get_referents(obj) if _is_plain_instance_type(t) else None
    if refs and refs[-1] is t:
        # its attributes' values without their names (see inline_state),
        # or its __dict__ made already; a name is a memo reference (2
        # bytes) but in the first instance of a class
        size += 3 + 3 * (len(refs) - 1)
        stack.extend(refs[:-1])
        found = True
    else:
        d = _own_dict(obj)
        if d is not None:
            stack.append(d)
            found = True
    for name in _slot_names(t):
        try:
            stack.append(object.__getattribute__(obj, name))
        except Exception:
            pass
        found = True
    if isinstance(obj, (list, tuple, set, frozenset, dict)):
        size += len(obj) + _collection_size(obj, stack, state)
        found = True
    if not found:
        try:
            size += sys.getsizeof(obj)
        except Exception:
            size += 64
    return size


class SampleTooBig(Exception):
    """Raised by CappedWriter past its limit."""


class CappedWriter:
    """A file for pickle.Pickler that refuses to grow past limit bytes.

    The pickler (protocol 4) writes each 64 kB frame as it completes, so
    a sample that an estimate could not size is still never held in
    memory much past the limit.
    """

    def __init__(self, limit):
        self.limit = limit
        self.size = 0
        self.parts = []

    def write(self, data):
        self.size += len(data)
        if self.size > self.limit:
            raise SampleTooBig()
        self.parts.append(bytes(data))
        return len(data)

    def getvalue(self):
        return b"".join(self.parts)


# What plain pickle cannot carry to verify.py, carried by value: lambdas
# and nested functions (their code, module, defaults and closure cells,
# shared cells staying shared), and exceptions whose __init__ takes other
# arguments than their args (made again without calling it). verify.py
# rebuilds them from these references (SAMPLE_REFS); the functions here
# only name them in the pickle.
SAMPLE_REFS = "_rustify_samples"


def _sample_ref(name):
    def ref(*args):
        raise RuntimeError("%s.%s is rebuilt by verify.py"
                           % (SAMPLE_REFS, name))
    ref.__module__ = SAMPLE_REFS
    ref.__name__ = ref.__qualname__ = name
    return ref


_refs = types.ModuleType(SAMPLE_REFS)
for _name in ("function", "cell", "set_cell", "exception"):
    setattr(_refs, _name, _sample_ref(_name))
sys.modules[SAMPLE_REFS] = _refs


class SamplePickler(pickle.Pickler):
    """pickle.Pickler that also carries lambdas, closures and
    exceptions (see SAMPLE_REFS), and with inline set, instances whose
    attributes are inline without making their __dict__ (inline_state:
    slower than pickle's own way, for small samples only)."""

    inline = False

    def reducer_override(self, obj):
        t = type(obj)
        if t is types.FunctionType:
            q = obj.__qualname__
            if "<locals>" not in q and "<lambda>" not in q:
                return NotImplemented
            return (_refs.function,
                    (marshal.dumps(original_code(obj.__code__)),
                     obj.__module__,
                     obj.__name__, q, obj.__defaults__, obj.__kwdefaults__,
                     obj.__closure__, obj.__dict__ or None))
        if t is types.CellType:
            try:
                contents = obj.cell_contents
            except ValueError:
                return (_refs.cell, ())
            # made empty first (memoized), filled after: a closure that
            # holds its own function does not recurse forever
            return (_refs.cell, (), (contents,), None, None,
                    _refs.set_cell)
        if isinstance(obj, BaseException) and t.__module__ != "builtins":
            return (_refs.exception, (t, obj.args), obj.__dict__ or None)
        inline = inline_state(obj) if self.inline else None
        if inline is not None:
            # as object.__reduce_ex__ would, without making a __dict__
            return (copyreg.__newobj__, (t,), inline or None)
        return NotImplemented


# Samples estimated below this size are pickled with inline_state.
INLINE_PICKLE_BYTES = 32 << 10
# Sample points (past a function's first) may take this share of the time
# run 2 has run, plus SAMPLE_BUDGET_BASE seconds (TypeRecorder).
SAMPLE_BUDGET = 0.1
SAMPLE_BUDGET_BASE = 0.05
# the samples a function takes before the budget counts (verify.py checks
# at least 3 inputs)
MIN_SAMPLES = 4


def pickle_capped(value, limit, inline=False):
    """pickle.dumps(value), or raise SampleTooBig past limit bytes.

    The collector is off meanwhile: pickling a graph of a million objects
    allocates enough (the memo) to run it again and again over the
    program's every object (4.3 s with it, 2.1 s without, for 51 MB)."""
    out = CappedWriter(limit)
    pickler = SamplePickler(out, protocol=PICKLE_PROTOCOL)
    pickler.inline = inline
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        pickler.dump(value)
    finally:
        if was_enabled:
            gc.enable()
    return out.getvalue()


# ---------------------------------------------------------------- run 2

class FuncRecord:
    """What run 2 knows of one function of the file."""

    __slots__ = ("entry", "calls", "signatures", "keys", "slots", "bytes",
                 "unpicklable", "oversized", "stride", "next_candidate",
                 "firsts", "given_up", "unsized", "seg_false",
                 "seg_start", "seg_true", "small", "skipped", "k", "spent")

    def __init__(self, entry):
        self.entry = entry
        self.calls = 0
        self.signatures = {}
        self.keys = set()
        self.slots = []
        self.bytes = 0
        self.unpicklable = 0
        self.oversized = 0
        # sample points: the calls 1 + i * stride (see TypeRecorder)
        self.stride = 1
        self.next_candidate = 1
        self.firsts = 0
        self.given_up = False
        # its last sample pickled small (pickled straight away next time)
        self.small = False
        # sample points passed over by the time budget, and the time its
        # sample points took
        self.skipped = 0
        self.spent = 0.0
        # its index in the recorder's tables
        self.k = 0
        # ProbeRecorder: its schedule's False segment, the call it starts
        # at and the call of the True after it (None once probed)
        self.seg_false = None
        self.seg_start = 0
        self.seg_true = None
        # samples whose size estimate could not tell (estimate_size None)
        self.unsized = 0


class Sample:
    """One kept sample: the call it comes from and its pickled arguments;
    point: taken at a sample point (else as a new signature's first)."""

    __slots__ = ("call", "key", "blob", "point")

    def __init__(self, call, key, blob, point=True):
        self.call = call
        self.key = key
        self.blob = blob
        self.point = point


class Watch:
    """A frame's local trace; notices when tracing was lost.

    CPython removes the trace function when it raises, and it raises
    RecursionError when it is entered at the recursion limit.  A frame
    that ends without its 'return' event was unwound while tracing was
    off: when its Watch is freed, the recorder installs its trace again.
    A Watch with a record (rec) also records the call's return type.
    """

    __slots__ = ("recorder", "rec", "key", "exc", "done")

    def __call__(self, frame, event, arg):
        if event == "exception":
            self.exc = arg[0]
        elif event == "return":
            self.done = True
            if self.rec is not None:
                self.recorder.returned(self, frame, arg)
        return self

    def __del__(self):
        try:
            if not self.done:
                self.done = True
                self.recorder.lost(self)
        except BaseException:
            pass


def new_watch(recorder, rec, key):
    """A Watch made without a Python-level __init__ frame.

    Near the recursion limit a frame more can fail; a half-made Watch
    would then be freed unseen and look like a lost trace.
    """
    watch = _new_object(Watch)
    watch.recorder = recorder
    watch.rec = rec
    watch.key = key
    watch.exc = None
    watch.done = False
    return watch


_new_object = object.__new__


class TypeRecorder:
    """sys.settrace hook recording types and sample arguments.

    Every call of a function of the file is counted, by caller (the
    nearest frame below it of a plain function of the file: generators,
    comprehensions, lambdas and other files' frames are looked through),
    a generator's or coroutine's when its body starts.  The first
    max_calls calls of each function have their argument and return
    types recorded.  Samples (pickled arguments at call time) are taken
    at calls spread over the whole run, with no count known beforehand:
    at the sample points 1, 1 + stride, 1 + 2 * stride, ... (stride 1 at
    first); when a function holds max_samples samples and comes to a
    sample point, its stride doubles and the samples taken at points no
    longer on the grid are dropped (every other one), so that the kept
    ones stay evenly spread from call 1 to the last calls.  The first
    call of every new signature seen while types are recorded is a
    sample too; when a function holds max_samples samples, one of those
    replaces a random one of the signature that holds the most.  Sample
    points cost at most SAMPLE_BUDGET of the time run 2 has run (plus
    SAMPLE_BUDGET_BASE seconds): past it, a sample point of a function
    that holds MIN_SAMPLES samples and whose points took more than the
    average function's is passed over (counted in "skipped") and its
    stride doubles.  A function whose last sample
    pickled under INLINE_PICKLE_BYTES / 2 is pickled straight away,
    capped at INLINE_PICKLE_BYTES (the estimate below only when that
    fails).  Before pickling, a sample's size is
    estimated by a walk of at most WALK_NODE_LIMIT objects
    (estimate_size): one over what the function may still hold
    (max_bytes) or over what is left of max_total is not pickled
    ("oversized"); one the walk cannot size is pickled into a
    CappedWriter that stops at that limit.  A function's first sample
    may push out other functions' extra ones.  After OVERSIZED_GIVE_UP
    oversized samples, the function takes no more.  One that fails to
    pickle counts as "unpicklable".
    """

    # see counts()
    confirm_edges = False

    def __init__(self, source_real, table, max_samples, max_bytes,
                 max_calls, max_total=None):
        self.source_real = source_real
        self.max_samples = max_samples
        self.max_bytes = max_bytes
        self.max_calls = max_calls
        self.max_total = MAX_TOTAL_BYTES if max_total is None else max_total
        self.total_bytes = 0
        self.by_line = {}
        self.funcs = {}
        for k, entry in enumerate(table):
            rec = FuncRecord(entry)
            rec.k = k
            self.funcs[(entry["qualname"], entry["line"])] = rec
            self.by_line[(entry["line"], entry["name"])] = rec
            self.by_line[(entry["first_line"], entry["name"])] = rec
        self.recs = list(self.funcs.values())
        # calls by (caller k or None, callee k), and the callers seen on
        # the recorded calls' frames (ProbeRecorder, threads)
        self.pairs = {}
        self.seen_pairs = set()
        # the time spent on sample points, and run 2's start
        self.spent = 0.0
        self.sampled = 0
        self.started = time.perf_counter()
        self.starts = {}
        self.codes = {}
        self.kept_codes = []
        self.real_cache = {}
        self.pending = {}
        self.rng = random.Random(0)
        self.running = False
        self.stopped = False
        self.restarts = 0
        # Threads the workload starts are traced too (thread_trace), each
        # call event under the lock (reentrant: a Watch freed inside the
        # hook comes back in).  The main thread takes it only once a
        # thread is traced (threaded): until then its hook says when it
        # is inside (inside), and the first thread waits for it to leave.
        self.lock = _thread.RLock()
        self.main_thread = _thread.get_ident()
        self.threads = {self.main_thread}
        self.threaded = False
        self.inside = False
        for rec in self.recs:
            if max_samples <= 0:
                rec.next_candidate = 0

    # -- the hook

    def _classify(self, code):
        """Return the call info of a code object, or False."""
        filename = code.co_filename
        real = self.real_cache.get(filename)
        if real is None:
            real = self.real_cache[filename] = os.path.realpath(filename)
        if real != self.source_real or code.co_flags & _NOT_TRACED_FLAGS:
            return False
        rec = self.by_line.get((code.co_firstlineno, code.co_name))
        if rec is None:
            return False
        n = code.co_argcount + code.co_kwonlyargcount
        names = list(code.co_varnames[:n])
        var_pos = var_kw = None
        if code.co_flags & inspect.CO_VARARGS:
            var_pos = code.co_varnames[n]
            n += 1
        if code.co_flags & inspect.CO_VARKEYWORDS:
            var_kw = code.co_varnames[n]
        positional = names[:code.co_argcount]
        kwonly = names[code.co_argcount:]
        order = positional + ([var_pos] if var_pos else []) + kwonly + (
            [var_kw] if var_kw else [])
        return (rec, order, positional, var_pos, kwonly, var_kw)

    def thread_trace(self, frame, event, arg):
        """threading.settrace's function, on a new thread's first event:
        the thread is traced by locked_trace from now on."""
        self.threaded = True
        while self.inside:
            # the main thread is in its unlocked hook: let it finish
            time.sleep(0)
        with self.lock:
            self.threads.add(_thread.get_ident())
        sys.settrace(self.locked_trace)
        return self.locked_trace(frame, event, arg)

    def global_trace(self, frame, event, arg):
        """The main thread's global trace function: 'call' events of
        every Python frame."""
        if event != "call":
            return None
        # set before threaded is read: see thread_trace
        self.inside = True
        try:
            if self.threaded or self.stopped:
                self.inside = False
                return self.locked_trace(frame, event, arg)
            return self._call(frame)
        finally:
            self.inside = False

    def locked_trace(self, frame, event, arg):
        """The global trace function once threads are traced."""
        if event != "call":
            return None
        if self.stopped or not self.running:
            # the run is over, or the hook was removed in another
            # thread: this one stops tracing too
            sys.settrace(None)
            return None
        with self.lock:
            return self._call(frame)

    def _info(self, code):
        info = self.codes.get(id(code))
        if info is None:
            # Keyed by id (a code object hashes its whole contents); the
            # code objects are kept so that no id is reused.
            self.kept_codes.append(code)
            info = self.codes[id(code)] = self._classify(code)
        return info

    def caller_of(self, frame):
        """The k of the nearest plain function of the file below frame
        (None: none)."""
        frame = frame.f_back
        while frame is not None:
            info = self._info(frame.f_code)
            if info is not False:
                return info[0].k
            frame = frame.f_back
        return None

    def _generator_call(self, frame, code):
        """A generator's or coroutine's 'call' event: counted when its
        body starts (the first event of a frame is at the lasti the
        first of them had)."""
        if code.co_flags & _NOT_TRACED_FLAGS == 0:
            return
        rec = self.by_line.get((code.co_firstlineno, code.co_name))
        if rec is None:
            return
        real = self.real_cache.get(code.co_filename)
        if real is None:
            real = self.real_cache[code.co_filename] = \
                os.path.realpath(code.co_filename)
        if real != self.source_real:
            return
        start = self.starts.setdefault(id(code), (frame.f_lasti, code))[0]
        if frame.f_lasti == start:
            pair = (self.caller_of(frame), rec.k)
            self.pairs[pair] = self.pairs.get(pair, 0) + 1

    def _call(self, frame):
        """A 'call' event (the lock held)."""
        code = frame.f_code
        info = self._info(code)
        if info is False:
            self._generator_call(frame, code)
            return None
        rec = info[0]
        n = rec.calls = rec.calls + 1
        pair = (self.caller_of(frame), rec.k)
        self.pairs[pair] = self.pairs.get(pair, 0) + 1
        local = None
        if n <= self.max_calls or n == rec.next_candidate:
            try:
                local = self._observe(frame, info, n)
            except RecursionError:
                # At the recursion limit: the program gets its error here
                # (going on deeper can be fatal on 3.8-3.10).
                raise
            except Exception:
                local = None
        elif n % WATCH_EVERY == 0 and self.running:
            frame.f_trace_lines = False
            local = new_watch(self, None, None)
        return local

    def _observe(self, frame, info, n):
        """A call whose types are recorded or that gives a sample."""
        rec = info[0]
        key = self._take(frame, info, n, n == rec.next_candidate)
        if key is None:
            return None
        frame.f_trace_lines = False
        watch = new_watch(self, rec, key)
        self.pending[id(watch)] = (rec, key)
        return watch

    def _take(self, frame, info, n, is_candidate):
        """Call n's arguments: their types, and a sample when the call is
        a sample point (is_candidate) or the first of a new signature
        among the recorded calls.  Returns the signature key when the
        call's types are recorded (its return is to be seen), else None.
        """
        rec = info[0]
        f_locals = frame.f_locals
        values = [f_locals[name] for name in info[1]]
        key = tuple([type_name(v) for v in values])
        if is_candidate:
            over = len(rec.slots) >= MIN_SAMPLES and \
                not self._within_budget(rec)
            if over:
                rec.skipped += 1
            if self._advance(rec, n, over) and not over:
                started = time.perf_counter()
                self._sample(rec, info, values, n, key, True)
                spent = time.perf_counter() - started
                if not rec.spent:
                    self.sampled += 1
                rec.spent += spent
                self.spent += spent
        elif key not in rec.keys and rec.firsts < self.max_samples \
                and n <= self.max_calls:
            rec.firsts += 1
            self._sample(rec, info, values, n, key, False)
        if n > self.max_calls:
            return None
        rec.keys.add(key)
        return key

    def _within_budget(self, rec):
        """Whether rec's sample points may still take their time (see
        the class's docstring): past the budget, those of the functions
        whose points took more than the average do not."""
        if self.spent <= SAMPLE_BUDGET_BASE + SAMPLE_BUDGET * (
                time.perf_counter() - self.started):
            return True
        return rec.spent * self.sampled <= self.spent

    def _advance(self, rec, n, over=False):
        """Call n is a sample point: a function whose samples are full
        thins them first (_thin), one whose sample points are over the
        budget (over) doubles its stride; the next point is the next one
        of the grid.  True when call n is still on it (its sample is to
        be taken)."""
        if over:
            # the points come less often from here (the samples taken
            # stay: _thin drops those off the grid once full)
            rec.stride *= 2
        elif len(rec.slots) >= self.max_samples:
            self._thin(rec)
        off = (n - 1) % rec.stride
        rec.next_candidate = n - off + rec.stride
        return off == 0

    def _thin(self, rec):
        """Double the stride and drop the samples taken at points that
        are no longer on its grid; True when the stride doubled (not
        when no sample is a point's)."""
        if not any(s.point for s in rec.slots):
            return False
        rec.stride *= 2
        for sample in [s for s in rec.slots
                       if s.point and (s.call - 1) % rec.stride]:
            self._drop(rec, sample)
        return True

    def returned(self, watch, frame, arg):
        """The 'return' event of a call whose types are recorded."""
        with self.lock:
            self._returned(watch, frame, arg)

    def _returned(self, watch, frame, arg):
        if self.pending.pop(id(watch), None) is None:
            return
        rec = watch.rec
        code = frame.f_code
        lasti = frame.f_lasti
        if 0 <= lasti < len(code.co_code) and \
                code.co_code[lasti] in _RETURN_OPS:
            ret = type_name(arg)
        elif watch.exc is not None:
            ret = exception_name(watch.exc)
        else:
            ret = None
        self._count(rec, watch.key, ret)

    def lost(self, watch):
        """A traced frame ended unseen: count it, trace again if needed."""
        with self.lock:
            if self.pending.pop(id(watch), None) is not None:
                self._count(watch.rec, watch.key, None)
            ident = _thread.get_ident()
            if (self.running and not self.stopped
                    and ident in self.threads and sys.gettrace() is None):
                self.restarts += 1
                sys.settrace(self.global_trace if ident == self.main_thread
                             else self.locked_trace)

    def _count(self, rec, key, ret):
        sig = (key, ret)
        rec.signatures[sig] = rec.signatures.get(sig, 0) + 1

    # -- samples

    def _sample(self, rec, info, values, n, key, point=True):
        """Try to keep this call's arguments as a sample (point: call n
        is a sample point, else a new signature's first)."""
        if rec.given_up or self.max_samples <= 0:
            return
        _, order, positional, var_pos, kwonly, var_kw = info
        named = dict(zip(order, values))
        args = tuple(named[name] for name in positional)
        if var_pos:
            args += tuple(named[var_pos])
        kwargs = {name: named[name] for name in kwonly}
        if var_kw:
            kwargs.update(named[var_kw])
        victim = None
        if len(rec.slots) >= self.max_samples:
            victim = self._victim(rec, key)
        freed = len(victim.blob) if victim is not None else 0
        room = self.max_bytes - rec.bytes + freed
        if rec.slots:
            room = min(room, self.max_total - self.total_bytes + freed)
        else:
            # A function's first sample may push out others' extra ones.
            room = min(room, self.max_total)
        blob = None
        if room <= 0:
            estimate = 1
        elif rec.small:
            # its samples pickle small: no walk before (the walk cost
            # more than the pickling), the pickler stops past the size
            # a walk would have allowed
            estimate = 0
            try:
                blob = pickle_capped((args, kwargs),
                                     min(room, INLINE_PICKLE_BYTES), True)
            except SampleTooBig:
                if room <= INLINE_PICKLE_BYTES:
                    self._oversized(rec)
                    return
                rec.small = False
                estimate = estimate_size((args, kwargs), room)
            except KeyboardInterrupt:
                raise
            except BaseException:
                rec.unpicklable += 1
                return
        elif rec.unsized >= UNSIZED_GIVE_UP:
            # walks of its arguments could not tell: the capped pickler
            # alone decides (a graph past WALK_NODE_LIMIT, walked again
            # at every sample, cost more than pickling it)
            estimate = None
        else:
            estimate = estimate_size((args, kwargs), room)
            if estimate is None:
                rec.unsized += 1
        if estimate is not None and estimate > room:
            self._oversized(rec)
            return
        try:
            if blob is None:
                blob = pickle_capped((args, kwargs), room,
                                     estimate is not None
                                     and estimate <= INLINE_PICKLE_BYTES)
        except SampleTooBig:
            self._oversized(rec)
            return
        except KeyboardInterrupt:
            raise
        except BaseException:
            rec.unpicklable += 1
            return
        size = len(blob)
        rec.small = size < INLINE_PICKLE_BYTES // 2 and (
            estimate is not None and estimate <= INLINE_PICKLE_BYTES)
        if size > room or not self._make_room(rec, size - freed):
            self._oversized(rec)
            return
        if victim is not None:
            self._drop(rec, victim)
        rec.slots.append(Sample(n, key, blob, point))
        rec.bytes += size
        self.total_bytes += size

    def _make_room(self, rec, size):
        """Fit size more bytes under max_total; False when they do not.

        A function's first sample pushes out samples of the function
        that holds the most bytes among those with more than one.
        """
        while self.total_bytes + size > self.max_total:
            if rec.slots:
                return False
            donors = [r for r in self.funcs.values() if len(r.slots) > 1]
            if not donors:
                return False
            donor = max(donors, key=lambda r: r.bytes)
            self._drop(donor, donor.slots[self.rng.randrange(
                len(donor.slots))])
        return True

    def _drop(self, rec, sample):
        rec.slots.remove(sample)
        rec.bytes -= len(sample.blob)
        self.total_bytes -= len(sample.blob)

    def _oversized(self, rec):
        rec.oversized += 1
        if rec.oversized >= OVERSIZED_GIVE_UP:
            rec.given_up = True

    def _victim(self, rec, key):
        """The sample a new one of signature key replaces."""
        counts = {}
        for s in rec.slots:
            counts[s.key] = counts.get(s.key, 0) + 1
        top = max(counts.values())
        if counts.get(key, 0) == top:
            pick = key
        else:
            pick = min(k for k, c in counts.items() if c == top)
        group = [s for s in rec.slots if s.key == pick]
        return group[self.rng.randrange(len(group))]

    def finish(self):
        """Count calls whose return was never seen (return: null)."""
        with self.lock:
            self.running = False
            for rec, key in list(self.pending.values()):
                self._count(rec, key, None)
            self.pending.clear()

    def counts(self):
        """{table key: (ncalls, primitive calls, {callee key: calls})}.

        ncalls: every call counted; primitive: those not from the
        function itself (direct recursion); callees: the file's module
        functions and methods (no <locals>) a function called, by
        count.  Once threads ran (threaded), an edge counts only if a
        probed call saw it on its frames (seen_pairs): threads switching
        between a call's start and end can make the probes' caller wrong.
        """
        keys = [(r.entry["qualname"], r.entry["line"]) for r in self.recs]
        out = {key: [0, 0, {}] for key in keys}
        for (caller, callee), n in self.pairs.items():
            if n <= 0:
                continue
            acc = out[keys[callee]]
            acc[0] += n
            if caller != callee:
                acc[1] += n
            if caller is None or caller == callee or \
                    "<locals>" in keys[callee][0]:
                continue
            if self.threaded and self.confirm_edges and \
                    (caller, callee) not in self.seen_pairs:
                continue
            calls = out[keys[caller]][2]
            calls[keys[callee]] = calls.get(keys[callee], 0) + n
        return out

    def signatures(self, rec):
        """Distinct signatures of a function, most frequent first."""
        order = rec.entry["params"]
        items = sorted(rec.signatures.items(), key=lambda kv: -kv[1])
        out = []
        for (arg_types, ret), count in items[:MAX_SIGNATURES]:
            out.append({"args": dict(zip(order, arg_types)),
                        "return": ret, "count": count})
        return out


def types_run(workload, recorder):
    """Run the workload once under the type recorder."""
    state = {"func": None}

    def body():
        state["func"] = workload.prepare()
        recorder.running = True
        recorder.started = time.perf_counter()
        threading.settrace(recorder.thread_trace)
        sys.settrace(recorder.global_trace)
        try:
            workload.run_once(state["func"])
        finally:
            sys.settrace(None)
            threading.settrace(None)
            recorder.running = False

    run_guarded(body)
    recorder.finish()


# ---------------------------------------------------------------- run 2,
# without a hook
#
# In CPython 3.11 any trace or profile function, even one that returns at
# once, makes every instruction of every frame run unspecialized and
# through the tracing path: a sys.settrace run took 4 to 7 times the
# program's own time.  So run 2 installs no hook: it runs a copy of the
# source whose functions carry their own probe (instrument()), a check
# costing one builtin call on each call, that calls the recorder only on
# the calls it wants (the recorded ones and the sample points).

PROBE_GLOBALS = ("__rustify_next__", "__rustify_it__", "__rustify_probe__",
                 "__rustify_ret__", "__rustify_raised__", "__rustify_c__",
                 "__rustify_n__")
PROBE_LOCAL = "__rustify_t__"
# the caller's base (ProbeRecorder), and where the running function's is
PROBE_CALLER = "__rustify_p__"
PROBE_CUR = "__rustify_c__"
# the length of a schedule's "no more probes" segments
_SCHEDULE_TAIL = 1 << 60


def _own_nodes(node):
    """The nodes of a function's own body (not of nested scopes)."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        yield child
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                  ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(child))


def _is_plain_function(node):
    """A def whose call runs its body (not a generator or coroutine)."""
    if not isinstance(node, ast.FunctionDef):
        return False
    return not any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await))
                   for n in _own_nodes(node))


def _name(ident):
    return ast.Name(id=ident, ctx=ast.Load())


def _probe_call(func, *args):
    return ast.Call(func=_name(func), args=list(args), keywords=[])


class _Returns(ast.NodeTransformer):
    """return X -> return (__rustify_ret__(t, X) if t else X), in one
    function's own body."""

    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = \
        visit_FunctionDef

    def visit_Return(self, node):
        value = node.value or ast.Constant(value=None)
        new = ast.Return(value=ast.IfExp(
            test=_name(PROBE_LOCAL),
            body=_probe_call("__rustify_ret__", _name(PROBE_LOCAL), value),
            orelse=_copy_tree(value)))
        return ast.copy_location(new, node)


def _copy_tree(node):
    import copy
    return copy.deepcopy(node)


def _store(ident):
    return ast.Name(id=ident, ctx=ast.Store())


def _subscript(value, index, ctx=None):
    return ast.Subscript(value=value, slice=index, ctx=ctx or ast.Load())


def _count_stmt(k, base):
    """__rustify_n__[base + k] += 1"""
    return ast.AugAssign(
        target=_subscript(_name("__rustify_n__"), _index(ast.BinOp(
            left=base, op=ast.Add(), right=ast.Constant(value=k))),
            ast.Store()),
        op=ast.Add(), value=ast.Constant(value=1))


def _split_doc(body):
    if body and isinstance(body[0], ast.Expr) and isinstance(
            body[0].value, ast.Constant) and isinstance(
                body[0].value.value, str):
        return body[:1], body[1:]
    return [], body


def _located(new, at):
    for node in new:
        ast.copy_location(node, at)
        for child in ast.walk(node):
            if not hasattr(child, "lineno") or child.lineno is None:
                ast.copy_location(child, at)
    return new


def _counted_body(body, k):
    """A generator's or coroutine's body, counted when it starts (see
    instrument())."""
    doc, body = _split_doc(body)
    at = (body or doc)[0]
    count = _count_stmt(k, _subscript(_name(PROBE_CUR), _index(
        ast.Constant(value=0))))
    return doc + _located([count], at) + body


def _instrumented_body(body, k, width):
    """A def's body with its probe (see instrument())."""
    doc, body = _split_doc(body)
    at = (body or doc)[0]
    t = _name(PROBE_LOCAL)
    cur = _subscript(_name(PROBE_CUR), _index(ast.Constant(value=0)))
    save = ast.Assign(targets=[_store(PROBE_CALLER)], value=cur)
    unset = ast.Assign(targets=[_store(PROBE_LOCAL)],
                       value=ast.Constant(value=None))
    enter = ast.Assign(
        targets=[_subscript(_name(PROBE_CUR), _index(ast.Constant(value=0)),
                            ast.Store())],
        value=ast.Constant(value=(k + 1) * width))
    count = _count_stmt(k, _name(PROBE_CALLER))
    probe = ast.Assign(
        targets=[_store(PROBE_LOCAL)],
        value=ast.BoolOp(op=ast.And(), values=[
            ast.NamedExpr(
                target=_store(PROBE_LOCAL),
                value=_probe_call("__rustify_next__", _subscript(
                    _name("__rustify_it__"), _index(ast.Constant(value=k))))),
            _probe_call("__rustify_probe__", ast.Constant(value=k),
                        _name(PROBE_LOCAL), _name(PROBE_CALLER))]))
    body = [_Returns().visit(stmt) for stmt in body]
    body.append(ast.If(test=t, body=[ast.Expr(value=_probe_call(
        "__rustify_ret__", _name(PROBE_LOCAL), ast.Constant(value=None)))],
        orelse=[]))
    # at the recursion limit the call itself can fail: the program's own
    # exception goes on unchanged
    record = ast.Try(
        body=[ast.Expr(value=_probe_call("__rustify_raised__",
                                         _name(PROBE_LOCAL)))],
        handlers=[ast.ExceptHandler(type=None, name=None,
                                    body=[ast.Pass()])],
        orelse=[], finalbody=[])
    restore = ast.Assign(
        targets=[_subscript(_name(PROBE_CUR), _index(ast.Constant(value=0)),
                            ast.Store())],
        value=_name(PROBE_CALLER))
    guarded = ast.Try(
        body=[enter, count, probe] + body,
        handlers=[ast.ExceptHandler(type=None, name=None, body=[
            ast.If(test=_name(PROBE_LOCAL), body=[record], orelse=[]),
            ast.Raise(exc=None, cause=None)])],
        orelse=[], finalbody=[restore])
    return doc + _located([save, unset, guarded], at)


def _index(node):
    if sys.version_info >= (3, 9):
        return node
    return ast.Index(value=node)


def instrument(tree, slots, width=None):
    """A copy of the module tree whose functions carry probes.

    slots maps (def line, name) to a function's index k (width: how many
    there are).  The body of each plain function (no generator, no
    coroutine) becomes::

        [docstring]
        __rustify_p__ = __rustify_c__[0]
        __rustify_t__ = None
        try:
            __rustify_c__[0] = (k + 1) * width
            __rustify_n__[__rustify_p__ + k] += 1
            __rustify_t__ = (__rustify_t__ := __rustify_next__(
                __rustify_it__[k])) and __rustify_probe__(
                    k, __rustify_t__, __rustify_p__)
            <body, each `return X` returning
             (__rustify_ret__(__rustify_t__, X) if __rustify_t__ else X)>
            if __rustify_t__:
                __rustify_ret__(__rustify_t__, None)
        except:
            if __rustify_t__:
                <__rustify_raised__(__rustify_t__), its errors ignored>
            raise
        finally:
            __rustify_c__[0] = __rustify_p__

    __rustify_c__[0] is the running function's base (0 outside the
    file's plain functions), so that __rustify_n__ counts every call by
    caller and callee (ProbeRecorder); a generator's or coroutine's body
    starts with __rustify_n__[__rustify_c__[0] + k] += 1 alone (its
    caller is whoever first runs it; it leaves __rustify_c__ as it is).
    __rustify_it__[k] is the function's schedule, an iterator of bools,
    one a call (ProbeRecorder.schedule); the probe returns a token when
    the call's return is to be recorded.  The statements keep the
    lines of the source (tracebacks and line numbers do not change);
    a try costs nothing until something raises.  Per call this costs
    about 90 ns in CPython 3.11 (a call of a two-line method about 45).
    """
    if width is None:
        width = max(slots.values(), default=-1) + 1
    import copy
    tree = copy.deepcopy(tree)
    done = []
    counted = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            k = slots.get((node.lineno, node.name))
            if k is None:
                continue
            if _is_plain_function(node):
                done.append((node, k))
            else:
                counted.append((node, k))
    for node, k in done:
        node.body = _instrumented_body(node.body, k, width)
    for node, k in counted:
        node.body = _counted_body(node.body, k)
    ast.fix_missing_locations(tree)
    return tree, {k for _, k in done}


def _code_key(code):
    return (code.co_filename, code.co_firstlineno, code.co_name)


def _codes_of(code, out):
    """Every code object nested in code, by _code_key."""
    out[_code_key(code)] = code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _codes_of(const, out)
    return out


# instrumented code -> the source's own, for functions pickled by value
# (SamplePickler): verify.py runs them without the probes' globals
_ORIGINAL_CODES = {}


def original_code(code):
    """The source's own code object of an instrumented one."""
    if "__rustify_it__" not in code.co_names:
        return code
    return _ORIGINAL_CODES.get(_code_key(code), code)


# what the schedules answer while the recorder works (ProbeRecorder)
OPEN = 2


class _Pending:
    """A recorded call whose return is still to be seen."""

    __slots__ = ("rec", "key")


# the largest pair table kept as a list (ProbeRecorder)
PAIR_LIST_MAX = 1 << 22


class ProbeRecorder(TypeRecorder):
    """What TypeRecorder records, from the probes of an instrumented
    copy of the source (see instrument()) instead of a trace function.

    Each function has a schedule, an iterator of one bool a call: True
    for its first max_calls calls (types recorded, and samples as
    TypeRecorder takes them), then False up to the next sample point and
    True there, where the probe installs the next one (_install).  The
    probes lock as TypeRecorder's hook does.  Calls the harness itself
    makes into the program (a class's __reduce__ while a sample is
    pickled) are not the program's: while the recorder works, every
    schedule answers OPEN and the probe tells
    them apart by thread (another thread's call then takes its place in
    its schedule).
    """

    confirm_edges = True

    def __init__(self, *args, **kwargs):
        TypeRecorder.__init__(self, *args, **kwargs)
        self.slots = list(self.funcs.values())
        self.slot_of = {}
        self.schedules = []
        for k, rec in enumerate(self.slots):
            entry = rec.entry
            self.slot_of[(entry["line"], entry["name"])] = k
            self.schedules.append(itertools.repeat(True))
            if self.max_calls <= 0:
                self._install(k, rec, 0)
        self.live = list(self.schedules)
        self.open_all = [itertools.repeat(OPEN)] * len(self.slots)
        self.working = None
        self.pending = {}
        self.instrumented = set()
        # the calls by caller and callee: __rustify_n__[base + k], base
        # the caller's (k + 1) * K (0: no function of the file), which
        # each probed function keeps in __rustify_c__[0] while it runs
        size = len(self.slots)
        self.width = size
        if (size + 1) * size <= PAIR_LIST_MAX:
            self.n = [0] * ((size + 1) * size)
        else:
            import collections
            self.n = collections.defaultdict(int)
        self.cur = [0]

    def _install(self, k, rec, n):
        """After call n, past the recorded ones: function k's schedule
        answers False up to its next sample point, True from there (a
        C iterator: one that ran Python code could be entered by two
        threads at once)."""
        nxt = rec.next_candidate
        if rec.given_up or self.max_samples <= 0 or nxt <= n:
            gap = _SCHEDULE_TAIL
        else:
            gap = nxt - n - 1
        rec.seg_false = itertools.repeat(False, gap)
        rec.seg_start = n + 1
        rec.seg_true = n + 1 + gap
        self.schedules[k] = itertools.chain(rec.seg_false,
                                            itertools.repeat(True))

    def globals(self):
        """The probes' names, as builtins carry them."""
        return {"__rustify_next__": next, "__rustify_it__": self.live,
                "__rustify_c__": self.cur, "__rustify_n__": self.n,
                "__rustify_probe__": self.probe,
                "__rustify_ret__": self.ret,
                "__rustify_raised__": self.raised}

    def _enter(self):
        """The recorder starts working (the lock held): calls into the
        program from here are the harness's own."""
        if self.working is not None:
            return False
        self.working = _thread.get_ident()
        self.live[:] = self.open_all
        return True

    def _leave(self):
        self.live[:] = self.schedules
        self.working = None

    def probe(self, k, why, base=None):
        """A probed call of function k (why: True from its schedule,
        OPEN while the recorder works; base: its caller's, see
        __init__): returns the token of a call whose return is to be
        recorded, else None."""
        if why == OPEN:
            if self.working == _thread.get_ident():
                # the harness's own call: not counted
                if base is not None:
                    self.n[base + k] -= 1
                return None
            # another thread's call while the schedules were open: its
            # place in its own schedule says whether it is probed
            if not next(self.schedules[k]):
                return None
        frame = sys._getframe(1)
        with self.lock:
            if not self._enter():
                return None
            try:
                return self._probe(k, frame)
            except RecursionError:
                raise
            except Exception:
                return None
            finally:
                self._leave()

    def _probe(self, k, frame):
        rec = self.slots[k]
        code = frame.f_code
        info = self.codes.get(id(code))
        if info is None:
            self.kept_codes.append(code)
            info = self.codes[id(code)] = self._classify(code)
        if info is False or info[0] is not rec:
            return None
        self.seen_pairs.add((self.caller_of(frame), k))
        n = rec.calls + 1
        if rec.seg_true is not None:
            # the True after its schedule's False segment; or a True
            # another thread took from the schedule before (it comes
            # after the Falses given so far)
            n = max(n, rec.seg_true - operator.length_hint(rec.seg_false))
            rec.seg_true = None
        rec.calls = n
        key = self._take(frame, info, n, n == rec.next_candidate)
        if n >= self.max_calls:
            self._install(k, rec, n)
        if key is None:
            return None
        token = _Pending()
        token.rec = rec
        token.key = key
        self.pending[id(token)] = token
        return token

    def ret(self, token, value):
        """A recorded call returns value."""
        try:
            with self.lock:
                if self.pending.pop(id(token), None) is not None and \
                        self._enter():
                    try:
                        self._count(token.rec, token.key, type_name(value))
                    finally:
                        self._leave()
        except RecursionError:
            raise
        except Exception:
            pass
        return value

    def raised(self, token):
        """A recorded call raises (the exception being handled)."""
        with self.lock:
            if self.pending.pop(id(token), None) is not None:
                self._count(token.rec, token.key,
                            exception_name(sys.exc_info()[0]))

    def finish(self):
        """Count calls whose return was never seen, and every function's
        calls, by caller (pairs)."""
        with self.lock:
            self.running = False
            for token in list(self.pending.values()):
                self._count(token.rec, token.key, None)
            self.pending.clear()
            width = self.width
            for key, n in (self.n.items() if isinstance(self.n, dict)
                           else enumerate(self.n)):
                if n:
                    base, k = divmod(key, width)
                    pair = (base - 1 if base else None, k)
                    self.pairs[pair] = self.pairs.get(pair, 0) + n
            calls = [0] * len(self.slots)
            for (_, callee), n in self.pairs.items():
                calls[callee] += max(n, 0)
            for k, rec in enumerate(self.slots):
                rec.calls = calls[k]


def probes_run(workload, recorder, tree, source_real):
    """Run the workload once on an instrumented copy of the source.

    Returns False when the source could not be instrumented (nothing
    ran)."""
    try:
        itree, done = instrument(tree, recorder.slot_of, recorder.width)
        compile(itree, workload.source, "exec", dont_inherit=True)
    except Exception:
        return False
    recorder.instrumented = done
    codes = {}

    def code_for(path):
        if os.path.realpath(path) != source_real:
            return None
        code = codes.get(path)
        if code is None:
            code = codes[path] = compile(itree, path, "exec",
                                         dont_inherit=True)
            with open(path, "rb") as f:
                own = compile(f.read(), path, "exec", dont_inherit=True)
            _codes_of(own, _ORIGINAL_CODES)
        return code

    import importlib.machinery
    loader = importlib.machinery.SourceFileLoader
    saved_get_code = loader.get_code

    def get_code(self, fullname):
        code = None
        try:
            code = code_for(self.path)
        except Exception:
            code = None
        return code if code is not None else saved_get_code(self, fullname)

    # run 1 imported the source's modules: run 2 imports them again
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and name != "__main__" and \
                os.path.realpath(path) == source_real:
            del sys.modules[name]
    names = recorder.globals()
    saved_builtins = {n: builtins.__dict__[n] for n in names
                      if n in builtins.__dict__}
    state = {"func": None}

    saved_bootstrap = threading.Thread.__dict__.get("_bootstrap_inner")

    def _bootstrap_inner(thread):
        # threads ran: see TypeRecorder.counts
        recorder.threaded = True
        saved_bootstrap(thread)

    def body():
        loader.get_code = get_code
        workload.code_for = code_for
        builtins.__dict__.update(names)
        if saved_bootstrap is not None:
            threading.Thread._bootstrap_inner = _bootstrap_inner
        state["func"] = workload.prepare()
        recorder.running = True
        recorder.started = time.perf_counter()
        workload.run_once(state["func"])

    try:
        recorder.exit_info = run_guarded(body)
    finally:
        if saved_bootstrap is not None:
            threading.Thread._bootstrap_inner = saved_bootstrap
        loader.get_code = saved_get_code
        workload.code_for = None
        for n in names:
            if n in saved_builtins:
                builtins.__dict__[n] = saved_builtins[n]
            else:
                builtins.__dict__.pop(n, None)
        recorder.running = False
    recorder.finish()
    return True


class CaptureRecorder(ProbeRecorder):
    """The verify stage's capture run (--capture-json): samples of the
    named functions only, their first max_samples calls each, under
    limits the profile's run 2 cannot afford (a method of an object that
    holds a million others pickles to 51 MB).  No types are recorded and
    no other function is sampled.  Once every named function holds its
    samples or has given up (one oversized or unpicklable call), the
    samples are written and the process ends (finish_early): the rest of
    the workload is not needed."""

    def __init__(self, wanted, on_done, *args, **kwargs):
        ProbeRecorder.__init__(self, *args, **kwargs)
        self.wanted = set(wanted)
        self.on_done = on_done
        self.targets = [rec for rec in self.recs
                        if rec.entry["qualname"] in self.wanted]
        for k, rec in enumerate(self.slots):
            if rec.entry["qualname"] not in self.wanted:
                rec.given_up = True
            # no size estimate first: the capped pickler decides (the
            # walk's estimate of a graph of shared objects is far over
            # its pickle, 5 GB for 51 MB)
            rec.unsized = UNSIZED_GIVE_UP
            self._install(k, rec, 0)
        self.live[:] = self.schedules

    def _sample(self, rec, info, values, n, key, point=True):
        if rec.slots and 8 * rec.bytes > self.max_bytes:
            # one call as big is enough: each costs seconds to pickle,
            # and to load and compare on both sides of the check
            rec.given_up = True
        if rec.given_up:
            if all(r.given_up for r in self.targets):
                self.on_done(self)
            return
        before = (len(rec.slots), rec.oversized, rec.unpicklable)
        ProbeRecorder._sample(self, rec, info, values, n, key, point)
        if (rec.oversized, rec.unpicklable) != before[1:] or \
                len(rec.slots) >= self.max_samples:
            rec.given_up = True
        if all(r.given_up for r in self.targets):
            self.on_done(self)

    def _thin(self, rec):
        # the first calls are kept: nothing is thinned
        return False


def capture_report(recorder, started, exit_code=None, exception=None):
    """The capture run's OUT.json document."""
    funcs = {}
    for rec in recorder.targets:
        q = rec.entry["qualname"]
        f = funcs.setdefault(q, {"samples": 0, "oversized": 0,
                                 "unpicklable": 0, "sample_bytes": 0})
        f["samples"] += len(rec.slots)
        f["oversized"] += rec.oversized
        f["unpicklable"] += rec.unpicklable
        f["sample_bytes"] += rec.bytes
    return {"capture": funcs, "exit_code": exit_code,
            "exception": exception,
            "seconds": time.perf_counter() - started}


def capture_run(args, workload, tree, table, source_real):
    """--capture-json: run the workload once, probed, taking only the
    named functions' samples (CaptureRecorder); write SAMPLES.pkl and
    OUT.json.  The program's stdout goes to /dev/null (verify reads
    this process's)."""
    try:
        wanted = json.loads(args.capture_json)
    except ValueError as exc:
        raise HarnessError("--capture-json is not JSON: %s" % exc)
    if not isinstance(wanted, list) or not all(
            isinstance(q, str) for q in wanted):
        raise HarnessError("--capture-json must be a list of qualnames")
    started = time.perf_counter()

    def write(recorder, report):
        write_atomic(args.samples, collect_samples(recorder))
        write_atomic(args.out, json.dumps(report, indent=1).encode())

    def done(recorder):
        # everything wanted is here: the rest of the workload is not
        try:
            write(recorder, capture_report(recorder, started))
        except BaseException as exc:
            sys.__stderr__.write("rustify profile harness: %s\n" % exc)
            os._exit(2)
        os._exit(0)

    recorder = CaptureRecorder(wanted, done, source_real, table,
                               args.max_samples, args.max_sample_bytes, 0,
                               args.max_total_bytes)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        sys.stdout.flush()
        os.dup2(devnull, 1)
    finally:
        os.close(devnull)
    if not probes_run(workload, recorder, tree, source_real):
        raise HarnessError("the source could not be instrumented")
    exit_code, exception = recorder.exit_info
    write(recorder, capture_report(recorder, started, exit_code, exception))


def collect_samples(recorder):
    """The pickled {qualname: [blob, ...]} of the kept samples.

    Each blob is the pickle of one call's (args, kwargs), taken at call
    time; a function's blobs are in call order.
    """
    samples = {}
    for rec in recorder.funcs.values():
        rec.slots.sort(key=lambda s: s.call)
        samples.setdefault(rec.entry["qualname"], []).extend(
            s.blob for s in rec.slots)
    return pickle.dumps(samples, protocol=PICKLE_PROTOCOL)


# ---------------------------------------------------------------- output

def python_info():
    """Describe the running interpreter."""
    return {"version": platform.python_version(),
            "executable": sys.executable,
            "implementation": sys.implementation.name,
            "soabi": sysconfig.get_config_var("SOABI"),
            "float_sum": ("compensated" if sys.version_info >= (3, 12)
                          else "naive")}


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


def build_report(table, timing, recorder, workload_info):
    """Assemble the OUT.json document: times from run 1 (timing), calls
    and callees from run 2 (recorder; run 1's when there is none)."""
    total = timing["total"] if timing else 0.0
    counts = recorder.counts() if recorder else None
    functions = []
    for entry in table:
        key = (entry["qualname"], entry["line"])
        nc, cc, tt, ct = (timing["per_func"].get(key, [0, 0, 0.0, 0.0])
                          if timing else (0, 0, 0.0, 0.0))
        rec = recorder.funcs[key] if recorder else None
        inc = timing["inclusive"].get(key, tt) if timing else 0.0
        calls = timing["callees"].get(key, {}) if timing else {}
        if counts is not None:
            # run 2 ran the workload once, run 1 iterations times
            times = max(1, workload_info.get("iterations") or 1)
            nc, cc, calls = counts[key]
            nc, cc = nc * times, cc * times
            calls = {k: n * times for k, n in calls.items()}
        functions.append({
            "qualname": entry["qualname"], "line": entry["line"],
            "ncalls": nc, "primitive_calls": cc,
            "tottime": tt, "cumtime": ct,
            "share": (tt / total) if total > 0 else 0.0,
            "self_share": (tt / total) if total > 0 else 0.0,
            "time_share": min(1.0, inc / total) if total > 0 else 0.0,
            "callees": [{"qualname": k[0], "calls": n}
                        for k, n in sorted(calls.items(),
                                           key=lambda kv: (-kv[1], kv[0]))],
            "signatures": recorder.signatures(rec) if rec else [],
            "samples": len(rec.slots) if rec else 0,
            "unpicklable": rec.unpicklable if rec else 0,
            "oversized": rec.oversized if rec else 0,
            "traced_calls": rec.calls if rec else 0,
            "sample_calls": sorted(s.call for s in rec.slots) if rec else [],
            "sample_bytes": rec.bytes if rec else 0})
    functions.sort(key=lambda f: (-f["tottime"], f["line"]))
    return {"python": python_info(), "workload": workload_info,
            "total_time": total, "functions": functions}


def parse_args(argv):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="profile.py", description="rustify profile harness")
    parser.add_argument("--source", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--samples", required=True)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--entry", metavar="MOD:FUNC")
    group.add_argument("--entry-cmd-json", metavar="JSON")
    parser.add_argument("--iterations", type=int, default=1)
    parser.add_argument("--max-samples", type=int, default=32)
    parser.add_argument("--max-sample-bytes", type=int, default=1048576)
    parser.add_argument("--max-recorded-calls", type=int, default=1000)
    parser.add_argument("--max-total-bytes", type=int,
                        default=MAX_TOTAL_BYTES)
    # how run 2 sees calls: probes in an instrumented copy of the source
    # (no hook; see probes_run), or a sys.settrace hook (types_run)
    parser.add_argument("--record-by", choices=("probes", "trace"),
                        default="probes")
    # how run 1 times the functions: a sampler (Sampler), or cProfile
    # (where no sampler thread can start, or when asked)
    parser.add_argument("--timing-by", choices=("sampler", "cprofile"),
                        default="sampler")
    # the verify stage's capture run (CaptureRecorder): a JSON list of
    # qualnames whose first --max-samples calls are all it records
    parser.add_argument("--capture-json", metavar="JSON")
    args = parser.parse_args(argv)
    if args.iterations < 1:
        parser.error("--iterations must be at least 1")
    for name in ("max_samples", "max_sample_bytes", "max_recorded_calls",
                 "max_total_bytes"):
        if getattr(args, name) < 0:
            parser.error("--%s must not be negative" % name.replace("_", "-"))
    return args


def run(args):
    """Profile the source as args say; write OUT.json and SAMPLES.pkl."""
    source = os.path.abspath(args.source)
    try:
        with open(source, "rb") as f:
            text = f.read()
    except OSError as exc:
        raise HarnessError("cannot read source: %s" % exc)
    try:
        tree = ast.parse(text, filename=source)
    except SyntaxError as exc:
        # the program itself does not compile: say where, as python
        # would, in the report (kind "error")
        info = {"kind": "error", "iterations": 0, "exit_code": None,
                "exception": describe_exception(exc, source),
                "wall_time": 0.0}
        report = build_report([], None, None, info)
        write_atomic(args.samples, pickle.dumps({}, protocol=PICKLE_PROTOCOL))
        write_atomic(args.out, json.dumps(report, indent=1).encode())
        return
    table = function_table(tree)
    ATTR_NAMES.update(node.attr for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute))
    _SOURCE[0] = source
    source_real = os.path.realpath(source)
    workload = Workload(args, source)
    if args.capture_json is not None:
        capture_run(args, workload, tree, table, source_real)
        return
    if workload.kind == "main" and not has_main_block(tree) and \
            not has_toplevel_code(tree):
        info = {"kind": "none", "iterations": 0, "exit_code": None,
                "exception": None, "wall_time": 0.0,
                "message": NO_WORKLOAD_MESSAGE}
        report = build_report(table, None, None, info)
        write_atomic(args.samples, pickle.dumps({}, protocol=PICKLE_PROTOCOL))
        write_atomic(args.out, json.dumps(report, indent=1).encode())
        return
    started = time.perf_counter()
    timing = timing_run(workload, args.iterations, source_real, table,
                        args.timing_by)
    timed = time.perf_counter()
    limits = (source_real, table, args.max_samples, args.max_sample_bytes,
              args.max_recorded_calls, args.max_total_bytes)
    recorder = None
    if args.record_by == "probes":
        recorder = ProbeRecorder(*limits)
        if not probes_run(workload, recorder, tree, source_real):
            recorder = None
    if recorder is None:
        recorder = TypeRecorder(*limits)
        types_run(workload, recorder)
    traced = time.perf_counter()
    samples = collect_samples(recorder)
    info = {"kind": workload.kind, "iterations": args.iterations,
            "exit_code": timing["exit_code"],
            "exception": timing["exception"], "wall_time": timing["wall"]}
    report = build_report(table, timing, recorder, info)
    report["sampling"] = {
        "max_samples": args.max_samples,
        "max_sample_bytes": args.max_sample_bytes,
        "max_total_bytes": args.max_total_bytes,
        "samples_bytes": len(samples),
        "trace_restarts": recorder.restarts,
        "record_by": ("probes" if isinstance(recorder, ProbeRecorder)
                      else "trace"),
        "timing_by": timing["by"],
        "time_samples": timing.get("samples"),
        "skipped": sum(r.skipped for r in recorder.recs)}
    report["phase_times"] = {"timing": timed - started,
                             "types": traced - timed,
                             "samples": time.perf_counter() - traced}
    write_atomic(args.samples, samples)
    write_atomic(args.out, json.dumps(report, indent=1).encode())


def main(argv=None):
    """Entry point: returns the process exit status."""
    args = parse_args(argv)
    try:
        run(args)
    except HarnessError as exc:
        sys.__stderr__.write("rustify profile harness: %s\n" % exc)
        return 2
    except Exception as exc:
        sys.__stderr__.write("rustify profile harness: internal error: %s\n"
                             % "".join(traceback.format_exception_only(
                                 type(exc), exc)).strip())
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
