"""examples/release_and_wait.py against the mock: every way a release can end, with no real sleeping."""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

import pytest

from amplify_mock import AmplifyJobs
from examples.release_and_wait import release_and_wait
from tests.clocks import Clock

# The fixtures clock, sleep, now, amplify, client and main_branch; each test runs under both clocks.
pytest_plugins = ("tests.example_support",)

Branch = Tuple[str, str]
Now = Callable[[], float]


def statuses(outcome: Any) -> List[str]:
    return [change.status for change in outcome.timeline]


def test_a_release_succeeds_after_passing_through_every_status(
    client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    started = now()

    outcome = release_and_wait(client, *main_branch, interval=5, sleep=sleep, clock=now)

    assert outcome.succeeded and not outcome.timed_out
    assert statuses(outcome) == ["PENDING", "PROVISIONING", "RUNNING", "SUCCEED"]
    assert [(s.name, s.status) for s in outcome.steps] == [
        ("BUILD", "SUCCEED"), ("DEPLOY", "SUCCEED"), ("VERIFY", "SUCCEED"),
    ]
    assert outcome.failed_step is None and outcome.reason is None
    # 2s pending + 15s provisioning + 120s build + 30s deploy + 10s verify, seen at the next 5s poll.
    assert (outcome.end_time - outcome.start_time).total_seconds() == 177
    assert now() - started == 180  # on the stopped clock: nothing slept for real


def test_a_build_failure_names_the_step_and_its_reason(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    amplify.fail_next(*main_branch, step="BUILD", reason="npm ERR! missing script: build")

    outcome = release_and_wait(client, *main_branch, interval=5, sleep=sleep, clock=now)

    assert outcome.status == "FAILED" and not outcome.succeeded
    assert outcome.failed_step == "BUILD"
    assert outcome.reason == "npm ERR! missing script: build"
    assert [s.name for s in outcome.steps] == ["BUILD"]


def test_a_job_that_never_finishes_times_out_and_is_left_running(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    amplify.never_finish_next(*main_branch)

    outcome = release_and_wait(client, *main_branch, interval=30, timeout=600, sleep=sleep, clock=now)

    assert outcome.timed_out and outcome.status == "RUNNING"
    assert outcome.timeline[-1].status == "RUNNING"
    job = client.get_job(appId=main_branch[0], branchName="main", jobId=outcome.job_id)["job"]
    assert job["summary"]["status"] == "RUNNING"


def test_the_timeout_is_exact_even_when_it_is_not_a_multiple_of_the_interval(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    amplify.never_finish_next(*main_branch)
    started = now()

    release_and_wait(client, *main_branch, interval=60, timeout=100, sleep=sleep, clock=now)

    assert now() - started == 100


def test_without_clock_the_timeout_is_measured_on_time_monotonic(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    amplify.never_finish_next(*main_branch)
    started = now()

    # freezegun moves time.monotonic and time-machine does not: patch it the same way for both.
    with monkeypatch.context() as patched:
        patched.setattr("time.monotonic", now)
        outcome = release_and_wait(client, *main_branch, interval=60, timeout=100, sleep=sleep)

    assert outcome.timed_out
    assert now() - started == 100


def test_a_job_stopped_by_someone_else_mid_poll_ends_cancelled(
    client: Any, main_branch: Branch, clock: Clock, now: Now
) -> None:
    app_id, branch = main_branch
    polls: List[float] = []

    def sleep_while_another_actor_stops_it_a_minute_in(seconds: float) -> None:
        clock.advance(seconds)
        polls.append(seconds)
        if len(polls) == 30:  # 60s in, during BUILD
            client.stop_job(appId=app_id, branchName=branch, jobId="1")

    outcome = release_and_wait(
        client, app_id, branch, interval=2, sleep=sleep_while_another_actor_stops_it_a_minute_in, clock=now
    )

    assert outcome.status == "CANCELLED" and not outcome.timed_out
    # CANCELLING lasts 5s: a loop waiting only on PENDING|RUNNING would have returned there.
    assert statuses(outcome) == ["PENDING", "PROVISIONING", "RUNNING", "CANCELLING", "CANCELLED"]
    assert [(s.name, s.status) for s in outcome.steps] == [("BUILD", "CANCELLED")]


def test_a_release_on_a_busy_branch_is_refused_by_aws_and_starts_nothing(
    client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    # AWS refuses a StartJob while the branch has a job pending or running; this script lets
    # the refusal propagate (examples/ci_release.py waits for the running job instead).
    app_id, branch = main_branch
    client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")
    started = now()

    with pytest.raises(client.exceptions.LimitExceededException) as excinfo:
        release_and_wait(client, app_id, branch, interval=5, sleep=sleep, clock=now)

    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert excinfo.value.response["Error"]["Message"] == (
        "The requested branch main already have pending or running jobs"
    )
    jobs = client.list_jobs(appId=app_id, branchName=branch)["jobSummaries"]
    assert [j["jobId"] for j in jobs] == ["1"]
    assert now() == started  # refused at once: botocore's retries are not simulated in-process


def test_a_release_after_a_stopped_job_waits_for_its_cancellation(
    client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    app_id, branch = main_branch
    first = client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")["jobSummary"]["jobId"]
    sleep(60)
    client.stop_job(appId=app_id, branchName=branch, jobId=first)

    outcome = release_and_wait(client, app_id, branch, interval=1, sleep=sleep, clock=now)

    assert outcome.succeeded
    earlier = client.get_job(appId=app_id, branchName=branch, jobId=first)["job"]["summary"]
    assert earlier["status"] == "CANCELLED"
    # PENDING while the first job was CANCELLING (5 s), built only once it was CANCELLED.
    assert [(c.elapsed, c.status) for c in outcome.timeline[:2]] == [(0, "PENDING"), (5, "PROVISIONING")]
    assert outcome.steps[0].start_time >= earlier["endTime"]
