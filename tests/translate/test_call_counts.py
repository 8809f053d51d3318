"""_rustify_call_counts() of a built extension: how many calls that came
from Python ran natively and how many ran the original, per function (the
whole-workload check reports these as native_calls / fallback_calls)."""
import pytest

import objtest

SOURCE = '''
LIMIT = 3


def total(xs: list[int]) -> int:
    s = 0
    for x in xs:
        s += x
    return s


def capped(n: int) -> int:
    return min(n, LIMIT)


class Acc:
    def __init__(self):
        self.items = []

    def add(self, x, *, twice=False):
        self.items.append(x)
        if twice:
            self.items.append(x)
        return len(self.items)
'''


def test_call_counts(tmp_path):
    src = tmp_path / "counted.py"
    src.write_text(SOURCE)
    report, pkg, warnings = objtest.translate_and_build(
        src, tmp_path, "counted_rs")
    assert not warnings, warnings
    counts = pkg._native._rustify_call_counts
    with pytest.raises(TypeError):
        counts(1)
    assert counts() == {"total": (0, 0), "capped": (0, 0),
                        "Acc.__init__": (0, 0), "Acc.add": (0, 0)}
    assert pkg.total([1, 2, 3]) == 6          # typed
    # past 64 bits, and a float where ints were seen: the typed code
    # cannot answer, the function's object-tier body does (natively)
    assert pkg.total([1, 2, 2 ** 70]) == 3 + 2 ** 70
    assert pkg.total([0.5]) == 0.5
    assert pkg.capped(7) == 3
    pkg._original.LIMIT = 5                    # guard fails: object body
    assert pkg.capped(7) == 5
    a = pkg.Acc()
    assert a.add(1) == 1 and a.add(2, twice=True) == 3
    try:
        a.add()                                # binding error: original
    except TypeError:
        pass
    got = counts()
    assert got["total"] == (3, 0), got
    assert got["capped"] == (2, 0), got
    assert got["Acc.__init__"] == (1, 0), got
    assert got["Acc.add"] == (2, 1), got


THREADED = '''
def total(xs: list[int]) -> int:
    s = 0
    for k in range(2):
        for x in xs:
            s += x * 3 + k
    return s


def spread(xs: list[int]) -> int:
    lo = xs[0]
    hi = xs[0]
    for k in range(2):
        for x in xs:
            if x < lo:
                lo = x
            if x > hi:
                hi = x + k
    return (hi - lo) * 7
'''


def test_threads_rerun_their_own_function(tmp_path):
    """Typed code that runs without the GIL and then cannot answer (an int
    past 64 bits at the end of a long list) re-runs the call on its own
    function's object body, whatever other threads call meanwhile."""
    import threading
    src = tmp_path / "threaded.py"
    src.write_text(THREADED)
    report, pkg, warnings = objtest.translate_and_build(
        src, tmp_path, "threaded_rs")
    assert not warnings, warnings
    assert all(f["tier"] == "typed" for f in report["functions"]), report
    lib = (tmp_path / "threaded_rs" / "crate" / "src" / "lib.rs").read_text()
    assert lib.count("py.detach(") == 2     # the GIL is released
    orig = objtest.load_source(src, "threaded_orig")
    inputs = [list(range(200_000)) + [2 ** 62], list(range(-5, 300_000)),
              [3] * 100_000 + [-2 ** 63, 2 ** 63 - 1]]
    want = {(name, i): getattr(orig, name)(xs)
            for name in ("total", "spread") for i, xs in enumerate(inputs)}
    bad = []

    def worker(name):
        f = getattr(pkg, name)
        for _ in range(15):
            for i, xs in enumerate(inputs):
                got = f(xs)
                if got != want[(name, i)]:
                    bad.append((name, i, got))

    threads = [threading.Thread(target=worker, args=(n,))
               for n in ("total", "spread", "total", "spread")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad, bad[:5]
