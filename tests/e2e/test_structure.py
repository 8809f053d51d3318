"""How the code is put together (issue 15): the daemon's modules call one
way (no cycle among them), and what daemon and client share is defined
once (the default socket, JSON-RPC codes, job states, submit options,
the pyo3 version).

The module graph comes from the built objects: module A depends on
module B when A's object uses a symbol B's object defines (nm).
"""

import collections
import glob
import os
import re
import shutil
import subprocess

import pytest

from conftest import BUILD, ROOT, make_tmpdir

OBJ = os.path.join(ROOT, BUILD, "daemon")
OWN = ["daemon/*.c", "daemon/*.h", "client/*.c", "client/*.h", "proto/*.c",
       "include/rustify/*.h"]


def module_graph():
    defs, uses = {}, collections.defaultdict(set)
    for o in glob.glob(os.path.join(OBJ, "*.o")):
        m = os.path.basename(o)[:-2]
        out = subprocess.run(["nm", o], capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBRCGS":
                defs[parts[2]] = m
            elif len(parts) == 2 and parts[0] == "U":
                uses[m].add(parts[1])
    graph = collections.defaultdict(set)
    for m, syms in uses.items():
        for s in syms:
            if s in defs and defs[s] != m:
                graph[m].add(defs[s])
    return graph


def find_cycle(graph):
    """A cycle as a list of modules, or None."""
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


@pytest.mark.skipif(not shutil.which("nm"), reason="needs nm (binutils)")
def test_daemon_modules_form_no_cycle():
    graph = module_graph()
    assert graph, "no objects under %s" % OBJ
    cycle = find_cycle(graph)
    assert cycle is None, "modules call each other: " + " -> ".join(cycle)
    # the layering of DESIGN.md: rpc-* -> jobs -> stages -> store, fs, proc
    for low in ("conn", "jobs", "store", "fs", "proc", "stage"):
        for high in ("rpc", "server", "pipeline", "daemon", "main"):
            assert high not in graph[low], (low, high)


def sources():
    for pattern in OWN:
        for path in glob.glob(os.path.join(ROOT, pattern)):
            with open(path) as f:
                yield os.path.relpath(path, ROOT), f.read()


def places(regex):
    return sorted(p for p, text in sources() if re.search(regex, text))


def test_shared_definitions_are_made_once():
    # the default socket
    assert places(r"rustify-%u") == ["proto/paths.c"]
    # JSON-RPC codes: the numbers live in one list
    assert places(r"-320\d\d\b") == ["include/rustify/error.h"]
    # job states, and which of them are final
    assert places(r'"interrupted"') == ["include/rustify/job.h"]
    # the pyo3 release generated crates pin
    assert places(r'"0\.\d+\.\d+"') == ["include/rustify/proto.h"]
    # the submit options are listed once: no array of their keys
    listing = r'"threshold",[^;]*"iterations"'
    assert places(listing) == ["include/rustify/options.h"] or \
        places(listing) == [], places(listing)
    assert places(r'"--list-targets"') == ["include/rustify/options.h"]


def test_one_way_to_run_a_child():
    """Children of jobs start through job_spawn (the supervisor, the
    time limit, the children table), never through a shell."""
    daemon = [p for p in places(r"\b(popen|system)\(")
              if p.startswith("daemon/")]
    assert daemon == [], daemon
    spawners = places(r"\bproc_spawn\(")
    assert set(spawners) <= {"daemon/proc.c", "daemon/proc.h",
                             "daemon/jobs.c", "daemon/build.c"}, spawners


@pytest.mark.skipif(os.geteuid() != 0, reason="switching uid needs root")
def test_daemon_and_client_agree_on_the_default_socket():
    """A relative $XDG_RUNTIME_DIR is ignored by both (it once made the
    daemon listen where the client did not look). Run as a uid of its
    own, so /tmp/rustify-UID is nobody else's."""
    uid = 54000 + os.getpid() % 1000
    root = make_tmpdir()
    home = os.path.join(root, "home")
    os.makedirs(home)
    os.chown(root, uid, uid)
    os.chown(home, uid, uid)
    os.chmod(root, 0o755)
    runtime = "/tmp/rustify-%d" % uid
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": home, "XDG_RUNTIME_DIR": "relative/run",
           "RUSTIFY_HOME": os.path.join(home, "state")}
    daemon = os.path.join(ROOT, BUILD, "rustifyd")
    ctl = os.path.join(ROOT, BUILD, "rustifyctl")
    p = subprocess.Popen([daemon], cwd=home, env=env, user=uid, group=uid,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    try:
        sock = os.path.join(runtime, "rustifyd.sock")
        for _ in range(300):
            if os.path.exists(sock) or p.poll() is not None:
                break
            subprocess.run(["sleep", "0.1"])
        assert os.path.exists(sock), p.communicate(timeout=5)[0] \
            if p.poll() is not None else "no socket at %s" % sock
        r = subprocess.run([ctl, "--no-autostart", "ping"], cwd=home,
                           env=env, user=uid, group=uid,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert not os.path.exists(os.path.join(home, "relative"))
    finally:
        p.terminate()
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        shutil.rmtree(runtime, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)
