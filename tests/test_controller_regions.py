"""The controller and the server's control endpoints find an app in the region that holds it
when no region is named: a test whose client works in eu-central-1 steers its jobs without
saying eu-central-1 again. A region named is used as given. The controller finds the account
the same way: an app made by a client of an assumed role is steered without naming the role's
account."""

from __future__ import annotations

from typing import Any, Iterator, Tuple

import boto3
import pytest
from moto import mock_aws

from amplify_mock import AmplifyJobs, Durations, Outcome, amplify_backends, mock_amplify_jobs
from amplify_mock._control_input import located
from tests.helpers import amplify
from tests.server_support import Served, server_fixture  # noqa: F401

REPO = "https://github.com/acme/shop"
REGION = "eu-central-1"


@pytest.fixture(name="mock")
def mock_fixture() -> Iterator[AmplifyJobs]:
    with mock_amplify_jobs() as mock:
        mock.durations = Durations.zero()
        yield mock


def _app(region: str = REGION, repository: bool = True) -> Tuple[Any, str]:
    client = amplify(region)
    settings = {"repository": REPO, "accessToken": "token"} if repository else {}
    app_id = client.create_app(name="shop", **settings)["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    return client, app_id


def _status(client: Any, app_id: str, job_id: str) -> str:
    return str(client.get_job(appId=app_id, branchName="main", jobId=job_id)["job"]["summary"]["status"])


def test_fail_next_finds_the_apps_region(mock: AmplifyJobs) -> None:
    client, app_id = _app()
    mock.fail_next(app_id, "main", "BUILD", "npm ci exited with code 1")
    job_id = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]["jobId"]
    assert _status(client, app_id, job_id) == "FAILED"
    assert mock.backend(REGION).get_branch(app_id, "main").jobs.outcomes == []


def test_every_method_that_takes_an_app_finds_its_region(mock: AmplifyJobs) -> None:
    client, app_id = _app()
    mock.script(app_id, "main", Outcome.never_finish())
    mock.succeed_next(app_id, "main")
    mock.never_finish_next(app_id, "main")
    assert len(mock.backend(REGION).get_branch(app_id, "main").jobs.outcomes) == 3
    assert mock.branch_durations(app_id, "main", Durations.zero()) == Durations.zero()
    job_id = mock.push(app_id, "main", "c0ffee")
    assert job_id == "1"
    summary = client.get_job(appId=app_id, branchName="main", jobId="1")["job"]["summary"]
    assert summary["commitId"] == "c0ffee"
    client.stop_job(appId=app_id, branchName="main", jobId="1")

    manual, manual_id = _app(repository=False)
    created = manual.create_deployment(appId=manual_id, branchName="main")
    assert mock.deployment(manual_id, "main", created["jobId"]).zip is None

    client.create_domain_association(
        appId=app_id, domainName="example.com", subDomainSettings=[{"prefix": "www", "branchName": "main"}]
    )
    mock.fail_domain(app_id, "example.com", "CNAME not found")
    mock.domain_never_verifies(app_id, "example.com")
    row = mock.add_access_log(app_id, "example.com", {"sc-status": 404})
    assert row["sc-status"] == "404"


def test_an_app_in_no_region_is_not_found_as_before(mock: AmplifyJobs) -> None:
    _app()
    with pytest.raises(Exception, match="App dnosuchapp not found"):
        mock.fail_next("dnosuchapp", "main")


def test_a_region_named_is_used_even_if_the_app_is_elsewhere(mock: AmplifyJobs) -> None:
    _, app_id = _app()
    with pytest.raises(Exception, match=f"App {app_id} not found"):
        mock.fail_next(app_id, "main", region="us-east-1")
    assert mock.backend(REGION).get_branch(app_id, "main").jobs.outcomes == []


ROLE_ACCOUNT = "999988887777"


def _role_client(region: str = REGION) -> Any:
    """An Amplify client of a role assumed in another account, through moto's STS."""
    role = f"arn:aws:iam::{ROLE_ACCOUNT}:role/deployer"
    credentials = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=role, RoleSessionName="deploy"
    )["Credentials"]
    return boto3.client(
        "amplify",
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def test_the_controller_finds_the_account_of_an_assumed_role() -> None:
    with mock_aws(), mock_amplify_jobs() as mock:
        mock.durations = Durations.zero()
        client = _role_client()
        app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        mock.fail_next(app_id, "main", "BUILD", "npm ci exited with code 1")
        job_id = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]["jobId"]
        assert _status(client, app_id, job_id) == "FAILED"
        assert mock.push(app_id, "main", "c0ffee") == "2"
        pushed = client.get_job(appId=app_id, branchName="main", jobId="2")["job"]["summary"]
        assert pushed["commitId"] == "c0ffee"
        # Nothing was scripted in the default account's backends.
        assert mock.backend(REGION).apps == {}


def test_an_account_named_is_used_even_if_the_app_is_elsewhere() -> None:
    with mock_aws(), mock_amplify_jobs() as mock:
        app_id = _role_client().create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
        with pytest.raises(Exception, match=f"App {app_id} not found"):
            mock.fail_next(app_id, "main", account_id="123456789012")


def test_the_default_account_wins_when_it_has_the_app_too(mock: AmplifyJobs) -> None:
    _, app_id = _app()
    assert located(app_id, None, None) == (REGION, "123456789012")
    # The same id in another account too (ids are random, so only by hand): still the default's.
    amplify_backends[ROLE_ACCOUNT][REGION].apps[app_id] = mock.backend(REGION).apps[app_id]
    assert located(app_id, None, None) == (REGION, "123456789012")
    del mock.backend(REGION).apps[app_id]
    assert located(app_id, None, None) == (REGION, ROLE_ACCOUNT)


def test_looking_for_the_app_makes_no_backend(mock: AmplifyJobs) -> None:
    _, app_id = _app()
    mock.fail_next(app_id, "main")
    assert sorted(dict.keys(amplify_backends[mock.backend(REGION).account_id])) == [REGION]


def test_the_servers_control_endpoints_find_the_apps_region(server: Served) -> None:
    client = server.client(REGION)
    app_id = server.app_with_branch(client)
    where = {"appId": app_id, "branchName": "main"}
    outcomes = [{"kind": "FAIL", "step": "BUILD", "reason": "no"}]
    scripted = server.control("POST", "script", json={**where, "outcomes": outcomes})
    assert scripted.status_code == 200, scripted.text
    assert server.control("GET", "script", params=where).json() == {"outcomes": outcomes}
    named = server.control("GET", "script", params={**where, "region": "us-east-1"})
    assert named.status_code == 404
    assert f"App {app_id} not found" in named.text


@pytest.mark.parametrize(
    "call",
    [
        lambda mock, app_id: mock.fail_next(app_id, "main", region="xx-nowhere-1"),
        lambda mock, app_id: mock.script(app_id, "main", Outcome.succeed(), region="xx-nowhere-1"),
        lambda mock, app_id: mock.deployment(app_id, "main", "1", region="xx-nowhere-1"),
        lambda mock, app_id: mock.push(app_id, "main", region="xx-nowhere-1"),
        lambda mock, app_id: mock.script_domain(app_id, "example.com", region="xx-nowhere-1"),
        lambda mock, app_id: mock.add_access_log(app_id, "example.com", region="xx-nowhere-1"),
        lambda mock, app_id: mock.backend("xx-nowhere-1"),
        lambda mock, app_id: mock.backend("af-south-1"),
    ],
)
def test_a_region_amplify_does_not_serve_is_a_value_error(mock: AmplifyJobs, call: Any) -> None:
    _, app_id = _app()
    with pytest.raises(ValueError, match="Amplify is not available in region '(xx-nowhere|af-south)-1'"):
        call(mock, app_id)
