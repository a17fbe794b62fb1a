"""A job's content path (under its log, artifact and upload URLs) spells each part as one
escaped segment, whether the branch's part was spelt before or not."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from amplify_mock import _content


def _spelt_one_by_one(account: str, region: str, app_id: str, branch: str, job_id: int) -> str:
    return "/".join(_content._segment(part) for part in (account, region, app_id, branch, str(job_id)))


def _job(account: str, region: str, app_id: str, branch: str, job_id: int) -> Any:
    backend = SimpleNamespace(account_id=account, region_name=region)
    job = SimpleNamespace(
        branch=SimpleNamespace(name=branch, app=SimpleNamespace(app_id=app_id)), job_id=job_id
    )
    return backend, job


@pytest.mark.parametrize(
    "branch",
    ["main", "feature/login", ".", "..", "~tilde", "dev 2", "release/1.0", "ünïcödé", "a%2Fb", "..."],
)
@pytest.mark.parametrize("job_id", [1, 42, 1234567890, 10**12])
def test_a_job_path_spells_every_part_as_a_segment(branch: str, job_id: int) -> None:
    parts = ("123456789012", "eu-west-1", "d1abc", branch, job_id)
    backend, job = _job(*parts)
    assert _content._job_path(backend, job) == _spelt_one_by_one(*parts)
    # Again, the branch's part now remembered.
    assert _content._job_path(backend, job) == _spelt_one_by_one(*parts)


def test_branches_alike_but_for_one_part_get_paths_of_their_own() -> None:
    paths = {
        _content._job_path(*_job(account, region, app_id, branch, 7))
        for account, region, app_id, branch in [
            ("111111111111", "us-east-1", "d1", "main"),
            ("222222222222", "us-east-1", "d1", "main"),
            ("111111111111", "eu-west-1", "d1", "main"),
            ("111111111111", "us-east-1", "d2", "main"),
            ("111111111111", "us-east-1", "d1", "dev"),
        ]
    }
    assert len(paths) == 5
