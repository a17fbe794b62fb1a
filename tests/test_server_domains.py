"""Domain associations and backend environments in server mode: the API through boto3 aimed at
the server, the clock moved through /_amplify_mock/clock, and the domain control endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server_support import Served, server_fixture  # noqa: F401

SUBDOMAINS = [{"prefix": "", "branchName": "main"}, {"prefix": "www", "branchName": "main"}]


def domain(client: Any, app_id: str, name: str = "example.com") -> Any:
    return client.get_domain_association(appId=app_id, domainName=name)["domainAssociation"]


def test_domain_follows_the_server_clock(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    created = client.create_domain_association(
        appId=app_id, domainName="example.com", subDomainSettings=SUBDOMAINS
    )
    assert created["domainAssociation"]["domainStatus"] == "CREATING"
    server.advance(30)
    assert domain(client, app_id)["domainStatus"] == "REQUESTING_CERTIFICATE"
    server.advance(3600)
    assert domain(client, app_id)["domainStatus"] == "AVAILABLE"
    listed = client.list_domain_associations(appId=app_id)["domainAssociations"]
    assert [a["domainName"] for a in listed] == ["example.com"]
    client.delete_domain_association(appId=app_id, domainName="example.com")
    with pytest.raises(client.exceptions.NotFoundException):
        domain(client, app_id)


def test_backend_environments_through_the_server(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    created = client.create_backend_environment(appId=app_id, environmentName="prod")["backendEnvironment"]
    assert created["backendEnvironmentArn"].endswith(f"apps/{app_id}/backendenvironments/prod")
    assert created["deploymentArtifacts"] == created["stackName"] + "-deployment"
    listed = client.list_backend_environments(appId=app_id, environmentName="prod")["backendEnvironments"]
    assert [e["environmentName"] for e in listed] == ["prod"]
    client.delete_backend_environment(appId=app_id, environmentName="prod")
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.get_backend_environment(appId=app_id, environmentName="prod")
    assert excinfo.value.response["Error"]["Message"] == "BackendEnvironment prod does not exist."


def test_domain_settings_endpoint(server: Served) -> None:
    defaults = server.control("GET", "domain-settings").json()
    assert defaults == {
        "durations": {
            "creating": 30.0,
            "requesting_certificate": 60.0,
            "pending_verification": 300.0,
            "pending_deployment": 300.0,
        },
        "maxDomainsPerApp": 5,
        "maxSubdomainsPerDomain": 50,
    }
    changed = server.control(
        "POST",
        "domain-settings",
        json={"durations": {"creating": 0, "requesting_certificate": 0}, "maxDomainsPerApp": 1},
    ).json()
    assert changed["durations"]["creating"] == 0 and changed["maxDomainsPerApp"] == 1
    client = server.client()
    app_id = server.app_with_branch(client)
    client.create_domain_association(appId=app_id, domainName="example.com", subDomainSettings=SUBDOMAINS)
    assert domain(client, app_id)["domainStatus"] == "PENDING_VERIFICATION"
    with pytest.raises(client.exceptions.LimitExceededException):
        client.create_domain_association(appId=app_id, domainName="example.org", subDomainSettings=SUBDOMAINS)
    server.control("POST", "reset")
    assert server.control("GET", "domain-settings").json() == defaults


def test_domain_script_endpoint(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    outcomes = [{"kind": "FAIL", "reason": "CNAME taken"}, {"kind": "NEVER_VERIFY"}]
    response = server.control(
        "POST", "domain-script", json={"appId": app_id, "domainName": "example.com", "outcomes": outcomes}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"outcomes": outcomes}
    client.create_domain_association(appId=app_id, domainName="example.com", subDomainSettings=SUBDOMAINS)
    assert server.control(
        "GET", "domain-script", params={"appId": app_id, "domainName": "example.com"}
    ).json() == {"outcomes": [{"kind": "NEVER_VERIFY"}]}
    server.advance(3600)
    failed = domain(client, app_id)
    assert (failed["domainStatus"], failed["statusReason"]) == ("FAILED", "CNAME taken")
    client.update_domain_association(appId=app_id, domainName="example.com", enableAutoSubDomain=False)
    server.advance(86400)
    assert domain(client, app_id)["domainStatus"] == "PENDING_VERIFICATION"


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("domain-settings", {"durations": {"creating": -1}}),
        ("domain-settings", {"durations": {"creating": "slow"}}),
        ("domain-settings", {"durations": {"brewing": 1}}),
        ("domain-settings", {"durations": [1]}),
        ("domain-settings", {"durations": {"creating": 1}, "maxDomainsPerApp": 0}),
        ("domain-settings", {"maxSubdomainsPerDomain": True}),
        ("domain-settings", {"surprise": 1}),
        ("domain-script", {"appId": "d1", "domainName": "example.com"}),
        ("domain-script", {"appId": "d1", "domainName": "example.com", "outcomes": [{"kind": "MAYBE"}]}),
        (
            "domain-script",
            {"appId": "d1", "domainName": "example.com", "outcomes": [{"kind": "FAIL", "reason": ""}]},
        ),
        ("domain-script", {"appId": "d1", "domainName": "example.com", "outcomes": ["FAIL"]}),
        ("domain-script", {"domainName": "example.com", "outcomes": []}),
        (
            "domain-script",
            {"appId": "d1", "domainName": "example.com", "outcomes": [], "region": "nowhere-1"},
        ),
    ],
)
def test_bad_domain_control_input_is_400_and_changes_nothing(server: Served, name: str, body: Any) -> None:
    before = server.control("GET", "domain-settings").json()
    response = server.control("POST", name, json=body)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"message"} and response.json()["message"]
    assert server.control("GET", "domain-settings").json() == before


def test_domain_script_for_a_missing_app_is_not_found(server: Served) -> None:
    response = server.control(
        "POST", "domain-script", json={"appId": "d0000000000000", "domainName": "example.com", "outcomes": []}
    )
    assert response.status_code == 404
    assert "d0000000000000" in response.json()["message"]


def test_aws_cli_creates_gets_and_lists_domains_and_environments(server: Served) -> None:
    # The AWS CLI (the awscli package) in a subprocess, against the server in a thread.
    from tests.test_server_cli import aws

    client = server.client()
    app_id = server.app_with_branch(client)
    created = aws(
        server.url,
        "create-domain-association",
        "--app-id",
        app_id,
        "--domain-name",
        "example.com",
        "--sub-domain-settings",
        "prefix=www,branchName=main",
        "prefix=,branchName=main",
    )
    assert created["domainAssociation"]["domainStatus"] == "CREATING"
    assert [s["dnsRecord"] for s in created["domainAssociation"]["subDomains"]] == [
        "www CNAME <pending>",
        " CNAME <pending>",
    ]
    server.advance(3600)
    got = aws(server.url, "get-domain-association", "--app-id", app_id, "--domain-name", "example.com")
    assert got["domainAssociation"]["domainStatus"] == "AVAILABLE"
    listed = aws(server.url, "list-domain-associations", "--app-id", app_id)
    assert [a["domainName"] for a in listed["domainAssociations"]] == ["example.com"]
    env = aws(server.url, "create-backend-environment", "--app-id", app_id, "--environment-name", "prod")
    assert env["backendEnvironment"]["environmentName"] == "prod"
    envs = aws(server.url, "list-backend-environments", "--app-id", app_id, "--environment-name", "prod")
    assert [e["environmentName"] for e in envs["backendEnvironments"]] == ["prod"]
