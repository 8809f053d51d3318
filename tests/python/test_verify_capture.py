"""Calls verify captures itself: a function whose every profiled call was
over the profile's sample budget (a method of an object that holds the
program's whole data) gets the arguments of its first calls from a
capture run (profile.py --capture-json, started by verify.py with
--capture-harness) and is checked on them.

The program is small; the profile runs with a per-function budget of a
few kilobytes, so that its methods are "too big" as a million-object
program's are under the daemon's 16 MB.
"""

import io
import json
import pickle
import subprocess
import types

import pytest

from test_verify_exactness import write_package
from test_verify_harness import HARNESS, PROFILE, PYTHON

SOURCE = '''\
import sys


class Store:
    def __init__(self, n):
        self.rows = [i * 0.5 for i in range(n)]
        self.log = []

    def total(self):
        s = 0.0
        for r in self.rows:
            s += r
        return s

    def scale(self, k):
        for i in range(len(self.rows)):
            self.rows[i] *= k
        self.log.append(k)


def guarded(lock, n):
    with lock:
        return n + 1


def never(x):
    return x


def main():
    import threading
    guarded(threading.Lock(), 1)
    s = Store(4000)
    for k in (2.0, 3.0, 4.0):
        s.scale(k)
    print("total", s.total())
    print("total", s.total())
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            f.write("ran to the end")


if __name__ == "__main__":
    main()
'''

WRONG_SCALE = '''
def scale(self, k):
    for i in range(len(self.rows) - 1):
        self.rows[i] *= k
    self.log.append(k)
Store.scale = scale
'''


@pytest.fixture(scope="module")
def prog(tmp_path_factory):
    """The source, profiled with a budget its methods' calls exceed."""
    tmp = tmp_path_factory.mktemp("capture")
    src = tmp / "store.py"
    src.write_text(SOURCE)
    proc = subprocess.run(
        [PYTHON, PROFILE, "--source", str(src), "--name", "store",
         "--out", str(tmp / "p.json"), "--samples", str(tmp / "s.pkl"),
         "--max-sample-bytes", "2000"],
        cwd=str(tmp), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return tmp, src


def package(tmp, name, patch=""):
    return write_package(tmp / name, name, patch, SOURCE)


def verify(prog, pkg_dir, module, names, capture_bytes=1 << 20,
           harness=PROFILE, workload=(), capture_timeout=120):
    tmp, src = prog
    out = tmp / ("v-%s.json" % module)
    functions = [{"qualname": n, "signature": None, "capture": True}
                 for n in names]
    proc = subprocess.run(
        [PYTHON, HARNESS, "--source", str(src), "--package-dir",
         str(pkg_dir), "--module", module, "--samples", str(tmp / "s.pkl"),
         "--functions-json", json.dumps(functions), "--out", str(out),
         "--repeat-budget", "0.02", "--call-timeout", "5",
         "--capture-harness", str(harness),
         "--capture-args-json", json.dumps(list(workload)),
         "--capture-bytes", str(capture_bytes),
         "--capture-timeout", str(capture_timeout)],
        cwd=str(tmp), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    # the workload's output is not the harness's
    assert proc.stdout == ""
    return {f["qualname"]: f for f in json.loads(out.read_text())[
        "functions"]}, proc.stderr


def test_the_profile_kept_no_sample_of_the_methods(prog):
    tmp, _ = prog
    report = json.loads((tmp / "p.json").read_text())
    funcs = {f["qualname"]: f for f in report["functions"]}
    for name in ("Store.total", "Store.scale"):
        assert funcs[name]["samples"] == 0
        assert funcs[name]["oversized"] > 0
    with open(tmp / "s.pkl", "rb") as f:
        assert not pickle.load(f).get("Store.scale")


def test_capture_run_keeps_first_calls_and_stops_early(prog, tmp_path):
    _, src = prog
    marker = tmp_path / "end.txt"
    out, pkl = tmp_path / "c.json", tmp_path / "c.pkl"
    proc = subprocess.run(
        [PYTHON, PROFILE, "--source", str(src), "--name", "store",
         "--out", str(out), "--samples", str(pkl),
         "--capture-json", json.dumps(["Store.scale", "Store.total"]),
         "--max-samples", "2", "--max-sample-bytes", str(1 << 20),
         "--entry-cmd-json", json.dumps([str(src), str(marker)])],
        cwd=str(src.parent), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # the program's output went to /dev/null, and it was stopped once
    # every named function had its calls: it never reached its end
    assert "total" not in proc.stdout
    assert not marker.exists()
    report = json.loads(out.read_text())["capture"]
    assert report["Store.scale"]["samples"] == 2
    assert report["Store.total"]["samples"] == 2
    with open(pkl, "rb") as f:
        blobs = pickle.load(f)
    assert set(k for k, v in blobs.items() if v) == {"Store.scale",
                                                      "Store.total"}
    # the first two calls, in order: scale(2.0) then scale(3.0), each
    # with self as it was when called (log empty, then [2.0])
    module = types.ModuleType("store_copy")
    exec(compile(SOURCE, str(src), "exec"), vars(module))

    class Loader(pickle.Unpickler):
        def find_class(self, mod, name):
            if mod == "__main__":
                return getattr(module, name)
            return pickle.Unpickler.find_class(self, mod, name)

    calls = [Loader(io.BytesIO(b)).load() for b in blobs["Store.scale"]]
    assert [c[0][1] for c in calls] == [2.0, 3.0]
    assert [c[0][0].log for c in calls] == [[], [2.0]]
    assert calls[1][0][0].rows[1] == 1.0


def test_captured_calls_verify(prog):
    tmp, _ = prog
    pkg = package(tmp, "store_ok")
    got, _ = verify(prog, pkg, "store_ok", ["Store.total", "Store.scale"])
    for name in ("Store.total", "Store.scale"):
        r = got[name]
        assert r["verified"] is True, r["first_failure"]
        assert r["captured"] >= 1
        assert r["samples_checked"] == r["captured"]
        # not timed alone: the whole-workload check does
        assert r["speedup"] is None and r["timed_inputs"] == 0


def test_a_wrong_method_fails_on_its_captured_call(prog):
    tmp, _ = prog
    pkg = package(tmp, "store_bad", WRONG_SCALE)
    got, _ = verify(prog, pkg, "store_bad", ["Store.scale"])
    r = got["Store.scale"]
    assert r["verified"] is False
    assert r["captured"] >= 1
    assert r["first_failure"]["kind"] == "mutation"
    assert "self.rows" in r["first_failure"]["path"]


def test_calls_over_the_capture_budget_stay_unchecked(prog):
    tmp, _ = prog
    pkg = package(tmp, "store_small")
    got, _ = verify(prog, pkg, "store_small", ["Store.scale"],
                    capture_bytes=3000)
    r = got["Store.scale"]
    assert r["captured"] == 0 and r["capture_missed"] == "oversized"
    assert r["verified"] is False and r["checked_inputs"] == 0
    assert r["first_failure"] is None


def test_why_no_call_was_captured(prog):
    tmp, _ = prog
    pkg = package(tmp, "store_why")
    got, _ = verify(prog, pkg, "store_why", ["guarded", "never"])
    assert got["guarded"]["captured"] == 0
    assert got["guarded"]["capture_missed"] == "unpicklable"
    assert got["never"]["captured"] == 0
    assert got["never"]["capture_missed"] == "not called"
    for r in got.values():
        assert r["verified"] is False and r["checked_inputs"] == 0


def test_a_failed_capture_run_is_reported(prog, tmp_path):
    tmp, _ = prog
    broken = tmp_path / "broken.py"
    broken.write_text("import sys\nsys.exit(3)\n")
    pkg = package(tmp, "store_broken")
    got, err = verify(prog, pkg, "store_broken", ["Store.scale"],
                      harness=broken)
    r = got["Store.scale"]
    assert r["captured"] == -1
    assert r["verified"] is False and r["checked_inputs"] == 0
    assert "capture run exited 3" in err


def test_a_capture_run_that_does_not_end_is_stopped(prog, tmp_path):
    tmp, _ = prog
    hangs = tmp_path / "hangs.py"
    hangs.write_text("import time\ntime.sleep(600)\n")
    pkg = package(tmp, "store_hangs")
    got, err = verify(prog, pkg, "store_hangs", ["Store.scale"],
                      harness=hangs, capture_timeout=1)
    r = got["Store.scale"]
    assert r["captured"] == -1 and r["verified"] is False
    assert "took longer than 1 s and was stopped" in err
