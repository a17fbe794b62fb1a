"""A push to the connected repository (the controller's push(), delete_remote_branch() and the
server's control endpoints): auto builds, auto branch creation by glob, auto branch deletion."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

import pytest
from botocore.exceptions import ClientError

from amplify_mock import AmplifyJobs, Durations, mock_amplify_jobs
from amplify_mock.exceptions import BadRequestException, NotFoundException
from amplify_mock.pushes import matches
from tests.clocks import Clock, clock_fixture  # noqa: F401  (provides ``clock``)
from tests.helpers import amplify, snapshot
from tests.server_support import REPO, server_fixture  # noqa: F401  (provides ``server``)

AUTO = {
    "enableAutoBranchCreation": True,
    "autoBranchCreationPatterns": ["feature/*", "release-*"],
    "autoBranchCreationConfig": {
        "stage": "DEVELOPMENT",
        "framework": "React",
        "enableAutoBuild": True,
        "environmentVariables": {"API": "dev"},
        "enablePullRequestPreview": True,
    },
    "enableBranchAutoDeletion": True,
}


@pytest.fixture(name="mock")
def mock_fixture() -> Iterator[AmplifyJobs]:
    with mock_amplify_jobs() as controller:
        yield controller


def new_app(client: Any, **settings: Any) -> str:
    app_id = str(client.create_app(
        name="shop", repository=REPO, accessToken="token", **settings)["app"]["appId"]
    )
    client.create_branch(appId=app_id, branchName="main")
    return app_id


def jobs(client: Any, app_id: str, branch: str = "main") -> List[Tuple[str, str, str, str, str]]:
    summaries = client.list_jobs(appId=app_id, branchName=branch)["jobSummaries"]
    return [
        (j["jobId"], j["jobType"], j["status"], j["commitId"], j["commitMessage"])
        for j in reversed(summaries)
    ]


# --- A push to a branch Amplify tracks -------------------------------------------------------------


def test_a_push_queues_a_web_hook_build_of_that_commit(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = new_app(client)
    assert mock.push(app_id, "main", "a" * 40, "Fix the cart") == "1"
    assert jobs(client, app_id) == [("1", "WEB_HOOK", "PENDING", "a" * 40, "Fix the cart")]


def test_a_push_without_a_commit_id_gets_a_sha(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = new_app(client)
    mock.push(app_id, "main")
    commit = jobs(client, app_id)[0][3]
    assert len(commit) == 40 and int(commit, 16) >= 0


def test_a_push_to_a_branch_without_auto_build_builds_nothing(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = new_app(client)
    client.update_branch(appId=app_id, branchName="main", enableAutoBuild=False)
    assert mock.push(app_id, "main", "b" * 40) is None
    assert jobs(client, app_id) == []


def test_a_push_queues_behind_the_running_job_and_later_pushes_update_the_pending_one(
    mock: AmplifyJobs, clock: Clock
) -> None:
    client = amplify()
    app_id = new_app(client)
    mock.durations = Durations(pending=2, provisioning=3, build=20, deploy=5, verify=1)
    assert mock.push(app_id, "main", "1" * 40, "one") == "1"
    clock.advance(10)
    assert mock.push(app_id, "main", "2" * 40, "two") == "2"
    # A third push during the build finds job 2 pending and gives it its commit (AWS, amplify-hosting#1617).
    assert mock.push(app_id, "main", "3" * 40, "three") == "2"
    assert jobs(client, app_id) == [
        ("1", "WEB_HOOK", "RUNNING", "1" * 40, "one"),
        ("2", "WEB_HOOK", "PENDING", "3" * 40, "three"),
    ]
    clock.advance(3600)
    assert [j[2] for j in jobs(client, app_id)] == ["SUCCEED", "SUCCEED"]
    assert mock.push(app_id, "main", "4" * 40) == "3"  # nothing pending any more: a new build


def test_a_push_to_an_app_without_a_repository_is_refused(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = client.create_app(name="manual")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    with pytest.raises(BadRequestException, match="not connected to a repository"):
        mock.push(app_id, "main")
    with pytest.raises(NotFoundException, match="App d0000000000000 not found"):
        mock.push("d0000000000000", "main")
    assert jobs(client, app_id) == []


# --- Auto branch creation -------------------------------------------------------------------------


def test_a_push_of_a_new_branch_matching_a_pattern_creates_it_from_the_config_and_builds_it(
    mock: AmplifyJobs,
) -> None:
    client = amplify()
    app_id = new_app(client, **AUTO)
    assert mock.push(app_id, "feature/cart", "c" * 40, "Add the cart") == "1"
    branch = client.get_branch(appId=app_id, branchName="feature/cart")["branch"]
    assert (branch["stage"], branch["framework"], branch["environmentVariables"]) == (
        "DEVELOPMENT", "React", {"API": "dev"},
    )
    assert branch["enablePullRequestPreview"] is True and branch["enableAutoBuild"] is True
    assert branch["displayName"] == "feature-cart"
    assert jobs(client, app_id, "feature/cart") == [("1", "WEB_HOOK", "PENDING", "c" * 40, "Add the cart")]


def test_an_auto_created_branch_without_auto_build_is_created_but_not_built(mock: AmplifyJobs) -> None:
    client = amplify()
    settings = dict(AUTO, autoBranchCreationConfig={"enableAutoBuild": False})
    app_id = new_app(client, **settings)
    assert mock.push(app_id, "release-2", "d" * 40) is None
    assert jobs(client, app_id, "release-2") == []


@pytest.mark.parametrize(
    "settings",
    [
        {},  # auto branch creation off
        dict(AUTO, enableAutoBranchCreation=False),
        AUTO,  # "hotfix/x" matches no pattern
    ],
)
def test_a_push_of_a_branch_amplify_does_not_track_changes_nothing(
    mock: AmplifyJobs, settings: Dict[str, Any]
) -> None:
    client = amplify()
    app_id = new_app(client, **settings)
    before = snapshot(mock.backend())
    assert mock.push(app_id, "hotfix/x", "e" * 40) is None
    assert snapshot(mock.backend()) == before


@pytest.mark.parametrize(
    "name, patterns, expected",
    [
        ("main", ["*"], True),
        ("feature/x", ["*"], False),  # "*" stays within one part: the console adds "*/**"
        ("feature/x", ["*", "*/**"], True),
        ("feature/a/b", ["feature/*"], False),
        ("feature/a/b", ["feature/**"], True),
        ("release-1.2", ["release-*"], True),
        ("release", ["release-*"], False),
        ("dev1", ["dev?"], True),
        ("dev/", ["dev?"], False),
        ("a.b", ["a?b"], True),
        ("axb", ["a.b"], False),  # "." is literal
        ("anything/at/all", [], True),  # no patterns: every branch (the CDK's default)
        ("anything", None, True),
    ],
)
def test_auto_branch_creation_patterns_are_globs_over_the_branch_name(
    name: str, patterns: Any, expected: bool
) -> None:
    assert matches(name, patterns) is expected


# --- Auto branch deletion -------------------------------------------------------------------------


def test_deleting_the_remote_branch_deletes_the_amplify_branch_with_auto_deletion(
    mock: AmplifyJobs, clock: Clock
) -> None:
    client = amplify()
    app_id = new_app(client, **AUTO)
    mock.push(app_id, "feature/cart")
    clock.advance(5)
    assert mock.delete_remote_branch(app_id, "feature/cart") is True
    with pytest.raises(ClientError) as excinfo:
        client.get_branch(appId=app_id, branchName="feature/cart")
    assert excinfo.value.response["Error"]["Code"] == "NotFoundException"
    assert mock.delete_remote_branch(app_id, "feature/cart") is False  # gone already


def test_without_auto_deletion_the_amplify_branch_stays(mock: AmplifyJobs) -> None:
    client = amplify()
    app_id = new_app(client)
    before = snapshot(mock.backend())
    assert mock.delete_remote_branch(app_id, "main") is False
    assert snapshot(mock.backend()) == before
    with pytest.raises(NotFoundException):
        mock.delete_remote_branch("d0000000000000", "main")


# --- In another account or region -------------------------------------------------------------------


def test_push_takes_region_and_account(mock: AmplifyJobs) -> None:
    west = amplify("eu-west-1")
    app_id = new_app(west)
    assert mock.push(app_id, "main", region="eu-west-1") == "1"
    with pytest.raises(NotFoundException):
        mock.push(app_id, "main", region="us-east-1")  # us-east-1 has no such app
    assert mock.push(app_id, "main") == "1"  # without a region: the app's own
    with pytest.raises(NotFoundException):
        mock.push(app_id, "main", region="eu-west-1", account_id="111111111111")
    # Still PENDING, job 1 takes the later push's commit rather than a second build queuing.
    assert mock.push(app_id, "main", "9" * 40, region="eu-west-1", account_id="123456789012") == "1"
    assert jobs(west, app_id)[0][3] == "9" * 40


# --- Server control endpoints ----------------------------------------------------------------------


def test_server_push_and_delete_remote_branch(server: Any) -> None:
    client = server.client()
    app_id = new_app(client, **AUTO)
    pushed = {"appId": app_id, "branchName": "feature/x", "commitId": "f" * 40, "commitMessage": "m"}
    response = server.control("POST", "push", json=pushed)
    assert response.status_code == 200, response.text
    assert response.json() == {"jobId": "1", "branchCreated": True}
    assert jobs(client, app_id, "feature/x") == [("1", "WEB_HOOK", "PENDING", "f" * 40, "m")]
    assert server.control("POST", "push", json={"appId": app_id, "branchName": "main"}).json() == {
        "jobId": "1", "branchCreated": False,
    }
    assert server.control("POST", "push", json={"appId": app_id, "branchName": "other"}).json() == {
        "jobId": None, "branchCreated": False,
    }
    gone = {"appId": app_id, "branchName": "feature/x"}
    deleted = server.control("POST", "delete-remote-branch", json=gone)
    assert deleted.json() == {"branchDeleted": True}
    assert [b["branchName"] for b in client.list_branches(appId=app_id)["branches"]] == ["main"]


@pytest.mark.parametrize(
    "name, body, status",
    [
        ("push", {"branchName": "main"}, 400),
        ("push", {"appId": "APP", "branchName": "main", "commitId": 5}, 400),
        ("push", {"appId": "APP", "branchName": "main", "bogus": 1}, 400),
        ("push", {"appId": "d0000000000000", "branchName": "main"}, 404),
        ("push", {"appId": "APP", "branchName": "main", "region": "xx-nowhere-1"}, 400),
        ("delete-remote-branch", {"appId": "APP"}, 400),
        ("delete-remote-branch", {"appId": "d0000000000000", "branchName": "main"}, 404),
    ],
)
def test_server_push_refuses_bad_input_and_changes_nothing(
    server: Any, name: str, body: Dict[str, Any], status: int
) -> None:
    client = server.client()
    app_id = new_app(client, **AUTO)
    body = {key: (app_id if value == "APP" else value) for key, value in body.items()}
    response = server.control("POST", name, json=body)
    assert response.status_code == status, response.text
    assert "message" in response.json()
    assert jobs(client, app_id) == []
    assert server.control("GET", name).status_code == 405
