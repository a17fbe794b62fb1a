"""A client the mock has answered once is answered in its ``before-call`` event from then on
(_Interceptor.hook): whatever a test does to the client that it could do before must still
work, and nothing of it may outlive the mock."""

from __future__ import annotations

from typing import Any, Dict, List
from unittest.mock import patch

import boto3
import botocore.client
import botocore.exceptions
import pytest
from botocore.stub import Stubber

from amplify_mock import _mock, mock_amplify_jobs

REPO = "https://github.com/acme/shop"


def _verdicts_asked(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The URLs _make_request's path was asked about (the hooked path never asks)."""
    asked: List[str] = []
    original = _mock._verdict

    def spy(url: str, region: Any) -> int:
        asked.append(url)
        return original(url, region)

    monkeypatch.setattr(_mock, "_verdict", spy)
    return asked


def test_calls_after_the_first_are_answered_before_make_request(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _verdicts_asked(monkeypatch)
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(name="shop", repository=REPO, accessToken="t")["app"]["appId"]
        assert len(asked) == 1
        client.create_branch(appId=app_id, branchName="main")
        job = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]
        assert client.get_job(appId=app_id, branchName="main", jobId=job["jobId"])["job"]["summary"][
            "status"
        ] == "PENDING"
        with pytest.raises(client.exceptions.NotFoundException, match="Job 99 not found"):
            client.get_job(appId=app_id, branchName="main", jobId="99")
        assert len(asked) == 1, asked


def test_each_hooked_client_answers_with_its_own_region_and_credentials() -> None:
    with mock_amplify_jobs() as amplify:
        east = boto3.client("amplify", region_name="us-east-1")
        west = boto3.client(
            "amplify", region_name="eu-west-1",
            aws_access_key_id="AKIAOTHER", aws_secret_access_key="secret",
        )
        for name in ("a", "b"):
            east.create_app(name=f"east-{name}")
            west.create_app(name=f"west-{name}")
        assert [app["name"] for app in east.list_apps()["apps"]] == ["east-a", "east-b"]
        assert [app["name"] for app in west.list_apps()["apps"]] == ["west-a", "west-b"]
        assert len(amplify.backend("eu-west-1").list_apps(None, None)[0]) == 2


def test_a_stubber_still_answers_first() -> None:
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(name="shop")["app"]["appId"]
        client.get_app(appId=app_id)
        with Stubber(client) as stubber:
            stubber.add_client_error("get_app", "NotFoundException", "stubbed", 404)
            with pytest.raises(client.exceptions.NotFoundException, match="stubbed"):
                client.get_app(appId=app_id)
            stubber.assert_no_pending_responses()
        assert client.get_app(appId=app_id)["app"]["name"] == "shop"


@pytest.mark.parametrize("where", ["client", "class"])
def test_make_request_patched_by_a_test_still_takes_the_call(where: str) -> None:
    # Tests simulate network failures this way; the mock must not answer over them.
    failure = botocore.exceptions.EndpointConnectionError(endpoint_url="https://amplify")
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        client.create_app(name="shop")
        client.list_apps()
        target = client if where == "client" else type(client)
        with patch.object(target, "_make_request", side_effect=failure):
            with pytest.raises(botocore.exceptions.EndpointConnectionError):
                client.list_apps()
        assert [app["name"] for app in client.list_apps()["apps"]] == ["shop"]


def test_the_users_before_call_handlers_still_run_first() -> None:
    seen: List[str] = []

    def record(params: Dict[str, Any], **kwargs: Any) -> None:
        seen.append(kwargs["event_name"])
        # A header a handler adds is seen by the mock: moto's account header.
        params["headers"]["x-moto-account-id"] = "111122223333"

    with mock_amplify_jobs() as amplify:
        client = boto3.client("amplify", region_name="us-east-1")
        client.list_apps()
        client.meta.events.register("before-call.amplify", record)
        client.create_app(name="shop")
        client.list_apps()
        assert seen == ["before-call.amplify.CreateApp", "before-call.amplify.ListApps"]
        assert len(amplify.backend("us-east-1", "111122223333").list_apps(None, None)[0]) == 1
        assert amplify.backend("us-east-1").list_apps(None, None)[0] == []


def _our_handlers(client: Any) -> List[Any]:
    # botocore has no public listing of an emitter's handlers.
    emitter = client.meta.events._emitter
    return [entry for key, entry in emitter._unique_id_handlers.items() if key == _mock._HOOK_ID]


def test_nothing_of_the_hook_outlives_the_mock() -> None:
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        client.create_app(name="a")
        client.list_apps()
        assert _our_handlers(client)
    assert _our_handlers(client) == []
    assert not _mock._interceptor.hooked
    assert botocore.client.BaseClient._make_request is _mock._interceptor.original_make_request or (
        _mock._interceptor.original_make_request is None
    )
    # A new mock answers the same client from its own (empty) state, and hooks it again.
    with mock_amplify_jobs():
        assert client.list_apps()["apps"] == []
        client.list_apps()
        assert len(_our_handlers(client)) == 1
    assert _our_handlers(client) == []


def test_a_hook_left_by_a_stop_racing_a_call_declines() -> None:
    # A thread's first call may hook a client while another thread stops the mock: the
    # handler then answers nothing, as _make_request is no longer the mock's.
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        client.list_apps()
        client.list_apps()  # botocore lists the event's handlers as it emits it
        handler = _our_handlers(client)[0]["handler"]
        model = client.meta.service_model.operation_model("ListApps")
        request = {"url": "https://amplify.us-east-1.amazonaws.com/apps", "method": "GET",
                   "headers": {}, "body": b"", "context": {}}
        # As botocore calls it: the event's name says which handlers come after it.
        event = {"event_name": "before-call.amplify.ListApps"}
        assert handler(model=model, params=request, request_signer=client._request_signer,
                       context={}, **event)[1]["apps"] == []
    assert handler(model=model, params=request, request_signer=client._request_signer,
                   context={}, **event) is None
    # Another client's call, or another host, is declined while the mock is on.
    with mock_amplify_jobs():
        other = boto3.client("amplify", region_name="us-east-1")
        assert handler(model=model, params=request, request_signer=other._request_signer,
                       context={}, **event) is None


def test_a_sessions_bare_before_call_handler_still_runs_on_every_call() -> None:
    # A handler on "before-call" itself runs after those of "before-call.amplify" (botocore
    # calls the most specific first): the hook must not answer ahead of it.
    def add_account(params: Dict[str, Any], **_: Any) -> None:
        params["headers"]["x-moto-account-id"] = "111122223333"

    with mock_amplify_jobs() as amplify:
        session = boto3.Session(region_name="us-east-1")
        session.events.register("before-call", add_account)
        client = session.client("amplify")
        client.create_app(name="a")
        client.create_app(name="b")
        apps = amplify.backend("us-east-1", "111122223333").list_apps(None, None)[0]
        assert [app.name for app in apps] == ["a", "b"]
        assert amplify.backend("us-east-1").list_apps(None, None)[0] == []


@pytest.mark.parametrize("event", ["before-call", "before-call.amplify", "before-call.amplify.ListApps"])
def test_a_handler_registered_last_after_the_hook_still_runs(event: str) -> None:
    seen: List[str] = []
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        client.list_apps()
        client.list_apps()
        client.meta.events.register_last(event, lambda **kwargs: seen.append(kwargs["event_name"]))
        assert client.list_apps()["apps"] == []
        client.list_apps()
    assert seen == ["before-call.amplify.ListApps"] * 2


def test_a_stop_while_a_first_call_hooks_its_client_leaves_no_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Another thread may stop the mock while a first call is registering its client's
    # handler: whatever the order, the stopped mock leaves nothing on the client, and the
    # next mock hooks it again.
    mock = mock_amplify_jobs()
    mock.start()
    try:
        client = boto3.client("amplify", region_name="us-east-1")
        register_last = client.meta.events.register_last

        def stopped_meanwhile(*args: Any, **kwargs: Any) -> Any:
            mock.stop()  # what the other thread does at this moment
            return register_last(*args, **kwargs)

        monkeypatch.setattr(client.meta.events, "register_last", stopped_meanwhile)
        client.list_apps()
    finally:
        mock.stop()
    monkeypatch.undo()
    assert _our_handlers(client) == []
    asked = _verdicts_asked(monkeypatch)
    with mock_amplify_jobs():
        client.list_apps()
        client.list_apps()
        assert len(asked) == 1
        assert len(_our_handlers(client)) == 1
    assert _our_handlers(client) == []


def test_a_hooked_client_dropped_by_the_test_is_collected() -> None:
    # The handler holds its client by a weak reference and the mock by a WeakSet: a test
    # making a client per call must not keep them all alive until the mock stops.
    import gc
    import weakref

    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        client.list_apps()
        client.list_apps()
        assert client in _mock._interceptor.hooked
        reference = weakref.ref(client)
        del client
        gc.collect()
        assert reference() is None
        assert len(_mock._interceptor.hooked) == 0


def test_a_reset_between_moto_making_an_account_and_reading_it_is_survived(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # moto's BackendDict makes an account's entry, then reads it back outside its lock: a
    # reset in another thread (amplify.reset()) may clear every account in between. The
    # call must still be answered, not fail with InternalFailureException (KeyError).
    from amplify_mock.models import amplify_backends

    with mock_amplify_jobs() as amplify:
        client = boto3.client("amplify", region_name="us-east-1")
        make = amplify_backends._create_account_specific_backend
        resets: List[str] = []

        def made_then_reset(account_id: str) -> None:
            make(account_id)
            if not resets:
                resets.append(account_id)
                amplify.reset()  # what the other thread does at this moment

        monkeypatch.setattr(amplify_backends, "_create_account_specific_backend", made_then_reset)
        assert client.create_app(name="shop")["app"]["name"] == "shop"
        assert resets == ["123456789012"]
        assert [app["name"] for app in client.list_apps()["apps"]] == ["shop"]
