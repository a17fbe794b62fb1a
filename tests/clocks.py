"""One controllable clock for lifecycle tests, run under freezegun AND time-machine.

Import the fixture explicitly (it is not in conftest, which others edit)::

    from tests.clocks import clock_fixture  # noqa: F401  (provides the ``clock`` fixture)

Every test that takes ``clock`` runs twice, once per library. ``clock.advance(seconds)`` and
``clock.move_to(when)`` move both the same way; neither ever sleeps.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from typing import Any, Iterator, Union

import pytest
import time_machine
from freezegun import freeze_time

__all__ = ["CLOCKS", "START", "Clock", "clock_fixture", "frozen_clock"]

CLOCKS = ("freezegun", "time-machine")
START = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)

When = Union[datetime.datetime, float, int]


class Clock:
    """The same two moves over freezegun's ``tick``/``move_to`` and time-machine's ``shift``/``move_to``."""

    def __init__(self, name: str, handle: Any) -> None:
        self.name = name
        self._handle = handle

    def advance(self, seconds: float) -> None:
        delta = datetime.timedelta(seconds=seconds)
        if self.name == "freezegun":
            self._handle.tick(delta)
        else:
            self._handle.shift(delta)

    def move_to(self, when: When) -> None:
        if not isinstance(when, datetime.datetime):
            when = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
        self._handle.move_to(when)

    def __repr__(self) -> str:
        return f"Clock({self.name})"


@contextmanager
def frozen_clock(name: str, start: datetime.datetime = START) -> Iterator[Clock]:
    """A clock stopped at ``start`` that moves only when told to."""
    if name == "freezegun":
        with freeze_time(start) as factory:
            yield Clock(name, factory)
    elif name == "time-machine":
        with time_machine.travel(start, tick=False) as traveller:
            yield Clock(name, traveller)
    else:
        raise ValueError(f"unknown clock {name!r}; use one of {CLOCKS}")


@pytest.fixture(name="clock", params=CLOCKS)
def clock_fixture(request: pytest.FixtureRequest) -> Iterator[Clock]:
    """A stopped clock, once under freezegun and once under time-machine."""
    with frozen_clock(request.param) as controlled:
        yield controlled
