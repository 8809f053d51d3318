"""Every JSON-RPC error code the daemon sends, batches, and notifications
sent by the client (no "id": no reply, whatever happens).

-32700 parse error, -32600 invalid request, -32601 unknown method, -32602
invalid params, -32001 unknown job, -32002 busy, -32003 shutting down,
-32004 bad job state.
"""

import json
import os

import pytest

from conftest import (EXAMPLES, pid_alive, sleeper_source, wait_sleeper_pids,
                      wait_state, wait_until)
from rpc import ConnectionClosed, frame, request

EUCLIDEAN = os.path.join(EXAMPLES, "euclidean.py")


def sleeper(name, seconds=60, children=False):
    return {"text": sleeper_source(name, seconds, children), "name": name}


def assert_error(err, code, *words):
    assert err.code == code, err.reply
    for word in words:
        assert word.lower() in err.message.lower(), err.message
    assert isinstance(err.data, dict) and err.data["name"].startswith(
        "RUSTIFY_E"), err.reply


# ---- -32700 ---------------------------------------------------------------

@pytest.mark.parametrize("body", [
    b"{not json", b'{"jsonrpc": "2.0", "id": 1, "method": "ping"',
    b"", b"\xff\xfe", b'{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}',
])
def test_parse_error_keeps_connection_usable(conn, body):
    conn.send_bytes(frame(body))
    reply = conn.recv()
    assert reply["jsonrpc"] == "2.0"
    assert reply["id"] is None
    assert reply["error"]["code"] == -32700, reply
    assert "parse error" in reply["error"]["message"]
    assert conn.call("ping")["pong"] is True


# ---- -32600 ---------------------------------------------------------------

@pytest.mark.parametrize("msg, req_id, words", [
    ({"id": 1, "method": "ping"}, 1, ['"jsonrpc"']),
    ({"jsonrpc": "1.0", "id": 2, "method": "ping"}, 2, ['"2.0"']),
    ({"jsonrpc": "2.0", "id": 3, "method": 42}, 3, ['"method"', "string"]),
    ({"jsonrpc": "2.0", "id": 4}, 4, ['"method"']),
    ({"jsonrpc": "2.0", "id": 5, "method": "ping", "params": 7}, 5,
     ['"params"']),
    ({"jsonrpc": "2.0", "id": 1.5, "method": "ping"}, None, ['"id"']),
    ({"jsonrpc": "2.0", "id": [1], "method": "ping"}, None, ['"id"']),
    ("just a string", None, ["JSON object"]),
    (17, None, ["JSON object"]),
    ([], None, ["empty batch"]),
])
def test_invalid_request(conn, msg, req_id, words):
    conn.send_bytes(frame(json.dumps(msg)))
    reply = conn.recv()
    assert reply["id"] == req_id, reply
    assert reply["error"]["code"] == -32600, reply
    for word in words:
        assert word in reply["error"]["message"], reply
    # A well-framed invalid request does not cost the connection.
    assert conn.call("ping")["pong"] is True


def test_null_id_is_a_request(conn):
    conn.send({"jsonrpc": "2.0", "id": None, "method": "ping"})
    reply = conn.recv()
    assert reply["id"] is None and reply["result"]["pong"] is True


def test_string_id_echoed(conn):
    conn.send({"jsonrpc": "2.0", "id": "abc-1", "method": "ping"})
    assert conn.recv()["id"] == "abc-1"


# ---- -32601 ---------------------------------------------------------------

@pytest.mark.parametrize("method", ["no/such", "Ping", "job/", ""])
def test_unknown_method(conn, method):
    err = conn.call_error(method)
    assert_error(err, -32601, "unknown method")
    assert "'%s'" % method in err.message


# ---- -32602 ---------------------------------------------------------------

@pytest.mark.parametrize("params, words", [
    ({"file": EUCLIDEAN, "bogus_key": 1}, ["bogus_key"]),
    ({"file": EUCLIDEAN, "threshold": "10"}, ["threshold"]),
    ({"file": EUCLIDEAN, "threshold": 1000}, ["threshold"]),
    ({"file": EUCLIDEAN, "functions": "euclidean"}, ["functions"]),
    ({"file": EUCLIDEAN, "functions": [1]}, ["functions[0]"]),
    ({"file": "examples/euclidean.py"}, ["file", "absolute"]),
    ({"file": 5}, ["file", "string"]),
    ({"file": EUCLIDEAN, "text": "x = 1\n"}, ["exactly one source"]),
    ({"text": "x = 1\n", "git": {"url": "u", "path": "p"}},
     ["exactly one source"]),
    ({}, ["exactly one source"]),
    (None, ["source"]),
    ({"text": "x = 1\n", "name": "not-a-module"}, ["name"]),
    ({"file": EUCLIDEAN, "name": "m"}, ["name", "text"]),
    ({"git": {"url": "https://example.invalid/r.git"}}, ["git", "path"]),
    ({"git": {"url": "u", "path": "p", "branch": "x"}}, ["branch"]),
    ({"file": EUCLIDEAN, "iterations": 0}, ["iterations"]),
    ({"file": EUCLIDEAN, "all": "yes"}, ["all"]),
    ({"file": EUCLIDEAN, "entry": "nocolon"}, ["entry"]),
    ({"file": EUCLIDEAN, "output": "rel/dir"}, ["output", "absolute"]),
])
def test_submit_invalid_params(conn, params, words):
    err = conn.call_error("job/submit", params)
    assert_error(err, -32602, *words)


def test_submit_params_not_an_object(conn):
    err = conn.call_error("job/submit", [EUCLIDEAN])
    assert_error(err, -32602, "object")


@pytest.mark.parametrize("method, params, words", [
    ("ping", {"x": 1}, ["x"]),
    ("job/status", {}, ["job", "required"]),
    ("job/status", {"job": 1}, ["job", "string"]),
    ("job/list", {"state": "sleeping"}, ["state", "sleeping"]),
    ("job/list", {"limit": 0}, ["limit"]),
    ("job/subscribe", {"job": "1", "since_seq": -1}, ["since_seq"]),
    ("cache/gc", {"max_bytes": "1"}, ["max_bytes"]),
    ("source/index", {"file": "rel.py"}, ["file", "absolute"]),
])
def test_other_invalid_params(conn, method, params, words):
    assert_error(conn.call_error(method, params), -32602, *words)


def test_rejected_submit_creates_no_job(conn):
    before = conn.call("job/list")["jobs"]
    conn.call_error("job/submit", {"file": EUCLIDEAN, "bogus": True})
    assert conn.call("job/list")["jobs"] == before


# ---- -32001 ---------------------------------------------------------------

@pytest.mark.parametrize("method", [
    "job/status", "job/cancel", "job/retry", "job/result", "job/subscribe",
])
@pytest.mark.parametrize("job", ["999999", "abc", "-1"])
def test_unknown_job(conn, method, job):
    err = conn.call_error(method, {"job": job})
    assert_error(err, -32001, job)


# ---- batches and client notifications -----------------------------------

def test_batch_mixed(conn):
    conn.send([
        request("ping", req_id=1),
        request("ping"),                      # a notification: no entry
        {"foo": 1},                           # invalid: entry with id null
        request("no/such", req_id=4),
        request("job/status", {"job": "424242"}, req_id=5),
        request("no/such"),                   # failing notification
        5,
        request("ping", {"bad": 1}, req_id=8),
    ])
    replies = conn.recv()
    assert isinstance(replies, list), replies
    by_id = {}
    nulls = []
    for r in replies:
        assert r["jsonrpc"] == "2.0"
        if r["id"] is None:
            nulls.append(r)
        else:
            by_id[r["id"]] = r
    assert sorted(by_id) == [1, 4, 5, 8]
    assert by_id[1]["result"]["pong"] is True
    assert by_id[4]["error"]["code"] == -32601
    assert by_id[5]["error"]["code"] == -32001
    assert by_id[8]["error"]["code"] == -32602
    assert [r["error"]["code"] for r in nulls] == [-32600, -32600]
    assert len(replies) == 6
    assert conn.call("ping")["pong"] is True


def test_batch_of_notifications_gets_no_reply(conn):
    conn.send([request("ping"), request("no/such"),
               request("job/status", {"job": "1"})])
    conn.send(request("ping", req_id=77))
    reply = conn.recv()
    assert reply["id"] == 77 and reply["result"]["pong"] is True


def test_batch_of_one(conn):
    conn.send([request("ping", req_id=3)])
    replies = conn.recv()
    assert isinstance(replies, list) and len(replies) == 1
    assert replies[0]["id"] == 3


@pytest.mark.parametrize("msg", [
    request("ping"),
    request("no/such/method"),
    request("job/status", {"job": "999"}),
    request("job/submit", {"bogus": 1}),
    request("ping", {"x": 1}),
])
def test_client_notification_gets_no_reply(conn, msg):
    conn.send(msg)
    conn.send(request("ping", req_id=99))
    reply = conn.recv()
    assert reply["id"] == 99, reply
    assert reply["result"]["pong"] is True


# ---- -32002 ---------------------------------------------------------------

def test_queue_full(daemons):
    d = daemons.new(["--jobs", "1", "--max-queue", "1"])
    with d.connect() as c:
        running = c.call("job/submit", sleeper("busy_run"))["job"]
        wait_sleeper_pids(c, running)
        queued = c.call("job/submit", sleeper("busy_queued"))["job"]
        assert c.call("job/status", {"job": queued})["state"] == "queued"
        err = c.call_error("job/submit", sleeper("busy_third"))
        assert_error(err, -32002, "busy", "--max-queue")
        # job/retry is a submit too.
        done = c.call("job/cancel", {"job": running})
        assert done["state"] == "cancelled"
        wait_state(c, queued, "running")
        third = c.call("job/submit", sleeper("busy_third"))["job"]
        err = c.call_error("job/retry", {"job": running})
        assert_error(err, -32002, "--max-queue")
        # The refused submits created no job.
        ids = sorted(int(j["id"]) for j in c.call("job/list")["jobs"])
        assert ids == sorted(int(x) for x in (running, queued, third))
        for job in (third, queued):
            c.call("job/cancel", {"job": job})


def test_too_many_connections(daemons):
    d = daemons.new(["--max-connections", "2"])
    c1 = d.connect()
    c2 = d.connect()
    try:
        assert c1.call("ping")["pong"] and c2.call("ping")["pong"]
        with d.connect() as c3:
            reply = c3.recv()
            assert reply["id"] is None
            assert reply["error"]["code"] == -32002, reply
            assert "--max-connections" in reply["error"]["message"]
            assert c3.is_closed_by_peer()
        # The refused one does not count; the others are still served.
        assert c1.call("ping")["pong"] and c2.call("ping")["pong"]
        c1.close()

        def fourth_accepted():
            c4 = d.connect()
            try:
                return c4.call("ping")["pong"]
            except (ConnectionClosed, AssertionError):
                return False
            finally:
                c4.close()
        wait_until(fourth_accepted, 30, "a slot after a close")
        assert c2.call("ping")["pong"]
    finally:
        c1.close()
        c2.close()


# ---- -32003 ---------------------------------------------------------------

def test_shutting_down_refuses_requests_during_grace(daemons):
    d = daemons.new(["--grace", "5"])
    a = d.connect()
    b = d.connect()
    try:
        job = a.call("job/submit", sleeper("grace_sleeper", 120, True))["job"]
        pids, _ = wait_sleeper_pids(a, job, children=True)
        assert b.call("ping")["pong"]
        assert a.call("shutdown") == {"ok": True}
        err = b.call_error("job/submit", {"file": EUCLIDEAN})
        assert_error(err, -32003, "shutting down", "job/submit")
        assert_error(b.call_error("job/status", {"job": job}), -32003)
        assert_error(b.call_error("job/list"), -32003)
        # ping and initialize still answer while the job runs out.
        assert b.call("ping")["pong"]
        assert b.call("initialize")["protocol_version"] == 1
        with pytest.raises(OSError):
            d.connect().close()
        # The grace period ends: the job is interrupted, the daemon exits.
        events = a.job_events(job, timeout=60)
        assert events[-1]["params"]["state"] == "interrupted"
        assert d.wait_exit() == 0, d.log()
        for pid in pids.values():
            wait_until(lambda: not pid_alive(pid), 10, "pid %d gone" % pid)
        assert not os.path.exists(d.socket)
    finally:
        a.close()
        b.close()


# ---- -32004 ---------------------------------------------------------------

def test_bad_job_state(daemons):
    d = daemons.new(["--jobs", "1"])
    with d.connect() as c:
        done = c.call("job/submit", {"file": EUCLIDEAN})["job"]
        assert c.job_events(done, 120)[-1]["params"]["state"] == "done"
        assert_error(c.call_error("job/cancel", {"job": done}), -32004,
                     "done")

        running = c.call("job/submit", sleeper("state_sleeper"))["job"]
        wait_sleeper_pids(c, running)
        queued = c.call("job/submit", sleeper("state_queued"))["job"]
        for job, state in ((running, "running"), (queued, "queued")):
            assert_error(c.call_error("job/result", {"job": job}), -32004,
                         state)
            assert_error(c.call_error("job/retry", {"job": job}), -32004,
                         state)
        c.call("job/cancel", {"job": queued})
        assert_error(c.call_error("job/cancel", {"job": queued}), -32004,
                     "cancelled")
        c.call("job/cancel", {"job": running})
        assert_error(c.call_error("job/cancel", {"job": running}), -32004,
                     "cancelled")
        # The queued job was cancelled before it ever ran.
        assert c.call("job/status", {"job": queued})["started_at"] is None
