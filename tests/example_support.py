"""Fixtures for the tests of examples/: a frozen clock, the mock, a client and an app with a branch.

A test module uses them with ``pytest_plugins = ("tests.example_support",)``.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, Iterator, Tuple

import boto3
import pytest
from freezegun import freeze_time

from amplify_mock import AmplifyJobs, mock_amplify_jobs

START = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture
def frozen() -> Iterator[Any]:
    """freezegun's clock, stopped at START; ``frozen.tick(seconds)`` moves it."""
    with freeze_time(START) as factory:
        yield factory


@pytest.fixture
def amplify(frozen: Any) -> Iterator[AmplifyJobs]:
    with mock_amplify_jobs() as controller:
        yield controller


@pytest.fixture
def client(amplify: AmplifyJobs) -> Any:
    return boto3.client("amplify", region_name="us-east-1")


@pytest.fixture
def main_branch(client: Any) -> Tuple[str, str]:
    """(appId, "main") of an app connected to a repository."""
    app_id = client.create_app(name="shop", repository="https://github.com/acme/shop")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    return app_id, "main"


@pytest.fixture
def sleep(frozen: Any) -> Callable[[float], None]:
    """A ``sleep`` that moves the frozen clock instead of waiting."""
    return frozen.tick  # type: ignore[no-any-return]
