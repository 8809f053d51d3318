"""LSP framing on the wire: split and coalesced messages, header spelling,
the --max-message limit, malformed headers.

A framing error cannot be resynchronised: the daemon answers with a
-32600 error reply (id null), then closes the connection, and keeps
serving its other clients.
"""

import json
import time

import pytest

from rpc import frame, request

MAX_MESSAGE = 4096


@pytest.fixture(scope="module")
def daemon(shared_daemons):
    return shared_daemons.new(["--max-message", str(MAX_MESSAGE)])


def ping_body(req_id):
    return json.dumps(request("ping", req_id=req_id)).encode()


def assert_pong(reply, req_id):
    assert reply["jsonrpc"] == "2.0"
    assert reply["id"] == req_id
    assert reply["result"]["pong"] is True


def assert_framing_error(conn, *words):
    """The error reply to a framing problem, then the close."""
    reply = conn.recv()
    assert reply["id"] is None, reply
    assert reply["error"]["code"] == -32600, reply
    message = reply["error"]["message"]
    for word in words:
        assert word.lower() in message.lower(), message
    assert conn.is_closed_by_peer()
    return message


def assert_still_serving(daemon):
    with daemon.connect() as other:
        assert other.call("ping")["pong"] is True


def test_message_split_into_many_small_writes(conn):
    data = frame(ping_body(7))
    for i in range(len(data)):
        conn.send_bytes(data[i:i + 1])
        # Give the daemon a chance to read each byte on its own.
        time.sleep(0.001)
    assert_pong(conn.recv(), 7)


def test_header_and_body_split_at_every_boundary(conn):
    data = frame(ping_body(8))
    header_end = data.index(b"\r\n\r\n") + 4
    for cut in (1, header_end - 3, header_end - 1, header_end,
                header_end + 1, len(data) - 1):
        conn.send_bytes(data[:cut])
        time.sleep(0.01)
        conn.send_bytes(data[cut:])
        assert_pong(conn.recv(), 8)


def test_two_messages_in_one_write(conn):
    conn.send_bytes(frame(ping_body(1)) + frame(ping_body(2)))
    assert_pong(conn.recv(), 1)
    assert_pong(conn.recv(), 2)


def test_many_messages_in_one_write(conn):
    conn.send_bytes(b"".join(frame(ping_body(i)) for i in range(1, 201)))
    for i in range(1, 201):
        assert_pong(conn.recv(), i)


def test_lowercase_content_length(conn):
    body = ping_body(3)
    conn.send_bytes(b"content-length: %d\r\n\r\n" % len(body) + body)
    assert_pong(conn.recv(), 3)


def test_content_type_and_other_headers_ignored(conn):
    body = ping_body(4)
    conn.send_bytes(b"Content-Type: application/vscode-jsonrpc; "
                    b"charset=utf-8\r\nX-Whatever: 1\r\n"
                    b"CONTENT-LENGTH:%d\r\n\r\n" % len(body) + body)
    assert_pong(conn.recv(), 4)


def test_body_of_exactly_max_message_accepted(conn):
    body = ping_body(5)
    body += b" " * (MAX_MESSAGE - len(body))
    assert len(body) == MAX_MESSAGE
    conn.send_bytes(frame(body))
    assert_pong(conn.recv(), 5)


def test_oversized_content_length_refused_before_body(daemon, conn):
    # Only the header: the refusal must not wait for the body.
    conn.send_bytes(b"Content-Length: %d\r\n\r\n" % (MAX_MESSAGE + 1))
    message = assert_framing_error(conn, "too large", str(MAX_MESSAGE))
    assert str(MAX_MESSAGE + 1) in message
    assert_still_serving(daemon)


def test_huge_content_length_refused(daemon, conn):
    conn.send_bytes(b"Content-Length: 99999999999999999999999999\r\n\r\n")
    assert_framing_error(conn, "Content-Length")
    assert_still_serving(daemon)


@pytest.mark.parametrize("header, words", [
    (b"Content-Type: application/json\r\n\r\n{}", ["no Content-Length"]),
    (b"Content-Length: abc\r\n\r\n{}", ["Content-Length", "abc"]),
    (b"Content-Length: -5\r\n\r\n{}", ["Content-Length"]),
    (b"Content-Length: 12x\r\n\r\n{}", ["Content-Length"]),
    (b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", ["duplicate"]),
    (b"Content-Length: 2\n\n{}", ["\\r\\n"]),
    (b"garbage without a colon\r\n\r\n{}", ["Name: value"]),
])
def test_bad_header_error_then_close(daemon, header, words):
    with daemon.connect() as c:
        c.send_bytes(header)
        assert_framing_error(c, *words)
    assert_still_serving(daemon)


def test_header_without_end_is_bounded(daemon):
    with daemon.connect() as c:
        try:
            c.send_bytes(b"X-Long: " + b"a" * 20000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert_framing_error(c, "blank line")
    assert_still_serving(daemon)


def test_framing_error_does_not_disturb_other_open_connection(daemon):
    with daemon.connect() as good, daemon.connect() as bad:
        assert good.call("ping")["pong"] is True
        bad.send_bytes(b"Content-Length: nope\r\n\r\n")
        assert_framing_error(bad, "Content-Length")
        assert good.call("ping")["pong"] is True
