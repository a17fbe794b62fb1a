"""Automatic subdomains: a domain association with enableAutoSubDomain gets a subdomain for each
branch connected afterwards whose name its autoSubDomainCreationPatterns take (by CreateBranch
or by a push that auto-creates the branch), and loses it when the branch is deleted."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from amplify_mock import AmplifyJobs
from tests.helpers import amplify

REPO = "https://github.com/acme/shop"
APEX = [{"prefix": "", "branchName": "main"}]


@pytest.fixture
def client(amplify_jobs: AmplifyJobs) -> Any:
    return amplify()


@pytest.fixture
def app_id(client: Any) -> str:
    app_id = str(client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"])
    client.create_branch(appId=app_id, branchName="main")
    return app_id


def associate(client: Any, app_id: str, domain: str = "example.com", **kwargs: Any) -> None:
    client.create_domain_association(appId=app_id, domainName=domain, subDomainSettings=APEX, **kwargs)


def settings(client: Any, app_id: str, domain: str = "example.com") -> List[Dict[str, str]]:
    association = client.get_domain_association(appId=app_id, domainName=domain)["domainAssociation"]
    return [s["subDomainSetting"] for s in association["subDomains"]]


def test_a_branch_created_later_gets_a_subdomain_named_after_it(client: Any, app_id: str) -> None:
    associate(client, app_id, enableAutoSubDomain=True)
    client.create_branch(appId=app_id, branchName="dev")
    assert settings(client, app_id) == APEX + [{"prefix": "dev", "branchName": "dev"}]
    association = client.get_domain_association(appId=app_id, domainName="example.com")["domainAssociation"]
    assert association["subDomains"][-1]["dnsRecord"] == "dev CNAME <pending>"


def test_only_branches_the_patterns_take_get_one(client: Any, app_id: str) -> None:
    associate(client, app_id, enableAutoSubDomain=True, autoSubDomainCreationPatterns=["feature/*", "dev"])
    for name in ("feature/login", "feature/a/b", "dev", "release"):
        client.create_branch(appId=app_id, branchName=name)
    # A DNS label holds no "/": the prefix is the branch's displayName.
    assert settings(client, app_id)[1:] == [
        {"prefix": "feature-login", "branchName": "feature/login"},
        {"prefix": "dev", "branchName": "dev"},
    ]


def test_without_auto_subdomains_or_before_association_nothing_is_added(client: Any, app_id: str) -> None:
    client.create_branch(appId=app_id, branchName="early")
    associate(client, app_id, enableAutoSubDomain=True)
    associate(client, app_id, "example.org", autoSubDomainCreationPatterns=["*"])
    assert settings(client, app_id) == APEX  # "early" was connected before: not a new branch
    client.create_branch(appId=app_id, branchName="late")
    assert settings(client, app_id, "example.org") == APEX  # enableAutoSubDomain is off there
    assert settings(client, app_id)[-1] == {"prefix": "late", "branchName": "late"}


def test_a_branch_auto_created_by_a_push_gets_one(
    client: Any, app_id: str, amplify_jobs: AmplifyJobs
) -> None:
    client.update_app(appId=app_id, enableAutoBranchCreation=True, autoBranchCreationPatterns=["feature/*"])
    associate(client, app_id, enableAutoSubDomain=True, autoSubDomainCreationPatterns=["feature/*"])
    amplify_jobs.push(app_id, "feature/pay")
    assert settings(client, app_id)[-1] == {"prefix": "feature-pay", "branchName": "feature/pay"}


def test_deleting_the_branch_deletes_its_automatic_subdomain_only(client: Any, app_id: str) -> None:
    client.create_branch(appId=app_id, branchName="dev")
    client.create_domain_association(
        appId=app_id,
        domainName="example.com",
        subDomainSettings=APEX + [{"prefix": "staging", "branchName": "dev"}],
        enableAutoSubDomain=True,
    )
    client.create_branch(appId=app_id, branchName="qa")
    client.update_branch(appId=app_id, branchName="qa", description="x")
    assert [s["prefix"] for s in settings(client, app_id)] == ["", "staging", "qa"]
    client.delete_branch(appId=app_id, branchName="qa")
    assert [s["prefix"] for s in settings(client, app_id)] == ["", "staging"]
    client.delete_branch(appId=app_id, branchName="dev")
    assert [s["prefix"] for s in settings(client, app_id)] == ["", "staging"]  # given, so kept


def test_a_prefix_in_use_or_a_full_association_is_left_alone(
    client: Any, app_id: str, amplify_jobs: AmplifyJobs
) -> None:
    client.create_domain_association(
        appId=app_id,
        domainName="example.com",
        subDomainSettings=APEX + [{"prefix": "dev", "branchName": "main"}],
        enableAutoSubDomain=True,
    )
    client.create_branch(appId=app_id, branchName="dev")
    assert settings(client, app_id)[-1] == {"prefix": "dev", "branchName": "main"}
    client.delete_branch(appId=app_id, branchName="dev")
    assert len(settings(client, app_id)) == 2  # not made by automatic creation: kept
    amplify_jobs.max_subdomains_per_domain = 2
    client.create_branch(appId=app_id, branchName="qa")
    assert len(settings(client, app_id)) == 2


def test_turning_it_on_with_an_update_takes_later_branches(client: Any, app_id: str) -> None:
    associate(client, app_id)
    client.update_domain_association(
        appId=app_id,
        domainName="example.com",
        enableAutoSubDomain=True,
        autoSubDomainCreationPatterns=["pr*"],
    )
    client.create_branch(appId=app_id, branchName="pr-7")
    client.create_branch(appId=app_id, branchName="dev")
    assert settings(client, app_id)[1:] == [{"prefix": "pr-7", "branchName": "pr-7"}]
    # New subDomainSettings replace the list; what they keep of it stays automatic.
    client.update_domain_association(appId=app_id, domainName="example.com", subDomainSettings=APEX)
    client.delete_branch(appId=app_id, branchName="pr-7")
    assert settings(client, app_id) == APEX
