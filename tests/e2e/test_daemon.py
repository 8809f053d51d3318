"""The daemon as a process: crash recovery, one daemon per socket and per
state dir, stale and over-long socket paths, peer credentials, systemd
socket activation, corrupt databases, and signals.
"""

import glob
import os
import shutil
import signal
import socket
import sqlite3
import stat

import pytest

from conftest import (EXAMPLES, pid_alive, pids_with_cmdline,
                      sleeper_source, wait_sleeper_pids, wait_state,
                      wait_until)
from rpc import frame, request

EUCLIDEAN = os.path.join(EXAMPLES, "euclidean.py")
NOBODY = 65534
QUICK = ("def f(x):\n    return x + 1\n\n\n"
         'if __name__ == "__main__":\n'
         "    print('quick ran', f(1))\n")


def sleeper(name, seconds=600, children=True):
    return {"text": sleeper_source(name, seconds, children), "name": name}


def integrity(path):
    db = sqlite3.connect(path, timeout=10)
    try:
        return db.execute("PRAGMA integrity_check").fetchall()
    finally:
        db.close()


def replay(conn, job):
    """Every stored event of job."""
    sub = conn.call("job/subscribe", {"job": job, "since_seq": 0})
    return [conn.next_notification() for _ in range(sub["last_seq"])]


def run_quick_job(conn):
    job = conn.call("job/submit", {"text": QUICK, "name": "quick"})["job"]
    events = conn.job_events(job, timeout=120)
    assert events[-1]["params"]["state"] == "done", events[-1]
    return job


# ---- crash recovery -----------------------------------------------------

def test_sigkill_then_restart_recovers(daemons):
    d = daemons.new(["--jobs", "1"])
    marker = "crashed_%d" % os.getpid()
    with d.connect() as c:
        running = c.call("job/submit", sleeper(marker))["job"]
        pids, _ = wait_sleeper_pids(c, running, children=True)
        queued = c.call("job/submit", {"text": QUICK, "name": "after"})["job"]
        assert c.call("job/status", {"job": queued})["state"] == "queued"
    d.kill()
    # The workload does not outlive the killed daemon: its supervisor
    # (a subreaper told by PR_SET_PDEATHSIG) ends it and every process
    # below it.
    for pid in (pids["PID"], pids["CHILD"]):
        wait_until(lambda: not pid_alive(pid), 10, "pid %d gone" % pid)
    # the supervisor itself, once it reaped them
    wait_until(lambda: not pids_with_cmdline(marker), 10, "no leftover")
    assert os.path.exists(d.socket)

    d.start()
    d.wait_log(r"removed stale socket")
    with d.connect() as c:
        st = c.call("job/status", {"job": running})
        assert st["state"] == "interrupted", st
        assert "daemon stopped" in st["error"]
        events = replay(c, running)
        assert [e["params"]["seq"] for e in events] == list(
            range(1, len(events) + 1))
        assert events[-1]["method"] == "job/done"
        assert events[-1]["params"]["state"] == "interrupted"
        res = c.call("job/result", {"job": running})
        assert res["state"] == "interrupted"
        # The job queued at the time of the crash runs now.
        st = wait_state(c, queued, ("done", "failed"), timeout=120)
        assert st["state"] == "done", st
        logs = [e["params"]["line"] for e in replay(c, queued)
                if e["method"] == "job/log"]
        assert "quick ran 2" in logs
        for db in ("jobs.db", "cache.db"):
            assert integrity(os.path.join(d.state_dir, db)) == [("ok",)]
        # The interrupted job can be run again.
        retry = c.call("job/retry", {"job": running})
        assert retry["retry_of"] == running and retry["job"] != running
        assert c.call("job/status", {"job": retry["job"]})[
            "retry_of"] == running
        new_pids, _ = wait_sleeper_pids(c, retry["job"], children=True)
        assert new_pids["PID"] != pids["PID"]
        c.call("job/cancel", {"job": retry["job"]})
        for pid in new_pids.values():
            wait_until(lambda: not pid_alive(pid), 10, "pid %d gone" % pid)
    assert d.stop() == 0
    for db in ("jobs.db", "cache.db"):
        assert integrity(os.path.join(d.state_dir, db)) == [("ok",)]


# ---- one daemon per socket and per state dir ---------------------------

def test_second_daemon_on_same_socket_refused(daemons):
    first = daemons.new()
    second = daemons.new(start=False, socket=first.socket)
    second.start(wait=False)
    assert second.wait_exit() != 0
    assert ("another rustifyd (pid %d) holds %s.lock"
            % (first.pid, first.socket)) in second.log()
    # The first one's socket was left alone.
    with first.connect() as c:
        assert c.call("ping")["pong"]


def test_second_daemon_on_same_state_dir_refused(daemons):
    first = daemons.new()
    second = daemons.new(start=False, state_dir=first.state_dir)
    second.start(wait=False)
    assert second.wait_exit() != 0
    assert ("another rustifyd (pid %d) holds %s/rustifyd.lock"
            % (first.pid, first.state_dir)) in second.log()
    assert not os.path.exists(second.socket)
    with first.connect() as c:
        assert c.call("ping")["pong"]


def test_stale_socket_of_killed_daemon_cleaned_up(daemons):
    d = daemons.new()
    d.kill()
    assert stat.S_ISSOCK(os.stat(d.socket).st_mode)
    with pytest.raises(ConnectionRefusedError):
        d.connect()
    d.start()
    d.wait_log(r"removed stale socket %s" % d.socket)
    with d.connect() as c:
        assert c.call("ping")["pong"]


def test_socket_path_too_long(daemons):
    root = daemons.root
    long_path = os.path.join(root, "s" * 110 + ".sock")
    assert len(long_path) > 107
    d = daemons.new(start=False, socket=long_path)
    d.start(wait=False)
    assert d.wait_exit() != 0
    log = d.log()
    assert ("socket path is %d bytes, longer than a Unix socket address "
            "holds (107)" % len(long_path)) in log, log
    assert "--socket" in log
    assert not os.path.exists(long_path)


def test_usage_errors_exit_2(daemons):
    for args in (["--jobs", "0"], ["--max-message", "abc"], ["--bogus"],
                 ["--grace", "-1"], ["--capture-max-bytes", "0"],
                 ["--capture-max-bytes", "12MB"], ["stray"]):
        d = daemons.new(args, start=False)
        d.start(wait=False)
        assert d.wait_exit() == 2, (args, d.log())
        assert "rustifyd" in d.log()


# ---- peer credentials ---------------------------------------------------

def try_as_nobody(path):
    """Connects as uid nobody in a forked child; what it saw."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        result = b"?"
        try:
            os.close(rfd)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(20)
            s.connect(path)
            try:
                s.sendall(frame(request("ping", req_id=1)))
            except OSError:
                pass
            try:
                data = s.recv(65536)
                result = b"reply:" + data if data else b"closed"
            except ConnectionResetError:
                result = b"closed"
        except BaseException as e:  # the child reports, never raises
            result = ("error:%r" % e).encode()
        finally:
            os.write(wfd, result)
            os._exit(0)
    os.close(wfd)
    chunks = []
    while True:
        data = os.read(rfd, 65536)
        if not data:
            break
        chunks.append(data)
    os.close(rfd)
    os.waitpid(pid, 0)
    return b"".join(chunks)


def test_connection_from_another_uid_refused(daemons):
    if os.geteuid() != 0:
        pytest.skip("not run: switching to another uid needs root")
    d = daemons.new()
    assert stat.S_IMODE(os.stat(d.socket).st_mode) == 0o600
    # Without the loosened modes the file system already says no.
    assert try_as_nobody(d.socket).startswith(b"error:PermissionError")
    os.chmod(daemons.root, 0o777)
    os.chmod(d.socket, 0o777)
    assert try_as_nobody(d.socket) == b"closed"
    d.wait_log(r"refused: peer uid %d is not the daemon's uid 0" % NOBODY)
    with d.connect() as c:
        assert c.call("ping")["pong"]


# ---- systemd socket activation ------------------------------------------

def test_systemd_socket_activation(daemons):
    tool = shutil.which("systemd-socket-activate")
    if not tool:
        pytest.skip("not run: systemd-socket-activate is not installed")
    root = daemons.root
    path = os.path.join(root, "act.sock")
    d = daemons.new(start=False, socket=path, wrapper=[tool, "-l", path])
    d.start(wait=False)
    wait_until(lambda: os.path.exists(path), 30, "the activation socket")
    # The activator execs rustifyd on the first connection.
    with d.connect() as c:
        assert c.call("ping")["pong"]
        info = c.call("initialize")
        assert info["pid"] == d.pid
    d.wait_log(r"listening on the socket systemd passed \(fd 3\)")
    assert "removed stale socket" not in d.log()
    assert d.stop() == 0
    # The socket belongs to the activator (systemd): it stays.
    assert stat.S_ISSOCK(os.stat(path).st_mode)


# ---- corrupt databases --------------------------------------------------

GARBAGE = b"this is not an SQLite database\n" * 512


def corrupt(path, keep_header):
    if keep_header:
        # A real header, torn pages after it.
        with open(path, "r+b") as f:
            f.seek(100)
            f.write(GARBAGE)
    else:
        with open(path, "wb") as f:
            f.write(GARBAGE)
    with open(path, "rb") as f:
        return f.read()


@pytest.mark.parametrize("keep_header", [False, True],
                         ids=["garbage", "torn"])
def test_corrupt_cache_db_moved_aside(daemons, keep_header):
    d = daemons.new()
    with d.connect() as c:
        run_quick_job(c)
    assert d.stop() == 0
    path = os.path.join(d.state_dir, "cache.db")
    assert not os.path.exists(path + "-wal")
    content = corrupt(path, keep_header)
    d.start()
    m = d.wait_log(r"cache\.db: unusable \(.*\); moved it to (\S+)")
    moved = m.group(1)
    assert moved.startswith(path + ".corrupt-")
    with open(moved, "rb") as f:
        assert f.read() == content
    with d.connect() as c:
        job = run_quick_job(c)
        res = c.call("job/result", {"job": job})
        profile = [s for s in res["stages"] if s["name"] == "profile"][0]
        assert "(cached)" not in profile["message"]
        assert c.call("cache/stats") is not None
        # The jobs survived: only the cache was replaced.
        assert len(c.call("job/list")["jobs"]) == 2
    assert integrity(path) == [("ok",)]


@pytest.mark.parametrize("keep_header", [False, True],
                         ids=["garbage", "torn"])
def test_corrupt_jobs_db_moved_aside(daemons, keep_header):
    d = daemons.new()
    with d.connect() as c:
        for _ in range(3):
            run_quick_job(c)
    assert d.stop() == 0
    path = os.path.join(d.state_dir, "jobs.db")
    content = corrupt(path, keep_header)
    d.start()
    m = d.wait_log(r"jobs\.db: corrupt \(.*\); moved it to (\S+)")
    assert m.group(1).startswith(path + ".corrupt-")
    moved = glob.glob(path + ".corrupt-*")
    assert moved == [m.group(1)]
    with open(moved[0], "rb") as f:
        assert f.read() == content
    with d.connect() as c:
        assert c.call("job/list")["jobs"] == []
        run_quick_job(c)
    assert d.stop() == 0
    # Never deleted, not even by a later clean start.
    d.start()
    assert glob.glob(path + ".corrupt-*") == moved
    assert "corrupt" not in d.log()[d.log_offset:]


# ---- signals --------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_with_no_jobs_exits_0_and_removes_socket(daemons, sig):
    d = daemons.new()
    with d.connect() as c:
        assert c.call("ping")["pong"]
    d.signal(sig)
    assert d.wait_exit() == 0, d.log()
    assert not os.path.exists(d.socket)
    d.wait_log(r"received %s" % sig.name)
    d.wait_log(r"info stopped")


def test_sigterm_with_running_job_interrupts_it(daemons):
    d = daemons.new(["--grace", "1"])
    with d.connect() as c:
        job = c.call("job/submit", sleeper("graceful"))["job"]
        pids, _ = wait_sleeper_pids(c, job, children=True)
        d.signal(signal.SIGTERM)
        done = c.job_events(job, timeout=60)[-1]["params"]
        assert done["state"] == "interrupted"
        assert d.wait_exit() == 0, d.log()
    assert not os.path.exists(d.socket)
    for pid in pids.values():
        wait_until(lambda: not pid_alive(pid), 10, "pid %d gone" % pid)
    assert "grace period over" in d.log()
    d.start()
    assert "recovery" not in d.log()[d.log_offset:]
    with d.connect() as c:
        st = c.call("job/status", {"job": job})
        assert st["state"] == "interrupted"
        assert "shut down" in st["error"]
        assert c.call("job/result", {"job": job})["state"] == "interrupted"


def test_shutdown_request_with_no_jobs(daemons):
    d = daemons.new()
    with d.connect() as c:
        assert c.call("shutdown") == {"ok": True}
        assert c.is_closed_by_peer()
    assert d.wait_exit() == 0
    assert not os.path.exists(d.socket)
