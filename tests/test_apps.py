import re

import boto3
import pytest
import time_machine

from amplify_mock import mock_amplify_jobs
from tests.helpers import amplify, error, snapshot


@mock_amplify_jobs()
def test_created_app_can_be_read_back():
    client = boto3.client("amplify", region_name="us-east-1")
    app = client.create_app(name="shop")["app"]
    assert client.get_app(appId=app["appId"])["app"]["name"] == "shop"


@mock_amplify_jobs()
def test_unknown_app_is_not_found():
    client = boto3.client("amplify", region_name="us-east-1")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_app(appId="dmissing")


def test_app_id_is_d_and_thirteen_lowercase_letters_or_digits(amplify_jobs):
    client = amplify()
    ids = {client.create_app(name=f"app{i}")["app"]["appId"] for i in range(20)}
    assert len(ids) == 20
    assert all(re.fullmatch(r"d[a-z0-9]{13}", app_id) for app_id in ids)


def test_app_arn_names_region_account_and_app_id(amplify_jobs):
    app = amplify("eu-west-1").create_app(name="shop")["app"]
    assert app["appArn"] == f"arn:aws:amplify:eu-west-1:123456789012:apps/{app['appId']}"


def test_new_app_has_aws_defaults(amplify_jobs):
    app = amplify().create_app(name="shop")["app"]
    assert app["defaultDomain"] == f"{app['appId']}.amplifyapp.com"
    assert app["platform"] == "WEB"
    assert app["description"] == "" and app["repository"] == ""
    assert app["environmentVariables"] == {}
    assert app["enableBranchAutoBuild"] is False and app["enableBasicAuth"] is False
    assert app["createTime"] == app["updateTime"]


def test_create_app_keeps_what_was_given(amplify_jobs):
    app = amplify().create_app(
        name="shop",
        description="the shop",
        repository="https://github.com/acme/shop",
        accessToken="token",
        platform="WEB_COMPUTE",
        environmentVariables={"STAGE": "prod"},
        enableBranchAutoBuild=True,
        customRules=[{"source": "/<*>", "target": "/index.html", "status": "404-200"}],
        tags={"team": "web"},
    )["app"]
    assert app["description"] == "the shop"
    assert app["repository"] == "https://github.com/acme/shop"
    assert app["platform"] == "WEB_COMPUTE"
    assert app["environmentVariables"] == {"STAGE": "prod"}
    assert app["enableBranchAutoBuild"] is True
    assert app["customRules"] == [{"source": "/<*>", "target": "/index.html", "status": "404-200"}]
    assert app["tags"] == {"team": "web"}


def test_get_unknown_app_is_404_naming_the_app(amplify_jobs):
    client = amplify()
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.get_app(appId="dnosuchapp0000")
    code, status, message = error(excinfo)
    assert (code, status) == ("NotFoundException", 404)
    assert "dnosuchapp0000" in message


def test_update_app_changes_only_the_given_settings(amplify_jobs):
    client = amplify()
    app_id = client.create_app(
        name="shop", description="old", repository="r", accessToken="token"
    )["app"]["appId"]
    updated = client.update_app(appId=app_id, description="new", enableBasicAuth=True)["app"]
    assert (updated["name"], updated["description"], updated["repository"]) == ("shop", "new", "r")
    assert updated["enableBasicAuth"] is True
    assert client.get_app(appId=app_id)["app"] == updated


def test_update_app_moves_update_time_but_not_create_time(amplify_jobs):
    client = amplify()
    with time_machine.travel("2024-01-01 00:00:00+00:00", tick=False) as clock:
        app = client.create_app(name="shop")["app"]
        clock.shift(60)
        updated = client.update_app(appId=app["appId"], name="store")["app"]
    assert updated["createTime"] == app["createTime"]
    assert (updated["updateTime"] - app["updateTime"]).total_seconds() == 60


def test_update_unknown_app_is_404_naming_the_app(amplify_jobs):
    client = amplify()
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.update_app(appId="dnosuchapp0000", name="x")
    assert error(excinfo)[1] == 404 and "dnosuchapp0000" in error(excinfo)[2]


def test_delete_app_returns_it_and_it_is_gone(amplify_jobs):
    client = amplify()
    app = client.create_app(name="shop")["app"]
    assert client.delete_app(appId=app["appId"])["app"]["appId"] == app["appId"]
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_app(appId=app["appId"])
    assert client.list_apps()["apps"] == []


def test_delete_unknown_app_is_404_naming_the_app(amplify_jobs):
    client = amplify()
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.delete_app(appId="dnosuchapp0000")
    assert error(excinfo)[1] == 404 and "dnosuchapp0000" in error(excinfo)[2]


def test_delete_app_removes_its_branches(amplify_jobs):
    client = amplify()
    app = client.create_app(name="shop")["app"]
    kept = client.create_app(name="other")["app"]
    for name in ("main", "feature/x"):
        client.create_branch(appId=app["appId"], branchName=name)
    client.create_branch(appId=kept["appId"], branchName="main")
    client.delete_app(appId=app["appId"])
    remaining = [b.arn for b in amplify_jobs.backend().iter_branches()]
    assert remaining == [f"{kept['appArn']}/branches/main"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.list_tags_for_resource(resourceArn=f"{app['appArn']}/branches/main")


def test_list_apps_is_empty_at_start(amplify_jobs):
    assert amplify().list_apps()["apps"] == []


def test_list_apps_pages_to_the_end_in_creation_order(amplify_jobs):
    client = amplify()
    created = [client.create_app(name=f"app{i}")["app"]["appId"] for i in range(7)]
    seen, sizes, kwargs = [], [], {"maxResults": 3}
    while True:
        page = client.list_apps(**kwargs)
        sizes.append(len(page["apps"]))
        seen += [a["appId"] for a in page["apps"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert sizes == [3, 3, 1]
    assert seen == created


def test_list_apps_paginator_walks_every_app(amplify_jobs):
    client = amplify()
    created = [client.create_app(name=f"app{i}")["app"]["appId"] for i in range(5)]
    pages = client.get_paginator("list_apps").paginate(PaginationConfig={"PageSize": 2})
    assert [a["appId"] for page in pages for a in page["apps"]] == created


@pytest.mark.parametrize("max_results", [None, 0, 100])
def test_list_apps_returns_at_most_100_per_page(amplify_jobs, max_results):
    client = amplify()
    for i in range(101):
        client.create_app(name=f"app{i}")
    kwargs = {} if max_results is None else {"maxResults": max_results}
    first = client.list_apps(**kwargs)
    assert len(first["apps"]) == 100
    last = client.list_apps(nextToken=first["nextToken"], **kwargs)
    assert len(last["apps"]) == 1 and "nextToken" not in last


def test_list_apps_with_max_results_1_pages_one_by_one(amplify_jobs):
    client = amplify()
    client.create_app(name="a")
    client.create_app(name="b")
    first = client.list_apps(maxResults=1)
    second = client.list_apps(maxResults=1, nextToken=first["nextToken"])
    assert [first["apps"][0]["name"], second["apps"][0]["name"]] == ["a", "b"]
    assert "nextToken" not in second


@pytest.mark.parametrize("token", ["garbage", "", "YW1wbGlmeS1tb2NrOmJyYW5jaGVzOjE="])
def test_list_apps_with_invalid_next_token_is_bad_request(amplify_jobs, token):
    client = amplify()
    client.create_app(name="a")
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        client.list_apps(nextToken=token)
    assert error(excinfo)[:2] == ("BadRequestException", 400)
    assert "nextToken" in error(excinfo)[2]


def test_list_apps_token_survives_deleting_the_next_app(amplify_jobs):
    client = amplify()
    ids = [client.create_app(name=f"app{i}")["app"]["appId"] for i in range(3)]
    first = client.list_apps(maxResults=1)
    client.delete_app(appId=ids[1])
    rest = client.list_apps(nextToken=first["nextToken"])
    assert [a["appId"] for a in rest["apps"]] == [ids[2]]


def test_failed_app_calls_change_nothing(amplify_jobs):
    client = amplify()
    app_id = client.create_app(name="shop")["app"]["appId"]
    before = snapshot(amplify_jobs.backend())
    for call in (
        lambda: client.get_app(appId="dnosuchapp0000"),
        lambda: client.update_app(appId="dnosuchapp0000", name="x"),
        lambda: client.delete_app(appId="dnosuchapp0000"),
        lambda: client.list_apps(nextToken="garbage"),
    ):
        with pytest.raises(client.exceptions.ClientError):
            call()
    assert snapshot(amplify_jobs.backend()) == before
    assert client.get_app(appId=app_id)["app"]["name"] == "shop"


# Defaults and edits as AWS answers them (terraform-provider-aws's acceptance tests record them)


def test_new_app_reports_amplify_managed_no_cookies_cache_config(amplify_jobs):
    client = amplify()
    app = client.create_app(name="shop")["app"]
    assert app["cacheConfig"] == {"type": "AMPLIFY_MANAGED_NO_COOKIES"}
    assert "autoBranchCreationConfig" not in app
    kept = client.create_app(name="kept", cacheConfig={"type": "AMPLIFY_MANAGED"})["app"]
    assert client.get_app(appId=kept["appId"])["app"]["cacheConfig"] == {"type": "AMPLIFY_MANAGED"}


AWS_AUTO_BRANCH_DEFAULTS = {
    "stage": "NONE",
    "framework": "",
    "enableAutoBuild": False,
    "environmentVariables": {},
    "enableBasicAuth": False,
    "enablePerformanceMode": False,
    "enablePullRequestPreview": False,
}


def test_auto_branch_creation_without_config_reports_aws_defaults(amplify_jobs):
    client = amplify()
    patterns = ["*", "*/**"]
    app = client.create_app(name="shop", enableAutoBranchCreation=True, autoBranchCreationPatterns=patterns)
    assert app["app"]["autoBranchCreationConfig"] == AWS_AUTO_BRANCH_DEFAULTS
    assert app["app"]["autoBranchCreationPatterns"] == ["*", "*/**"]
    later = client.create_app(name="later")["app"]["appId"]
    updated = client.update_app(appId=later, enableAutoBranchCreation=True)["app"]
    assert updated["autoBranchCreationConfig"] == AWS_AUTO_BRANCH_DEFAULTS


def test_auto_branch_creation_config_given_is_kept(amplify_jobs):
    config = {"stage": "DEVELOPMENT", "enableAutoBuild": True, "framework": "React"}
    app = amplify().create_app(name="shop", enableAutoBranchCreation=True, autoBranchCreationConfig=config)
    assert app["app"]["autoBranchCreationConfig"] == config


def test_update_app_with_one_space_key_clears_environment_variables(amplify_jobs):
    client = amplify()
    app_id = client.create_app(name="shop", environmentVariables={"A": "1", "B": "2"})["app"]["appId"]
    cleared = client.update_app(appId=app_id, environmentVariables={" ": ""})["app"]
    assert cleared["environmentVariables"] == {}
    assert client.get_app(appId=app_id)["app"]["environmentVariables"] == {}


def test_one_space_key_clears_auto_branch_creation_environment_variables(amplify_jobs):
    client = amplify()
    config = {"stage": "BETA", "environmentVariables": {"A": "1"}}
    app_id = client.create_app(name="shop", enableAutoBranchCreation=True, autoBranchCreationConfig=config)[
        "app"
    ]["appId"]
    cleared = client.update_app(
        appId=app_id, autoBranchCreationConfig={"stage": "BETA", "environmentVariables": {" ": ""}}
    )["app"]
    assert cleared["autoBranchCreationConfig"] == {"stage": "BETA", "environmentVariables": {}}


EMPTY_KEY_CALLS = {
    "UpdateApp": lambda c, app: c.update_app(appId=app, environmentVariables={"": ""}),
    "UpdateApp autoBranchCreationConfig": lambda c, app: c.update_app(
        appId=app, autoBranchCreationConfig={"environmentVariables": {"": ""}}
    ),
    "CreateApp": lambda c, app: c.create_app(name="again", environmentVariables={"": "x"}),
    "CreateApp autoBranchCreationConfig": lambda c, app: c.create_app(
        name="again",
        enableAutoBranchCreation=True,
        autoBranchCreationConfig={"environmentVariables": {"": ""}},
    ),
}


@pytest.mark.parametrize("call", sorted(EMPTY_KEY_CALLS))
def test_empty_environment_variable_key_is_refused_in_aws_words_and_changes_nothing(amplify_jobs, call):
    client = amplify()
    app_id = client.create_app(name="shop", environmentVariables={"A": "1"})["app"]["appId"]
    before = snapshot(amplify_jobs.backend())
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        EMPTY_KEY_CALLS[call](client, app_id)
    assert error(excinfo) == ("BadRequestException", 400, "Environment variables cannot have an empty key.")
    assert snapshot(amplify_jobs.backend()) == before


TOKEN_MESSAGE = "You should at least provide one valid token"


def test_an_app_connected_to_a_repository_without_a_token_is_refused_and_not_created(amplify_jobs):
    client = amplify()
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        client.create_app(name="shop", repository="https://github.com/acme/shop")
    assert error(excinfo) == ("BadRequestException", 400, TOKEN_MESSAGE)
    assert client.list_apps()["apps"] == []


@pytest.mark.parametrize(
    ("repository", "tokens"),
    [
        ("https://github.com/acme/shop", {"accessToken": "ghp_token"}),
        ("https://bitbucket.org/acme/shop", {"oauthToken": "bitbucket-token"}),
        # Read with the app's service role: no token (aws/aws-cdk#6818).
        ("https://git-codecommit.us-east-1.amazonaws.com/v1/repos/shop", {}),
    ],
    ids=["github-access-token", "oauth-token", "codecommit-without-token"],
)
def test_an_app_connected_with_a_token_is_created_and_the_token_never_reported(
    amplify_jobs, repository, tokens
):
    client = amplify()
    app = client.create_app(name="shop", repository=repository, **tokens)["app"]
    assert app["repository"] == repository
    stored = client.get_app(appId=app["appId"])["app"]
    assert not {"accessToken", "oauthToken"} & (set(app) | set(stored))
    assert client.list_apps()["apps"][0]["repository"] == repository


def test_connecting_a_repository_on_update_needs_a_token_and_a_refusal_changes_nothing(amplify_jobs):
    client = amplify()
    app_id = client.create_app(name="shop", description="old")["app"]["appId"]
    before = client.get_app(appId=app_id)["app"]

    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        client.update_app(appId=app_id, repository="https://github.com/acme/shop", description="new")
    assert error(excinfo) == ("BadRequestException", 400, TOKEN_MESSAGE)
    assert client.get_app(appId=app_id)["app"] == before

    client.update_app(appId=app_id, description="new")  # no repository named, no token needed
    updated = client.update_app(
        appId=app_id, repository="https://github.com/acme/shop", accessToken="t"
    )["app"]
    assert (updated["repository"], updated["description"]) == ("https://github.com/acme/shop", "new")
    assert "accessToken" not in updated
