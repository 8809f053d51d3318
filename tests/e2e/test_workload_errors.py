"""A workload that raises, or a program that does not compile, is named
with its place: result.workload_error {type, message, file, line} and the
profile stage's message (which fails the stage when nothing could run).
Expected places come from CPython itself (the traceback's last frame in
the file, or the SyntaxError's own lineno)."""

import os
import subprocess
import sys

from conftest import run, write

RAISES = '''\
def f(x):
    return x + 1


def g():
    raise KeyError("missing " + str(f(1)))


if __name__ == "__main__":
    print(f(2))
    g()
'''

BROKEN = '''\
def f(x):
    return x + 1


if __name__ == "__main__":
    print(f(1)
'''


def test_a_raising_workload_names_its_error_and_line(conn, tmpdir_short):
    src = write(tmpdir_short, "raises.py", RAISES)
    r = subprocess.run([sys.executable, src], capture_output=True,
                       text=True)
    # CPython's own last frame: the raise in g
    assert 'line 6, in g' in r.stderr, r.stderr
    res = run(conn, {"file": src, "list_targets": True})
    assert res["state"] == "done", res
    err = res["workload_error"]
    assert err == {"type": "KeyError", "message": "'missing 2'",
                   "file": src, "line": 6}, err
    prof = [s for s in res["stages"] if s["name"] == "profile"][0]
    assert "raised KeyError: 'missing 2' at %s:6" % src in \
        prof["message"], prof


def test_a_program_that_does_not_compile_fails_with_its_line(
        conn, tmpdir_short):
    src = write(tmpdir_short, "broken.py", BROKEN)
    try:
        compile(BROKEN, src, "exec")
    except SyntaxError as exc:
        expected = (exc.lineno, exc.msg)
    res = run(conn, {"file": src})
    assert res["state"] == "failed", res
    prof = [s for s in res["stages"] if s["name"] == "profile"][0]
    assert prof["status"] == "failed", prof
    assert prof["message"].startswith(
        "the program does not compile: SyntaxError: " + expected[1]), prof
    assert prof["message"].endswith("at %s:%d" % (src, expected[0])), prof
    err = res["workload_error"]
    assert (err["type"], err["file"], err["line"]) == \
        ("SyntaxError", src, expected[0]), err
    assert "exited with status" not in (res["error"] or ""), res
    assert os.path.basename(src) in err["message"], err


HUGE_ARGS = '''\
class Store:
    def __init__(self, n):
        self.rows = [(i, -i) for i in range(n)]

    def total(self):
        s = 0
        for a, b in self.rows:
            s += a - b
        return s


if __name__ == "__main__":
    store = Store(2_500_000)
    print(store.total(), store.total())
'''


def test_a_function_whose_arguments_are_too_big_to_capture_says_so(
        daemons, tmpdir_short):
    # Store.total's self holds 2.5 million tuples: more than the profile's
    # 16 MB per-function sample budget, and than the verify stage's
    # capture budget on this daemon (1 MB), so no call is captured to
    # check it on, and the reason says that (not "could not be pickled").
    d = daemons.new(["--capture-max-bytes", "1048576"])
    conn = d.connect()
    src = write(tmpdir_short, "huge.py", HUGE_ARGS)
    res = run(conn, {"file": src, "functions": ["Store.total"],
                     "measure_budget": 0})
    assert res["state"] == "done", res
    f = [x for x in res["functions"] if x["name"] == "Store.total"][0]
    assert f["translated"] and not f["verified"], f
    assert f["captured_calls"] == 0, f
    assert "larger than the profile's per-function sample budget" in \
        f["reason"], f
    assert "capture budget (1048576 bytes" in f["reason"], f


def test_the_same_function_is_captured_under_the_default_budget(
        conn, tmpdir_short):
    # the daemon's default capture budget (128 MB) takes its first call:
    # checked on it, the method is verified
    src = write(tmpdir_short, "huge.py", HUGE_ARGS)
    res = run(conn, {"file": src, "functions": ["Store.total"],
                     "measure_budget": 0})
    assert res["state"] == "done", res
    f = [x for x in res["functions"] if x["name"] == "Store.total"][0]
    assert f["translated"] and f["verified"], f
    assert f["captured_calls"] == 1 and f["checked_inputs"] >= 1, f
