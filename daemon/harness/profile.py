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
        [--max-recorded-calls 1000]

Workload: by default the source runs as __main__ (sys.argv = [source],
sys.path[0] = its directory); --entry imports MOD from the source directory
and calls FUNC() (FUNC may be dotted, e.g. Class.method); --entry-cmd-json
runs argv[0] as __main__ with sys.argv set to the list.  A source without an
``if __name__ == "__main__":`` block and no entry runs nothing and gets
workload.kind "none" with a message saying how to give a workload.

Run 1 (timing) wraps the workload, repeated --iterations times, in
cProfile.  Run 2 (types) runs the workload once more under sys.settrace,
recording for each function of the source file the exact argument and
return types and pickling the (args, kwargs) of its first --max-samples
calls at call time.  The trace hook is removed once every function of the
file has had --max-recorded-calls calls recorded.

OUT.json (written to a temporary file, then renamed)::

    {"python": {"version": "3.11.7", "executable": str,
                "implementation": "cpython", "soabi": str or null,
                "float_sum": "naive" | "compensated"},
     "workload": {"kind": "main" | "entry" | "entry_cmd" | "none",
                  "iterations": int, "exit_code": int or null,
                  "exception": null or {"type", "message", "traceback"},
                  "wall_time": float seconds of run 1,
                  "message": str (kind "none" only)},
     "total_time": float, tottime of everything run 1 ran,
     "functions": [{"qualname": str, "line": int (the def line),
                    "ncalls": int, "primitive_calls": int,
                    "tottime": float, "cumtime": float, "share": 0..1,
                    "signatures": [{"args": {"param": "type", ...},
                                    "return": "type" | "raises Exc" | null,
                                    "count": int}],
                    "samples": int, "unpicklable": int, "oversized": int}]}

functions lists every def of the file (ncalls 0 if never called), sorted by
tottime descending.  exit_code is 0 when the workload returned, the
SystemExit code when it exited, null when it raised another exception
(then "exception" says which).  Signatures are the distinct ones, most
frequent first, at most 8; "return" is null when the return was not seen
(generators, coroutines).  Type strings: int, float, bool, str, bytes,
complex, None, list[T], tuple[T1, T2] (tuple[T, ...] when longer than 8),
tuple[()], dict[K, V], set[T], frozenset[T], numpy.ndarray[dtype, ndim],
other objects module.QualName (builtins without module); unions "A | B"
(sorted); empty containers list[Never], dict[Never, Never]; nesting deeper
than 4 is "...".  Container element types come from at most 16 elements.

SAMPLES.pkl: pickle of {qualname: [(args_tuple, kwargs_dict), ...]}; an
instance of a class defined in a script run as __main__ pickles as
__main__.Class (verify.py maps that module name to the source).

The user's program owns stdout and stderr.  The harness exits 0 whenever it
wrote OUT.json, and 2 with one message on stderr when it failed itself.
"""

import argparse
import ast
import builtins
import dis
import inspect
import itertools
import json
import os
import pickle
import platform
import sys
import sysconfig
import tempfile
import time
import traceback
import types

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
NO_WORKLOAD_MESSAGE = (
    "no workload: the file has no `if __name__ == '__main__':` block, so "
    "profiling has nothing to run. To give a workload: add an "
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

    def _code(self, path):
        """Compile a script once and cache its code object."""
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


def describe_exception(exc):
    """Return {"type", "message", "traceback"} without harness frames."""
    tb = exc.__traceback__
    while tb is not None and os.path.realpath(
            tb.tb_frame.f_code.co_filename) == os.path.realpath(__file__):
        tb = tb.tb_next
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
            "traceback": text[-TRACEBACK_LIMIT:]}


# ---------------------------------------------------------------- run 1

def timing_run(workload, iterations, source_real, table):
    """Profile the workload with cProfile; return timing data."""
    stats = {}
    state = {"func": None}

    def prepare():
        state["func"] = workload.prepare()

    exit_code, exception = run_guarded(prepare)
    profiler = cProfile.Profile()
    wall = 0.0
    if exception is None and (exit_code == 0 or workload.kind != "entry"):
        def body():
            profiler.enable()
            try:
                for _ in range(iterations):
                    workload.run_once(state["func"])
            finally:
                profiler.disable()
        start = time.perf_counter()
        exit_code, exception = run_guarded(body)
        wall = time.perf_counter() - start
        profiler.create_stats()
        stats = profiler.stats
    by_line = {}
    for entry in table:
        key = (entry["qualname"], entry["line"])
        by_line[(entry["line"], entry["name"])] = key
        by_line[(entry["first_line"], entry["name"])] = key
    total = 0.0
    per_func = {}
    real_cache = {}
    for (filename, line, name), (cc, nc, tt, ct, _callers) in stats.items():
        if filename == "~" and "_lsprof.Profiler" in name:
            continue
        total += tt
        real = real_cache.get(filename)
        if real is None:
            real = real_cache[filename] = os.path.realpath(filename)
        if real != source_real:
            continue
        key = by_line.get((line, name))
        if key is None:
            continue
        acc = per_func.setdefault(key, [0, 0, 0.0, 0.0])
        acc[0] += nc
        acc[1] += cc
        acc[2] += tt
        acc[3] += ct
    return {"exit_code": exit_code, "exception": exception, "wall": wall,
            "total": total, "per_func": per_func}


# ---------------------------------------------------------------- run 2

class TypeRecorder:
    """sys.settrace hook recording types and sample arguments."""

    def __init__(self, source_real, table, max_samples, max_bytes,
                 max_calls):
        self.source_real = source_real
        self.max_samples = max_samples
        self.max_bytes = max_bytes
        self.max_calls = max_calls
        self.by_line = {}
        self.funcs = {}
        for entry in table:
            rec = {"entry": entry, "calls": 0, "signatures": {},
                   "blobs": [], "bytes": 0, "unpicklable": 0,
                   "oversized": 0}
            self.funcs[(entry["qualname"], entry["line"])] = rec
            self.by_line[(entry["line"], entry["name"])] = rec
            self.by_line[(entry["first_line"], entry["name"])] = rec
        self.saturated = len(self.funcs) if max_calls <= 0 else 0
        self.codes = {}
        self.real_cache = {}
        self.pending = {}

    def _classify(self, code):
        """Return the function record for a code object, or None."""
        filename = code.co_filename
        real = self.real_cache.get(filename)
        if real is None:
            real = self.real_cache[filename] = os.path.realpath(filename)
        if real != self.source_real or code.co_flags & _NOT_TRACED_FLAGS:
            return None
        rec = self.by_line.get((code.co_firstlineno, code.co_name))
        if rec is None:
            return None
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

    def global_trace(self, frame, event, arg):
        """Global trace function: 'call' events of every Python frame."""
        if event != "call":
            return None
        code = frame.f_code
        info = self.codes.get(id(code))
        if info is None:
            info = (code, self._classify(code))
            self.codes[id(code)] = info
        info = info[1]
        if info is None:
            return None
        rec = info[0]
        if rec["calls"] >= self.max_calls:
            self._maybe_stop()
            return None
        rec["calls"] += 1
        if rec["calls"] == self.max_calls:
            self.saturated += 1
        self._record_call(frame, info)
        frame.f_trace_lines = False
        return self.local_trace

    def _record_call(self, frame, info):
        rec, order, positional, var_pos, kwonly, var_kw = info
        f_locals = frame.f_locals
        values = {}
        for name in order:
            values[name] = f_locals[name]
        arg_types = tuple(type_name(values[name]) for name in order)
        self.pending[id(frame)] = [rec, order, arg_types, None]
        if len(rec["blobs"]) + rec["unpicklable"] + rec["oversized"] \
                >= self.max_samples:
            return
        args = tuple(values[name] for name in positional)
        if var_pos:
            args += tuple(values[var_pos])
        kwargs = {name: values[name] for name in kwonly}
        if var_kw:
            kwargs.update(values[var_kw])
        try:
            blob = pickle.dumps((args, kwargs), protocol=PICKLE_PROTOCOL)
        except BaseException:
            rec["unpicklable"] += 1
            return
        if rec["bytes"] + len(blob) > self.max_bytes:
            rec["oversized"] += 1
            return
        rec["bytes"] += len(blob)
        rec["blobs"].append(blob)

    def local_trace(self, frame, event, arg):
        """Per-frame trace function: 'exception' and 'return' events."""
        if event == "exception":
            slot = self.pending.get(id(frame))
            if slot is not None:
                slot[3] = arg[0]
        elif event == "return":
            slot = self.pending.pop(id(frame), None)
            if slot is not None:
                code = frame.f_code
                lasti = frame.f_lasti
                if 0 <= lasti < len(code.co_code) and \
                        code.co_code[lasti] in _RETURN_OPS:
                    ret = type_name(arg)
                elif slot[3] is not None:
                    ret = exception_name(slot[3])
                else:
                    ret = None
                self._count(slot, ret)
            self._maybe_stop()
        return self.local_trace

    def _count(self, slot, ret):
        key = (slot[2], ret)
        sigs = slot[0]["signatures"]
        sigs[key] = sigs.get(key, 0) + 1

    def _maybe_stop(self):
        if self.saturated >= len(self.funcs) and not self.pending:
            sys.settrace(None)

    def finish(self):
        """Count calls whose return was never seen (return: null)."""
        for slot in self.pending.values():
            self._count(slot, None)
        self.pending.clear()

    def signatures(self, rec):
        """Distinct signatures of a function, most frequent first."""
        order = rec["entry"]["params"]
        items = sorted(rec["signatures"].items(), key=lambda kv: -kv[1])
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
        sys.settrace(recorder.global_trace)
        try:
            workload.run_once(state["func"])
        finally:
            sys.settrace(None)

    run_guarded(body)
    recorder.finish()


def collect_samples(recorder, workload):
    """Unpickle the stored blobs into {qualname: [(args, kwargs), ...]}."""
    saved = sys.modules.get("__main__")
    if workload.main_module is not None:
        sys.modules["__main__"] = workload.main_module
    samples = {}
    try:
        for rec in recorder.funcs.values():
            items = samples.setdefault(rec["entry"]["qualname"], [])
            kept = []
            for blob in rec["blobs"]:
                try:
                    items.append(pickle.loads(blob))
                    kept.append(blob)
                except BaseException:
                    rec["unpicklable"] += 1
            rec["blobs"] = kept
        data = pickle.dumps(samples, protocol=PICKLE_PROTOCOL)
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved
    return data


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
    """Assemble the OUT.json document."""
    total = timing["total"] if timing else 0.0
    functions = []
    for entry in table:
        key = (entry["qualname"], entry["line"])
        nc, cc, tt, ct = (timing["per_func"].get(key, [0, 0, 0.0, 0.0])
                          if timing else (0, 0, 0.0, 0.0))
        rec = recorder.funcs[key] if recorder else None
        functions.append({
            "qualname": entry["qualname"], "line": entry["line"],
            "ncalls": nc, "primitive_calls": cc,
            "tottime": tt, "cumtime": ct,
            "share": (tt / total) if total > 0 else 0.0,
            "signatures": recorder.signatures(rec) if rec else [],
            "samples": len(rec["blobs"]) if rec else 0,
            "unpicklable": rec["unpicklable"] if rec else 0,
            "oversized": rec["oversized"] if rec else 0})
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
    args = parser.parse_args(argv)
    if args.iterations < 1:
        parser.error("--iterations must be at least 1")
    for name in ("max_samples", "max_sample_bytes", "max_recorded_calls"):
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
        raise HarnessError("source does not parse: %s" % exc)
    table = function_table(tree)
    source_real = os.path.realpath(source)
    workload = Workload(args, source)
    if workload.kind == "main" and not has_main_block(tree):
        info = {"kind": "none", "iterations": 0, "exit_code": None,
                "exception": None, "wall_time": 0.0,
                "message": NO_WORKLOAD_MESSAGE}
        report = build_report(table, None, None, info)
        write_atomic(args.samples, pickle.dumps({}, protocol=PICKLE_PROTOCOL))
        write_atomic(args.out, json.dumps(report, indent=1).encode())
        return
    timing = timing_run(workload, args.iterations, source_real, table)
    recorder = TypeRecorder(source_real, table, args.max_samples,
                            args.max_sample_bytes, args.max_recorded_calls)
    types_run(workload, recorder)
    samples = collect_samples(recorder, workload)
    info = {"kind": workload.kind, "iterations": args.iterations,
            "exit_code": timing["exit_code"],
            "exception": timing["exception"], "wall_time": timing["wall"]}
    report = build_report(table, timing, recorder, info)
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
