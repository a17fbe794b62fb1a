"""The server against what real clients and networks send: kept-alive connections, broken
requests, browsers, bad ports, large bodies, and a signal in the middle of load."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import sys
import threading
from typing import Any, Dict, List, Tuple

import pytest
import requests

from amplify_mock import _dispatch, _http, mock_amplify_jobs
from amplify_mock._http import THREADS
from amplify_mock.server import AmplifyMockServer, main
from tests.server_support import REPO, Served, server_fixture  # noqa: F401
from tests.test_server_cli import boto_client, served_process_fixture  # noqa: F401


def raw_exchange(
    server: Served, request: bytes, *, half_close: bool = True
) -> Tuple[int, Dict[str, str], bytes]:
    """Send bytes as they are, then read one HTTP response (status, lower-cased headers, body)."""
    with socket.create_connection(("127.0.0.1", server.server.port), timeout=10) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)  # the client has nothing more to send
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed before a response: {data!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        if headers.get("connection", "").lower() == "close":
            # Nothing may follow: no second answer to what remained of a broken request.
            while chunk := sock.recv(65536):
                body += chunk
        return status, headers, body


def assert_aws_bad_request(status: int, headers: Dict[str, str], body: bytes, words: str) -> None:
    assert status == 400, body
    assert headers["content-type"] == "application/json"
    assert headers["x-amzn-errortype"] == "BadRequestException"
    assert words in json.loads(body)["message"]


# --- Kept-alive connections ------------------------------------------------------------------


def test_one_connection_serves_many_requests(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    connection = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
    sockets = set()
    for _ in range(20):
        connection.request("GET", f"/apps/{app_id}/branches/main/jobs/1")
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())["job"]["summary"]["jobId"] == "1"
        assert response.getheader("Connection", "").lower() != "close"
        sockets.add(id(connection.sock))
    connection.close()
    assert len(sockets) == 1  # HTTP/1.1 keep-alive: one TCP connection for all twenty


def test_clients_that_connect_and_send_nothing_hold_no_worker(server: Served) -> None:
    """More silent connections than the server has workers: a real client is still served
    (each used to hold a worker until the idle timeout), and a silent one that speaks later is
    answered too."""
    port = server.server.port
    silent = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(THREADS + 4)]
    try:
        client = server.client()
        assert client.list_apps()["apps"] == []
        late = silent[0]
        late.sendall(b"GET /apps HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := late.recv(65536):
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200 ")
    finally:
        for connection in silent:
            connection.close()


# --- Broken requests get an AWS-shaped 400, never HTML or a traceback -------------------------


def test_a_body_shorter_than_its_content_length(server: Served, capfd: pytest.CaptureFixture[str]) -> None:
    request = (
        b"POST /apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"name": '
    )
    assert_aws_bad_request(*raw_exchange(server, request), "ended after 9 of the 100 bytes")
    assert "Traceback" not in capfd.readouterr().err
    assert server.client().list_apps()["apps"] == []


def test_invalid_chunked_encoding(server: Served, capfd: pytest.CaptureFixture[str]) -> None:
    request = (
        b"POST /apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    )
    status, headers, body = raw_exchange(server, request)
    assert_aws_bad_request(status, headers, body, "not valid chunked transfer encoding")
    assert headers.get("connection", "").lower() == "close"
    assert "Traceback" not in capfd.readouterr().err


def test_valid_chunked_encoding_is_read(server: Served) -> None:
    payload = json.dumps({"name": "shop", "repository": REPO, "accessToken": "token"}).encode()
    request = (
        b"POST /apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + b"%x\r\n" % len(payload) + payload + b"\r\n0\r\n\r\n"
    )
    status, _, body = raw_exchange(server, request, half_close=False)
    assert status == 200 and json.loads(body)["app"]["name"] == "shop"


def test_truncated_json(server: Served, capfd: pytest.CaptureFixture[str]) -> None:
    payload = b'{"name": "shop", "repos'
    request = (
        b"POST /apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(payload) + payload
    )
    status, headers, body = raw_exchange(server, request, half_close=False)
    assert status == 400 and headers["x-amzn-errortype"] == "BadRequestException", body
    control = server.http.post(f"{server.url}/_amplify_mock/clock", data=b'{"advance": ', timeout=10)
    assert control.status_code == 400 and control.json() == {"message": "The request body is not valid JSON."}
    assert "Traceback" not in capfd.readouterr().err


# --- Memory: only small requests are remembered -----------------------------------------------

JSON = {"Content-Type": "application/json"}


def test_large_request_bodies_are_not_kept_after_their_request() -> None:
    with mock_amplify_jobs():
        _dispatch._seen_requests.clear()
        client = boto_client("https://amplify.us-east-1.amazonaws.com")
        app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
        # Valid JSON padded to 1 MiB: parsed and answered, but not remembered. (One branch each:
        # a second job on a busy branch is refused.)
        padded = b'{"jobType": "RELEASE"' + b" " * (1 << 20) + b"}"
        for branch in ("b1", "b2", "b3", "main"):
            client.create_branch(appId=app_id, branchName=branch)
            url = f"https://amplify.us-east-1.amazonaws.com/apps/{app_id}/branches/{branch}/jobs"
            response = requests.post(url, data=padded, headers=JSON, timeout=10)
            assert response.status_code == 200, response.text
        assert all(len(key[2]) <= 4096 for key in _dispatch._seen_requests)
        # A small one still is (what a polling loop sends).
        client.get_job(appId=app_id, branchName="main", jobId="1")
        assert any(key[1].endswith("/jobs/1") for key in _dispatch._seen_requests)


# --- CORS -------------------------------------------------------------------------------------

ORIGIN = "http://localhost:3000"
# What Chrome sends before the JavaScript SDK's CreateApp.
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": (
        "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-content-sha256,"
        "x-amz-date,x-amz-user-agent"
    ),
    "Sec-Fetch-Mode": "cors",
    "Referer": ORIGIN + "/",
}


def test_a_browser_preflight_is_answered(server: Served) -> None:
    response = server.http.options(f"{server.url}/apps", headers=PREFLIGHT, timeout=10)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "x-amz-date", "x-amz-user-agent", "content-type"} <= allowed


def test_replies_carry_the_cors_headers_the_sdk_reads(server: Served) -> None:
    headers = {"Origin": ORIGIN, "Content-Type": "application/json"}
    created = server.http.post(f"{server.url}/apps", json={"name": "shop"}, headers=headers, timeout=10)
    assert created.status_code == 200
    assert created.headers["Access-Control-Allow-Origin"] == ORIGIN
    missing = server.http.get(f"{server.url}/apps/d0000000000000", headers=headers, timeout=10)
    assert missing.status_code == 404
    exposed = {h.strip().lower() for h in missing.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"x-amzn-requestid", "x-amzn-errortype"} <= exposed
    assert missing.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_cors_is_on_for_loopback_off_elsewhere_and_can_be_turned_off() -> None:
    assert AmplifyMockServer("127.0.0.1", 0).cors is True
    assert AmplifyMockServer("::1", 0).cors is True
    assert AmplifyMockServer("0.0.0.0", 0).cors is False
    with AmplifyMockServer("127.0.0.1", 0, cors=False) as server:
        response = requests.options(f"{server.url}/apps", headers=PREFLIGHT, timeout=10)
        assert "Access-Control-Allow-Origin" not in response.headers
        plain = requests.get(f"{server.url}/apps", headers={"Origin": ORIGIN}, timeout=10)
        assert plain.status_code == 200 and "Access-Control-Allow-Origin" not in plain.headers


# --- Ports ------------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["65536", "-1", "99999999", "http"])
def test_a_port_outside_the_range_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", port])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "0..65535" in err and "Traceback" not in err


def test_the_server_class_refuses_a_port_outside_the_range() -> None:
    with pytest.raises(ValueError, match=r"0\.\.65535"):
        AmplifyMockServer("127.0.0.1", 70000)


# --- A signal under load ----------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_under_load_exits_0_promptly(served_process: Any) -> None:
    process, url = served_process("serve")
    client = boto_client(url)
    app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    port = int(url.rsplit(":", 1)[1])
    stop = threading.Event()
    answered = [0] * 8

    def hammer(index: int) -> None:
        while not stop.is_set():
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                while not stop.is_set():
                    connection.request("GET", f"/apps/{app_id}/branches/main/jobs/1")
                    connection.getresponse().read()
                    answered[index] += 1
            except (OSError, http.client.HTTPException):
                return  # the server went away: what this test is about

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    while sum(answered) < 200:
        threading.Event().wait(0.01)
    process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_an_api_body_past_the_limit_is_refused_unread(server: Served) -> None:
    # The headers announce 17 MiB; the server answers before any of it is sent.
    request = (
        b"POST /apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % (17 * 1024**2)
    )
    status, headers, body = raw_exchange(server, request)
    assert status == 413 and headers["content-type"] == "application/json"
    assert "larger than an API call takes (16777216 bytes)" in json.loads(body)["message"]


# What Node's http module sends for the JavaScript SDK's CreateApp (header names and order as
# @aws-sdk/client-amplify 3.1168 on Node 20 sent them, signature cut short): it writes the whole
# body before it reads any reply, and a connection reset while it writes fails the call with
# EPIPE (retried, then "write EPIPE") instead of the reply the server sent.
_NODE_HEAD = (
    b"POST /apps HTTP/1.1\r\n"
    b"content-type: application/json\r\n"
    b"%b"
    b"x-amz-user-agent: aws-sdk-js/3.1168.0\r\n"
    b"user-agent: aws-sdk-js/3.1168.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2 api/amplify#3.1168.0\r\n"
    b"host: 127.0.0.1\r\n"
    b"amz-sdk-invocation-id: 46963f53-9206-422d-8dc3-3009b7d84b19\r\n"
    b"amz-sdk-request: attempt=1; max=3\r\n"
    b"x-amz-date: 20261127T195521Z\r\n"
    b"authorization: AWS4-HMAC-SHA256 Credential=testing/20261127/us-east-1/amplify/aws4_request, "
    b"SignedHeaders=content-length;content-type;host;x-amz-date, Signature=e69dc693\r\n"
    b"Connection: keep-alive\r\n\r\n"
)


def _framed(body: bytes, framing: str) -> bytes:
    if framing == "content-length":
        return _NODE_HEAD % (b"content-length: %d\r\n" % len(body)) + body
    if framing == "expect-100-continue":
        return _NODE_HEAD % (b"content-length: %d\r\nExpect: 100-continue\r\n" % len(body)) + body
    piece = 1024**2
    chunks = b"".join(
        b"%x\r\n%b\r\n" % (len(body[at:at + piece]), body[at:at + piece]) for at in range(0, len(body), piece)
    )
    return _NODE_HEAD % b"transfer-encoding: chunked\r\n" + chunks + b"0\r\n\r\n"


def send_whole_then_read(server: Served, request: bytes) -> Tuple[int, Dict[str, str], bytes]:
    """Write the whole request before reading, as Node's http module does (a reset while writing
    raises here), then read the reply, past any 100 Continue."""
    with socket.create_connection(("127.0.0.1", server.server.port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while True:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                assert chunk, f"connection closed before a response: {data!r}"
                data += chunk
            head, _, data = data.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 100 "):
                break
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        while len(data) < int(headers.get("content-length", "0")):
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
        return int(lines[0].split()[1]), headers, data


@pytest.mark.parametrize("framing", ["content-length", "chunked", "expect-100-continue"])
def test_a_body_past_the_limit_sent_whole_gets_the_413_not_a_reset(server: Served, framing: str) -> None:
    body = b'{"name":"big","description":"' + b"x" * (17 * 1024**2) + b'"}'
    status, headers, reply = send_whole_then_read(server, _framed(body, framing))
    assert status == 413 and headers["connection"] == "close"
    # Named, so that an SDK raises it by name (the JavaScript SDK's error.name).
    assert headers["x-amzn-errortype"] == "RequestEntityTooLargeException"
    assert "larger than an API call takes (16777216 bytes)" in json.loads(reply)["message"]
    assert server.client().list_apps()["apps"] == []


def test_what_an_answer_leaves_of_a_body_is_read_in_pieces() -> None:
    # A refused upload of gigabytes is read off the connection a piece at a time, not into memory.
    class Body:
        remaining = 3 * _http.DISCARD_BYTES + 5
        sizes: List[int] = []

        def read(self, size: int) -> bytes:
            size = min(size, self.remaining)
            self.remaining -= size
            self.sizes.append(size)
            return b"x" * size

    body = Body()
    assert _http._discard(body) is True and body.remaining == 0
    assert max(body.sizes) == _http.DISCARD_BYTES
    limited = Body()
    assert _http._discard(limited, _http.DISCARD_BYTES) is False
    assert limited.remaining == 2 * _http.DISCARD_BYTES + 5


def test_a_refused_upload_past_the_drain_keeps_its_connection(server: Served) -> None:
    # Past what the upload URL itself reads of a refused body (16 MiB), the engine reads the rest
    # off the connection, which then serves the next request.
    client = server.client()
    app_id = server.app_with_branch(client, repository=None)
    url = client.create_deployment(appId=app_id, branchName="main")["zipUploadUrl"]
    target = url.split(str(server.server.port), 1)[1].replace("X-Amz-Signature=", "X-Amz-Signature=0")
    size = 20 * 1024**2
    with socket.create_connection(("127.0.0.1", server.server.port), timeout=30) as sock:
        sock.sendall(b"PUT %b HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (target.encode(), size))
        sock.sendall(b"\0" * size)
        sock.sendall(b"GET /apps HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while data.count(b"HTTP/1.1 ") < 2 or not data.endswith(b"]}"):
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
    assert data.startswith(b"HTTP/1.1 403 ") and b"<Code>SignatureDoesNotMatch</Code>" in data
    assert b"HTTP/1.1 200 OK" in data and app_id.encode() in data.split(b"HTTP/1.1 200 OK")[1]


def test_lingering_reads_no_more_than_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # A chunked body announces no length: lingering stops at LINGER_BYTES however much comes.
    monkeypatch.setattr(_http, "LINGER_BYTES", 5 * _http.DISCARD_BYTES)

    class Endless:
        read_bytes = 0

        def read(self, size: int) -> bytes:
            self.read_bytes += size
            return b"x" * size

    body = Endless()
    left, right = socket.socketpair()
    with left, right:
        _http._linger(left, body)
    assert body.read_bytes == 5 * _http.DISCARD_BYTES
