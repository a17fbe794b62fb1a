"""Fixtures for the tests of examples/: a stopped clock, the mock, a client and an app with a branch.

A test module uses them with ``pytest_plugins = ("tests.example_support",)``. Every test that depends
on ``clock`` (directly or through ``amplify``, ``client``, ``main_branch``, ``manual_branch``, ``sleep``
or ``now``) runs twice, once under freezegun and once under time-machine.

time-machine does not move ``time.monotonic``, the examples' default ``clock=``, so the tests that wait
pass ``clock=now``: timeouts and elapsed times then follow the stopped clock under both libraries.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator, Tuple

import boto3
import pytest

from amplify_mock import AmplifyJobs, mock_amplify_jobs
from tests.clocks import Clock, clock_fixture

__all__ = ["amplify", "client", "clock_fixture", "main_branch", "manual_branch", "now", "sleep"]


@pytest.fixture
def amplify(clock: Clock) -> Iterator[AmplifyJobs]:
    with mock_amplify_jobs() as controller:
        yield controller


@pytest.fixture
def client(amplify: AmplifyJobs) -> Any:
    return boto3.client("amplify", region_name="us-east-1")


@pytest.fixture
def main_branch(client: Any) -> Tuple[str, str]:
    """(appId, "main") of an app connected to a repository."""
    app_id = client.create_app(
        name="shop", repository="https://github.com/acme/shop", accessToken="token"
    )["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    return app_id, "main"


@pytest.fixture
def manual_branch(client: Any) -> Tuple[str, str]:
    """(appId, "main") of an app without repository: the kind that takes manual deployments."""
    app_id = client.create_app(name="site")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    return app_id, "main"


@pytest.fixture
def sleep(clock: Clock) -> Callable[[float], None]:
    """A ``sleep`` that moves the stopped clock instead of waiting."""
    return clock.advance


@pytest.fixture
def now(clock: Clock) -> Callable[[], float]:
    """Seconds on the stopped clock, under either library: the examples' ``clock=`` for tests."""

    def read() -> float:
        return time.time()  # looked up at each call, so it is the patched one

    return read
