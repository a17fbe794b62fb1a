"""The ``amplify_jobs`` pytest fixture, registered through the ``pytest11`` entry point."""

from __future__ import annotations

from typing import Iterator

import pytest

from ._mock import AmplifyJobs, mock_amplify_jobs


@pytest.fixture
def amplify_jobs() -> Iterator[AmplifyJobs]:
    """Activate the Amplify mock for one test and yield its controller."""
    with mock_amplify_jobs() as controller:
        yield controller
