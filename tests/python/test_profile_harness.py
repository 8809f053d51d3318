"""Tests of daemon/harness/profile.py, the profiling child process.

The harness is run as the daemon runs it (a child interpreter, cwd = the
source's folder) and its OUT.json and SAMPLES.pkl are checked; its pure
helpers (type strings, function table) are also tested directly.
"""

import ast
import importlib.util
import io
import json
import os
import pickle
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
HARNESS = os.path.join(ROOT, "daemon", "harness", "profile.py")
# The interpreter that runs the harness (the harness supports 3.8-3.13).
PYTHON = os.environ.get("RUSTIFY_HARNESS_PYTHON", sys.executable)


def load_harness():
    """Import profile.py under a name that does not shadow stdlib profile."""
    spec = importlib.util.spec_from_file_location("rustify_profile_h",
                                                  HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


H = load_harness()


def load_verify():
    spec = importlib.util.spec_from_file_location(
        "rustify_verify_h", os.path.join(ROOT, "daemon", "harness",
                                         "verify.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


V = load_verify()


class StandIn:
    """A profiled class as the tests see it: made from any arguments."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)


class MainUnpickler(V.SampleUnpickler):
    """Unpickles classes of the profiled __main__ as stand-in classes;
    lambdas, closures and exceptions as verify.py does."""

    def __init__(self, f):
        super().__init__(f, None, ())

    def find_class(self, module, name):
        if module == "__main__":
            return type(name, (StandIn,), {"__module__": "profiled_main"})
        return super().find_class(module, name)


def run_harness(tmp_path, source_text, *extra, name="prog", files=None):
    """Write the source, run the harness; return (proc, report, samples)."""
    src = tmp_path / (name + ".py")
    src.write_text(textwrap.dedent(source_text))
    for fname, text in (files or {}).items():
        (tmp_path / fname).write_text(textwrap.dedent(text))
    out = tmp_path / "out.json"
    samples = tmp_path / "samples.pkl"
    proc = subprocess.run(
        [PYTHON, HARNESS, "--source", str(src), "--name", name,
         "--out", str(out), "--samples", str(samples)] + list(extra),
        cwd=str(tmp_path), capture_output=True, text=True, timeout=60)
    report = json.loads(out.read_text()) if out.exists() else None
    data = None
    if samples.exists():
        with open(str(samples), "rb") as f:
            data = MainUnpickler(f).load()
        # One blob per sample, each loaded on its own.
        data = {name: [MainUnpickler(io.BytesIO(blob)).load()
                       for blob in blobs] for name, blobs in data.items()}
    return proc, report, data


def func(report, qualname):
    """The report entry of one function."""
    found = [f for f in report["functions"] if f["qualname"] == qualname]
    assert len(found) == 1, [f["qualname"] for f in report["functions"]]
    return found[0]


class Point:
    """A user class for type-string tests."""


@pytest.mark.parametrize("value, expected", [
    (1, "int"), (1.5, "float"), (True, "bool"), ("s", "str"),
    (b"b", "bytes"), (None, "None"), (1j, "complex"),
    ([1.0, 2.0], "list[float]"), ([], "list[Never]"),
    ([1, 2.0, 3], "list[float | int]"),
    ((1, "a"), "tuple[int, str]"), ((), "tuple[()]"),
    (tuple(range(20)), "tuple[int, ...]"),
    ({"a": 1}, "dict[str, int]"), ({}, "dict[Never, Never]"),
    ({1, 2}, "set[int]"), (frozenset(), "frozenset[Never]"),
    ([[1.0], []], "list[list[Never] | list[float]]"),
    ([[[[[1]]]]], "list[list[list[list[...]]]]"),
    (Point(), __name__ + ".Point"),
    (bytearray(b"x"), "bytearray"),
    ({("a", "b"): 1}, "dict[tuple[str, str], int]"),
])
def test_type_names(value, expected):
    assert H.type_name(value) == expected


def test_type_name_samples_long_lists_at_both_ends():
    values = [1.0] * 1000
    values[-1] = "end"
    values[0] = 7
    assert H.type_name(values) == "list[float | int | str]"


def test_type_name_numpy_like_object_without_numpy():
    fake = type("ndarray", (), {"__module__": "numpy"})()
    fake.dtype = "float64"
    fake.ndim = 2
    assert H.type_name(fake) == "numpy.ndarray[float64, 2]"


def test_function_table_qualnames_and_lines():
    tree = ast.parse(textwrap.dedent("""\
        import functools

        def top(a, b=1, *args, c, **kw):
            def inner(x, /, y):
                return x
            return inner

        class C:
            @staticmethod
            @functools.lru_cache()
            def m(self):
                pass
            class D:
                async def n(self):
                    pass
        if True:
            def cond():
                pass
        """))
    table = {e["qualname"]: e for e in H.function_table(tree)}
    assert set(table) == {"top", "top.<locals>.inner", "C.m", "C.D.n",
                          "cond"}
    assert table["top"]["params"] == ["a", "b", "args", "c", "kw"]
    assert table["top.<locals>.inner"]["params"] == ["x", "y"]
    assert table["C.m"]["line"] == 11
    assert table["C.m"]["first_line"] == 9


MAIN_PROGRAM = """\
import functools


def tracked(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def hot(xs, scale):
    total = 0.0
    for _ in range(60):
        for x in xs:
            total += x * scale
    return total


def clears(values):
    out = list(values)
    values.clear()
    return out


def picky(x):
    if x < 0:
        raise ValueError("negative")
    return x


def takes_fn(fn):
    return fn(1)


def never_called(a):
    return a


@tracked
def decorated(a, b):
    return a + b


class Acc:
    def add(self, v):
        def helper(w):
            return w * 2
        return helper(v)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


if __name__ == "__main__":
    print("program output")
    hot([0.5] * 5000, 2.0)
    hot([1, 2, 3], 2)
    clears([1, 2, 3])
    picky(3)
    try:
        picky(-1)
    except ValueError:
        pass
    takes_fn(lambda v: v)
    decorated(1, 2)
    Acc().add(4)
    fib(10)
"""


def test_main_workload_report(tmp_path):
    proc, report, samples = run_harness(tmp_path, MAIN_PROGRAM,
                                        "--max-sample-bytes", "10000000")
    assert proc.returncode == 0, proc.stderr
    # The program owns stdout: its output appears (once per run), and
    # nothing of the harness does.
    assert proc.stdout == "program output\n" * 2
    assert proc.stderr == ""
    wl = report["workload"]
    assert wl["kind"] == "main" and wl["exit_code"] == 0
    assert wl["exception"] is None and wl["iterations"] == 1
    assert wl["wall_time"] > 0
    assert re.match(r"3\.\d+\.\d+", report["python"]["version"])
    assert report["python"]["float_sum"] in ("naive", "compensated")

    names = [f["qualname"] for f in report["functions"]]
    assert names[0] == "hot"
    assert set(names) == {"tracked", "tracked.<locals>.wrapper", "hot",
                          "clears", "picky", "takes_fn", "never_called",
                          "decorated", "Acc.add", "Acc.add.<locals>.helper",
                          "fib"}
    tottimes = [f["tottime"] for f in report["functions"]]
    assert tottimes == sorted(tottimes, reverse=True)
    hot = func(report, "hot")
    assert hot["ncalls"] == 2 and hot["primitive_calls"] == 2
    assert hot["line"] == 11
    assert 0.5 < hot["share"] <= 1.0
    assert hot["cumtime"] >= hot["tottime"] > 0
    assert abs(hot["share"] - hot["tottime"] / report["total_time"]) < 1e-9
    sigs = {(tuple(s["args"].items()), s["return"]): s["count"]
            for s in hot["signatures"]}
    assert sigs == {((("xs", "list[float]"), ("scale", "float")), "float"): 1,
                    ((("xs", "list[int]"), ("scale", "int")), "float"): 1}

    fib = func(report, "fib")
    assert (fib["ncalls"], fib["primitive_calls"]) == (177, 1)
    assert fib["cumtime"] >= fib["tottime"]
    assert sum(s["count"] for s in fib["signatures"]) == 177
    assert func(report, "never_called")["ncalls"] == 0
    assert func(report, "never_called")["signatures"] == []
    assert func(report, "decorated")["ncalls"] == 1
    assert func(report, "decorated")["line"] == 40
    assert func(report, "Acc.add.<locals>.helper")["ncalls"] == 1
    add_sig = func(report, "Acc.add")["signatures"][0]
    assert add_sig["args"] == {"self": "__main__.Acc", "v": "int"}

    picky = {s["return"]: s["args"] for s in
             func(report, "picky")["signatures"]}
    assert picky == {"int": {"x": "int"}, "raises ValueError": {"x": "int"}}

    # Samples are taken at call time: clears() empties its argument later.
    assert samples["clears"] == [(([1, 2, 3],), {})]
    assert samples["picky"] == [((3,), {}), ((-1,), {})]
    assert samples["tracked.<locals>.wrapper"] == [((1, 2), {})]
    (acc_args, acc_kwargs), = samples["Acc.add"]
    assert type(acc_args[0]).__name__ == "Acc" and acc_args[1:] == (4,)
    # A lambda is carried by value (its code), and works again.
    takes = func(report, "takes_fn")
    assert takes["samples"] == 1 and takes["unpicklable"] == 0
    (fn,), _ = samples["takes_fn"][0]
    assert fn.__qualname__ == "<lambda>" and fn(5) == 5
    assert func(report, "hot")["samples"] == 2
    assert len(samples["hot"][0][0][0]) == 5000


def test_toplevel_code_is_the_workload(tmp_path):
    # a script without a main block: its top level runs as __main__, as
    # `python -m cProfile prog.py` runs it
    proc, report, samples = run_harness(tmp_path, """\
        def f(a):
            return a

        open("marker", "w").close()
        f(1)
        f(2)
        """)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "marker").exists()
    assert report["workload"]["kind"] == "main"
    assert [f["ncalls"] for f in report["functions"]
            if f["qualname"] == "f"] == [2]


def test_library_module_runs_nothing(tmp_path):
    # definitions, imports and constant assignments only: nothing to run
    proc, report, samples = run_harness(tmp_path, """\
        import os
        LIMIT = 10
        NAMES = ("a", "b")

        def f(a):
            return a
        """)
    assert proc.returncode == 0, proc.stderr
    wl = report["workload"]
    assert wl["kind"] == "none"
    assert "__main__" in wl["message"] and "--entry" in wl["message"]
    assert [f["qualname"] for f in report["functions"]] == ["f"]
    assert report["functions"][0]["ncalls"] == 0
    assert samples == {}


def test_entry_function_with_iterations(tmp_path):
    proc, report, samples = run_harness(tmp_path, """\
        def square(x):
            return x * x

        def work():
            for i in range(10):
                square(float(i))
        """, "--entry", "prog:work", "--iterations", "3")
    assert proc.returncode == 0, proc.stderr
    assert report["workload"]["kind"] == "entry"
    assert report["workload"]["iterations"] == 3
    assert func(report, "square")["ncalls"] == 30
    assert func(report, "work")["ncalls"] == 3
    sig = func(report, "square")["signatures"]
    assert sig == [{"args": {"x": "float"}, "return": "float", "count": 10}]
    assert samples["square"][:2] == [((0.0,), {}), ((1.0,), {})]


def test_entry_cmd_json_runs_script_with_argv(tmp_path):
    driver = """\
        import sys
        import prog
        assert sys.argv == [sys.argv[0], "a", "b"], sys.argv
        assert sys.argv[0].endswith("driver.py")
        prog.count(sys.argv[1:])
        """
    source = """\
        def count(tokens):
            return len(tokens)
        """
    proc, report, _ = run_harness(
        tmp_path, source, "--entry-cmd-json",
        json.dumps(["driver.py", "a", "b"]), files={"driver.py": driver})
    assert proc.returncode == 0, proc.stderr
    assert report["workload"]["kind"] == "entry_cmd"
    assert report["workload"]["exception"] is None
    assert report["workload"]["exit_code"] == 0
    assert func(report, "count")["ncalls"] == 1
    assert func(report, "count")["signatures"][0]["args"] == {
        "tokens": "list[str]"}


def test_system_exit_is_an_exit_code(tmp_path):
    proc, report, _ = run_harness(tmp_path, """\
        import sys

        def f():
            return 1

        if __name__ == "__main__":
            f()
            sys.exit(3)
        """)
    assert proc.returncode == 0, proc.stderr
    assert report["workload"]["exit_code"] == 3
    assert report["workload"]["exception"] is None
    assert func(report, "f")["ncalls"] == 1


def test_exception_is_recorded_and_profile_kept(tmp_path):
    proc, report, _ = run_harness(tmp_path, """\
        def f(n):
            return n + 1

        def boom():
            raise KeyError("lost")

        if __name__ == "__main__":
            f(1)
            boom()
        """)
    assert proc.returncode == 0, proc.stderr
    exc = report["workload"]["exception"]
    assert exc["type"] == "KeyError" and "lost" in exc["message"]
    assert "boom" in exc["traceback"] and "profile.py" not in exc["traceback"]
    assert report["workload"]["exit_code"] is None
    assert func(report, "f")["ncalls"] == 1
    assert func(report, "boom")["signatures"] == [
        {"args": {}, "return": "raises KeyError", "count": 1}]


def test_recording_is_bounded_and_hook_removed(tmp_path):
    proc, report, samples = run_harness(tmp_path, """\
        import sys

        def f(x):
            return x

        if __name__ == "__main__":
            for i in range(500):
                f(i)
            with open("trace_state", "a") as out:
                out.write("%r\\n" % (sys.gettrace() is None))
        """, "--max-recorded-calls", "20", "--max-samples", "5")
    assert proc.returncode == 0, proc.stderr
    f = func(report, "f")
    assert f["ncalls"] == 500
    assert sum(s["count"] for s in f["signatures"]) == 20
    # spread by halving: between half and all of --max-samples are kept
    assert 3 <= f["samples"] <= 5 and len(samples["f"]) == f["samples"]
    # Neither run 1 (a timer signal) nor run 2 (probes) has a trace hook.
    assert (tmp_path / "trace_state").read_text() == "True\nTrue\n"


def test_sample_bytes_bound(tmp_path):
    proc, report, samples = run_harness(tmp_path, """\
        def f(xs):
            return len(xs)

        if __name__ == "__main__":
            f([1.5] * 10)
            f([1.5] * 100000)
            f([2.5] * 10)
        """, "--max-sample-bytes", "4096")
    assert proc.returncode == 0, proc.stderr
    f = func(report, "f")
    assert f["samples"] == 2 and f["oversized"] == 1
    assert [len(a[0][0]) for a in samples["f"]] == [10, 10]


def test_harness_error_exits_2(tmp_path):
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [PYTHON, HARNESS, "--source", str(tmp_path / "missing.py"),
         "--name", "missing", "--out", str(out),
         "--samples", str(tmp_path / "s.pkl")],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "cannot read source" in proc.stderr
    assert not out.exists()


def test_closures_and_exceptions_are_carried_by_value(tmp_path):
    # what plain pickle refuses: a closure sharing a cell with another,
    # a closure that holds itself, an exception whose __init__ takes
    # other arguments than its args
    proc, report, samples = run_harness(tmp_path, """\
        class Odd(Exception):
            def __init__(self, code):
                super().__init__("code %d" % code)
                self.code = code

        def make():
            count = [0]

            def bump():
                count[0] += 1
                return count[0]

            def peek():
                return count[0]

            def again(n):
                return n if n < 1 else again(n - 1)

            return bump, peek, again

        def take(*fns):
            return len(fns)

        if __name__ == "__main__":
            bump, peek, again = make()
            bump()
            take(bump, peek, again, Odd(7))
        """)
    assert proc.returncode == 0, proc.stderr
    take = func(report, "take")
    assert take["unpicklable"] == 0 and take["samples"] == 1
    # loaded as verify.py loads them: the program's own classes
    prog = V.load_original(str(tmp_path / "prog.py"))
    with open(str(tmp_path / "samples.pkl"), "rb") as f:
        blobs = V.SampleUnpickler(f, prog, ("__main__", "prog")).load()
    (bump, peek, again, odd), _ = V.SampleUnpickler(
        io.BytesIO(blobs["take"][0]), prog, ("__main__", "prog")).load()
    assert peek() == 1 and bump() == 2 and peek() == 2
    assert again(3) == 0
    assert type(odd).__name__ == "Odd" and odd.args == ("code 7",)
    assert odd.code == 7


THREADED = """\
    import threading
    from concurrent.futures import ThreadPoolExecutor


    def work(xs, scale):
        total = 0.0
        for x in xs:
            total += x * scale
        return total


    def pooled(n):
        return sum(i * i for i in range(n))


    class Worker(threading.Thread):
        def run(self):
            for _ in range(3):
                work([1.0, 2.0, 3.0], 2)


    def in_thread(results, i):
        results.append(work([float(i)] * 1000, 0.5))


    if __name__ == "__main__":
        results = []
        threads = [threading.Thread(target=in_thread, args=(results, i))
                   for i in range(4)]
        threads.append(Worker())
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with ThreadPoolExecutor(2) as pool:
            print(sum(pool.map(pooled, range(10))))
        print(len(results))
    """


def test_functions_called_only_from_threads_are_profiled(tmp_path):
    # CPython's own count: 4 threads call work once, Worker three times;
    # the pool calls pooled 10 times (the workload runs twice: timing,
    # then types and samples)
    proc, report, samples = run_harness(tmp_path, THREADED)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "540\n4\n" * 2
    work = func(report, "work")
    assert work["ncalls"] == 7, work
    # (its calls take microseconds: the sampler may see none of them;
    # test_profile_timing has threads that run long enough)
    assert work["traced_calls"] == 7, work
    assert sorted((s["args"]["xs"], s["args"]["scale"], s["return"],
                   s["count"]) for s in work["signatures"]) == [
        ("list[float]", "float", "float", 4),
        ("list[float]", "int", "float", 3)], work
    assert work["samples"] > 0 and samples["work"], work
    args, kwargs = samples["work"][0]
    assert kwargs == {} and isinstance(args[0], list)
    pooled = func(report, "pooled")
    assert pooled["ncalls"] == 10 and pooled["traced_calls"] == 10
    assert [s["args"] for s in pooled["signatures"]] == [{"n": "int"}]
    assert func(report, "in_thread")["ncalls"] == 4
    assert func(report, "Worker.run")["ncalls"] == 1


def test_threads_and_main_thread_calling_at_once(tmp_path):
    # The main thread and four threads call one function at once, while
    # types and samples are taken (the recorder serializes them): every
    # call is counted, the program's own output is unchanged.
    proc, report, samples = run_harness(tmp_path, """\
        import threading


        def f(x):
            return x * 2 + 1


        def loop(n, out):
            t = 0
            for i in range(n):
                t += f(i if i % 3 else float(i))
            out.append(t)


        if __name__ == "__main__":
            out = []
            threads = [threading.Thread(target=loop, args=(20000, out))
                       for _ in range(4)]
            for t in threads:
                t.start()
            loop(20000, out)
            for t in threads:
                t.join()
            print(sorted(out))
        """, "--max-recorded-calls", "30000", "--max-samples", "8")
    assert proc.returncode == 0, proc.stderr
    expected = sum(i * 2 + 1 for i in range(20000))
    assert proc.stdout == ("[%r, %r, %r, %r, %r]\n" % ((float(expected),)
                                                       * 5)) * 2
    f = func(report, "f")
    assert f["ncalls"] == 100000, f
    # counted to the last sample, types recorded for the first 30000
    assert f["traced_calls"] == 100000, f
    assert sum(s["count"] for s in f["signatures"]) == 30000, f
    assert sorted(s["args"]["x"] for s in f["signatures"]) == \
        ["float", "int"], f
    assert 0 < f["samples"] <= 8 and len(samples["f"]) == f["samples"]
    assert func(report, "loop")["ncalls"] == 5
