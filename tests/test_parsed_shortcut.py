"""boto3 calls answered in process skip JSON both ways; what they return must not change.

Every successful call below is answered twice from the same result: by the shortcut the mock
takes (the parsed reply built directly) and by the full path (serialize, then botocore's own
rest-json parser). Both must be identical, down to key order, datetime classes and tzinfo.
"""

from __future__ import annotations

import copy
import datetime
import json
import uuid
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Set, Tuple
from unittest import mock

import boto3
import pytest
import requests
import time_machine
from botocore.exceptions import ClientError
from freezegun import freeze_time

import amplify_mock._mock as _mock
from amplify_mock import Durations, mock_amplify_jobs
from amplify_mock._dispatch import Parsed, finish
from amplify_mock.responses import OPERATIONS, PARSED

START = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)


@contextmanager
def clock(name: str) -> Iterator[Any]:
    if name == "freezegun":
        with freeze_time(START) as factory:
            yield lambda seconds: factory.tick(datetime.timedelta(seconds=seconds))
    else:
        with time_machine.travel(START, tick=False) as traveller:
            yield lambda seconds: traveller.shift(datetime.timedelta(seconds=seconds))


def _strict(fast: Any, full: Any, where: str = "") -> None:
    assert type(fast) is type(full), where
    if isinstance(fast, dict):
        assert list(fast) == list(full), where
        for key in fast:
            _strict(fast[key], full[key], f"{where}.{key}")
    elif isinstance(fast, list):
        assert len(fast) == len(full), where
        for index, (a, b) in enumerate(zip(fast, full)):
            _strict(a, b, f"{where}[{index}]")
    elif isinstance(fast, datetime.datetime):
        assert fast == full and repr(fast) == repr(full), where
        assert type(fast.tzinfo) is type(full.tzinfo) and fast.utcoffset() == full.utcoffset(), where
    else:
        assert fast == full, where


class _Recording:
    """The mock's timestamp parser, remembering which epoch value each datetime was made from,
    so a reply the mock built parsed can be turned back into the JSON it stands for."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.values: Dict[int, Tuple[Any, float]] = {}

    def refresh(self) -> None:
        self.inner.refresh()

    @property
    def stamp(self) -> Any:
        # What the job operations are handed (Timestamps.stamp): this recorder itself.
        return self

    def __call__(self, value: float) -> Any:
        made = self.inner(value)
        self.values[id(made)] = (made, value)
        return made

    def wire(self, parsed: Any) -> Any:
        if isinstance(parsed, dict):
            return {key: self.wire(value) for key, value in parsed.items()}
        if isinstance(parsed, list):
            return [self.wire(value) for value in parsed]
        if isinstance(parsed, datetime.datetime):
            made, value = self.values[id(parsed)]
            assert made is parsed
            return value
        return parsed


@pytest.fixture
def compared() -> Iterator[Set[str]]:
    """Checks every in-process answer against the full path; yields the operations checked."""
    served: Set[str] = set()
    built_parsed: Set[str] = set()
    interceptor = _mock._interceptor
    original_answer = interceptor.answer
    original_handle = _mock.handle
    original_answer_api = _mock.answer_api
    stamps = _Recording(interceptor.parsed.timestamps)

    def answer(
        client: Any, operation_model: Any, request_dict: Dict[str, Any], context: Any, *verdict: Any
    ) -> Any:
        captured: Dict[str, Any] = {}

        def recorder(original: Any) -> Any:
            return lambda *args, **kwargs: recording(original, *args, **kwargs)

        def recording(original: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            status, headers, body = result
            if isinstance(body, Parsed):
                built_parsed.add(operation_model.name)
                captured["answer"] = (status, dict(headers), stamps.wire(body))
            else:
                captured["answer"] = copy.deepcopy(result)
            return result

        # The API's host goes to answer_api, any other to handle: both recorded.
        with mock.patch.object(_mock, "handle", recorder(original_handle)), mock.patch.object(
            _mock, "answer_api", recorder(original_answer_api)
        ):
            http, parsed = original_answer(client, operation_model, request_dict, context, *verdict)
        status, headers, result = captured["answer"]
        if not isinstance(result, bytes):
            status, headers, payload = finish(status, dict(headers), result)
            headers["x-amzn-RequestId"] = parsed["ResponseMetadata"]["RequestId"]
            full_http, full = interceptor.parse(
                operation_model, request_dict["url"], status, headers, payload
            )
            _strict(parsed, full, operation_model.name)
            assert http.status_code == full_http.status_code
            assert dict(http.headers) == dict(full_http.headers)
            # The body, should anything read it, is JSON botocore parses to the same reply
            # (a reply built parsed gives each timestamp to the microsecond botocore keeps).
            _, from_body = interceptor.parse(
                operation_model, request_dict["url"], status, headers, http.content
            )
            _strict(from_body, full, operation_model.name + " body")
            served.add(operation_model.name)
        return http, parsed

    with mock.patch.object(interceptor, "answer", answer), mock.patch.object(
        interceptor.parsed, "timestamps", stamps
    ):
        yield served
    # The job operations build their replies parsed; the comparison above covered them too.
    assert built_parsed <= set(PARSED)
    if served & set(PARSED):
        assert built_parsed == served & set(PARSED)


@pytest.mark.parametrize("clock_name", ["freezegun", "time-machine"])
def test_every_operation_answers_as_botocore_would_parse_it(compared: Set[str], clock_name: str) -> None:
    with clock(clock_name) as advance, mock_amplify_jobs() as controller:
        client = boto3.client("amplify", region_name="us-east-1")
        app = client.create_app(
            name="shop",
            repository="https://github.com/acme/shop", accessToken="token",
            environmentVariables={"API": "prod"},
            customRules=[{"source": "/a", "target": "/b", "status": "301"}],
            tags={"team": "web"},
        )["app"]
        app_id, arn = app["appId"], app["appArn"]
        client.get_app(appId=app_id)
        manual_id = client.create_app(name="other")["app"]["appId"]  # deployments need no repository
        client.list_apps(maxResults=1)
        client.update_app(appId=app_id, description="the shop")
        client.create_branch(appId=app_id, branchName="main", tags={"env": "prod"})
        client.create_branch(appId=app_id, branchName="feature/x", enableAutoBuild=False)
        client.get_branch(appId=app_id, branchName="feature/x")
        client.list_branches(appId=app_id, maxResults=1)
        client.update_branch(appId=app_id, branchName="main", framework="React")
        client.tag_resource(resourceArn=arn, tags={"cost": "1"})
        client.untag_resource(resourceArn=arn, tagKeys=["team"])
        client.list_tags_for_resource(resourceArn=arn)

        controller.fail_next(app_id, "main", step="DEPLOY", reason="deploy broke")
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE", commitId="abc")
        for seconds in (0, 5, 30, 200):
            advance(seconds)
            client.get_job(appId=app_id, branchName="main", jobId="1")
            client.list_jobs(appId=app_id, branchName="main")
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE", commitMessage="two")
        advance(30)
        client.stop_job(appId=app_id, branchName="main", jobId="2")
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")  # waits for job 2's cancelling
        for seconds in (0, 5, 400):
            advance(seconds)
            for job_id in ("1", "2", "3"):
                client.get_job(appId=app_id, branchName="main", jobId=job_id)
            client.list_jobs(appId=app_id, branchName="main")
        client.start_job(appId=app_id, branchName="main", jobType="RETRY", jobId="1")
        page = client.list_jobs(appId=app_id, branchName="main", maxResults=2)
        client.list_jobs(appId=app_id, branchName="main", nextToken=page["nextToken"])
        advance(600)
        client.get_job(appId=app_id, branchName="main", jobId="3")
        client.delete_job(appId=app_id, branchName="main", jobId="1")

        client.create_branch(appId=manual_id, branchName="feature/x")
        created = client.create_deployment(
            appId=manual_id,
            branchName="feature/x",
            fileMap={"index.html": "d41d8cd98f00b204e9800998ecf8427e"},
        )
        assert requests.put(created["zipUploadUrl"], data=b"PK").status_code == 200
        client.start_deployment(appId=manual_id, branchName="feature/x", jobId=created["jobId"])
        advance(100)
        client.get_job(appId=manual_id, branchName="feature/x", jobId=created["jobId"])
        client.start_deployment(appId=manual_id, branchName="feature/x", sourceUrl="https://example.com/site.zip")
        client.list_jobs(appId=manual_id, branchName="feature/x")

        with pytest.raises(ClientError):
            client.get_job(appId=app_id, branchName="main", jobId="99")
        hook = client.create_webhook(appId=app_id, branchName="main", description="cms")["webhook"]
        client.create_webhook(appId=app_id, branchName="feature/x")
        client.get_webhook(webhookId=hook["webhookId"])
        client.update_webhook(webhookId=hook["webhookId"], branchName="feature/x")
        page = client.list_webhooks(appId=app_id, maxResults=1)
        client.list_webhooks(appId=app_id, nextToken=page["nextToken"])
        client.delete_webhook(webhookId=hook["webhookId"])

        subdomains = [{"prefix": "", "branchName": "main"}, {"prefix": "www", "branchName": "feature/x"}]
        client.create_domain_association(appId=app_id, domainName="example.com", subDomainSettings=subdomains)
        client.create_domain_association(
            appId=app_id,
            domainName="example.org",
            subDomainSettings=subdomains[:1],
            enableAutoSubDomain=True,
            autoSubDomainCreationPatterns=["feature/*"],
            autoSubDomainIAMRole="arn:aws:iam::123456789012:role/r",
        )
        for seconds in (0, 60, 700):
            advance(seconds)
            client.get_domain_association(appId=app_id, domainName="example.com")
        client.update_domain_association(appId=app_id, domainName="example.com", enableAutoSubDomain=True)
        page = client.list_domain_associations(appId=app_id, maxResults=1)
        client.list_domain_associations(appId=app_id, nextToken=page["nextToken"])
        controller.add_access_log(app_id, "example.org", {"cs-uri-stem": "/"})
        client.generate_access_logs(appId=app_id, domainName="example.org")
        client.delete_domain_association(appId=app_id, domainName="example.org")
        client.create_backend_environment(appId=app_id, environmentName="prod")
        client.create_backend_environment(
            appId=app_id, environmentName="dev", stackName="s", deploymentArtifacts="b"
        )
        client.get_backend_environment(appId=app_id, environmentName="prod")
        client.list_backend_environments(appId=app_id, environmentName="dev")
        client.list_backend_environments(appId=app_id, maxResults=1)
        client.delete_backend_environment(appId=app_id, environmentName="dev")
        tested = client.create_app(
            name="tested", repository="https://github.com/acme/tested", accessToken="token",
            buildSpec="test:\n  phases: {}\n"
        )["app"]["appId"]
        client.create_branch(appId=tested, branchName="main")
        client.start_job(appId=tested, branchName="main", jobType="RELEASE")
        advance(600)
        client.get_job(appId=tested, branchName="main", jobId="1")  # with its TEST step
        listed = client.list_artifacts(appId=tested, branchName="main", jobId="1", maxResults=1)
        client.list_artifacts(appId=tested, branchName="main", jobId="1", nextToken=listed["nextToken"])
        client.get_artifact_url(artifactId=listed["artifacts"][0]["artifactId"])
        client.delete_branch(appId=app_id, branchName="feature/x")
        client.delete_app(appId=app_id)
    assert compared == set(OPERATIONS)


def test_errors_still_raise_the_modeled_exception() -> None:
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        with pytest.raises(client.exceptions.NotFoundException) as excinfo:
            client.get_app(appId="d0000000000000")
    response = excinfo.value.response
    assert response["Error"]["Code"] == "NotFoundException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "d0000000000000" in response["Error"]["Message"]


def test_zero_durations_still_compare(compared: Set[str]) -> None:
    with mock_amplify_jobs() as controller:
        controller.durations = Durations.zero()
        client = boto3.client("amplify", region_name="eu-west-1")
        app_id = client.create_app(
            name="shop", repository="https://github.com/acme/shop", accessToken="token"
        )["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
        job = client.get_job(appId=app_id, branchName="main", jobId="1")["job"]
        assert job["summary"]["status"] == "SUCCEED"
    assert {"StartJob", "GetJob"} <= compared


def test_remembered_timestamps_follow_the_time_zone_and_freezegun(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from botocore.utils import parse_timestamp

    from amplify_mock._parsed import Timestamps

    # The converter of each reply calls refresh() once before its timestamps, as here.
    parse = Timestamps(parse_timestamp)
    value = 1714564800.25
    parse.refresh()
    assert parse(value) is parse(value)
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        parse.refresh()
        assert repr(parse(value)) == repr(parse_timestamp(value))
        assert parse(value).utcoffset() == parse_timestamp(value).utcoffset()
        # Either side of a daylight-saving change elsewhere, and before 1970, alike.
        for other in (1711846800.0, 1711850400.5, -86400.0 * 365, 0.0):
            made, botocores = parse(other), parse_timestamp(other)
            assert (repr(made), made.utcoffset(), type(made.tzinfo)) == (
                repr(botocores), botocores.utcoffset(), type(botocores.tzinfo))
    finally:
        monkeypatch.undo()
        time.tzset()
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        parse.refresh()
        for other in (1711846800.0, 1711850400.5, 1729990800.0, 1729994400.0):
            made, botocores = parse(other), parse_timestamp(other)
            assert (repr(made), made.utcoffset()) == (repr(botocores), botocores.utcoffset())
    finally:
        monkeypatch.undo()
        time.tzset()
    with freeze_time(START):
        parse.refresh()
        assert type(parse(value)) is type(parse_timestamp(value))
    parse.refresh()
    assert type(parse(value)) is datetime.datetime
    with time_machine.travel(START, tick=False):  # keeps the real datetime class
        parse.refresh()
        assert parse(value) is parse(value)
        assert repr(parse(value)) == repr(parse_timestamp(value))


def test_an_after_call_hook_sees_the_reply_as_it_would_come_off_the_wire() -> None:
    seen: Dict[str, Any] = {}

    def after_call(http_response: Any, parsed: Dict[str, Any], **_: Any) -> None:
        seen["status"] = http_response.status_code
        seen["request_id"] = http_response.headers["X-Amzn-RequestId"]
        seen["content_type"] = http_response.headers["content-type"]
        seen["body"] = http_response.content
        seen["parsed_id"] = parsed["ResponseMetadata"]["RequestId"]

    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        client.meta.events.register("after-call.amplify.CreateApp", after_call)
        reply = client.create_app(name="hooked")
    assert seen["status"] == 200
    assert seen["request_id"] == seen["parsed_id"] == reply["ResponseMetadata"]["RequestId"]
    assert seen["content_type"] == "application/json"
    assert json.loads(seen["body"])["app"]["appId"] == reply["app"]["appId"]
    assert reply["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] == seen["request_id"]


def test_request_ids_are_uuid_shaped_and_never_repeat() -> None:
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        ids = [client.list_apps()["ResponseMetadata"]["RequestId"] for _ in range(20)]
    assert len(set(ids)) == len(ids)
    for request_id in ids:
        assert str(uuid.UUID(request_id)) == request_id  # AWS's shape: 8-4-4-4-12 lower-case hex
