"""A job holds no uploads of its own until a file is PUT for it; what one job is given never
shows in another's, and copies of the state (a test class's snapshot) keep that apart."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest

from amplify_mock.deployments import deployment
from amplify_mock.jobs import Job


def _job(job_id: int) -> Job:
    return Job(branch=None, job_id=job_id, job_type="MANUAL", commit_id="HEAD",  # type: ignore[arg-type]
               commit_message="", commit_time=0.0, created_at=0.0)


def test_jobs_without_uploads_report_none() -> None:
    job = _job(1)
    assert dict(job.file_uploads) == {}
    assert deployment(job).files == {}
    assert job.describe_upload() == "nothing: no artifact was uploaded"


def test_a_put_file_belongs_to_its_job_alone() -> None:
    first, second = _job(1), _job(2)
    first.store_upload("index.html", io.BytesIO(b"<h1>hi</h1>"))
    assert list(first.file_uploads) == ["index.html"]
    assert dict(second.file_uploads) == {}
    assert _job(3).file_uploads == {}


def test_the_shared_empty_uploads_refuse_writes() -> None:
    job = _job(1)
    with pytest.raises(TypeError):
        job.file_uploads["x"] = io.BytesIO(b"")


def test_closing_uploads_leaves_a_job_ready_for_new_ones() -> None:
    job = _job(1)
    job.store_upload("a.txt", io.BytesIO(b"a"))
    job.close_uploads()
    assert dict(job.file_uploads) == {}
    job.store_upload("b.txt", io.BytesIO(b"b"))
    assert list(job.file_uploads) == ["b.txt"]
    assert dict(_job(2).file_uploads) == {}


def test_a_deep_copy_of_a_job_without_uploads_can_still_take_one() -> None:
    job: Any = copy.deepcopy(_job(1))
    job.store_upload("a.txt", io.BytesIO(b"a"))
    assert list(job.file_uploads) == ["a.txt"]
    assert dict(_job(2).file_uploads) == {}
