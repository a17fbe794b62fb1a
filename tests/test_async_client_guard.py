"""Async botocore clients (aiobotocore's ``AioBaseClient`` and any like it) override the
``_make_request`` the mock patches: theirs is patched too, even for a class made while the mock
runs, and one whose shape the mock does not know is refused for Amplify, never sent.

These run without aiobotocore (a stand-in class with an async ``_make_request``);
``tests/test_aio_clients.py`` runs the real aiobotocore and aioboto3 (``tox -e aio``)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Tuple

import boto3
import pytest
from botocore.config import Config

from amplify_mock import _guards, mock_amplify_jobs
from amplify_mock._guards import UnservableClientError
from tests.robust_support import proxy_fixture  # noqa: F401

FAST = Config(connect_timeout=0.5, read_timeout=0.5, retries={"max_attempts": 0})



def captured_list_apps(client: Any) -> Tuple[Any, Dict[str, Any], Dict[str, Any]]:
    """The (operation model, request dict, context) botocore builds for ListApps."""
    seen: List[Tuple[Any, Dict[str, Any], Dict[str, Any]]] = []

    def capture(model: Any, params: Dict[str, Any], context: Dict[str, Any], **_: Any) -> None:
        seen.append((model, params, context))

    client.meta.events.register("before-call.amplify.ListApps", capture)
    client.list_apps()
    return seen[0]


def test_an_async_client_class_made_while_the_mock_runs_is_answered_in_memory() -> None:
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1", config=FAST)
        client.create_app(name="shop")
        model, request, context = captured_list_apps(client)

        class AsyncAmplify(type(client)):  # type: ignore[misc]
            async def _make_request(
                self, operation_model: Any, request_dict: Any, request_context: Any
            ) -> Any:
                raise AssertionError("sent to the network")

        assert (AsyncAmplify, "_make_request") in _guards.installed()
        http, parsed = asyncio.run(AsyncAmplify._make_request(client, model, request, context))
        assert http.status_code == 200
        assert [app["name"] for app in parsed["apps"]] == ["shop"]
    assert _guards.installed() == []
    assert "_make_request" in vars(AsyncAmplify)  # its own, restored


def test_an_async_client_class_of_an_unknown_shape_is_refused_for_amplify() -> None:
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1", config=FAST)

        class Unknown(type(client)):  # type: ignore[misc]
            async def _make_request(self, model: Any, request: Any, context: Any, extra: Any) -> Any:
                raise AssertionError("sent to the network")

        refused = "cannot answer Amplify calls from .*Unknown.*not sent"
        with pytest.raises(UnservableClientError, match=refused):
            Unknown._make_request(client, None, {}, {}, None)
        # Not Amplify on AWS (a local server, say): left to the class's own.
        local = boto3.client("amplify", region_name="us-east-1", endpoint_url="http://127.0.0.1:1")
        with pytest.raises(AssertionError, match="sent to the network"):
            asyncio.run(Unknown._make_request(local, None, {}, {}, None))


def test_a_synchronous_override_is_left_alone() -> None:
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1", config=FAST)

        class Sync(type(client)):  # type: ignore[misc]
            def _make_request(self, *args: Any) -> Any:
                return super()._make_request(*args)  # BaseClient's, which the mock patches

        assert (Sync, "_make_request") not in _guards.installed()
        client.__class__ = Sync
        assert client.list_apps()["apps"] == []
