"""Clients built from the profiles of ``~/.aws/config``, as deploy scripts and CI jobs build them.

A profile can hold credentials that are fetched on first use (a ``role_arn`` assumed through
STS, SSO, a container role). The mock answers the Amplify call without that fetch, which would
otherwise reach AWS with the profile's real keys; inside moto's ``mock_aws()`` moto's STS
answers it, and the assumed role's account owns what the call creates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import boto3
import pytest
from moto import mock_aws

from amplify_mock import mock_amplify_jobs

ROLE_ACCOUNT = "111122223333"


class CredentialFetchAttempted(Exception):
    """Raised by the test's hook on a call botocore makes to fetch credentials."""


@pytest.fixture
def aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's ~/.aws: a profile with keys, one assuming a role from it, one using SSO."""
    config = tmp_path / "config"
    config.write_text(
        "[default]\nregion = eu-west-1\n"
        "[profile dev]\nregion = eu-central-1\n"
        f"[profile deployer]\nrole_arn = arn:aws:iam::{ROLE_ACCOUNT}:role/deployer\n"
        "source_profile = dev\nregion = us-west-2\n"
        "[profile sso]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
        f"sso_account_id = {ROLE_ACCOUNT}\nsso_role_name = Admin\nregion = us-east-2\n"
    )
    credentials = tmp_path / "credentials"
    credentials.write_text("[dev]\naws_access_key_id = AKIADEVREALKEY000000\naws_secret_access_key = real\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    return config


def _watched(session: boto3.Session, calls: List[str]) -> boto3.Session:
    """The session, with every STS or SSO call its credential providers make refused (and
    recorded) before it is sent."""

    def refuse(model: Any, **_: Any) -> None:
        calls.append(model.name)
        raise CredentialFetchAttempted(model.name)

    for service in ("sts", "sso", "sso-oidc"):
        session._session.register(f"before-call.{service}", refuse)
    return session


@pytest.mark.parametrize("profile", ["deployer", "sso"])
def test_a_profile_whose_credentials_are_fetched_fetches_nothing(aws_config: Path, profile: str) -> None:
    calls: List[str] = []
    with mock_amplify_jobs():
        client = _watched(boto3.Session(profile_name=profile), calls).client("amplify")
        created = client.create_app(name="shop")["app"]
        assert client.get_app(appId=created["appId"])["app"]["name"] == "shop"
    assert calls == []
    region = {"deployer": "us-west-2", "sso": "us-east-2"}[profile]
    assert created["appArn"].startswith(f"arn:aws:amplify:{region}:123456789012:apps/")


def test_the_default_session_of_a_role_profile_fetches_nothing(aws_config: Path) -> None:
    calls: List[str] = []
    with mock_amplify_jobs():
        boto3.setup_default_session(profile_name="deployer")
        _watched(boto3.DEFAULT_SESSION, calls)
        assert boto3.client("amplify").list_apps()["apps"] == []
    assert calls == []


def test_a_profile_with_keys_is_answered_in_its_region(aws_config: Path) -> None:
    with mock_amplify_jobs():
        boto3.setup_default_session(profile_name="dev")
        arn = boto3.client("amplify").create_app(name="shop")["app"]["appArn"]
    assert arn.startswith("arn:aws:amplify:eu-central-1:123456789012:apps/")


def test_inside_mock_aws_a_role_profile_works_in_the_roles_account(aws_config: Path) -> None:
    with mock_aws():
        client = boto3.Session(profile_name="deployer").client("amplify")
        arn = client.create_app(name="shop")["app"]["appArn"]
        assert arn.startswith(f"arn:aws:amplify:us-west-2:{ROLE_ACCOUNT}:apps/")
        default = boto3.client("amplify", region_name="us-west-2")
        assert default.list_apps()["apps"] == []
