"""A delivery every time: a job that got past select and accelerates
nothing (nothing selected, nothing translated, nothing compiled) still
writes DIR/<module>/ (the source alone), DIR/rustify.json (every
function not accelerated, with its reason) and DIR/rustify_run.py, so
that `PYTHONPATH=DIR python -m rustify_run prog.py` runs the program as
`python prog.py` does. Expected output always comes from running
CPython on the program itself.
"""

import json
import os
import shutil
import subprocess
import sys

from conftest import run, write

NOTHING = '''\
import sys


def squares(n):
    for i in range(n):
        yield i * i


def evens(n):
    yield from (x for x in squares(n) if x % 2 == 0)


if __name__ == "__main__":
    print(sum(squares(200000)))
    print(sum(evens(10)), file=sys.stderr)
    sys.exit(3)
'''

NOTHING_TO_BUILD = "nothing to build: every function stays in Python"


def run_program(src, out=None, cwd=None):
    """(returncode, stdout, stderr) of src under python, or under the
    runner delivered in out."""
    env = dict(os.environ)
    argv = [sys.executable, src]
    if out is not None:
        env["PYTHONPATH"] = out
        argv = [sys.executable, "-m", "rustify_run", src]
    r = subprocess.run(argv, capture_output=True, text=True, env=env,
                       cwd=cwd or os.path.dirname(src))
    return r.returncode, r.stdout, r.stderr


def stage_status(res):
    """{stage: (status, message)} of the last run of each stage."""
    return {s["name"]: (s["status"], s.get("message") or "")
            for s in res["stages"]}


def assert_compiled(out, module):
    """Deliver compiled the runner's files and the package's for the
    job's interpreter (the runner imports them on every run, also where
    bytecode is not written)."""
    tag = sys.implementation.cache_tag
    for d, names in ((out, ["rustify_run_swap", "rustify_run"]),
                     (os.path.join(out, module), ["__init__", "_original"])):
        cached = os.listdir(os.path.join(d, "__pycache__"))
        for n in names:
            assert "%s.%s.pyc" % (n, tag) in cached, (d, cached)
    # not the generated crate's copy of the package
    assert not os.path.exists(os.path.join(out, "crate", "__pycache__"))


def check_python_only_delivery(res, src, out, module):
    assert res["state"] == "done", res
    status = stage_status(res)
    for name in ("crate", "build", "verify"):
        assert status[name] == ("skipped", NOTHING_TO_BUILD), status
    assert status["deliver"][0] == "done", status
    assert res["output"] == out and res["wheel"] is None, res
    for name in ("rustify_run.py", "rustify_run_swap.py"):
        assert os.path.isfile(os.path.join(out, name)), name
    man = json.load(open(os.path.join(out, "rustify.json")))
    entry = [m for m in man["modules"] if m["module"] == module][0]
    assert entry["functions"], entry
    for f in entry["functions"]:
        assert f["accelerated"] is False and f["reason"], f
    pkg = os.path.join(out, module)
    assert sorted(n for n in os.listdir(pkg) if n != "__pycache__") == \
        ["__init__.py", "_original.py"]
    assert_compiled(out, module)
    assert open(os.path.join(pkg, "_original.py")).read() == \
        open(src).read()
    # the runner runs the program exactly as python does
    assert run_program(src, out) == run_program(src)
    return entry


def test_nothing_translates_still_delivers_a_runner(conn, tmpdir_short):
    src = write(tmpdir_short, "gen.py", NOTHING)
    out = os.path.join(tmpdir_short, "out")
    res = run(conn, {"file": src, "output": out, "all": True})
    entry = check_python_only_delivery(res, src, out, "gen_rs")
    fns = {f["qualname"]: f for f in entry["functions"]}
    assert set(fns) == {"squares", "evens"}
    assert all("generator" in f["reason"] for f in fns.values()), fns
    # the package is importable and lends the source's names
    code = ("import gen_rs, gen\n"
            "print(list(gen_rs.squares(4)), list(gen_rs.evens(4)),\n"
            "      gen_rs.sys is gen.sys, 'squares' in dir(gen_rs))\n"
            "from gen_rs import *\n"
            "print(sum(evens(5)))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True,
                       text=True, cwd=tmpdir_short,
                       env=dict(os.environ, PYTHONPATH=out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["[0, 1, 4, 9] [0, 4] True True", "20"]

    # A second identical submit is a whole-job cache hit: the delivery
    # is still there and still runs.
    again = run(conn, {"file": src, "output": out, "all": True})
    assert again["state"] == "done" and again["cache_hit"] is True, again
    assert run_program(src, out) == run_program(src)
    # A delivery removed is not a hit: it is written again.
    shutil.rmtree(out)
    third = run(conn, {"file": src, "output": out, "all": True})
    assert third.get("cache_hit") is not True, third
    check_python_only_delivery(third, src, out, "gen_rs")


def test_nothing_selected_still_delivers_a_runner(conn, tmpdir_short):
    src = write(tmpdir_short, "few.py", NOTHING)
    out = os.path.join(tmpdir_short, "out")
    res = run(conn, {"file": src, "output": out, "threshold": 100})
    assert not any(f["selected"] for f in res["functions"]), res
    assert stage_status(res)["translate"] == \
        ("skipped", "no function was selected; " + NOTHING_TO_BUILD)
    entry = check_python_only_delivery(res, src, out, "few_rs")
    for f in entry["functions"]:
        assert f["reason"] == "below the time threshold", f


def test_nothing_selected_dry_run_and_list_targets(conn, tmpdir_short):
    src = write(tmpdir_short, "dry.py", NOTHING)
    out = os.path.join(tmpdir_short, "out")
    res = run(conn, {"file": src, "output": out, "threshold": 100,
                     "dry_run": True})
    check_python_only_delivery(res, src, out, "dry_rs")
    # --list-targets still stops after select and writes nothing
    out2 = os.path.join(tmpdir_short, "out2")
    res = run(conn, {"file": src, "output": out2, "threshold": 100,
                     "list_targets": True})
    assert res["state"] == "done"
    assert [s["name"] for s in res["stages"]] == \
        ["source", "index", "profile", "select"]
    assert not os.path.exists(out2)


def test_python_only_delivery_follows_no_symlink(conn, tmpdir_short):
    """The package, its temporaries and an earlier crate of the module are
    replaced or removed as links, never followed; a symlinked DIR/crate
    is left alone (nothing is written through it)."""
    src = write(tmpdir_short, "sym.py", NOTHING)
    out = os.path.join(tmpdir_short, "out")
    os.makedirs(os.path.join(out, "crate"))
    victims = []
    for i, name in enumerate(["m_rs", os.path.join("crate", "m_rs"),
                              "rustify_run.py.tmp", "rustify.json.tmp",
                              "rustify_run_swap.py.tmp"]):
        v = os.path.join(tmpdir_short, "victim%d" % i)
        os.makedirs(v)
        write(v, "precious", "keep me")
        victims.append(v)
        os.symlink(v, os.path.join(out, name))
    res = run(conn, {"file": src, "output": out, "threshold": 100,
                     "module": "m_rs"})
    check_python_only_delivery(res, src, out, "m_rs")
    for v in victims:
        assert os.listdir(v) == ["precious"], v
    assert not os.path.islink(os.path.join(out, "m_rs"))
    assert not os.path.lexists(os.path.join(out, "crate", "m_rs"))

    # an earlier delivery's crate of the module goes with it
    os.makedirs(os.path.join(out, "crate", "m_rs", "src"))
    write(os.path.join(out, "crate", "m_rs", "src"), "lib.rs", "// old\n")
    res = run(conn, {"file": src, "output": out, "threshold": 100,
                     "module": "m_rs", "iterations": 2})
    check_python_only_delivery(res, src, out, "m_rs")
    assert not os.path.lexists(os.path.join(out, "crate", "m_rs"))

    # DIR/crate a symlink: left alone, the delivery still happens
    out2 = os.path.join(tmpdir_short, "out2")
    os.makedirs(out2)
    v = os.path.join(tmpdir_short, "victim-crate")
    os.makedirs(os.path.join(v, "m_rs"))
    os.symlink(v, os.path.join(out2, "crate"))
    res = run(conn, {"file": src, "output": out2, "threshold": 100,
                     "module": "m_rs"})
    check_python_only_delivery(res, src, out2, "m_rs")
    assert os.listdir(v) == ["m_rs"]
