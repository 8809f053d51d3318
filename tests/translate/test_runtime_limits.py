"""Signals, the recursion limit and allocation failure, for translated
functions built from runtime_limits.py (the differential inputs of that
file run in test_translate.py). Signal and memory-limit runs happen in a
child interpreter: a failure there must not take pytest down with it."""
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from test_translate import HERE, build_module, run, same, workdir  # noqa: F401

CORPUS = HERE / "runtime_limits.py"


@pytest.fixture(scope="module")
def built(workdir):
    report, pkg, orig, _ = build_module(CORPUS, workdir)
    translated = {f["name"] for f in report["functions"] if f["translated"]}
    for name in ("spin", "spin_list", "spin_rows", "first_gap", "count_down",
                 "zeros", "upto"):
        assert name in translated, report
    return pkg, orig


def child(pkg, code, timeout=60):
    """Runs code in a fresh interpreter that imports the built package as
    `fast` and the original file as `orig`; returns its stdout lines."""
    site = pathlib.Path(pkg.__file__).parent.parent
    prelude = textwrap.dedent(f"""\
        import importlib.util, os, signal, sys, threading, time
        sys.path.insert(0, {str(site)!r})
        import {pkg.__name__} as fast
        spec = importlib.util.spec_from_file_location("orig", {str(CORPUS)!r})
        orig = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(orig)
        """)
    r = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.split()


@pytest.mark.parametrize("call", ["fast.spin(10**12)",
                                  "fast.spin_list([0.5] * 1000, 10**10)",
                                  "fast.spin_rows(10**12, 100)",
                                  "fast.spin_rows(3, 10**12)",
                                  "fast.count_down(350) and fast.spin(10**12)"])
def test_ctrl_c_interrupts_a_long_native_loop(built, call):
    """SIGINT during hours of native work: KeyboardInterrupt, promptly,
    and the interpreter goes on."""
    pkg, _ = built
    out = child(pkg, f"""
        # Python's own handler, even when the tests run in the background
        # (a shell starts background jobs with SIGINT ignored, and Python
        # then installs none)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
        t = time.monotonic()
        try:
            {call}
            print("finished")
        except KeyboardInterrupt:
            print("interrupted")
        print("%.2f" % (time.monotonic() - t))
        print(fast.spin(1000) == orig.spin(1000))
        """)
    assert out[0] == "interrupted", out
    assert float(out[1]) < 10.0, out
    assert out[2] == "True", out


def test_a_handlers_exception_propagates(built):
    """A Python signal handler's own exception comes out of the native
    call, as it would out of the Python loop."""
    pkg, _ = built
    out = child(pkg, """
        def alarm(sig, frame):
            raise TimeoutError("alarm")
        signal.signal(signal.SIGALRM, alarm)
        for call in (lambda: fast.spin_list([1.0] * 100, 10**10),
                     lambda: fast.spin(10**12)):
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            try:
                call()
                print("finished")
            except TimeoutError as e:
                print("timeout:" + str(e))
        """)
    assert out == ["timeout:alarm", "timeout:alarm"], out


def test_handlers_that_return_leave_results_exact(built):
    """Handlers that run and return (a 1 ms timer) do not change results."""
    pkg, _ = built
    out = child(pkg, """
        ticks = []
        signal.signal(signal.SIGALRM, lambda s, f: ticks.append(1))
        xs = [0.1 * i for i in range(1000)]
        want = (orig.spin(3 * 10**6), orig.spin_list(xs, 3000))
        signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
        n0 = len(ticks)
        got = (fast.spin(3 * 10**6), fast.spin_list(xs, 3000))
        signal.setitimer(signal.ITIMER_REAL, 0)
        print(want == got, len(ticks) > n0)
        """)
    assert out == ["True", "True"], out


def test_recursion_limit_as_python(built):
    """Around the interpreter's recursion limit, the native version
    returns or raises RecursionError exactly where Python does."""
    pkg, orig = built
    frames = 0
    f = sys._getframe()
    while f:
        frames += 1
        f = f.f_back
    old = sys.getrecursionlimit()
    try:
        for extra in (40, 120):
            sys.setrecursionlimit(frames + extra)
            for n in range(extra - 25, extra + 5):
                want = run(orig.count_down, (n,))
                got = run(pkg.count_down, (n,))
                assert want[0] == got[0], (extra, n, want, got)
                if want[0] == "raise":
                    assert want[1] is got[1] is RecursionError
                else:
                    assert same(want[1], got[1])
    finally:
        sys.setrecursionlimit(old)


def test_allocation_failure_is_memory_error(built):
    """Under an address-space limit, allocations the native code cannot
    get become Python's MemoryError, never an abort."""
    pkg, _ = built
    out = child(pkg, """
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))
        for call in (lambda: fast.zeros(10**9), lambda: fast.dashes(10**9 * 3),
                     lambda: fast.upto(4 * 10**8), lambda: fast.squares(10**9),
                     lambda: fast.grow(10**9), lambda: fast.grow_pairs(10**9)):
            try:
                r = call()
                print("ok", len(r))
            except MemoryError:
                print("MemoryError")
        print(fast.zeros(3) == [0, 0, 0])
        """)
    assert out == ["MemoryError"] * 6 + ["True"], out
