"""examples/release_or_join.py against the mock: a deploy script racing Amplify's auto-build of the
push it just merged. Each test runs under freezegun and time-machine."""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

from amplify_mock import AmplifyJobs
from examples.release_or_join import release_or_join

# The fixtures clock, sleep, now, amplify, client and main_branch.
pytest_plugins = ("tests.example_support",)

Branch = Tuple[str, str]
Now = Callable[[], float]


def job_types(client: Any, app_id: str) -> List[Tuple[str, str, str]]:
    jobs = client.list_jobs(appId=app_id, branchName="main")["jobSummaries"]
    return [(j["jobId"], j["jobType"], j["status"]) for j in reversed(jobs)]


def push_just_before_start_job(client: Any, amplify: AmplifyJobs, app_id: str) -> None:
    """The merge's auto-build reaches Amplify after the script's ListJobs, before its StartJob."""

    def push(**_: Any) -> None:
        if not job_types(client, app_id):
            amplify.push(app_id, "main", "a" * 40, "Merge pull request #7")

    client.meta.events.register("before-call.amplify.StartJob", push)


def test_it_joins_the_auto_build_of_the_push_instead_of_starting_another(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    app_id, _ = main_branch
    amplify.push(app_id, "main", "a" * 40, "Merge pull request #7")

    outcome = release_or_join(client, *main_branch, interval=5, sleep=sleep, clock=now)

    assert outcome.succeeded and outcome.job_id == "1"
    assert job_types(client, app_id) == [("1", "WEB_HOOK", "SUCCEED")]


def test_it_releases_when_no_build_is_under_way(
    client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    outcome = release_or_join(client, *main_branch, interval=5, sleep=sleep, clock=now)

    assert outcome.succeeded
    assert job_types(client, main_branch[0]) == [("1", "RELEASE", "SUCCEED")]


def test_an_auto_build_landing_between_list_and_start_is_joined_when_start_job_is_refused(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    # The push's build is PENDING when StartJob arrives: AWS refuses StartJob with
    # LimitExceededException (a webhook or push build is never refused; it queues), and the
    # script joins the build instead of failing.
    app_id, _ = main_branch
    push_just_before_start_job(client, amplify, app_id)
    refusals: List[str] = []

    def seen(parsed: Any, **_: Any) -> None:
        refusals.append(parsed.get("Error", {}).get("Code", "started"))

    client.meta.events.register("after-call.amplify.StartJob", seen)

    outcome = release_or_join(client, *main_branch, interval=5, sleep=sleep, clock=now)

    assert refusals == ["LimitExceededException"]
    assert outcome.succeeded and outcome.job_id == "1"
    assert job_types(client, app_id) == [("1", "WEB_HOOK", "SUCCEED")]


def test_pushes_during_a_release_queue_behind_it(
    amplify: AmplifyJobs, client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    app_id, _ = main_branch
    started: List[str] = []

    def push_after_start(**_: Any) -> None:
        started.append(str(amplify.push(app_id, "main", "b" * 40, "Merge pull request #8")))

    client.meta.events.register("after-call.amplify.StartJob", push_after_start)

    outcome = release_or_join(client, *main_branch, interval=5, sleep=sleep, clock=now)

    assert outcome.succeeded and outcome.job_id == "1" and started == ["2"]
    assert job_types(client, app_id)[0] == ("1", "RELEASE", "SUCCEED")
    assert job_types(client, app_id)[1][:2] == ("2", "WEB_HOOK")
