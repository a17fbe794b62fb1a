"""The server as Node.js meets it: the bytes @aws-sdk/client-amplify (3.1168, on Node 20) and
Node's fetch() and http module sent to ``amplify-mock serve``, replayed over a raw socket, so
that no test needs Node. One test runs the recipe of docs/server.md ("From Node.js") with Node
itself, and skips where Node or the SDK is not installed (CI installs no npm package)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit

import pytest

from tests.server_support import REPO, Served, server_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def _zip() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<h1>hi</h1>")
    return buffer.getvalue()


class Reply:
    def __init__(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


def exchange(server: Served, *pieces: bytes, replies_due: int = 1) -> Tuple[List[Reply], bool]:
    """Send each piece as Node did (one write each), then read replies (100 Continue included)
    until ``replies_due`` final ones have come on a kept-alive connection, or the server closes
    it: the replies, and whether the connection closed."""
    replies: List[Reply] = []
    closed = False
    with socket.create_connection(("127.0.0.1", server.server.port), timeout=10) as sock:
        for piece in pieces:
            sock.sendall(piece)
        data = b""
        sock.settimeout(2)
        while True:
            while b"\r\n\r\n" in data:
                head, _, rest = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                fields = (line.partition(":") for line in lines[1:])
                headers = {k.strip().lower(): v.strip() for k, _, v in fields}
                length = int(headers.get("content-length", "0"))
                if len(rest) < length:
                    break
                replies.append(Reply(int(lines[0].split()[1]), headers, rest[:length]))
                data = rest[length:]
            final = [reply for reply in replies if reply.status >= 200]
            if len(final) >= replies_due and not data:
                if final[-1].headers.get("connection") != "close":
                    return replies, False  # kept alive: nothing more is coming
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                return replies, closed
            if not chunk:
                return replies, True
            data += chunk


def _target(url: str) -> bytes:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}".encode()


def _fetch_put(url: str, port: int, framing: bytes) -> bytes:
    # fetch(url, {method: "PUT", body}) on Node 20 (undici): these headers, in this order.
    return (
        b"PUT %b HTTP/1.1\r\nhost: 127.0.0.1:%d\r\nconnection: keep-alive\r\naccept: */*\r\n"
        b"accept-language: *\r\nsec-fetch-mode: cors\r\nuser-agent: node\r\n"
        b"accept-encoding: gzip, deflate\r\n%b\r\n" % (_target(url), port, framing)
    )


def _deployment(server: Served) -> Tuple[str, Dict[str, str]]:
    client = server.client()
    app_id = server.app_with_branch(client, repository=None)
    return app_id, client.create_deployment(appId=app_id, branchName="main")


def _uploaded(server: Served, app_id: str, job_id: str) -> Optional[Dict[str, object]]:
    response = server.control("GET", f"deployment?appId={app_id}&branchName=main&jobId={job_id}")
    assert response.status_code == 200, response.text
    zipped: Optional[Dict[str, object]] = response.json()["zip"]
    return zipped


def test_a_fetch_put_of_a_buffer_uploads(server: Served) -> None:
    # fetch(zipUploadUrl, {method: "PUT", body: readFileSync("site.zip")}): a Content-Length.
    app_id, created = _deployment(server)
    archive = _zip()
    port = server.server.port
    request = _fetch_put(created["zipUploadUrl"], port, b"content-length: %d\r\n" % len(archive))
    (reply,), closed = exchange(server, request + archive)
    assert (reply.status, reply.body, closed) == (200, b"", False)
    assert reply.headers["etag"].strip('"') == _uploaded(server, app_id, created["jobId"])["md5"]  # type: ignore[index]


def test_a_fetch_put_of_a_stream_is_refused_as_s3_refuses_it(server: Served) -> None:
    # fetch(url, {method: "PUT", body: Readable.toWeb(createReadStream("site.zip")), duplex: "half"})
    # goes chunked, in two writes: S3 answers 501 NotImplemented naming Transfer-Encoding and
    # closes (the replies quoted in aws/aws-sdk-go#4944 and aws/aws-sdk-js#1237), so a deploy
    # script that works here works against AWS.
    app_id, created = _deployment(server)
    archive = _zip()
    port = server.server.port
    request = _fetch_put(created["zipUploadUrl"], port, b"transfer-encoding: chunked\r\n")
    (reply,), closed = exchange(server, request + b"%x\r\n" % len(archive) + archive, b"\r\n0\r\n\r\n")
    assert reply.status == 501 and closed
    assert reply.headers["content-type"] == "application/xml"
    assert b"<Code>NotImplemented</Code>" in reply.body
    message = b"A header you provided implies functionality that is not implemented"
    assert b"<Message>%b</Message>" % message in reply.body
    assert b"<Header>Transfer-Encoding</Header>" in reply.body
    assert _uploaded(server, app_id, created["jobId"]) is None


def _head(sock: socket.socket) -> bytes:
    """What the server sent up to the end of a reply's head."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    return data


def test_an_http_request_with_expect_100_continue_uploads(server: Served) -> None:
    # http.request(url, {method: "PUT", headers: {"Content-Length": n, Expect: "100-continue"}}),
    # the body written on the "continue" event.
    app_id, created = _deployment(server)
    archive = _zip()
    target, port = _target(created["zipUploadUrl"]), server.server.port
    head = (
        b"PUT %b HTTP/1.1\r\nContent-Length: %d\r\nExpect: 100-continue\r\nHost: 127.0.0.1:%d\r\n"
        b"Connection: keep-alive\r\n\r\n" % (target, len(archive), port)
    )
    with socket.create_connection(("127.0.0.1", server.server.port), timeout=10) as sock:
        sock.sendall(head)
        data = _head(sock)
        assert data == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(archive)
        data = _head(sock)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert _uploaded(server, app_id, created["jobId"])["size"] == len(archive)  # type: ignore[index]


# The SDK's own requests: its header names (lower case, Connection last), SigV4 over its headers.
def _sdk(method: bytes, path: bytes, port: int, body: Optional[bytes] = None) -> bytes:
    framing = b"" if body is None else b"content-type: application/json\r\ncontent-length: %d\r\n" % len(body)
    return (
        b"%b %b HTTP/1.1\r\n%b"
        b"x-amz-user-agent: aws-sdk-js/3.1168.0\r\n"
        b"user-agent: aws-sdk-js/3.1168.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2 "
        b"api/amplify#3.1168.0 m/N,E,e\r\n"
        b"host: 127.0.0.1:%d\r\n"
        b"amz-sdk-invocation-id: 4c56ead2-7234-4538-8a51-0b22880d751a\r\n"
        b"amz-sdk-request: attempt=1; max=3\r\n"
        b"x-amz-date: 20261127T195521Z\r\n"
        b"x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\n"
        b"authorization: AWS4-HMAC-SHA256 Credential=testing/20261127/eu-west-1/amplify/aws4_request, "
        b"SignedHeaders=host;x-amz-date, "
        b"Signature=997dc101b8439cb8a318ee2c5a249a2b3c046cac2ccb0bd5fa12b22339c8bbbf\r\n"
        b"Connection: keep-alive\r\n\r\n%b" % (method, path, framing, port, body or b"")
    )


def test_the_sdks_calls_on_one_kept_alive_connection(server: Served) -> None:
    port = server.server.port
    create = _sdk(b"POST", b"/apps", port, b'{"name":"shop"}')
    replies, closed = exchange(server, create)
    assert not closed
    app = json.loads(replies[0].body)["app"]
    # restJson timestamps are epoch seconds, a JSON number, which the SDK reads into a Date.
    assert isinstance(app["createTime"], (int, float)) and isinstance(app["updateTime"], (int, float))
    assert app["appArn"].startswith("arn:aws:amplify:eu-west-1:")  # the region it signed for
    app_id = app["appId"].encode()
    branch = _sdk(b"POST", b"/apps/%b/branches" % app_id, port, b'{"branchName":"feature/x"}')
    job = _sdk(b"POST", b"/apps/%b/branches/feature%%2Fx/jobs" % app_id, port, b'{"jobType":"RELEASE"}')
    missing = _sdk(b"GET", b"/apps/d0000000000000", port)
    delete = _sdk(b"DELETE", b"/apps/%b" % app_id, port)
    replies, closed = exchange(server, branch + job + missing + delete, replies_due=4)
    assert [reply.status for reply in replies] == [200, 400, 404, 200] and not closed
    # Errors: the x-amzn-ErrorType header (the SDK's error.name) and a `message` member.
    assert replies[1].headers["x-amzn-errortype"] == "BadRequestException"
    assert "is not connected to a repository" in json.loads(replies[1].body)["message"]
    assert replies[2].headers["x-amzn-errortype"] == "NotFoundException"
    assert json.loads(replies[2].body) == {"message": "App d0000000000000 not found."}
    for reply in replies:
        assert reply.headers["content-type"] == "application/json"
        assert reply.headers["x-amzn-requestid"]


def test_a_webhook_posted_with_fetch_starts_a_build(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client, repository=REPO)
    url = client.create_webhook(appId=app_id, branchName="main")["webhook"]["webhookUrl"]
    request = (
        b"POST %b HTTP/1.1\r\nhost: 127.0.0.1:%d\r\nconnection: keep-alive\r\n"
        b"Content-Type: application/json\r\naccept: */*\r\naccept-language: *\r\nsec-fetch-mode: cors\r\n"
        b"user-agent: node\r\naccept-encoding: gzip, deflate\r\ncontent-length: 2\r\n\r\n{}"
        % (_target(url), server.server.port)
    )
    (reply,), _ = exchange(server, request)
    assert reply.status == 200 and "SendMessageResponse" in json.loads(reply.body)
    jobs = client.list_jobs(appId=app_id, branchName="main")["jobSummaries"]
    assert [(job["jobId"], job["jobType"]) for job in jobs] == [("1", "WEB_HOOK")]


# --- The documented recipe, run by Node where it is installed -------------------------------


def _node_modules() -> Optional[Path]:
    """A node_modules folder holding @aws-sdk/client-amplify: AMPLIFY_MOCK_NODE_MODULES, else one
    on NODE_PATH."""
    candidates = [os.environ.get("AMPLIFY_MOCK_NODE_MODULES", "")]
    candidates += os.environ.get("NODE_PATH", "").split(os.pathsep)
    for candidate in candidates:
        if candidate and (Path(candidate) / "@aws-sdk" / "client-amplify" / "package.json").is_file():
            return Path(candidate)
    return None


def _recipe() -> str:
    text = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    section = text.split("\n## From Node.js\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"(?m)^```js\n(.*?)^```", section, re.DOTALL)
    return str(block)


def test_the_docs_have_a_node_recipe() -> None:
    assert "new AmplifyClient({" in _recipe() and "endpoint" in _recipe()


def test_the_node_recipe_runs_as_printed(server: Served, tmp_path: Path) -> None:
    node = shutil.which("node")
    modules = _node_modules()
    if node is None or modules is None:
        pytest.skip("needs node and @aws-sdk/client-amplify (AMPLIFY_MOCK_NODE_MODULES or NODE_PATH)")
    (tmp_path / "node_modules").symlink_to(modules, target_is_directory=True)
    script = tmp_path / "deploy.mjs"
    script.write_text(_recipe(), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AMPLIFY_ENDPOINT=server.url, NO_PROXY="127.0.0.1", NODE_NO_WARNINGS="1")
    ran = subprocess.run(
        [node, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [
        "SUCCEED true", "SUCCEED", "NotFoundException 404 App d0000000000000 not found."
    ]
