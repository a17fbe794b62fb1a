"""A POST to a webhook URL starts a WEB_HOOK build, with any HTTP client, in-process and in server
mode, behind a CI's proxy setting; AWS's own webhook host is answered in memory, never sent."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from typing import Any, Dict, List, Tuple
from urllib.parse import urlsplit

import httpx
import pytest
import requests
from moto import mock_aws

from amplify_mock import AmplifyJobs, Durations, _content, mock_amplify_jobs
from tests.clocks import Clock, clock_fixture  # noqa: F401  (provides ``clock``)
from tests.helpers import amplify
from tests.server_support import server_fixture  # noqa: F401  (provides ``server``)
from tests.url_support import DEAD_PROXY, dead_proxy, mock_fixture  # noqa: F401

REPO = "https://github.com/acme/shop"


def hooked_app(client: Any, branch: str = "main") -> Tuple[str, Dict[str, Any]]:
    app_id = str(client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"])
    client.create_branch(appId=app_id, branchName=branch)
    return app_id, dict(client.create_webhook(appId=app_id, branchName=branch)["webhook"])


def jobs(client: Any, app_id: str, branch: str = "main") -> List[Tuple[str, str, str, str]]:
    summaries = client.list_jobs(appId=app_id, branchName=branch)["jobSummaries"]
    return [(j["jobId"], j["jobType"], j["status"], j["commitId"]) for j in reversed(summaries)]


def aws_form(url: str, region: str = "us-east-1") -> str:
    """The same webhook URL on AWS's host, as the AWS console shows it."""
    parts = urlsplit(url)
    return f"https://webhooks.amplify.{region}.amazonaws.com{parts.path}?{parts.query}"


def post(client_name: str, url: str) -> Tuple[int, bytes]:
    """POST ``{}`` as JSON with one HTTP client, as AWS's console curl command does."""
    data, headers = b"{}", {"Content-Type": "application/json"}
    if client_name == "urllib":
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read()
    if client_name == "requests":
        response = requests.post(url, data=data, headers=headers, timeout=10)
        return response.status_code, response.content
    if client_name == "httpx":
        answer = httpx.post(url, content=data, headers=headers, timeout=10)
        return answer.status_code, answer.content
    if client_name == "curl":
        done = subprocess.run(
            ["curl", "-sS", "-X", "POST", "-d", "{}", "-H", "Content-Type: application/json",
             "-w", "\n%{http_code}", url],
            capture_output=True, timeout=30, check=True, env=dict(os.environ),
        )
        body, _, status = done.stdout.rpartition(b"\n")
        return int(status), body
    raise AssertionError(client_name)


CLIENTS = ["urllib", "requests", "httpx", "curl"]


def assert_queued_reply(status: int, body: bytes) -> None:
    # AWS hands the request to SQS and answers with SQS's SendMessage reply.
    assert status == 200, body
    reply = json.loads(body)["SendMessageResponse"]
    assert reply["ResponseMetadata"]["RequestId"]
    assert reply["SendMessageResult"]["MD5OfMessageBody"] == "99914b932bd37a50b983c5e7c90ae93b"  # md5("{}")
    assert reply["SendMessageResult"]["MessageId"]


# --- In-process: every client, through the loopback URL the API hands out ------------------------


@pytest.mark.parametrize("client_name", CLIENTS)
def test_a_post_to_the_webhook_url_starts_a_web_hook_build(mock: AmplifyJobs, client_name: str) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    status, body = post(client_name, hook["webhookUrl"] + "&operation=startbuild")
    assert_queued_reply(status, body)
    # A webhook build has no commit of its own: AWS reports "HEAD".
    assert jobs(client, app_id) == [("1", "WEB_HOOK", "PENDING", "HEAD")]
    job = client.get_job(appId=app_id, branchName="main", jobId="1")["job"]["summary"]
    assert job["commitMessage"] == ""


def test_the_url_as_handed_out_works_without_the_operation_too(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    assert_queued_reply(*post("urllib", hook["webhookUrl"]))
    assert len(jobs(client, app_id)) == 1


def test_a_webhook_builds_the_branch_it_names_now(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    client.create_branch(appId=app_id, branchName="cms")
    client.update_webhook(webhookId=hook["webhookId"], branchName="cms")
    assert_queued_reply(*post("requests", hook["webhookUrl"]))
    assert jobs(client, app_id) == [] and len(jobs(client, app_id, "cms")) == 1


def test_webhook_builds_queue_behind_a_running_job_instead_of_being_refused(
    mock: AmplifyJobs, clock: Clock
) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    mock.durations = Durations(pending=2, provisioning=3, build=10, deploy=5, verify=1)
    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    clock.advance(6)
    assert jobs(client, app_id)[0][2] == "RUNNING"
    for _ in range(2):
        assert post("requests", hook["webhookUrl"])[0] == 200
    assert [status for _, _, status, _ in jobs(client, app_id)] == ["RUNNING", "PENDING", "PENDING"]
    clock.advance(1000)
    assert [status for _, _, status, _ in jobs(client, app_id)] == ["SUCCEED"] * 3
    done = [client.get_job(appId=app_id, branchName="main", jobId=str(i))["job"] for i in (1, 2, 3)]
    # FIFO: each builds once the one before it has ended.
    for before, after in zip(done, done[1:]):
        assert after["steps"][0]["startTime"] >= before["summary"]["endTime"]


def test_a_scripted_failure_applies_to_a_webhook_build(mock: AmplifyJobs, clock: Clock) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    mock.fail_next(app_id, "main", reason="npm ERR!")
    post("urllib", hook["webhookUrl"])
    clock.advance(3600)
    job = client.get_job(appId=app_id, branchName="main", jobId="1")["job"]
    assert job["summary"]["status"] == "FAILED"
    assert job["steps"][-1]["statusReason"] == "npm ERR!"


# --- Refusals start nothing ---------------------------------------------------------------------


@pytest.mark.parametrize("client_name", CLIENTS)
def test_a_wrong_token_or_unknown_id_is_unauthorized_and_starts_nothing(
    mock: AmplifyJobs, client_name: str
) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    url = hook["webhookUrl"]
    wrong_token = url[:-5] + "AAAAA" if not url.endswith("AAAAA") else url[:-5] + "BBBBB"
    unknown_id = url.replace(hook["webhookId"], "00000000-0000-0000-0000-000000000000")
    no_token = url.split("&token=")[0]
    for bad in (wrong_token, unknown_id, no_token):
        status, body = post(client_name, bad)
        assert (status, json.loads(body)) == (401, {"message": "Unauthorized"})
    assert jobs(client, app_id) == []


def test_a_deleted_webhook_no_longer_builds(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    client.delete_webhook(webhookId=hook["webhookId"])
    assert post("requests", hook["webhookUrl"])[0] == 401
    assert jobs(client, app_id) == []


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_methods_are_refused_as_api_gateway_refuses_them(mock: AmplifyJobs, method: str) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    response = httpx.request(method, hook["webhookUrl"], timeout=10)
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert jobs(client, app_id) == []


def test_an_unknown_operation_is_a_bad_request(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    status, body = post("urllib", hook["webhookUrl"] + "&operation=stopbuild")
    assert status == 400 and "operation=startbuild" in json.loads(body)["message"]
    assert jobs(client, app_id) == []


# --- AWS's own webhook host: answered in memory, never sent ---------------------------------------


def test_requests_to_aws_webhook_host_are_answered_in_memory(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    url = aws_form(hook["webhookUrl"]) + "&operation=startbuild"
    assert_queued_reply(*post("requests", url))
    assert jobs(client, app_id) == [("1", "WEB_HOOK", "PENDING", "HEAD")]
    assert post("requests", url.replace("token=", "token=x"))[0] == 401
    assert requests.get(url, timeout=10).status_code == 403
    assert len(jobs(client, app_id)) == 1


def test_aws_webhook_host_of_another_region_does_not_know_the_webhook(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    assert post("requests", aws_form(hook["webhookUrl"], "eu-west-1"))[0] == 401
    assert jobs(client, app_id) == []


def test_under_moto_mock_aws_alone_aws_webhook_host_is_answered_too(monkeypatch: pytest.MonkeyPatch) -> None:
    import amplify_mock  # noqa: F401  (what lets mock_aws serve Amplify)

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # mock_aws() does not manage NO_PROXY for loopback
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with mock_aws():
        client = amplify()
        app_id, hook = hooked_app(client)
        assert_queued_reply(*post("requests", aws_form(hook["webhookUrl"])))
        assert_queued_reply(*post("urllib", hook["webhookUrl"]))
        assert post("requests", aws_form(hook["webhookUrl"]).replace("token=", "token=x"))[0] == 401
        assert [j[0] for j in jobs(client, app_id)] == ["1", "2"]
    _content.stop_listener()


def test_after_the_mock_stops_aws_webhook_host_is_no_longer_intercepted() -> None:
    with mock_amplify_jobs():
        client = amplify()
        _, hook = hooked_app(client)
    # Behind the dead proxy, an escaped request fails here rather than reaching AWS.
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(aws_form(hook["webhookUrl"]), json={}, timeout=5)


# --- Server mode ----------------------------------------------------------------------------------


@pytest.mark.parametrize("client_name", CLIENTS)
def test_server_webhook_urls_lead_back_to_the_server(
    server: Any, monkeypatch: pytest.MonkeyPatch, client_name: str
) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # a server user's own setting
    client = server.client()
    app_id, hook = hooked_app(client)
    assert hook["webhookUrl"].startswith(server.url + "/prod/webhooks?id=")
    assert_queued_reply(*post(client_name, hook["webhookUrl"] + "&operation=startbuild"))
    assert jobs(client, app_id) == [("1", "WEB_HOOK", "PENDING", "HEAD")]
    status, body = post(client_name, hook["webhookUrl"].replace("token=", "token=x"))
    assert (status, json.loads(body)) == (401, {"message": "Unauthorized"})
    assert server.http.get(hook["webhookUrl"], timeout=10).status_code == 403
    server.advance(3600)
    assert jobs(client, app_id)[0][2] == "SUCCEED"
    assert not _content.listener_running()


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "HEAD", "OPTIONS"])
def test_any_method_to_aws_webhook_host_is_answered_in_memory(mock: AmplifyJobs, method: str) -> None:
    client = amplify()
    app_id, hook = hooked_app(client)
    for host in ("webhooks.amplify.us-east-1.amazonaws.com", "WEBHOOKS.AMPLIFY.eu-west-1.amazonaws.com:443"):
        response = requests.request(method, f"https://{host}/prod/webhooks?id=x&token=y", timeout=5)
        assert response.status_code == 403  # behind the dead proxy, an escaped request raises instead
    assert jobs(client, app_id) == []
