"""Samples taken by daemon/harness/profile.py: methods with self, spread
over the whole run, bounded in size before pickling, and still taken after
the workload hits a RecursionError.

Each test runs the harness as the daemon does (a child interpreter) on a
small program written here and checks OUT.json and SAMPLES.pkl.
"""

import os
import pickle
import time

import pytest

from test_profile_harness import H, func, run_harness


def test_methods_are_sampled_with_self(tmp_path):
    proc, report, samples = run_harness(tmp_path, """\
        class Box:
            def __init__(self, v):
                self.v = v

            def add(self, k):
                self.v += k
                return self.v

            @staticmethod
            def twice(x):
                return 2 * x

            @classmethod
            def make(cls, v):
                return cls(v)

            @property
            def value(self):
                return self.v

            @value.setter
            def value(self, v):
                self.v = v

        if __name__ == "__main__":
            b = Box.make(1)
            b.add(2)
            Box.twice(4)
            b.value = b.value + 1
        """)
    assert proc.returncode == 0, proc.stderr
    (init_args, _), = samples["Box.__init__"]
    # __init__ is sampled at call time: self has no attributes yet.
    assert type(init_args[0]).__name__ == "Box" and init_args[1:] == (1,)
    assert vars(init_args[0]) == {}
    (add_args, add_kwargs), = samples["Box.add"]
    assert type(add_args[0]).__name__ == "Box"
    assert vars(add_args[0]) == {"v": 1} and add_args[1:] == (2,)
    assert samples["Box.twice"] == [((4,), {})]
    (make_args, _), = samples["Box.make"]
    assert isinstance(make_args[0], type) and make_args[1:] == (1,)
    # The getter and the setter share the property's qualname: one
    # sample with self alone, one with (self, value).
    value = samples["Box.value"]
    assert sorted(len(a) for a, _ in value) == [1, 2]
    setter_args = [a for a, _ in value if len(a) == 2][0]
    assert vars(setter_args[0]) == {"v": 3} and setter_args[1] == 4
    entries = [f for f in report["functions"] if f["qualname"] == "Box.value"]
    assert len(entries) == 2
    assert sum(f["samples"] for f in entries) == 2


SPREAD_PROGRAM = """\
def f(x):
    return x


if __name__ == "__main__":
    for i in range(3000):
        f(i)
    for i in range(3000):
        f(i + 0.5)
"""


def test_samples_spread_over_the_whole_run(tmp_path):
    # Types change after the recorded calls (1000) are over: the samples
    # still cover both kinds, and calls up to the end of the run.
    proc, report, samples = run_harness(tmp_path, SPREAD_PROGRAM,
                                        "--max-samples", "16")
    assert proc.returncode == 0, proc.stderr
    f = func(report, "f")
    calls = f["sample_calls"]
    # every call counted; the stride doubles when the samples are full
    # (half of them dropped): between 9 and 16 are kept
    assert f["traced_calls"] == f["ncalls"] == 6000
    assert 9 <= f["samples"] <= 16 and len(calls) == f["samples"]
    assert calls == sorted(calls)
    assert calls[0] == 1 and calls[-1] > 5500
    gaps = [b - a for a, b in zip(calls, calls[1:])]
    assert max(gaps) <= 2 * 6000 // 16
    values = [a[0] for a, _ in samples["f"]]
    # In call order, each sample is the argument of its call.
    expected = [n - 1 if n <= 3000 else n - 3001 + 0.5 for n in calls]
    assert values == expected
    kinds = {type(v) for v in values}
    assert kinds == {int, float}
    # Types are recorded for the first 1000 calls only.
    assert f["signatures"] == [{"args": {"x": "int"}, "return": "int",
                                "count": 1000}]


def test_every_signature_gets_a_sample(tmp_path):
    # One call in 500 has another type: the first call of each new
    # signature is kept even when the spread would miss it.
    proc, report, samples = run_harness(tmp_path, """\
        def g(x):
            return x

        if __name__ == "__main__":
            for i in range(900):
                g("s" if i == 433 else i)
        """, "--max-samples", "4")
    assert proc.returncode == 0, proc.stderr
    values = [a[0] for a, _ in samples["g"]]
    assert 3 <= len(values) <= 4 and "s" in values
    assert func(report, "g")["sample_calls"][-1] > 900 - 2 * 900 // 4


RECURSION_PROGRAM = """\
import copy


def deep(n):
    return deep(n + 1)


def nest(k):
    x = []
    for _ in range(k):
        x = [x]
    return copy.deepcopy(x)


def f(x):
    return x


if __name__ == "__main__":
    for i in range(100):
        f(i)
    try:
        deep(0)
    except RecursionError:
        pass
    for i in range(5):
        f(float(i))
    try:
        nest(5000)
    except RecursionError:
        pass
    for i in range(7):
        f(str(i))
"""


@pytest.mark.parametrize("record_by", ["probes", "trace"])
@pytest.mark.parametrize("recorded", ["1000", "20"])
def test_recording_goes_on_after_recursion_error(tmp_path, recorded,
                                                 record_by):
    # Entering the trace function at the recursion limit raises there, and
    # CPython then removes it: the harness installs it again once the
    # frames that saw the error are gone (a RecursionError in the
    # program's own recursion, then one in a library's).  The probes
    # (no trace function) go on by themselves.
    proc, report, samples = run_harness(
        tmp_path, RECURSION_PROGRAM, "--max-recorded-calls", recorded,
        "--max-samples", "200", "--record-by", record_by)
    assert proc.returncode == 0, proc.stderr
    assert report["workload"]["exit_code"] == 0
    if record_by == "trace":
        assert report["sampling"]["trace_restarts"] >= 2
    f = func(report, "f")
    assert f["ncalls"] == 112 and f["traced_calls"] == 112
    kinds = [type(a[0]).__name__ for a, _ in samples["f"]]
    assert kinds.count("float") == 5 and kinds.count("str") == 7
    if recorded == "1000":
        sigs = {s["args"]["x"]: s["count"] for s in f["signatures"]}
        assert sigs == {"int": 100, "float": 5, "str": 7}


BIG_PROGRAM = """\
import os


class Big:
    def __init__(self, n=0):
        self.items = [[i, i + 1] for i in range(n)]

    def __reduce__(self):
        with open("pickled", "a") as f:
            f.write("%d\\n" % len(getattr(self, "items", ())))
        return (Big, ())

    def size(self):
        return len(self.items)


def measure(big):
    return big.size()


if __name__ == "__main__":
    small = Big(10)
    big = Big(200000)
    for _ in range(20):
        measure(big)
    measure(small)
"""


def test_oversized_samples_are_never_pickled(tmp_path):
    start = time.perf_counter()
    proc, report, samples = run_harness(tmp_path, BIG_PROGRAM,
                                        "--max-sample-bytes", "100000")
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    measure = func(report, "measure")
    # 20 calls on the big graph: after OVERSIZED_GIVE_UP of them the
    # function takes no more samples, and not one was pickled (Big's
    # __reduce__ leaves a mark).
    assert measure["samples"] == 0
    assert measure["oversized"] == H.OVERSIZED_GIVE_UP
    # Big.size too: it gave up before its call on the small object.
    size = func(report, "Big.size")
    assert size["samples"] == 0 and size["oversized"] == 8
    # Only small objects were pickled: self of Big.__init__ (no items
    # yet) and the small Big.
    marks = (tmp_path / "pickled").read_text().split()
    assert set(marks) <= {"0", "10"}
    assert elapsed < 30


def test_total_size_is_capped(tmp_path):
    # 12 functions, each called 40 times on ~9 kB of arguments, under a
    # 200 kB total: the file stays under the cap, and every function gets
    # a sample (a first sample pushes out others' extra ones).
    proc, report, samples = run_harness(tmp_path, "".join(
        "def f%d(xs):\n    return len(xs)\n\n\n" % i for i in range(12)) + (
        "if __name__ == '__main__':\n"
        "    data = [float(i) for i in range(1000)]\n"
        "    for _ in range(40):\n" + "".join(
            "        f%d(data)\n" % i for i in range(12))),
        "--max-total-bytes", "200000")
    assert proc.returncode == 0, proc.stderr
    assert os.path.getsize(str(tmp_path / "samples.pkl")) <= 200000
    assert report["sampling"]["samples_bytes"] <= 200000
    for i in range(12):
        assert len(samples["f%d" % i]) >= 1
        assert func(report, "f%d" % i)["oversized"] >= 1
    assert sum(len(v) for v in samples.values()) < 12 * 40


def test_unpicklable_arguments_are_counted(tmp_path):
    proc, report, samples = run_harness(tmp_path, """\
        import threading

        class Bad:
            def __reduce__(self):
                raise RuntimeError("no pickling")

        def take(x):
            return x

        if __name__ == "__main__":
            take(threading.Lock())
            take(Bad())
            take((i for i in range(3)))
            take(7)
        """)
    assert proc.returncode == 0, proc.stderr
    take = func(report, "take")
    assert take["unpicklable"] == 3 and take["samples"] == 1
    assert samples["take"] == [((7,), {})]
    assert take["sample_calls"] == [4]


@pytest.mark.parametrize("value", [
    [1.5] * 1000, list(range(300)), {"a": [1, 2], "b": "text" * 50},
    [[float(i)] * 20 for i in range(100)], ("x", b"yz", None, True, 2 ** 70),
    {i: str(i) for i in range(200)}, set(range(100)),
])
def test_estimate_size_is_near_the_pickled_size(value):
    real = len(pickle.dumps(value, protocol=4))
    estimate = H.estimate_size(value, 10 ** 9)
    assert real / 3 <= estimate <= real * 3


def test_estimate_size_stops_early():
    shared = [1.0] * 50
    graph = [[shared] for _ in range(10)]
    # Shared objects count once, as pickle stores them once.
    assert H.estimate_size(graph, 10 ** 9) < 1000
    # A long list is sized from 16 of its elements.
    huge = [[i] for i in range(10 ** 6)]
    start = time.perf_counter()
    assert H.estimate_size(huge, 100000) > 100000
    assert 10 ** 6 < H.estimate_size(huge, 10 ** 12) < 10 ** 8
    # A linked chain is walked node by node: past node_limit the walk
    # cannot tell (None), and the pickler's own cap decides.
    chain = None
    for i in range(100000):
        chain = {"next": chain, "v": i}
    assert H.estimate_size(chain, 10 ** 12, node_limit=1000) is None
    assert H.estimate_size(chain, 1000) > 1000
    assert time.perf_counter() - start < 0.5
    with pytest.raises(H.SampleTooBig):
        H.pickle_capped([1.5] * 100000, 65536)
    assert pickle.loads(H.pickle_capped([1.5] * 10, 65536)) == [1.5] * 10


GRAPH_PROGRAM = """\
class Node:
    def __init__(self, i, catalog):
        self.i = i
        self.catalog = catalog


class Graph:
    def __init__(self, n):
        catalog = {i: "item %d" % i for i in range(20000)}
        self.nodes = [Node(i, catalog) for i in range(n)]

    def total(self):
        return sum(node.i for node in self.nodes)


if __name__ == "__main__":
    g = Graph(3000)
    for _ in range(5):
        g.total()
"""


def test_shared_objects_are_not_overestimated(tmp_path):
    # A list of 3,000 nodes that share one big dict: its first sampled
    # element reaches the dict, the others add little. The whole pickles
    # to about 400 kB, under the 1 MB cap; estimating every element as
    # the mean of the sample took it for about 200 times that.
    proc, report, samples = run_harness(tmp_path, GRAPH_PROGRAM,
                                        "--max-sample-bytes", "1000000")
    assert proc.returncode == 0, proc.stderr
    f = func(report, "Graph.total")
    # (two fit under the function's 1 MB; the later calls are oversized)
    assert f["samples"] >= 1, f
    (args, _) = samples["Graph.total"][0]
    nodes = args[0].nodes
    assert len(nodes) == 3000 and nodes[0].catalog is nodes[-1].catalog
