"""Access logs in server mode: rows added through /_amplify_mock/access-logs, GenerateAccessLogs
through boto3 and the AWS CLI, and its logUrl served by the server itself; automatic subdomains
for a branch a push creates."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.server_support import Served, server_fixture  # noqa: F401
from tests.test_server_cli import aws

APEX = [{"prefix": "", "branchName": "main"}]


def app_with_domain(server: Served, client: Any) -> str:
    app_id = server.app_with_branch(client)
    client.create_domain_association(appId=app_id, domainName="example.com", subDomainSettings=APEX)
    return app_id


def csv_lines(server: Served, url: str) -> list:
    response = server.http.get(url, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/csv"
    lines = response.text.splitlines()
    assert lines[0].startswith("date,time,x-edge-location,sc-bytes,c-ip,cs-method,cs\\(Host\\),")
    return lines[1:]


def test_rows_added_through_the_endpoint_are_in_the_served_csv(server: Served) -> None:
    client = server.client()
    app_id = app_with_domain(server, client)
    now = server.control("GET", "clock").json()["now"]
    added = server.control(
        "POST", "access-logs",
        json={
            "appId": app_id, "domainName": "example.com", "fields": {"cs-uri-stem": "/shop"}, "at": now - 60
        },
    )
    assert added.status_code == 200, added.text
    row = added.json()["row"]
    assert row["cs-uri-stem"] == "/shop" and row["x-host-header"] == "example.com"
    server.control("POST", "access-logs", json={"appId": app_id, "domainName": "example.com"})
    listed = server.control("GET", "access-logs", params={"appId": app_id, "domainName": "example.com"})
    assert [r["cs-uri-stem"] for r in listed.json()["rows"]] == ["/shop", "/"]

    url = client.generate_access_logs(appId=app_id, domainName="example.com")["logUrl"]
    assert url.startswith(server.url + "/_amplify_mock/accesslogs/")
    lines = csv_lines(server, url)
    assert [line.split(",")[7] for line in lines] == ["/shop", "/"]
    assert lines[0].split(",") == list(row.values())


def test_the_log_url_expires_with_the_server_clock(server: Served) -> None:
    client = server.client()
    app_id = app_with_domain(server, client)
    url = client.generate_access_logs(appId=app_id, domainName="example.com")["logUrl"]
    assert csv_lines(server, url) == []
    server.advance(10801)
    response = server.http.get(url, timeout=10)
    assert response.status_code == 403 and "Request has expired" in response.text


def test_errors_through_the_server(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    with pytest.raises(client.exceptions.NotFoundException) as excinfo:
        client.generate_access_logs(appId=app_id, domainName="example.com")
    assert excinfo.value.response["Error"]["Message"] == (
        f"Domain association example.com not found for app {app_id}."
    )
    refused = server.control("POST", "access-logs", json={"appId": app_id, "domainName": "example.com"})
    assert refused.status_code == 404
    client.create_domain_association(appId=app_id, domainName="example.com", subDomainSettings=APEX)
    for body in (
        {"appId": app_id, "domainName": "example.com", "fields": {"nope": 1}},
        {"appId": app_id, "domainName": "example.com", "fields": ["cs-uri-stem"]},
        {"appId": app_id, "domainName": "example.com", "at": "yesterday"},
        {"appId": app_id, "domainName": "example.com", "surprise": 1},
        {"domainName": "example.com"},
        {"appId": app_id, "domainName": "example.com", "region": "mars-1"},
    ):
        response = server.control("POST", "access-logs", json=body)
        assert response.status_code == 400, body
        assert response.json()["message"]
    listed = server.control("GET", "access-logs", params={"appId": app_id, "domainName": "example.com"})
    assert listed.json() == {"rows": []}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_aws_cli_generate_access_logs(server: Served) -> None:
    client = server.client()
    app_id = app_with_domain(server, client)
    server.control("POST", "access-logs", json={"appId": app_id, "domainName": "example.com"})
    generated = aws(
        server.url, "generate-access-logs", "--app-id", app_id, "--domain-name", "example.com",
        "--start-time", "2000-01-01T00:00:00Z", "--end-time", "2000-01-14T00:00:00Z",
    )
    assert csv_lines(server, generated["logUrl"]) == []  # the row is now, outside that window
    generated = aws(server.url, "generate-access-logs", "--app-id", app_id, "--domain-name", "example.com")
    assert len(csv_lines(server, generated["logUrl"])) == 1


def test_a_pushed_branch_gets_an_automatic_subdomain(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    client.update_app(appId=app_id, enableAutoBranchCreation=True, autoBranchCreationPatterns=["feature/*"])
    client.create_domain_association(
        appId=app_id, domainName="example.com", subDomainSettings=APEX, enableAutoSubDomain=True
    )
    pushed = server.control("POST", "push", json={"appId": app_id, "branchName": "feature/x"})
    assert pushed.json()["branchCreated"] is True
    association = client.get_domain_association(appId=app_id, domainName="example.com")["domainAssociation"]
    setting = association["subDomains"][-1]["subDomainSetting"]
    assert setting == {"prefix": "feature-x", "branchName": "feature/x"}
