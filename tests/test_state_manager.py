"""moto's state manager drives jobs registered as "amplify::job", as moto's services do."""

from __future__ import annotations

import pytest
from moto.moto_api import state_manager

from tests.jobs_support import (  # noqa: F401
    BRANCH,
    app_id_fixture,
    client_fixture,
    clock_fixture,
    status,
    steps,
)

MODEL = "amplify::job"


@pytest.fixture
def transition():
    """Set a transition for the test; always unset afterwards so later tests see the default."""

    def set_transition(value):
        state_manager.set_transition(MODEL, value)

    yield set_transition
    state_manager.unset_transition(MODEL)


def start(client, app):
    return client.start_job(appId=app, branchName=BRANCH, jobType="RELEASE")["jobSummary"]


def reads(client, app, job_id, count):
    return [status(client, app, job_id) for _ in range(count)]


def test_amplify_job_has_a_default_transition_registered():
    assert state_manager.get_transition(MODEL)["progression"] == "time"


def test_immediate_progression_finishes_jobs_at_once(client, app_id, transition):
    transition({"progression": "immediate"})
    assert start(client, app_id)["status"] == "SUCCEED"
    assert steps(client, app_id, "1") == [("BUILD", "SUCCEED"), ("DEPLOY", "SUCCEED"), ("VERIFY", "SUCCEED")]


def test_immediate_progression_finishes_deployments_at_once(client, transition):
    transition({"progression": "immediate"})
    app_id = client.create_app(name="manual")["app"]["appId"]  # deployments need no repository
    client.create_branch(appId=app_id, branchName=BRANCH)
    summary = client.start_deployment(appId=app_id, branchName=BRANCH, sourceUrl="https://e.com/a.zip")
    assert summary["jobSummary"]["status"] == "SUCCEED"


def test_immediate_progression_still_fails_scripted_jobs(client, app_id, transition, amplify_jobs):
    transition({"progression": "immediate"})
    amplify_jobs.fail_next(app_id, BRANCH, "VERIFY", "smoke test failed")
    assert start(client, app_id)["status"] == "FAILED"


def test_manual_progression_moves_one_status_per_read(client, app_id, transition):
    transition({"progression": "manual", "times": 1})
    assert start(client, app_id)["status"] == "PENDING"
    assert reads(client, app_id, "1", 4) == ["PROVISIONING", "RUNNING", "SUCCEED", "SUCCEED"]


def test_manual_progression_with_times_two_moves_every_second_read(client, app_id, transition):
    transition({"progression": "manual", "times": 2})
    # The StartJob reply is the first read of PENDING, as moto counts every read.
    assert start(client, app_id)["status"] == "PENDING"
    assert reads(client, app_id, "1", 7) == [
        "PENDING", "PROVISIONING", "PROVISIONING", "RUNNING", "RUNNING", "SUCCEED", "SUCCEED",
    ]


def test_manual_progression_ignores_the_clock(client, clock, app_id, transition):
    transition({"progression": "manual", "times": 1})
    start(client, app_id)
    clock.advance(86400)
    assert status(client, app_id, "1") == "PROVISIONING"


def test_manual_stop_shows_cancelling_before_cancelled(client, app_id, transition, amplify_jobs):
    transition({"progression": "manual", "times": 2})
    amplify_jobs.never_finish_next(app_id, BRANCH)
    start(client, app_id)
    assert reads(client, app_id, "1", 8)[-1] == "RUNNING"
    stopped = client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")["jobSummary"]
    assert stopped["status"] == "CANCELLING"
    assert reads(client, app_id, "1", 3) == ["CANCELLING", "CANCELLED", "CANCELLED"]


def test_refused_calls_do_not_advance_a_manual_progression(client, app_id, transition):
    transition({"progression": "manual", "times": 1})
    start(client, app_id)
    with pytest.raises(client.exceptions.BadRequestException):
        client.delete_job(appId=app_id, branchName=BRANCH, jobId="1")
    assert status(client, app_id, "1") == "PROVISIONING"


def test_unsetting_the_transition_brings_back_the_clock(client, clock, app_id):
    state_manager.set_transition(MODEL, {"progression": "immediate"})
    state_manager.unset_transition(MODEL)
    start(client, app_id)
    assert status(client, app_id, "1") == "PENDING"
    clock.advance(3600)
    assert status(client, app_id, "1") == "SUCCEED"


def test_under_manual_progression_a_busy_branch_refuses_start_job_until_its_job_reads_ended(
    client, app_id, transition
):
    transition({"progression": "manual", "times": 1})
    start(client, app_id)
    assert reads(client, app_id, "1", 2) == ["PROVISIONING", "RUNNING"]
    # The refusal peeks at the job: it does not advance the progression.
    with pytest.raises(client.exceptions.LimitExceededException):
        start(client, app_id)
    assert reads(client, app_id, "1", 1) == ["SUCCEED"]
    assert start(client, app_id)["jobId"] == "2"


def test_immediate_progression_never_leaves_a_branch_busy(client, app_id, transition):
    transition({"progression": "immediate"})
    assert [start(client, app_id)["jobId"] for _ in range(3)] == ["1", "2", "3"]
