"""A job's status, steps and times follow the clock, under freezegun and time-machine alike.

Default durations: PENDING 2 s, PROVISIONING 15 s, BUILD 120 s, DEPLOY 30 s, VERIFY 10 s,
CANCELLING 5 s, so a build job submitted at t ends at t + 177 s.
"""

from __future__ import annotations

import datetime

import boto3
import pytest

from amplify_mock import Durations
from tests.clocks import START
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

BUILD_JOB_SECONDS = 2 + 15 + 120 + 30 + 10


def start(client, app, branch=BRANCH, job_type="RELEASE", **kwargs):
    return client.start_job(appId=app, branchName=branch, jobType=job_type, **kwargs)["jobSummary"]


def at(seconds):
    return START + datetime.timedelta(seconds=seconds)


def statuses_seen(client, clock, app, job_id, seconds, branch=BRANCH):
    seen = []
    for _ in range(seconds):
        seen.append(status(client, app, job_id, branch))
        clock.advance(1)
    return list(dict.fromkeys(seen))


# Statuses


def test_new_job_is_pending(client, app_id):
    summary = start(client, app_id)
    assert summary["status"] == "PENDING"
    assert summary["startTime"] == START


def test_job_passes_through_provisioning_and_running_then_succeeds(client, clock, app_id):
    start(client, app_id)
    assert statuses_seen(client, clock, app_id, "1", 200) == ["PENDING", "PROVISIONING", "RUNNING", "SUCCEED"]


def test_status_changes_at_the_default_instants(client, clock, app_id):
    start(client, app_id)
    for seconds, expected in [(1.9, "PENDING"), (2, "PROVISIONING"), (16.9, "PROVISIONING"),
                              (17, "RUNNING"), (176.9, "RUNNING"), (177, "SUCCEED")]:
        clock.move_to(at(seconds))
        assert status(client, app_id, "1") == expected, seconds


def test_end_time_is_reported_only_once_the_job_has_ended(client, clock, app_id):
    start(client, app_id)
    clock.advance(100)
    assert "endTime" not in job(client, app_id, "1")["summary"]
    clock.advance(100)
    assert job(client, app_id, "1")["summary"]["endTime"] == at(BUILD_JOB_SECONDS)


def test_stopped_job_is_cancelling_then_cancelled(client, clock, app_id):
    start(client, app_id)
    clock.advance(30)
    stopped = client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")["jobSummary"]
    assert stopped["status"] == "CANCELLING"
    assert "endTime" not in stopped
    clock.advance(4)
    assert status(client, app_id, "1") == "CANCELLING"
    clock.advance(1)
    summary = job(client, app_id, "1")["summary"]
    assert summary["status"] == "CANCELLED"
    assert summary["endTime"] == at(35)


def test_pending_job_can_be_stopped_and_never_runs(client, clock, app_id):
    start(client, app_id)
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    clock.advance(3600)
    assert status(client, app_id, "1") == "CANCELLED"
    assert steps(client, app_id, "1") == []


# Steps


def test_build_job_steps_appear_as_they_start(client, clock, app_id):
    start(client, app_id)
    clock.move_to(at(10))
    assert steps(client, app_id, "1") == []
    clock.move_to(at(17))
    assert steps(client, app_id, "1") == [("BUILD", "RUNNING")]
    clock.move_to(at(137))
    assert steps(client, app_id, "1") == [("BUILD", "SUCCEED"), ("DEPLOY", "RUNNING")]
    clock.move_to(at(167))
    assert steps(client, app_id, "1") == [("BUILD", "SUCCEED"), ("DEPLOY", "SUCCEED"), ("VERIFY", "RUNNING")]
    clock.move_to(at(177))
    assert steps(client, app_id, "1") == [("BUILD", "SUCCEED"), ("DEPLOY", "SUCCEED"), ("VERIFY", "SUCCEED")]


@pytest.mark.parametrize("job_type", ["RELEASE", "WEB_HOOK", "RETRY"])
def test_build_jobs_run_build_deploy_verify(client, clock, app_id, job_type):
    start(client, app_id)
    clock.advance(3600)
    kwargs = {"jobId": "1"} if job_type == "RETRY" else {}
    new = start(client, app_id, job_type=job_type, **kwargs)["jobId"]
    clock.advance(3600)
    assert [name for name, _ in steps(client, app_id, new)] == ["BUILD", "DEPLOY", "VERIFY"]


def test_each_step_has_its_own_times_status_and_log(client, clock, app_id):
    start(client, app_id)
    clock.advance(3600)
    build, deploy, verify = job(client, app_id, "1")["steps"]
    assert (build["startTime"], build["endTime"]) == (at(17), at(137))
    assert (deploy["startTime"], deploy["endTime"]) == (at(137), at(167))
    assert (verify["startTime"], verify["endTime"]) == (at(167), at(177))
    assert all(step["status"] == "SUCCEED" for step in (build, deploy, verify))
    assert all(step["logUrl"].startswith("http://127.0.0.1:") for step in (build, deploy, verify))
    assert len({step["logUrl"] for step in (build, deploy, verify)}) == 3
    assert build["artifactsUrl"].startswith("http://127.0.0.1:")
    assert "artifactsUrl" not in deploy and "artifactsUrl" not in verify
    assert not any("statusReason" in step for step in (build, deploy, verify))


def test_deployment_job_runs_deploy_then_verify(client, clock):
    app = client.create_app(name="manual")["app"]["appId"]  # deployments need an app without repository
    client.create_branch(appId=app, branchName=BRANCH)
    summary = client.start_deployment(
        appId=app, branchName=BRANCH, sourceUrl="https://example.com/site.zip"
    )["jobSummary"]
    assert summary["jobType"] == "MANUAL"
    clock.advance(3600)
    assert steps(client, app, summary["jobId"]) == [("DEPLOY", "SUCCEED"), ("VERIFY", "SUCCEED")]


def test_failed_step_carries_the_reason_and_later_steps_never_start(client, clock, app_id, amplify_jobs):
    amplify_jobs.fail_next(app_id, BRANCH, "DEPLOY", "npm run deploy exited with 2")
    start(client, app_id)
    clock.advance(3600)
    result = job(client, app_id, "1")
    assert result["summary"]["status"] == "FAILED"
    assert steps(client, app_id, "1") == [("BUILD", "SUCCEED"), ("DEPLOY", "FAILED")]
    assert result["steps"][1]["statusReason"] == "npm run deploy exited with 2"
    assert result["summary"]["endTime"] == at(167)


# One job at a time per branch (StartJob on a busy branch is refused: see test_jobs_rules.py)


def test_job_started_while_the_last_one_is_cancelling_waits_for_it_to_end(client, clock, app_id):
    start(client, app_id)
    clock.move_to(at(50))
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    start(client, app_id)
    clock.move_to(at(54.9))
    assert (status(client, app_id, "1"), status(client, app_id, "2")) == ("CANCELLING", "PENDING")
    clock.move_to(at(55))
    assert (status(client, app_id, "1"), status(client, app_id, "2")) == ("CANCELLED", "PROVISIONING")


def test_stopping_the_running_job_frees_the_branch_once_cancelled(client, clock, app_id):
    start(client, app_id)
    clock.move_to(at(50))
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    clock.move_to(at(55))
    assert status(client, app_id, "1") == "CANCELLED"
    start(client, app_id)
    clock.move_to(at(57))
    assert status(client, app_id, "2") == "PROVISIONING"


def test_jobs_of_different_branches_run_side_by_side(client, clock, app_id):
    client.create_branch(appId=app_id, branchName="dev")
    start(client, app_id)
    start(client, app_id, branch="dev")
    clock.move_to(at(20))
    assert (status(client, app_id, "1"), status(client, app_id, "1", "dev")) == ("RUNNING", "RUNNING")


# At most five jobs past PENDING per account and region


def six_branches(client, app):
    names = [f"b{i}" for i in range(6)]
    for name in names:
        client.create_branch(appId=app, branchName=name)
        start(client, app, branch=name)
    return names


def test_sixth_concurrent_job_waits_for_a_free_slot(client, clock, app_id):
    names = six_branches(client, app_id)
    clock.move_to(at(20))
    assert [status(client, app_id, "1", name) for name in names] == ["RUNNING"] * 5 + ["PENDING"]
    clock.move_to(at(177))
    assert status(client, app_id, "1", names[5]) == "PROVISIONING"


def test_quota_is_per_region(client, clock, app_id):
    six_branches(client, app_id)
    other = boto3.client("amplify", region_name="eu-west-1")
    app = other.create_app(name="eu", repository=REPO, accessToken="token")["app"]["appId"]
    other.create_branch(appId=app, branchName=BRANCH)
    start(other, app)
    clock.move_to(at(20))
    assert status(other, app, "1") == "RUNNING"


def test_quota_is_per_account(client, clock, app_id, monkeypatch):
    six_branches(client, app_id)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    app = client.create_app(name="other", repository=REPO, accessToken="token")["app"]
    assert ":111122223333:" in app["appArn"]
    client.create_branch(appId=app["appId"], branchName=BRANCH)
    start(client, app["appId"])
    clock.move_to(at(20))
    assert status(client, app["appId"], "1") == "RUNNING"


def test_quota_can_be_changed(client, clock, app_id, amplify_jobs):
    amplify_jobs.max_concurrent_jobs = 6
    names = six_branches(client, app_id)
    clock.move_to(at(20))
    assert [status(client, app_id, "1", name) for name in names] == ["RUNNING"] * 6


# Durations


def test_mock_wide_durations_apply_to_every_branch(client, clock, app_id, amplify_jobs):
    amplify_jobs.durations = Durations(pending=1, provisioning=1, build=1, deploy=1, verify=1, cancelling=1)
    start(client, app_id)
    clock.move_to(at(4.9))
    assert status(client, app_id, "1") == "RUNNING"
    clock.move_to(at(5))
    assert status(client, app_id, "1") == "SUCCEED"


def test_branch_durations_override_the_mock_wide_ones(client, clock, app_id, amplify_jobs):
    client.create_branch(appId=app_id, branchName="slow")
    amplify_jobs.branch_durations(app_id, "slow", Durations(build=1000))
    amplify_jobs.durations = Durations.zero()
    start(client, app_id)
    start(client, app_id, branch="slow")
    clock.move_to(at(500))
    assert (status(client, app_id, "1"), status(client, app_id, "1", "slow")) == ("SUCCEED", "RUNNING")
    assert amplify_jobs.branch_durations(app_id, "slow").build == 1000
    assert amplify_jobs.branch_durations(app_id, BRANCH) == Durations.zero()


def test_durations_changed_later_leave_started_jobs_alone(client, clock, app_id, amplify_jobs):
    start(client, app_id)
    amplify_jobs.durations = Durations.zero()
    clock.move_to(at(176))
    assert status(client, app_id, "1") == "RUNNING"


def test_zero_durations_finish_jobs_at_once(client, app_id, amplify_jobs):
    amplify_jobs.durations = Durations.zero()
    assert start(client, app_id)["status"] == "SUCCEED"


# Jumping far ahead


def test_jumping_a_day_ahead_settles_every_queued_job_in_order(client, clock, app_id):
    # What still queues: jobs beyond the account's five slots, and a job behind a cancelling one.
    names = [f"b{i:02d}" for i in range(12)]
    for name in names:
        client.create_branch(appId=app_id, branchName=name)
        start(client, app_id, branch=name)
    start(client, app_id)
    client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    start(client, app_id)
    clock.move_to(at(86400))
    for rank, name in enumerate(names):
        ended = job(client, app_id, "1", name)["summary"]
        # Five at a time, each wave starting when the one before ends.
        wave = rank // 5 + 1
        assert (ended["status"], ended["endTime"]) == ("SUCCEED", at(2 + wave * (BUILD_JOB_SECONDS - 2)))
    cancelled, queued = job(client, app_id, "1"), job(client, app_id, "2")
    assert (cancelled["summary"]["status"], queued["summary"]["status"]) == ("CANCELLED", "SUCCEED")
    assert queued["steps"][0]["startTime"] >= cancelled["summary"]["endTime"]


# The branch follows its jobs


def test_branch_counts_its_jobs_and_names_the_latest(client, clock, app_id):
    def counters():
        branch = client.get_branch(appId=app_id, branchName=BRANCH)["branch"]
        return branch["activeJobId"], branch["totalNumberOfJobs"]

    assert counters() == ("0", "0")
    start(client, app_id)
    assert counters() == ("1", "1")
    clock.advance(3600)
    start(client, app_id)
    assert counters() == ("2", "2")
    clock.advance(3600)
    client.delete_job(appId=app_id, branchName=BRANCH, jobId="1")
    assert counters() == ("2", "1")


def test_an_ended_job_read_first_by_list_jobs_still_shows_every_step_to_get_job(client, clock, app_id):
    start(client, app_id)
    clock.advance(BUILD_JOB_SECONDS + 60)
    listed = client.list_jobs(appId=app_id, branchName=BRANCH)["jobSummaries"][0]
    assert listed["status"] == "SUCCEED"
    got = job(client, app_id, "1")
    assert got["summary"] == listed
    assert [(s["stepName"], s["status"]) for s in got["steps"]] == [
        ("BUILD", "SUCCEED"), ("DEPLOY", "SUCCEED"), ("VERIFY", "SUCCEED")]
    clock.advance(3600)  # read again much later: the same, steps and times alike
    assert job(client, app_id, "1") == got
    assert client.list_jobs(appId=app_id, branchName=BRANCH)["jobSummaries"][0] == listed
