"""Run 2 of daemon/harness/profile.py without a trace function: the
probes of an instrumented copy of the source (--record-by probes, the
default) record what the sys.settrace hook did (--record-by trace), and
leave the program's objects as they were.

Each test runs the harness as the daemon does (a child interpreter) on a
small program written here and checks OUT.json and SAMPLES.pkl.
"""

import pickle
import sys

import pytest

from test_profile_harness import func, run_harness

PROGRAM = """\
import threading


class Vec:
    '''A docstring stays the class's.'''

    def __init__(self, x, y):
        '''And a method's its own.'''
        self.x = x
        self.y = y

    def dot(self, other):
        return self.x * other.x + self.y * other.y

    def scaled(self, k):
        if k == 0:
            raise ValueError("zero")
        return Vec(self.x * k, self.y * k)

    @property
    def norm2(self):
        return self.dot(self)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def nothing():
    pass


def gen(n):
    for i in range(n):
        yield i


def total(vs):
    t = 0.0
    for v in vs:
        t += v.dot(v)
    for k in (1, 0, 2):
        try:
            vs[0].scaled(k)
        except ValueError:
            t += 1
    return t


if __name__ == "__main__":
    vs = [Vec(float(i), 1.0) for i in range(3000)]
    print(total(vs), fib(16), sum(gen(5)), nothing())
    print(vs[1].norm2, Vec.__doc__, Vec.__init__.__doc__)
    t = threading.Thread(target=total, args=(vs[:10],))
    t.start()
    t.join()
    for i in range(3000):
        vs[i % 7].dot(Vec(i, 2) if i < 2500 else Vec(0.5, i))
"""


def run_both(tmp_path):
    out = {}
    for mode in ("probes", "trace"):
        d = tmp_path / mode
        d.mkdir()
        proc, report, samples = run_harness(d, PROGRAM, "--max-samples",
                                            "8", "--record-by", mode)
        assert proc.returncode == 0, proc.stderr
        assert report["sampling"]["record_by"] == mode
        out[mode] = (proc, report, samples)
    return out


def test_probes_record_what_the_trace_hook_did(tmp_path):
    both = run_both(tmp_path)
    proc, report, samples = both["probes"]
    # the program's own output is the same in both runs and both modes
    first = proc.stdout.splitlines()[:2]
    assert proc.stdout.splitlines() == first * 2
    assert first[1].endswith("A docstring stays the class's. "
                             "And a method's its own.")
    assert both["trace"][0].stdout == proc.stdout
    trace = both["trace"][1]
    for f in report["functions"]:
        g = [h for h in trace["functions"]
             if (h["qualname"], h["line"]) == (f["qualname"], f["line"])]
        assert len(g) == 1
        g = g[0]
        key = f["qualname"]
        assert f["ncalls"] == g["ncalls"], key
        assert f["signatures"] == g["signatures"], key
        assert f["samples"] == g["samples"], key
        assert f["sample_calls"] == g["sample_calls"], key
    # every call counted (the trace hook stops counting after its last
    # sample point, the probes do not)
    assert func(report, "fib")["traced_calls"] == \
        func(report, "fib")["ncalls"] == 3193
    dot = func(report, "Vec.dot")
    assert dot["traced_calls"] == dot["ncalls"] == 3000 + 1 + 10 + 3000
    # the recorded returns and raises
    scaled = {(s["args"]["k"], s["return"]): s["count"]
              for s in func(report, "Vec.scaled")["signatures"]}
    assert scaled == {("int", "__main__.Vec"): 4,
                      ("int", "raises ValueError"): 2}
    assert func(report, "nothing")["signatures"] == [
        {"args": {}, "return": "None", "count": 1}]
    # a generator is counted when its body starts, nothing else
    assert func(report, "gen")["ncalls"] == 1
    assert func(report, "gen")["traced_calls"] == 1
    assert func(report, "gen")["signatures"] == []
    # samples spread over the whole run, each its own call's arguments
    calls = dot["sample_calls"]
    # (the stride halves them when full: 5 to 8 kept, the last one at
    # most a stride, 2 * 6011 / 8 calls, before the end)
    assert calls[-1] > 6011 - 2 * 6011 // 8 and 5 <= dot["samples"] <= 8
    late = [a[1] for a, _ in samples["Vec.dot"]][-1]
    i = calls[-1] - 3012
    assert late.x == (i if i < 2500 else 0.5)


def test_threads_calls_are_probed(tmp_path):
    proc, report, samples = run_harness(tmp_path, PROGRAM)
    assert proc.returncode == 0, proc.stderr
    assert func(report, "total")["traced_calls"] == 2
    sigs = func(report, "total")["signatures"]
    assert sum(s["count"] for s in sigs) == 2


@pytest.mark.skipif(sys.version_info[:2] not in ((3, 11), (3, 12)),
                    reason="instances keep attributes inline in 3.11-3.12")
def test_samples_leave_instances_attributes_inline(tmp_path):
    # Pickling an instance the usual way makes its __dict__, and in 3.11
    # every attribute access of it is slower from then on: samples read
    # the attributes one by one instead.
    proc, report, samples = run_harness(tmp_path, """\
        import gc


        class Body:
            def __init__(self, x, m):
                self.x = x
                self.m = m

            def move(self, dt):
                self.x += dt * self.m


        def inline(obj):
            # the attributes' values and the class: no __dict__ made
            return len(gc.get_referents(obj)) == 3


        if __name__ == "__main__":
            bodies = [Body(float(i), 2.0) for i in range(5)]
            for _ in range(200):
                for b in bodies:
                    b.move(0.1)
            print(all(inline(b) for b in bodies))
        """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "True\nTrue\n"
    move = func(report, "Body.move")
    assert move["samples"] >= 8
    (args, kwargs) = samples["Body.move"][-1]
    assert type(args[0]).__name__ == "Body" and kwargs == {}
    assert set(vars(args[0])) == {"x", "m"} and args[0].m == 2.0


def test_nested_functions_are_pickled_with_their_own_code(tmp_path):
    # A nested def passed as an argument is pickled by value: its code
    # is the source's, not the instrumented copy's.
    proc, report, _ = run_harness(tmp_path, """\
        def apply(f, x):
            return f(x)


        def make(k):
            def add(x):
                return x + k
            return add


        if __name__ == "__main__":
            print(apply(make(2), 3))
        """)
    assert proc.returncode == 0, proc.stderr
    assert func(report, "apply")["samples"] == 1
    with open(str(tmp_path / "samples.pkl"), "rb") as f:
        blobs = pickle.load(f)
    (blob,) = blobs["apply"]
    assert b"__rustify" not in blob and b"add" in blob
