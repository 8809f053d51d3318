"""Many clients at once, and clients that do not read.

A connection that lets more than --max-outbuf bytes of replies pile up is
dropped (so it cannot grow the daemon's memory) while the others are
served.
"""

import json
import os
import socket
import subprocess
import threading

from conftest import BUILD, ROOT, wait_until
from rpc import ConnectionClosed, frame, request

CTL = os.path.join(ROOT, BUILD, "rustifyctl")

CLIENTS = 100
PINGS = 100


def test_hundred_clients_hundred_pings_each(daemon):
    barrier = threading.Barrier(CLIENTS, timeout=60)
    answered = [0] * CLIENTS
    failures = []

    def client(n):
        try:
            with daemon.connect(timeout=60) as c:
                barrier.wait()   # every connection is open at once
                for i in range(PINGS):
                    req_id = c.request("ping")
                    reply = c.wait_reply(req_id)
                    assert reply["result"]["pong"] is True, reply
                    answered[n] += 1
                    assert i + 1 == req_id
        except Exception as e:  # reported below, with the client number
            failures.append((n, repr(e)))
            barrier.abort()

    threads = [threading.Thread(target=client, args=(n,), daemon=True)
               for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    assert not any(t.is_alive() for t in threads), "clients still waiting"
    assert failures == []
    assert answered == [PINGS] * CLIENTS
    with daemon.connect() as c:
        assert c.call("ping")["pong"]


def test_pipelined_pings_from_many_clients(daemon):
    conns = [daemon.connect() for _ in range(CLIENTS)]
    try:
        batch = b"".join(frame(request("ping", req_id=i))
                         for i in range(1, PINGS + 1))
        for c in conns:
            c.send_bytes(batch)
        for c in conns:
            ids = [c.recv()["id"] for _ in range(PINGS)]
            assert ids == list(range(1, PINGS + 1))
    finally:
        for c in conns:
            c.close()


def flood(conn, stop, sent):
    """Sends pings and never reads, until the daemon hangs up."""
    chunk = b"".join(frame(request("ping", req_id=i)) for i in range(500))
    try:
        while not stop.is_set() and sent[0] < 400000:
            conn.send_bytes(chunk)
            sent[0] += 500
    except OSError:
        pass


def test_client_that_stops_reading_is_dropped(daemons):
    d = daemons.new(["--max-outbuf", "65536"])
    slow = d.connect()
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stop = threading.Event()
    sent = [0]
    flooder = threading.Thread(target=flood, args=(slow, stop, sent),
                               daemon=True)
    try:
        with d.connect() as other:
            flooder.start()
            pings = 0

            def dropped():
                nonlocal pings
                assert other.call("ping")["pong"] is True
                pings += 1
                return "dropped" in d.log()
            wait_until(dropped, 120, "the reader to be dropped")
            assert pings >= 1
            for _ in range(50):
                assert other.call("ping")["pong"] is True
        flooder.join(60)
        assert not flooder.is_alive()
        d.wait_log(r"conn \d+: dropped: \d+ bytes queued and not read "
                   r"\(limit 65536, --max-outbuf\)")
        # The dropped client finds the end of its stream after what was
        # already in flight: far fewer replies than it asked for.
        got = 0
        try:
            while True:
                slow.recv(timeout=30)
                got += 1
        except ConnectionClosed:
            pass
        assert got < sent[0]
        with d.connect() as c:
            assert c.call("ping")["pong"]
    finally:
        stop.set()
        slow.close()


def test_reading_subscriber_not_dropped_on_long_replay(daemons):
    """A client that reads everything must not be dropped when it asks
    for a replay: --max-outbuf is about unread bytes, not about the size
    of one job's stored log.

    Default limits: 5000 stored log lines per job, 8 MiB of outgoing
    buffer. A finished job whose 5000 kept lines are 2 KB each replays
    about 10 MB.
    """
    d = daemons.new()
    src = ("def f(x):\n    return x\n\n\n"
           'if __name__ == "__main__":\n'
           "    f(1)\n"
           "    for i in range(5000):\n"
           "        print(i, 'w' * 2000)\n")
    with d.connect() as c:
        job = c.call("job/submit", {"text": src, "name": "chatty"})["job"]
        events = c.job_events(job, timeout=120)
    assert events[-1]["params"]["state"] == "done"
    with d.connect() as c:
        sub = c.call("job/subscribe", {"job": job, "since_seq": 0})
        assert sub["last_seq"] == len(events)
        got = []
        try:
            while len(got) < sub["last_seq"]:
                got.append(c.next_notification(timeout=60))
        except ConnectionClosed:
            pass
        assert "dropped" not in d.log(), d.log()
        assert len(got) == len(events)
        assert got == events


# ---- big inputs: the loop thread stays free ----------------------------

def big_source(path, mbytes=8):
    """A Python file of about mbytes MB: many small functions."""
    lines, size, n = [], 0, 0
    while size < mbytes * 1000 * 1000:
        fn = ('def f_%d(a, b=1, *c, d: int = 2, **e):\n'
              '    """Adds."""\n'
              '    return a + b + d\n\n\n' % n)
        lines.append(fn)
        size += len(fn)
        n += 1
    with open(path, "w") as f:
        f.write("".join(lines))
    return n


def bytes_waiting(conn):
    """How many bytes conn has received (read without blocking)."""
    conn.sock.setblocking(False)
    try:
        while True:
            data = conn.sock.recv(1 << 20)
            if not data:
                break
            conn.buf += data
    except BlockingIOError:
        pass
    finally:
        conn.sock.setblocking(True)
        conn.sock.settimeout(conn.timeout)
    return len(conn.buf)


def test_big_index_is_built_off_the_loop_and_paged(daemons, tmpdir_short):
    d = daemons.new()
    path = os.path.join(tmpdir_short, "big.py")
    n = big_source(path)
    with d.connect(timeout=300) as a, d.connect() as b:
        req = a.request("source/index", {"file": path})
        # another client is served while the index is being built
        for _ in range(3):
            assert b.call("ping")["pong"] is True
        # (built on the loop, its reply would be on its way already)
        assert bytes_waiting(a) == 0, "the index was built on the loop"
        reply = a.wait_reply(req, timeout=300)
        # 8 MB of source is more JSON than one message holds: refused,
        # with a message that says how to page it
        assert reply["error"]["code"] == -32002, reply
        assert "params.offset" in reply["error"]["message"], reply
        page = a.call("source/index", {"file": path, "offset": 10,
                                       "limit": 1000}, timeout=300)
        assert len(page["functions"]) == 1000
        assert page["functions"][0]["name"] == "f_10"
        assert page["functions_total"] == n and page["next_offset"] == 1010
        last = a.call("source/index", {"file": path, "offset": n - 5,
                                       "limit": 1000}, timeout=300)
        assert len(last["functions"]) == 5 and "next_offset" not in last
    # rustifyctl pages through it
    env = dict(os.environ)
    env.pop("RUSTIFY_SOCKET", None)
    r = subprocess.run([CTL, "--socket", d.socket, "--no-autostart", "index",
                        path, "--json"], capture_output=True, text=True,
                       env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc["functions"]) == n == doc["functions_total"]
