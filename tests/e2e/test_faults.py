"""The daemon when the machine misbehaves (issue 15, Faults): a full
disk during a job and during cargo, a damaged database moved aside, job
ids after jobs.db is gone, a state folder that turns read-only, and a
workload grandchild that tries to escape.

Full and read-only file systems are real: small tmpfs mounts, which need
root (the tests are skipped otherwise).
"""

import contextlib
import errno
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import (BUILD, CARGO_TARGET, ROOT, pid_alive, wait_state,
                      wait_until)

CTL = os.path.join(ROOT, BUILD, "rustifyctl")

needs_root = pytest.mark.skipif(os.geteuid() != 0,
                                reason="mounting a tmpfs needs root")


@contextlib.contextmanager
def tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % size,
                    "tmpfs", path], check=True)
    try:
        yield path
    finally:
        for _ in range(50):
            r = subprocess.run(["umount", path], capture_output=True)
            if r.returncode == 0:
                break
            time.sleep(0.2)


def fill(folder):
    """Writes a file until the file system is full; its path. The job may
    have filled it first (then even creating the file fails): None.
    Unbuffered writes: a buffered file would raise ENOSPC again on close."""
    path = os.path.join(folder, "filler")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
        return None
    block = b"\0" * 65536
    try:
        while True:
            os.write(fd, block)
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
    finally:
        os.close(fd)
    return path


CHATTY = '''\
import sys
import time


def f(x):
    return x + 1


if __name__ == "__main__":
    f(1)
    print("started", flush=True)
    for i in range(100000):
        print(i, "x" * 500, flush=True)
        time.sleep(0.01)
'''


@needs_root
def test_disk_full_fails_the_job_and_the_store_catches_up(daemons):
    state = os.path.join(daemons.root, "state")
    with tmpfs(state, "24m"):
        # room to free later even when the job fills the disk itself
        ballast = os.path.join(state, "ballast")
        with open(ballast, "wb") as f:
            f.write(b"\0" * (1 << 20))
        d = daemons.new(state_dir=state)
        with d.connect() as c:
            job = c.call("job/submit", {"text": CHATTY,
                                        "name": "chatty"})["job"]
            c.wait_notification(
                lambda m: m["method"] == "job/log"
                and m["params"].get("line") == "started", 120)
            env = dict(os.environ)
            env.pop("RUSTIFY_SOCKET", None)
            src = os.path.join(daemons.root, "waiting.py")
            with open(src, "w") as f:
                f.write(CHATTY)
            waiter = subprocess.Popen(
                [CTL, "--socket", d.socket, "--no-autostart", "submit",
                 src, "--dry-run", "-q"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, env=env)
            time.sleep(2)
            filler = fill(state)
            done, _ = c.wait_notification(
                lambda m: m["method"] == "job/done"
                and m["params"]["job"] == job, 120)
            assert done["params"]["state"] == "failed", done
            assert "no space left on device" in done["params"]["error"], \
                done
            # the daemon keeps running
            assert c.call("ping")["pong"] is True
            # the waiting client is told, and does not hang
            out, err = waiter.communicate(timeout=120)
            assert waiter.returncode == 1, (out, err)
            # once there is room again the store catches up
            if filler:
                os.unlink(filler)
            os.unlink(ballast)
            st = wait_state(c, job, "failed", timeout=60)
            assert "no space left on device" in st["error"], st
        d.stop()


@needs_root
@pytest.mark.skipif(not shutil.which("maturin") or not shutil.which("cargo"),
                    reason="needs maturin and cargo")
def test_disk_full_during_cargo_is_not_a_translator_bug(daemons):
    target = os.path.join(daemons.root, "target")
    with tmpfs(target, "3m"):
        d = daemons.new(start=False)
        d.args += ["--cargo-target-dir", target]
        d.start()
        src = os.path.join(daemons.root, "dotmod.py")
        with open(src, "w") as f:
            f.write("def dot(a: list[float], b: list[float]) -> float:\n"
                    "    t = 0.0\n"
                    "    for i in range(len(a)):\n"
                    "        t += a[i] * b[i]\n"
                    "    return t\n")
        with d.connect() as c:
            job = c.call("job/submit", {
                "file": src, "functions": ["dot"],
                "output": os.path.join(daemons.root, "out")})["job"]
            c.job_events(job, timeout=600)
            res = c.call("job/result", {"job": job})
        assert res["state"] == "failed", res
        assert "no space left on device" in res["error"], res["error"]
        assert "translator bug" not in res["error"], res["error"]
        d.stop()


# ---- a damaged database, and job ids ------------------------------------

QUICK = ("def f(x):\n    return x + 1\n\n\n"
         'if __name__ == "__main__":\n'
         "    print('quick ran', f(1))\n")


def quick_job(c):
    job = c.call("job/submit", {"text": QUICK, "name": "quick"})["job"]
    assert c.job_events(job, timeout=120)[-1]["params"]["state"] == "done"
    return job


def test_a_database_moved_aside_is_reported_and_ids_go_on(daemons):
    d = daemons.new()
    with d.connect() as c:
        ids = [int(quick_job(c)) for _ in range(3)]
        assert c.call("initialize")["warnings"] == []
    assert d.stop() == 0
    path = os.path.join(d.state_dir, "jobs.db")
    with open(path, "wb") as f:
        f.write(b"this is not a database" * 100)
    d.start()
    with d.connect() as c:
        warnings = c.call("initialize")["warnings"]
        assert len(warnings) == 1 and "jobs.db: corrupt" in warnings[0], \
            warnings
        assert "moved it to" in warnings[0]
        assert int(quick_job(c)) > max(ids)
    env = dict(os.environ)
    env.pop("RUSTIFY_SOCKET", None)
    r = subprocess.run([CTL, "--socket", d.socket, "--no-autostart",
                        "daemon", "status"], capture_output=True, text=True,
                       env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "warning:" in r.stdout and "jobs.db: corrupt" in r.stdout, \
        r.stdout


def test_job_ids_are_not_reused_after_jobs_db_is_deleted(daemons):
    d = daemons.new()
    with d.connect() as c:
        ids = [int(quick_job(c)) for _ in range(2)]
    assert d.stop() == 0
    for suffix in ("", "-wal", "-shm"):
        p = os.path.join(d.state_dir, "jobs.db" + suffix)
        if os.path.exists(p):
            os.unlink(p)
    d.start()
    with d.connect() as c:
        assert int(quick_job(c)) > max(ids)


def test_rebuild_checks_the_manifest_source_against_the_job(daemons,
                                                            tmpdir_short):
    """A manifest that names a job whose source is another file: the
    rebuild uses the manifest's source, not that job's request."""
    d = daemons.new(["--jobs", "1"])
    with d.connect() as c:
        other = quick_job(c)
        src = os.path.join(tmpdir_short, "mine.py")
        with open(src, "w") as f:
            f.write("def mine(x: float) -> float:\n    return x * 2\n")
        out = os.path.join(tmpdir_short, "out")
        os.makedirs(os.path.join(out, "crate", "mine_rs"))
        manifest = {"version": 1, "modules": [{
            "module": "mine_rs", "source": src, "source_name": "mine",
            "source_sha256": "0" * 64, "job": other, "functions": []}]}
        with open(os.path.join(out, "rustify.json"), "w") as f:
            json.dump(manifest, f)
        # a job keeps the queue busy so the rebuild only waits
        busy = c.call("job/submit", {"text": QUICK.replace(
            "print('quick ran', f(1))",
            "import time; f(1); time.sleep(600)"), "name": "busy"})["job"]
        wait_state(c, busy, "running")
        job = c.call("crate/rebuild", {"dir": out})["job"]
        st = c.call("job/status", {"job": job})
        assert st["request"]["file"] == src, st["request"]
        assert "text" not in st["request"], st["request"]
        c.call("job/cancel", {"job": job})
        c.call("job/cancel", {"job": busy})


@needs_root
def test_work_folder_that_cannot_be_created_says_so(daemons):
    d = daemons.new()
    work = os.path.join(d.state_dir, "work")
    subprocess.run(["mount", "--bind", work, work], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", work], check=True)
        with d.connect() as c:
            job = c.call("job/submit", {"text": QUICK,
                                        "name": "quick"})["job"]
            events = c.job_events(job, timeout=120)
        done = events[-1]["params"]
        assert done["state"] == "failed", done
        assert "the work folder could not be created" in done["error"], done
        assert "Read-only file system" in done["error"], done
    finally:
        subprocess.run(["umount", work], check=False)


# ---- a grandchild that leaves the process group -------------------------

def escaper_source(marker, main_sleeps):
    """A workload whose grandchild double-forks into a session of its own
    and prints its pid; the workload then sleeps (or ends at once)."""
    return (
        "import os\n"
        "import time\n\n\n"
        "def f(x):\n"
        "    return x\n\n\n"
        'if __name__ == "__main__":\n'
        "    f(1)\n"
        "    # %s\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        "            print('ESCAPEE', os.getpid(), flush=True)\n"
        "            devnull = os.open(os.devnull, os.O_RDWR)\n"
        "            for fd in (0, 1, 2):\n"
        "                os.dup2(devnull, fd)\n"
        "            time.sleep(600)\n"
        "        os._exit(0)\n"
        "    os.waitpid(pid, 0)\n"
        "    time.sleep(%d)\n" % (marker, main_sleeps))


def escapee_pid(conn, job):
    msg, _ = conn.wait_notification(
        lambda m: m["method"] == "job/log"
        and m["params"].get("line", "").startswith("ESCAPEE"), 120)
    return int(msg["params"]["line"].split()[1])


@pytest.mark.parametrize("how", ["cancel", "timeout", "exit"])
def test_an_escaped_grandchild_is_killed(daemons, how):
    d = daemons.new(["--profile-timeout", "6"] if how == "timeout" else [])
    marker = "escaper_%s_%d" % (how, os.getpid())
    with d.connect() as c:
        job = c.call("job/submit", {
            "text": escaper_source(marker, 0 if how == "exit" else 600),
            "name": "escaper"})["job"]
        pid = escapee_pid(c, job)
        assert pid_alive(pid)
        if how == "cancel":
            c.call("job/cancel", {"job": job})
        events = c.job_events(job, timeout=120)
        if how == "timeout":
            assert "longer than" in events[-1]["params"]["error"]
        wait_until(lambda: not pid_alive(pid), 15,
                   "the escaped grandchild %d to die" % pid)
        assert c.call("ping")["pong"]
