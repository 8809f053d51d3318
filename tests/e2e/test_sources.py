"""Bad sources and misbehaving workloads: the job fails (or notes the
problem) with a message that says what is wrong, and the daemon carries
on.
"""

import os

from conftest import (pid_alive, pids_with_cmdline, sleeper_source,
                      wait_sleeper_pids, wait_until)

MAX_LOG_LINES = 100


def run_job(conn, params, timeout=120):
    """Submits and waits: (job id, events, result)."""
    job = conn.call("job/submit", params)["job"]
    events = conn.job_events(job, timeout)
    return job, events, conn.call("job/result", {"job": job})


def stage(result, name):
    found = [s for s in result["stages"] if s["name"] == name]
    assert len(found) == 1, result["stages"]
    return found[0]


def assert_source_failed(conn, path, *words):
    job, events, res = run_job(conn, {"file": path})
    done = events[-1]["params"]
    assert done["state"] == "failed", done
    for word in words:
        assert word in done["error"], done
    assert res["state"] == "failed" and res["error"] == done["error"]
    src = stage(res, "source")
    assert src["status"] == "failed" and src["message"] == done["error"]
    # Nothing ran after the source stage.
    assert [s["name"] for s in res["stages"]] == ["source"]
    assert conn.call("job/status", {"job": job})["state"] == "failed"
    # source/index refuses the same file with the same words.
    err = conn.call_error("source/index", {"file": path})
    assert err.code == -32005, err.reply
    for word in words:
        assert word in err.message
    assert conn.call("ping")["pong"]


def test_missing_file(conn, tmpdir_short):
    path = os.path.join(tmpdir_short, "missing.py")
    assert_source_failed(conn, path, path, "No such file")


def test_directory(conn, tmpdir_short):
    path = os.path.join(tmpdir_short, "pkg.py")
    os.mkdir(path)
    assert_source_failed(conn, path, path, "not a regular file")


def test_binary_file(conn, tmpdir_short):
    path = os.path.join(tmpdir_short, "blob.py")
    with open(path, "wb") as f:
        f.write(b"x = 1\ny = 2\n\x00\x01\x02binary")
    assert_source_failed(conn, path, path, "binary",
                         "NUL byte at offset 12")


def test_invalid_utf8_names_the_offset(conn, tmpdir_short):
    path = os.path.join(tmpdir_short, "latin.py")
    with open(path, "wb") as f:
        f.write(b"# caf\xc3\xa9 is fine\nname = 'caf\xe9'\n")
    offset = len(b"# caf\xc3\xa9 is fine\nname = 'caf")
    assert_source_failed(conn, path, path, "invalid utf-8",
                         "byte offset %d" % offset)


def test_empty_file(conn, tmpdir_short):
    path = os.path.join(tmpdir_short, "empty.py")
    open(path, "w").close()
    _, events, res = run_job(conn, {"file": path})
    done = events[-1]["params"]
    # Nothing to profile, nothing to select: a failure that says why.
    assert done["state"] == "failed", done
    assert "nothing to accelerate" in done["error"]
    assert stage(res, "source")["status"] == "done"
    assert "0 bytes" in stage(res, "source")["message"]
    assert stage(res, "index")["message"] == "0 functions"
    assert stage(res, "profile")["status"] == "skipped"
    assert "no workload" in stage(res, "profile")["message"]
    assert stage(res, "select")["status"] == "failed"
    assert res["functions"] == []


def test_text_with_nul_is_a_parse_error(conn):
    # JSON cannot smuggle a NUL into text: "\u0000" is a parse error.
    conn.send_bytes(b'Content-Length: 90\r\n\r\n' + (
        b'{"jsonrpc":"2.0","id":1,"method":"job/submit",'
        b'"params":{"text":"x\\u0000","name":"m"}}').ljust(90))
    reply = conn.recv()
    assert reply["error"]["code"] == -32700, reply
    assert conn.call("ping")["pong"]


def test_script_that_raises(conn, tmpdir_short):
    path = os.path.join(tmpdir_short, "raiser.py")
    with open(path, "w") as f:
        f.write("def f(x):\n    return x + 1\n\n\n"
                'if __name__ == "__main__":\n'
                "    f(1)\n"
                "    raise ValueError('boom marker 42')\n")
    _, events, res = run_job(conn, {"file": path})
    assert events[-1]["params"]["state"] == "done", events[-1]
    prof = stage(res, "profile")
    assert prof["status"] == "done"
    assert "raised ValueError: boom marker 42" in prof["message"]
    assert [s["status"] for s in res["stages"][:4]] == ["done"] * 4
    assert [f["name"] for f in res["functions"]] == ["f"]
    assert res["functions"][0]["calls"] >= 1


def test_script_that_never_ends_times_out(daemons):
    d = daemons.new(["--profile-timeout", "2"])
    marker = "forever_%d" % os.getpid()
    with d.connect() as c:
        job = c.call("job/submit", {
            "text": sleeper_source(marker, 3600, children=True),
            "name": marker})["job"]
        pids, seen = wait_sleeper_pids(c, job, children=True)
        events = seen + c.job_events(job, timeout=60)
        done = events[-1]["params"]
        assert done["state"] == "failed", done
        assert "longer than 2 s" in done["error"]
        assert "killed" in done["error"]
        res = c.call("job/result", {"job": job})
        assert stage(res, "profile")["status"] == "failed"
        for pid in (pids["PID"], pids["CHILD"]):
            wait_until(lambda: not pid_alive(pid), 10, "pid %d gone" % pid)
        assert not pids_with_cmdline(marker)
        assert c.call("ping")["pong"]
    # the supervisor of the workload is the recorded child
    d.wait_log(r"child \d+: timed out")


def test_megabytes_of_output_are_bounded(daemons, tmpdir_short):
    d = daemons.new(["--max-log-lines", str(MAX_LOG_LINES)])
    printed = os.path.join(tmpdir_short, "printed")
    gate = os.path.join(tmpdir_short, "gate")
    lines = 60000   # 61 bytes each: 3.6 MB per run, the harness runs twice
    src = (
        "import os\nimport sys\nimport time\n\n\n"
        "def f(x):\n    return x + 1\n\n\n"
        'if __name__ == "__main__":\n'
        "    f(1)\n"
        "    print('L' * 10000, flush=True)\n"
        "    chunk = ('y' * 60 + '\\n') * 1000\n"
        "    for _ in range(%d):\n"
        "        sys.stdout.write(chunk)\n"
        "    sys.stdout.flush()\n"
        "    open(%r, 'w').close()\n"
        "    while not os.path.exists(%r):\n"
        "        time.sleep(0.02)\n" % (lines // 1000, printed, gate))
    with d.connect() as c, d.connect() as other:
        job = c.call("job/submit", {"text": src, "name": "loud"})["job"]
        wait_until(lambda: os.path.exists(printed), 120, "the output")
        # The daemon answers others while it swallows the output.
        for _ in range(20):
            assert other.call("ping")["pong"]
        assert other.call("job/status", {"job": job})["state"] == "running"
        open(gate, "w").close()
        events = c.job_events(job, timeout=120)
    assert events[-1]["params"]["state"] == "done", events[-1]
    logs = [e["params"] for e in events if e["method"] == "job/log"]
    kept = [p for p in logs if p["stream"] in ("stdout", "stderr")]
    assert len(kept) == MAX_LOG_LINES
    # An over-long line is cut, not kept whole.
    assert kept[0]["line"].endswith("[line cut]")
    assert len(kept[0]["line"]) < 5000
    notes = [p["line"] for p in logs if p["stream"] == "daemon"]
    total = 2 * (lines + 1)
    assert notes == ["%d more output lines were not kept (limit %d lines "
                     "per job)" % (total - MAX_LOG_LINES, MAX_LOG_LINES)]
    # The stored events are bounded too: a late subscriber replays them.
    with d.connect() as c:
        sub = c.call("job/subscribe", {"job": job})
        assert sub["last_seq"] == events[-1]["params"]["seq"]
        assert sub["last_seq"] < MAX_LOG_LINES + 50
        replay = [c.next_notification() for _ in range(sub["last_seq"])]
        assert replay == events
        assert c.call("ping")["pong"]


def test_syntax_error_is_reported(conn):
    _, _, res = run_job(conn, {"text": "def f(:\n    pass\n",
                                "name": "broken"})
    index = stage(res, "index")
    assert index["status"] == "done"
    assert "syntax error" in index["message"], index
    assert "the first at broken:1:" in index["message"], index
