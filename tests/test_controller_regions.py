"""The controller and the server's control endpoints find an app in the region that holds it
when no region is named: a test whose client works in eu-central-1 steers its jobs without
saying eu-central-1 again. A region named is used as given."""

from __future__ import annotations

from typing import Any, Iterator, Tuple

import pytest

from amplify_mock import AmplifyJobs, Durations, Outcome, amplify_backends, mock_amplify_jobs
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
    ],
)
def test_a_region_amplify_does_not_serve_is_a_value_error(mock: AmplifyJobs, call: Any) -> None:
    _, app_id = _app()
    with pytest.raises(ValueError, match="Amplify is not available in region 'xx-nowhere-1'"):
        call(mock, app_id)
