"""Each mock gets a boto3 default session of its own, made from what the previous ones kept.

What is kept across tests is what botocore parses from its data files (the service model,
the endpoint table and rules) and the built-in handlers, registered once; what a test sees is
a new session: its fake credentials, and nothing the previous test registered, set or made.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any, Dict, List

import boto3
import botocore.session
import pytest

from amplify_mock import _sessions, mock_amplify_jobs

REGION = "us-east-1"


def _describe(handler: Any) -> str:
    """A handler as it can be compared across sessions (each session wraps some anew)."""
    return getattr(handler, "__qualname__", None) or type(handler).__qualname__


def _handlers(session: boto3.Session, event: str) -> List[str]:
    emitter = session._session._events._emitter
    return [_describe(handler) for handler in emitter._handlers.prefix_search(event)]


def test_each_mock_gets_a_new_default_session_with_the_fake_credentials() -> None:
    sessions = []
    for _ in range(2):
        with mock_amplify_jobs():
            assert boto3.DEFAULT_SESSION is None
            client = boto3.client("amplify", region_name=REGION)
            assert client.list_apps()["apps"] == []
            assert client._request_signer._credentials.access_key == "FOOBARKEY"
            sessions.append(boto3.DEFAULT_SESSION)
    first, second = sessions
    assert first is not None and second is not None and first is not second
    assert first._session is not second._session
    assert first._session._events._emitter is not second._session._events._emitter


def test_a_handler_registered_in_one_test_is_not_called_in_the_next() -> None:
    calls: List[str] = []

    def spy(**kwargs: Any) -> None:
        calls.append(kwargs["event_name"])

    with mock_amplify_jobs():
        boto3.client("amplify", region_name=REGION)
        boto3.DEFAULT_SESSION.events.register("before-call.amplify.ListApps", spy)
        boto3.client("amplify", region_name=REGION).list_apps()
    assert calls == ["before-call.amplify.ListApps"]
    with mock_amplify_jobs():
        boto3.client("amplify", region_name=REGION).list_apps()
    assert calls == ["before-call.amplify.ListApps"]


def test_unique_ids_registered_in_one_test_do_not_block_the_next() -> None:
    calls: List[int] = []
    for turn in range(2):
        with mock_amplify_jobs():
            boto3.client("amplify", region_name=REGION)
            events = boto3.DEFAULT_SESSION.events
            for _ in range(2):  # counted: a second registration only raises the count
                events.register(
                    "before-call.amplify.ListApps",
                    lambda turn=turn, **_: calls.append(turn),
                    unique_id="audit",
                    unique_id_uses_count=True,
                )
            boto3.client("amplify", region_name=REGION).list_apps()
    assert calls == [0, 1]


def test_credentials_and_settings_of_one_test_do_not_carry_over(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_amplify_jobs():
        # boto3.setup_default_session(...) with arguments works as boto3's own.
        boto3.setup_default_session(
            aws_access_key_id="LEFTOVER", aws_secret_access_key="LEFTOVER", region_name="eu-west-1"
        )
        client = boto3.client("amplify")
        assert client.meta.region_name == "eu-west-1"
        assert client._request_signer._credentials.access_key == "LEFTOVER"
        assert client.list_apps()["apps"] == []
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    with mock_amplify_jobs():
        client = boto3.client("amplify")
        assert client.meta.region_name == "ap-south-1"
        assert client._request_signer._credentials.access_key == "FOOBARKEY"
        assert boto3.DEFAULT_SESSION._session._session_instance_vars == {}


def test_the_session_has_the_handlers_boto3_would_give_it() -> None:
    events = sorted({spec[0] for spec in botocore.handlers.BUILTIN_HANDLERS}) + [
        "creating-client-class.s3",
        "creating-resource-class.s3.Bucket",
        "creating-resource-class.dynamodb.Table",
        "before-call.amplify.GetJob",
        "before-parameter-build.s3.PutObject",
        "needs-retry.amplify.ListJobs",
    ]
    ordinary = boto3.Session()
    made = _sessions.new_session()
    mismatched = [event for event in events if _handlers(made, event) != _handlers(ordinary, event)]
    assert mismatched == []
    assert made._session.user_agent_name == ordinary._session.user_agent_name == "Boto3"


def test_what_is_kept_is_the_parsed_data_not_the_objects_built_from_it() -> None:
    seen: List[Dict[str, Any]] = []
    for _ in range(2):
        with mock_amplify_jobs():
            client = boto3.client("amplify", region_name=REGION)
            loader = boto3.DEFAULT_SESSION._session.get_component("data_loader")
            seen.append({"client": client, "loader": loader, "model": client.meta.service_model})
    first, second = seen
    assert first["loader"] is not second["loader"]
    assert first["loader"]._cache is second["loader"]._cache
    assert first["model"] is not second["model"]
    # The same parsed document under two models: it was read from JSON once.
    assert first["model"]._service_description is second["model"]._service_description


def test_a_different_data_path_gets_a_cache_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    with mock_amplify_jobs():
        boto3.client("amplify", region_name=REGION)
        default = boto3.DEFAULT_SESSION._session.get_component("data_loader")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    with mock_amplify_jobs():
        client = boto3.client("amplify", region_name=REGION)
        assert client.list_apps()["apps"] == []
        loader = boto3.DEFAULT_SESSION._session.get_component("data_loader")
    assert str(tmp_path) in loader.search_paths
    assert loader._cache is not default._cache


def test_boto3_is_restored_when_the_mock_stops() -> None:
    before_session, before_setup = boto3.DEFAULT_SESSION, boto3.setup_default_session
    with mock_amplify_jobs():
        assert boto3.setup_default_session is _sessions.setup_default_session
        boto3.client("amplify", region_name=REGION)
    assert boto3.DEFAULT_SESSION is before_session
    assert boto3.setup_default_session is before_setup


def _run(code: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


# A botocore session loading Amplify's model, counted in a fresh process (the model is loaded
# once per process). moto builds one session of its own for its region list, which is moto's.
_COUNTING = """
import botocore.session
loads = []
original = botocore.session.Session.get_service_model
def counting(self, *args, **kwargs):
    loads.append(args)
    return original(self, *args, **kwargs)
botocore.session.Session.get_service_model = counting
from amplify_mock import mock_amplify_jobs, _protocol
"""


def test_the_first_call_of_a_process_routes_with_its_clients_own_model() -> None:
    out = _run(
        _COUNTING
        + """
with mock_amplify_jobs():
    import boto3
    client = boto3.client("amplify", region_name="us-east-1")
    client.list_apps()
    print(len(loads), _protocol.service_model() is client.meta.service_model)
"""
    )
    assert out == "0 True"


def test_the_first_call_without_a_client_loads_the_model_without_a_session() -> None:
    out = _run(
        _COUNTING
        + """
with mock_amplify_jobs():
    import requests
    reply = requests.get("https://amplify.us-east-1.amazonaws.com/apps")
    print(len(loads), reply.status_code, reply.json(), _protocol.service_model().service_name)
"""
    )
    assert out == "0 200 {'apps': []} amplify"


def _credentials_of(session: boto3.Session) -> Any:
    found = session.get_credentials()
    if found is None:
        return None
    frozen = found.get_frozen_credentials()
    return (frozen.access_key, frozen.secret_key, frozen.token, found.method)


@pytest.mark.parametrize(
    "scenario", ["environment", "environment with a token", "shared file", "explicit profile", "none"]
)
def test_credentials_are_found_as_botocores_chain_finds_them(
    scenario: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """The session asks the environment first and builds the rest of botocore's chain only
    without environment credentials: whatever the setting, it finds what botocore finds."""
    shared = tmp_path / "credentials"
    shared.write_text(
        "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n"
        "[ci]\naws_access_key_id = CIKEY\naws_secret_access_key = CISECRET\n"
    )
    kwargs: Dict[str, Any] = {}
    with mock_amplify_jobs():
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(shared))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # "none" must not wait for one
        monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
        monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
        if scenario == "environment with a token":
            monkeypatch.setenv("AWS_SESSION_TOKEN", "TOKEN")
        if scenario in ("shared file", "none", "explicit profile"):
            monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
            monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
            monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
            monkeypatch.delenv("AWS_SECURITY_TOKEN", raising=False)
        if scenario == "explicit profile":
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ENVKEY")  # an explicit profile wins over it
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET")
            kwargs["profile_name"] = "ci"
        if scenario == "none":
            shared.write_text("")
        expected = _credentials_of(boto3.Session(**kwargs))
        boto3.setup_default_session(**kwargs)
        assert _credentials_of(boto3.DEFAULT_SESSION) == expected
    assert expected is not None or scenario == "none"
    if scenario == "explicit profile":
        assert expected[:2] == ("CIKEY", "CISECRET")
    if scenario == "shared file":
        assert expected[0] == "FILEKEY"
