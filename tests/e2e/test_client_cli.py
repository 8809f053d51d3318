"""rustifyctl against real daemons: exit statuses, submit's output (table,
plain progress lines, --json), the job commands, autostart and stop,
Ctrl-C cancelling the job, and following a job across a daemon restart
(reconnect + job/subscribe since_seq, no event shown twice).
"""

import json
import os
import signal
import subprocess
import time

import pytest

from conftest import (BUILD, ROOT, pid_alive, sleeper_source, wait_state,
                      wait_until)

CTL = os.path.join(ROOT, BUILD, "rustifyctl")
STAGES = ["source", "index", "profile", "select", "translate", "crate",
          "build", "verify", "measure", "deliver"]
HOT = (
    "def euclidean(a, b):\n"
    "    s = 0.0\n"
    "    for i in range(len(a)):\n"
    "        d = a[i] - b[i]\n"
    "        s += d * d\n"
    "    return s ** 0.5\n"
    "\n\n"
    'if __name__ == "__main__":\n'
    "    xs = [float(i) for i in range(300)]\n"
    "    for _ in range(50):\n"
    "        euclidean(xs, xs[::-1])\n"
)


def ctl(*args, socket=None, env=None, timeout=120, stdin=None, **kw):
    """Runs rustifyctl; never lets it start a daemon unless asked."""
    argv = [CTL]
    if socket:
        argv += ["--socket", socket, "--no-autostart"]
    e = dict(os.environ)
    e.pop("RUSTIFY_SOCKET", None)
    e.update(env or {})
    return subprocess.run(argv + list(args), capture_output=True, text=True,
                          timeout=timeout, env=e, input=stdin, **kw)


def write(dirname, name, text):
    path = os.path.join(dirname, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_usage_and_version():
    assert ctl().returncode == 2
    r = ctl("frobnicate")
    assert r.returncode == 2 and "usage:" in r.stderr
    r = ctl("ping", "--bogus")
    assert r.returncode == 2 and "--bogus" in r.stderr
    assert ctl("submit").returncode == 2
    r = ctl("--help")
    assert r.returncode == 0 and "submit" in r.stdout and not r.stderr
    assert ctl("help", "cache").returncode == 0
    r = ctl("--version")
    assert r.returncode == 0 and "0.1.0" in r.stdout


def test_unreachable_exits_3(tmpdir_short):
    sock = os.path.join(tmpdir_short, "none.sock")
    r = ctl("ping", socket=sock)
    assert r.returncode == 3 and "not running" in r.stderr
    r = ctl("daemon", "status", socket=sock)
    assert r.returncode == 3 and "not running" in r.stdout


def test_ping_and_daemon_status(daemon):
    r = ctl("ping", socket=daemon.socket)
    assert r.returncode == 0 and "pong" in r.stdout
    r = ctl("daemon", "status", "--json", socket=daemon.socket)
    assert r.returncode == 0
    info = json.loads(r.stdout)
    assert info["pid"] == daemon.pid
    assert info["daemon_version"] == "0.1.0"


def test_submit_json(daemon, tmpdir_short):
    path = write(tmpdir_short, "hot.py", HOT)
    r = ctl("submit", path, "--json", "-q", socket=daemon.socket)
    doc = json.loads(r.stdout)  # exactly one document
    assert doc["request"]["file"] == path
    assert os.path.isabs(doc["request"]["python"])
    assert [s["name"] for s in doc["stages"]] == STAGES
    assert doc["job"] == doc["id"]
    assert r.returncode == (0 if doc["state"] == "done" else 1)
    assert "euclidean" in [f["name"] for f in doc["functions"]]


def test_submit_table_and_plain_progress(daemon, tmpdir_short):
    path = write(tmpdir_short, "hot2.py", HOT)
    r = ctl("submit", path, socket=daemon.socket)
    assert r.returncode in (0, 1), r.stderr
    assert "[source] 0%" in r.stderr and "[profile]" in r.stderr
    head = r.stdout.splitlines()[0].split()
    assert head == ["function", "line", "time%", "self%", "translated",
                    "verified", "speedup"]
    assert "euclidean" in r.stdout
    for stage in STAGES:
        assert "\n" + stage + " " in r.stdout


def test_submit_stdin_sends_text_and_output(daemon, tmpdir_short):
    r = ctl("submit", "-", "--no-wait", socket=daemon.socket, stdin=HOT,
            cwd=tmpdir_short)
    assert r.returncode == 0
    job = r.stdout.strip()
    with daemon.connect() as c:
        req = c.call("job/status", {"job": job})["request"]
        assert req["text"] == HOT and req["name"] == "stdin"
        assert req["output"] == os.path.join(
            os.path.realpath(tmpdir_short), "rustify-out")
        wait_state(c, job, ("done", "failed"))


def test_submit_errors(daemon, tmpdir_short):
    r = ctl("submit", os.path.join(tmpdir_short, "missing.py"),
            socket=daemon.socket)
    assert r.returncode == 1 and "missing.py" in r.stderr
    path = write(tmpdir_short, "ok.py", HOT)
    r = ctl("submit", path, "--module", "not-a-name", socket=daemon.socket)
    assert r.returncode == 1 and "params.module" in r.stderr
    r = ctl("submit", path, "--entry-cmd", "'unterminated",
            socket=daemon.socket)
    assert r.returncode == 2


def test_job_commands(daemon, tmpdir_short):
    path = write(tmpdir_short, "hot3.py", HOT)
    r = ctl("submit", path, "--no-wait", "--threshold", "5",
            "--entry-cmd", "hot3.py 'a b'", socket=daemon.socket)
    assert r.returncode == 0
    job = r.stdout.strip()
    with daemon.connect() as c:
        status = wait_state(c, job, ("done", "failed"))
        assert status["request"]["threshold"] == 5
        assert status["request"]["entry_cmd"] == ["hot3.py", "a b"]
    r = ctl("status", job, "--json", socket=daemon.socket)
    assert r.returncode == 0 and json.loads(r.stdout)["id"] == job
    r = ctl("jobs", "--json", socket=daemon.socket)
    assert job in [j["id"] for j in json.loads(r.stdout)["jobs"]]
    r = ctl("result", job, socket=daemon.socket)
    assert "job %s:" % job in r.stdout
    r = ctl("cancel", job, socket=daemon.socket)
    assert r.returncode == 1 and job in r.stderr
    r = ctl("retry", job, "--json", "--no-wait", socket=daemon.socket)
    assert r.returncode == 0 and json.loads(r.stdout)["retry_of"] == job
    assert ctl("status", "999999", socket=daemon.socket).returncode == 1
    r = ctl("cache", "stats", "--json", socket=daemon.socket)
    assert r.returncode == 0 and "tables" in json.loads(r.stdout)
    r = ctl("index", path, socket=daemon.socket)
    assert r.returncode == 0 and "euclidean" in r.stdout


def test_autostart_then_stop(tmpdir_short):
    sock = os.path.join(tmpdir_short, "auto.sock")
    env = {"RUSTIFY_HOME": os.path.join(tmpdir_short, "home")}
    pid = None
    try:
        r = ctl("--socket", sock, "ping", env=env, timeout=60)
        assert r.returncode == 0, r.stderr
        r = ctl("--socket", sock, "daemon", "status", "--json", env=env)
        pid = json.loads(r.stdout)["pid"]
        r = ctl("--socket", sock, "daemon", "stop", env=env, timeout=60)
        assert r.returncode == 0, r.stderr
        assert not pid_alive(pid)
        r = ctl("--socket", sock, "daemon", "status", env=env)
        assert r.returncode == 3
    finally:
        if pid and pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def start_sleeper(daemon, tmpdir_short, marker, extra=()):
    path = write(tmpdir_short, marker + ".py", sleeper_source(marker))
    proc = subprocess.Popen(
        [CTL, "--socket", daemon.socket, "--no-autostart", "submit", path,
         "-v"] + list(extra),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with daemon.connect() as c:
        def running():
            jobs = c.call("job/list", {"state": "running"})["jobs"]
            for j in jobs:
                if j["request"].get("file") == path and \
                        j["stage"] == "profile":
                    return j["id"]
            return None
        job = wait_until(running, 60, "the sleeper to run")
    return proc, job


def test_sigint_cancels_the_job(daemon, tmpdir_short):
    proc, job = start_sleeper(daemon, tmpdir_short, "sigint_marker")
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "cancelled job %s" % job in err
    with daemon.connect() as c:
        assert c.call("job/status", {"job": job})["state"] == "cancelled"


def test_follows_a_job_across_a_daemon_restart(daemons, tmpdir_short):
    d = daemons.new()
    proc, job = start_sleeper(d, tmpdir_short, "restart_marker")
    time.sleep(0.3)
    d.kill()
    d.start()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "interrupted" in out
    assert "reconnecting" in err
    shown = [l for l in err.splitlines() if l.startswith("[")]
    assert len(shown) == len(set(shown)), "an event was shown twice"
    assert shown[0].startswith("[source] 0%")
