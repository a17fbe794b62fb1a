"""Server mode through boto3 and plain HTTP: the API, uploads, concurrency, control endpoints."""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Tuple

import pytest
import requests

from amplify_mock import amplify_backends
from amplify_mock._http import raw_target as _raw_target
from amplify_mock.server import AmplifyMockServer
from tests.server_support import REPO, Served, server_fixture  # noqa: F401

HOUR = 3600


def status(client: Any, app_id: str, branch: str, job_id: str) -> str:
    return str(client.get_job(appId=app_id, branchName=branch, jobId=job_id)["job"]["summary"]["status"])


# The API


def test_apps_and_branches_with_a_slash_in_the_name(server: Served) -> None:
    client = server.client()
    app = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]
    client.create_branch(appId=app["appId"], branchName="feature/login")

    assert [a["appId"] for a in client.list_apps()["apps"]] == [app["appId"]]
    branch = client.get_branch(appId=app["appId"], branchName="feature/login")["branch"]
    assert branch["branchName"] == "feature/login"
    assert branch["branchArn"].endswith("/branches/feature/login")
    branches = client.list_branches(appId=app["appId"])["branches"]
    assert [b["branchName"] for b in branches] == ["feature/login"]

    # %2F reaches the mock as sent: the branch is one path segment, not two.
    raw = server.http.get(f"{server.url}/apps/{app['appId']}/branches/feature%2Flogin", timeout=10)
    assert raw.status_code == 200
    assert raw.json()["branch"]["branchName"] == "feature/login"

    client.delete_branch(appId=app["appId"], branchName="feature/login")
    assert client.list_branches(appId=app["appId"])["branches"] == []


def test_start_get_list_and_stop_jobs(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client, "release/1.0")

    started = client.start_job(appId=app_id, branchName="release/1.0", jobType="RELEASE")["jobSummary"]
    assert (started["jobId"], started["status"]) == ("1", "PENDING")
    with pytest.raises(client.exceptions.LimitExceededException) as excinfo:  # the branch is busy
        client.start_job(appId=app_id, branchName="release/1.0", jobType="RELEASE")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429

    stopped = client.stop_job(appId=app_id, branchName="release/1.0", jobId="1")["jobSummary"]
    assert stopped["status"] == "CANCELLING"
    client.start_job(appId=app_id, branchName="release/1.0", jobType="RELEASE")  # waits for the cancelling
    listed = client.list_jobs(appId=app_id, branchName="release/1.0")["jobSummaries"]
    assert [(j["jobId"], j["status"]) for j in listed] == [("2", "PENDING"), ("1", "CANCELLING")]
    server.advance(HOUR)
    assert status(client, app_id, "release/1.0", "1") == "CANCELLED"
    assert status(client, app_id, "release/1.0", "2") == "SUCCEED"


def test_state_is_kept_per_region_as_signed(server: Served) -> None:
    eu, us = server.client("eu-west-1"), server.client("us-east-1")
    app = eu.create_app(name="shop")["app"]

    assert ":eu-west-1:" in app["appArn"]
    assert [a["appId"] for a in eu.list_apps()["apps"]] == [app["appId"]]
    assert us.list_apps()["apps"] == []


def test_deployment_upload_url_leads_back_to_the_server(server: Served) -> None:
    client = server.client("eu-west-1")
    app_id = server.app_with_branch(client, repository=None)

    deployment = client.create_deployment(appId=app_id, branchName="main")
    assert deployment["zipUploadUrl"].startswith(server.url + "/_amplify_mock/uploads/")
    upload = server.http.put(deployment["zipUploadUrl"], data=b"PK\x05\x06" + b"\0" * 18, timeout=10)
    assert upload.status_code == 200
    assert upload.headers["ETag"]

    started = client.start_deployment(appId=app_id, branchName="main", jobId=deployment["jobId"])
    assert started["jobSummary"]["status"] == "PENDING"
    server.advance(HOUR)
    assert status(client, app_id, "main", deployment["jobId"]) == "SUCCEED"


def test_a_deployment_that_was_never_uploaded_fails_at_deploy(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client, repository=None)
    deployment = client.create_deployment(appId=app_id, branchName="main")

    client.start_deployment(appId=app_id, branchName="main", jobId=deployment["jobId"])
    server.advance(HOUR)

    job = client.get_job(appId=app_id, branchName="main", jobId=deployment["jobId"])["job"]
    assert job["summary"]["status"] == "FAILED"
    assert "zipUploadUrl" in job["steps"][-1]["statusReason"]
    with pytest.raises(client.exceptions.BadRequestException):  # and it cannot start twice
        client.start_deployment(appId=app_id, branchName="main", jobId=deployment["jobId"])


def test_errors_are_aws_shaped(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)

    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.get_job(appId=app_id, branchName="main", jobId="7")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "7" in excinfo.value.response["Error"]["Message"]
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_app(appId="d0000000000000")

    raw = server.http.get(f"{server.url}/apps/d0000000000000", timeout=10)
    assert raw.status_code == 404
    assert raw.headers["x-amzn-ErrorType"] == "NotFoundException"
    assert set(raw.json()) == {"message"}


# Concurrency


def test_concurrent_start_jobs_on_a_busy_branch_let_exactly_one_win(server: Served) -> None:
    # Rounds of 12 threads racing StartJob on two branches: in each round exactly one call per
    # branch starts a job, every other one gets AWS's 429, and job ids stay 1..n with no gap.
    threads, rounds, branches = 12, 6, ("main", "feature/a")
    setup = server.client()
    app_id = server.app_with_branch(setup, branches[0])
    setup.create_branch(appId=app_id, branchName=branches[1])
    clients = [server.client() for _ in range(threads)]  # botocore sessions are not thread-safe
    # Each round starts once every thread is done with the last, and an hour later (every job
    # of the last round has ended); the action runs in one thread only.
    barrier = threading.Barrier(threads, action=lambda: server.advance(HOUR))
    started: Dict[str, List[str]] = {name: [] for name in branches}
    refusals: List[Tuple[int, str]] = []
    errors: List[BaseException] = []
    record = threading.Lock()

    def work(index: int) -> None:
        try:
            for n in range(rounds):
                barrier.wait(timeout=30)
                branch = branches[(index + n) % len(branches)]
                try:
                    summary = clients[index].start_job(appId=app_id, branchName=branch, jobType="RELEASE")
                except clients[index].exceptions.LimitExceededException as refused:
                    response = refused.response
                    answer = (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"])
                    with record:
                        refusals.append(answer)
                    continue
                with record:
                    started[branch].append(summary["jobSummary"]["jobId"])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert errors == []
    expected = [str(i) for i in range(1, rounds + 1)]
    for branch, ids in started.items():
        assert sorted(ids, key=int) == expected, f"one job per round on {branch}"
        listed = setup.list_jobs(appId=app_id, branchName=branch, maxResults=50)["jobSummaries"]
        assert sorted((j["jobId"] for j in listed), key=int) == expected
        total = setup.get_branch(appId=app_id, branchName=branch)["branch"]["totalNumberOfJobs"]
        assert total == str(rounds)
    assert len(refusals) == threads * rounds - len(branches) * rounds
    assert {status for status, _ in refusals} == {429}
    assert {message for _, message in refusals} == {
        f"The requested branch {name} already have pending or running jobs" for name in branches
    }


# Control endpoints


def test_clock_advance_moves_a_job_from_pending_to_succeed(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    assert status(client, app_id, "main", "1") == "PENDING"

    moved = server.control("POST", "clock", json={"advance": HOUR})

    assert moved.status_code == 200
    assert moved.json()["offset"] == HOUR
    assert status(client, app_id, "main", "1") == "SUCCEED"
    assert server.control("GET", "clock").json()["offset"] == HOUR


def test_clock_offset_is_set_absolutely_and_reset_with_the_state(server: Served) -> None:
    assert server.control("POST", "clock", json={"offset": 120}).json()["offset"] == 120
    assert server.control("POST", "clock", json={"advance": 30}).json()["offset"] == 150

    assert server.control("POST", "reset").json() == {"status": "ok"}
    assert server.control("GET", "clock").json()["offset"] == 0


def test_reset_forgets_everything_and_restores_defaults(server: Served) -> None:
    client = server.client()
    server.app_with_branch(client)
    server.control("POST", "durations", json={"build": 1})
    server.control("POST", "max-concurrent-jobs", json={"maxConcurrentJobs": 1})

    assert server.control("POST", "reset").status_code == 200

    assert client.list_apps()["apps"] == []
    assert server.control("GET", "durations").json()["build"] == 120
    assert server.control("GET", "max-concurrent-jobs").json() == {"maxConcurrentJobs": 5}


def test_moto_api_reset_is_an_alias(server: Served) -> None:
    client = server.client()
    server.app_with_branch(client)

    response = server.http.post(f"{server.url}/moto-api/reset", timeout=10)

    assert response.status_code == 200
    assert client.list_apps()["apps"] == []


def test_starting_the_server_forgets_earlier_state() -> None:
    amplify_backends["123456789012"]["us-east-1"].create_app({"name": "left over"})
    server = AmplifyMockServer("127.0.0.1", 0).start()
    try:
        assert amplify_backends["123456789012"]["us-east-1"].apps == {}
    finally:
        server.stop()
    server.stop()  # a second stop is harmless


def test_mock_wide_durations_apply_to_new_jobs(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)

    zero = {"pending": 0, "provisioning": 0, "build": 0, "deploy": 0, "verify": 0}
    set_ = server.control("POST", "durations", json=zero)
    assert set_.status_code == 200
    assert server.control("GET", "durations").json() == {**zero, "cancelling": 5, "test": 90}

    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    assert status(client, app_id, "main", "1") == "SUCCEED"


def test_branch_durations_apply_to_that_branch_only(server: Served) -> None:
    client = server.client("eu-west-1")
    app_id = server.app_with_branch(client, "fast/lane")
    client.create_branch(appId=app_id, branchName="main")
    where = {"appId": app_id, "branchName": "fast/lane", "region": "eu-west-1"}

    response = server.control("POST", "durations", json={**where, "pending": 0, "provisioning": 0, "build": 0,
                                                          "deploy": 0, "verify": 0})
    assert response.status_code == 200
    assert server.control("GET", "durations", params=where).json()["build"] == 0
    assert server.control("GET", "durations").json()["build"] == 120

    client.start_job(appId=app_id, branchName="fast/lane", jobType="RELEASE")
    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    assert status(client, app_id, "fast/lane", "1") == "SUCCEED"
    assert status(client, app_id, "main", "1") == "PENDING"


def test_scripted_outcomes_play_in_order(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    outcomes = [
        {"kind": "FAIL", "step": "BUILD", "reason": "npm ci exited with code 1"},
        {"kind": "NEVER_FINISH"},
        {"kind": "SUCCEED"},
    ]

    where = {"appId": app_id, "branchName": "main"}
    scripted = server.control("POST", "script", json={**where, "outcomes": outcomes})
    assert scripted.status_code == 200
    assert scripted.json() == {"outcomes": outcomes}

    for _ in range(2):
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
        server.advance(10 * HOUR)

    failed = client.get_job(appId=app_id, branchName="main", jobId="1")["job"]
    assert failed["summary"]["status"] == "FAILED"
    build = next(step for step in failed["steps"] if step["stepName"] == "BUILD")
    assert build["statusReason"] == "npm ci exited with code 1"
    assert status(client, app_id, "main", "2") == "RUNNING"
    with pytest.raises(client.exceptions.LimitExceededException):  # the hanging job holds the branch
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    client.stop_job(appId=app_id, branchName="main", jobId="2")
    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    server.advance(HOUR)
    assert status(client, app_id, "main", "3") == "SUCCEED"
    assert server.control("GET", "script", params=where).json() == {"outcomes": []}


def test_max_concurrent_jobs_queues_the_rest(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client, "a")
    client.create_branch(appId=app_id, branchName="b")

    assert server.control("POST", "max-concurrent-jobs", json={"maxConcurrentJobs": 1}).json() == {
        "maxConcurrentJobs": 1
    }
    client.start_job(appId=app_id, branchName="a", jobType="RELEASE")
    client.start_job(appId=app_id, branchName="b", jobType="RELEASE")
    server.advance(30)  # past a's PENDING, inside its build

    assert status(client, app_id, "a", "1") == "RUNNING"
    assert status(client, app_id, "b", "1") == "PENDING"


@pytest.mark.parametrize(
    ("method", "name", "body"),
    [
        ("POST", "durations", b"{not json"),
        ("POST", "durations", b"[1, 2]"),
        ("POST", "durations", {"build": -1}),
        ("POST", "durations", {"build": "fast"}),
        ("POST", "durations", {"build": True}),
        ("POST", "durations", {"compile": 3}),
        ("POST", "durations", {"region": "eu-west-1", "build": 3}),
        ("POST", "durations", {"appId": "d1", "build": 3}),
        ("POST", "durations", {"appId": "d1", "branchName": "main", "region": "nowhere-1"}),
        ("POST", "script", {"appId": "d1", "branchName": "main"}),
        ("POST", "script", {"appId": "d1", "branchName": "main", "outcomes": [{"kind": "EXPLODE"}]}),
        ("POST", "script", {"appId": "d1", "branchName": "b", "outcomes": [{"kind": "FAIL", "step": "X"}]}),
        ("POST", "script", {"appId": "d1", "branchName": "main", "outcomes": ["FAIL"]}),
        ("POST", "script", {"branchName": "main", "outcomes": []}),
        ("POST", "max-concurrent-jobs", {"maxConcurrentJobs": 0}),
        ("POST", "max-concurrent-jobs", {"maxConcurrentJobs": "5"}),
        ("POST", "max-concurrent-jobs", {}),
        ("POST", "clock", {"advance": -5}),
        ("POST", "clock", {"advance": "soon"}),
        ("POST", "clock", {"offset": 1, "advance": 1}),
        ("POST", "clock", {}),
        ("POST", "clock", b'{"offset": NaN}'),
    ],
)
def test_bad_control_input_is_400_with_a_message(server: Served, method: str, name: str, body: Any) -> None:
    kwargs = {"data": body} if isinstance(body, bytes) else {"json": body}
    settings = ("durations", "clock", "max-concurrent-jobs")
    before = {endpoint: server.control("GET", endpoint).json() for endpoint in settings}

    response = server.control(method, name, **kwargs)

    assert response.status_code == 400, response.text
    assert set(response.json()) == {"message"}
    assert response.json()["message"]
    after = {endpoint: server.control("GET", endpoint).json() for endpoint in settings}
    assert after["clock"]["offset"] == before["clock"]["offset"]
    assert after["durations"] == before["durations"]
    assert after["max-concurrent-jobs"] == before["max-concurrent-jobs"]


def test_script_for_a_missing_branch_is_not_found(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)

    response = server.control("POST", "script", json={"appId": app_id, "branchName": "nope", "outcomes": []})

    assert response.status_code == 404
    assert "nope" in response.json()["message"]


def test_unknown_endpoint_and_wrong_method(server: Served) -> None:
    unknown = server.control("POST", "explode")
    wrong = server.control("GET", "reset")

    assert unknown.status_code == 404 and "/_amplify_mock/reset" in unknown.json()["message"]
    assert wrong.status_code == 405 and "POST" in wrong.json()["message"]


# The raw request target


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"RAW_URI": "/apps/d1/branches/a%2Fb?x=1"}, "/apps/d1/branches/a%2Fb?x=1"),
        ({"REQUEST_URI": "/apps/d1/branches/a%2Fb"}, "/apps/d1/branches/a%2Fb"),
        ({"RAW_URI": "http://127.0.0.1:5000/apps/d1?y=2"}, "/apps/d1?y=2"),
        ({"PATH_INFO": "/apps/d1/branches/a/b", "QUERY_STRING": "x=1"}, "/apps/d1/branches/a/b?x=1"),
    ],
)
def test_raw_target_keeps_percent_encoding(environ: Dict[str, str], expected: str) -> None:
    assert _raw_target(environ) == expected  # type: ignore[arg-type]


def test_a_plain_http_client_needs_no_signature(server: Served) -> None:
    created = server.http.post(f"{server.url}/apps", json={"name": "curl-made"}, timeout=10)

    assert created.status_code == 200
    listed = requests.get(f"{server.url}/apps", timeout=10).json()
    assert [a["name"] for a in listed["apps"]] == ["curl-made"]


def test_control_endpoints_default_to_the_account_the_calls_use(
    server: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    client = server.client()
    app_id = server.app_with_branch(client)
    where = {"appId": app_id, "branchName": "main"}
    response = server.control("POST", "durations", json={**where, "build": 7})
    assert response.status_code == 200, response.text
    assert server.control("GET", "durations", params=where).json()["build"] == 7
