"""Tests of daemon/harness/verify.py, the verification child process.

A fake "accelerated" package, pure Python with deliberate differences, is
written to tmp_path; the harness must catch each difference with the right
kind, and must verify an identical copy.  One test chains profile.py and
verify.py on the same source, as the daemon does.
"""

import importlib.util
import json
import os
import pickle
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
HARNESS = os.path.join(ROOT, "daemon", "harness", "verify.py")
PROFILE = os.path.join(ROOT, "daemon", "harness", "profile.py")
PYTHON = os.environ.get("RUSTIFY_HARNESS_PYTHON", sys.executable)

ORIGINAL = '''\
def mean(xs):
    total = 0.0
    for x in xs:
        total += x
    return total / len(xs)


def count(xs):
    return len(xs)


def negate(x):
    return -x


def first(xs):
    return xs[0]


def scale(xs, k):
    for i in range(len(xs)):
        xs[i] = xs[i] * k


def largest(xs):
    m = xs[0]
    for x in xs:
        if x > m:
            m = x
    return m


def mirror_add(dst, src):
    for i in range(len(dst)):
        dst[i] = src[i] + src[len(src) - 1 - i]


def spin(n):
    i = 0
    while i != n:
        i += 1
    return i


def total(values):
    s = 0
    for v in values:
        s += v
    return s


def zeros(n):
    return [0.0] * n


if __name__ == "__main__":
    raise SystemExit("the main block must not run during verify")
'''

# Deliberate differences, one per function (mean and spin are faithful).
DIFFERENT = '''\
import math


def mean(xs):
    total = 0.0
    for x in xs:
        total += x
    return total / len(xs)


def count(xs):
    return float(len(xs))          # type: float instead of int


def negate(x):
    return 0.0 - x                 # value: 0.0 where Python gives -0.0


def first(xs):
    if not xs:
        raise ValueError("empty")  # exception: ValueError, not IndexError
    return xs[0]


def scale(xs, k):
    out = [x * k for x in xs]      # mutation: the argument is not updated
    return None


def largest(xs):
    m = xs[0]
    if m != m:
        m = -math.inf              # NaN: skips a leading NaN
    for x in xs:
        if x > m:
            m = x
    return m


def mirror_add(dst, src):
    s = list(src)                  # aliasing: copies src first (and a
    #                                tuple's IndexError message changes)
    for i in range(len(dst)):
        dst[i] = s[i] + s[len(s) - 1 - i]


def spin(n):
    i = 0
    while i != n:
        i += 1
    return i


def total(values):                 # i64 arithmetic that saturates
    s = 0
    for v in values:
        s += v
    return max(min(s, 2 ** 63 - 1), -2 ** 63)


def zeros(n):
    return [0.0] * n
'''

SIGNATURES = {
    "mean": {"xs": "list[float]"},
    "count": {"xs": "list[float]"},
    "negate": {"x": "float"},
    "first": {"xs": "list[int]"},
    "scale": {"xs": "list[float]", "k": "float"},
    "largest": {"xs": "list[float]"},
    "mirror_add": {"dst": "list[float]", "src": "list[float]"},
    "spin": {"n": "int"},
    "total": {"values": "list[int]"},
    "zeros": {"n": "int"},
}


def load_harness():
    """Import verify.py for its helpers."""
    spec = importlib.util.spec_from_file_location("rustify_verify_h",
                                                  HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


H = load_harness()


def run_verify(tmp_path, package_source, names, samples=None,
               module="fake_rs", extra=(), call_time=None):
    """Write source, package and samples; run verify.py; return results."""
    src = tmp_path / "orig.py"
    src.write_text(ORIGINAL)
    pkg_dir = tmp_path / "pkg"
    pkg_dir.mkdir(exist_ok=True)
    if package_source is not None:
        (pkg_dir / (module + ".py")).write_text(package_source)
    samples_path = tmp_path / "samples.pkl"
    with open(str(samples_path), "wb") as f:
        pickle.dump(samples or {}, f)
    functions = [{"qualname": n, "signature": {"args": SIGNATURES[n],
                                               "return": None}}
                 for n in names]
    if call_time is not None:
        for f in functions:
            f["call_time"] = call_time
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [PYTHON, HARNESS, "--source", str(src), "--package-dir",
         str(pkg_dir), "--module", module, "--samples", str(samples_path),
         "--functions-json", json.dumps(functions), "--out", str(out),
         "--repeat-budget", "0.05", "--call-timeout", "0.3"] + list(extra),
        cwd=str(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    return {f["qualname"]: f for f in report["functions"]}


@pytest.fixture(scope="module")
def different(tmp_path_factory):
    """The results for the deliberately different package."""
    tmp = tmp_path_factory.mktemp("different")
    samples = {"mean": [(([1.0, 2.0, 4.0],), {})],
               "count": [(([1.0, 2.0],), {}), (([],), {})]}
    return run_verify(tmp, DIFFERENT, list(SIGNATURES), samples)


@pytest.mark.parametrize("name, kind", [
    ("count", "type"),
    ("negate", "value"),
    ("first", "exception"),
    ("scale", "mutation"),
    ("largest", "value"),
    ("mirror_add", "exception"),
    ("total", "value"),
])
def test_differences_are_caught(different, name, kind):
    result = different[name]
    assert result["verified"] is False
    assert result["failures"] >= 1
    failure = result["first_failure"]
    assert failure["kind"] == kind, failure
    assert failure["input"].startswith(name + "(")
    assert len(failure["input"]) <= 500


def test_failure_details(different):
    assert different["count"]["first_failure"]["expected"] == "2"
    assert different["count"]["first_failure"]["got"] == "2.0"
    negate = different["negate"]["first_failure"]
    assert (negate["input"], negate["expected"], negate["got"]) == (
        "negate(0.0)", "-0.0", "0.0")
    first = different["first"]["first_failure"]
    assert first["input"] == "first([])"
    assert first["expected"].startswith("raises IndexError")
    assert first["got"].startswith("raises ValueError")
    assert "nan" in different["largest"]["first_failure"]["input"]
    # The aliased call tells mirror_add apart by the arguments' state; a
    # tuple for src, by the message of its IndexError (list(src) makes
    # it "list index out of range").
    mirror = different["mirror_add"]
    assert mirror["failure_kinds"] == {"exception": 2, "mutation": 1}
    assert mirror["first_failure"]["detail"].startswith(
        "exception: message 'tuple index out of range' != 'list index")


def test_faithful_functions_verify(different):
    mean = different["mean"]
    assert mean["verified"] is True and mean["failures"] == 0
    assert mean["first_failure"] is None
    assert mean["samples_checked"] == 1
    assert mean["generated_checked"] > 20
    assert mean["checked_inputs"] == (mean["samples_checked"]
                                      + mean["generated_checked"])
    assert mean["time_original_ns"] > 0 and mean["time_accelerated_ns"] > 0
    assert mean["speedup"] > 0
    count = different["count"]
    assert count["samples_checked"] == 2


def test_original_timeouts_are_skipped(different):
    spin = different["spin"]
    # spin(-1) and the like never end in Python: skipped, not failures.
    assert spin["skipped_inputs"] >= 1
    assert spin["verified"] is True
    assert spin["time_original_ns"] is None and spin["speedup"] is None


def test_huge_allocations_fail_fast(different):
    # zeros(2**31) would allocate 16 GiB: the address-space cap turns it
    # into a quick MemoryError on both sides instead of a timeout.
    zeros = different["zeros"]
    assert zeros["verified"] is True
    assert zeros["skipped_inputs"] == 0
    assert zeros["generated_checked"] >= 15


def test_identical_copy_verifies(tmp_path):
    samples = {"scale": [(([1.0, -2.0],), {"k": 3.0})],
               "mirror_add": [(([0.0, 0.0], [1.0, 2.0]), {})]}
    results = run_verify(tmp_path, ORIGINAL.split("if __name__")[0],
                         [n for n in SIGNATURES if n not in ("spin", "zeros")],
                         samples)
    for name, result in results.items():
        assert result["verified"] is True, (name, result["first_failure"])
        assert result["failures"] == 0
    assert results["scale"]["samples_checked"] == 1


def test_sample_blobs_and_unloadable_ones(tmp_path):
    # profile.py writes one pickled blob per call; a blob that does not
    # load is counted and left out, the others are checked.
    good = pickle.dumps((([1.0, 2.0],), {}), protocol=4)
    bad = b"\x80\x04cnomodule\nThing\n)R\x85}\x86."  # (Thing(),), {}
    results = run_verify(tmp_path, ORIGINAL.split("if __name__")[0],
                         ["mean"], {"mean": [bad, good, b"garbage"]})
    mean = results["mean"]
    assert mean["unloadable_samples"] == 2
    assert mean["samples_checked"] == 1
    assert mean["verified"] is True


def test_import_failure_marks_every_function(tmp_path):
    results = run_verify(tmp_path, "raise ImportError('no wheel')\n",
                         ["mean", "count"])
    for result in results.values():
        assert result["verified"] is False
        assert result["first_failure"]["kind"] == "import"
        assert "no wheel" in result["first_failure"]["got"]


def test_missing_function(tmp_path):
    results = run_verify(tmp_path, "def mean(xs):\n    return 0.0\n",
                         ["count"])
    assert results["count"]["first_failure"]["kind"] == "missing"
    assert results["count"]["verified"] is False


@pytest.mark.parametrize("a, b, kind", [
    (1.0, 1.0, None), (float("nan"), float("nan"), None),
    (0.0, -0.0, "value"), (1, 1.0, "type"), (True, 1, "type"),
    ([1, [2.0]], [1, [2.0]], None), ([1, [2.0]], [1, [2]], "type"),
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}, "value"),
    ((1, 2), [1, 2], "type"), ({1.0, 2.0}, {1.0, 2.0}, None),
    ("x", "y", "value"), (None, None, None), ([1, 2], [1, 2, 3], "value"),
])
def test_compare(a, b, kind):
    bad = H.compare(a, b)
    assert (bad[0] if bad else None) == kind


def test_parse_type_and_edges():
    t = H.parse_type("dict[tuple[str, str], int | float]")
    assert t == ("dict", [("tuple", [("str", []), ("str", [])]),
                          ("|", [("int", []), ("float", [])])])
    edges = H.edge_values(H.parse_type("list[float]"))
    assert [] in edges and [1, 0, 1] not in edges
    assert any(type(e) is list and e and type(e[0]) is int for e in edges)
    assert None in edges and "abc" in edges
    ints = H.edge_values(H.parse_type("int"))
    assert 2 ** 63 - 1 in ints and -2 ** 63 in ints and 2 ** 62 in ints
    assert "1" in ints and 1.0 in ints


POINT_SOURCE = '''\
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


def norm1(p):
    return abs(p.x) + abs(p.y)


def bump(points):
    for p in points:
        p.x += 1.0


if __name__ == "__main__":
    for i in range(5):
        norm1(Point(float(i), -2.0))
    bump([Point(1.0, 2.0), Point(3.0, 4.0)])
'''


def test_profile_samples_feed_verify(tmp_path):
    """Samples of __main__ classes from profile.py load in verify.py."""
    src = tmp_path / "geo.py"
    src.write_text(POINT_SOURCE)
    prof = subprocess.run(
        [PYTHON, PROFILE, "--source", str(src), "--name", "geo",
         "--out", str(tmp_path / "p.json"), "--samples",
         str(tmp_path / "s.pkl")],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=60)
    assert prof.returncode == 0, prof.stderr
    profile = json.loads((tmp_path / "p.json").read_text())
    sigs = {f["qualname"]: f["signatures"][0] for f in profile["functions"]
            if f["signatures"]}
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "geo_rs.py").write_text(POINT_SOURCE.split("if __name__")[0])
    functions = [{"qualname": n, "signature": sigs[n]}
                 for n in ("norm1", "bump")]
    proc = subprocess.run(
        [PYTHON, HARNESS, "--source", str(src), "--package-dir", str(pkg),
         "--module", "geo_rs", "--samples", str(tmp_path / "s.pkl"),
         "--functions-json", json.dumps(functions),
         "--out", str(tmp_path / "v.json"), "--repeat-budget", "0.05"],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    results = {f["qualname"]: f for f in
               json.loads((tmp_path / "v.json").read_text())["functions"]}
    assert results["norm1"]["samples_checked"] == 5
    assert results["bump"]["samples_checked"] == 1
    # geo_rs.Point is a different class from the original's Point, so the
    # accelerated norm1 sees the original's objects: values still match.
    assert results["norm1"]["verified"] is True, results["norm1"]
    assert results["bump"]["verified"] is True, results["bump"]


def test_bad_functions_json_exits_2(tmp_path):
    src = tmp_path / "orig.py"
    src.write_text(ORIGINAL)
    proc = subprocess.run(
        [PYTHON, HARNESS, "--source", str(src), "--package-dir",
         str(tmp_path), "--module", "x", "--samples", str(tmp_path / "s"),
         "--functions-json", "{not json", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "functions-json" in proc.stderr


SLOWER = ORIGINAL.split("if __name__")[0].replace(
    "def spin(n):\n    i = 0\n",
    "def spin(n):\n    import time\n"
    "    if n == 6_000_001:\n        time.sleep(0.2)\n"
    "    while n == 7_919:\n        pass\n    i = 0\n", 1)


def test_accelerated_timeout_is_relative_to_the_original(tmp_path):
    """An accelerated call past the call timeout (0.3 s) but within a
    few times the original's own time (about 0.2 s) is compared, not
    failed as a timeout; one that never ends is a timeout failure that
    says what the original took."""
    assert SLOWER != ORIGINAL.split("if __name__")[0]
    slow = run_verify(tmp_path, SLOWER, ["spin"],
                      {"spin": [((6_000_001,), {})]})["spin"]
    assert slow["first_failure"] is None, slow["first_failure"]
    assert slow["samples_checked"] == 1
    hang = run_verify(tmp_path, SLOWER, ["spin"], {"spin": [((7_919,), {})]})
    failure = hang["spin"]["first_failure"]
    assert failure["kind"] == "timeout", failure
    assert failure["input"] == "spin(7919)"
    assert "the original took" in failure["detail"]


def test_long_calls_of_the_workload_get_their_time(tmp_path):
    """A call longer than --call-timeout (0.3 s) in Python is skipped,
    unless the profiled workload's calls took about that long
    (call_time): then it gets CALL_TIME_SLACK times that, and is
    checked."""
    n = 1
    t = time.perf_counter()
    while time.perf_counter() - t < 0.5:   # spin(n) runs past 0.5 s
        n *= 2
        t = time.perf_counter()
        spin_here(n)
    samples = {"spin": [((n,), {})]}
    short = run_verify(tmp_path, ORIGINAL, ["spin"], samples)["spin"]
    assert short["skipped_inputs"] >= 1 and short["samples_checked"] == 0
    took = time.perf_counter() - t
    long_ = run_verify(tmp_path, ORIGINAL, ["spin"], samples,
                       call_time=took)["spin"]
    assert long_["samples_checked"] == 1 and long_["verified"], long_
    assert H.call_timeout_for({"call_time": 100.0}, 2.0) == \
        H.MAX_CALL_TIMEOUT
    assert H.call_timeout_for({"call_time": 0.1}, 2.0) == 2.0
    assert H.call_timeout_for({"call_time": None}, 2.0) == 2.0
    assert H.call_timeout_for({}, 2.0) == 2.0
    # garbage from the daemon's JSON: the plain timeout
    for bad in ("3", -1.0, 0, float("inf"), float("nan"), [1], True):
        assert H.call_timeout_for({"call_time": bad}, 2.0) == 2.0, bad


def spin_here(n):
    i = 0
    while i != n:
        i += 1
    return i
