"""rustify whole-workload check: is the program faster with the package?

Run by rustifyd after verify, in the job's interpreter::

    python measure.py --site SITE --manifest MANIFEST.json --module MOD
        --source SRC.py --functions-json JSON --out OUT.json
        [--entry MOD:FUNC | --entry-cmd-json JSON] [--budget SECONDS]

SITE holds the built package MOD and the drop-in runner (rustify_run.py,
rustify_run_swap.py); MANIFEST is a rustify.json whose entry for MOD
marks the verified functions accelerated.  The workload is the one the
profile stage ran (the source as __main__, --entry's function, or
--entry-cmd's script with its arguments), run once per child process:

  plain       python SCRIPT ARGS
  accelerated PYTHONPATH=SITE RUSTIFY_MANIFEST=... python -m rustify_run
              SCRIPT ARGS (through a two-line wrapper that, at exit,
              writes MOD._native._rustify_call_counts() to a file)

in pairs, the order alternating (plain first, then accelerated first),
stdout and stderr discarded.  Each run's cost is the child's CPU time
(user + sys, from os.wait4).  A pair gives the ratio plain / accelerated;
the speedup is the geometric mean of the ratios and its range the 95 %
confidence interval (Student's t on the log ratios).

A round measures one set of enabled functions (the others are written
"accelerated": false in the round's manifest) until its range is clear:

  faster    low > 1 + MARGIN: the set is kept, done
  slower    high < 1 + MARGIN: one enabled function is dropped (one
            whose calls in the round mostly fell back to the original,
            else the one whose own speedup, verify's, is worst), and
            the next round measures the rest
  undecided the budget ran out first: every function of the set stays
            in Python

at least MIN_PAIRS pairs per round.  A run whose exit status differs
from the plain run's stops the check: everything stays in Python.  The
budget (seconds of wall time over all rounds) defaults to 10 times the
first plain run, at least 5 s and at most 90 s: five pairs, where three
(t = 4.3 on two degrees of freedom) could not tell a 10 % gain from the
noise of a program that allocates a million objects.

OUT.json::

    {"kept": [qualname], "dropped": {qualname: why}, "undecided":
     [qualname], "workload_speedup": float or null,
     "workload_speedup_range": [low, high] or null,
     "counts": {qualname: [native_calls, fallback_calls]},
     "rounds": [{"enabled": [qualname], "pairs": int, "speedup": float,
                 "range": [low, high], "decision": "faster" | "slower"
                 | "undecided" | "failed"}],
     "plain_cpu": [s], "budget": s, "spent": s, "message": str}

counts come from the last accelerated run of each function's last round
(0, 0 when the module has no _rustify_call_counts).  Exits 0 when it
wrote OUT.json, 2 with a message on stderr otherwise.
"""

import argparse
import json
import marshal
import math
import os
import subprocess
import sys
import tempfile
import time

MARGIN = 0.01
MIN_PAIRS = 3
MAX_PAIRS = 40
DEFAULT_FACTOR = 10.0
DEFAULT_MAX = 90.0
# a program of a fraction of a second gets enough pairs to tell a 10 %
# change from the noise of a busy machine
DEFAULT_MIN = 5.0

# Student's t, two-sided 95 %, by degrees of freedom
_T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447,
        7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 12: 2.179, 15: 2.131,
        20: 2.086, 30: 2.042}

# marshal, not json: the wrapper's own cost is counted against the
# accelerated run (json's import is 2 ms)
WRAPPER = """\
import atexit, marshal, os, runpy, sys
def _rustify_counts(path=os.environ.pop("RUSTIFY_MEASURE_COUNTS"),
                    name=os.environ.pop("RUSTIFY_MEASURE_NATIVE")):
    m = sys.modules.get(name)
    f = getattr(m, "_rustify_call_counts", None)
    counts = {str(k): [int(x) for x in v] for k, v in f().items()} \\
        if f else None
    with open(path, "wb") as out:
        marshal.dump(counts, out)
atexit.register(_rustify_counts)
sys.argv[0] = "rustify_run"
runpy.run_module("rustify_run", run_name="__main__", alter_sys=True)
"""

ENTRY_SCRIPT = """\
import importlib, sys
sys.path.insert(0, %(dir)r)
obj = importlib.import_module(%(module)r)
for part in %(func)r.split("."):
    obj = getattr(obj, part)
obj()
"""


class HarnessError(Exception):
    pass


def t95(df):
    best = None
    for k in sorted(_T95):
        if k <= df:
            best = _T95[k]
    return best if df < 40 else 1.96


def interval(ratios):
    """(speedup, low, high) of a list of plain/accelerated ratios."""
    logs = [math.log(r) for r in ratios]
    n = len(logs)
    mean = sum(logs) / n
    if n < 2:
        return math.exp(mean), 0.0, float("inf")
    var = sum((x - mean) ** 2 for x in logs) / (n - 1)
    half = t95(n - 1) * math.sqrt(var / n)
    return math.exp(mean), math.exp(mean - half), math.exp(mean + half)


def decide(low, high):
    if low > 1.0 + MARGIN:
        return "faster"
    if high < 1.0 + MARGIN:
        return "slower"
    return None


class Runner:
    """Runs the workload in child processes; their CPU time."""

    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.cwd = os.path.dirname(os.path.abspath(args.source))
        if args.entry:
            mod, _, func = args.entry.partition(":")
            script = os.path.join(work, "measure_entry.py")
            with open(script, "w") as f:
                f.write(ENTRY_SCRIPT % {"dir": self.cwd, "module": mod,
                                        "func": func})
            self.argv = [script]
        elif args.entry_cmd_json:
            argv = json.loads(args.entry_cmd_json)
            self.argv = [os.path.abspath(argv[0])] + argv[1:]
            self.cwd = os.path.dirname(self.argv[0]) or self.cwd
        else:
            self.argv = [os.path.abspath(args.source)]
        self.counts_path = os.path.join(work, "counts.json")
        self.native = args.module + "._native"
        self.timeout = None

    def _env(self, manifest):
        env = dict(os.environ)
        if manifest is None:
            return env
        path = env.get("PYTHONPATH")
        env["PYTHONPATH"] = self.args.site + (os.pathsep + path
                                              if path else "")
        env["RUSTIFY_MANIFEST"] = manifest
        env["RUSTIFY_MEASURE_COUNTS"] = self.counts_path
        env["RUSTIFY_MEASURE_NATIVE"] = self.native
        return env

    def run(self, manifest):
        """(cpu seconds, exit status, counts or None) of one run; the
        accelerated one when manifest is not None."""
        if manifest is None:
            argv = [sys.executable] + self.argv
        else:
            argv = [sys.executable, "-c", WRAPPER] + self.argv
            try:
                os.unlink(self.counts_path)
            except OSError:
                pass
        proc = subprocess.Popen(argv, cwd=self.cwd, env=self._env(manifest),
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status) \
            if hasattr(os, "waitstatus_to_exitcode") else status
        cpu = usage.ru_utime + usage.ru_stime
        counts = None
        if manifest is not None:
            try:
                with open(self.counts_path, "rb") as f:
                    counts = marshal.load(f)
            except (OSError, ValueError, EOFError, TypeError):
                counts = None
            if not isinstance(counts, dict):
                counts = None
        return cpu, proc.returncode, counts


def write_manifest(base, module, enabled, path):
    """base's manifest with only the enabled functions accelerated."""
    doc = json.loads(json.dumps(base))
    for entry in doc.get("modules", []):
        if entry.get("module") != module:
            continue
        for f in entry.get("functions", []):
            f["accelerated"] = bool(f.get("accelerated")) and \
                f.get("qualname") in enabled
    with open(path, "w") as f:
        json.dump(doc, f)


def write_runner_cache(site, manifest):
    """The runner's cache of a round's manifest (rustify_run_swap's
    write_cache), as the delivery writes one: the accelerated runs are
    timed as users run them. Without it they parse the script."""
    sys.path.insert(0, site)
    try:
        import rustify_run_swap
        rustify_run_swap.write_cache(manifest)
    except Exception as exc:  # (only speed depends on it)
        sys.stderr.write("measure.py: no runner cache for %s: %s\n"
                         % (manifest, exc))
    finally:
        del sys.path[0]


def check(args):
    with open(args.manifest) as f:
        base = json.load(f)
    specs = json.loads(args.functions_json)
    # worst own speedup last, name order among equals: deterministic
    order = sorted(specs, key=lambda s: (-(s.get("speedup") or 0.0),
                                         s["qualname"]))
    enabled = [s["qualname"] for s in order]
    own = {s["qualname"]: s.get("speedup") for s in specs}
    work = tempfile.mkdtemp(prefix="measure-", dir=args.work)
    runner = Runner(args, work)
    started = time.perf_counter()
    out = {"kept": [], "dropped": {}, "undecided": [],
           "workload_speedup": None, "workload_speedup_range": None,
           "counts": {}, "rounds": [], "plain_cpu": [], "budget": None,
           "spent": 0.0, "message": ""}
    first = time.perf_counter()
    cpu, plain_status, _ = runner.run(None)
    plain_wall = time.perf_counter() - first
    budget = args.budget
    if budget is None or budget < 0:
        budget = min(DEFAULT_MAX, max(DEFAULT_MIN,
                                      DEFAULT_FACTOR * plain_wall))
    out["budget"] = budget
    deadline = started + budget
    pending_plain = cpu   # the first plain run opens the first pair
    while enabled:
        manifest = os.path.join(work, "manifest-%d.json"
                                % len(out["rounds"]))
        write_manifest(base, args.module, set(enabled), manifest)
        write_runner_cache(args.site, manifest)
        ratios = []
        decision = None
        counts = None
        while decision is None:
            if len(ratios) >= MIN_PAIRS and (
                    time.perf_counter() >= deadline
                    or len(ratios) >= MAX_PAIRS):
                decision = "undecided"
                break
            pair = len(ratios)
            if pending_plain is not None:
                t_plain, pstatus = pending_plain, plain_status
                pending_plain = None
                t_acc, status, c = runner.run(manifest)
            elif pair % 2 == 0:
                t_plain, pstatus, _ = runner.run(None)
                t_acc, status, c = runner.run(manifest)
            else:
                t_acc, status, c = runner.run(manifest)
                t_plain, pstatus, _ = runner.run(None)
            out["plain_cpu"].append(t_plain)
            counts = c if c is not None else counts
            if status != plain_status or pstatus != plain_status:
                decision = "failed"
                out["message"] = (
                    "the workload exited with status %s with the "
                    "accelerated package, %s without it"
                    % (status, pstatus))
                break
            ratios.append(max(t_plain, 1e-6) / max(t_acc, 1e-6))
            if len(ratios) >= MIN_PAIRS:
                _, low, high = interval(ratios)
                decision = decide(low, high)
        speed, low, high = interval(ratios) if ratios else (None, 0, 0)
        out["rounds"].append({
            "enabled": list(enabled), "pairs": len(ratios),
            "speedup": speed,
            "range": [low, high] if ratios else None,
            "decision": decision})
        for q in enabled:
            if counts and q in counts:
                out["counts"][q] = counts[q]
        if decision == "faster":
            out["kept"] = list(enabled)
            out["workload_speedup"] = speed
            out["workload_speedup_range"] = [low, high]
            break
        if decision == "failed":
            for q in enabled:
                out["dropped"][q] = out["message"]
            break
        if decision == "undecided":
            out["undecided"] = list(enabled)
            out["message"] = (
                "the whole workload measured %.2fx (%.2fx to %.2fx) "
                "over %d runs each way, not clearly faster within the "
                "%.1f s budget" % (speed, low, high, len(ratios), budget))
            break
        # the worst: one that mostly fell back to the original in this
        # round's runs, else the lowest own speedup (enabled's order)
        falling = [q for q in enabled if counts and q in counts
                   and counts[q][1] > counts[q][0]]
        worst = falling[-1] if falling else enabled[-1]
        enabled.remove(worst)
        sp = own.get(worst)
        out["dropped"][worst] = (
            "the whole workload was not faster with it (%.2fx, %.2fx to "
            "%.2fx) and its own speedup (%s) was the lowest of those "
            "left" % (speed, low, high,
                      "%.2fx" % sp if isinstance(sp, (int, float))
                      else "unmeasured"))
        if time.perf_counter() >= deadline:
            out["undecided"] = list(enabled)
            if enabled:
                out["message"] = ("the budget (%.1f s) ran out before "
                                  "the rest was measured" % budget)
            break
    out["spent"] = time.perf_counter() - started
    return out


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="measure.py")
    parser.add_argument("--site", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--functions-json", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--work", default=None)
    parser.add_argument("--budget", type=float, default=None)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--entry")
    group.add_argument("--entry-cmd-json")
    args = parser.parse_args(argv)
    if args.work is None:
        args.work = os.path.dirname(os.path.abspath(args.out))
    return args


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    try:
        write_atomic(args.out, check(args))
    except (HarnessError, OSError, ValueError) as exc:
        sys.stderr.write("rustify measure harness: %s\n" % exc)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
