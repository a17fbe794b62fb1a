"""amplify_mock's pytest plugin: the ``amplify_jobs`` fixture, and an "Amplify jobs" section
in the report of a failing test that used the mock.

The ``pytest11`` entry point loads it into every pytest run where amplify_mock is installed,
so it lives outside the package and imports nothing heavy: amplify_mock (and with it moto,
boto3 and botocore) is imported only when a test uses the fixture, and a report reads the mock
only if something else has imported it already.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable, Generator, Iterator, List, Tuple

import pytest

if TYPE_CHECKING:
    from amplify_mock import AmplifyJobs

SECTION = "Amplify jobs"

# Timelines taken by the decorator when a decorated test raised, while the mock still held the
# jobs; the report of the test's current phase takes them.
_failures: List[Tuple[BaseException, str]] = []


def remember_failure(error: BaseException, timeline: Callable[[], str]) -> None:
    """Called by a decorated test that raised: keep its jobs' timeline for the report."""
    if any(seen is error for seen, _ in _failures):
        return  # an inner decorator (a test method's, within its class's) took it already
    try:
        text = timeline()
    except Exception as problem:  # never let the report hide the test's own failure
        text = f"(the timeline could not be rendered: {problem!r})"
    _failures.append((error, text))


@pytest.fixture
def amplify_jobs() -> Iterator[AmplifyJobs]:
    """Activate the Amplify mock for one test and yield its controller."""
    from amplify_mock import mock_amplify_jobs

    with mock_amplify_jobs() as controller:
        yield controller


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _failures.clear()  # a decorated function that failed outside any test is not this test's


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    texts = [text for _, text in _failures]
    _failures.clear()
    if not report.failed:
        return
    if not texts:
        mock = sys.modules.get("amplify_mock._mock")
        # Active as mock_amplify_jobs(), or as moto's mock_aws() serving Amplify (a fixture's,
        # still running when pytest reports).
        if mock is not None and (mock._interceptor.depth or mock._moto_serving()):
            try:
                text = mock.AmplifyJobs().timeline()
            except Exception as problem:
                text = f"(the timeline could not be rendered: {problem!r})"
            # A mock the test did not ask for by name (a module- or session-scoped fixture of
            # the user's, mock_aws()) is shown when it holds something, so that a failing test that never
            # touched Amplify gets no section.
            nothing = getattr(sys.modules.get("amplify_mock._timeline"), "NOTHING", "")
            asked = "amplify_jobs" in getattr(item, "fixturenames", ())
            if asked or not nothing or not text.rstrip().endswith(nothing):
                texts = [text]
    if texts:
        report.sections.append((SECTION, "\n".join(texts)))
