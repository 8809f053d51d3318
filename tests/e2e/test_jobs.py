"""A job's life: submit, notifications, result, status, list, retry,
cancel (with its process group), and jobs that outlive their connection
(job/subscribe replays stored events by sequence number).
"""

import os
import subprocess
import sys

import pytest

from conftest import (EXAMPLES, pid_alive, pids_with_cmdline, sleeper_source,
                      wait_sleeper_pids, wait_state, wait_until)
from rpc import request

EUCLIDEAN = os.path.join(EXAMPLES, "euclidean.py")
STAGES = ["source", "index", "profile", "select", "translate", "crate",
          "build", "verify", "measure", "deliver"]
IMPLEMENTED = STAGES


def assert_seqs_contiguous(events, start=1):
    seqs = [e["params"]["seq"] for e in events]
    assert seqs == list(range(start, start + len(seqs))), seqs


def gated_source(gate, started, name):
    """Prints a line, says so in a file, waits for the gate file, prints
    again. The harness runs the workload twice (timing, then types): the
    second run finds the gate open."""
    return (
        "import os\nimport time\n\n\n"
        "def work(n):\n    return n * 2\n\n\n"
        'if __name__ == "__main__":\n'
        "    print('before gate %s', work(1), flush=True)\n"
        "    open(%r, 'w').close()\n"
        "    while not os.path.exists(%r):\n"
        "        time.sleep(0.02)\n"
        "    print('after gate', work(2), flush=True)\n"
        % (name, started, gate))


@pytest.fixture(scope="module")
def euclidean_job(daemon):
    """examples/euclidean.py run once: (job id, its notifications)."""
    with daemon.connect() as c:
        job = c.call("job/submit", {"file": EUCLIDEAN})["job"]
        return job, c.job_events(job, timeout=600)


def test_submit_reply(euclidean_job, conn):
    # (euclidean_job first: its run is the uncached one, with output.)
    reply = conn.call("job/submit", {"file": EUCLIDEAN})
    assert set(reply) == {"job"} and isinstance(reply["job"], str)
    conn.job_events(reply["job"], timeout=120)


def test_notifications(euclidean_job):
    job, events = euclidean_job
    assert events, "no notifications"
    for e in events:
        assert e["jsonrpc"] == "2.0" and "id" not in e
        assert e["method"] in ("job/progress", "job/log", "job/done")
        assert e["params"]["job"] == job
    assert_seqs_contiguous(events)
    assert events[-1]["method"] == "job/done"
    assert events[-1]["params"]["state"] == "done"
    assert [e for e in events if e["method"] == "job/done"] == events[-1:]
    progress = [e["params"] for e in events if e["method"] == "job/progress"]
    assert all(0 <= p["percent"] <= 100 for p in progress)
    stages_seen = []
    for p in progress:
        if p["stage"] not in stages_seen:
            stages_seen.append(p["stage"])
    assert stages_seen == STAGES
    logs = [e["params"] for e in events if e["method"] == "job/log"]
    assert any(p["stream"] == "stdout" and p["line"].startswith("distance: ")
               for p in logs), logs


def test_result(conn, euclidean_job):
    job, events = euclidean_job
    res = conn.call("job/result", {"job": job})
    assert res["job"] == job and res["state"] == "done"
    assert res["error"] is None
    assert [s["name"] for s in res["stages"]] == STAGES
    for s in res["stages"]:
        if s["name"] in IMPLEMENTED:
            assert s["status"] == "done", s
        else:
            assert s["status"] == "skipped", s
            assert s["message"] == "not implemented yet"
        assert s["seconds"] >= 0
    assert set(res["timings"]) == set(STAGES)
    fns = {f["name"]: f for f in res["functions"]}
    assert set(fns) == {"euclidean"}
    f = fns["euclidean"]
    assert f["selected"] is True
    assert 0 < f["time_share"] <= 1
    assert f["calls"] == 6
    assert f["signature"] == "(list[float], list[float]) -> float"
    assert res["source"]["path"] == EUCLIDEAN
    assert res["source"]["bytes"] == os.path.getsize(EUCLIDEAN)
    # Translated, verified on real inputs, delivered.
    assert f["translated"] is True and f["reason"] is None
    assert f["verified"] is True and f["checked_inputs"] > 0
    assert f["speedup"] > 0
    assert res["fallbacks"] == 0 and res["module"] == "euclidean_rs"
    assert os.path.isdir(os.path.join(res["output"], "euclidean_rs"))
    assert os.path.isfile(res["wheel"])


def test_delivered_module_matches_python(conn, euclidean_job):
    job, _ = euclidean_job
    res = conn.call("job/result", {"job": job})
    code = (
        "import random, struct, sys\n"
        "sys.path.insert(0, %r)\n"
        "import euclidean, euclidean_rs\n"
        "rnd = random.Random(7)\n"
        "for n in (0, 1, 5, 1000):\n"
        "    a = [rnd.uniform(-1e6, 1e6) for _ in range(n)]\n"
        "    b = [rnd.uniform(-1e6, 1e6) for _ in range(n)]\n"
        "    x, y = euclidean.euclidean(a, b), euclidean_rs.euclidean(a, b)\n"
        "    assert type(x) is type(y)\n"
        "    assert struct.pack('<d', x) == struct.pack('<d', y), (x, y)\n"
        "print(type(euclidean_rs.euclidean).__name__)\n"
        % os.path.dirname(EUCLIDEAN))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True,
                       text=True, env=dict(os.environ,
                                           PYTHONPATH=res["output"]))
    assert r.returncode == 0, r.stderr
    # The extension's function, not the Python fallback.
    assert r.stdout.strip() == "native_function"


def test_second_submit_is_a_cache_hit(conn, euclidean_job):
    euclidean_job  # the first, uncached run delivered
    job = conn.call("job/submit", {"file": EUCLIDEAN})["job"]
    conn.job_events(job, timeout=120)
    res = conn.call("job/result", {"job": job})
    assert res["state"] == "done" and res["cache_hit"] is True
    names = [s["name"] for s in res["stages"]]
    assert "build" not in names and "verify" not in names
    assert res["functions"][0]["verified"] is True


def test_status_and_list(conn, euclidean_job):
    job, events = euclidean_job
    st = conn.call("job/status", {"job": job})
    assert st["id"] == job and st["state"] == "done"
    assert st["request"] == {"file": EUCLIDEAN}
    assert st["last_seq"] == events[-1]["params"]["seq"]
    assert st["retry_of"] is None
    assert st["created_at"] <= st["started_at"] <= st["finished_at"]
    listed = conn.call("job/list")["jobs"]
    assert job in [j["id"] for j in listed]
    done = conn.call("job/list", {"state": "done"})["jobs"]
    assert job in [j["id"] for j in done]
    assert all(j["state"] == "done" for j in done)
    assert job not in [j["id"] for j in
                       conn.call("job/list", {"state": "failed"})["jobs"]]
    assert len(conn.call("job/list", {"limit": 1})["jobs"]) == 1


def test_retry_finished_job(conn, euclidean_job):
    job, _ = euclidean_job
    reply = conn.call("job/retry", {"job": job})
    new = reply["job"]
    assert new != job and reply["retry_of"] == job
    events = conn.job_events(new, timeout=120)
    assert_seqs_contiguous(events)
    assert events[-1]["params"]["state"] == "done"
    st = conn.call("job/status", {"job": new})
    assert st["retry_of"] == job
    assert st["request"] == {"file": EUCLIDEAN}
    res = conn.call("job/result", {"job": new})
    assert [f["name"] for f in res["functions"] if f["selected"]] == [
        "euclidean"]
    # Same bytes, same interpreter: the profile comes from the cache.
    profile = [s for s in res["stages"] if s["name"] == "profile"][0]
    assert profile["status"] == "done" and "(cached)" in profile["message"]


def test_cancel_running_job_kills_its_process_group(conn):
    marker = "cancel_me_%d" % os.getpid()
    job = conn.call("job/submit", {"text": sleeper_source(marker, 300, True),
                                   "name": marker})["job"]
    pids, _ = wait_sleeper_pids(conn, job, children=True)
    assert pids["PID"] == pids["PGID"], "workload not in its own group"
    assert pids_with_cmdline(marker), "pgrep -f found no workload"
    for pid in pids.values():
        assert pid_alive(pid)
    reply = conn.call("job/cancel", {"job": job})
    assert reply["state"] == "cancelled"
    done = conn.wait_notification(
        lambda m: m["method"] == "job/done")[0]["params"]
    assert done["job"] == job and done["state"] == "cancelled"
    for pid in (pids["PID"], pids["CHILD"]):
        wait_until(lambda: not pid_alive(pid), 10, "pid %d to die" % pid)
    # nothing else of the job's either (the supervisor above the
    # workload exits once it has reaped it: a moment later, longer under
    # AddressSanitizer's exit-time leak check)
    wait_until(lambda: subprocess.run(["pgrep", "-f", marker],
                                      capture_output=True).returncode == 1,
               10, "no process of the job left")
    st = conn.call("job/status", {"job": job})
    assert st["state"] == "cancelled" and st["error"]
    res = conn.call("job/result", {"job": job})
    assert res["state"] == "cancelled"
    assert [s["status"] for s in res["stages"]][-1] == "cancelled"
    # Nothing more comes for the job.
    conn.send(request("ping", req_id=1000))
    assert conn.recv()["id"] == 1000


def test_job_outlives_its_connection(daemon, tmpdir_short):
    gate = os.path.join(tmpdir_short, "gate")
    started = os.path.join(tmpdir_short, "started")
    with daemon.connect() as c:
        job = c.call("job/submit", {
            "text": gated_source(gate, started, "outlive"),
            "name": "outlive"})["job"]
    # Gone before the job even started; it runs on.
    wait_until(lambda: os.path.exists(started), 60, "the workload to start")
    with daemon.connect() as c:
        st = c.call("job/status", {"job": job})
        assert st["state"] == "running"
        sub = c.call("job/subscribe", {"job": job, "since_seq": 0})
        assert sub["job"] == job and sub["state"] == "running"
        replayed = [c.next_notification() for _ in range(sub["last_seq"])]
        assert_seqs_contiguous(replayed)
        # Stored before the workload was spawned, so certainly replayed.
        assert [e["params"]["stage"] for e in replayed[:6]] == [
            "source", "source", "index", "index", "profile", "profile"]
        assert "running the workload" in replayed[5]["params"]["message"]
        assert not any(e["method"] == "job/done" for e in replayed)
        open(gate, "w").close()
        live = c.job_events(job, timeout=120)
        events = replayed + live
        assert_seqs_contiguous(events)
        # The line printed before the gate is replayed or live (the
        # daemon may not have read it yet); the one after is live.
        assert [e["params"]["line"] for e in events
                if e["method"] == "job/log"][0] == "before gate outlive 2"
        assert any("after gate" in e["params"].get("line", "")
                   for e in live), live
        assert events[-1]["params"]["state"] == "done"
        total = len(events)

    # A finished job: since_seq=N replays only seq > N, then nothing.
    with daemon.connect() as c:
        n = total - 5
        sub = c.call("job/subscribe", {"job": job, "since_seq": n})
        assert sub["state"] == "done" and sub["last_seq"] == total
        tail = [c.next_notification() for _ in range(5)]
        assert [e["params"]["seq"] for e in tail] == list(
            range(n + 1, total + 1))
        assert tail == events[n:]
        assert c.call("ping")["pong"]
        assert c.notifications == []
        # since_seq at (or past) the end replays nothing.
        sub = c.call("job/subscribe", {"job": job, "since_seq": total})
        assert sub["last_seq"] == total
        assert c.call("ping")["pong"]
        assert c.notifications == []


def test_unsubscribe_stops_events(daemon, tmpdir_short):
    gate = os.path.join(tmpdir_short, "gate")
    started = os.path.join(tmpdir_short, "started")
    with daemon.connect() as a, daemon.connect() as b:
        job = a.call("job/submit", {
            "text": gated_source(gate, started, "unsub"),
            "name": "unsub"})["job"]
        wait_until(lambda: os.path.exists(started), 60, "the workload")
        assert a.call("job/unsubscribe", {"job": job}) == {"ok": True}
        a.notifications.clear()
        sub = b.call("job/subscribe", {"job": job})
        for _ in range(sub["last_seq"]):
            b.next_notification()
        open(gate, "w").close()
        b.job_events(job, timeout=120)
        # a heard nothing after its unsubscribe reply.
        a.send(request("ping", req_id=555))
        assert a.recv()["id"] == 555


def test_cancel_queued_job_never_runs(daemons):
    d = daemons.new(["--jobs", "1"])
    with d.connect() as c:
        first = c.call("job/submit", {"text": sleeper_source("q_first"),
                                      "name": "q_first"})["job"]
        wait_sleeper_pids(c, first)
        second = c.call("job/submit", {"text": sleeper_source("q_second"),
                                       "name": "q_second"})["job"]
        assert c.call("job/cancel", {"job": second})["state"] == "cancelled"
        c.call("job/cancel", {"job": first})
        third = c.call("job/submit", {"file": EUCLIDEAN})["job"]
        c.job_events(third, timeout=120)
        st = c.call("job/status", {"job": second})
        assert st["state"] == "cancelled" and st["started_at"] is None
        assert not pids_with_cmdline("q_second")
        wait_state(c, first, "cancelled")
