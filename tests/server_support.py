"""The server tests' fixtures: a server on a free loopback port, and clients aimed at it.

Import the fixtures explicitly (conftest is shared with others)::

    from tests.server_support import server_fixture  # noqa: F401  (provides ``server``)
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Optional

import boto3
import pytest
import requests
from botocore.config import Config

from amplify_mock import _mock
from amplify_mock.server import AmplifyMockServer

__all__ = ["REPO", "Served", "server_fixture", "serving"]

REPO = "https://github.com/acme/shop"
_session: Optional[boto3.session.Session] = None
# Against the server, as against AWS, botocore retries a 429 (a StartJob on a busy branch) with
# real sleeps; the tests' clients make one attempt, so the refusal surfaces at once.
_NO_RETRIES = Config(retries={"max_attempts": 0})


class Served:
    """A running server, with what a test needs to talk to it."""

    def __init__(self, server: AmplifyMockServer) -> None:
        self.server = server
        self.url = server.url
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy between a test and loopback

    def client(self, region: str = "us-east-1") -> Any:
        """A boto3 Amplify client aimed at the server (one shared session keeps this cheap)."""
        global _session
        if _session is None:
            _session = boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing"
            )
        return _session.client("amplify", region_name=region, endpoint_url=self.url, config=_NO_RETRIES)

    def control(self, method: str, name: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, f"{self.url}/_amplify_mock/{name}", timeout=10, **kwargs)

    def advance(self, seconds: float) -> None:
        response = self.control("POST", "clock", json={"advance": seconds})
        assert response.status_code == 200, response.text

    def app_with_branch(self, client: Any, branch: str = "main", repository: Optional[str] = REPO) -> str:
        """An app with one branch; ``repository=None`` makes one that takes deployments."""
        settings = {"repository": repository, "accessToken": "token"} if repository else {}
        app_id = str(client.create_app(name="shop", **settings)["app"]["appId"])
        client.create_branch(appId=app_id, branchName=branch)
        return app_id


@contextmanager
def serving() -> Iterator[Served]:
    """A server on a free loopback port, stopped (and its state dropped) however the block ends."""
    # The server answers through endpoint_url; an in-process mock would not see 127.0.0.1 anyway,
    # but both share amplify_backends, so none may be active meanwhile.
    assert _mock._interceptor.depth == 0, "stop mock_amplify_jobs before starting the server"
    server = AmplifyMockServer("127.0.0.1", 0).start()
    served = Served(server)
    try:
        yield served
    finally:
        served.http.close()
        server.stop()
        _mock._reset_backends()  # leave no apps or clock offset to the tests that follow


@pytest.fixture(name="server")
def server_fixture() -> Iterator[Served]:
    with serving() as served:
        yield served
