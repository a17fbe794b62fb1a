"""Fixtures shared by the content and webhook URL tests; import them explicitly::

    from tests.url_support import DEAD_PROXY, dead_proxy, mock_fixture  # noqa: F401

``dead_proxy`` (autouse where imported) sets a CI's proxy variables to a proxy that refuses every
connection, so a request that bypassed loopback fails here; ``mock`` is an active mock's controller.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from amplify_mock import AmplifyJobs, mock_amplify_jobs

__all__ = ["DEAD_PROXY", "dead_proxy", "mock_fixture"]

DEAD_PROXY = "http://127.0.0.1:9"  # refuses every connection: a request sent there fails here


@pytest.fixture(autouse=True)
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without loopback in NO_PROXY, every client would send its request there.
    for key in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(key, DEAD_PROXY)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.setenv("no_proxy", "internal.example")


@pytest.fixture(name="mock")
def mock_fixture() -> Iterator[AmplifyJobs]:
    with mock_amplify_jobs() as controller:
        yield controller
