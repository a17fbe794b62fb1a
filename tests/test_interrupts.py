"""Ctrl+C at any instant of a mock's start or stop never leaves it half installed.

An interrupt is injected at every line the package runs during a start, and during a stop,
one line per attempt (``sys.settrace``), in two ways:

- as a real SIGINT (``signal.raise_signal``), which is what Ctrl+C is: afterwards the mock is
  at once either fully active or fully gone, and the SIGINT handler is the one before;
- as a KeyboardInterrupt raised right there, which no handler can hold back: afterwards the
  next stop (or start) repairs whatever was left, and the mock then works normally.
"""

from __future__ import annotations

import itertools
import linecache
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any, Callable, Dict, List, Optional, Tuple

import boto3
import botocore.client
import pytest
import requests

import amplify_mock
from amplify_mock import _guards, mock_amplify_jobs
from amplify_mock._mock import MockAmplifyJobs, _interceptor
from tests.helpers import amplify
from tests.robust_support import ENDPOINT, RecordingProxy, route_through

PACKAGE = os.path.dirname(amplify_mock.__file__) + os.sep
HOLDING = os.path.join(PACKAGE, "_interrupts.py")
ORIGINAL_MAKE_REQUEST = botocore.client.BaseClient._make_request
ORIGINAL_SEND = requests.adapters.HTTPAdapter.send
SESSION = object()

pytestmark = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals reach the main thread only"
)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> Any:
    proxy = RecordingProxy()
    route_through(proxy, monkeypatch)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", SESSION)
    yield
    proxy.close()
    assert proxy.seen == [], "requests escaped the mock"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def installed() -> Dict[str, bool]:
    """Which of the mock's pieces are in place."""
    return {
        "botocore": botocore.client.BaseClient._make_request is not ORIGINAL_MAKE_REQUEST,
        "requests": requests.adapters.HTTPAdapter.send is not ORIGINAL_SEND,
        "guards": bool(_guards.installed()),
        "credentials": os.environ.get("AWS_ACCESS_KEY_ID") == "FOOBARKEY",
        "no_proxy": "NO_PROXY" in os.environ,  # loopback, for the mock's content URLs
        "session": boto3.DEFAULT_SESSION is not SESSION,
    }


def fully(on: bool) -> Dict[str, bool]:
    return dict.fromkeys(installed(), on)


def inject(
    action: Callable[[], Any], at: int, how: str, skip: Tuple[str, ...] = (), hammer: bool = False
) -> Optional[str]:
    """Run ``action``, interrupting it at its ``at``-th line event in the package (and, to
    ``hammer``, at every line after it too); return where the first interrupt was injected
    (None if the action ran fewer lines)."""
    lines = itertools.count()
    where: List[str] = []

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event != "line":
            return local
        if hammer and where and where[0] != "skipped":
            signal.raise_signal(signal.SIGINT)
        elif not where and next(lines) == at:
            where.append(f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}")
            if _is_with(frame):
                # Python reports a `with` line again just before calling __exit__; an
                # exception raised there by a tracer skips __exit__ (a lock stays held), which
                # no real interrupt does. Entering one, nothing has happened yet. The same holds
                # for a `try:` line inside a `with` block (seen on CPython 3.11).
                where[0] = "skipped"
            elif how == "signal":
                signal.raise_signal(signal.SIGINT)
            else:
                raise KeyboardInterrupt
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        filename = frame.f_code.co_filename
        if filename.startswith(PACKAGE) and filename not in skip:
            return local
        return None

    sys.settrace(tracer)
    try:
        action()
    except KeyboardInterrupt:
        pass
    finally:
        sys.settrace(None)
    return where[0] if where and where[0] != "skipped" else None


def _is_with(frame: FrameType) -> bool:
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return line.startswith(("with ", "async with ")) or line == "try:"


@pytest.fixture(autouse=True)
def no_lock_left_held() -> Any:
    # A lock left held here would hang the threaded tests that run later in this process.
    yield
    assert not _interceptor.lock._is_owned(), "the interceptor's lock was left held"


def check_works_after() -> None:
    assert installed() == fully(False)
    with mock_amplify_jobs():
        assert installed() == fully(True)
        assert amplify().create_app(name="after")["app"]["name"] == "after"
        assert requests.get(f"{ENDPOINT}/apps", timeout=2).status_code == 200
    assert installed() == fully(False)
    assert _interceptor.depth == 0


def started() -> MockAmplifyJobs:
    mock = MockAmplifyJobs()
    mock.start()
    return mock


def test_every_line_of_start_and_stop_is_reached(lines: Tuple[int, int]) -> None:
    # The injection below is only as good as its coverage: it must reach deep into both.
    assert lines[0] > 40 and lines[1] > 30, lines
    mock = MockAmplifyJobs()
    assert inject(mock.start, 10**9, "raise") is None  # never reached
    assert installed() == fully(True)
    assert inject(mock.stop, 10**9, "raise") is None
    assert installed() == fully(False)


def count_lines(action: Callable[[], Any]) -> int:
    counter = itertools.count()

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            next(counter)
        return local

    sys.settrace(lambda frame, event, arg: local if frame.f_code.co_filename.startswith(PACKAGE) else None)
    try:
        action()
    finally:
        sys.settrace(None)
    return next(counter)


def _line_counts() -> Tuple[int, int]:
    mock = MockAmplifyJobs()
    start = count_lines(mock.start)
    stop = count_lines(mock.stop)
    return start, stop


@pytest.fixture(scope="module")
def lines() -> Tuple[int, int]:
    """How many lines of the package a start, and a stop, run."""
    return _line_counts()


def test_ctrl_c_at_any_line_of_start_leaves_the_mock_fully_on_or_fully_off(lines: Tuple[int, int]) -> None:
    outcomes = set()
    for at in range(lines[0]):
        mock = MockAmplifyJobs()
        where = inject(mock.start, at, "signal")
        if where is None:
            mock.stop()
            continue
        state = installed()
        assert state in (fully(True), fully(False)), (where, state)
        # Either the start completed (no interrupt was raised from it) or it was undone.
        assert (_interceptor.depth == 1) == (state == fully(True)), where
        outcomes.add(state == fully(True))
        mock.stop()
        assert installed() == fully(False), where
    assert outcomes == {False}, "every interrupted start was undone"
    check_works_after()


def test_ctrl_c_at_any_line_of_stop_leaves_the_mock_fully_on_or_fully_off(lines: Tuple[int, int]) -> None:
    for at in range(lines[1]):
        mock = started()
        where = inject(mock.stop, at, "signal")
        state = installed()
        assert state in (fully(True), fully(False)), (where, state)
        mock.stop()  # a stop cut short before it began is simply done again
        assert installed() == fully(False), where
    check_works_after()


def test_ctrl_c_pressed_again_and_again_from_any_line_of_start_leaves_nothing(lines: Tuple[int, int]) -> None:
    for at in range(lines[0]):
        mock = MockAmplifyJobs()
        where = inject(mock.start, at, "signal", hammer=True)
        if where is None:
            mock.stop()
            continue
        assert installed() == fully(False), where
        assert _interceptor.depth == 0 and not _interceptor.dirty, where
    check_works_after()


def test_ctrl_c_pressed_again_and_again_from_any_line_of_stop_completes_it(lines: Tuple[int, int]) -> None:
    for at in range(lines[1]):
        mock = started()
        where = inject(mock.stop, at, "signal", hammer=True)
        if where is None:
            mock.stop()
            continue
        state = installed()
        if state == fully(True):  # pressed before SIGINT was held: the stop never began
            mock.stop()
        assert installed() == fully(False), where
    check_works_after()


def test_an_exception_at_any_line_of_start_is_repaired_by_the_next_stop(lines: Tuple[int, int]) -> None:
    for at in range(lines[0]):
        mock = MockAmplifyJobs()
        where = inject(mock.start, at, "raise", skip=(HOLDING,))
        state = installed()
        assert state in (fully(True), fully(False)), (where, state)
        mock.stop()
        assert installed() == fully(False), where
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, where
    check_works_after()


def test_an_exception_at_any_line_of_stop_is_repaired_by_the_next_start(lines: Tuple[int, int]) -> None:
    for at in range(lines[1]):
        mock = started()
        where = inject(mock.stop, at, "raise", skip=(HOLDING,))
        # Whatever it left, another mock's start and stop put everything right.
        with mock_amplify_jobs():
            assert installed() == fully(True), where
        mock.stop()
        assert installed() == fully(False), where
    check_works_after()


def test_each_install_step_failing_leaves_nothing_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    steps = ["_install", "_guards.install", "patch.start", "RequestsMock.start"]
    targets: Dict[str, Tuple[Any, str]] = {
        "_install": (type(_interceptor), "_install"),
        "_guards.install": (_guards, "install"),
        "patch.start": (__import__("unittest.mock").mock._patch, "start"),
        "RequestsMock.start": (__import__("responses").RequestsMock, "start"),
    }
    for step in steps:
        owner, name = targets[step]
        original = getattr(owner, name)

        def failing(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            raise KeyboardInterrupt

        with monkeypatch.context() as patched:
            patched.setattr(owner, name, failing)
            with pytest.raises(KeyboardInterrupt):
                MockAmplifyJobs().start()
        assert installed() == fully(False), step
        assert _interceptor.depth == 0
    check_works_after()
