"""The drop-in runner (`PYTHONPATH=DIR python -m rustify_run prog.py`) is
invisible to the script: its globals hold nothing new, it reaches the
same recursion depth as under `python prog.py`, and where nothing is
accelerated no package is imported. Accelerated functions and methods are
still swapped in. Expected output comes from running CPython on the
program itself.
"""

import json
import os
import subprocess
import sys

from conftest import run, write

PROG = '''\
import sys


def dot(a, b):
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]
    return total


class Acc:
    def __init__(self):
        self.n = 0

    def add_all(self, xs):
        s = 0
        for x in xs:
            s += x * x % 7
        self.n += s
        return self.n


def depth(n):
    try:
        return depth(n + 1)
    except RecursionError:
        return n


def nest(n):
    return 0 if n == 0 else 1 + nest(n - 1)


if __name__ == "__main__":
    import random
    rnd = random.Random(1)
    a = [rnd.random() for _ in range(20000)]
    acc = Acc()
    for _ in range(20):
        dot(a, a)
        acc.add_all(list(range(2000)))
    print(sorted(globals()))
    # as deep as the script can go, and one recursion that just fits
    deepest = depth(0)
    print(deepest, nest(deepest - 1))
    print(round(dot(a, a), 6), acc.add_all([1, 2]))
    print(type(dot).__name__, type(Acc.__dict__["add_all"]).__name__,
          file=sys.stderr)
'''

CHECK = '''\
import sys
import {module}


def depth(n):
    try:
        return depth(n + 1)
    except RecursionError:
        return n


print({module}.{call})
print(sorted(m for m in sys.modules
             if m.startswith("{module}")
             or m in ("ast", "hashlib", "rustify_run_swap")))
print(sorted(globals()), depth(0))
'''


def run_program(src, out=None, debug=False):
    env = dict(os.environ)
    argv = [sys.executable, src]
    if out is not None:
        env["PYTHONPATH"] = out
        argv = [sys.executable, "-m", "rustify_run", src]
        if debug:
            env["RUSTIFY_RUN_DEBUG"] = "1"
    return subprocess.run(argv, capture_output=True, text=True, env=env,
                          cwd=os.path.dirname(src))


def deliver_prog(conn, tmpdir):
    """PROG delivered with dot and Acc.add_all accelerated: (its path,
    the output dir, the job's result)."""
    src = write(tmpdir, "prog.py", PROG)
    out = os.path.join(tmpdir, "out")
    # (no whole-workload check: this program's work is a few
    # milliseconds next to the runner's start-up, so that check could
    # keep either function in Python on a noisy machine; tests/e2e/
    # test_measure.py tests it, this test the runner)
    res = run(conn, {"file": src, "output": out,
                     "functions": ["dot", "Acc.add_all"],
                     "measure_budget": 0})
    assert res["state"] == "done", res
    return src, out, res


def test_runner_swaps_and_stays_invisible(conn, tmpdir_short):
    src, out, res = deliver_prog(conn, tmpdir_short)
    man = json.load(open(os.path.join(out, "rustify.json")))
    accelerated = {f["qualname"] for f in man["modules"][0]["functions"]
                   if f["accelerated"]}
    assert accelerated == {"dot", "Acc.add_all"}, res["functions"]

    plain = run_program(src)
    assert plain.returncode == 0, plain.stderr
    assert plain.stderr == "function function\n"
    fast = run_program(src, out, debug=True)
    assert fast.returncode == 0, fast.stderr
    # the same globals, the same depth, the same results
    assert fast.stdout == plain.stdout
    assert "__rustify" not in fast.stdout
    # and both were swapped in
    assert fast.stderr.endswith("native_function native_function\n"), \
        fast.stderr
    assert "using prog_rs.dot" in fast.stderr

    # an imported source is swapped too, its module's globals untouched
    use = write(tmpdir_short, "use.py", "import sys, prog\n"
                "print(prog.dot([1.0, 2.0], [3.0, 4.0]),\n"
                "      [k for k in vars(prog) if 'rustify' in k])\n"
                "print(type(prog.dot).__name__, file=sys.stderr)\n")
    plain = run_program(use)
    fast = run_program(use, out)
    assert plain.stdout == fast.stdout == "11.0 []\n", fast.stderr
    assert (plain.stderr, fast.stderr) == ("function\n", "native_function\n")


def imported(src, out=None):
    """(stdout, stderr without -X importtime's lines, the names of the
    modules imported) of one run."""
    env = dict(os.environ)
    argv = [sys.executable, "-X", "importtime", src]
    if out is not None:
        env["PYTHONPATH"] = out
        argv[3:3] = ["-m", "rustify_run"]
    p = subprocess.run(argv, capture_output=True, text=True, env=env,
                       cwd=os.path.dirname(src))
    assert p.returncode == 0, p.stderr
    names, rest = set(), []
    for line in p.stderr.splitlines(True):
        if line.startswith("import time:"):
            names.add(line.rsplit("|", 1)[1].strip())
        else:
            rest.append(line)
    return p.stdout, "".join(rest), names


def test_runner_cache(conn, tmpdir_short):
    """The delivery writes the runner's cache (the manifest parsed, the
    script compiled with its swaps): a run imports neither ast nor json
    and gives the same output with the same functions native; an edited
    script, an edited manifest or a damaged cache fall back to parsing,
    with the same result; an edited function stays Python either way."""
    src, out, _ = deliver_prog(conn, tmpdir_short)
    cache = os.path.join(out, "__pycache__", "rustify.json.%s.swaps"
                         % sys.implementation.cache_tag)
    assert os.path.isfile(cache)
    plain_out, plain_err, plain_mods = imported(src)
    assert plain_err == "function function\n"
    fast_out, fast_err, fast_mods = imported(src, out)
    assert fast_out == plain_out
    assert fast_err == "native_function native_function\n"
    added = fast_mods - plain_mods
    assert "rustify_run_swap" in added and "prog_rs._native" in added
    assert not added & {"ast", "json", "_sha256", "hashlib"}, added

    # a damaged cache, then none: parsed as before, the same result
    with open(cache, "r+b") as f:
        f.write(b"\0garbage")
    for damage in ("garbage", "removed"):
        if damage == "removed":
            os.unlink(cache)
        o, e, mods = imported(src, out)
        assert (o, e) == (fast_out, fast_err), damage
        assert "ast" in mods - plain_mods, damage

    # the cache made again (as a delivery does), then the manifest
    # edited by hand (dot no longer accelerated): the cache is not used
    swap = os.path.join(out, "rustify_run_swap.py")
    man_path = os.path.join(out, "rustify.json")
    subprocess.run([sys.executable, swap, "--write-cache", man_path],
                   check=True)
    assert imported(src, out)[:2] == (fast_out, fast_err)
    man = json.load(open(man_path))
    for f in man["modules"][0]["functions"]:
        if f["qualname"] == "dot":
            f["accelerated"] = False
    with open(man_path, "w") as f:
        json.dump(man, f)
    o, e, mods = imported(src, out)
    assert (o, e) == (fast_out, "function native_function\n")
    assert "ast" in mods - plain_mods

    # the script edited (dot's body): dot stays Python, Acc's method
    # is still swapped, with or without a cache of the new manifest
    subprocess.run([sys.executable, swap, "--write-cache", man_path],
                   check=True)
    for f in man["modules"][0]["functions"]:
        f["accelerated"] = True
    with open(man_path, "w") as f:
        json.dump(man, f)
    subprocess.run([sys.executable, swap, "--write-cache", man_path],
                   check=True)
    with open(src) as f:
        text = f.read()
    with open(src, "w") as f:
        f.write(text.replace("total = 0.0", "total = 0.0  # edited"))
    o, e, mods = imported(src, out)
    assert (o, e) == (fast_out, "function native_function\n")
    assert "ast" in mods - plain_mods
    # a symlinked __pycache__ is not written through; a link where the
    # cache goes is replaced, its target untouched
    elsewhere = os.path.join(tmpdir_short, "elsewhere")
    os.mkdir(elsewhere)
    pycache = os.path.dirname(cache)
    os.rename(pycache, pycache + ".real")
    os.symlink(elsewhere, pycache)
    bad = subprocess.run([sys.executable, swap, "--write-cache", man_path],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "symlink" in bad.stderr, bad.stderr
    assert os.listdir(elsewhere) == []
    os.unlink(pycache)
    os.rename(pycache + ".real", pycache)
    target = os.path.join(elsewhere, "target")
    with open(target, "wb") as f:
        f.write(b"untouched")
    os.unlink(cache)
    os.symlink(target, cache)
    subprocess.run([sys.executable, swap, "--write-cache", man_path],
                   check=True)
    assert not os.path.islink(cache)
    assert open(target, "rb").read() == b"untouched"
    # bad arguments: a clear message, status 2
    bad = subprocess.run([sys.executable, swap, "--write-cache",
                          os.path.join(out, "missing.json")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "no cache" in bad.stderr, bad.stderr
    bad = subprocess.run([sys.executable, swap], capture_output=True,
                         text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr, bad.stderr
    for text in (b"{not json", b"\xff\xfe binary", b'{"modules": 7}',
                 b'{"modules": [{"source": 1, "functions": 2}]}'):
        junk = os.path.join(tmpdir_short, "junk.json")
        with open(junk, "wb") as f:
            f.write(text)
        bad = subprocess.run([sys.executable, swap, "--write-cache", junk],
                             capture_output=True, text=True)
        assert bad.returncode in (0, 2) and "Traceback" not in bad.stderr, \
            (text, bad.stderr)


def test_runner_imports_nothing_when_nothing_is_accelerated(
        conn, tmpdir_short):
    """Nothing accelerated (the only selected function is a generator):
    the runner neither imports the package nor transforms the source,
    and a program importing the module sees what python shows."""
    src = write(tmpdir_short, "gens.py", "def squares(n):\n"
                "    for i in range(n):\n"
                "        yield i * i\n\n\n"
                "if __name__ == '__main__':\n"
                "    print(sum(squares(100000)))\n")
    out = os.path.join(tmpdir_short, "out")
    res = run(conn, {"file": src, "output": out, "all": True})
    assert res["state"] == "done", res
    for name in ("rustify_run.py", "rustify_run_swap.py"):
        assert os.path.isfile(os.path.join(out, name))
    check = write(tmpdir_short, "check.py", CHECK.format(
        module="gens", call="squares(3).__class__.__name__"))
    plain = run_program(check)
    fast = run_program(check, out, debug=True)
    assert plain.returncode == 0 and fast.returncode == 0, fast.stderr
    assert plain.stdout.startswith("generator\n['gens']\n['__annotations")
    assert fast.stdout == plain.stdout
    # no swap decision was even considered
    assert fast.stderr == "", fast.stderr
    assert run_program(src, out).stdout == run_program(src).stdout
