"""State is kept per test, per account and per region, as moto keeps it."""

import boto3
import pytest
from moto import mock_aws

import amplify_mock
from amplify_mock import mock_amplify_jobs
from tests.helpers import amplify, error


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_starts_with_no_apps(amplify_jobs, attempt):
    client = amplify()
    assert client.list_apps()["apps"] == []
    client.create_app(name=f"left-over-{attempt}")


def test_apps_of_one_mock_are_gone_in_the_next():
    with mock_amplify_jobs():
        app_id = amplify().create_app(name="shop")["app"]["appId"]
    with mock_amplify_jobs():
        with pytest.raises(amplify().exceptions.NotFoundException):
            amplify().get_app(appId=app_id)


def test_regions_do_not_share_apps(amplify_jobs):
    east, west = amplify("us-east-1"), amplify("eu-west-1")
    app_id = east.create_app(name="shop")["app"]["appId"]
    assert west.list_apps()["apps"] == []
    with pytest.raises(west.exceptions.NotFoundException) as excinfo:
        west.get_app(appId=app_id)
    assert error(excinfo)[2] == f"App {app_id} not found."  # AWS's words


def test_backend_is_kept_per_account_and_region(amplify_jobs):
    app_id = amplify("eu-west-1").create_app(name="shop")["app"]["appId"]
    assert list(amplify_mock.amplify_backends["123456789012"]["eu-west-1"].apps) == [app_id]
    assert amplify_mock.amplify_backends["123456789012"]["us-east-1"].apps == {}
    assert amplify_jobs.backend("eu-west-1").apps[app_id].app_id == app_id


def test_moto_account_id_env_picks_the_account(amplify_jobs, monkeypatch):
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
    app = amplify().create_app(name="shop")["app"]
    assert app["appArn"] == f"arn:aws:amplify:us-east-1:111111111111:apps/{app['appId']}"
    assert list(amplify_jobs.backend(account_id="111111111111").apps) == [app["appId"]]
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    assert amplify().list_apps()["apps"] == []


def test_moto_account_id_is_read_as_os_environ_has_it(monkeypatch):
    # Read from os.environ's store rather than through the mapping (see _dispatch): the same
    # answer whether set, empty, unset, patched in place or os.environ replaced.
    import os
    from unittest import mock

    from amplify_mock._dispatch import default_account, moto_account_id

    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    assert moto_account_id() is None and default_account() == "123456789012"
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
    assert moto_account_id() == "111111111111" == default_account()
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "")
    assert moto_account_id() == "" == default_account()
    with mock.patch.dict(os.environ, {"MOTO_ACCOUNT_ID": "222222222222"}):
        assert moto_account_id() == "222222222222"
    assert moto_account_id() == ""
    monkeypatch.setattr(os, "environ", {"MOTO_ACCOUNT_ID": "333333333333"})
    assert moto_account_id() == "333333333333"


def test_accounts_do_not_share_apps(amplify_jobs, monkeypatch):
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
    app_id = amplify().create_app(name="shop")["app"]["appId"]
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "222222222222")
    client = amplify()
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.get_app(appId=app_id)
    assert error(excinfo)[2] == f"App {app_id} not found."  # AWS's words


def test_x_moto_account_id_header_picks_the_account(amplify_jobs):
    client = amplify()

    def add_header(params, **_):
        params["headers"]["x-moto-account-id"] = "333333333333"

    client.meta.events.register("before-call.amplify.*", add_header)
    app = client.create_app(name="shop")["app"]
    assert ":333333333333:" in app["appArn"]
    assert list(amplify_jobs.backend(account_id="333333333333").apps) == [app["appId"]]
    assert amplify().list_apps()["apps"] == []


def test_keys_from_moto_sts_belong_to_the_assumed_account():
    with mock_aws(), mock_amplify_jobs() as amplify_jobs:
        sts = boto3.client("sts", region_name="us-east-1")
        credentials = sts.assume_role(
            RoleArn="arn:aws:iam::444444444444:role/deployer", RoleSessionName="ci"
        )["Credentials"]
        client = boto3.client(
            "amplify",
            region_name="us-east-1",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        app = client.create_app(name="shop")["app"]
        assert ":444444444444:" in app["appArn"]
        assert list(amplify_jobs.backend(account_id="444444444444").apps) == [app["appId"]]


def test_region_without_amplify_is_bad_request(amplify_jobs):
    client = amplify("xx-nowhere-1")
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        client.list_apps()
    assert "xx-nowhere-1" in error(excinfo)[2]


def test_the_controller_and_the_calls_agree_on_the_account_from_moto_account_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    with mock_amplify_jobs() as amplify_jobs:
        client = boto3.client("amplify", region_name="eu-west-1")
        app_id = client.create_app(name="in-their-account")["app"]["appId"]
        backend = amplify_jobs.backend("eu-west-1")
        assert backend.account_id == "111122223333"
        assert app_id in backend.apps
        assert app_id not in amplify_jobs.backend("eu-west-1", "123456789012").apps
