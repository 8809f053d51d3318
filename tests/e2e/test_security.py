"""The daemon and its client against another user and a careless one
(issue 15, Security): symlinks in the output folder, socket folders
someone else owns or may write to, lock files that are symlinks, clients
that would talk to another user's socket, databases others could read,
and a socket path that is a regular file.

Several tests switch to uid nobody, which needs root; they are skipped
otherwise.
"""

import os
import stat
import subprocess

import pytest

from conftest import BUILD, DAEMON, ROOT, wait_until, write

CTL = os.path.join(ROOT, BUILD, "rustifyctl")
NOBODY = 65534

ANNOTATED = '''\
def dot(a: list[float], b: list[float]) -> float:
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]
    return total
'''

needs_root = pytest.mark.skipif(os.geteuid() != 0,
                                reason="switching uid needs root")


def victim(root, name="victim"):
    """A folder with one precious file in it."""
    d = os.path.join(root, name)
    os.makedirs(d)
    write(d, "precious", "keep me")
    return d


def dry_run(conn, src, out, module="m_rs"):
    job = conn.call("job/submit", {"file": src, "output": out,
                                   "functions": ["dot"], "dry_run": True,
                                   "module": module})["job"]
    conn.job_events(job, timeout=300)
    return conn.call("job/result", {"job": job})


# ---- symlinks in the output folder --------------------------------------

def test_symlinks_named_like_the_module_are_not_followed(daemon, conn,
                                                          tmpdir_short):
    src = write(tmpdir_short, "dotmod.py", ANNOTATED)
    out = os.path.join(tmpdir_short, "out")
    os.makedirs(os.path.join(out, "crate"))
    pid = conn.call("initialize")["pid"]
    names = ["m_rs", "m_rs.tmp-%d" % pid, "m_rs.old-%d" % pid,
             os.path.join("crate", "m_rs"),
             os.path.join("crate", "m_rs.tmp-%d" % pid),
             os.path.join("crate", "m_rs.old-%d" % pid),
             "rustify.json.tmp", "rustify_run.py.tmp"]
    victims = []
    for i, name in enumerate(names):
        v = victim(tmpdir_short, "victim%d" % i)
        victims.append(v)
        os.symlink(v, os.path.join(out, name))
    res = dry_run(conn, src, out)
    assert res["state"] == "done", res
    for v in victims:
        assert os.listdir(v) == ["precious"], v
    for name in ("m_rs", os.path.join("crate", "m_rs")):
        assert not os.path.islink(os.path.join(out, name))
        assert os.path.isdir(os.path.join(out, name))
    assert os.path.isfile(os.path.join(out, "crate", "m_rs", "Cargo.toml"))


def test_a_symlinked_crate_folder_is_not_written_through(conn,
                                                          tmpdir_short):
    src = write(tmpdir_short, "dotmod.py", ANNOTATED)
    out = os.path.join(tmpdir_short, "out")
    os.makedirs(out)
    v = victim(tmpdir_short)
    os.symlink(v, os.path.join(out, "crate"))
    res = dry_run(conn, src, out)
    assert res["state"] == "failed"
    assert "crate is a symlink" in res["error"], res["error"]
    assert os.listdir(v) == ["precious"]


def test_a_symlinked_output_folder_is_the_users_choice(conn, tmpdir_short):
    src = write(tmpdir_short, "dotmod.py", ANNOTATED)
    real = os.path.join(tmpdir_short, "real")
    os.makedirs(real)
    link = os.path.join(tmpdir_short, "link")
    os.symlink(real, link)
    res = dry_run(conn, src, link)
    assert res["state"] == "done", res
    assert os.path.isfile(os.path.join(real, "crate", "m_rs", "Cargo.toml"))
    # The user's umask applies to what is delivered (not 0600).
    mode = stat.S_IMODE(os.stat(os.path.join(real, "rustify.json")).st_mode)
    assert mode == 0o666 & ~current_umask(), oct(mode)


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---- socket folders and lock files -------------------------------------

def start_daemon(root, args, env=None, timeout=30):
    """Runs rustifyd in the foreground until it exits or listens."""
    e = dict(os.environ)
    e.pop("RUSTIFY_SOCKET", None)
    e.update(env or {})
    state = os.path.join(root, "state")
    log = os.path.join(root, "daemon.log")
    with open(log, "ab") as f:
        p = subprocess.Popen([DAEMON, "--state-dir", state] + args,
                             stdout=f, stderr=f, env=e,
                             stdin=subprocess.DEVNULL)

    def text():
        with open(log, "rb") as f:
            return f.read().decode("utf-8", "replace")
    try:
        wait_until(lambda: p.poll() is not None or "listening on" in text(),
                   timeout, "rustifyd to listen or exit")
    finally:
        if p.poll() is None:
            p.terminate()
            p.wait(20)
    return p.returncode, text()


@needs_root
def test_default_socket_folder_of_another_user_is_refused(tmpdir_short):
    runtime = os.path.join(tmpdir_short, "run")
    folder = os.path.join(runtime, "rustify")
    os.makedirs(folder)
    os.chmod(folder, 0o777)
    os.chown(folder, NOBODY, NOBODY)
    target = write(tmpdir_short, "target", "do not truncate\n")
    os.symlink(target, os.path.join(folder, "rustifyd.sock.lock"))
    rc, log = start_daemon(tmpdir_short, [],
                           env={"XDG_RUNTIME_DIR": runtime})
    assert rc not in (0, None), log
    assert "belongs to uid %d" % NOBODY in log, log
    with open(target) as f:
        assert f.read() == "do not truncate\n"


def test_default_socket_folder_must_be_0700(tmpdir_short):
    runtime = os.path.join(tmpdir_short, "run")
    folder = os.path.join(runtime, "rustify")
    os.makedirs(folder)
    os.chmod(folder, 0o755)
    rc, log = start_daemon(tmpdir_short, [],
                           env={"XDG_RUNTIME_DIR": runtime})
    assert rc not in (0, None) and "not 0700" in log, log
    os.rmdir(folder)
    os.symlink(tmpdir_short, folder)
    rc, log = start_daemon(tmpdir_short, [],
                           env={"XDG_RUNTIME_DIR": runtime})
    assert rc not in (0, None) and "is a symlink" in log, log


def test_explicit_socket_folder_writable_by_others_is_refused(tmpdir_short):
    folder = os.path.join(tmpdir_short, "shared")
    os.makedirs(folder)
    os.chmod(folder, 0o1777)
    rc, log = start_daemon(tmpdir_short,
                           ["--socket", os.path.join(folder, "d.sock")])
    assert rc not in (0, None), log
    assert "writable by others" in log, log
    # $RUSTIFY_SOCKET is as explicit as --socket
    rc, log = start_daemon(tmpdir_short, [], env={
        "RUSTIFY_SOCKET": os.path.join(folder, "e.sock")})
    assert rc not in (0, None) and "writable by others" in log, log
    # A folder of our own that is group-readable is fine.
    ok = os.path.join(tmpdir_short, "ok")
    os.makedirs(ok)
    os.chmod(ok, 0o750)
    rc, log = start_daemon(tmpdir_short,
                           ["--socket", os.path.join(ok, "d.sock")])
    assert "listening on" in log, log


def test_lock_file_symlink_is_not_followed(tmpdir_short):
    folder = os.path.join(tmpdir_short, "s")
    os.makedirs(folder, 0o700)
    target = write(tmpdir_short, "target", "do not truncate\n")
    os.symlink(target, os.path.join(folder, "d.sock.lock"))
    rc, log = start_daemon(tmpdir_short,
                           ["--socket", os.path.join(folder, "d.sock")])
    assert rc not in (0, None) and "is a symlink" in log, log
    with open(target) as f:
        assert f.read() == "do not truncate\n"


def test_socket_path_that_is_a_regular_file_is_kept(tmpdir_short):
    path = write(tmpdir_short, "d.sock", "not a socket\n")
    rc, log = start_daemon(tmpdir_short, ["--socket", path])
    assert rc not in (0, None), log
    assert "is not a socket" in log, log
    with open(path) as f:
        assert f.read() == "not a socket\n"


# ---- the client checks who listens -------------------------------------

@needs_root
def test_client_refuses_a_socket_served_by_another_uid(tmpdir_short):
    folder = os.path.join(tmpdir_short, "theirs")
    os.makedirs(folder)
    os.chown(folder, NOBODY, NOBODY)
    os.chmod(tmpdir_short, 0o755)
    path = os.path.join(folder, "evil.sock")
    ready = os.path.join(folder, "ready")
    # A listener running as nobody that records whatever it receives.
    code = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "s.bind(sys.argv[1]); s.listen(5)\n"
        "import os; os.chmod(sys.argv[1], 0o777)\n"
        "open(sys.argv[2], 'w').close()\n"
        "s.settimeout(30)\n"
        "data = b''\n"
        "try:\n"
        "    c, _ = s.accept(); c.settimeout(3)\n"
        "    while True:\n"
        "        b = c.recv(65536)\n"
        "        if not b: break\n"
        "        data += b\n"
        "except OSError: pass\n"
        "sys.stdout.write('%d' % len(data))\n")
    listener = subprocess.Popen(
        ["python3", "-c", code, path, ready], user=NOBODY, group=NOBODY,
        stdout=subprocess.PIPE, text=True, cwd="/")
    try:
        wait_until(lambda: os.path.exists(ready), 30, "the listener")
        src = write(tmpdir_short, "secret.py", "SECRET = 42\n")
        env = dict(os.environ)
        env.pop("RUSTIFY_SOCKET", None)
        r = subprocess.run([CTL, "--socket", path, "--no-autostart",
                            "submit", src], capture_output=True, text=True,
                           timeout=60, env=env)
        assert r.returncode == 3, (r.stdout, r.stderr)
        assert "uid %d" % NOBODY in r.stderr, r.stderr
        assert "nothing was sent" in r.stderr, r.stderr
        out, _ = listener.communicate(timeout=30)
        assert out == "0", out
    finally:
        if listener.poll() is None:
            listener.kill()
            listener.wait()


# ---- databases only we can read -----------------------------------------

def test_databases_are_private_in_an_existing_state_folder(daemons,
                                                           tmpdir_short):
    state = os.path.join(tmpdir_short, "state")
    os.makedirs(state, 0o755)
    os.chmod(state, 0o755)
    d = daemons.new(state_dir=state)
    with d.connect() as c:
        job = c.call("job/submit", {"text": "x = 1\n", "name": "tiny"})["job"]
        c.job_events(job, timeout=120)
        files = [n for n in os.listdir(state)
                 if n.startswith(("jobs.db", "cache.db"))]
        assert {"jobs.db", "jobs.db-wal", "cache.db"} <= set(files), files
        for n in files:
            mode = stat.S_IMODE(os.stat(os.path.join(state, n)).st_mode)
            assert mode & 0o077 == 0, (n, oct(mode))


def test_old_world_readable_databases_are_tightened(daemons, tmpdir_short):
    state = os.path.join(tmpdir_short, "state")
    d = daemons.new(state_dir=state)
    d.stop()
    for n in os.listdir(state):
        if n.startswith(("jobs.db", "cache.db")):
            os.chmod(os.path.join(state, n), 0o644)
    d.start()
    for n in os.listdir(state):
        if n.startswith(("jobs.db", "cache.db")):
            mode = stat.S_IMODE(os.stat(os.path.join(state, n)).st_mode)
            assert mode & 0o077 == 0, (n, oct(mode))
