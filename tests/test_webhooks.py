"""CreateWebhook, GetWebhook, UpdateWebhook, DeleteWebhook and ListWebhooks through boto3."""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, Tuple

import pytest
from botocore.exceptions import ClientError

from amplify_mock import AmplifyJobs, mock_amplify_jobs, webhooks
from tests.helpers import amplify, error, unvalidated
from tests.shapes import assert_matches_output_shape

REPO = "https://github.com/acme/shop"
LOOPBACK_URL = re.compile(r"^http://127\.0\.0\.1:\d+/prod/webhooks\?id=([0-9a-f-]+)&token=[A-Za-z0-9]{43}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(name="mock")
def mock_fixture() -> Iterator[AmplifyJobs]:
    with mock_amplify_jobs() as controller:
        yield controller


@pytest.fixture(name="app")
def app_fixture(mock: AmplifyJobs) -> Tuple[Any, str]:
    client = amplify()
    app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    client.create_branch(appId=app_id, branchName="feature/cms")
    return client, app_id


def state(mock: AmplifyJobs) -> Dict[str, Any]:
    backend = mock.backend()
    return {
        webhook_id: (hook.app_id, hook.branch_name, hook.description, hook.token, hook.update_time)
        for webhook_id, hook in backend.webhooks.by_id.items()
    } | {"seq": backend.webhooks.seq}


def refused(call: Any, mock: AmplifyJobs, **kwargs: Any) -> Tuple[str, int, str]:
    before = state(mock)
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    assert state(mock) == before
    return error(excinfo)


# --- Create, get, update, delete ----------------------------------------------------------------


def test_a_created_webhook_has_aws_arn_id_and_url_and_an_empty_description(app: Tuple[Any, str]) -> None:
    client, app_id = app
    response = client.create_webhook(appId=app_id, branchName="main")
    assert_matches_output_shape(client, "CreateWebhook", response)
    hook = response["webhook"]
    assert UUID.match(hook["webhookId"])
    arn = f"arn:aws:amplify:us-east-1:123456789012:apps/{app_id}/webhooks/{hook['webhookId']}"
    assert hook["webhookArn"] == arn
    assert hook["appId"] == app_id and hook["branchName"] == "main"
    # terraform-provider-aws's acceptance test: description "" when none is given.
    assert hook["description"] == ""
    assert hook["createTime"] == hook["updateTime"]
    url = LOOPBACK_URL.match(hook["webhookUrl"])
    assert url is not None and url.group(1) == hook["webhookId"]


def test_get_update_and_delete_address_a_webhook_by_its_id_alone(app: Tuple[Any, str]) -> None:
    client, app_id = app
    created = client.create_webhook(appId=app_id, branchName="main", description="cms")["webhook"]
    got = client.get_webhook(webhookId=created["webhookId"])
    assert_matches_output_shape(client, "GetWebhook", got)
    assert got["webhook"] == created

    updated = client.update_webhook(webhookId=created["webhookId"], branchName="feature/cms")
    assert_matches_output_shape(client, "UpdateWebhook", updated)
    assert updated["webhook"]["branchName"] == "feature/cms"
    assert updated["webhook"]["description"] == "cms"  # what is not given is kept
    assert updated["webhook"]["webhookUrl"] == created["webhookUrl"]
    updated = client.update_webhook(webhookId=created["webhookId"], description="")["webhook"]
    assert (updated["branchName"], updated["description"]) == ("feature/cms", "")

    deleted = client.delete_webhook(webhookId=created["webhookId"])
    assert_matches_output_shape(client, "DeleteWebhook", deleted)
    assert deleted["webhook"]["webhookId"] == created["webhookId"]
    with pytest.raises(ClientError) as excinfo:
        client.get_webhook(webhookId=created["webhookId"])
    assert error(excinfo) == ("NotFoundException", 404, f"Webhook {created['webhookId']} not found.")


def test_update_moves_update_time_only(app: Tuple[Any, str], mock: AmplifyJobs) -> None:
    from freezegun import freeze_time

    client, app_id = app
    with freeze_time("2026-01-01") as clock:
        hook = client.create_webhook(appId=app_id, branchName="main")["webhook"]
        clock.tick(60)
        updated = client.update_webhook(webhookId=hook["webhookId"], description="later")["webhook"]
    assert updated["createTime"] == hook["createTime"]
    assert (updated["updateTime"] - hook["updateTime"]).total_seconds() == 60


# --- Errors change nothing ------------------------------------------------------------------------


def test_creating_a_webhook_on_a_missing_branch_or_app_is_not_found(
    app: Tuple[Any, str], mock: AmplifyJobs
) -> None:
    client, app_id = app
    assert refused(client.create_webhook, mock, appId=app_id, branchName="nope") == (
        "NotFoundException", 404, "Branch nope not found.",
    )
    code, status, message = refused(client.create_webhook, mock, appId="d0000000000000", branchName="main")
    assert (code, status) == ("NotFoundException", 404) and "App d0000000000000 not found" in message


def test_updating_a_webhook_to_a_missing_branch_is_refused(app: Tuple[Any, str], mock: AmplifyJobs) -> None:
    client, app_id = app
    hook = client.create_webhook(appId=app_id, branchName="main")["webhook"]
    assert refused(client.update_webhook, mock, webhookId=hook["webhookId"], branchName="gone") == (
        "NotFoundException", 404, "Branch gone not found.",
    )
    assert client.get_webhook(webhookId=hook["webhookId"])["webhook"] == hook


@pytest.mark.parametrize("operation", ["get_webhook", "update_webhook", "delete_webhook"])
def test_an_unknown_webhook_id_is_not_found(app: Tuple[Any, str], mock: AmplifyJobs, operation: str) -> None:
    client, app_id = app
    client.create_webhook(appId=app_id, branchName="main")
    call = getattr(client, operation)
    assert refused(call, mock, webhookId="00000000-0000-0000-0000-000000000000") == (
        "NotFoundException", 404, "Webhook 00000000-0000-0000-0000-000000000000 not found.",
    )


def test_a_description_over_1000_characters_is_a_bad_request(app: Tuple[Any, str], mock: AmplifyJobs) -> None:
    _, app_id = app
    code, status, _ = refused(
        unvalidated().create_webhook, mock, appId=app_id, branchName="main", description="x" * 1001
    )
    assert (code, status) == ("BadRequestException", 400)


def test_an_app_holds_at_most_50_webhooks(app: Tuple[Any, str], mock: AmplifyJobs) -> None:
    client, app_id = app
    for _ in range(webhooks.MAX_PER_APP):
        client.create_webhook(appId=app_id, branchName="main")
    code, status, message = refused(client.create_webhook, mock, appId=app_id, branchName="main")
    assert (code, status) == ("LimitExceededException", 429)
    assert message.startswith(f"App {app_id} already has 50 webhooks")
    # Another app is not concerned.
    other = client.create_app(name="other")["app"]["appId"]
    client.create_branch(appId=other, branchName="main")
    client.create_webhook(appId=other, branchName="main")


# --- Listing ------------------------------------------------------------------------------------


def test_list_webhooks_pages_in_creation_order_and_only_the_apps_own(app: Tuple[Any, str]) -> None:
    client, app_id = app
    other = client.create_app(name="other")["app"]["appId"]
    client.create_branch(appId=other, branchName="main")
    client.create_webhook(appId=other, branchName="main")
    created = [
        client.create_webhook(appId=app_id, branchName="main", description=f"{i}")["webhook"]
        for i in range(5)
    ]
    seen = []
    token = None
    while True:
        page = client.list_webhooks(appId=app_id, maxResults=2, **({"nextToken": token} if token else {}))
        assert_matches_output_shape(client, "ListWebhooks", page)
        assert len(page["webhooks"]) <= 2
        seen += page["webhooks"]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == created
    assert client.list_webhooks(appId=app_id)["webhooks"] == created
    assert client.list_webhooks(appId=app_id, maxResults=0)["webhooks"] == created  # 0 means the default


def test_list_webhooks_of_a_missing_app_and_a_bad_token_are_refused(
    app: Tuple[Any, str], mock: AmplifyJobs
) -> None:
    client, app_id = app
    code, status, _ = refused(client.list_webhooks, mock, appId="d0000000000000")
    assert (code, status) == ("NotFoundException", 404)
    code, status, message = refused(client.list_webhooks, mock, appId=app_id, nextToken="garbage")
    assert (code, status) == ("BadRequestException", 400) and "nextToken" in message


def test_an_app_without_webhooks_lists_none(app: Tuple[Any, str]) -> None:
    client, app_id = app
    response = client.list_webhooks(appId=app_id)
    assert response["webhooks"] == [] and "nextToken" not in response


# --- Deleting what a webhook builds -----------------------------------------------------------------


def test_deleting_a_branch_or_app_deletes_its_webhooks(app: Tuple[Any, str]) -> None:
    client, app_id = app
    on_main = client.create_webhook(appId=app_id, branchName="main")["webhook"]
    on_cms = client.create_webhook(appId=app_id, branchName="feature/cms")["webhook"]
    client.delete_branch(appId=app_id, branchName="feature/cms")
    assert client.list_webhooks(appId=app_id)["webhooks"] == [on_main]
    with pytest.raises(ClientError):
        client.get_webhook(webhookId=on_cms["webhookId"])
    client.delete_app(appId=app_id)
    with pytest.raises(ClientError):
        client.get_webhook(webhookId=on_main["webhookId"])


def test_webhooks_are_kept_per_region(mock: AmplifyJobs) -> None:
    east, west = amplify("us-east-1"), amplify("eu-west-1")
    app_id = east.create_app(name="shop")["app"]["appId"]
    east.create_branch(appId=app_id, branchName="main")
    hook = east.create_webhook(appId=app_id, branchName="main")["webhook"]
    assert hook["webhookArn"].startswith("arn:aws:amplify:us-east-1:")
    with pytest.raises(ClientError) as excinfo:
        west.get_webhook(webhookId=hook["webhookId"])
    assert error(excinfo)[0] == "NotFoundException"


def test_webhooks_start_empty_in_every_mock() -> None:
    with mock_amplify_jobs():
        client = amplify()
        app_id = client.create_app(name="shop")["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        client.create_webhook(appId=app_id, branchName="main")
    with mock_amplify_jobs() as controller:
        assert controller.backend().webhooks.by_id == {}
