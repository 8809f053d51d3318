"""Fixtures for the end-to-end tests: real rustifyd processes.

Every daemon runs on a socket and a state dir under a short temporary
folder in /tmp (a Unix socket path holds at most 107 bytes), logs to a
file the test can read, and is stopped in a finalizer: SIGTERM, then
SIGKILL after a timeout.  The finalizer also kills any process whose
command line names the daemon's folder (a job's workload left behind by
a failing test), so no process outlives the test.

The binary is $RUSTIFY_BUILD/rustifyd (default build/), relative to the
repository root, so `make asan` runs the same tests against
build/asan/rustifyd.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rpc import Connection  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.environ.get("RUSTIFY_BUILD", "build")
DAEMON = os.path.join(ROOT, BUILD, "rustifyd")
CARGO_TARGET = os.path.join(ROOT, "build", "cargo-target")
EXAMPLES = os.path.join(ROOT, "examples")
STOP_TIMEOUT = 20.0
# Generous: the suite also runs under AddressSanitizer.
START_TIMEOUT = 30.0
SANITIZER_REPORT = re.compile(r"ERROR: (Address|Leak)Sanitizer|"
                              r"runtime error: |WARNING: ThreadSanitizer")


def wait_until(pred, timeout=30.0, what="condition", interval=0.02):
    """Polls pred() until it is true; its value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(interval)


def pid_alive(pid):
    """Is pid a live process (a zombie counts as gone)?"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def pids_with_cmdline(marker):
    """Live pids whose command line contains marker."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % name, "rb") as f:
                cmd = f.read().replace(b"\0", b" ")
        except OSError:
            continue
        if marker.encode() in cmd and pid_alive(int(name)):
            found.append(int(name))
    return found


def make_tmpdir():
    return tempfile.mkdtemp(prefix="rfy", dir="/tmp")


class Daemon:
    """One rustifyd process (not started until start())."""

    def __init__(self, root, args=(), socket=None, state_dir=None,
                 wrapper=(), grace="2", name="d"):
        self.root = root
        self.socket = socket or os.path.join(root, name + ".sock")
        self.state_dir = state_dir or os.path.join(root, name + "-state")
        self.log_path = os.path.join(root, name + ".log")
        self.args = list(args)
        if grace is not None and "--grace" not in self.args:
            self.args += ["--grace", grace]
        self.wrapper = list(wrapper)
        self.proc = None
        self.returncode = None

    def argv(self):
        # One cargo target dir for every test daemon: pyo3 compiles once.
        target = ["--cargo-target-dir", CARGO_TARGET]
        return self.wrapper + [DAEMON, "--socket", self.socket,
                               "--state-dir", self.state_dir] + target + \
            self.args

    def start(self, wait=True):
        log = open(self.log_path, "ab")
        self.log_offset = log.tell()
        try:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log,
                                         start_new_session=True)
        finally:
            log.close()
        self.returncode = None
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("rustifyd exited with %s:\n%s"
                                     % (self.proc.returncode, self.log()))
            return re.search(r"listening on",
                             self.log()[self.log_offset:]) is not None
        wait_until(ready, START_TIMEOUT, "rustifyd to listen")

    @property
    def pid(self):
        return self.proc.pid

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, pattern, timeout=30.0):
        """Waits for a log line matching the regex; returns the match."""
        return wait_until(lambda: re.search(pattern, self.log()), timeout,
                          "log line %r in:\n%s" % (pattern, self.log()))

    def connect(self, timeout=30.0):
        return Connection(self.socket, timeout)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout=STOP_TIMEOUT):
        self.returncode = self.proc.wait(timeout)
        return self.returncode

    def signal(self, sig):
        if self.running():
            self.proc.send_signal(sig)

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, then SIGKILL after timeout; the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        return self.returncode

    def kill(self):
        """SIGKILL, as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        self.returncode = self.proc.wait()
        return self.returncode

    def kill_leftovers(self):
        """Kills what a failed test may have left: workloads naming our
        state dir (and their process groups)."""
        for pid in pids_with_cmdline(self.root + "/"):
            for target in (-pid, pid):
                try:
                    os.kill(target, signal.SIGKILL)
                except OSError:
                    pass


class DaemonFactory:
    """Starts daemons in one temporary folder; cleanup() stops them all."""

    def __init__(self):
        self.root = make_tmpdir()
        self.daemons = []

    def new(self, args=(), start=True, **kw):
        kw.setdefault("name", "d%d" % len(self.daemons))
        d = Daemon(self.root, args, **kw)
        self.daemons.append(d)
        if start:
            d.start()
        return d

    def cleanup(self):
        reports = []
        for d in self.daemons:
            try:
                d.stop()
            finally:
                d.kill_leftovers()
            log = d.log()
            if SANITIZER_REPORT.search(log):
                reports.append("%s:\n%s" % (d.log_path, log))
        shutil.rmtree(self.root, ignore_errors=True)
        # Under `make asan` a sanitizer report fails the test that saw it.
        assert not reports, "\n".join(reports)


@pytest.fixture
def daemons():
    """A factory of per-test daemons: daemons.new(["--jobs", "1"])."""
    f = DaemonFactory()
    yield f
    f.cleanup()


@pytest.fixture(scope="module")
def shared_daemons():
    f = DaemonFactory()
    yield f
    f.cleanup()


@pytest.fixture(scope="module")
def daemon(shared_daemons):
    """One daemon with default limits shared by a test module."""
    return shared_daemons.new()


@pytest.fixture
def conn(daemon):
    with daemon.connect() as c:
        yield c


@pytest.fixture
def tmpdir_short():
    """A short temporary folder under /tmp, removed afterwards."""
    path = make_tmpdir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


# ---- job helpers --------------------------------------------------------

def sleeper_source(marker, seconds=30, children=False):
    """A workload that prints its pid (and a grandchild's) and sleeps.

    The marker is in the text (unique per test), so pgrep -f can find the
    harness running it: the harness's command line names the written
    module, which is <name>.py.
    """
    lines = [
        "import os",
        "import subprocess",
        "import sys",
        "import time",
        "",
        "",
        "def spin(n):",
        "    return sum(range(n))",
        "",
        "",
        'if __name__ == "__main__":',
        "    spin(10)",
        "    # %s" % marker,
    ]
    if children:
        lines += [
            "    kid = subprocess.Popen(['sleep', '%d'])" % (seconds + 60),
            "    print('CHILD', kid.pid, flush=True)",
        ]
    lines += [
        "    print('PID', os.getpid(), 'PGID', os.getpgid(0), flush=True)",
        "    time.sleep(%d)" % seconds,
    ]
    return "\n".join(lines) + "\n"


def pids_from_log(events):
    """{"PID": pid, "PGID": pgid, "CHILD": pid} printed by a sleeper."""
    found = {}
    for ev in events:
        if ev["method"] != "job/log":
            continue
        words = ev["params"]["line"].split()
        for i in range(0, len(words) - 1, 2):
            if words[i] in ("PID", "PGID", "CHILD") and words[i + 1].isdigit():
                found[words[i]] = int(words[i + 1])
    return found


def wait_sleeper_pids(conn, job, children=False, timeout=60.0):
    """Reads conn's notifications of job until the sleeper printed its
    pid (and its grandchild's); returns (pids, events seen)."""
    want = {"PID", "PGID"} | ({"CHILD"} if children else set())
    events = []

    def pred(msg):
        if msg["params"].get("job") == job:
            events.append(msg)
        if msg["method"] == "job/done" and msg["params"]["job"] == job:
            raise AssertionError("sleeper ended early: %r" % events)
        return want <= set(pids_from_log(events))

    conn.wait_notification(pred, timeout)
    return pids_from_log(events), events


def wait_state(conn, job, states, timeout=60.0):
    """Polls job/status until its state is one of states."""
    if isinstance(states, str):
        states = (states,)
    last = {}

    def check():
        last.update(conn.call("job/status", {"job": job}))
        return last["state"] in states
    wait_until(check, timeout, "job %s to be %s (last: %r)"
               % (job, states, last), interval=0.05)
    return last


def write(d, name, text):
    """Writes text to d/name; its path."""
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def run(conn, params, timeout=600):
    """Submits a job, follows it to the end; its job/result."""
    job = conn.call("job/submit", params)["job"]
    conn.job_events(job, timeout=timeout)
    return conn.call("job/result", {"job": job})
