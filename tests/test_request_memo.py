"""Requests parsed once are remembered (a polling test sends the same one again and again);
what each call does and answers must be exactly what parsing it afresh would give."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
import requests
from botocore.exceptions import ClientError

from amplify_mock import _dispatch, mock_amplify_jobs
from tests.helpers import amplify, error, unvalidated

REPO = "https://github.com/acme/shop"


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_amplify_jobs():
        yield amplify()


@pytest.fixture
def app_id(client: Any) -> str:
    app = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
    client.create_branch(appId=app, branchName="main")
    return str(app)


def test_the_same_start_job_twice_starts_two_jobs_with_their_own_parameters(client: Any, app_id: str) -> None:
    request = {"appId": app_id, "branchName": "main", "jobType": "RELEASE", "commitId": "abc"}
    # Each job is stopped before the next starts: a job being cancelled does not hold the branch.
    first = client.start_job(**request)["jobSummary"]
    client.stop_job(appId=app_id, branchName="main", jobId="1")
    second = client.start_job(**request)["jobSummary"]
    client.stop_job(appId=app_id, branchName="main", jobId="2")
    assert (first["jobId"], second["jobId"]) == ("1", "2")
    assert first["commitId"] == second["commitId"] == "abc"
    # StartJob consumes appId and branchName from its parameters: a remembered copy must not lose them.
    assert client.start_job(**request)["jobSummary"]["jobId"] == "3"


def test_a_remembered_request_still_meets_the_state_of_the_moment() -> None:
    with mock_amplify_jobs() as controller:
        client = amplify()
        app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
        get = {"appId": app_id, "branchName": "main", "jobId": "1"}
        assert client.get_job(**get)["job"]["summary"]["status"] == "PENDING"
        client.stop_job(appId=app_id, branchName="main", jobId="1")
        assert client.get_job(**get)["job"]["summary"]["status"] == "CANCELLING"
        controller.reset()  # the same request, remembered, now finds nothing
        with pytest.raises(ClientError) as excinfo:
            client.get_job(**get)
    assert error(excinfo)[:2] == ("NotFoundException", 404)


def test_a_refused_request_is_refused_every_time() -> None:
    with mock_amplify_jobs():
        client = unvalidated()
        for _ in range(3):
            with pytest.raises(ClientError) as excinfo:
                client.get_job(appId="NOT-AN-APP-ID", branchName="main", jobId="1")
            assert error(excinfo)[:2] == ("BadRequestException", 400)


def test_inputs_with_lists_or_maps_are_not_remembered(client: Any) -> None:
    client.create_app(name="a", environmentVariables={"K": "v"})
    assert not any(key[1].endswith("/apps") and key[0] == "POST" for key in _dispatch._seen_requests)


def test_the_memory_is_bounded(client: Any, app_id: str) -> None:
    for job in range(_dispatch._SEEN_REQUESTS_MAX + 50):
        try:
            client.get_job(appId=app_id, branchName="main", jobId=str(job + 1))
        except ClientError:
            pass
        assert len(_dispatch._seen_requests) <= _dispatch._SEEN_REQUESTS_MAX


def test_raw_requests_share_it_and_answer_alike(client: Any, app_id: str) -> None:
    url = f"https://amplify.us-east-1.amazonaws.com/apps/{app_id}/branches/main"
    answers = [requests.get(url, timeout=1) for _ in range(3)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["branch"]["branchArn"] for a in answers}) == 1
