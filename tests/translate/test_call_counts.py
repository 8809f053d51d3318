"""_rustify_call_counts() of a built extension: how many calls that came
from Python ran natively and how many ran the original, per function (the
whole-workload check reports these as native_calls / fallback_calls)."""
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
    assert counts() == {"total": (0, 0), "capped": (0, 0),
                        "Acc.__init__": (0, 0), "Acc.add": (0, 0)}
    assert pkg.total([1, 2, 3]) == 6          # typed
    assert pkg.total([1, 2, 2 ** 70]) == 3 + 2 ** 70   # overflow: original
    assert pkg.total([0.5]) == 0.5             # float: original
    assert pkg.capped(7) == 3
    pkg._original.LIMIT = 5                    # guard fails: original
    assert pkg.capped(7) == 5
    a = pkg.Acc()
    assert a.add(1) == 1 and a.add(2, twice=True) == 3
    try:
        a.add()                                # binding error: original
    except TypeError:
        pass
    got = counts()
    assert got["total"] == (1, 2), got
    assert got["capped"] == (1, 1), got
    assert got["Acc.__init__"] == (1, 0), got
    assert got["Acc.add"] == (2, 1), got
