"""examples/cleanup_old_jobs.py against the mock: hundreds of jobs of different ages across ListJobs pages."""

from __future__ import annotations

from typing import Any, List, Tuple

import pytest

from amplify_mock import AmplifyJobs, Durations
from examples.cleanup_old_jobs import delete_old_jobs, list_all_jobs
from tests.clocks import Clock

# The fixtures clock, amplify, client and main_branch; each test runs under both clocks.
pytest_plugins = ("tests.example_support",)

Branch = Tuple[str, str]
DAY = 24 * 3600


def start_jobs(client: Any, branch: Branch, count: int) -> List[str]:
    app_id, name = branch
    return [
        client.start_job(appId=app_id, branchName=name, jobType="RELEASE")["jobSummary"]["jobId"]
        for _ in range(count)
    ]


def job_ids(client: Any, branch: Branch) -> List[str]:
    return sorted((job["jobId"] for job in list_all_jobs(client, *branch)), key=int)


def count_list_jobs_calls(client: Any) -> List[Any]:
    calls: List[Any] = []
    client.meta.events.register("before-call.amplify.ListJobs", lambda **kwargs: calls.append(kwargs))
    return calls


def test_jobs_that_ended_more_than_n_days_ago_are_deleted_across_every_page(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, clock: Clock
) -> None:
    amplify.durations = Durations.zero()  # each job ends the instant it starts
    day_0 = start_jobs(client, main_branch, 100)
    clock.advance(10 * DAY)
    day_10 = start_jobs(client, main_branch, 100)
    clock.advance(10 * DAY)
    day_20 = start_jobs(client, main_branch, 100)
    clock.advance(5 * DAY)
    calls = count_list_jobs_calls(client)

    report = delete_old_jobs(client, *main_branch, older_than_days=12)

    assert sorted(report.deleted, key=int) == day_0 + day_10  # 25 and 15 days old
    assert sorted(report.recent, key=int) == day_20  # 5 days old
    assert report.unfinished == []
    assert len(calls) == 6  # 300 jobs, 50 a page
    assert job_ids(client, main_branch) == day_20


@pytest.mark.parametrize("unfinished", ["PENDING", "RUNNING", "CANCELLING"])
def test_pending_running_and_cancelling_jobs_are_kept_however_old(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, clock: Clock, unfinished: str
) -> None:
    app_id, name = main_branch
    amplify.durations = Durations.zero()
    ended = start_jobs(client, main_branch, 150)
    amplify.durations = Durations()
    if unfinished == "PENDING":
        # Waiting 40 days for the region's only slot, which a job of another branch holds.
        amplify.max_concurrent_jobs = 1
        client.create_branch(appId=app_id, branchName="dev")
        amplify.never_finish_next(app_id, "dev")
        client.start_job(appId=app_id, branchName="dev", jobType="RELEASE")
    else:
        amplify.never_finish_next(app_id, name)
    (old,) = start_jobs(client, main_branch, 1)
    clock.advance(40 * DAY)
    if unfinished == "CANCELLING":
        client.stop_job(appId=app_id, branchName=name, jobId=old)  # CANCELLING for 5s

    report = delete_old_jobs(client, *main_branch, older_than_days=30)

    assert sorted(report.deleted, key=int) == ended
    assert report.unfinished == [old]
    statuses = {job["jobId"]: job["status"] for job in list_all_jobs(client, *main_branch)}
    assert statuses == {old: unfinished}


def test_a_dry_run_reports_without_deleting(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, clock: Clock
) -> None:
    amplify.durations = Durations.zero()
    old = start_jobs(client, main_branch, 120)
    clock.advance(60 * DAY)

    report = delete_old_jobs(client, *main_branch, older_than_days=30, dry_run=True)

    assert sorted(report.deleted, key=int) == old
    assert job_ids(client, main_branch) == old
