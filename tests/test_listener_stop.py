"""The loopback listener behind in-process content URLs is gone once the last mock has
stopped: its port refuses connections and none of its threads is left, as soon as the stop
returns, and the next mock serves its URLs from a listener of its own."""

from __future__ import annotations

import socket
import threading
import urllib.request
from typing import Any, List, Tuple
from urllib.parse import urlsplit

import pytest

from amplify_mock import Durations, _content, mock_amplify_jobs
from amplify_mock._http import WSGIServer
from tests.helpers import amplify


def _log_url() -> Tuple[str, Any]:
    client = amplify()
    app_id = client.create_app(
        name="shop", repository="https://github.com/acme/shop", accessToken="token")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    job_id = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]["jobId"]
    job = client.get_job(appId=app_id, branchName="main", jobId=job_id)["job"]
    return str(job["steps"][0]["logUrl"]), job


def _listener_threads() -> List[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("amplify-mock-content")]


def test_a_stopped_mock_leaves_no_listener_behind() -> None:
    with mock_amplify_jobs() as mock:
        mock.durations = Durations.zero()
        url, _ = _log_url()
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
        assert _listener_threads()
    port = urlsplit(url).port
    assert port is not None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert _listener_threads() == []


def test_the_next_mock_serves_its_urls_again() -> None:
    for _ in range(3):
        with mock_amplify_jobs() as mock:
            mock.durations = Durations.zero()
            url, _ = _log_url()
            with urllib.request.urlopen(url, timeout=10) as response:
                assert b"Build completed successfully" in response.read()
        assert _listener_threads() == []


def test_reading_a_job_starts_no_http_server_until_a_client_connects() -> None:
    before = set(threading.enumerate())

    def new_threads() -> List[str]:
        return sorted(thread.name for thread in threading.enumerate() if thread not in before)

    with mock_amplify_jobs() as mock:
        mock.durations = Durations.zero()
        url, _ = _log_url()
        # A listening socket and the one thread waiting on it; no server, no workers.
        assert new_threads() == ["amplify-mock-content"]
        with urllib.request.urlopen(url, timeout=10) as response:
            assert b"Build completed successfully" in response.read()
        assert len(new_threads()) > 1
    assert new_threads() == []


def test_a_listener_never_connected_to_is_gone_with_its_mock() -> None:
    before = set(threading.enumerate())
    with mock_amplify_jobs() as mock:
        mock.durations = Durations.zero()
        url, _ = _log_url()
    port = urlsplit(url).port
    assert port is not None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert [thread for thread in threading.enumerate() if thread not in before] == []


def test_a_client_already_connected_when_the_server_starts_is_served() -> None:
    with mock_amplify_jobs() as mock:
        mock.durations = Durations.zero()
        url, _ = _log_url()
        parts = urlsplit(url)
        assert parts.port is not None
        # Two connections made at once, before any server thread runs: both wait in the
        # socket's backlog and both are answered.
        first = socket.create_connection(("127.0.0.1", parts.port), timeout=10)
        second = socket.create_connection(("127.0.0.1", parts.port), timeout=10)
        request = (
            f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Connection: close\r\n\r\n"
        )
        for connection in (second, first):
            with connection:
                connection.sendall(request.encode())
                reply = b""
                while chunk := connection.recv(65536):
                    reply += chunk
                assert reply.startswith(b"HTTP/1.1 200 ")
                assert b"Build completed successfully" in reply


def test_silent_connections_do_not_starve_the_listener() -> None:
    with mock_amplify_jobs() as mock:
        mock.durations = Durations.zero()
        url, _ = _log_url()
        port = urlsplit(url).port
        assert port is not None
        silent = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(8)]
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                assert b"Build completed successfully" in response.read()
        finally:
            for connection in silent:
                connection.close()


def test_a_stopped_server_is_never_bound_again() -> None:
    """The listener's thread serves what it bound outside its lock: a stop in between makes
    serve() return instead of binding the closed socket again."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(8)
    server = WSGIServer(_content.app, "127.0.0.1", 0, threads=1, sock=listening)
    server.bind()
    server.stop()
    server.serve()  # returns at once
    assert not server.bound
    assert listening.fileno() == -1  # closed by the stop
