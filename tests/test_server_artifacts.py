"""End-to-end test artifacts in server mode: boto3 and the AWS CLI against the server, its
control endpoint that sets a job's artifacts, and the URLs the server itself serves."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile
from typing import Any

import pytest

from tests.server_support import REPO, Served, server_fixture  # noqa: F401
from tests.test_server_cli import clean_env

SPEC = "version: 1\ntest:\n  phases:\n    test:\n      commands: [npx cypress run]\n"
DONE = 2 + 15 + 120 + 90 + 30 + 10


def started_tested_job(server: Served, client: Any, branch: str = "main") -> str:
    app_id = str(client.create_app(
        name="shop", repository=REPO, accessToken="token", buildSpec=SPEC)["app"]["appId"]
    )
    client.create_branch(appId=app_id, branchName=branch)
    client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")
    return app_id


def test_server_lists_and_serves_artifacts(server: Served) -> None:
    client = server.client()
    app_id = started_tested_job(server, client)
    assert client.list_artifacts(appId=app_id, branchName="main", jobId="1")["artifacts"] == []
    server.advance(DONE)
    artifacts = client.list_artifacts(appId=app_id, branchName="main", jobId="1")["artifacts"]
    assert [a["artifactFileName"] for a in artifacts] == ["screenshots/home.cy.png", "videos/home.cy.mp4"]
    url = client.get_artifact_url(artifactId=artifacts[1]["artifactId"])["artifactUrl"]
    assert url.startswith(server.url + "/_amplify_mock/test-artifacts/")
    response = server.http.get(url)
    assert response.status_code == 200 and response.content[4:8] == b"ftyp"
    test = client.get_job(appId=app_id, branchName="main", jobId="1")["job"]["steps"][1]
    assert test["stepName"] == "TEST" and test["testConfigUrl"].startswith(server.url)
    assert server.http.get(test["testConfigUrl"]).json()["stats"]["passes"] == 1
    archive = zipfile.ZipFile(io.BytesIO(server.http.get(test["testArtifactsUrl"]).content))
    assert sorted(archive.namelist()) == [
        "report/mochawesome.json", "screenshots/home.cy.png", "videos/home.cy.mp4",
    ]
    server.advance(3601)
    expired = server.http.get(url)
    assert expired.status_code == 403 and b"Request has expired" in expired.content


def test_server_refuses_an_unknown_artifact_id(server: Served) -> None:
    client = server.client()
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.get_artifact_url(artifactId="nope")
    assert excinfo.value.response["Error"]["Message"] == "Artifact nope not found."


def test_control_endpoint_sets_a_jobs_artifacts(server: Served) -> None:
    client = server.client("eu-west-1")
    app_id = started_tested_job(server, client)
    where = {"appId": app_id, "branchName": "main", "jobId": "1", "region": "eu-west-1"}
    files = {"videos/login.cy.js.mp4": base64.b64encode(b"movie").decode()}
    report = base64.b64encode(b'{"stats": {}}').decode()
    response = server.control("POST", "artifacts", json={**where, "files": files, "report": report})
    assert response.status_code == 200, response.text
    (answered,) = response.json()["artifacts"]
    assert answered["artifactFileName"] == "videos/login.cy.js.mp4"
    server.advance(DONE)
    (listed,) = client.list_artifacts(appId=app_id, branchName="main", jobId="1")["artifacts"]
    assert listed == answered
    url = client.get_artifact_url(artifactId=listed["artifactId"])["artifactUrl"]
    assert server.http.get(url).content == b"movie"
    test = client.get_job(appId=app_id, branchName="main", jobId="1")["job"]["steps"][1]
    assert server.http.get(test["testConfigUrl"]).content == b'{"stats": {}}'


@pytest.mark.parametrize(
    "body, status, words",
    [
        ({"files": {"a.png": "not base64!"}}, 400, "not valid base64"),
        ({"files": ["a.png"]}, 400, "files must be a JSON object"),
        ({"files": {}, "surprise": 1}, 400, "Unknown field(s) surprise"),
        ({"files": {}, "jobId": "7"}, 404, "Job 7 not found"),
        ({"files": {}, "branchName": "nope"}, 404, "Branch nope not found."),
    ],
)
def test_control_endpoint_refuses_bad_input_and_changes_nothing(
    server: Served, body: Any, status: int, words: str
) -> None:
    client = server.client()
    app_id = started_tested_job(server, client)
    server.advance(DONE)
    before = client.list_artifacts(appId=app_id, branchName="main", jobId="1")["artifacts"]
    request = {"appId": app_id, "branchName": "main", "jobId": "1", **body}
    response = server.control("POST", "artifacts", json=request)
    assert response.status_code == status and words in response.json()["message"]
    assert client.list_artifacts(appId=app_id, branchName="main", jobId="1")["artifacts"] == before


def test_control_endpoint_refuses_a_job_without_tests(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    response = server.control(
        "POST", "artifacts", json={"appId": app_id, "branchName": "main", "jobId": "1", "files": {}}
    )
    assert response.status_code == 400 and "runs no TEST step" in response.json()["message"]


def aws(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "awscli", "amplify", *args, "--endpoint-url", url, "--region", "us-east-1"],
        env={**clean_env(), "AWS_MAX_ATTEMPTS": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_aws_cli_lists_artifacts_and_gets_their_url(server: Served) -> None:
    client = server.client()
    app_id = started_tested_job(server, client)
    server.advance(DONE)
    listed = aws(server.url, "list-artifacts", "--app-id", app_id, "--branch-name", "main", "--job-id", "1")
    assert listed.returncode == 0, listed.stderr
    artifacts = json.loads(listed.stdout)["artifacts"]
    assert len(artifacts) == 2
    got = aws(server.url, "get-artifact-url", "--artifact-id", artifacts[0]["artifactId"])
    assert got.returncode == 0, got.stderr
    assert server.http.get(json.loads(got.stdout)["artifactUrl"]).content.startswith(b"\x89PNG")
    missing = aws(server.url, "get-artifact-url", "--artifact-id", "nope")
    assert missing.returncode != 0
    assert "An error occurred (NotFoundException) when calling the GetArtifactUrl operation" in missing.stderr
