"""examples/ci_release.py against the mock: a CI step meeting a busy branch, as against AWS, with
no real sleeping. Each test runs under freezegun and time-machine."""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

import pytest

from amplify_mock import AmplifyJobs
from examples.ci_release import BranchBusyTimeout, ci_release, main, running_job
from tests.clocks import Clock

# The fixtures clock, sleep, now, amplify, client and main_branch (an app with a repository).
pytest_plugins = ("tests.example_support",)

Branch = Tuple[str, str]
Now = Callable[[], float]
BUILD_JOB_SECONDS = 2 + 15 + 120 + 30 + 10


def start_jobs_seen(client: Any) -> List[str]:
    """Each StartJob's answer as the step saw it: a jobId, or the error code."""
    seen: List[str] = []

    def record(http_response: Any, parsed: Any, **_: Any) -> None:
        error = parsed.get("Error", {}).get("Code")
        seen.append(error or parsed["jobSummary"]["jobId"])

    client.meta.events.register("after-call.amplify.StartJob", record)
    return seen


def job_summary(client: Any, branch: Branch, job_id: str) -> Any:
    return client.get_job(appId=branch[0], branchName=branch[1], jobId=job_id)["job"]["summary"]


def test_a_release_on_a_free_branch_starts_and_succeeds(
    client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    result = ci_release(client, *main_branch, commit_id="c0ffee", interval=5, sleep=sleep, clock=now)

    assert (result.job_id, result.attached, result.waited_for) == ("1", False, ())
    assert result.outcome.succeeded and result.exit_code == 0
    assert job_summary(client, main_branch, "1")["commitId"] == "c0ffee"
    assert result.report() == "Amplify release of main: job 1 SUCCEED"


def test_on_a_busy_branch_it_waits_for_the_running_job_then_releases(
    client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    app_id, branch = main_branch
    client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")  # e.g. a push's build
    seen = start_jobs_seen(client)

    result = ci_release(client, app_id, branch, interval=5, sleep=sleep, clock=now)

    assert seen == ["LimitExceededException", "2"]  # refused once, then started after job 1
    assert [earlier.job_id for earlier in result.waited_for] == ["1"]
    assert (result.job_id, result.attached, result.exit_code) == ("2", False, 0)
    first, second = job_summary(client, main_branch, "1"), job_summary(client, main_branch, "2")
    assert first["status"] == "SUCCEED" and second["startTime"] >= first["endTime"]
    assert result.report() == (
        "Waited for job 1 already on main: SUCCEED\nAmplify release of main: job 2 SUCCEED"
    )


def test_on_a_busy_branch_it_can_attach_to_the_running_job_instead(
    client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    app_id, branch = main_branch
    client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")

    result = ci_release(client, app_id, branch, on_busy="attach", interval=5, sleep=sleep, clock=now)

    assert (result.job_id, result.attached, result.exit_code) == ("1", True, 0)
    assert [j["jobId"] for j in client.list_jobs(appId=app_id, branchName=branch)["jobSummaries"]] == ["1"]
    assert result.report() == "Amplify release of main: attached to job 1 SUCCEED"


def test_a_failed_earlier_job_is_reported_and_the_release_still_runs(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    app_id, branch = main_branch
    amplify.fail_next(app_id, branch, "BUILD", "npm ERR! missing script: build")
    client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")

    result = ci_release(client, app_id, branch, interval=5, sleep=sleep, clock=now)

    assert [(e.job_id, e.status) for e in result.waited_for] == [("1", "FAILED")]
    assert (result.job_id, result.exit_code) == ("2", 0)


def test_a_failed_release_exits_1_naming_the_step_and_reason(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    amplify.fail_next(*main_branch, "DEPLOY", "Access Denied on the artifacts bucket")

    result = ci_release(client, *main_branch, interval=5, sleep=sleep, clock=now)

    assert result.exit_code == 1
    assert result.report() == (
        "Amplify release of main: job 1 FAILED\n  failed at DEPLOY: Access Denied on the artifacts bucket"
    )


def test_a_branch_held_by_a_job_that_never_finishes_gives_up_at_the_timeout(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    app_id, branch = main_branch
    amplify.never_finish_next(app_id, branch)
    client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")
    started = now()

    with pytest.raises(BranchBusyTimeout) as excinfo:
        ci_release(client, app_id, branch, interval=10, timeout=900, sleep=sleep, clock=now)

    assert now() - started == 900
    assert "job 1 (RUNNING)" in str(excinfo.value)
    assert running_job(client, app_id, branch) == "1"  # left alone, and nothing else started
    assert len(client.list_jobs(appId=app_id, branchName=branch)["jobSummaries"]) == 1


def test_a_job_being_cancelled_does_not_hold_the_release(
    client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    app_id, branch = main_branch
    client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")
    sleep(60)
    client.stop_job(appId=app_id, branchName=branch, jobId="1")
    seen = start_jobs_seen(client)

    result = ci_release(client, app_id, branch, interval=1, sleep=sleep, clock=now)

    assert seen == ["2"]  # accepted at once: a CANCELLING job blocks nothing
    assert (result.job_id, result.waited_for, result.exit_code) == ("2", (), 0)
    timeline = [(change.elapsed, change.status) for change in result.outcome.timeline[:2]]
    assert timeline == [(0, "PENDING"), (5, "PROVISIONING")]  # while job 1 was CANCELLING (5 s)


def test_a_job_that_ends_between_the_refusal_and_list_jobs_is_not_waited_for(
    client: Any, main_branch: Branch, clock: Clock, sleep: Any, now: Now
) -> None:
    app_id, branch = main_branch
    client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")
    seen = start_jobs_seen(client)

    def finish_the_running_job(parsed: Any, **_: Any) -> None:
        if parsed.get("Error", {}).get("Code") == "LimitExceededException":
            clock.advance(BUILD_JOB_SECONDS)  # the job ends right after refusing the release

    client.meta.events.register("after-call.amplify.StartJob", finish_the_running_job)

    result = ci_release(client, app_id, branch, interval=5, sleep=sleep, clock=now)

    assert seen == ["LimitExceededException", "2"]
    assert (result.job_id, result.waited_for, result.exit_code) == ("2", (), 0)


def test_other_errors_of_the_api_propagate(client: Any, main_branch: Branch, sleep: Any, now: Now) -> None:
    with pytest.raises(client.exceptions.NotFoundException):
        ci_release(client, main_branch[0], "no-such-branch", interval=5, sleep=sleep, clock=now)


def test_the_step_prints_its_report_and_exits_with_the_outcome(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now, capsys: Any
) -> None:
    app_id, branch = main_branch
    client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")
    argv = ["--app-id", app_id, "--branch", branch, "--attach", "--interval", "5"]

    assert main(argv, client=client, sleep=sleep, clock=now) == 0
    assert capsys.readouterr().out == "Amplify release of main: attached to job 1 SUCCEED\n"

    amplify.never_finish_next(app_id, branch)
    client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")
    argv = ["--app-id", app_id, "--branch", branch, "--interval", "5", "--timeout", "60"]
    assert main(argv, client=client, sleep=sleep, clock=now) == 1
    assert capsys.readouterr().out.startswith("Amplify release of main: not started: main was still busy")
