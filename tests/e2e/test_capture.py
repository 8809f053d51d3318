"""A method of an object that holds the program's whole data: every call
the profile sampled had arguments over its 16 MB budget, so the verify
stage captures the first calls itself (running the workload once more)
and checks the method on them. A real daemon, a real build; the expected
output is the program's own under CPython.
"""

import os
import subprocess
import sys

from conftest import run, write

# Ledger.entries holds 2.4 million floats: `self` pickles to ~22 MB.
LEDGER = '''\
class Ledger:
    def __init__(self, n):
        self.entries = [((i * 7919) % 1000) * 0.25 for i in range(n)]
        self.applied = []

    def balance(self):
        t = 0.0
        for e in self.entries:
            t += e
        return t

    def apply(self, rate):
        es = self.entries
        for i in range(len(es)):
            es[i] = es[i] * rate
        self.applied.append(rate)


def fee(x):
    return x * 0.01 + 1.0


if __name__ == "__main__":
    led = Ledger(2400000)
    for r in (1.5, 0.5, 1.25):
        led.apply(r)
        print("%.3f" % led.balance())
    print(sum(fee(x) for x in range(20000)))
'''


def fn(res, name):
    return [f for f in res["functions"] if f["name"] == name][0]


def test_methods_of_a_big_object_are_captured_and_verified(conn,
                                                           tmpdir_short):
    src = write(tmpdir_short, "ledger.py", LEDGER)
    out = os.path.join(tmpdir_short, "out")
    res = run(conn, {"file": src, "output": out, "all": True})
    assert res["state"] == "done", res
    for name in ("Ledger.balance", "Ledger.apply"):
        f = fn(res, name)
        assert f["translated"], f
        # checked on the calls verify captured: the first ones
        assert f["captured_calls"] >= 1, f
        assert f["verified"] is True, f
        assert f["checked_inputs"] >= 1, f
        # not timed alone (the whole-workload check judges it)
        assert f["speedup"] is None, f
    # a function whose calls the profile kept is checked as before
    fee = fn(res, "fee")
    assert "captured_calls" not in fee, fee
    verify = [s for s in res["stages"] if s["name"] == "verify"][0]
    assert verify["status"] == "done", verify
    # what is delivered runs the program as CPython does
    env = dict(os.environ, PYTHONPATH=out)
    a = subprocess.run([sys.executable, "-m", "rustify_run", src],
                       capture_output=True, text=True, env=env,
                       cwd=tmpdir_short)
    b = subprocess.run([sys.executable, src], capture_output=True,
                       text=True, cwd=tmpdir_short)
    assert (a.returncode, a.stdout, a.stderr) == (
        b.returncode, b.stdout, b.stderr)


def test_capture_runs_the_entry_the_job_names(conn, tmpdir_short):
    # no main block: the workload is --entry's function, and the capture
    # run calls it as the profile did
    body = LEDGER.split('if __name__ == "__main__":')[0]
    src = write(tmpdir_short, "ledger_entry.py", body + '''
def run():
    led = Ledger(2400000)
    led.apply(1.5)
    return led.balance()
''')
    res = run(conn, {"file": src, "functions": ["Ledger.balance"],
                     "entry": "ledger_entry:run", "measure_budget": 0})
    assert res["state"] == "done", res
    f = fn(res, "Ledger.balance")
    assert f["captured_calls"] == 1 and f["verified"] is True, f
