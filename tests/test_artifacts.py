"""End-to-end tests in a build: a buildSpec ``test`` phase adds a TEST step between BUILD and
DEPLOY, and what it leaves is listed by ListArtifacts and downloaded through GetArtifactUrl,
``testArtifactsUrl`` and ``testConfigUrl``; under freezegun and time-machine alike.

Default durations: PENDING 2 s, PROVISIONING 15 s, BUILD 120 s, TEST 90 s, DEPLOY 30 s,
VERIFY 10 s, so a tested build submitted at t runs TEST from t + 137 s to t + 227 s.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any, Dict, List

import pytest
import requests
from botocore.exceptions import ClientError

from amplify_mock import Durations, Outcome
from tests.helpers import error
from tests.jobs_support import (  # noqa: F401
    BRANCH,
    REPO,
    app_id_fixture,
    client_fixture,
    clock_fixture,
    job,
    steps,
)
from tests.robust_support import state_bytes

SPEC = """version: 1
frontend:
  phases:
    build:
      commands: [npm run build]
test:
  phases:
    preTest:
      commands: [npm ci]
    test:
      commands: ['npx cypress run --reporter mochawesome']
    postTest:
      commands: ['npx mochawesome-merge cypress/report/*.json > cypress/report/mochawesome.json']
  artifacts:
    baseDirectory: cypress
    configFilePath: '**/mochawesome.json'
    files:
      - '**/*.png'
      - '**/*.mp4'
"""
TEST_STARTS, TEST_ENDS = 2 + 15 + 120, 2 + 15 + 120 + 90
ALL_DONE = TEST_ENDS + 30 + 10


@pytest.fixture(name="tested")
def tested_fixture(client: Any) -> str:
    """An app whose buildSpec has a test phase, with one branch, ``main``."""
    app = client.create_app(name="shop", repository=REPO, accessToken="token", buildSpec=SPEC)["app"]["appId"]
    client.create_branch(appId=app, branchName=BRANCH)
    return str(app)


def start(client: Any, app: str, branch: str = BRANCH) -> str:
    return str(client.start_job(appId=app, branchName=branch, jobType="RELEASE")["jobSummary"]["jobId"])


def listed(client: Any, app: str, job_id: str, branch: str = BRANCH, **kwargs: Any) -> List[Dict[str, str]]:
    return list(client.list_artifacts(appId=app, branchName=branch, jobId=job_id, **kwargs)["artifacts"])


def names(client: Any, app: str, job_id: str, branch: str = BRANCH) -> List[str]:
    return [a["artifactFileName"] for a in listed(client, app, job_id, branch)]


def step(client: Any, app: str, job_id: str, name: str) -> Dict[str, Any]:
    return next(s for s in job(client, app, job_id)["steps"] if s["stepName"] == name)


# The TEST step


def test_a_test_phase_adds_a_test_step_between_build_and_deploy(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(TEST_STARTS)
    assert steps(client, tested, job_id) == [("BUILD", "SUCCEED"), ("TEST", "RUNNING")]
    clock.advance(TEST_ENDS - TEST_STARTS)
    assert steps(client, tested, job_id) == [("BUILD", "SUCCEED"), ("TEST", "SUCCEED"), ("DEPLOY", "RUNNING")]
    clock.advance(ALL_DONE - TEST_ENDS)
    assert job(client, tested, job_id)["summary"]["status"] == "SUCCEED"
    assert [name for name, _ in steps(client, tested, job_id)] == ["BUILD", "TEST", "DEPLOY", "VERIFY"]


def test_the_test_step_reports_its_downloads(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    test = step(client, tested, job_id, "TEST")
    assert test["testArtifactsUrl"].endswith("/TEST/artifacts.zip")
    assert test["testConfigUrl"].endswith("/TEST/config")
    assert test["logUrl"].endswith("/TEST/log.txt")
    assert "artifactsUrl" not in test
    assert "testArtifactsUrl" not in step(client, tested, job_id, "BUILD")


def test_no_test_phase_means_no_test_step(client, app_id, clock):
    client.update_app(appId=app_id, buildSpec="version: 1\nfrontend:\n  phases: {}\n")
    job_id = start(client, app_id)
    clock.advance(ALL_DONE)
    assert [name for name, _ in steps(client, app_id, job_id)] == ["BUILD", "DEPLOY", "VERIFY"]
    assert listed(client, app_id, job_id) == []


def test_a_build_spec_that_is_not_yaml_runs_no_tests(client, app_id, clock):
    client.update_app(appId=app_id, buildSpec="test: [unclosed\n  phases: {")
    job_id = start(client, app_id)
    clock.advance(ALL_DONE)
    assert [name for name, _ in steps(client, app_id, job_id)] == ["BUILD", "DEPLOY", "VERIFY"]


def test_the_branch_build_spec_wins_over_the_app(client, tested, clock):
    client.create_branch(appId=tested, branchName="untested", buildSpec="version: 1\n")
    client.create_branch(appId=tested, branchName="inherits")
    untested, inherits = start(client, tested, "untested"), start(client, tested, "inherits")
    clock.advance(ALL_DONE)
    assert "TEST" not in [s["stepName"] for s in job(client, tested, untested, "untested")["steps"]]
    assert "TEST" in [s["stepName"] for s in job(client, tested, inherits, "inherits")["steps"]]


def test_user_disable_tests_skips_the_step(client, tested, clock):
    # AWS's documented switch: USER_DISABLE_TESTS=true on a branch (or the app) skips tests.
    client.create_branch(appId=tested, branchName="fast", environmentVariables={"USER_DISABLE_TESTS": "true"})
    job_id = start(client, tested, "fast")
    clock.advance(ALL_DONE)
    assert [name for name, _ in steps(client, tested, job_id, "fast")] == ["BUILD", "DEPLOY", "VERIFY"]


def test_a_monorepo_build_spec_test_phase_counts(client, app_id, clock):
    client.update_app(
        appId=app_id, buildSpec="version: 1\napplications:\n  - appRoot: web\n    test:\n      phases: {}\n"
    )
    job_id = start(client, app_id)
    clock.advance(ALL_DONE)
    assert "TEST" in [name for name, _ in steps(client, app_id, job_id)]


def test_the_test_duration_is_configurable(client, tested, clock, amplify_jobs):
    amplify_jobs.durations = Durations(test=5)
    job_id = start(client, tested)
    clock.advance(TEST_STARTS + 5)
    assert ("TEST", "SUCCEED") in steps(client, tested, job_id)


def test_a_failing_test_step_fails_the_job_and_skips_deploy(client, tested, clock, amplify_jobs):
    amplify_jobs.fail_next(tested, BRANCH, "TEST", "2 of 5 specs failed")
    job_id = start(client, tested)
    clock.advance(TEST_ENDS)
    result = job(client, tested, job_id)
    assert result["summary"]["status"] == "FAILED"
    assert [(s["stepName"], s["status"]) for s in result["steps"]] == [
        ("BUILD", "SUCCEED"), ("TEST", "FAILED"),
    ]
    assert result["steps"][1]["statusReason"] == "2 of 5 specs failed"
    log = requests.get(result["steps"][1]["logUrl"]).text
    assert "!!! Test failed" in log and "2 of 5 specs failed" in log


def test_a_job_can_hang_at_test(client, tested, clock, amplify_jobs):
    amplify_jobs.script(tested, BRANCH, Outcome.never_finish("TEST"))
    job_id = start(client, tested)
    clock.advance(10 * ALL_DONE)
    assert steps(client, tested, job_id) == [("BUILD", "SUCCEED"), ("TEST", "RUNNING")]


def test_deployments_never_run_tests(client, clock):
    app = client.create_app(name="manual", buildSpec=SPEC)["app"]["appId"]
    client.create_branch(appId=app, branchName=BRANCH)
    client.start_deployment(appId=app, branchName=BRANCH, sourceUrl="https://example.com/site.zip")
    clock.advance(ALL_DONE)
    assert [name for name, _ in steps(client, app, "1")] == ["DEPLOY", "VERIFY"]


# ListArtifacts


def test_artifacts_follow_the_test_phase_config(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    assert names(client, tested, job_id) == ["screenshots/home.cy.png", "videos/home.cy.mp4"]


def test_artifacts_appear_once_the_test_step_has_run(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(TEST_ENDS - 1)
    assert listed(client, tested, job_id) == []
    clock.advance(1)
    assert len(listed(client, tested, job_id)) == 2


def test_a_failed_test_run_leaves_artifacts_too(client, tested, clock, amplify_jobs):
    amplify_jobs.fail_next(tested, BRANCH, "TEST")
    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    assert len(listed(client, tested, job_id)) == 2
    report = json.loads(requests.get(step(client, tested, job_id, "TEST")["testConfigUrl"]).content)
    assert report["stats"]["failures"] == 1 and report["stats"]["passes"] == 0


def test_a_job_stopped_during_test_leaves_none(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(TEST_STARTS + 1)
    client.stop_job(appId=tested, branchName=BRANCH, jobId=job_id)
    clock.advance(ALL_DONE)
    assert listed(client, tested, job_id) == []


def test_artifact_ids_are_stable_and_unique(client, tested, clock):
    first = start(client, tested)
    clock.advance(ALL_DONE)
    second = start(client, tested)
    clock.advance(ALL_DONE)
    assert listed(client, tested, first) == listed(client, tested, first)
    ids = [a["artifactId"] for job_id in (first, second) for a in listed(client, tested, job_id)]
    assert len(ids) == len(set(ids)) == 4


def test_list_artifacts_pages(client, tested, clock, amplify_jobs):
    job_id = start(client, tested)
    amplify_jobs.set_artifacts(tested, BRANCH, job_id, {f"screenshots/{n}.png": b"x" for n in range(5)})
    clock.advance(ALL_DONE)
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = client.list_artifacts(appId=tested, branchName=BRANCH, jobId=job_id, maxResults=2, **kwargs)
        seen += [a["artifactFileName"] for a in page["artifacts"]]
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert pages == 3
    assert seen == [f"screenshots/{n}.png" for n in range(5)]


def test_list_artifacts_refuses_a_bad_token(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    state = state_bytes()
    with pytest.raises(ClientError) as excinfo:
        client.list_artifacts(appId=tested, branchName=BRANCH, jobId=job_id, nextToken="bogus")
    assert state_bytes() == state
    code, status, message = error(excinfo)
    assert (code, status) == ("BadRequestException", 400) and "nextToken" in message


@pytest.mark.parametrize(
    "where, message",
    [
        ({"appId": "d0000000000000", "branchName": BRANCH, "jobId": "1"}, "App d0000000000000 not found."),
        ({"branchName": "nope", "jobId": "1"}, "Branch nope not found."),
        ({"branchName": BRANCH, "jobId": "42"}, "Job 42 not found"),
    ],
)
def test_list_artifacts_of_what_does_not_exist(client, tested, clock, where, message):
    start(client, tested)
    clock.advance(ALL_DONE)
    before, state = listed(client, tested, "1"), state_bytes()
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.list_artifacts(**{"appId": tested, **where})
    code, status, text = error(excinfo)
    assert (code, status) == ("NotFoundException", 404) and text.startswith(message)
    assert state_bytes() == state
    assert listed(client, tested, "1") == before


# GetArtifactUrl and the downloads


def test_get_artifact_url_serves_the_bytes(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    screenshot = listed(client, tested, job_id)[0]
    reply = client.get_artifact_url(artifactId=screenshot["artifactId"])
    assert reply["artifactId"] == screenshot["artifactId"]
    response = requests.get(reply["artifactUrl"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_set_artifacts_replaces_what_the_step_leaves(client, tested, clock, amplify_jobs):
    job_id = start(client, tested)
    report = json.dumps({"stats": {"failures": 3}}).encode()
    amplify_jobs.set_artifacts(tested, BRANCH, job_id, {"videos/login.cy.js.mp4": b"movie"}, report=report)
    assert listed(client, tested, job_id) == []  # not before the step has run
    clock.advance(ALL_DONE)
    (video,) = listed(client, tested, job_id)
    assert video["artifactFileName"] == "videos/login.cy.js.mp4"
    url = client.get_artifact_url(artifactId=video["artifactId"])["artifactUrl"]
    assert requests.get(url).content == b"movie"
    test = step(client, tested, job_id, "TEST")
    assert requests.get(test["testConfigUrl"]).content == report
    archive = zipfile.ZipFile(io.BytesIO(requests.get(test["testArtifactsUrl"]).content))
    assert sorted(archive.namelist()) == ["report/mochawesome.json", "videos/login.cy.js.mp4"]
    assert archive.read("videos/login.cy.js.mp4") == b"movie"


def test_set_artifacts_refuses_a_job_without_tests(client, app_id, amplify_jobs):
    job_id = start(client, app_id)
    state = state_bytes()
    with pytest.raises(ValueError, match="runs no TEST step"):
        amplify_jobs.set_artifacts(app_id, BRANCH, job_id, {"a.png": b"x"})
    with pytest.raises(TypeError):
        amplify_jobs.set_artifacts(app_id, BRANCH, job_id, {"a.png": "text"})  # type: ignore[dict-item]
    assert state_bytes() == state


def test_the_test_downloads_before_the_step_has_run(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(TEST_STARTS + 1)
    test = step(client, tested, job_id, "TEST")
    for url in (test["testArtifactsUrl"], test["testConfigUrl"]):
        response = requests.get(url)
        assert response.status_code == 404 and b"<Code>NoSuchKey</Code>" in response.content


def test_the_report_is_a_mochawesome_report_of_the_run(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    report = requests.get(step(client, tested, job_id, "TEST")["testConfigUrl"]).json()
    assert report["stats"]["passes"] == 1 and report["stats"]["failures"] == 0
    assert report["stats"]["duration"] == 90000


def test_get_artifact_url_of_an_unknown_id(client, tested, clock):
    start(client, tested)
    clock.advance(ALL_DONE)
    before, state = listed(client, tested, "1"), state_bytes()
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.get_artifact_url(artifactId="00000000-0000-0000-0000-000000000000")
    assert state_bytes() == state
    assert error(excinfo) == (
        "NotFoundException", 404, "Artifact 00000000-0000-0000-0000-000000000000 not found."
    )
    assert listed(client, tested, "1") == before


def test_an_expired_artifact_url_is_refused_as_s3_refuses_it(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    url = client.get_artifact_url(artifactId=listed(client, tested, job_id)[0]["artifactId"])["artifactUrl"]
    clock.advance(3601)
    response = requests.get(url)
    assert response.status_code == 403
    assert b"<Code>AccessDenied</Code><Message>Request has expired</Message>" in response.content


def test_an_edited_artifact_url_is_refused(client, tested, clock):
    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    url = client.get_artifact_url(artifactId=listed(client, tested, job_id)[0]["artifactId"])["artifactUrl"]
    response = requests.get(url.replace("X-Amz-Expires=3600", "X-Amz-Expires=99999"))
    assert response.status_code == 403 and b"SignatureDoesNotMatch" in response.content


@pytest.mark.parametrize("delete", ["job", "branch", "app"])
def test_deleting_forgets_the_artifacts(client, tested, clock, delete):
    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    artifact_id = listed(client, tested, job_id)[0]["artifactId"]
    url = client.get_artifact_url(artifactId=artifact_id)["artifactUrl"]
    if delete == "job":
        client.delete_job(appId=tested, branchName=BRANCH, jobId=job_id)
    elif delete == "branch":
        client.delete_branch(appId=tested, branchName=BRANCH)
    else:
        client.delete_app(appId=tested)
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_artifact_url(artifactId=artifact_id)
    response = requests.get(url)
    assert response.status_code == 404 and b"NoSuchKey" in response.content


def test_a_recreated_branch_does_not_inherit_old_artifacts(client, tested, clock):
    old = start(client, tested)
    clock.advance(ALL_DONE)
    old_ids = {a["artifactId"] for a in listed(client, tested, old)}
    client.delete_branch(appId=tested, branchName=BRANCH)
    client.create_branch(appId=tested, branchName=BRANCH)
    new = start(client, tested)
    assert new == old and listed(client, tested, new) == []
    clock.advance(ALL_DONE)
    assert not old_ids & {a["artifactId"] for a in listed(client, tested, new)}


def test_artifacts_are_per_account_and_region(client, tested, clock):
    from tests.helpers import amplify

    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    artifact_id = listed(client, tested, job_id)[0]["artifactId"]
    with pytest.raises(ClientError) as excinfo:
        amplify("eu-west-1").get_artifact_url(artifactId=artifact_id)
    assert error(excinfo)[0] == "NotFoundException"


def test_reset_forgets_the_artifacts(client, tested, clock, amplify_jobs):
    job_id = start(client, tested)
    clock.advance(ALL_DONE)
    artifact_id = listed(client, tested, job_id)[0]["artifactId"]
    amplify_jobs.reset()
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_artifact_url(artifactId=artifact_id)


def test_the_state_manager_progressions_run_the_test_step(client, tested, clock):
    from moto.moto_api import state_manager

    state_manager.set_transition("amplify::job", {"progression": "immediate"})
    try:
        job_id = start(client, tested)
        assert [(s["stepName"], s["status"]) for s in job(client, tested, job_id)["steps"]][:2] == [
            ("BUILD", "SUCCEED"), ("TEST", "SUCCEED"),
        ]
        assert len(listed(client, tested, job_id)) == 2
        state_manager.set_transition("amplify::job", {"progression": "manual", "times": 1})
        client.create_branch(appId=tested, branchName="manual")
        second = start(client, tested, "manual")
        seen = [job(client, tested, second, "manual")["summary"]["status"] for _ in range(4)]
        assert seen == ["PROVISIONING", "RUNNING", "SUCCEED", "SUCCEED"]
        assert "TEST" in [s["stepName"] for s in job(client, tested, second, "manual")["steps"]]
    finally:
        state_manager.unset_transition("amplify::job")


def test_the_timeline_shows_the_test_step(client, tested, clock, amplify_jobs):
    amplify_jobs.fail_next(tested, BRANCH, "TEST", "specs failed")
    start(client, tested)
    clock.advance(ALL_DONE)
    client.get_job(appId=tested, branchName=BRANCH, jobId="1")
    assert "TEST FAILED from +137 s to +227 s: specs failed" in amplify_jobs.timeline()


def test_a_refused_set_artifacts_keeps_what_was_set(client, tested, clock, amplify_jobs):
    job_id = start(client, tested)
    amplify_jobs.set_artifacts(tested, BRANCH, job_id, {"kept.png": b"kept"})
    state = state_bytes()
    with pytest.raises(TypeError):
        amplify_jobs.set_artifacts(tested, BRANCH, job_id, {"new.png": b"x", "bad.png": 3})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        amplify_jobs.set_artifacts(tested, BRANCH, job_id, {"": b"x"})
    assert state_bytes() == state
    clock.advance(ALL_DONE)
    assert names(client, tested, job_id) == ["kept.png"]


def test_an_artifact_url_answers_head_and_ranges_as_s3_does(client, tested, clock, amplify_jobs):
    job_id = start(client, tested)
    amplify_jobs.set_artifacts(tested, BRANCH, job_id, {"results/out.txt": b"0123456789"})
    clock.advance(ALL_DONE)
    (artifact,) = listed(client, tested, job_id)
    url = client.get_artifact_url(artifactId=artifact["artifactId"])["artifactUrl"]
    head = requests.head(url)
    assert head.status_code == 200 and head.headers["Content-Length"] == "10" and head.content == b""
    part = requests.get(url, headers={"Range": "bytes=4-"})
    assert part.status_code == 206 and part.content == b"456789"
    refused = requests.put(url, data=b"x")
    assert refused.status_code == 405 and b"MethodNotAllowed" in refused.content
