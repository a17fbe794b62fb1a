"""The server's HTTP engine: cheroot with a faster request path (amplify_mock/_http.py).

What the engine does in its own code (reading headers, building the environ, writing the
status line and headers, keeping a connection with its worker) is checked against cheroot as
shipped, on the same requests, and on what a client sees on the wire."""

from __future__ import annotations

import io
import socket
import threading
from types import SimpleNamespace
from typing import Any, Dict, Iterable, Iterator, List, Tuple

import pytest
from cheroot import server as cheroot_server
from cheroot import wsgi
from cheroot.errors import MaxSizeExceeded

from amplify_mock import _http
from tests.server_support import Served, server_fixture  # noqa: F401

# --- Header reading: the same dict as cheroot's reader, or the same refusal ------------------

HEADER_BLOCKS = [
    b"Host: a\r\n\r\n",
    b"host: a\r\ncontent-LENGTH: 3\r\nX-Amz-Date: 20260101T000000Z\r\n\r\n",
    # repeated headers: comma-separated ones are joined, others keep the last value
    b"Accept: a\r\nAccept: b\r\nX-One: 1\r\nX-One: 2\r\n\r\n",
    b"Cache-Control: no-cache\r\ncache-control: max-age=0\r\n\r\n",
    # a continuation line (obsolete line folding)
    b"X-Long: first\r\n second\r\nAccept: a\r\n\tb\r\n\r\n",
    b"Spaced :  value  \r\n\r\n",
    b"Empty:\r\n\r\n",
    b"Colons: a:b:c\r\n\r\n",
]
BROKEN_BLOCKS = [
    b"Host: a\r\n",  # the connection ends before the blank line
    b"Host: a\n\r\n",  # a bare LF
    b"No colon here\r\n\r\n",
]


def cheroot_headers(block: bytes) -> Dict[bytes, bytes]:
    return dict(cheroot_server.HeaderReader()(io.BytesIO(block)))


@pytest.mark.parametrize("block", HEADER_BLOCKS)
def test_headers_are_read_as_cheroot_reads_them(block: bytes) -> None:
    assert _http._HeaderReader()(io.BytesIO(block)) == cheroot_headers(block)


@pytest.mark.parametrize("block", BROKEN_BLOCKS)
def test_broken_header_blocks_are_refused_as_cheroot_refuses_them(block: bytes) -> None:
    with pytest.raises(ValueError) as expected:
        cheroot_headers(block)
    with pytest.raises(ValueError) as refused:
        _http._HeaderReader()(io.BytesIO(block))
    assert str(refused.value) == str(expected.value)


def test_a_continuation_line_with_no_header_before_it_is_a_value_error() -> None:
    # cheroot fails here on an unbound name (a 500); the engine refuses it as a bad header (400).
    with pytest.raises(ValueError, match="Illegal header line"):
        _http._HeaderReader()(io.BytesIO(b" folded\r\nHost: a\r\n\r\n"))


def test_header_lines_are_limited_as_a_whole() -> None:
    limited = _http._HeaderLimit(io.BytesIO(b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * 100 + b"\r\n"), 50)
    assert limited.readline() == b"GET / HTTP/1.1\r\n"
    with pytest.raises(MaxSizeExceeded):
        limited.readline()


# --- Request lines and headers read from the buffer: as cheroot reads them -------------------

COMMON_REQUESTS = [
    b"GET /apps HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /apps/d1/branches/feature%2Fx/jobs?maxResults=5&nextToken=a%2Fb HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /apps/d1/branches/feature%2fx%20y HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST /apps HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\ncontent-type: application/json\r\n\r\n{}",
    b"DELETE /apps/d1 HTTP/1.1\r\nAccept: a\r\nAccept: b\r\nX-One: 1\r\nX-One: 2\r\n\r\n",
    b"PUT /x HTTP/1.1\r\nConnection: close\r\nSpaced :  v  \r\nEmpty:\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n",
]
UNCOMMON_REQUESTS = [
    b"GET / HTTP/1.0\r\n\r\n",  # HTTP/1.0
    b"OPTIONS / HTTP/1.1\r\n\r\n",  # cheroot does not unquote an OPTIONS target
    b"GET http://a/ HTTP/1.1\r\n\r\n",  # absolute form
    b"GET //a/b HTTP/1.1\r\n\r\n",  # read as an authority
    b"GET /a#b HTTP/1.1\r\n\r\n",  # a fragment
    b"get / HTTP/1.1\r\n\r\n",
    b"\r\nGET / HTTP/1.1\r\n\r\n",  # a leading empty line
    b"GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",  # a bare LF
    b"GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",  # a continuation line
    b"GET / HTTP/1.1\r\nNo colon\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n",  # past the body limit
    b"GET / HTTP/1.1\r\nHost: a\r\n",  # the headers have not all arrived
]


def parsing_request(data: bytes, request_class: Any) -> Any:
    server = SimpleNamespace(
        max_request_header_size=_http.MAX_HEADER_BYTES,
        max_request_body_size=_http.MAX_BODY_BYTES,
        protocol="HTTP/1.1",
        ssl_adapter=None,
    )
    conn = SimpleNamespace(rfile=io.BufferedReader(io.BytesIO(data)), wfile=io.BytesIO())
    return request_class(server, conn)


PARSED = (
    "method", "uri", "path", "qs", "inheaders", "request_protocol", "response_protocol", "close_connection"
)


@pytest.mark.parametrize("data", COMMON_REQUESTS)
def test_a_common_request_is_read_from_the_buffer_as_cheroot_reads_it(data: bytes) -> None:
    ours = parsing_request(data, _http._Request)
    assert ours._parse_buffered()
    theirs = parsing_request(data, cheroot_server.HTTPRequest)
    theirs.parse_request()
    assert theirs.ready
    assert {name: getattr(ours, name) for name in PARSED} == {name: getattr(theirs, name) for name in PARSED}
    body = data.partition(b"\r\n\r\n")[2]
    assert ours.conn.rfile.read() == theirs.conn.rfile.read() == body  # the body is left to read


@pytest.mark.parametrize("data", UNCOMMON_REQUESTS)
def test_other_requests_are_left_to_cheroot_untouched(data: bytes) -> None:
    ours = parsing_request(data, _http._Request)
    assert not ours._parse_buffered()
    assert ours.conn.rfile.read() == data  # nothing consumed


# --- The environ: the same as cheroot's ------------------------------------------------------


def fake_request(headers: Dict[bytes, bytes]) -> Any:
    server = SimpleNamespace(
        protocol="HTTP/1.1", server_name="amplify-mock", software="Cheroot/11", bind_addr=("127.0.0.1", 5000)
    )
    conn = SimpleNamespace(remote_addr="127.0.0.1", remote_port=40000, ssl_env=None)
    return SimpleNamespace(
        server=server,
        conn=conn,
        path=b"/apps/d1/branches/feature%2Fx/jobs",
        qs=b"maxResults=5",
        method=b"GET",
        uri=b"/apps/d1/branches/feature%2Fx/jobs?maxResults=5",
        request_protocol=b"HTTP/1.1",
        scheme=b"http",
        rfile=io.BytesIO(),
        chunked_read=False,
        inheaders=headers,
    )


@pytest.mark.parametrize("block", HEADER_BLOCKS)
def test_the_environ_is_the_one_cheroot_builds(block: bytes) -> None:
    req = fake_request(cheroot_headers(block))
    ours = _http._Gateway.__new__(_http._Gateway)
    theirs = wsgi.Gateway_10.__new__(wsgi.Gateway_10)
    ours.req = theirs.req = req
    assert ours.get_environ() == theirs.get_environ()


# --- On the wire: the same status line and headers as cheroot as shipped ---------------------


def echo_app(environ: Dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Replies as the request's path asks: /204, /stream (no Content-Length), else a body."""
    path = environ["PATH_INFO"]
    body = environ["wsgi.input"].read() or b"hello"
    if path == "/204":
        start_response("204 No Content", [])
        return []
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"part one, ", b"part two"]
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture(name="engines")
def engines_fixture() -> Iterator[Tuple[int, int]]:
    """(port of the engine, port of cheroot as shipped), both serving echo_app."""
    ours = _http.WSGIServer(echo_app, "127.0.0.1", 0, name="engine-under-test")
    ours.start()
    stock = wsgi.Server(
        ("127.0.0.1", 0), echo_app, numthreads=2, server_name="amplify-mock", timeout=_http.IDLE_TIMEOUT
    )
    stock.max_request_header_size = _http.MAX_HEADER_BYTES
    stock.prepare()
    thread = threading.Thread(target=stock.serve, daemon=True)
    thread.start()
    try:
        yield ours.port, stock.bind_addr[1]
    finally:
        ours.stop()
        stock.stop()
        thread.join(timeout=10)


def exchange(port: int, request: bytes) -> bytes:
    """Send the request and read until the server closes or a reply is complete."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def without_date(reply: bytes) -> List[bytes]:
    return [line for line in reply.split(b"\r\n") if not line.lower().startswith(b"date:")]


REQUESTS = [
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /204 HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /stream HTTP/1.0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n",
    b"GET /%2F/a HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"a" * (_http.MAX_HEADER_BYTES + 10) + b"\r\n\r\n",
    b"GET /" + b"a" * (_http.MAX_HEADER_BYTES + 10) + b" HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n",
    b"GET / HTTP/2.0\r\n\r\n",
]


@pytest.mark.parametrize("request_bytes", REQUESTS, ids=lambda r: r.split(b"\r\n")[0][:40].decode())
def test_replies_are_framed_as_cheroot_frames_them(engines: Tuple[int, int], request_bytes: bytes) -> None:
    ours, stock = engines
    reply = exchange(ours, request_bytes)
    assert reply.startswith(b"HTTP/1.1 ")
    assert without_date(reply) == without_date(exchange(stock, request_bytes))


def test_replies_carry_a_current_date(engines: Tuple[int, int]) -> None:
    from email.utils import parsedate_to_datetime

    reply = exchange(engines[0], b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    date = next(line for line in reply.split(b"\r\n") if line.startswith(b"Date: "))
    assert parsedate_to_datetime(date[6:].decode()).tzname() == "UTC"


# --- Kept-alive connections ------------------------------------------------------------------


def read_reply(sock: socket.socket, pending: bytes = b"") -> Tuple[bytes, bytes]:
    """One reply with a Content-Length from the socket: (reply, what followed it)."""
    data = pending
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lengths = [line[15:] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
    length = int(lengths[0])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, data
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


def test_pipelined_requests_are_all_answered_in_order(server: Served) -> None:
    requests = b"".join(
        f"GET /apps/dnope{n} HTTP/1.1\r\nHost: a\r\n\r\n".encode() for n in range(5)
    )
    with socket.create_connection(("127.0.0.1", server.server.port), timeout=10) as sock:
        sock.sendall(requests)  # all five in one packet: the rest waits in the engine's buffer
        pending = b""
        for n in range(5):
            reply, pending = read_reply(sock, pending)
            assert reply.startswith(b"HTTP/1.1 404 "), reply
            assert f"nope{n}".encode() in reply
        assert pending == b""


def test_more_busy_connections_than_workers_are_all_served(server: Served) -> None:
    # Each connection sends its next request as soon as it has a reply, so each worker keeps
    # its connection; the ones beyond the worker count must still be served, not starved.
    clients = _http.THREADS + 4
    answered: List[int] = []
    failures: List[BaseException] = []
    lock = threading.Lock()

    def client() -> None:
        try:
            with socket.create_connection(("127.0.0.1", server.server.port), timeout=30) as sock:
                for _ in range(15):
                    sock.sendall(b"GET /apps HTTP/1.1\r\nHost: a\r\n\r\n")
                    reply, rest = read_reply(sock)
                    assert reply.startswith(b"HTTP/1.1 200 ") and rest == b""
                    with lock:
                        answered.append(1)
        except BaseException as error:  # noqa: BLE001 - reported by the test's thread
            failures.append(error)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    assert len(answered) == clients * 15


# --- Output: one send per reply, large replies whole -----------------------------------------


class RecordingSocket:
    def __init__(self) -> None:
        self.sends: List[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.sends.append(bytes(data))


def test_a_held_reply_goes_out_in_one_send() -> None:
    sock = RecordingSocket()
    writer = _http._Writer(sock)  # type: ignore[arg-type]
    writer.hold()
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
    writer.write(b"{}")
    assert sock.sends == []
    writer.release()
    assert sock.sends == [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"]
    writer.write(b"unheld")  # outside a reply (cheroot's own error replies): sent at once
    assert sock.sends[-1] == b"unheld"


def test_a_large_held_reply_is_sent_as_it_comes_and_arrives_whole() -> None:
    sock = RecordingSocket()
    writer = _http._Writer(sock)  # type: ignore[arg-type]
    writer.hold()
    chunks = [bytes([n]) * 10_000 for n in range(30)]
    for chunk in chunks:
        writer.write(chunk)
    writer.release()
    assert b"".join(sock.sends) == b"".join(chunks)
    assert max(len(sent) for sent in sock.sends) <= _http.HOLD_BYTES + 10_000  # never all held


def test_has_data_tells_buffered_input_without_blocking() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.settimeout(5)
        reader = _http._Reader(left)
        assert not reader.has_data()  # nothing sent: answered at once, not after the timeout
        right.sendall(b"line one\r\nline two\r\n")
        assert reader.readline() == b"line one\r\n"
        assert reader.has_data()  # the second line is in the buffer
        assert reader.readline() == b"line two\r\n"
        assert not reader.has_data()
        assert left.gettimeout() == 5  # the socket's timeout is as it was
        right.close()
        assert not reader.has_data()  # the peer closed: nothing to read
