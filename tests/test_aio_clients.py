"""aiobotocore and aioboto3 Amplify clients under the mock: answered in memory, with the same
replies and the same exceptions as boto3.

aiobotocore pins botocore, so this module runs in a tox env of its own (``tox -e aio``, the
``aio`` extra); it is skipped where aiobotocore is not installed."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from typing import Any, Awaitable, Callable, Dict, List

import pytest

aiobotocore_session = pytest.importorskip("aiobotocore.session")
aioboto3 = pytest.importorskip("aioboto3")

import aiobotocore.client  # noqa: E402 - after the skip
import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from freezegun import freeze_time  # noqa: E402

from amplify_mock import mock_amplify_jobs  # noqa: E402
from amplify_mock._guards import UnservableClientError  # noqa: E402
from tests.robust_support import RecordingProxy, proxy_fixture  # noqa: E402, F401

FAST = Config(connect_timeout=0.5, read_timeout=0.5, retries={"max_attempts": 0})
REPO = "https://github.com/acme/shop"



async def scenario(call: Callable[[str, Dict[str, Any]], Awaitable[Any]]) -> List[Any]:
    """The same calls through any client: replies (ids left out) and errors, in order."""
    out: List[Any] = []
    app = (await call(
        "create_app", {"name": "shop", "repository": REPO, "accessToken": "token", "tags": {"team": "web"}})
    )["app"]
    app_id = app["appId"]
    out.append(app)
    out.append(await call("create_branch", {"appId": app_id, "branchName": "feature/x"}))
    out.append(await call("start_job", {"appId": app_id, "branchName": "feature/x", "jobType": "RELEASE"}))
    out.append(await call("get_job", {"appId": app_id, "branchName": "feature/x", "jobId": "1"}))
    out.append(await call("list_jobs", {"appId": app_id, "branchName": "feature/x", "maxResults": 1}))
    for name, params in [
        ("get_app", {"appId": "d0000000000000"}),
        ("get_job", {"appId": app_id, "branchName": "feature/x", "jobId": "7"}),
        ("start_job", {"appId": app_id, "branchName": "feature/x", "jobType": "MANUAL"}),
        ("delete_job", {"appId": app_id, "branchName": "feature/x", "jobId": "1"}),
    ]:
        try:
            await call(name, params)
        except Exception as error:
            response = error.response  # type: ignore[attr-defined]
            status = response["ResponseMetadata"]["HTTPStatusCode"]
            out.append((type(error).__name__, response["Error"], status))
    return [_without_ids(item, app_id) for item in out]


def _without_ids(value: Any, app_id: str) -> Any:
    if isinstance(value, dict):
        dropped = ("ResponseMetadata", "commitId")
        return {k: _without_ids(v, app_id) for k, v in value.items() if k not in dropped}
    if isinstance(value, (list, tuple)):
        return type(value)(_without_ids(v, app_id) for v in value)
    if isinstance(value, str):
        return value.replace(app_id, "<appId>")
    return value


def through_boto3() -> List[Any]:
    client = boto3.client("amplify", region_name="eu-west-1", config=FAST)

    async def call(name: str, params: Dict[str, Any]) -> Any:
        return getattr(client, name)(**params)

    return asyncio.run(scenario(call))


def through_async(make_client: Callable[[], Any]) -> List[Any]:
    async def run() -> List[Any]:
        async with make_client() as client:

            async def call(name: str, params: Dict[str, Any]) -> Any:
                return await getattr(client, name)(**params)

            return await scenario(call)

    return asyncio.run(run())


def aiobotocore_client() -> Any:
    return aiobotocore_session.get_session().create_client("amplify", region_name="eu-west-1", config=FAST)


def aioboto3_client() -> Any:
    return aioboto3.Session().client("amplify", region_name="eu-west-1", config=FAST)


@pytest.mark.parametrize("make_client", [aiobotocore_client, aioboto3_client],
                         ids=["aiobotocore", "aioboto3"])
def test_async_clients_get_the_same_replies_and_exceptions_as_boto3(make_client: Callable[[], Any]) -> None:
    with freeze_time("2026-01-01 00:00:00"), mock_amplify_jobs():
        expected = through_boto3()
    with freeze_time("2026-01-01 00:00:00"), mock_amplify_jobs():
        got = through_async(make_client)
    assert got == expected
    assert [e[0] for e in expected if isinstance(e, tuple)] == [
        "NotFoundException", "NotFoundException", "BadRequestException", "BadRequestException",
    ]


def test_an_async_client_made_before_the_mock_is_answered_and_released_after(proxy: RecordingProxy) -> None:
    async def run() -> None:
        async with aiobotocore_client() as client:
            with mock_amplify_jobs():
                await client.create_app(name="shop")
                assert [a["name"] for a in (await client.list_apps())["apps"]] == ["shop"]
            with pytest.raises(Exception) as excinfo:
                await client.list_apps()
            assert "connect" in str(excinfo.value).lower() or "proxy" in str(excinfo.value).lower()

    asyncio.run(run())
    assert proxy.seen
    assert all(line.startswith("CONNECT amplify.eu-west-1.amazonaws.com:443") for line in proxy.seen)
    proxy.seen.clear()


def test_an_aiobotocore_it_cannot_serve_is_refused_never_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    async def changed_make_request(self: Any, model: Any, request: Any, context: Any, more: Any) -> Any:
        raise AssertionError("sent")

    monkeypatch.setattr(aiobotocore.client.AioBaseClient, "_make_request", changed_make_request)

    async def run() -> None:
        async with aiobotocore_client() as client:
            with mock_amplify_jobs():
                with pytest.raises(UnservableClientError, match=r"aiobotocore \d"):
                    await client.list_apps()

    asyncio.run(run())


def test_aiobotocore_imported_while_the_mock_runs_is_answered_too() -> None:
    # A fresh process, so that aiobotocore is first imported with the mock already active.
    code = textwrap.dedent(
        """
        import asyncio, sys
        from botocore.config import Config
        from amplify_mock import mock_amplify_jobs

        with mock_amplify_jobs():
            assert "aiobotocore" not in sys.modules
            import aiobotocore.session

            async def run():
                config = Config(connect_timeout=0.5, read_timeout=0.5, retries={"max_attempts": 0})
                session = aiobotocore.session.get_session()
                async with session.create_client("amplify", region_name="us-east-1", config=config) as client:
                    await client.create_app(name="late")
                    return [app["name"] for app in (await client.list_apps())["apps"]]

            print(asyncio.run(run()))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['late']"
