"""Isolation and failing closed, proven without the network: a proxy that refuses every
connection (127.0.0.1:9) stands in for AWS, so any request that escaped the mock would fail
fast here instead of leaving the machine."""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Iterator, List, Tuple

import boto3
import botocore.client
import botocore.exceptions
import moto.backend_index
import pytest
import requests
from botocore.config import Config
from moto import mock_aws

import amplify_mock
from amplify_mock import amplify_backends, mock_amplify_jobs
from tests.robust_support import ENDPOINT, count_objects

DEAD_PROXY = "http://127.0.0.1:9"
FAST = {"connect_timeout": 0.5, "read_timeout": 0.5, "retries": {"max_attempts": 0}}


@pytest.fixture(autouse=True)
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", DEAD_PROXY)
    monkeypatch.setenv("HTTP_PROXY", DEAD_PROXY)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    # Credentials of our own, so that outside the mock botocore never asks an instance
    # metadata service for some.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "OUTSIDEKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "OUTSIDESECRET")
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)


def _globals() -> Dict[str, Any]:
    """Everything the mock patches or registers, as it is now."""
    return {
        "make_request": botocore.client.BaseClient._make_request,
        "adapter_send": requests.adapters.HTTPAdapter.send,
        "url_patterns": list(moto.backend_index.backend_url_patterns),
        "moto.amplify": sys.modules.get("moto.amplify"),
        "credentials": (os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")),
        "default_session": boto3.DEFAULT_SESSION,
        "setup_default_session": boto3.setup_default_session,
    }


def _assert_not_intercepted() -> None:
    """A real Amplify call goes to the network (and so meets the dead proxy)."""
    real = boto3.client("amplify", region_name="us-east-1", config=Config(**FAST))
    with pytest.raises(botocore.exceptions.ConnectionError):
        real.list_apps()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(ENDPOINT + "/apps", timeout=0.5)


# --- No state crosses tests, accounts or regions --------------------------------------------


@pytest.mark.parametrize("turn", range(4))
def test_every_test_starts_with_nothing(turn: int, amplify_jobs: Any) -> None:
    # Whatever ran before (this test's other turns create plenty, in random order and on any
    # xdist worker), nothing is left over.
    assert count_objects() == (0, 0, 0)
    for region in ("us-east-1", "eu-west-1", "ap-south-1"):
        api = boto3.client("amplify", region_name=region)
        assert api.list_apps()["apps"] == []
        app = api.create_app(name=f"turn-{turn}")["app"]
        api.create_branch(appId=app["appId"], branchName="main")
    assert count_objects()[:2] == (3, 3)


def test_apps_stay_in_their_account_and_region(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_amplify_jobs():
        east = boto3.client("amplify", region_name="us-east-1")
        app_id = east.create_app(name="east")["app"]["appId"]
        west = boto3.client("amplify", region_name="eu-west-1")
        assert west.list_apps()["apps"] == []
        with pytest.raises(west.exceptions.NotFoundException):
            west.get_app(appId=app_id)
        other = requests.get(ENDPOINT + "/apps", headers={"x-moto-account-id": "111122223333"}, timeout=2)
        assert other.json() == {"apps": []}
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "444455556666")
        assert east.list_apps()["apps"] == []
        monkeypatch.delenv("MOTO_ACCOUNT_ID")
        assert [a["appId"] for a in east.list_apps()["apps"]] == [app_id]
        assert sorted(amplify_backends) == ["111122223333", "123456789012", "444455556666"]


# --- Everything is restored on exit ---------------------------------------------------------


def _enter_and_use(how: str) -> None:
    if how == "context manager":
        with mock_amplify_jobs():
            boto3.client("amplify", region_name="us-east-1").create_app(name="a")
    elif how == "decorator":

        @mock_amplify_jobs()
        def test() -> None:
            boto3.client("amplify", region_name="us-east-1").create_app(name="a")

        test()
    elif how == "inside mock_aws":
        with mock_aws(), mock_amplify_jobs():
            boto3.client("amplify", region_name="us-east-1").create_app(name="a")
    elif how == "mock_aws alone":
        with mock_aws():
            boto3.client("amplify", region_name="us-east-1").create_app(name="a")
    elif how == "nested twice":
        with mock_amplify_jobs(), mock_amplify_jobs():
            boto3.client("amplify", region_name="us-east-1").create_app(name="a")


WAYS = ["context manager", "decorator", "inside mock_aws", "mock_aws alone", "nested twice"]


@pytest.mark.parametrize("how", WAYS)
@pytest.mark.parametrize("ending", ["normally", "by an exception"])
def test_after_the_mock_exits_nothing_is_intercepted_and_all_is_restored(how: str, ending: str) -> None:
    before = _globals()

    if ending == "normally":
        _enter_and_use(how)
    else:
        original = boto3.client

        def failing(*args: Any, **kwargs: Any) -> Any:
            made = original(*args, **kwargs)
            made.create_app(name="before the failure")
            raise RuntimeError("the test failed")

        with pytest.raises(RuntimeError, match="the test failed"):
            boto3.client = failing  # type: ignore[assignment]
            try:
                _enter_and_use(how)
            finally:
                boto3.client = original  # type: ignore[assignment]

    assert _globals() == before
    assert count_objects() == (0, 0, 0), "state outlived the mock"
    _assert_not_intercepted()


def test_a_client_made_inside_the_mock_is_not_intercepted_after_it() -> None:
    with mock_amplify_jobs():
        inside = boto3.client("amplify", region_name="us-east-1", config=Config(**FAST))
        inside.create_app(name="a")
        inside.list_apps()  # answered in its before-call event (_Interceptor.hook)
    # No handler of the mock's is left on the client (botocore lists none publicly).
    assert "amplify_mock.before_call" not in inside.meta.events._emitter._unique_id_handlers
    with pytest.raises(botocore.exceptions.ConnectionError):
        inside.list_apps()


# --- Failing closed: every AWS endpoint of Amplify is answered in memory --------------------

# (region, client options). Regions where botocore knows no Amplify endpoint (China, GovCloud)
# are answered too: by the mock's own refusal, never by the network.
ENDPOINTS: List[Tuple[str, Dict[str, Any]]] = [
    ("us-east-1", {}),
    ("eu-west-3", {}),
    ("ap-northeast-3", {}),
    ("us-east-1", {"config": {"use_fips_endpoint": True}}),
    ("us-east-1", {"config": {"use_dualstack_endpoint": True}}),
    ("us-west-2", {"config": {"use_dualstack_endpoint": True, "use_fips_endpoint": True}}),
    ("us-east-1", {"endpoint_url": "https://amplify.eu-west-3.amazonaws.com"}),
    ("us-east-1", {"endpoint_url": "https://AMPLIFY.US-EAST-1.AMAZONAWS.COM:443"}),
    ("us-east-1", {"endpoint_url": "https://amplify.amazonaws.com"}),
    ("us-east-1", {"endpoint_url": "https://amplify.us-east-1.api.aws"}),
    ("cn-north-1", {}),
    ("cn-northwest-1", {"config": {"use_dualstack_endpoint": True}}),
    ("cn-north-1", {"endpoint_url": "https://amplify.cn-north-1.amazonaws.com.cn"}),
    ("us-gov-west-1", {}),
    ("us-gov-east-1", {"config": {"use_fips_endpoint": True}}),
]


def _client(region: str, options: Dict[str, Any]) -> Any:
    config = Config(**FAST, **options.get("config", {}))
    return boto3.client(
        "amplify", region_name=region, endpoint_url=options.get("endpoint_url"), config=config
    )


MOCKS = {"mock_amplify_jobs": mock_amplify_jobs, "mock_aws": mock_aws}


@pytest.mark.parametrize("mock", sorted(MOCKS))
@pytest.mark.parametrize(("region", "options"), ENDPOINTS, ids=[f"{r}-{o}" for r, o in ENDPOINTS])
def test_no_amplify_call_reaches_a_real_endpoint(region: str, options: Dict[str, Any], mock: str) -> None:
    with MOCKS[mock]():
        api = _client(region, options)
        try:
            app = api.create_app(name="closed")["app"]
        except botocore.exceptions.ClientError as error:
            if error.response["Error"]["Code"] == "InvalidSignatureException":
                # Answered in memory as AWS answers a signature for another region's endpoint.
                assert mock == "mock_amplify_jobs" and region not in options["endpoint_url"]
                return
            # Answered by the mock: AWS offers no Amplify in this region, and neither does it.
            assert error.response["Error"]["Code"] == "BadRequestException"
            assert "not available in region" in error.response["Error"]["Message"]
            assert region.startswith(("cn-", "us-gov-"))
            return
        assert api.get_app(appId=app["appId"])["app"]["name"] == "closed"
        assert f":{region}:" in app["appArn"]


REQUEST_HOSTS = [
    "amplify.us-east-1.amazonaws.com",
    "amplify-fips.us-east-1.amazonaws.com",
    "amplify.us-east-1.api.aws",
    "amplify-fips.us-gov-west-1.amazonaws.com",
    "amplify.cn-north-1.amazonaws.com.cn",
    "amplify.eu-west-3.amazonaws.com:443",
    "amplify.amazonaws.com",
    "AMPLIFY.US-WEST-2.API.AWS",
    "amplify.cn-northwest-1.api.amazonwebservices.com.cn",
]

# moto's mock_aws lets a method it does not register (TRACE, PROPFIND) through to any host,
# for every service; botocore never sends one, and mock_amplify_jobs answers them all.
MOTO_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


RAW_CASES = [
    (mock, host, method)
    for mock in sorted(MOCKS)
    for host in REQUEST_HOSTS
    for method in ("GET", "POST", "DELETE", "PATCH", "TRACE", "PROPFIND")
    if mock == "mock_amplify_jobs" or method in MOTO_METHODS
]


@pytest.mark.parametrize(("mock", "host", "method"), RAW_CASES)
def test_no_raw_amplify_request_reaches_a_real_endpoint(mock: str, host: str, method: str) -> None:
    with MOCKS[mock]():
        response = requests.request(method, f"https://{host}/apps", timeout=0.5)
    assert response.headers.get("x-amzn-ErrorType") or response.status_code == 200
    assert response.status_code < 500


@pytest.mark.parametrize("mock", sorted(MOCKS))
@pytest.mark.parametrize(
    ("host", "region"),
    [
        ("amplify.amazonaws.com", "us-east-1"),
        ("amplify.eu-west-1.api.aws", "eu-west-1"),
        ("AMPLIFY.EU-WEST-3.AMAZONAWS.COM", "eu-west-3"),
    ],
)
def test_a_raw_request_is_served_by_the_region_its_host_names(host: str, region: str, mock: str) -> None:
    with MOCKS[mock]():
        created = requests.post(f"https://{host}/apps", json={"name": "raw"}, timeout=0.5)
        assert created.status_code == 200, created.text
        assert f":{region}:" in created.json()["app"]["appArn"]
        listed = boto3.client("amplify", region_name=region, config=Config(**FAST)).list_apps()["apps"]
        assert [app["name"] for app in listed] == ["raw"]


@pytest.fixture
def restored_registry() -> Iterator[None]:
    patterns = list(moto.backend_index.backend_url_patterns)
    yield
    assert moto.backend_index.backend_url_patterns == patterns


def test_importing_again_registers_nothing_twice(restored_registry: None) -> None:
    amplify_mock._register(amplify_mock._models)  # what a second import would do
    amplify_mock._register(amplify_mock._models)
    assert [s for s, _ in moto.backend_index.backend_url_patterns].count("amplify") == 1
