"""The rules AWS applies to StartJob, StopJob, GetJob, ListJobs and DeleteJob.

Every refusal is an AWS-shaped error with a message that says what to do, and changes nothing.
"""

from __future__ import annotations

import time

import pytest
from botocore.config import Config

from tests.helpers import amplify
from tests.jobs_support import (  # noqa: F401
    BRANCH,
    app_id_fixture,
    client_fixture,
    clock_fixture,
    job,
    list_ids,
    observable,
    refused,
    status,
)


def start(client, app, job_type="RELEASE", branch=BRANCH, **kwargs):
    return client.start_job(appId=app, branchName=branch, jobType=job_type, **kwargs)["jobSummary"]


# Unknown app, branch, job

JOB_CALLS = {
    "GetJob": lambda c, app, branch, job_id: c.get_job(appId=app, branchName=branch, jobId=job_id),
    "StopJob": lambda c, app, branch, job_id: c.stop_job(appId=app, branchName=branch, jobId=job_id),
    "DeleteJob": lambda c, app, branch, job_id: c.delete_job(appId=app, branchName=branch, jobId=job_id),
}


@pytest.mark.parametrize("operation", sorted(JOB_CALLS))
def test_unknown_job_is_not_found_and_named(client, app_id, operation):
    start(client, app_id)
    message = refused(
        client, app_id, lambda: JOB_CALLS[operation](client, app_id, BRANCH, "42"), "NotFoundException"
    )
    assert "42" in message


@pytest.mark.parametrize("operation", sorted(JOB_CALLS))
def test_unknown_branch_is_not_found_and_named(client, app_id, operation):
    start(client, app_id)
    message = refused(
        client, app_id, lambda: JOB_CALLS[operation](client, app_id, "nope", "1"), "NotFoundException"
    )
    assert "nope" in message


@pytest.mark.parametrize("operation", sorted(JOB_CALLS))
def test_unknown_app_is_not_found_and_named(client, app_id, operation):
    message = refused(
        client, app_id, lambda: JOB_CALLS[operation](client, "dnoapp", BRANCH, "1"), "NotFoundException"
    )
    assert "dnoapp" in message


def test_list_jobs_of_unknown_app_or_branch_is_not_found(client, app_id):
    assert "dnoapp" in refused(client, app_id, lambda: list_ids(client, "dnoapp"), "NotFoundException")
    assert "nope" in refused(client, app_id, lambda: list_ids(client, app_id, "nope"), "NotFoundException")


def test_start_job_on_unknown_branch_is_not_found(client, app_id):
    message = refused(
        client,
        app_id,
        lambda: client.start_job(appId=app_id, branchName="nope", jobType="RELEASE"),
        "NotFoundException",
    )
    assert "nope" in message


# StartJob


def test_manual_start_job_is_refused_as_aws_words_it(client, app_id):
    message = refused(client, app_id, lambda: start(client, app_id, "MANUAL"))
    assert message == "The requested jobType MANUAL does not support."


def test_release_needs_an_app_connected_to_a_repository(client):
    app = client.create_app(name="manual-only")["app"]["appId"]
    client.create_branch(appId=app, branchName=BRANCH)
    message = refused(client, app, lambda: start(client, app))
    assert app in message and "repository" in message


def test_retry_without_job_id_is_refused(client, app_id):
    start(client, app_id)
    message = refused(client, app_id, lambda: start(client, app_id, "RETRY"))
    assert "jobId" in message


def test_retry_of_unknown_job_is_not_found(client, app_id):
    start(client, app_id)
    retry = lambda: start(client, app_id, "RETRY", jobId="7")  # noqa: E731
    assert "7" in refused(client, app_id, retry, "NotFoundException")


def test_retry_carries_the_commit_of_the_retried_job(client, clock, app_id):
    start(client, app_id, commitId="abc123", commitMessage="Fix the footer")
    clock.advance(3600)
    retry = start(client, app_id, "RETRY", jobId="1")
    assert (retry["jobType"], retry["jobId"]) == ("RETRY", "2")
    assert (retry["commitId"], retry["commitMessage"]) == ("abc123", "Fix the footer")


def test_release_records_the_given_commit(client, app_id):
    summary = start(client, app_id, commitId="c0ffee", commitMessage="Ship it")
    assert (summary["commitId"], summary["commitMessage"]) == ("c0ffee", "Ship it")


def test_release_without_commit_reports_head_as_aws_does(client, app_id):
    assert start(client, app_id)["commitId"] == "HEAD"
    assert job(client, app_id, "1")["summary"]["commitId"] == "HEAD"


# StartJob on a busy branch: refused with 429 in AWS's words, not queued


BUSY = "The requested branch main already have pending or running jobs"


@pytest.mark.parametrize("job_type", ["RELEASE", "RETRY"])
@pytest.mark.parametrize("seconds, now", [(0, "PENDING"), (5, "PROVISIONING"), (60, "RUNNING")])
def test_start_job_on_a_branch_with_a_job_pending_or_running_is_refused_with_429(
    client, clock, app_id, job_type, seconds, now
):
    start(client, app_id)
    clock.advance(seconds)
    assert status(client, app_id, "1") == now
    kwargs = {"jobId": "1"} if job_type == "RETRY" else {}
    busy = lambda: start(client, app_id, job_type, **kwargs)  # noqa: E731
    assert refused(client, app_id, busy, "LimitExceededException") == BUSY


def test_busy_branch_refusal_names_the_branch(client, app_id):
    client.create_branch(appId=app_id, branchName="feature/new-cart")
    start(client, app_id, branch="feature/new-cart")
    message = refused(
        client,
        app_id,
        lambda: start(client, app_id, branch="feature/new-cart"),
        "LimitExceededException",
        branch="feature/new-cart",
    )
    assert message == "The requested branch feature/new-cart already have pending or running jobs"


def test_a_busy_branch_does_not_hold_the_others(client, app_id):
    client.create_branch(appId=app_id, branchName="dev")
    start(client, app_id)
    assert start(client, app_id, branch="dev")["status"] == "PENDING"


@pytest.mark.parametrize("ended", ["SUCCEED", "FAILED", "CANCELLED"])
def test_start_job_is_accepted_once_the_branch_job_ended(client, clock, app_id, amplify_jobs, ended):
    if ended == "FAILED":
        amplify_jobs.fail_next(app_id, BRANCH)
    start(client, app_id)
    if ended == "CANCELLED":
        client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    clock.advance(3600)
    assert status(client, app_id, "1") == ended
    assert start(client, app_id)["jobId"] == "2"


def test_a_job_stuck_running_holds_its_branch_until_stopped(client, clock, app_id, amplify_jobs):
    amplify_jobs.never_finish_next(app_id, BRANCH)
    start(client, app_id)
    clock.advance(86400)
    refused(client, app_id, lambda: start(client, app_id), "LimitExceededException")
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    assert start(client, app_id)["jobId"] == "2"


@pytest.mark.parametrize("job_type", ["RELEASE", "RETRY"])
def test_start_job_while_the_branch_job_is_cancelling_waits_pending_until_it_is_cancelled(
    client, clock, app_id, job_type
):
    start(client, app_id)
    clock.advance(60)
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    kwargs = {"jobId": "1"} if job_type == "RETRY" else {}
    assert start(client, app_id, job_type, **kwargs)["status"] == "PENDING"
    clock.advance(4.5)  # CANCELLING lasts 5 s
    assert (status(client, app_id, "1"), status(client, app_id, "2")) == ("CANCELLING", "PENDING")
    clock.advance(0.5)
    assert (status(client, app_id, "1"), status(client, app_id, "2")) == ("CANCELLED", "PROVISIONING")


def test_a_job_queued_behind_a_cancelling_one_holds_the_branch_in_turn(client, clock, app_id):
    start(client, app_id)
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    start(client, app_id)
    message = refused(client, app_id, lambda: start(client, app_id), "LimitExceededException")
    assert message == BUSY


def test_a_refused_start_job_uses_no_job_id_and_no_scripted_outcome(client, clock, app_id, amplify_jobs):
    start(client, app_id)
    amplify_jobs.fail_next(app_id, BRANCH, "BUILD", "meant for job 2")
    refused(client, app_id, lambda: start(client, app_id), "LimitExceededException")
    clock.advance(3600)
    assert start(client, app_id)["jobId"] == "2"
    clock.advance(3600)
    assert job(client, app_id, "2")["steps"][0]["statusReason"] == "meant for job 2"


def test_jobs_beyond_the_account_limit_still_queue(client, clock, app_id):
    names = [f"b{i}" for i in range(6)]
    for name in names:
        client.create_branch(appId=app_id, branchName=name)
        start(client, app_id, branch=name)
    clock.advance(20)
    assert [status(client, app_id, "1", name) for name in names] == ["RUNNING"] * 5 + ["PENDING"]


def test_busy_refusal_is_raised_at_once_without_botocore_retrying(client, app_id, monkeypatch):
    # The mock answers at BaseClient._make_request, above the endpoint's retry loop, so a 429
    # is raised at once whatever the client's retry settings: no retry, no sleep.
    def no_sleep(seconds):
        raise AssertionError(f"slept {seconds} s")

    monkeypatch.setattr(time, "sleep", no_sleep)
    retries = []
    client.meta.events.register("needs-retry.amplify.StartJob", lambda **kw: retries.append(kw))
    start(client, app_id)
    for config in (None, Config(retries={"mode": "legacy"}), Config(retries={"mode": "standard"})):
        busy_client = client if config is None else amplify(config=config)
        with pytest.raises(busy_client.exceptions.LimitExceededException) as excinfo:
            start(busy_client, app_id)
        assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert retries == []


# StopJob


@pytest.mark.parametrize("seconds, before", [(0, "PENDING"), (5, "PROVISIONING"), (60, "RUNNING")])
def test_stop_job_cancels_an_unfinished_job(client, clock, app_id, seconds, before):
    start(client, app_id)
    clock.advance(seconds)
    assert status(client, app_id, "1") == before
    assert client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")["jobSummary"]["status"] == "CANCELLING"
    clock.advance(3600)
    assert status(client, app_id, "1") == "CANCELLED"


@pytest.mark.parametrize("scripted", ["succeed", "fail", "stop"])
def test_stop_job_on_a_finished_job_is_refused(client, clock, app_id, amplify_jobs, scripted):
    if scripted == "fail":
        amplify_jobs.fail_next(app_id, BRANCH)
    start(client, app_id)
    if scripted == "stop":
        client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    clock.advance(3600)
    message = refused(client, app_id, lambda: client.stop_job(appId=app_id, branchName=BRANCH, jobId="1"))
    assert "finished" in message


def test_stopping_a_cancelling_job_again_changes_nothing(client, clock, app_id):
    start(client, app_id)
    clock.advance(60)
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    clock.advance(2)
    again = client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")["jobSummary"]
    assert again["status"] == "CANCELLING"
    clock.advance(3)
    assert status(client, app_id, "1") == "CANCELLED"


# DeleteJob


@pytest.mark.parametrize("seconds", [0, 5, 60])
def test_delete_job_on_an_unfinished_job_is_refused(client, clock, app_id, seconds):
    start(client, app_id)
    clock.advance(seconds)
    message = refused(client, app_id, lambda: client.delete_job(appId=app_id, branchName=BRANCH, jobId="1"))
    assert "StopJob" in message


def test_delete_job_on_a_cancelling_job_is_refused(client, clock, app_id):
    start(client, app_id)
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    refused(client, app_id, lambda: client.delete_job(appId=app_id, branchName=BRANCH, jobId="1"))


def test_deleted_job_is_gone_from_get_and_list(client, clock, app_id):
    start(client, app_id)
    clock.advance(3600)
    start(client, app_id)
    clock.advance(3600)
    deleted = client.delete_job(appId=app_id, branchName=BRANCH, jobId="1")["jobSummary"]
    assert (deleted["jobId"], deleted["status"]) == ("1", "SUCCEED")
    assert list_ids(client, app_id) == ["2"]
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_job(appId=app_id, branchName=BRANCH, jobId="1")


def test_job_ids_are_not_reused_after_a_delete(client, clock, app_id):
    start(client, app_id)
    clock.advance(3600)
    client.delete_job(appId=app_id, branchName=BRANCH, jobId="1")
    assert start(client, app_id)["jobId"] == "2"
