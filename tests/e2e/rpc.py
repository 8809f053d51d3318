"""A small raw-socket JSON-RPC 2.0 client for the end-to-end tests.

Messages are framed as in LSP: "Content-Length: N\\r\\n\\r\\n" + a JSON
body.  The client is deliberately low level: tests can send arbitrary
bytes (send_bytes), single requests or batches (send), and read whatever
comes back (recv), while call() is the convenient request/reply path that
keeps notifications received meanwhile in self.notifications.
"""

import json
import socket
import time

DEFAULT_TIMEOUT = 30.0


class RpcError(Exception):
    """An error reply: code, message and data of the "error" member."""

    def __init__(self, reply):
        err = reply.get("error") or {}
        self.reply = reply
        self.code = err.get("code")
        self.message = err.get("message", "")
        self.data = err.get("data")
        super().__init__("%s: %s" % (self.code, self.message))


class ConnectionClosed(Exception):
    """The daemon closed the connection."""


def frame(body):
    """Frames a body (bytes, str or a JSON-able object)."""
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body, separators=(",", ":"))
    if isinstance(body, str):
        body = body.encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def request(method, params=None, req_id=None):
    """A request object (a notification when req_id is None)."""
    msg = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        msg["params"] = params
    if req_id is not None:
        msg["id"] = req_id
    return msg


class Connection:
    """One connection to rustifyd's Unix socket."""

    def __init__(self, path, timeout=DEFAULT_TIMEOUT):
        self.path = path
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.buf = b""
        self.eof = False
        self.next_id = 1
        self.notifications = []

    # ---- context manager ------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    # ---- sending --------------------------------------------------------

    def send_bytes(self, data):
        self.sock.sendall(data)

    def send(self, msg):
        """Frames and sends a JSON value (object, batch array, ...)."""
        self.send_bytes(frame(msg))

    def request(self, method, params=None):
        """Sends a request; returns its id."""
        req_id = self.next_id
        self.next_id += 1
        self.send(request(method, params, req_id))
        return req_id

    def notify(self, method, params=None):
        self.send(request(method, params))

    # ---- receiving ------------------------------------------------------

    def _parse_one(self):
        """A complete message from self.buf, or None."""
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        length = None
        for line in self.buf[:end].split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length is None:
            raise ValueError("reply without Content-Length: %r"
                             % self.buf[:end])
        start = end + 4
        if len(self.buf) - start < length:
            return None
        body = self.buf[start:start + length]
        self.buf = self.buf[start + length:]
        return json.loads(body)

    def recv(self, timeout=None):
        """The next message; ConnectionClosed at EOF, TimeoutError when
        nothing complete arrives in time."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            msg = self._parse_one()
            if msg is not None:
                return msg
            if self.eof:
                raise ConnectionClosed("connection closed by the daemon")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from the daemon in time")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                data = b""
            if not data:
                self.eof = True
            self.buf += data

    def wait_reply(self, req_id, timeout=None):
        """The reply to req_id; notifications meanwhile are kept."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            msg = self.recv(max(0.01, deadline - time.monotonic()))
            if isinstance(msg, dict) and "method" in msg and "id" not in msg:
                self.notifications.append(msg)
                continue
            if isinstance(msg, dict) and msg.get("id") == req_id:
                return msg
            raise AssertionError("unexpected message while waiting for "
                                 "reply %r: %r" % (req_id, msg))

    def call(self, method, params=None, timeout=None):
        """Request and reply; the result, or RpcError."""
        reply = self.wait_reply(self.request(method, params), timeout)
        if "error" in reply:
            raise RpcError(reply)
        return reply["result"]

    def call_error(self, method, params=None, timeout=None):
        """Request that must fail; its RpcError."""
        reply = self.wait_reply(self.request(method, params), timeout)
        if "error" not in reply:
            raise AssertionError("%s %r succeeded: %r"
                                 % (method, params, reply))
        assert reply.get("jsonrpc") == "2.0", reply
        return RpcError(reply)

    def next_notification(self, timeout=None):
        """The next notification (kept ones first)."""
        if self.notifications:
            return self.notifications.pop(0)
        msg = self.recv(timeout)
        if not (isinstance(msg, dict) and "method" in msg
                and "id" not in msg):
            raise AssertionError("expected a notification, got %r" % msg)
        return msg

    def wait_notification(self, pred, timeout=None):
        """Reads notifications until pred(msg); returns (msg, seen)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        seen = []
        while True:
            msg = self.next_notification(
                max(0.01, deadline - time.monotonic()))
            seen.append(msg)
            if pred(msg):
                return msg, seen

    def job_events(self, job, timeout=None):
        """Every notification of job up to and including its job/done."""
        _, seen = self.wait_notification(
            lambda m: m["method"] == "job/done" and m["params"]["job"] == job,
            timeout)
        return [m for m in seen if m["params"].get("job") == job]

    def is_closed_by_peer(self, timeout=None):
        """True once the daemon closes the connection (no message may
        arrive first: a message raises AssertionError)."""
        try:
            msg = self.recv(timeout)
        except ConnectionClosed:
            return True
        raise AssertionError("expected the connection to be closed, got %r"
                             % (msg,))
