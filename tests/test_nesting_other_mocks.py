"""Other HTTP mocks next to ours: a user's ``responses`` mock, and moto's ``mock_aws()`` with a
``service_whitelist`` that leaves Amplify out. Whichever is started inside the other, Amplify
calls (boto3, raw ``requests``, the deployment upload URLs) are answered in memory, and the
user's own mock keeps answering what it registered.

Run behind a proxy that forwards nothing and records where each request it got was going:
it must have seen none."""

from __future__ import annotations

import re

import boto3
import pytest
import requests
import responses
from moto import mock_aws

from amplify_mock import mock_amplify_jobs
from tests.helpers import amplify
from tests.robust_support import ENDPOINT, RecordingProxy, proxy_fixture  # noqa: F401

ELSEWHERE = "https://api.example.com/status"



def check_amplify_answered_in_memory() -> None:
    """boto3, raw requests, a deployment's zip upload and a webhook all work, in memory or on
    the mock's loopback listener."""
    client = amplify()
    app_id = client.create_app(name="shop")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    listed = requests.get(f"{ENDPOINT}/apps", timeout=2)
    assert listed.status_code == 200, listed.text
    assert [app["appId"] for app in listed.json()["apps"]] == [app_id]
    created = requests.post(f"{ENDPOINT}/apps", json={"name": "raw"}, timeout=2)
    assert created.status_code == 200, created.text
    deployment = client.create_deployment(appId=app_id, branchName="main")
    upload = requests.put(deployment["zipUploadUrl"], data=b"PK\x05\x06" + b"\0" * 18, timeout=2)
    assert upload.status_code == 200, upload.text
    started = client.start_deployment(appId=app_id, branchName="main", jobId=deployment["jobId"])
    assert started["jobSummary"]["status"] == "PENDING"
    client.update_app(appId=app_id, repository="https://github.com/acme/shop", accessToken="token")
    webhook = client.create_webhook(appId=app_id, branchName="main")["webhook"]
    posted = requests.post(webhook["webhookUrl"], json={}, timeout=2)
    assert posted.status_code == 200, posted.text
    assert client.list_jobs(appId=app_id, branchName="main")["jobSummaries"][0]["jobType"] == "WEB_HOOK"


def register_elsewhere() -> None:
    responses.add(responses.GET, ELSEWHERE, json={"ok": True})


def check_users_mock_still_answers() -> None:
    assert requests.get(ELSEWHERE, timeout=2).json() == {"ok": True}


# --- A user's responses mock inside ours ------------------------------------------------------


@mock_amplify_jobs
@responses.activate
def test_responses_activate_beneath_the_decorator() -> None:
    register_elsewhere()
    check_amplify_answered_in_memory()
    check_users_mock_still_answers()
    # What the user's mock does not know it still refuses, as responses does.
    with pytest.raises(requests.exceptions.ConnectionError, match="Connection refused by Responses"):
        requests.get("https://api.example.com/unregistered", timeout=2)


@mock_amplify_jobs
@responses.activate
def test_a_passthru_for_amplify_urls_does_not_let_them_out() -> None:
    responses.add_passthru("https://amplify.us-east-1.amazonaws.com")
    responses.add_passthru(re.compile(r"https://amplify\..*"))
    check_amplify_answered_in_memory()


@mock_amplify_jobs
@responses.activate
def test_a_passthrough_response_for_an_amplify_url_does_not_let_it_out() -> None:
    responses.add(responses.PassthroughResponse(responses.GET, f"{ENDPOINT}/apps"))
    assert requests.get(f"{ENDPOINT}/apps", timeout=2).json() == {"apps": []}


def test_a_requests_mock_of_the_users_own_started_inside() -> None:
    with mock_amplify_jobs(), responses.RequestsMock() as mocked:
        mocked.add(responses.GET, ELSEWHERE, json={"ok": True})
        check_amplify_answered_in_memory()
        assert requests.get(ELSEWHERE, timeout=2).json() == {"ok": True}


# --- ... and outside ours ---------------------------------------------------------------------


@responses.activate
@mock_amplify_jobs
def test_responses_activate_above_the_decorator() -> None:
    register_elsewhere()
    check_amplify_answered_in_memory()
    check_users_mock_still_answers()


@responses.activate
def test_after_the_mock_stops_the_users_mock_is_as_before() -> None:
    register_elsewhere()
    with mock_amplify_jobs():
        check_amplify_answered_in_memory()
    check_users_mock_still_answers()
    # No longer ours: the user's mock refuses Amplify as it refuses any URL it does not know.
    with pytest.raises(requests.exceptions.ConnectionError, match="Connection refused by Responses"):
        requests.get(f"{ENDPOINT}/apps", timeout=2)


# --- moto's mock_aws() with a service whitelist -----------------------------------------------

WHITELIST = {"core": {"service_whitelist": ["s3"]}}


def check_s3_by_moto() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="artifacts")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["artifacts"]


def test_mock_aws_with_a_whitelist_started_inside_ours() -> None:
    with mock_amplify_jobs(), mock_aws(config=WHITELIST):  # type: ignore[arg-type]
        check_amplify_answered_in_memory()
        check_s3_by_moto()


def test_mock_aws_with_a_whitelist_started_outside_ours() -> None:
    with mock_aws(config=WHITELIST), mock_amplify_jobs():  # type: ignore[arg-type]
        check_amplify_answered_in_memory()
        check_s3_by_moto()


def test_mock_aws_with_a_whitelist_and_a_users_responses_mock_inside_ours() -> None:
    with mock_amplify_jobs(), mock_aws(config=WHITELIST), responses.RequestsMock() as mocked:  # type: ignore[arg-type]
        mocked.add(responses.GET, ELSEWHERE, json={"ok": True})
        mocked.add_passthru("https://")
        check_amplify_answered_in_memory()
        assert requests.get(ELSEWHERE, timeout=2).json() == {"ok": True}


def test_a_users_mock_that_outlives_ours_is_left_unpatched(proxy: RecordingProxy) -> None:
    mocked = responses.RequestsMock()
    mocked.start()
    try:
        mocked.add_passthru("https://amplify.")
        with mock_amplify_jobs():
            pass
        # The passthru now really sends: the proxy is where it goes (nothing reaches AWS).
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(f"{ENDPOINT}/apps", timeout=2)
    finally:
        mocked.stop()
    # Taken out before asserting, so that the fixture's check for escaped requests sees only
    # the others. http.client tunnels with HTTP/1.0 up to Python 3.11 and HTTP/1.1 from 3.12.
    seen, proxy.seen[:] = list(proxy.seen), []
    tunnel = r"CONNECT amplify\.us-east-1\.amazonaws\.com:443 HTTP/1\.[01]"
    assert len(seen) == 1 and re.fullmatch(tunnel, seen[0]), seen
