"""The server's HTTP engine: cheroot with a faster request path (amplify_mock/_http.py).

What the engine does in its own code (reading headers, building the environ, writing the
status line and headers, keeping a connection with its worker) is checked against cheroot as
shipped, on the same requests, and on what a client sees on the wire."""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
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


# --- Which requests the engine answers itself (_read_head), and which it leaves to cheroot ---

COMMON_REQUESTS = [
    b"GET /apps HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /apps/d1/branches/feature%2Fx/jobs?maxResults=5&nextToken=a%2Fb HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /apps/d1/branches/feature%2fx%20y HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /caf%C3%A9/%E9 HTTP/1.1\r\nHost: a\r\n\r\n",  # UTF-8 and latin-1 escapes
    b"POST /apps HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\ncontent-type: application/json\r\n\r\n{}",
    b"DELETE /apps/d1 HTTP/1.1\r\nAccept: a\r\nAccept: b\r\nX-One: 1\r\nX-One: 2\r\n\r\n",
    b"PUT /x HTTP/1.1\r\nConnection: close\r\nSpaced :  v  \r\nEmpty:\r\n\r\n",
    b"PATCH /x HTTP/1.1\r\nContent-Length: 0\r\nColons: a:b:c\r\nx-amz-date: 1\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n",
    b"GET / HTTP/1.1\r\nCache-Control: \r\ncache-control: max-age=0\r\n"
    b"Connection: a\r\nConnection: close\r\n\r\n",  # repeated comma-separated headers
    b"GET / HTTP/1.1\r\nHost: \xe9t\xe9\r\n\r\n",  # a latin-1 value
    b"GET / HTTP/1.1\r\n\r\n",  # no headers at all
]
UNCOMMON_REQUESTS = [
    b"GET / HTTP/1.0\r\n\r\n",  # HTTP/1.0
    b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
    b"OPTIONS / HTTP/1.1\r\n\r\n",  # cheroot does not unquote an OPTIONS target
    b"GET http://a/ HTTP/1.1\r\n\r\n",  # absolute form
    b"GET //a/b HTTP/1.1\r\n\r\n",  # read as an authority
    b"GET /a#b HTTP/1.1\r\n\r\n",  # a fragment
    b"GET /a b HTTP/1.1\r\n\r\n",  # a space in the target
    b"get / HTTP/1.1\r\n\r\n",  # a method in lower case
    b"\r\nGET / HTTP/1.1\r\n\r\n",  # a leading empty line
    b"GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",  # a bare LF
    b"GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",  # a continuation line
    b"GET / HTTP/1.1\r\nNo colon\r\n\r\n",
    b"GET / HTTP/1.1\r\n: no name\r\n\r\n",
    b"GET / HTTP/1.1\r\nX_Under: a\r\n\r\n",  # an underscore: X-Under and X_Under meet
    b"GET / HTTP/1.1\r\nX\xdf: a\r\n\r\n",  # a non-ASCII name
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: \xb2\r\n\r\n",  # a digit to str.isdigit, not to int
    b"POST / HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n",  # past the body limit
    b"GET / HTTP/1.1\r\nHost: a\r\n",  # the headers have not all arrived
    b"GET / HTTP/1.1\r\nX: " + b"a" * _http.MAX_HEADER_BYTES + b"\r\n\r\n",  # past the header limit
    b"",  # the client closed
]


def read_head(data: bytes) -> Any:
    return _http._read_head(data, _http.MAX_HEADER_BYTES, _http.MAX_BODY_BYTES)


@pytest.mark.parametrize("data", COMMON_REQUESTS)
def test_a_common_request_is_read_from_the_buffer(data: bytes) -> None:
    head = read_head(data)
    assert head is not None
    size, length = head[5], head[6]
    assert data[size:] == data.partition(b"\r\n\r\n")[2]  # the body is what follows
    assert length == len(data[size:])


@pytest.mark.parametrize("data", UNCOMMON_REQUESTS)
def test_other_requests_are_left_to_cheroot(data: bytes) -> None:
    assert read_head(data) is None


def test_a_request_is_read_whole_from_a_buffer_that_holds_the_next_one() -> None:
    first = b"GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
    head = read_head(first + b"POST /two HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
    assert head is not None and head[2] == "/one" and head[5] == len(first) and head[6] == 0


# --- On the wire: the same replies as cheroot as shipped --------------------------------------

ENVIRONS: List[Dict[str, Any]] = []  # what echo_app was handed, request after request
GATE = threading.Event()  # set by echo_app on /gated, before it reads the body


def echo_app(environ: Dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Replies as the request's path asks (see the branches); by default with the body it was
    sent, or "hello"."""
    ENVIRONS.append(dict(environ))
    path = environ["PATH_INFO"]
    if path == "/gated":
        GATE.set()
    if path == "/raise":
        raise RuntimeError("the application failed before replying")
    if path == "/raise-late":
        start_response("200 OK", [("Content-Length", "10")])
        return raising_after(b"12345")
    if path == "/unread":  # leaves the body unread: the engine reads it before the next request
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]
    body = environ["wsgi.input"].read() or b"hello"
    if path in ("/204", "/304"):
        start_response("204 No Content" if path == "/204" else "304 Not Modified", [])
        return []
    if path == "/stream":  # no Content-Length
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"part one, ", b"", b"part two"]
    if path == "/write":  # the legacy write() callable
        write = start_response("200 OK", [("Content-Length", "9")])
        write(b"written, ")
        return []
    headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    status = "200 OK"
    if path == "/missing":
        status = "404 Not Found"
    elif path == "/413":
        status = "413 Payload Too Large"
    elif path == "/close":
        headers.append(("Connection", "close"))
    elif path == "/keep":
        headers.append(("Connection", "Keep-Alive"))
    elif path == "/dated":
        headers += [("Date", "Thu, 01 Jan 2026 00:00:00 GMT"), ("Server", "echo")]
    elif path == "/big":
        body = bytes(range(256)) * 1024  # past what the engine holds for one send
        headers[1] = ("Content-Length", str(len(body)))
    start_response(status, headers)
    return [body]


def raising_after(chunk: bytes) -> Iterator[bytes]:
    yield chunk
    raise RuntimeError("the application failed while replying")


@pytest.fixture(name="engines", scope="module")
def engines_fixture() -> Iterator[Tuple[int, int]]:
    """(port of the engine, port of cheroot as shipped), both serving echo_app: started once, as
    a stop takes half a second (cheroot's serving loop looks up that often)."""
    ours = _http.WSGIServer(echo_app, "127.0.0.1", 0, name="engine-under-test")
    ours.start()
    stock = wsgi.Server(
        ("127.0.0.1", 0), echo_app, numthreads=2, server_name="amplify-mock", timeout=_http.IDLE_TIMEOUT
    )
    stock.max_request_header_size = _http.MAX_HEADER_BYTES
    stock.max_request_body_size = _http.MAX_BODY_BYTES
    stock.prepare()
    thread = threading.Thread(target=stock.serve, daemon=True)
    thread.start()
    try:
        yield ours.port, stock.bind_addr[1]
    finally:
        ours.stop()
        stock.stop()
        thread.join(timeout=10)


@pytest.fixture(autouse=True)
def fresh_echo_app() -> None:
    ENVIRONS.clear()
    GATE.clear()


def exchange(port: int, request: bytes) -> bytes:
    """Send the request (or requests) and read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def without_date(reply: bytes) -> List[bytes]:
    return [line for line in reply.split(b"\r\n") if not line.lower().startswith(b"date:")]


def get(path: str, extra: bytes = b"") -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: a\r\n" + extra + b"\r\n"


REQUESTS = [
    get("/"),
    get("/", b"Connection: close\r\n"),
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"HEAD /stream HTTP/1.1\r\nHost: a\r\n\r\n",
    get("/204"),
    get("/304"),
    get("/stream"),
    b"GET /stream HTTP/1.0\r\n\r\n",
    get("/write"),
    get("/missing"),
    get("/413"),
    get("/close"),
    get("/keep"),
    get("/dated"),
    get("/big"),
    get("/raise"),
    get("/raise-late"),
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nshort",  # then the client closes
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbody\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999\r\n\r\n",  # past the body limit
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n",
    get("/%2F/a"),
    get("/", b"X: " + b"a" * (_http.MAX_HEADER_BYTES + 10) + b"\r\n"),  # past the header limit: 413
    get("/" + "a" * (_http.MAX_HEADER_BYTES + 10)),  # past the request line's limit: 414
    get("/", b"No colon\r\n"),
    b"GET / HTTP/2.0\r\n\r\n",
    b"",
    # Pipelined: each reply in turn, the connection kept or closed as cheroot keeps or closes it.
    get("/one") + get("/two") + get("/three"),
    get("/one") + b"GET /two HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n" + get("/three"),
    b"POST /unread HTTP/1.1\r\nContent-Length: 5\r\n\r\nbody!" + get("/next"),
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n" + get("/next"),
    get("/missing") + get("/after-an-error"),
    get("/stream") + get("/after-a-chunked-reply"),
    get("/raise") + get("/never-answered"),
    get("/", b"No colon\r\n") + get("/never-answered"),
    get("/413") + get("/never-answered"),
]


def request_id(request: bytes) -> str:
    return repr(request[:40]) + (f"..{len(request)}" if len(request) > 40 else "")


@pytest.mark.parametrize("request_bytes", REQUESTS, ids=request_id)
def test_replies_are_the_ones_cheroot_sends(engines: Tuple[int, int], request_bytes: bytes) -> None:
    ours, stock = engines
    reply = exchange(ours, request_bytes)
    assert without_date(reply) == without_date(exchange(stock, request_bytes))


def test_an_application_that_answers_connection_close_gets_the_connection_closed(
    engines: Tuple[int, int],
) -> None:
    # Unlike cheroot, which keeps the connection and would read what follows a broken body as
    # the next request (see _add_reply_headers).
    reply = exchange(engines[0], get("/close") + get("/never-answered"))
    assert reply.count(b"HTTP/1.1 ") == 1 and reply.endswith(b"\r\n\r\nhello")


def test_replies_carry_a_current_date(engines: Tuple[int, int]) -> None:
    from email.utils import parsedate_to_datetime

    reply = exchange(engines[0], b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    date = next(line for line in reply.split(b"\r\n") if line.startswith(b"Date: "))
    assert parsedate_to_datetime(date[6:].decode()).tzname() == "UTC"


def comparable(environ: Dict[str, Any]) -> Dict[str, Any]:
    # The ports differ between the two servers; the input streams are each server's own.
    return {
        key: value for key, value in environ.items()
        if key not in ("REMOTE_PORT", "SERVER_PORT", "wsgi.input")
    }


# Requests cheroot reads and hands on, each a different way through its reading.
OTHER_ACCEPTED_REQUESTS = [
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET /a%2Fb?c HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Type: text/plain\r\n\r\n",
    b"OPTIONS /a%2Fb HTTP/1.1\r\n\r\n",
    b"\r\nGET / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: a\r\n folded\r\nAccept: a\r\nAccept: b\r\n\r\n",
    b"GET / HTTP/1.1\r\nX_Under: a\r\nX-Under: b\r\n\r\n",
    b"GET / HTTP/1.1\r\nX\xdf: a\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: a/b\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
]


@pytest.mark.parametrize("data", COMMON_REQUESTS + OTHER_ACCEPTED_REQUESTS, ids=request_id)
def test_the_application_is_handed_the_environ_cheroot_builds(
    engines: Tuple[int, int], data: bytes
) -> None:
    ours, stock = engines
    exchange(ours, data)
    exchange(stock, data)
    assert len(ENVIRONS) == 2
    assert comparable(ENVIRONS[0]) == comparable(ENVIRONS[1])


@pytest.fixture(name="paths")
def paths_fixture(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """How each request on the engine was read, in order: "engine" (a common request, which the
    engine answers itself) or "cheroot" (left to cheroot's request objects)."""
    taken: List[str] = []
    read_head = _http._read_head

    def recording(buffered: bytes, *limits: int) -> Any:
        head = read_head(buffered, *limits)
        if buffered:  # an end of input is no request
            taken.append("cheroot" if head is None else "engine")
        return head

    monkeypatch.setattr(_http, "_read_head", recording)
    return taken


@pytest.mark.parametrize("data", COMMON_REQUESTS, ids=request_id)
def test_the_engine_answers_a_common_request_itself(
    engines: Tuple[int, int], paths: List[str], data: bytes
) -> None:
    exchange(engines[0], data)
    assert paths == ["engine"]


@pytest.mark.parametrize("data", [data for data in UNCOMMON_REQUESTS if data], ids=request_id)
def test_the_engine_leaves_other_requests_to_cheroot(
    engines: Tuple[int, int], paths: List[str], data: bytes
) -> None:
    exchange(engines[0], data)
    assert paths[:1] == ["cheroot"]


def test_an_sdks_calls_are_common_requests(server: Served, paths: List[str]) -> None:
    client = server.client()
    app_id = client.create_app(name="shop")["app"]["appId"]  # a POST with a JSON body
    client.create_branch(appId=app_id, branchName="feature/x")
    client.get_branch(appId=app_id, branchName="feature/x")  # %2F in the path
    client.list_apps(maxResults=5)  # a query
    client.tag_resource(resourceArn=f"arn:aws:amplify:us-east-1:123456789012:apps/{app_id}", tags={"a": "b"})
    client.delete_app(appId=app_id)
    assert paths == ["engine"] * 6


def test_pipelined_requests_of_both_kinds_take_their_own_paths(
    engines: Tuple[int, int], paths: List[str]
) -> None:
    requests = get("/one") + b"GET /two HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n" + get("/three")
    reply = exchange(engines[0], requests)
    assert reply.count(b"hello") == 3
    assert paths == ["engine", "cheroot", "engine"]


def test_a_body_split_across_packets_is_read_whole(engines: Tuple[int, int], paths: List[str]) -> None:
    with socket.create_connection(("127.0.0.1", engines[0]), timeout=10) as sock:
        sock.sendall(b"POST /gated HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nfirst")
        assert GATE.wait(10)  # the application is reading the body: the rest has not been sent
        sock.sendall(b"-last")
        reply, rest = read_reply(sock)
    assert reply.endswith(b"\r\n\r\nfirst-last") and rest == b""
    assert paths == ["engine"]


def test_a_head_split_across_packets_goes_to_cheroot(
    engines: Tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    declined = threading.Event()
    answer = _http._Connection._answer

    def recording(self: Any) -> Any:
        result = answer(self)
        if result is None:
            declined.set()
        return result

    monkeypatch.setattr(_http._Connection, "_answer", recording)
    with socket.create_connection(("127.0.0.1", engines[0]), timeout=10) as sock:
        sock.sendall(b"POST /split HTTP/1.1\r\nHost: a\r\nContent-Le")
        assert declined.wait(10)  # the head is incomplete: cheroot reads it, line by line
        sock.sendall(b"ngth: 4\r\n\r\nbody")
        reply, rest = read_reply(sock)
    assert reply.startswith(b"HTTP/1.1 200 OK") and reply.endswith(b"\r\n\r\nbody") and rest == b""


def test_a_client_that_disconnects_mid_body_leaves_the_server_serving(
    engines: Tuple[int, int], capfd: pytest.CaptureFixture[str]
) -> None:
    sock = socket.create_connection(("127.0.0.1", engines[0]), timeout=10)
    sock.sendall(b"POST /gated HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\npart")
    assert GATE.wait(10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()  # with SO_LINGER 0: a reset, not a polite end of input
    assert exchange(engines[0], get("/", b"Connection: close\r\n")).endswith(b"\r\n\r\nhello")
    assert "Traceback" not in capfd.readouterr().err


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


def test_a_connection_is_kept_after_error_replies(server: Served) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
    replies = []
    sockets = set()
    for method, path, body in [
        ("GET", "/apps/dnope", None),  # 404
        ("POST", "/apps", b'{"name": "shop", "repos'),  # truncated JSON, read whole: 400
        ("POST", "/apps", b'{"name": 1}'),  # a wrong type: 400
        ("POST", "/apps", b'{"name": "shop"}'),
        ("GET", "/apps", None),
    ]:
        headers = {"Content-Type": "application/json"} if body else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        replies.append((response.status, json.loads(response.read())))
        assert response.getheader("Connection") is None  # kept open
        sockets.add(id(connection.sock))
    connection.close()
    assert len(sockets) == 1  # one TCP connection for all five
    assert [status for status, _ in replies] == [404, 400, 400, 200, 200]
    assert [app["name"] for app in replies[-1][1]["apps"]] == ["shop"]


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


@pytest.fixture(name="sends")
def sends_fixture(monkeypatch: pytest.MonkeyPatch) -> List[bytes]:
    """What the writer sends, one entry per send."""
    sends: List[bytes] = []
    monkeypatch.setattr(_http, "_send", lambda sock, data: sends.append(bytes(data)))
    return sends


def test_a_held_reply_goes_out_in_one_send(sends: List[bytes]) -> None:
    writer = _http._Writer(None)  # type: ignore[arg-type]
    writer.hold()
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
    writer.write(b"{}")
    assert sends == []
    writer.release()
    assert sends == [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"]
    writer.write(b"unheld")  # outside a reply (cheroot's own error replies): sent at once
    assert sends[-1] == b"unheld"


def test_a_large_held_reply_is_sent_as_it_comes_and_arrives_whole(sends: List[bytes]) -> None:
    writer = _http._Writer(None)  # type: ignore[arg-type]
    writer.hold()
    chunks = [bytes([n]) * 10_000 for n in range(30)]
    for chunk in chunks:
        writer.write(chunk)
    writer.release()
    assert b"".join(sends) == b"".join(chunks)
    assert max(len(sent) for sent in sends) <= _http.HOLD_BYTES + 10_000  # never all held


def test_a_send_larger_than_the_socket_takes_at_once_arrives_whole() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.settimeout(10)
        left.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        data = bytes(range(256)) * 4096  # 1 MiB: written in part, the rest through sendall
        received: List[bytes] = []
        reader = threading.Thread(target=lambda: received.extend(iter(lambda: right.recv(65536), b"")))
        reader.start()
        _http._send(left, data)
        left.shutdown(socket.SHUT_WR)
        reader.join(timeout=10)
        assert b"".join(received) == data


def test_a_send_to_a_peer_that_is_gone_is_an_os_error() -> None:
    left, right = socket.socketpair()
    with left:
        right.close()
        with pytest.raises(OSError):
            _http._send(left, b"reply")


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


def test_a_read_waits_for_input_up_to_the_socket_timeout() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.settimeout(0.001)  # nothing will come: the wait is only how long it takes to say so
        reader = _http._Reader(left)
        with pytest.raises(socket.timeout):
            reader.read(1)  # nothing comes
        right.sendall(b"late")
        assert reader.read(4) == b"late"  # the reader still reads after a timeout


def test_a_reader_whose_socket_is_closed_reads_nothing_of_another() -> None:
    left, right = socket.socketpair()
    other_left, other_right = socket.socketpair()
    with right, other_left, other_right:
        reader = _http._Reader(left)
        left.close()
        other_right.sendall(b"someone else's")
        with pytest.raises(OSError):
            reader.read(1)  # EBADF, whatever descriptor number the other connection got
