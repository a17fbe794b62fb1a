"""Backend environments through boto3: ARNs, generated names, filtering, paging, AWS's errors."""

from __future__ import annotations

import datetime

import pytest
from freezegun import freeze_time

from tests.helpers import amplify, error
from tests.robust_support import state_bytes


@pytest.fixture
def client(amplify_jobs):
    return amplify()


@pytest.fixture
def app_id(client):
    return client.create_app(name="My Shop!")["app"]["appId"]


def create(client, app_id, name, **kwargs):
    return client.create_backend_environment(appId=app_id, environmentName=name, **kwargs)[
        "backendEnvironment"
    ]


def test_create_get_and_delete(client, app_id):
    created = create(client, app_id, "prod", stackName="my-stack", deploymentArtifacts="my-bucket")
    assert created["backendEnvironmentArn"] == (
        f"arn:aws:amplify:us-east-1:123456789012:apps/{app_id}/backendenvironments/prod"
    )
    assert (created["environmentName"], created["stackName"], created["deploymentArtifacts"]) == (
        "prod",
        "my-stack",
        "my-bucket",
    )
    assert created["createTime"] == created["updateTime"]
    assert (
        client.get_backend_environment(appId=app_id, environmentName="prod")["backendEnvironment"] == created
    )
    deleted = client.delete_backend_environment(appId=app_id, environmentName="prod")["backendEnvironment"]
    assert deleted == created
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_backend_environment(appId=app_id, environmentName="prod")


def test_names_are_generated_as_the_amplify_cli_names_them(amplify_jobs):
    with freeze_time(datetime.datetime(2024, 5, 1, 9, 5, 7)):
        client = amplify()
        app_id = client.create_app(name="My Shop!")["app"]["appId"]
        created = create(client, app_id, "Staging")
    assert created["stackName"] == "amplify-myshop-staging-90507"
    assert created["deploymentArtifacts"] == "amplify-myshop-staging-90507-deployment"


def test_given_stack_name_names_the_bucket(client, app_id):
    created = create(client, app_id, "dev", stackName="custom-root")
    assert created["deploymentArtifacts"] == "custom-root-deployment"


def test_missing_environment_is_not_found_as_aws_words_it(client, app_id):
    before = state_bytes()
    for call in (client.get_backend_environment, client.delete_backend_environment):
        with pytest.raises(client.exceptions.NotFoundException) as excinfo:
            call(appId=app_id, environmentName="tutor")
        assert error(excinfo) == ("NotFoundException", 404, "BackendEnvironment tutor does not exist.")
    assert state_bytes() == before


def test_duplicate_name_is_refused_and_changes_nothing(client, app_id):
    create(client, app_id, "prod")
    before = state_bytes()
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        create(client, app_id, "prod", stackName="other")
    code, status, message = error(excinfo)
    assert (code, status) == ("BadRequestException", 400) and "prod" in message
    assert state_bytes() == before


def test_missing_app_is_not_found(client):
    for call, kwargs in (
        (client.create_backend_environment, {"environmentName": "prod"}),
        (client.list_backend_environments, {}),
    ):
        with pytest.raises(client.exceptions.NotFoundException) as excinfo:
            call(appId="d0000000000000", **kwargs)
        assert "d0000000000000" in error(excinfo)[2]


def test_list_filters_by_environment_name(client, app_id):
    for name in ("dev", "prod", "test"):
        create(client, app_id, name)
    listed = client.list_backend_environments(appId=app_id, environmentName="prod")["backendEnvironments"]
    assert [e["environmentName"] for e in listed] == ["prod"]
    assert client.list_backend_environments(appId=app_id, environmentName="qa")["backendEnvironments"] == []


def test_list_pages_in_creation_order(client, app_id):
    names = [f"env{i}" for i in range(7)]
    for name in names:
        create(client, app_id, name)
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = client.list_backend_environments(appId=app_id, maxResults=3, **kwargs)
        seen += [e["environmentName"] for e in page["backendEnvironments"]]
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert (seen, pages) == (names, 3)
    paginator = (
        client.get_paginator("list_backend_environments")
        if client.can_paginate("list_backend_environments")
        else None
    )
    if paginator is not None:
        assert [
            e["environmentName"] for p in paginator.paginate(appId=app_id) for e in p["backendEnvironments"]
        ] == names


def test_bad_next_token_is_refused(client, app_id):
    with pytest.raises(client.exceptions.BadRequestException):
        client.list_backend_environments(appId=app_id, nextToken="nonsense")


def test_apps_do_not_share_environments_and_deleting_the_app_deletes_them(client, app_id):
    create(client, app_id, "prod")
    other = client.create_app(name="other")["app"]["appId"]
    assert client.list_backend_environments(appId=other)["backendEnvironments"] == []
    create(client, other, "prod")
    client.delete_app(appId=app_id)
    assert [
        e["environmentName"] for e in client.list_backend_environments(appId=other)["backendEnvironments"]
    ] == ["prod"]
    assert amplify("eu-west-1").list_apps()["apps"] == []
