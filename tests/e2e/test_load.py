"""Many clients at once, and clients that do not read.

A connection that lets more than --max-outbuf bytes of replies pile up is
dropped (so it cannot grow the daemon's memory) while the others are
served.
"""

import socket
import threading

from conftest import wait_until
from rpc import ConnectionClosed, frame, request

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
