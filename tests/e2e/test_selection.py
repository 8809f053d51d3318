"""Selection by where the time goes: a function's time_share counts what
becomes native with it (comprehensions, generator expressions, lambdas,
nested defs, the builtins it calls); self_share its own frames alone.
A selected function's callees of the same file are selected with it
(pulled_in_by). Real daemon, real profiles; expected values come from
running CPython on the program itself.
"""

import os
import subprocess
import sys

from conftest import run, write

COMPREHENSIONS = '''\
def comp_heavy(data):
    squares = [x * x for x in data if x % 3]
    return sum(squares) + sum(y for y in data) + \\
        len(sorted(data, key=lambda v: -v))


def plain_loop(data):
    t = 0
    for x in data:
        t += x
    return t


if __name__ == "__main__":
    d = list(range(100000))
    for _ in range(5):
        print(comp_heavy(d), plain_loop(d))
'''


def fn(res, name):
    return [f for f in res["functions"] if f["name"] == name][0]


def test_comprehension_heavy_function_ranks_by_inclusive_time(
        conn, tmpdir_short):
    src = write(tmpdir_short, "comp.py", COMPREHENSIONS)
    res = run(conn, {"file": src, "list_targets": True})
    assert res["state"] == "done", res
    comp, loop = fn(res, "comp_heavy"), fn(res, "plain_loop")
    # the comprehension, the genexpr and the lambda do much of the work,
    # and count for it (the profile's sampler counts sum's and sorted's
    # own time, and the lambda's entries from sorted, as comp_heavy's
    # own; cProfile did not)
    assert comp["self_share"] < comp["time_share"] * 0.8, comp
    assert comp["time_share"] > 0.3, comp
    assert comp["time_share"] > loop["time_share"], res["functions"]
    assert loop["time_share"] >= loop["self_share"] > 0, loop
    assert res["functions"][0]["name"] == "comp_heavy", res["functions"]
    assert comp["selected"] is True, comp


CALL_TREE = '''\
def scale(x):
    return x * 3 + 1


class Acc:
    def __init__(self):
        self.total = 0

    def add(self, v):
        self.total += v


def hot(n):
    acc = Acc()
    for i in range(n):
        acc.add(scale(i) % 7)
    return acc.total


def cold():
    return 1


if __name__ == "__main__":
    for _ in range(3):
        print(hot(200000))
    print(cold())
'''


def test_hot_caller_pulls_in_its_tiny_helpers(conn, tmpdir_short):
    src = write(tmpdir_short, "tree.py", CALL_TREE)
    out = os.path.join(tmpdir_short, "out")
    # a threshold the helpers do not reach on their own own time
    res = run(conn, {"file": src, "output": out, "threshold": 30,
                     "measure_budget": 0})
    assert res["state"] == "done", res
    hot = fn(res, "hot")
    assert hot["selected"] is True and "pulled_in_by" not in hot, hot
    for name in ("scale", "Acc.add"):
        f = fn(res, name)
        assert f["selected"] is True, f
        assert f["pulled_in_by"] == "hot", f
        assert f["translated"] is True, f
    assert hot["translated"] is True, hot
    cold = fn(res, "cold")
    assert cold["selected"] is False and "pulled_in_by" not in cold, cold
    # the runner gives the program's own output
    env = dict(os.environ, PYTHONPATH=out)
    a = subprocess.run([sys.executable, "-m", "rustify_run", src],
                       capture_output=True, text=True, env=env)
    b = subprocess.run([sys.executable, src], capture_output=True,
                       text=True)
    assert (a.returncode, a.stdout) == (b.returncode, b.stdout), a.stderr


def test_named_functions_pull_in_nothing(conn, tmpdir_short):
    src = write(tmpdir_short, "tree2.py", CALL_TREE)
    res = run(conn, {"file": src, "functions": ["hot"],
                     "list_targets": True})
    assert res["state"] == "done", res
    assert fn(res, "scale")["selected"] is False
    assert not any("pulled_in_by" in f for f in res["functions"])
