import pytest
import requests

from tests.helpers import amplify, error, snapshot


@pytest.fixture
def client(amplify_jobs):
    return amplify()


@pytest.fixture
def app(client):
    return client.create_app(name="shop")["app"]


def test_new_branch_has_no_jobs_yet(client, app):
    branch = client.create_branch(appId=app["appId"], branchName="main")["branch"]
    assert branch["activeJobId"] == "0"
    assert branch["totalNumberOfJobs"] == "0"


def test_new_branch_has_aws_defaults(client, app):
    branch = client.create_branch(appId=app["appId"], branchName="main")["branch"]
    assert branch["branchName"] == "main"
    assert branch["stage"] == "NONE"  # outside botocore's enum, as AWS answers it
    assert branch["displayName"] == "main"
    assert branch["enableAutoBuild"] is True
    assert branch["description"] == "" and branch["framework"] == ""
    assert branch["customDomains"] == [] and branch["environmentVariables"] == {}
    assert branch["createTime"] == branch["updateTime"]


def test_branch_arn_extends_the_app_arn(client, app):
    branch = client.create_branch(appId=app["appId"], branchName="main")["branch"]
    assert branch["branchArn"] == (
        f"arn:aws:amplify:us-east-1:123456789012:apps/{app['appId']}/branches/main"
    )


def test_create_branch_keeps_what_was_given(client, app):
    branch = client.create_branch(
        appId=app["appId"],
        branchName="dev",
        description="preview",
        stage="DEVELOPMENT",
        framework="React",
        enableAutoBuild=False,
        environmentVariables={"API": "dev"},
        displayName="dev-env",
        ttl="10",
        tags={"owner": "me"},
    )["branch"]
    assert (branch["description"], branch["stage"]) == ("preview", "DEVELOPMENT")
    assert branch["framework"] == "React"
    assert branch["enableAutoBuild"] is False
    assert branch["environmentVariables"] == {"API": "dev"}
    assert (branch["displayName"], branch["ttl"]) == ("dev-env", "10")
    assert branch["tags"] == {"owner": "me"}


def test_created_branch_can_be_read_back(client, app):
    created = client.create_branch(appId=app["appId"], branchName="main", stage="BETA")["branch"]
    assert client.get_branch(appId=app["appId"], branchName="main")["branch"] == created


def test_branch_name_with_slash_works_in_every_operation(client, app):
    app_id, name = app["appId"], "feature/login/v2"
    created = client.create_branch(appId=app_id, branchName=name)["branch"]
    assert created["branchArn"] == f"{app['appArn']}/branches/feature/login/v2"
    assert client.get_branch(appId=app_id, branchName=name)["branch"]["branchName"] == name
    assert client.update_branch(appId=app_id, branchName=name, stage="BETA")["branch"]["stage"] == "BETA"
    assert [b["branchName"] for b in client.list_branches(appId=app_id)["branches"]] == [name]
    assert client.delete_branch(appId=app_id, branchName=name)["branch"]["branchName"] == name
    assert client.list_branches(appId=app_id)["branches"] == []


def test_branch_name_slash_is_sent_as_percent_2f(client, app):
    urls = []
    client.meta.events.register(
        "before-call.amplify.GetBranch", lambda params, **_: urls.append(params["url"])
    )
    client.create_branch(appId=app["appId"], branchName="feature/x")
    client.get_branch(appId=app["appId"], branchName="feature/x")
    assert urls[0].endswith(f"/apps/{app['appId']}/branches/feature%2Fx")


def test_percent_2f_path_from_requests_finds_the_branch(client, app):
    client.create_branch(appId=app["appId"], branchName="feature/x")
    url = f"https://amplify.us-east-1.amazonaws.com/apps/{app['appId']}/branches/feature%2Fx"
    reply = requests.get(url, timeout=5)
    assert reply.status_code == 200
    assert reply.json()["branch"]["branchName"] == "feature/x"


def test_branch_and_slash_branch_are_different_branches(client, app):
    client.create_branch(appId=app["appId"], branchName="feature")
    client.create_branch(appId=app["appId"], branchName="feature/x", stage="BETA")
    assert client.get_branch(appId=app["appId"], branchName="feature")["branch"]["stage"] == "NONE"
    assert client.get_branch(appId=app["appId"], branchName="feature/x")["branch"]["stage"] == "BETA"


def test_branch_name_with_spaces_and_unicode_round_trips(client, app):
    name = "fix/caf\u00e9 menu#1?x=y"
    client.create_branch(appId=app["appId"], branchName=name)
    assert client.get_branch(appId=app["appId"], branchName=name)["branch"]["branchName"] == name


def test_duplicate_branch_is_bad_request_and_keeps_the_first(client, app, amplify_jobs):
    client.create_branch(appId=app["appId"], branchName="main", description="first")
    before = snapshot(amplify_jobs.backend())
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        client.create_branch(appId=app["appId"], branchName="main", description="second")
    # AWS's words, as CloudFormation relayed them in aws-amplify/amplify-hosting#2604.
    assert error(excinfo) == (
        "BadRequestException",
        400,
        f"Failed to create branch. The branch main already exists for the app {app['appId']}",
    )
    assert snapshot(amplify_jobs.backend()) == before


def test_same_branch_name_in_two_apps_is_fine(client, app):
    other = client.create_app(name="other")["app"]
    client.create_branch(appId=app["appId"], branchName="main")
    branch = client.create_branch(appId=other["appId"], branchName="main")["branch"]
    assert branch["branchArn"].startswith(other["appArn"])


def test_create_branch_on_unknown_app_is_404_naming_the_app(client):
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.create_branch(appId="dnosuchapp0000", branchName="main")
    assert error(excinfo)[:2] == ("NotFoundException", 404)
    assert "dnosuchapp0000" in error(excinfo)[2]


@pytest.mark.parametrize("operation", ["get_branch", "update_branch", "delete_branch"])
def test_unknown_branch_is_404_in_aws_words(client, app, operation):
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        getattr(client, operation)(appId=app["appId"], branchName="feature/ghost")
    assert error(excinfo) == ("NotFoundException", 404, "Branch feature/ghost not found.")


@pytest.mark.parametrize("operation", ["get_branch", "update_branch", "delete_branch"])
def test_branch_of_unknown_app_is_404_naming_the_app(client, operation):
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        getattr(client, operation)(appId="dnosuchapp0000", branchName="main")
    assert "dnosuchapp0000" in error(excinfo)[2]


def test_update_branch_changes_only_the_given_settings(client, app):
    client.create_branch(appId=app["appId"], branchName="main", description="d", framework="Vue")
    updated = client.update_branch(appId=app["appId"], branchName="main", stage="BETA", enableAutoBuild=False)
    branch = updated["branch"]
    assert (branch["stage"], branch["enableAutoBuild"]) == ("BETA", False)
    assert (branch["description"], branch["framework"]) == ("d", "Vue")
    assert client.get_branch(appId=app["appId"], branchName="main")["branch"] == branch


def test_delete_branch_returns_it_and_it_is_gone(client, app):
    client.create_branch(appId=app["appId"], branchName="main")
    client.create_branch(appId=app["appId"], branchName="dev")
    deleted = client.delete_branch(appId=app["appId"], branchName="main")["branch"]
    assert deleted["branchName"] == "main"
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_branch(appId=app["appId"], branchName="main")
    assert [b["branchName"] for b in client.list_branches(appId=app["appId"])["branches"]] == ["dev"]


def test_deleted_branch_name_can_be_created_again(client, app):
    client.create_branch(appId=app["appId"], branchName="main", stage="BETA")
    client.delete_branch(appId=app["appId"], branchName="main")
    again = client.create_branch(appId=app["appId"], branchName="main")["branch"]
    assert again["stage"] == "NONE"


def test_list_branches_pages_to_the_end_in_creation_order(client, app):
    names = [f"b{i}" for i in range(5)] + ["feature/z"]
    for name in names:
        client.create_branch(appId=app["appId"], branchName=name)
    seen, sizes, kwargs = [], [], {"appId": app["appId"], "maxResults": 4}
    while True:
        page = client.list_branches(**kwargs)
        sizes.append(len(page["branches"]))
        seen += [b["branchName"] for b in page["branches"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert (sizes, seen) == ([4, 2], names)


def test_list_branches_paginator_walks_every_branch(client, app):
    names = [f"b{i}" for i in range(5)]
    for name in names:
        client.create_branch(appId=app["appId"], branchName=name)
    paginator = client.get_paginator("list_branches")
    pages = paginator.paginate(appId=app["appId"], PaginationConfig={"PageSize": 2})
    assert [b["branchName"] for page in pages for b in page["branches"]] == names


@pytest.mark.parametrize("max_results", [None, 0, 50])
def test_list_branches_returns_at_most_50_per_page(client, app, max_results):
    for i in range(51):
        client.create_branch(appId=app["appId"], branchName=f"b{i}")
    kwargs = {"appId": app["appId"]}
    if max_results is not None:
        kwargs["maxResults"] = max_results
    first = client.list_branches(**kwargs)
    assert len(first["branches"]) == 50
    last = client.list_branches(nextToken=first["nextToken"], **kwargs)
    assert [b["branchName"] for b in last["branches"]] == ["b50"] and "nextToken" not in last


def test_list_branches_only_lists_that_apps_branches(client, app):
    other = client.create_app(name="other")["app"]
    client.create_branch(appId=app["appId"], branchName="main")
    client.create_branch(appId=other["appId"], branchName="dev")
    assert [b["branchName"] for b in client.list_branches(appId=other["appId"])["branches"]] == ["dev"]


@pytest.mark.parametrize("token", ["garbage", "YW1wbGlmeS1tb2NrOmFwcHM6MQ=="])
def test_list_branches_with_invalid_next_token_is_bad_request(client, app, token):
    client.create_branch(appId=app["appId"], branchName="main")
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        client.list_branches(appId=app["appId"], nextToken=token)
    assert error(excinfo)[:2] == ("BadRequestException", 400) and "nextToken" in error(excinfo)[2]


def test_failed_branch_calls_change_nothing(client, app, amplify_jobs):
    client.create_branch(appId=app["appId"], branchName="main")
    before = snapshot(amplify_jobs.backend())
    for call in (
        lambda: client.create_branch(appId="dnosuchapp0000", branchName="x"),
        lambda: client.create_branch(appId=app["appId"], branchName="main"),
        lambda: client.get_branch(appId=app["appId"], branchName="ghost"),
        lambda: client.update_branch(appId=app["appId"], branchName="ghost", stage="BETA"),
        lambda: client.delete_branch(appId=app["appId"], branchName="ghost"),
        lambda: client.list_branches(appId=app["appId"], nextToken="garbage"),
    ):
        with pytest.raises(client.exceptions.ClientError):
            call()
    assert snapshot(amplify_jobs.backend()) == before


def test_list_branches_of_unknown_app_is_404_naming_the_app(client):
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.list_branches(appId="dnosuchapp0000")
    assert "dnosuchapp0000" in error(excinfo)[2]


def test_update_branch_with_one_space_key_clears_environment_variables(client, app):
    client.create_branch(appId=app["appId"], branchName="main", environmentVariables={"A": "1"})
    cleared = client.update_branch(appId=app["appId"], branchName="main", environmentVariables={" ": ""})
    assert cleared["branch"]["environmentVariables"] == {}
    assert client.get_branch(appId=app["appId"], branchName="main")["branch"]["environmentVariables"] == {}


@pytest.mark.parametrize("operation", ["create_branch", "update_branch"])
def test_empty_environment_variable_key_on_a_branch_is_refused_and_changes_nothing(
    client, app, amplify_jobs, operation
):
    client.create_branch(appId=app["appId"], branchName="main", environmentVariables={"A": "1"})
    name = "main" if operation == "update_branch" else "other"
    before = snapshot(amplify_jobs.backend())
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        getattr(client, operation)(appId=app["appId"], branchName=name, environmentVariables={"": ""})
    assert error(excinfo) == ("BadRequestException", 400, "Environment variables cannot have an empty key.")
    assert snapshot(amplify_jobs.backend()) == before
