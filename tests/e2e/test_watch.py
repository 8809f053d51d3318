"""Watched directories against real daemons: watch/add, list, remove and
their errors; an edited hot function is rebuilt and the delivered package
follows; a comment-only edit rebuilds nothing; a burst of saves is one or
two jobs and a newer save cancels the job it supersedes; new
subdirectories are watched, skipped ones (.git, virtualenvs, build
folders, .gitignore) are not; --max-watch-dirs; watches survive a daemon
restart; removing the watched directory ends the watch with one event.

Most watches here use list_targets (the jobs stop after select, in about
a second); one test builds for real (the cargo target dir is shared, so
it takes ~5-20 s).
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

from conftest import BUILD, ROOT, wait_state, wait_until
from rpc import RpcError

CTL = os.path.join(ROOT, BUILD, "rustifyctl")
FAST = {"list_targets": True, "debounce_ms": 100}

HOT = '''"""A small hot function for the watch tests."""


def scale_sum(xs: list[float]) -> float:
    total = 0.0
    for x in xs:
        total += x * 2.0
    return total


if __name__ == "__main__":
    xs = [float(i % 100) for i in range(20000)]
    # enough calls (about 50 ms) that scale_sum's sampled share selects
    # it even on a loaded machine
    total = 0.0
    for _ in range(40):
        total += scale_sum(xs)
    print(total)
'''


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def make_repo(root, name="repo"):
    repo = os.path.join(root, name)
    write(os.path.join(repo, "hot.py"), HOT)
    return os.path.realpath(repo)


def watch_events(conn, path, pred=lambda p: True, timeout=30.0):
    """Waits for a watch/event of the watch on path matching pred;
    returns its params."""
    msg, _ = conn.wait_notification(
        lambda m: m["method"] == "watch/event"
        and m["params"]["path"] == path and pred(m["params"]), timeout)
    return msg["params"]


def quiet_events(conn, path, seconds):
    """Every watch/event of path arriving within seconds."""
    found = []
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return found
        try:
            m = conn.next_notification(left)
        except TimeoutError:
            return found
        if m["method"] == "watch/event" and m["params"]["path"] == path:
            found.append(m["params"])


def jobs_for(conn, file):
    jobs = conn.call("job/list", {"limit": 1000})["jobs"]
    return [j for j in jobs if j["request"].get("file") == file]


def watched(conn, path):
    for w in conn.call("watch/list")["watches"]:
        if w["path"] == path:
            return w
    return None


def test_capabilities_list_remove_and_errors(conn, tmpdir_short):
    methods = conn.call("initialize")["capabilities"]["methods"]
    for m in ("watch/add", "watch/remove", "watch/list", "watch/subscribe",
              "watch/unsubscribe"):
        assert m in methods
    repo = make_repo(tmpdir_short)
    bad = [
        ({"path": "rel/dir"}, -32602, "params.path: must be an absolute"),
        ({"path": repo + "/nope"}, -32005, "No such file or directory"),
        ({"path": repo + "/hot.py"}, -32005, "not a directory"),
        ({}, -32602, "params.path"),
        ({"path": repo, "bogus": 1}, -32602, "params.bogus"),
        ({"path": repo, "options": {"bogus": 1}}, -32602,
         "params.options.bogus: unknown parameter"),
        ({"path": repo, "options": {"threshold": 200}}, -32602,
         "params.options.threshold"),
        ({"path": repo, "options": {"module": "m"}}, -32602,
         "params.options.module: not allowed"),
        ({"path": repo, "options": {"file": "/x.py"}}, -32602,
         "params.options.file: not allowed"),
        ({"path": repo, "options": {"debounce_ms": -1}}, -32602,
         "params.options.debounce_ms"),
        ({"path": repo, "options": {"entry": "nocolon"}}, -32602,
         "params.options.entry"),
        ({"path": repo, "options": []}, -32602, "params.options"),
    ]
    for params, code, text in bad:
        err = conn.call_error("watch/add", params)
        assert err.code == code and text in err.message, (params, err)
    assert watched(conn, repo) is None

    res = conn.call("watch/add", {"path": repo + "/", "options": FAST})
    assert res == {"path": repo, "options": FAST, "dirs": 1, "files": 1}
    w = watched(conn, repo)
    assert w["options"] == FAST and w["armed"] is True
    assert w["error"] is None and w["dirs"] == 1
    # watching again replaces the options
    conn.call("watch/add", {"path": repo, "options": {"debounce_ms": 50}})
    assert watched(conn, repo)["options"] == {"debounce_ms": 50}
    assert len([w for w in conn.call("watch/list")["watches"]
                if w["path"] == repo]) == 1
    conn.call("watch/subscribe")
    assert conn.call("watch/remove", {"path": repo}) == {"ok": True,
                                                         "path": repo}
    ev = watch_events(conn, repo)
    assert ev["event"] == "ended" and ev["job"] is None
    assert ev["reason"] == "watch ended: removed by request"
    assert watched(conn, repo) is None
    err = conn.call_error("watch/remove", {"path": repo})
    assert err.code == -32602 and "is not watched" in err.message
    # nothing comes from a removed watch
    write(os.path.join(repo, "hot.py"), HOT.replace("2.0", "5.0"))
    assert quiet_events(conn, repo, 0.8) == []
    conn.call("watch/unsubscribe")


def test_edit_rebuilds_and_comment_does_not(conn, tmpdir_short):
    repo = make_repo(tmpdir_short)
    hot = os.path.join(repo, "hot.py")
    out = os.path.join(repo, "rustify-out")
    conn.call("watch/subscribe")
    conn.call("watch/add", {"path": repo, "options": {"debounce_ms": 100}})
    time.sleep(0.3)  # the first indexing of the tree

    text = HOT.replace("x * 2.0", "x * 3.0")
    write(hot, text)
    ev = watch_events(conn, repo, lambda p: p["file"] == hot)
    assert ev["event"] == "changed" and ev["reason"] == "functions changed"
    assert ev["changed"] == ["scale_sum"] and ev["job"]
    job = wait_state(conn, ev["job"], ("done", "failed", "cancelled"),
                     timeout=600)
    assert job["state"] == "done", conn.call("job/result",
                                             {"job": ev["job"]})
    # The delivered package is the new source's build.
    with open(os.path.join(out, "rustify.json")) as f:
        manifest = json.load(f)
    mod = [m for m in manifest["modules"] if m["source"] == hot][0]
    assert mod["source_sha256"] == hashlib.sha256(
        text.encode()).hexdigest()
    assert mod["job"] == ev["job"]
    fn = {f["qualname"]: f for f in mod["functions"]}["scale_sum"]
    assert fn["translated"] is True, mod
    r = subprocess.run(
        [sys.executable, "-c",
         "import hot_rs; print(hot_rs.scale_sum([1.0, 2.0]))"],
        capture_output=True, text=True, timeout=60,
        env=dict(os.environ, PYTHONPATH=out))
    assert r.returncode == 0 and r.stdout.strip() == "9.0", r
    n_jobs = len(jobs_for(conn, hot))

    # A comment and a blank line outside functions: nothing rebuilds.
    write(hot, "# a comment\n\n" + text)
    ev = watch_events(conn, repo, lambda p: p["file"] == hot)
    assert ev["event"] == "unchanged" and ev["job"] is None
    assert ev["reason"] == "no function changed" and ev["changed"] == []
    # Saving the same bytes again says so too.
    write(hot, "# a comment\n\n" + text)
    ev = watch_events(conn, repo, lambda p: p["file"] == hot)
    assert ev["reason"] == "no function changed" and ev["job"] is None
    time.sleep(0.5)
    assert len(jobs_for(conn, hot)) == n_jobs
    conn.call("watch/remove", {"path": repo})


def test_rapid_saves_one_or_two_jobs(conn, tmpdir_short):
    repo = make_repo(tmpdir_short)
    hot = os.path.join(repo, "hot.py")
    conn.call("watch/subscribe")
    # the default debounce (300 ms)
    conn.call("watch/add", {"path": repo, "options": {"list_targets": True}})
    time.sleep(0.3)
    for i in range(20):
        # as an editor does: write a temp file, rename it over, chmod
        tmp = os.path.join(repo, ".hot.py.tmp")
        write(tmp, HOT.replace("x * 2.0", "x * %d.5" % i))
        os.rename(tmp, hot)
        os.chmod(hot, 0o644)
        time.sleep(0.02)
    events = quiet_events(conn, repo, 3.0)
    with_job = [e for e in events if e["job"]]
    assert 1 <= len(with_job) <= 2, events
    jobs = jobs_for(conn, hot)
    assert 1 <= len(jobs) <= 2, jobs
    last = wait_state(conn, with_job[-1]["job"], ("done",), timeout=120)
    assert last["state"] == "done"
    for j in jobs:
        if j["id"] != last["id"]:
            assert conn.call("job/status", {"job": j["id"]})["state"] in (
                "done", "cancelled")
    conn.call("watch/remove", {"path": repo})


def test_newer_save_cancels_running_job(conn, tmpdir_short):
    repo = make_repo(tmpdir_short)
    hot = os.path.join(repo, "hot.py")
    conn.call("watch/subscribe")
    conn.call("watch/add", {"path": repo,
                            "options": {"list_targets": True,
                                        "debounce_ms": 50}})
    time.sleep(0.3)
    write(hot, HOT.replace("x * 2.0", "x * 7.0"))
    first = watch_events(conn, repo, lambda p: p["file"] == hot)
    wait_state(conn, first["job"], ("running", "done"))
    write(hot, HOT.replace("x * 2.0", "x * 8.0"))
    second = watch_events(conn, repo, lambda p: p["file"] == hot)
    assert second["job"] and second["job"] != first["job"]
    state = conn.call("job/status", {"job": first["job"]})["state"]
    if state == "cancelled":
        assert second["superseded"] == first["job"]
    else:  # the first one was quicker than the second save
        assert state == "done" and "superseded" not in second
    assert wait_state(conn, second["job"], ("done", "failed"),
                      timeout=120)["state"] == "done"
    conn.call("watch/remove", {"path": repo})


def test_new_subdirectory_and_removed_file(conn, tmpdir_short):
    repo = make_repo(tmpdir_short)
    conn.call("watch/subscribe")
    conn.call("watch/add", {"path": repo, "options": FAST})
    time.sleep(0.3)
    new = os.path.join(repo, "pkg", "sub", "mod.py")
    write(new, "def f(x):\n    return x + 1\n")
    ev = watch_events(conn, repo, lambda p: p["file"] == new)
    assert ev["event"] == "changed" and ev["changed"] == ["f"]
    assert ev["job"]
    assert watched(conn, repo)["dirs"] == 3
    # its directory's own watcher reports the next save
    write(new, "def f(x):\n    return x + 2\n\n\ndef g():\n    pass\n")
    ev = watch_events(conn, repo, lambda p: p["file"] == new)
    assert ev["changed"] == ["f", "g"] and ev["job"]
    # a half-typed save is not built; the fix is diffed against the last
    # version that parsed
    write(new, "def f(x):\n    return (x +\n")
    ev = watch_events(conn, repo, lambda p: p["file"] == new)
    assert ev["event"] == "error" and ev["job"] is None
    assert "syntax error at line" in ev["reason"]
    write(new, "def f(x):\n    return x + 2\n\n\ndef g():\n    pass\n\n")
    ev = watch_events(conn, repo, lambda p: p["file"] == new)
    assert ev["reason"] == "no function changed"
    os.unlink(new)
    ev = watch_events(conn, repo, lambda p: p["file"] == new)
    assert ev["event"] == "removed" and ev["reason"] == "file removed"
    shutil.rmtree(os.path.join(repo, "pkg"))
    wait_until(lambda: watched(conn, repo)["dirs"] == 1, 10,
               "the removed directories to be released")
    conn.call("watch/remove", {"path": repo})


def test_skipped_directories(conn, tmpdir_short):
    repo = make_repo(tmpdir_short)
    write(os.path.join(repo, ".gitignore"),
          "# generated\nignored/\n*.gen.py\n/scratch\n")
    skipped = [".git", "venv", "__pycache__", "rustify-out", "node_modules",
               "build", "target", "ignored", "scratch", ".hidden"]
    for d in skipped:
        write(os.path.join(repo, d, "x.py"), "def s():\n    pass\n")
    write(os.path.join(repo, "venv", "pyvenv.cfg"), "home = /usr/bin\n")
    write(os.path.join(repo, "pkg", "scratch", "keep.py"), "x = 1\n")
    conn.call("watch/subscribe")
    res = conn.call("watch/add", {"path": repo, "options": FAST})
    # root, pkg, pkg/scratch (/scratch is anchored to the root)
    assert res["dirs"] == 3 and res["files"] == 2, res
    time.sleep(0.3)
    for d in skipped:
        write(os.path.join(repo, d, "y.py"), "def t():\n    pass\n")
    write(os.path.join(repo, "a.gen.py"), "def u():\n    pass\n")
    os.mkdir(os.path.join(repo, "pkg", "node_modules"))
    write(os.path.join(repo, "pkg", "node_modules", "z.py"), "x = 2\n")
    marker = write(os.path.join(repo, "pkg", "m.py"), "def v():\n    pass\n")
    events = [watch_events(conn, repo, lambda p: p["file"] == marker)]
    events += quiet_events(conn, repo, 0.5)
    assert [e["file"] for e in events] == [marker], events
    assert watched(conn, repo)["dirs"] == 3
    # an edited .gitignore applies to what appears afterwards
    write(os.path.join(repo, ".gitignore"), "later/\n")
    write(os.path.join(repo, "later", "l.py"), "def w():\n    pass\n")
    marker = write(os.path.join(repo, "pkg", "m2.py"), "def v():\n    pass\n")
    events = [watch_events(conn, repo, lambda p: p["file"] == marker)]
    events += quiet_events(conn, repo, 0.5)
    assert [e["file"] for e in events] == [marker], events
    assert watched(conn, repo)["dirs"] == 3
    conn.call("watch/remove", {"path": repo})


def test_max_watch_dirs(daemons, tmpdir_short):
    d = daemons.new(["--max-watch-dirs", "3"])
    big = make_repo(tmpdir_short, "big")
    for sub in ("a", "b", "c"):
        os.mkdir(os.path.join(big, sub))
    with d.connect() as c:
        err = c.call_error("watch/add", {"path": big})
        assert err.code == -32002, err
        assert "--max-watch-dirs 3" in err.message and big in err.message
        assert c.call("watch/list")["watches"] == []
        small = make_repo(tmpdir_short, "small")
        os.mkdir(os.path.join(small, "a"))
        os.mkdir(os.path.join(small, "b"))
        assert c.call("watch/add", {"path": small})["dirs"] == 3
        c.call("watch/subscribe")
        os.mkdir(os.path.join(small, "c"))
        ev = watch_events(c, small)
        assert ev["event"] == "error" and ev["file"] == small + "/c"
        assert ev["reason"].startswith("directory not watched: ")
        assert "--max-watch-dirs" in ev["reason"]
        # what is watched still works
        hot = os.path.join(small, "a", "n.py")
        write(hot, "def w():\n    pass\n")
        assert watch_events(c, small, lambda p: p["file"] == hot)["job"]


def test_watch_survives_restart(daemons, tmpdir_short):
    d = daemons.new()
    repo = make_repo(tmpdir_short)
    hot = os.path.join(repo, "hot.py")
    with d.connect() as c:
        c.call("watch/add", {"path": repo, "options": FAST})
    assert d.stop() == 0
    d.start()
    d.wait_log(r"watch %s: re-armed: 1 directories" % repo)
    with d.connect() as c:
        w = watched(c, repo)
        assert w["armed"] is True and w["options"] == FAST
        c.call("watch/subscribe")
        wait_until(lambda: watched(c, repo)["files"] == 1, 10,
                   "the first indexing")
        write(hot, HOT.replace("x * 2.0", "x * 4.0"))
        ev = watch_events(c, repo, lambda p: p["file"] == hot)
        assert ev["event"] == "changed" and ev["job"]
        wait_state(c, ev["job"], "done", timeout=120)
    # a watched directory removed while the daemon is down: the watch ends
    assert d.stop() == 0
    shutil.rmtree(repo)
    d.start()
    d.wait_log(r"watch %s: the directory is gone" % repo)
    with d.connect() as c:
        assert watched(c, repo) is None


def test_removed_dir_ends_watch(daemons, tmpdir_short):
    d = daemons.new()
    repo = make_repo(tmpdir_short)
    write(os.path.join(repo, "pkg", "deep", "m.py"), "def f():\n    pass\n")
    with d.connect() as c:
        c.call("watch/subscribe")
        assert c.call("watch/add", {"path": repo,
                                    "options": FAST})["dirs"] == 3
        time.sleep(0.3)
        shutil.rmtree(repo)
        ev = watch_events(c, repo)
        assert ev == {"path": repo, "file": None, "changed": [],
                      "job": None, "event": "ended",
                      "reason": "watch ended: directory removed"}
        assert quiet_events(c, repo, 1.0) == []
        assert watched(c, repo) is None
        assert c.call("ping")["pong"] is True
        # the same path again, recreated: a new watch works
        make_repo(tmpdir_short)
        assert c.call("watch/add", {"path": repo, "options": FAST})
    log = d.log()
    assert log.count("watch ended: directory removed") == 1
    assert not [ln for ln in log.splitlines()
                if repo in ln and (" warn " in ln or " error " in ln)], log


def test_cli_watch_watches_unwatch(daemon, tmpdir_short):
    repo = make_repo(tmpdir_short)

    def ctl(*args):
        return subprocess.run([CTL, "--socket", daemon.socket,
                               "--no-autostart"] + list(args),
                              capture_output=True, text=True, timeout=60)
    r = ctl("watch", repo, "--list-targets", "--threshold", "5", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["path"] == repo and res["options"]["threshold"] == 5
    assert res["options"]["list_targets"] is True
    r = ctl("watches")
    assert r.returncode == 0 and repo in r.stdout
    r = ctl("unwatch", repo)
    assert r.returncode == 0 and "stopped watching" in r.stdout
    r = ctl("unwatch", repo)
    assert r.returncode != 0 and "not watched" in r.stderr
    try:
        ctl("watch", repo + "/hot.py").check_returncode()
        raise AssertionError("watching a file succeeded")
    except subprocess.CalledProcessError as e:
        assert "not a directory" in e.stderr


def test_watch_errors_are_rpc_errors(conn):
    err = conn.call_error("watch/list", {"x": 1})
    assert isinstance(err, RpcError) and err.code == -32602
    err = conn.call_error("watch/subscribe", {"x": 1})
    assert err.code == -32602
