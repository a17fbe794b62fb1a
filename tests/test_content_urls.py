"""Content URLs (deployment uploads, build logs, artifacts) work with any HTTP client, in-process
and in server mode, and none reaches the network: they point at a loopback listener."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import http.client
import io
import os
import socket
import subprocess
import urllib.error
import urllib.request
import zipfile
from typing import Any, Dict
from urllib.parse import urlsplit

import aiohttp
import httpx
import pytest
import requests
from moto import mock_aws

from amplify_mock import AmplifyJobs, Durations, _content, mock_amplify_jobs
from tests.clocks import Clock, clock_fixture  # noqa: F401
from tests.helpers import amplify
from tests.server_support import server_fixture  # noqa: F401  (provides ``server``)
from tests.url_support import DEAD_PROXY, dead_proxy, mock_fixture  # noqa: F401

BRANCH = "main"
SITE = {"index.html": b"<h1>shop</h1>", "css/app.css": b"h1 { color: red }"}


def site_zip(files: Dict[str, bytes] = SITE) -> bytes:
    # A fixed date for every member: the same files make the same bytes, however many seconds
    # (of a busy machine's wall clock) lie between two calls.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def manual_app(client: Any) -> str:
    app_id = str(client.create_app(name="shop")["app"]["appId"])
    client.create_branch(appId=app_id, branchName=BRANCH)
    return app_id


def create(client: Any, app_id: str, **kwargs: Any) -> Dict[str, Any]:
    return dict(client.create_deployment(appId=app_id, branchName=BRANCH, **kwargs))


def urllib_put(url: str, data: bytes) -> int:
    request = urllib.request.Request(url, data=data, method="PUT")
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def urllib_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def s3_error(url: str, data: bytes) -> urllib.error.HTTPError:
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib_put(url, data)
    return excinfo.value


# --- Every client can upload, and the controller shows what was deployed ---------------------


def test_upload_urls_point_at_a_loopback_listener(mock: AmplifyJobs) -> None:
    client = amplify()
    created = create(client, manual_app(client), fileMap={"index.html": "0" * 32})
    for url in [created["zipUploadUrl"], *created["fileUploadUrls"].values()]:
        parts = urlsplit(url)
        assert (parts.scheme, parts.hostname) == ("http", "127.0.0.1")
        assert "X-Amz-Expires=10800" in parts.query  # as AWS's presigned upload URLs


def _put_with(client_name: str, url: str, data: bytes) -> int:
    if client_name == "urllib":
        return urllib_put(url, data)
    if client_name == "http.client":
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request("PUT", f"{parts.path}?{parts.query}", body=data)
            return connection.getresponse().status
        finally:
            connection.close()
    if client_name == "httpx":
        return httpx.put(url, content=data, timeout=10).status_code
    if client_name == "httpx-async":

        async def put() -> int:
            async with httpx.AsyncClient(timeout=10) as session:
                return (await session.put(url, content=data)).status_code

        return asyncio.run(put())
    if client_name == "aiohttp":

        async def put() -> int:
            async with aiohttp.ClientSession(trust_env=True) as session:
                async with session.put(url, data=data) as response:
                    return response.status

        return asyncio.run(put())
    if client_name == "requests":
        return requests.put(url, data=data, timeout=10).status_code
    if client_name == "curl":
        written = subprocess.run(
            ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT",
             "--data-binary", "@-", url],
            input=data, capture_output=True, timeout=30, check=True, env=dict(os.environ),
        )
        return int(written.stdout)
    raise AssertionError(client_name)


CLIENTS = ["urllib", "http.client", "httpx", "httpx-async", "aiohttp", "requests", "curl"]


@pytest.mark.parametrize("client_name", CLIENTS)
def test_every_http_client_uploads_through_a_ci_proxy_setting(mock: AmplifyJobs, client_name: str) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    archive = site_zip()
    assert _put_with(client_name, created["zipUploadUrl"], archive) == 200
    deployed = mock.deployment(app_id, BRANCH, created["jobId"])
    assert deployed.zip == archive
    assert deployed.files == SITE
    assert deployed.file_names == ["css/app.css", "index.html"]


def test_file_map_uploads_are_the_deployed_files(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id, fileMap={name: "0" * 32 for name in SITE})
    for name, data in SITE.items():
        assert urllib_put(created["fileUploadUrls"][name], data) == 200
    client.start_deployment(appId=app_id, branchName=BRANCH, jobId=created["jobId"])
    deployed = mock.deployment(app_id, BRANCH, created["jobId"])
    assert (deployed.zip, deployed.files) == (None, SITE)


def test_a_later_put_replaces_an_earlier_one_until_the_deployment_starts(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    urllib_put(created["zipUploadUrl"], b"first")
    urllib_put(created["zipUploadUrl"], site_zip())
    client.start_deployment(appId=app_id, branchName=BRANCH, jobId=created["jobId"])
    urllib_put(created["zipUploadUrl"], b"too late")
    assert mock.deployment(app_id, BRANCH, created["jobId"]).zip == site_zip()


def test_a_deployment_missing_a_file_of_its_file_map_fails_at_deploy_naming_it(
    mock: AmplifyJobs, clock: Clock
) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id, fileMap={name: "0" * 32 for name in SITE})
    urllib_put(created["fileUploadUrls"]["index.html"], SITE["index.html"])
    client.start_deployment(appId=app_id, branchName=BRANCH, jobId=created["jobId"])
    clock.advance(3600)
    job = client.get_job(appId=app_id, branchName=BRANCH, jobId=created["jobId"])["job"]
    assert job["summary"]["status"] == "FAILED"
    assert job["steps"][0]["stepName"] == "DEPLOY"
    assert "css/app.css" in job["steps"][0]["statusReason"]


def test_reading_the_deployment_of_an_unknown_job_is_not_found(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = manual_app(client)
    from amplify_mock.exceptions import NotFoundException

    with pytest.raises(NotFoundException):
        mock.deployment(app_id, BRANCH, "7")


# --- S3's refusals change nothing --------------------------------------------------------------


def test_an_upload_over_the_limit_gets_entity_too_large_and_changes_nothing(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    urllib_put(created["zipUploadUrl"], b"small")
    mock.max_upload_size = 1024
    refused = s3_error(created["zipUploadUrl"], b"x" * 1025)
    assert refused.code == 400
    body = refused.read().decode()
    assert "<Code>EntityTooLarge</Code>" in body
    assert "<Message>Your proposed upload exceeds the maximum allowed size</Message>" in body
    assert "<MaxSizeAllowed>1024</MaxSizeAllowed>" in body
    assert mock.deployment(app_id, BRANCH, created["jobId"]).zip == b"small"
    assert urllib_put(created["zipUploadUrl"], b"x" * 1024) == 200


def test_the_upload_limit_is_checked(mock: AmplifyJobs) -> None:
    assert mock.max_upload_size == 5 * 1024**3  # S3's limit for one PUT
    for bad in (-1, 1.5, True, "10"):
        with pytest.raises(ValueError):
            mock.max_upload_size = bad  # type: ignore[assignment]


def test_an_upload_url_expires_after_three_hours_as_aws_presigns_it(mock: AmplifyJobs, clock: Clock) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    clock.advance(10800)
    assert urllib_put(created["zipUploadUrl"], b"in time") == 200
    clock.advance(1)
    refused = s3_error(created["zipUploadUrl"], b"too late")
    assert refused.code == 403
    body = refused.read().decode()
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in body
    assert "<X-Amz-Expires>10800</X-Amz-Expires>" in body
    assert mock.deployment(app_id, BRANCH, created["jobId"]).zip == b"in time"


def test_an_edited_upload_url_does_not_match_its_signature(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    tampered = created["zipUploadUrl"].replace("X-Amz-Expires=10800", "X-Amz-Expires=99999")
    refused = s3_error(tampered, b"data")
    assert refused.code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in refused.read().decode()
    assert mock.deployment(app_id, BRANCH, created["jobId"]).zip is None


def test_an_upload_url_is_signed_for_put_only(mock: AmplifyJobs) -> None:
    client = amplify()
    created = create(client, manual_app(client))
    for method in ("GET", "HEAD", "POST", "DELETE"):
        response = requests.request(method, created["zipUploadUrl"], timeout=5)
        assert response.status_code == 403, method
        if method != "HEAD":
            assert "<Code>SignatureDoesNotMatch</Code>" in response.text


def _raw(url: str, request: bytes, *, close_write: bool = False) -> bytes:
    """Send bytes as they are (no client fixes them up) and read the whole reply; a reply that
    never comes fails on the timeout instead of hanging the suite."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(request)
        if close_write:
            sock.shutdown(socket.SHUT_WR)
        reply = sock.makefile("rb")
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            line = reply.readline()
            assert line, f"the connection closed after {head!r}"
            head += line
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        return head + reply.read(length)


def _target(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_a_chunked_upload_is_refused_as_s3_refuses_it(mock: AmplifyJobs) -> None:
    # S3 takes no Transfer-Encoding on a PUT: 501 NotImplemented naming the header (replies quoted
    # in aws/aws-sdk-go#4944 and aws/aws-sdk-js#1237). requests sends a generator body chunked.
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    refused = requests.put(created["zipUploadUrl"], data=iter([b"x" * 10, b"y" * 10]), timeout=10)
    assert refused.status_code == 501 and refused.headers["Connection"] == "close"
    assert "<Code>NotImplemented</Code>" in refused.text
    assert "<Message>A header you provided implies functionality that is not implemented</Message>" in (
        refused.text
    )
    assert "<Header>Transfer-Encoding</Header>" in refused.text
    assert mock.deployment(app_id, BRANCH, created["jobId"]).zip is None
    assert requests.put(created["zipUploadUrl"], data=b"x" * 20, timeout=10).status_code == 200


def test_a_put_without_a_length_is_refused_at_once(mock: AmplifyJobs) -> None:
    client = amplify()
    created = create(client, manual_app(client))
    url = created["zipUploadUrl"]
    reply = _raw(url, f"PUT {_target(url)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert reply.startswith(b"HTTP/1.1 411") and b"<Code>MissingContentLength</Code>" in reply


def test_requests_without_a_body_to_any_content_path_are_answered_at_once(mock: AmplifyJobs) -> None:
    client = amplify()
    created = create(client, manual_app(client))
    origin = created["zipUploadUrl"].split("/_amplify_mock/")[0]
    assert requests.get(origin + "/", timeout=5).status_code == 404
    assert requests.get(origin + "/favicon.ico", timeout=5).status_code == 404
    response = requests.delete(origin + "/_amplify_mock/artifacts/x/y", timeout=5)
    assert response.status_code == 405 and "<Code>MethodNotAllowed</Code>" in response.text


def test_a_body_cut_short_gets_incomplete_body_and_changes_nothing(
    mock: AmplifyJobs, capfd: pytest.CaptureFixture[str]
) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    url = created["zipUploadUrl"]
    head = f"PUT {_target(url)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    short = _raw(url, (head + "Content-Length: 100\r\n\r\n").encode() + b"x" * 50, close_write=True)
    assert short.startswith(b"HTTP/1.1 400") and b"<Code>IncompleteBody</Code>" in short
    assert mock.deployment(app_id, BRANCH, created["jobId"]).zip is None
    assert "Traceback" not in capfd.readouterr().err


def test_content_md5_is_checked_as_s3_checks_it(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    url = created["zipUploadUrl"]
    good = base64.b64encode(hashlib.md5(b"site").digest()).decode()
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    response = requests.put(url, data=b"site", headers={"Content-MD5": wrong}, timeout=5)
    assert response.status_code == 400 and "<Code>BadDigest</Code>" in response.text
    response = requests.put(url, data=b"site", headers={"Content-MD5": "not base64!"}, timeout=5)
    assert response.status_code == 400 and "<Code>InvalidDigest</Code>" in response.text
    assert mock.deployment(app_id, BRANCH, created["jobId"]).zip is None
    assert requests.put(url, data=b"site", headers={"Content-MD5": good}, timeout=5).status_code == 200


@pytest.mark.parametrize("branch", ["fix=1", "feature/a b", "ünï"])
@pytest.mark.parametrize("client_name", ["aiohttp", "requests", "urllib", "curl"])
def test_names_that_clients_escape_differently_still_match_the_signature(
    mock: AmplifyJobs, branch: str, client_name: str
) -> None:
    client = amplify()
    app_id = str(client.create_app(name="shop")["app"]["appId"])
    client.create_branch(appId=app_id, branchName=branch)
    names = ["a=b.html", "(x),y;z:@!*'&$.css", ".", "..", "dir/../x.txt"]
    created = client.create_deployment(appId=app_id, branchName=branch, fileMap={n: "0" * 32 for n in names})
    for name in names:
        assert _put_with(client_name, created["fileUploadUrls"][name], name.encode()) == 200, name
    assert mock.deployment(app_id, branch, created["jobId"]).files == {n: n.encode() for n in names}


def test_an_upload_for_a_deleted_job_is_refused(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    client.delete_branch(appId=app_id, branchName=BRANCH)
    response = requests.put(created["zipUploadUrl"], data=b"x", timeout=10)
    assert response.status_code == 404 and "<Code>NoSuchKey</Code>" in response.text


# --- Build logs and artifacts ------------------------------------------------------------------


def _build(client: Any, mock: AmplifyJobs, **script: Any) -> str:
    app_id = str(client.create_app(
        name="shop", repository="https://github.com/acme/shop", accessToken="token")["app"]["appId"]
    )
    client.create_branch(appId=app_id, branchName=BRANCH)
    if script:
        mock.fail_next(app_id, BRANCH, **script)
    client.start_job(appId=app_id, branchName=BRANCH, jobType="RELEASE", commitId="abc123")
    return app_id


def _steps(client: Any, app_id: str) -> Dict[str, Dict[str, Any]]:
    job = client.get_job(appId=app_id, branchName=BRANCH, jobId="1")["job"]
    return {step["stepName"]: step for step in job["steps"]}


def test_a_step_log_is_an_amplify_build_log_in_mock_time(mock: AmplifyJobs, clock: Clock) -> None:
    client = amplify()
    mock.durations = Durations(pending=2, provisioning=15, build=100)
    app_id = _build(client, mock)
    clock.advance(17 + 50)  # halfway through BUILD
    log = urllib_get(_steps(client, app_id)["BUILD"]["logUrl"]).decode()
    lines = log.splitlines()
    assert lines[0] == (
        "2024-05-01T12:00:17.000Z [INFO]: # Build environment configured with Standard build compute "
        "type: 8GiB Memory, 4vCPUs, 128GB Disk Space"
    )
    assert "2024-05-01T12:00:18.000Z [INFO]: # Switching to commit: abc123" in lines
    assert "# Completed phase: build" not in log  # not written yet
    clock.advance(50)
    log = urllib_get(_steps(client, app_id)["BUILD"]["logUrl"]).decode()
    assert log.splitlines()[-1] == "2024-05-01T12:01:57.000Z [INFO]: ## Build completed successfully"


def test_a_failed_step_log_carries_the_scripted_reason(mock: AmplifyJobs, clock: Clock) -> None:
    client = amplify()
    app_id = _build(client, mock, step="BUILD", reason="npm ERR! missing script: build")
    clock.advance(3600)
    step = _steps(client, app_id)["BUILD"]
    log = httpx.get(step["logUrl"], timeout=10).text
    assert "[ERROR]: !!! Build failed\n" in log
    assert f"[ERROR]: !!! Error: {step['statusReason']}\n" in log
    assert step["statusReason"] == "npm ERR! missing script: build"


def test_a_stopped_step_log_says_it_was_cancelled(mock: AmplifyJobs, clock: Clock) -> None:
    client = amplify()
    app_id = _build(client, mock)
    clock.advance(30)
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    clock.advance(10)
    log = urllib_get(_steps(client, app_id)["BUILD"]["logUrl"]).decode()
    assert "2024-05-01T12:00:30.000Z [INFO]: # Received a request to cancel the job" in log
    assert log.endswith("[INFO]: Terminating logging...\n")


def test_artifacts_of_a_succeeded_build_are_a_zip(mock: AmplifyJobs, clock: Clock) -> None:
    client = amplify()
    app_id = _build(client, mock)
    clock.advance(3600)
    url = _steps(client, app_id)["BUILD"]["artifactsUrl"]
    with zipfile.ZipFile(io.BytesIO(urllib_get(url))) as archive:
        assert "abc123" in archive.read("index.html").decode()
    assert urllib_get(url) == urllib_get(url)  # the same build gives the same bytes


def test_artifacts_of_a_failed_build_and_logs_of_unstarted_steps_do_not_exist(
    mock: AmplifyJobs, clock: Clock
) -> None:
    client = amplify()
    app_id = _build(client, mock, step="BUILD")
    clock.advance(20)
    build = _steps(client, app_id)["BUILD"]
    clock.advance(3600)
    response = requests.get(build["artifactsUrl"], timeout=10)
    assert response.status_code == 404 and "<Code>NoSuchKey</Code>" in response.text
    deploy_log = build["logUrl"].replace("/BUILD/", "/DEPLOY/")
    assert requests.get(deploy_log, timeout=10).status_code == 404


def test_a_deployment_log_names_what_was_deployed(mock: AmplifyJobs, clock: Clock) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    urllib_put(created["zipUploadUrl"], site_zip())
    client.start_deployment(appId=app_id, branchName=BRANCH, jobId=created["jobId"])
    clock.advance(3600)
    job = client.get_job(appId=app_id, branchName=BRANCH, jobId=created["jobId"])["job"]
    log = urllib_get(job["steps"][0]["logUrl"]).decode()
    size = len(site_zip())
    assert f"[INFO]: Deploying the uploaded zip ({size} bytes, 2 files)\n" in log
    assert log.endswith("[INFO]: Deployment complete\n")


# --- The listener: lazy, loopback only, gone with the mock ------------------------------------


def test_the_listener_starts_only_when_a_url_is_handed_out_and_stops_with_the_mock() -> None:
    with mock_amplify_jobs():
        client = amplify()
        app_id = manual_app(client)
        client.get_app(appId=app_id)
        assert not _content.listener_running()
        url = create(client, app_id)["zipUploadUrl"]
        assert _content.listener_running()
    assert not _content.listener_running()
    with pytest.raises(OSError):
        urllib_put(url, b"after the mock")


def test_loopback_is_in_no_proxy_while_active_and_restored_after() -> None:
    before = (os.environ.get("NO_PROXY"), os.environ.get("no_proxy"))
    with mock_amplify_jobs():
        for key in ("NO_PROXY", "no_proxy"):
            hosts = os.environ[key].split(",")
            assert "127.0.0.1" in hosts and "localhost" in hosts
        assert "internal.example" in os.environ["no_proxy"].split(",")
    assert (os.environ.get("NO_PROXY"), os.environ.get("no_proxy")) == before


def test_content_urls_work_under_moto_mock_aws_too(monkeypatch: pytest.MonkeyPatch) -> None:
    import amplify_mock  # noqa: F401  (what lets mock_aws serve Amplify)

    # Under mock_aws() alone the mock does not manage NO_PROXY: the user's setting must name loopback.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with mock_aws():
        client = amplify()
        app_id = manual_app(client)
        created = create(client, app_id)
        assert urllib_put(created["zipUploadUrl"], b"zip") == 200
    _content.stop_listener()


# --- Server mode serves the same paths ---------------------------------------------------------


def test_server_content_urls_lead_back_to_the_server(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # a server user's own setting
    client = server.client()
    app_id = manual_app(client)
    created = create(client, app_id)
    assert created["zipUploadUrl"].startswith(server.url + "/_amplify_mock/uploads/")
    assert urllib_put(created["zipUploadUrl"], site_zip()) == 200
    client.start_deployment(appId=app_id, branchName=BRANCH, jobId=created["jobId"])
    server.advance(3600)
    job = client.get_job(appId=app_id, branchName=BRANCH, jobId=created["jobId"])["job"]
    assert job["summary"]["status"] == "SUCCEED"
    assert job["steps"][0]["logUrl"].startswith(server.url + "/_amplify_mock/artifacts/")
    assert "Deployment complete" in server.http.get(job["steps"][0]["logUrl"], timeout=10).text
    assert not _content.listener_running()


def test_the_server_shows_what_was_uploaded(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    client = server.client()
    app_id = manual_app(client)
    created = create(client, app_id, fileMap={"index.html": "0" * 32, "css/app.css": "0" * 32})
    assert urllib_put(created["fileUploadUrls"]["index.html"], b"<h1>shop</h1>") == 200
    where = {"appId": app_id, "branchName": BRANCH, "jobId": created["jobId"]}
    shown = server.control("GET", "deployment", params=where).json()
    assert shown == {
        "zip": None,
        "files": {
            "index.html": {
                "size": 13,
                "md5": hashlib.md5(b"<h1>shop</h1>").hexdigest(),
                "base64": base64.b64encode(b"<h1>shop</h1>").decode(),
            }
        },
    }
    missing = server.control("GET", "deployment", params={**where, "jobId": "9"})
    assert missing.status_code == 404 and missing.headers["x-amzn-ErrorType"] == "NotFoundException"
    assert server.control("GET", "deployment", params={"appId": app_id}).status_code == 400


def test_the_server_sets_the_upload_limit(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    assert server.control("GET", "max-upload-size").json() == {"maxUploadSize": 5 * 1024**3}
    assert server.control("POST", "max-upload-size", json={"maxUploadSize": 4}).json() == {"maxUploadSize": 4}
    assert server.control("POST", "max-upload-size", json={"maxUploadSize": -1}).status_code == 400
    client = server.client()
    created = create(client, manual_app(client))
    response = requests.put(created["zipUploadUrl"], data=b"12345", timeout=5)
    assert response.status_code == 400 and "<MaxSizeAllowed>4</MaxSizeAllowed>" in response.text


# --- Uploads are let go of, and read only when asked -----------------------------------------


def _held(mock: AmplifyJobs, app_id: str, job_id: str) -> Any:
    job = mock.backend()._job(mock.backend().get_branch(app_id, BRANCH), job_id)
    return job.zip_upload


def test_uploads_are_closed_when_their_job_branch_or_mock_goes(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = manual_app(client)
    mock.durations = Durations.zero()  # each deployment ends as it starts
    held = []
    for _ in range(3):
        created = create(client, app_id)
        urllib_put(created["zipUploadUrl"], b"zip")
        held.append(_held(mock, app_id, created["jobId"]))
        client.start_deployment(appId=app_id, branchName=BRANCH, jobId=created["jobId"])
        if len(held) == 1:
            client.delete_job(appId=app_id, branchName=BRANCH, jobId=created["jobId"])
            assert held[0].closed
    assert not held[1].closed
    client.delete_branch(appId=app_id, branchName=BRANCH)
    assert held[1].closed and held[2].closed
    client.create_branch(appId=app_id, branchName=BRANCH)
    created = create(client, app_id)
    urllib_put(created["zipUploadUrl"], b"zip")
    last = _held(mock, app_id, created["jobId"])
    mock.reset()
    assert last.closed


def test_start_deployment_takes_the_upload_without_reading_it(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = manual_app(client)
    created = create(client, app_id)
    big = b"x" * (9 * 1024 * 1024)  # past what is held in memory
    assert requests.put(created["zipUploadUrl"], data=big, timeout=30).status_code == 200
    upload = _held(mock, app_id, created["jobId"])
    client.start_deployment(appId=app_id, branchName=BRANCH, jobId=created["jobId"])
    job = mock.backend()._job(mock.backend().get_branch(app_id, BRANCH), created["jobId"])
    assert job.deployed_zip is upload and upload._rolled  # on disk, not copied into memory
    assert mock.deployment(app_id, BRANCH, created["jobId"]).zip == big


def test_urls_outlive_an_inner_mock_while_mock_aws_holds_the_state(monkeypatch: pytest.MonkeyPatch) -> None:
    import amplify_mock  # noqa: F401

    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with mock_aws():
        client = amplify()
        app_id = manual_app(client)
        created = create(client, app_id)
        with mock_amplify_jobs():
            pass
        assert urllib_put(created["zipUploadUrl"], b"zip") == 200
    _content.stop_listener()


def test_no_proxy_keeps_the_users_hosts_of_either_spelling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "internal.corp")
    monkeypatch.delenv("no_proxy")
    with mock_amplify_jobs():
        for key in ("NO_PROXY", "no_proxy"):
            assert os.environ[key] == "internal.corp,127.0.0.1,localhost"
        assert requests.utils.should_bypass_proxies("http://internal.corp/", None)
    assert os.environ["NO_PROXY"] == "internal.corp" and "no_proxy" not in os.environ


# --- Tailing a log ----------------------------------------------------------------------------


def test_a_poller_tails_a_growing_log_with_ranges(mock: AmplifyJobs, clock: Clock) -> None:
    client = amplify()
    app_id = _build(client, mock)
    clock.advance(17 + 10)
    url = _steps(client, app_id)["BUILD"]["logUrl"]
    first = requests.get(url, timeout=5)
    assert first.status_code == 200 and first.headers["Accept-Ranges"] == "bytes"
    clock.advance(3600)
    rest = requests.get(url, headers={"Range": f"bytes={len(first.content)}-"}, timeout=5)
    assert rest.status_code == 206
    whole = requests.get(url, timeout=5).content
    assert first.content + rest.content == whole
    assert rest.headers["Content-Range"] == f"bytes {len(first.content)}-{len(whole) - 1}/{len(whole)}"
    past = requests.get(url, headers={"Range": f"bytes={len(whole)}-"}, timeout=5)
    assert past.status_code == 416 and "<Code>InvalidRange</Code>" in past.text
    tail = requests.get(url, headers={"Range": "bytes=-10"}, timeout=5)
    assert (tail.status_code, tail.content) == (206, whole[-10:])
