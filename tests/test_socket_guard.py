"""Under a guard that forbids sockets (pytest-socket's ``--disable-socket``), the API works.

The guard replaces ``socket.socket`` with a subclass that refuses to be made, as
pytest-socket's ``disable_socket()`` does. The calls that hand out URLs start the mock's
loopback listener, which binds 127.0.0.1 and never connects out: it is made anyway, while
the test's own HTTP clients stay refused.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
import requests
from freezegun import freeze_time

from amplify_mock import mock_amplify_jobs


class SocketBlocked(RuntimeError):
    """What the guard raises (pytest-socket's SocketBlockedError is a RuntimeError too)."""


class GuardedSocket(socket.socket):
    """pytest-socket's guard: no socket can be made."""

    def __new__(cls, *args: Any, **kwargs: Any) -> GuardedSocket:
        raise SocketBlocked("A test tried to use socket.socket.")


@pytest.fixture
def sockets_disabled(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket, "socket", GuardedSocket)
    yield


def test_jobs_webhooks_and_deployments_are_served_with_sockets_disabled(sockets_disabled: None) -> None:
    with freeze_time("2026-01-01") as clock, mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(
            name="shop", repository="https://github.com/acme/shop", accessToken="token"
        )["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        job_id = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]["jobId"]
        clock.tick(3600)
        job = client.get_job(appId=app_id, branchName="main", jobId=job_id)["job"]
        assert job["summary"]["status"] == "SUCCEED"
        assert job["steps"][0]["logUrl"].startswith("http://127.0.0.1:")
        hook = client.create_webhook(appId=app_id, branchName="main")["webhook"]
        assert "/prod/webhooks?id=" in hook["webhookUrl"]

        manual = client.create_app(name="site")["app"]["appId"]
        client.create_branch(appId=manual, branchName="main")
        created = client.create_deployment(appId=manual, branchName="main")
        # The test's own client is still refused by the guard: nothing is opened for it.
        with pytest.raises(SocketBlocked):
            requests.put(created["zipUploadUrl"], data=b"", timeout=5)


def test_the_listener_started_under_the_guard_serves_once_sockets_are_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = socket.socket
    with mock_amplify_jobs() as amplify:
        client = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(name="site")["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        monkeypatch.setattr(socket, "socket", GuardedSocket)
        created = client.create_deployment(appId=app_id, branchName="main")
        monkeypatch.setattr(socket, "socket", real)
        upload = requests.put(created["zipUploadUrl"], data=b"PK\x05\x06" + b"\0" * 18, timeout=5)
        assert upload.status_code == 200
        client.start_deployment(appId=app_id, branchName="main", jobId=created["jobId"])
        assert amplify.deployment(app_id, "main", created["jobId"]).zip is not None


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_a_curl_subprocess_uploads_under_the_guard(sockets_disabled: None, tmp_path: Path) -> None:
    # The guard holds in this process only: a deploy script's curl connects, and the listener
    # accepts it although the guard would refuse to make the accepted socket.
    site = tmp_path / "site.zip"
    site.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    with mock_amplify_jobs() as amplify:
        client = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(name="site")["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        created = client.create_deployment(appId=app_id, branchName="main")
        curl = subprocess.run(
            ["curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
             "--upload-file", str(site), created["zipUploadUrl"]],
            capture_output=True, text=True, check=False,
        )
        assert (curl.returncode, curl.stdout) == (0, "200"), curl.stderr
        client.start_deployment(appId=app_id, branchName="main", jobId=created["jobId"])
        assert amplify.deployment(app_id, "main", created["jobId"]).zip == site.read_bytes()
