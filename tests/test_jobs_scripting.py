"""Scripted outcomes: the controller says what a branch's next jobs do."""

from __future__ import annotations

import boto3
import pytest

from amplify_mock import Durations, Outcome, mock_amplify_jobs
from tests.clocks import frozen_clock
from tests.jobs_support import (  # noqa: F401
    BRANCH,
    REPO,
    app_id_fixture,
    client_fixture,
    clock_fixture,
    job,
    status,
    steps,
)

DAY = 86400


def start(client, app, branch=BRANCH):
    return client.start_job(appId=app, branchName=branch, jobType="RELEASE")["jobSummary"]["jobId"]


def run(client, clock, app, count=1, branch=BRANCH):
    """Start ``count`` jobs one after the other, each once the one before has ended (AWS refuses
    a StartJob while the branch is busy); return their statuses."""
    ids = []
    for _ in range(count):
        ids.append(start(client, app, branch))
        clock.advance(DAY)
    return [status(client, app, job_id, branch) for job_id in ids]


@pytest.mark.parametrize(
    "step, expected",
    [
        ("BUILD", [("BUILD", "FAILED")]),
        ("DEPLOY", [("BUILD", "SUCCEED"), ("DEPLOY", "FAILED")]),
        ("VERIFY", [("BUILD", "SUCCEED"), ("DEPLOY", "SUCCEED"), ("VERIFY", "FAILED")]),
    ],
)
def test_fail_next_fails_the_named_step_with_the_reason(client, clock, app_id, amplify_jobs, step, expected):
    amplify_jobs.fail_next(app_id, BRANCH, step, f"{step} broke")
    assert run(client, clock, app_id) == ["FAILED"]
    assert steps(client, app_id, "1") == expected
    assert job(client, app_id, "1")["steps"][-1]["statusReason"] == f"{step} broke"


def test_fail_next_defaults_to_a_build_failure_with_a_reason(client, clock, app_id, amplify_jobs):
    amplify_jobs.fail_next(app_id, BRANCH)
    run(client, clock, app_id)
    failed = job(client, app_id, "1")["steps"][-1]
    assert (failed["stepName"], failed["status"]) == ("BUILD", "FAILED")
    assert failed["statusReason"]


def test_only_the_scripted_jobs_fail_then_jobs_succeed_again(client, clock, app_id, amplify_jobs):
    amplify_jobs.fail_next(app_id, BRANCH, count=2)
    assert run(client, clock, app_id, 3) == ["FAILED", "FAILED", "SUCCEED"]


def test_script_plays_outcomes_in_order(client, clock, app_id, amplify_jobs):
    amplify_jobs.script(
        app_id, BRANCH, Outcome.succeed(), Outcome.fail("VERIFY", "smoke test failed"), Outcome.succeed()
    )
    assert run(client, clock, app_id, 4) == ["SUCCEED", "FAILED", "SUCCEED", "SUCCEED"]


def test_succeed_next_keeps_a_job_between_scripted_failures(client, clock, app_id, amplify_jobs):
    amplify_jobs.fail_next(app_id, BRANCH)
    amplify_jobs.succeed_next(app_id, BRANCH)
    amplify_jobs.fail_next(app_id, BRANCH)
    assert run(client, clock, app_id, 3) == ["FAILED", "SUCCEED", "FAILED"]


def test_scripts_belong_to_their_branch(client, clock, app_id, amplify_jobs):
    client.create_branch(appId=app_id, branchName="dev")
    amplify_jobs.fail_next(app_id, "dev")
    assert run(client, clock, app_id) == ["SUCCEED"]
    assert run(client, clock, app_id, branch="dev") == ["FAILED"]


def test_never_finish_next_stays_running_until_stopped(client, clock, app_id, amplify_jobs):
    amplify_jobs.never_finish_next(app_id, BRANCH)
    assert run(client, clock, app_id) == ["RUNNING"]
    assert steps(client, app_id, "1")[-1] == ("VERIFY", "RUNNING")
    assert client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")["jobSummary"]["status"] == "CANCELLING"
    clock.advance(60)
    assert status(client, app_id, "1") == "CANCELLED"
    assert steps(client, app_id, "1")[-1] == ("VERIFY", "CANCELLED")


def test_a_job_that_never_finishes_holds_its_branch_until_stopped(client, clock, app_id, amplify_jobs):
    amplify_jobs.never_finish_next(app_id, BRANCH)
    assert run(client, clock, app_id) == ["RUNNING"]
    with pytest.raises(client.exceptions.LimitExceededException):
        start(client, app_id)
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    assert run(client, clock, app_id) == ["SUCCEED"]
    assert status(client, app_id, "1") == "CANCELLED"


def test_never_finish_at_a_named_step(client, clock, app_id, amplify_jobs):
    amplify_jobs.script(app_id, BRANCH, Outcome.never_finish("BUILD"))
    run(client, clock, app_id)
    assert steps(client, app_id, "1") == [("BUILD", "RUNNING")]


def test_a_build_failure_scripted_for_a_deployment_fails_its_first_step(client, clock, amplify_jobs):
    app = client.create_app(name="manual")["app"]["appId"]  # deployments need an app without repository
    client.create_branch(appId=app, branchName=BRANCH)
    amplify_jobs.fail_next(app, BRANCH, "BUILD", "bad artifact")
    job_id = client.start_deployment(appId=app, branchName=BRANCH, sourceUrl="https://e.com/a.zip")[
        "jobSummary"
    ]["jobId"]
    clock.advance(DAY)
    failed = job(client, app, job_id)["steps"]
    assert [(s["stepName"], s["status"], s.get("statusReason")) for s in failed] == [
        ("DEPLOY", "FAILED", "bad artifact")
    ]


def test_reset_forgets_apps_and_settings(client, app_id, amplify_jobs):
    amplify_jobs.max_concurrent_jobs = 2
    amplify_jobs.reset()
    assert client.list_apps()["apps"] == []
    assert amplify_jobs.max_concurrent_jobs == 5


def test_settings_start_fresh_with_every_mock(clock):
    with mock_amplify_jobs() as amplify:
        amplify.max_concurrent_jobs = 1
        amplify.durations = Durations.zero()
    with mock_amplify_jobs() as amplify:
        assert amplify.max_concurrent_jobs == 5
        assert amplify.durations.build == 120


@pytest.mark.parametrize("clock_name", ["freezegun", "time-machine"])
def test_context_manager_controller_scripts_jobs(clock_name):
    with frozen_clock(clock_name) as clock, mock_amplify_jobs() as amplify:
        client = boto3.client("amplify", region_name="us-east-1")
        app = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
        client.create_branch(appId=app, branchName=BRANCH)
        amplify.fail_next(app, BRANCH, "DEPLOY", "Access denied to the CDN")
        assert run(client, clock, app) == ["FAILED"]


def test_bad_script_values_are_refused(client, app_id, amplify_jobs):
    with pytest.raises(TypeError):
        amplify_jobs.script(app_id, BRANCH, "FAIL")
    with pytest.raises(ValueError):
        amplify_jobs.fail_next(app_id, BRANCH, "LINT")
    with pytest.raises(ValueError):
        amplify_jobs.max_concurrent_jobs = 0
