"""Domain associations through boto3: status from the clock (freezegun and time-machine),
subdomains and DNS records, certificates, scripted outcomes, AWS's rules and quotas."""

from __future__ import annotations

import re

import pytest

from amplify_mock import DomainDurations, DomainOutcome
from tests.clocks import clock_fixture  # noqa: F401  (provides the ``clock`` fixture)
from tests.helpers import amplify, error
from tests.robust_support import state_bytes

APEX_AND_WWW = [{"prefix": "", "branchName": "main"}, {"prefix": "www", "branchName": "main"}]
CUSTOM_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
# Default phases: creating 30 s, requesting certificate 60 s, verification 300 s, deployment 300 s.
CREATED, VERIFYING, DEPLOYING, AVAILABLE_AT = 30, 90, 390, 690


@pytest.fixture
def client(amplify_jobs, clock):
    return amplify()


@pytest.fixture
def app_id(client):
    app_id = client.create_app(name="shop")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    client.create_branch(appId=app_id, branchName="dev")
    return app_id


def create(client, app_id, domain="example.com", settings=APEX_AND_WWW, **kwargs):
    return client.create_domain_association(
        appId=app_id, domainName=domain, subDomainSettings=settings, **kwargs
    )["domainAssociation"]


def get(client, app_id, domain="example.com"):
    return client.get_domain_association(appId=app_id, domainName=domain)["domainAssociation"]


def test_create_answers_creating_with_pending_dns_records(client, app_id):
    association = create(client, app_id)
    assert association["domainAssociationArn"] == (
        f"arn:aws:amplify:us-east-1:123456789012:apps/{app_id}/domains/example.com"
    )
    assert association["domainStatus"] == "CREATING"
    assert association["statusReason"] == ""
    assert association["enableAutoSubDomain"] is False
    assert association["certificate"] == {"type": "AMPLIFY_MANAGED"}
    assert "certificateVerificationDNSRecord" not in association
    assert "updateStatus" not in association
    assert [s["dnsRecord"] for s in association["subDomains"]] == [" CNAME <pending>", "www CNAME <pending>"]
    assert [s["verified"] for s in association["subDomains"]] == [False, False]
    assert [s["subDomainSetting"] for s in association["subDomains"]] == APEX_AND_WWW


def test_status_follows_the_clock_to_available(client, app_id, clock):
    create(client, app_id)
    seen = []
    for _ in range(0, AVAILABLE_AT + 60, 30):
        association = get(client, app_id)
        if not seen or seen[-1] != association["domainStatus"]:
            seen.append(association["domainStatus"])
        clock.advance(30)
    assert seen == [
        "CREATING",
        "REQUESTING_CERTIFICATE",
        "PENDING_VERIFICATION",
        "PENDING_DEPLOYMENT",
        "AVAILABLE",
    ]


def test_phases_change_at_their_durations(client, app_id, clock):
    create(client, app_id)
    for at, status in [
        (CREATED - 1, "CREATING"),
        (CREATED, "REQUESTING_CERTIFICATE"),
        (VERIFYING, "PENDING_VERIFICATION"),
        (DEPLOYING, "PENDING_DEPLOYMENT"),
        (AVAILABLE_AT - 1, "PENDING_DEPLOYMENT"),
        (AVAILABLE_AT, "AVAILABLE"),
        (AVAILABLE_AT + 86400, "AVAILABLE"),
    ]:
        clock.move_to(1714564800 + at)  # tests.clocks.START
        assert get(client, app_id)["domainStatus"] == status, at


def test_records_appear_as_aws_issues_them(client, app_id, clock):
    create(client, app_id)
    clock.advance(CREATED)
    association = get(client, app_id)
    record = association["certificateVerificationDNSRecord"]
    assert re.fullmatch(
        r"_[0-9a-f]{32}\.example\.com\. CNAME _[0-9a-f]{32}\.[a-z]{10}\.acm-validations\.aws\.", record
    )
    assert association["certificate"] == {
        "type": "AMPLIFY_MANAGED",
        "certificateVerificationDNSRecord": record,
    }
    targets = {s["dnsRecord"].split(" CNAME ")[1] for s in association["subDomains"]}
    assert len(targets) == 1 and re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", targets.pop())
    assert association["subDomains"][0]["dnsRecord"].startswith(" CNAME d")  # the apex: empty prefix
    assert [s["verified"] for s in association["subDomains"]] == [False, False]
    clock.advance(DEPLOYING - CREATED)
    assert [s["verified"] for s in get(client, app_id)["subDomains"]] == [True, True]
    assert get(client, app_id)["certificateVerificationDNSRecord"] == record


def test_custom_certificate_imports_and_waits_for_cnames(client, app_id, clock):
    association = create(
        client, app_id, certificateSettings={"type": "CUSTOM", "customCertificateArn": CUSTOM_ARN}
    )
    assert association["certificate"] == {"type": "CUSTOM", "customCertificateArn": CUSTOM_ARN}
    statuses = []
    for _ in range(4):
        clock.advance(CREATED if not statuses else 300)
        statuses.append(get(client, app_id)["domainStatus"])
    assert statuses == [
        "IMPORTING_CUSTOM_CERTIFICATE",
        "AWAITING_APP_CNAME",
        "PENDING_DEPLOYMENT",
        "AVAILABLE",
    ]
    assert "certificateVerificationDNSRecord" not in get(client, app_id)


def test_auto_subdomain_settings_are_stored_and_reported(client, app_id):
    role = "arn:aws:iam::123456789012:role/amplify-subdomains"
    association = create(
        client,
        app_id,
        enableAutoSubDomain=True,
        autoSubDomainCreationPatterns=["feature/*", "dev"],
        autoSubDomainIAMRole=role,
    )
    assert association["enableAutoSubDomain"] is True
    assert association["autoSubDomainCreationPatterns"] == ["feature/*", "dev"]
    assert association["autoSubDomainIAMRole"] == role
    assert get(client, app_id)["autoSubDomainCreationPatterns"] == ["feature/*", "dev"]


def test_update_runs_update_status_to_update_complete(client, app_id, clock):
    create(client, app_id)
    clock.advance(AVAILABLE_AT)
    updated = client.update_domain_association(
        appId=app_id,
        domainName="example.com",
        subDomainSettings=APEX_AND_WWW + [{"prefix": "dev", "branchName": "dev"}],
    )["domainAssociation"]
    assert (updated["domainStatus"], updated["updateStatus"]) == ("UPDATING", "PENDING_DEPLOYMENT")
    assert [s["subDomainSetting"]["prefix"] for s in updated["subDomains"]] == ["", "www", "dev"]
    assert all(s["verified"] for s in updated["subDomains"])
    clock.advance(300)
    after = get(client, app_id)
    assert (after["domainStatus"], after["updateStatus"]) == ("AVAILABLE", "UPDATE_COMPLETE")


def test_update_to_a_custom_certificate_imports_it(client, app_id, clock):
    create(client, app_id)
    clock.advance(AVAILABLE_AT)
    updated = client.update_domain_association(
        appId=app_id,
        domainName="example.com",
        certificateSettings={"type": "CUSTOM", "customCertificateArn": CUSTOM_ARN},
    )["domainAssociation"]
    assert updated["updateStatus"] == "IMPORTING_CUSTOM_CERTIFICATE"
    assert updated["certificate"] == {"type": "CUSTOM", "customCertificateArn": CUSTOM_ARN}
    clock.advance(60)
    assert get(client, app_id)["updateStatus"] == "PENDING_DEPLOYMENT"
    clock.advance(300)
    assert get(client, app_id)["updateStatus"] == "UPDATE_COMPLETE"


def test_update_back_to_managed_certificate_is_verified_again(client, app_id, clock):
    create(client, app_id, certificateSettings={"type": "CUSTOM", "customCertificateArn": CUSTOM_ARN})
    clock.advance(AVAILABLE_AT)
    assert get(client, app_id)["domainStatus"] == "AVAILABLE"
    updated = client.update_domain_association(
        appId=app_id, domainName="example.com", certificateSettings={"type": "AMPLIFY_MANAGED"}
    )["domainAssociation"]
    assert updated["updateStatus"] == "REQUESTING_CERTIFICATE"
    assert updated["certificateVerificationDNSRecord"].endswith(".acm-validations.aws.")
    clock.advance(60)
    assert get(client, app_id)["updateStatus"] == "PENDING_VERIFICATION"


def test_update_while_still_being_created_starts_over(client, app_id, clock):
    create(client, app_id)
    clock.advance(VERIFYING + 10)
    updated = client.update_domain_association(
        appId=app_id, domainName="example.com", enableAutoSubDomain=True
    )
    assert updated["domainAssociation"]["domainStatus"] == "CREATING"
    assert "updateStatus" not in updated["domainAssociation"]
    clock.advance(AVAILABLE_AT)
    assert get(client, app_id)["domainStatus"] == "AVAILABLE"


def test_never_verifying_domain_stays_pending_verification(client, app_id, clock, amplify_jobs):
    amplify_jobs.domain_never_verifies(app_id, "example.com")
    create(client, app_id)
    clock.advance(30 * 86400)
    association = get(client, app_id)
    assert association["domainStatus"] == "PENDING_VERIFICATION"
    assert [s["verified"] for s in association["subDomains"]] == [False, False]
    # The script was for that creation only: recreated, the domain becomes available.
    client.delete_domain_association(appId=app_id, domainName="example.com")
    create(client, app_id)
    clock.advance(AVAILABLE_AT)
    assert get(client, app_id)["domainStatus"] == "AVAILABLE"


def test_failing_domain_is_failed_with_its_reason(client, app_id, clock, amplify_jobs):
    amplify_jobs.fail_domain(app_id, "example.com")
    create(client, app_id)
    clock.advance(DEPLOYING - 1)
    assert get(client, app_id)["domainStatus"] == "PENDING_VERIFICATION"
    clock.advance(1)
    association = get(client, app_id)
    assert association["domainStatus"] == "FAILED"
    assert association["statusReason"] == (
        "One or more of the CNAMEs you provided are already associated with a different resource."
    )
    # UpdateDomainAssociation retries a failed domain from the start.
    retried = client.update_domain_association(
        appId=app_id, domainName="example.com", enableAutoSubDomain=False
    )
    assert (retried["domainAssociation"]["domainStatus"], retried["domainAssociation"]["statusReason"]) == (
        "CREATING",
        "",
    )


def test_failed_update_reports_update_failed(client, app_id, clock, amplify_jobs):
    create(client, app_id)
    clock.advance(AVAILABLE_AT)
    amplify_jobs.script_domain(app_id, "EXAMPLE.com", DomainOutcome.fail("Certificate import failed."))
    client.update_domain_association(
        appId=app_id,
        domainName="example.com",
        certificateSettings={"type": "CUSTOM", "customCertificateArn": CUSTOM_ARN},
    )
    clock.advance(360)
    association = get(client, app_id)
    assert (association["domainStatus"], association["updateStatus"]) == ("FAILED", "UPDATE_FAILED")
    assert association["statusReason"] == "Certificate import failed."


def test_domain_durations_are_configurable(client, app_id, clock, amplify_jobs):
    amplify_jobs.domain_durations = DomainDurations.zero()
    assert create(client, app_id)["domainStatus"] == "AVAILABLE"
    amplify_jobs.domain_durations = DomainDurations(creating=5, requesting_certificate=5)
    create(client, app_id, domain="example.org")
    clock.advance(10)
    assert get(client, app_id, "example.org")["domainStatus"] == "PENDING_VERIFICATION"


def test_list_pages_in_creation_order_and_delete_returns_the_association(client, app_id, amplify_jobs):
    names = [f"site{i}.com" for i in range(5)]
    for name in names:
        create(client, app_id, domain=name)
    first = client.list_domain_associations(appId=app_id, maxResults=2)
    second = client.list_domain_associations(appId=app_id, maxResults=2, nextToken=first["nextToken"])
    third = client.list_domain_associations(appId=app_id, maxResults=2, nextToken=second["nextToken"])
    listed = [a["domainName"] for page in (first, second, third) for a in page["domainAssociations"]]
    assert listed == names and "nextToken" not in third
    deleted = client.delete_domain_association(appId=app_id, domainName="site1.com")["domainAssociation"]
    assert deleted["domainName"] == "site1.com"
    assert [a["domainName"] for a in client.list_domain_associations(appId=app_id)["domainAssociations"]] == [
        "site0.com",
        "site2.com",
        "site3.com",
        "site4.com",
    ]


def test_deleting_the_app_deletes_its_domains(client, app_id):
    create(client, app_id)
    client.delete_app(appId=app_id)
    other = client.create_app(name="other")["app"]["appId"]
    client.create_branch(appId=other, branchName="main")
    assert create(client, other)["domainName"] == "example.com"  # free again


# AWS's rules: each refusal is AWS-shaped and changes nothing.


def refused(client, call, **kwargs):
    before = state_bytes()
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        call(**kwargs)
    assert state_bytes() == before
    return error(excinfo)


def test_missing_domain_is_not_found_naming_it(client, app_id):
    for call in (
        client.get_domain_association,
        client.delete_domain_association,
        client.update_domain_association,
    ):
        code, status, message = refused(client, call, appId=app_id, domainName="nowhere.com")
        assert (code, status) == ("NotFoundException", 404)
        assert "nowhere.com" in message


def test_missing_app_is_not_found(client):
    code, status, message = refused(
        client,
        client.create_domain_association,
        appId="d0000000000000",
        domainName="example.com",
        subDomainSettings=APEX_AND_WWW,
    )
    assert (code, status) == ("NotFoundException", 404) and "d0000000000000" in message
    code, _, _ = refused(client, client.list_domain_associations, appId="d0000000000000")
    assert code == "NotFoundException"


def test_one_association_per_domain(client, app_id):
    create(client, app_id)
    other = client.create_app(name="other")["app"]["appId"]
    client.create_branch(appId=other, branchName="main")
    for target in (app_id, other):
        code, status, message = refused(
            client,
            client.create_domain_association,
            appId=target,
            domainName="Example.com",
            subDomainSettings=APEX_AND_WWW,
        )
        assert (code, status) == ("BadRequestException", 400)
        assert message == (
            "One or more domains requested are already associated with another Amplify app: "
            "Example.com, www.Example.com"
        )


def test_subdomain_naming_a_missing_branch_is_refused(client, app_id, clock):
    code, status, message = refused(
        client,
        client.create_domain_association,
        appId=app_id,
        domainName="example.com",
        subDomainSettings=[{"prefix": "x", "branchName": "gone"}],
    )
    assert (code, status, message) == (
        "BadRequestException",
        400,
        "A subdomain cannot point to a non-existent branch",
    )
    create(client, app_id)
    code, _, message = refused(
        client,
        client.update_domain_association,
        appId=app_id,
        domainName="example.com",
        subDomainSettings=[{"prefix": "x", "branchName": "gone"}],
    )
    assert message == "A subdomain cannot point to a non-existent branch"


def test_no_subdomains_and_duplicate_prefixes_are_refused(client, app_id):
    _, _, message = refused(
        client, client.create_domain_association, appId=app_id, domainName="example.com", subDomainSettings=[]
    )
    assert message == "The domain doesn't contain any subdomains"
    _, _, message = refused(
        client,
        client.create_domain_association,
        appId=app_id,
        domainName="example.com",
        subDomainSettings=[{"prefix": "www", "branchName": "main"}, {"prefix": "www", "branchName": "dev"}],
    )
    assert "'www'" in message


def test_certificate_settings_must_agree(client, app_id):
    for settings in ({"type": "CUSTOM"}, {"type": "AMPLIFY_MANAGED", "customCertificateArn": CUSTOM_ARN}):
        code, _, message = refused(
            client,
            client.create_domain_association,
            appId=app_id,
            domainName="example.com",
            subDomainSettings=APEX_AND_WWW,
            certificateSettings=settings,
        )
        assert code == "BadRequestException" and "customCertificateArn" in message


def test_domains_per_app_quota(client, app_id, amplify_jobs):
    for i in range(5):
        create(client, app_id, domain=f"site{i}.com")
    code, status, message = refused(
        client,
        client.create_domain_association,
        appId=app_id,
        domainName="site5.com",
        subDomainSettings=APEX_AND_WWW,
    )
    assert (code, status) == ("LimitExceededException", 429)
    assert message.startswith("You have reached the maximum number of custom domains in this app")
    amplify_jobs.max_domains_per_app = 6
    create(client, app_id, domain="site5.com")


def test_subdomains_per_domain_quota(client, app_id, amplify_jobs):
    many = [{"prefix": f"s{i}", "branchName": "main"} for i in range(51)]
    code, status, message = refused(
        client,
        client.create_domain_association,
        appId=app_id,
        domainName="example.com",
        subDomainSettings=many,
    )
    assert (code, status, message) == (
        "BadRequestException",
        400,
        "Too many sub domains requested, the maximum allowed in your account is 50",
    )
    create(client, app_id, settings=many[:50])
    amplify_jobs.max_subdomains_per_domain = 2
    _, _, message = refused(
        client,
        client.update_domain_association,
        appId=app_id,
        domainName="example.com",
        subDomainSettings=many[:3],
    )
    assert message.endswith("is 2")


def test_controller_settings_refuse_bad_values(amplify_jobs):
    with pytest.raises(ValueError):
        amplify_jobs.max_domains_per_app = 0
    with pytest.raises(TypeError):
        amplify_jobs.domain_durations = {"creating": 1}
    with pytest.raises(ValueError):
        DomainDurations(creating=-1)
    with pytest.raises(ValueError):
        DomainOutcome("FAIL")
    with pytest.raises(TypeError):
        amplify_jobs.script_domain("d1", "example.com", "FAIL")


def test_scripting_a_missing_app_is_not_found(amplify_jobs):
    with pytest.raises(Exception) as excinfo:
        amplify_jobs.domain_never_verifies("d0000000000000", "example.com")
    assert type(excinfo.value).__name__ == "NotFoundException"


def test_settings_start_fresh_with_each_mock(amplify_jobs):
    from amplify_mock import mock_amplify_jobs

    amplify_jobs.max_domains_per_app = 9
    amplify_jobs.domain_durations = DomainDurations.zero()
    with mock_amplify_jobs() as inner:  # nested: still the same settings
        assert inner.max_domains_per_app == 9
    amplify_jobs.reset()
    assert amplify_jobs.max_domains_per_app == 5
    assert amplify_jobs.domain_durations == DomainDurations()


def test_domains_are_kept_per_region_and_account(client, app_id, monkeypatch):
    create(client, app_id)
    west = amplify("eu-west-1")
    west_app = west.create_app(name="shop")["app"]["appId"]
    assert west.list_domain_associations(appId=west_app)["domainAssociations"] == []
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
    with pytest.raises(client.exceptions.NotFoundException):
        amplify().get_domain_association(appId=app_id, domainName="example.com")


def test_served_and_reset_by_motos_mock_aws():
    from moto import mock_aws

    with mock_aws():
        moto_client = amplify()
        app_id = moto_client.create_app(name="shop")["app"]["appId"]
        moto_client.create_branch(appId=app_id, branchName="main")
        create(moto_client, app_id)
        moto_client.create_backend_environment(appId=app_id, environmentName="prod")
        assert get(moto_client, app_id)["domainStatus"] == "CREATING"
    with mock_aws():
        moto_client = amplify()
        assert moto_client.list_apps()["apps"] == []
        with pytest.raises(moto_client.exceptions.NotFoundException):
            moto_client.list_domain_associations(appId=app_id)
