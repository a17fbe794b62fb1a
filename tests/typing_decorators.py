"""Checked by ``mypy --strict`` (``tox -e type``), never run: both decorator forms keep the
decorated function's type, and ``mock_amplify_jobs()`` is the mock."""

from __future__ import annotations

import asyncio
import unittest
from typing import AsyncIterator, Iterator, Type

from typing_extensions import assert_type

from amplify_mock import AmplifyJobs, MockAmplifyJobs, mock_amplify_jobs


@mock_amplify_jobs
def bare(name: str, count: int = 1) -> str:
    return name * count


@mock_amplify_jobs()
def called(name: str) -> str:
    return name


@mock_amplify_jobs
async def bare_async(name: str) -> int:
    return len(name)


@mock_amplify_jobs
def generator(name: str) -> Iterator[str]:
    yield name


@mock_amplify_jobs
async def async_generator(name: str) -> AsyncIterator[str]:
    yield name


@mock_amplify_jobs
class Bare(unittest.TestCase):
    def test_nothing(self) -> None:
        pass


def check() -> None:
    assert_type(bare("x", 2), str)
    assert_type(called("x"), str)
    assert_type(asyncio.run(bare_async("x")), int)
    assert_type(generator("x"), Iterator[str])
    assert_type(async_generator("x"), AsyncIterator[str])
    assert_type(Bare, Type[Bare])
    assert_type(mock_amplify_jobs(), MockAmplifyJobs)
    with mock_amplify_jobs() as controller:
        assert_type(controller, AmplifyJobs)
