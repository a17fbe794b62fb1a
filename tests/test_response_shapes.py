"""Every response of the apps/branches/tags operations matches botocore's output shape."""

import pytest

from tests.helpers import amplify
from tests.shapes import assert_matches_output_shape, shape_problems

FULL_APP = {
    "name": "shop",
    "description": "the shop",
    "repository": "https://github.com/acme/shop",
    "platform": "WEB_COMPUTE",
    "iamServiceRoleArn": "arn:aws:iam::123456789012:role/amplify",
    "computeRoleArn": "arn:aws:iam::123456789012:role/compute",
    "accessToken": "token",
    "environmentVariables": {"STAGE": "prod"},
    "enableBranchAutoBuild": True,
    "enableBranchAutoDeletion": True,
    "enableBasicAuth": True,
    "basicAuthCredentials": "dXNlcjpwYXNz",
    "customRules": [{"source": "/<*>", "target": "/index.html", "status": "404-200", "condition": ""}],
    "tags": {"team": "web"},
    "buildSpec": "version: 1",
    "customHeaders": "customHeaders: []",
    "enableAutoBranchCreation": True,
    "autoBranchCreationPatterns": ["feature/*"],
    "autoBranchCreationConfig": {
        "stage": "DEVELOPMENT",
        "framework": "React",
        "enableAutoBuild": True,
        "environmentVariables": {"A": "1"},
        "enableBasicAuth": False,
        "enablePerformanceMode": False,
        "buildSpec": "version: 1",
        "enablePullRequestPreview": True,
        "pullRequestEnvironmentName": "pr",
    },
    "jobConfig": {"buildComputeType": "LARGE_16GB"},
    "cacheConfig": {"type": "AMPLIFY_MANAGED"},
}

FULL_BRANCH = {
    "branchName": "feature/full",
    "description": "everything set",
    "stage": "BETA",
    "framework": "Next.js - SSR",
    "enableNotification": True,
    "enableAutoBuild": False,
    "enableSkewProtection": True,
    "environmentVariables": {"API": "beta"},
    "basicAuthCredentials": "dXNlcjpwYXNz",
    "enableBasicAuth": True,
    "enablePerformanceMode": True,
    "tags": {"env": "beta"},
    "buildSpec": "version: 1",
    "ttl": "30",
    "displayName": "full",
    "enablePullRequestPreview": True,
    "pullRequestEnvironmentName": "pr",
    "backendEnvironmentArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1/backendenvironments/prod",
    "backend": {"stackArn": "arn:aws:cloudformation:us-east-1:123456789012:stack/amplify/abc"},
    "computeRoleArn": "arn:aws:iam::123456789012:role/compute",
}


def every_call(client):
    """(operation, response) for every operation, on a minimal and a fully set app/branch."""
    minimal = client.create_app(name="bare")
    full = client.create_app(**FULL_APP)
    app_id, arn = full["app"]["appId"], full["app"]["appArn"]
    yield "CreateApp", minimal
    yield "CreateApp", full
    yield "GetApp", client.get_app(appId=app_id)
    yield "UpdateApp", client.update_app(appId=app_id, description="changed", platform="WEB")
    yield "CreateBranch", client.create_branch(appId=app_id, branchName="main")
    yield "CreateBranch", client.create_branch(appId=app_id, **FULL_BRANCH)
    yield "GetBranch", client.get_branch(appId=app_id, branchName="feature/full")
    yield "UpdateBranch", client.update_branch(appId=app_id, branchName="main", stage="EXPERIMENTAL")
    yield "ListBranches", client.list_branches(appId=app_id, maxResults=1)
    yield "ListBranches", client.list_branches(appId=app_id)
    branch_arn = f"{arn}/branches/feature/full"
    yield "TagResource", client.tag_resource(resourceArn=branch_arn, tags={"k": "v"})
    yield "ListTagsForResource", client.list_tags_for_resource(resourceArn=branch_arn)
    yield "UntagResource", client.untag_resource(resourceArn=branch_arn, tagKeys=["k"])
    yield "ListTagsForResource", client.list_tags_for_resource(resourceArn=arn)
    yield "ListApps", client.list_apps(maxResults=1)
    yield "ListApps", client.list_apps()
    yield "DeleteBranch", client.delete_branch(appId=app_id, branchName="feature/full")
    yield "DeleteApp", client.delete_app(appId=app_id)
    yield "ListApps", client.list_apps()


def test_every_response_matches_its_output_shape(amplify_jobs):
    client = amplify()
    seen = set()
    for operation, response in every_call(client):
        assert_matches_output_shape(client, operation, response)
        seen.add(operation)
    assert len(seen) == 13


def test_full_app_settings_are_echoed_back(amplify_jobs):
    app = amplify().create_app(**FULL_APP)["app"]
    echoed = {"autoBranchCreationConfig", "jobConfig", "cacheConfig", "customHeaders", "buildSpec"}
    assert {key: app.get(key) for key in echoed} == {key: FULL_APP[key] for key in echoed}


def test_full_branch_settings_are_echoed_back(amplify_jobs):
    client = amplify()
    app_id = client.create_app(name="shop")["app"]["appId"]
    branch = client.create_branch(appId=app_id, **FULL_BRANCH)["branch"]
    echoed = {"backend", "backendEnvironmentArn", "enableSkewProtection", "pullRequestEnvironmentName"}
    assert {key: branch.get(key) for key in echoed} == {key: FULL_BRANCH[key] for key in echoed}


# The checker itself: it must notice what it claims to check.


@pytest.mark.parametrize(
    "mutate, problem",
    [
        (lambda app: app.pop("defaultDomain"), "app.defaultDomain: required"),
        (lambda app: app.update(platform="IOS"), "app.platform: 'IOS' is not one of"),
        (lambda app: app.update(enableBasicAuth="false"), "app.enableBasicAuth: expected a boolean"),
        (lambda app: app.update(createTime=1700000000.0), "app.createTime: expected a datetime"),
        (lambda app: app.update(name="n" * 256), "app.name: 256 characters, more than the maximum 255"),
        (lambda app: app.update(customRules={}), "app.customRules: expected a list"),
        (lambda app: app.update(environmentVariables={"A": 1}), "app.environmentVariables['A']: expected"),
        (lambda app: app.update(surprise=1), "app.surprise: not a member of App"),
    ],
)
def test_shape_checker_reports_what_is_wrong(amplify_jobs, mutate, problem):
    client = amplify()
    response = client.create_app(name="shop")
    mutate(response["app"])
    problems = shape_problems(client, "GetApp", response)
    assert any(p.startswith(f"GetApp.{problem}") for p in problems), problems


def test_shape_checker_rejects_output_for_an_operation_without_output(amplify_jobs):
    client = amplify()
    with pytest.raises(AssertionError):
        assert_matches_output_shape(client, "TagResource", {"unexpected": 1})


def test_stage_none_is_the_one_value_allowed_outside_the_model_enums(amplify_jobs):
    # AWS reports stage "NONE" for a branch created without one, although botocore's Stage enum
    # lacks it; the shape checks accept exactly that, for Stage, and nothing else.
    client = amplify()
    app = client.create_app(name="shop", enableAutoBranchCreation=True)
    assert app["app"]["autoBranchCreationConfig"]["stage"] == "NONE"
    assert_matches_output_shape(client, "CreateApp", app)
    branch = client.create_branch(appId=app["app"]["appId"], branchName="main")
    assert branch["branch"]["stage"] == "NONE"
    assert_matches_output_shape(client, "CreateBranch", branch)
    assert shape_problems(client, "CreateBranch", {"branch": {**branch["branch"], "stage": "SOMEDAY"}})
    assert shape_problems(client, "CreateApp", {"app": {**app["app"], "platform": "NONE"}})


CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


def domain_and_environment_calls(client, controller, clock):
    """(operation, response) for the domain, access log and backend environment operations,
    through every status a domain association passes (managed and custom certificate, update,
    failure)."""
    app_id = client.create_app(name="shop")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    subdomains = [{"prefix": "", "branchName": "main"}, {"prefix": "www", "branchName": "main"}]
    yield "CreateDomainAssociation", client.create_domain_association(
        appId=app_id, domainName="example.com", subDomainSettings=subdomains
    )
    yield "CreateDomainAssociation", client.create_domain_association(
        appId=app_id, domainName="example.org.", subDomainSettings=subdomains[:1], enableAutoSubDomain=True,
        autoSubDomainCreationPatterns=["feature/*"], autoSubDomainIAMRole="arn:aws:iam::123456789012:role/r",
        certificateSettings={"type": "CUSTOM", "customCertificateArn": CERT_ARN},
    )
    controller.fail_domain(app_id, "example.net")
    yield "CreateDomainAssociation", client.create_domain_association(
        appId=app_id, domainName="example.net", subDomainSettings=subdomains
    )
    for seconds in (0, 30, 60, 300, 300, 300):
        clock.tick(seconds)
        for domain in ("example.com", "example.org.", "example.net"):
            yield "GetDomainAssociation", client.get_domain_association(appId=app_id, domainName=domain)
    yield "UpdateDomainAssociation", client.update_domain_association(
        appId=app_id,
        domainName="example.com",
        certificateSettings={"type": "CUSTOM", "customCertificateArn": CERT_ARN},
    )
    controller.fail_domain(app_id, "example.org", "Certificate import failed.")
    yield "UpdateDomainAssociation", client.update_domain_association(
        appId=app_id, domainName="example.org.", certificateSettings={"type": "AMPLIFY_MANAGED"}
    )
    clock.tick(700)
    yield "ListDomainAssociations", client.list_domain_associations(appId=app_id, maxResults=1)
    yield "ListDomainAssociations", client.list_domain_associations(appId=app_id)
    controller.add_access_log(app_id, "example.com", {"cs-uri-stem": "/index.html"})
    yield "GenerateAccessLogs", client.generate_access_logs(appId=app_id, domainName="example.com")
    yield "GenerateAccessLogs", client.generate_access_logs(
        appId=app_id, domainName="example.org.", startTime=1767225600, endTime=1767229200
    )
    yield "DeleteDomainAssociation", client.delete_domain_association(appId=app_id, domainName="example.net")
    yield "CreateBackendEnvironment", client.create_backend_environment(appId=app_id, environmentName="prod")
    yield "CreateBackendEnvironment", client.create_backend_environment(
        appId=app_id, environmentName="dev", stackName="stack", deploymentArtifacts="bucket"
    )
    yield "GetBackendEnvironment", client.get_backend_environment(appId=app_id, environmentName="prod")
    yield "ListBackendEnvironments", client.list_backend_environments(appId=app_id, maxResults=1)
    yield "ListBackendEnvironments", client.list_backend_environments(appId=app_id, environmentName="dev")
    yield "DeleteBackendEnvironment", client.delete_backend_environment(appId=app_id, environmentName="dev")


def test_every_domain_and_environment_response_matches_its_output_shape(amplify_jobs):
    from freezegun import freeze_time

    client = amplify()
    seen, statuses = set(), set()
    with freeze_time("2026-01-01") as clock:
        for operation, response in domain_and_environment_calls(client, amplify_jobs, clock):
            assert_matches_output_shape(client, operation, response)
            seen.add(operation)
            association = response.get("domainAssociation")
            if association:
                statuses.add((association["domainStatus"], association.get("updateStatus")))
    assert len(seen) == 10
    assert {status for status, _ in statuses} >= {
        "CREATING", "REQUESTING_CERTIFICATE", "PENDING_VERIFICATION", "PENDING_DEPLOYMENT", "AVAILABLE",
        "IMPORTING_CUSTOM_CERTIFICATE", "AWAITING_APP_CNAME", "FAILED", "UPDATING",
    }


TESTED_SPEC = "version: 1\ntest:\n  phases:\n    test:\n      commands: [npx cypress run]\n"


def test_every_artifact_response_matches_its_output_shape(amplify_jobs):
    from freezegun import freeze_time

    client = amplify()
    seen = set()
    with freeze_time("2026-01-01") as clock:
        app_id = client.create_app(
            name="shop", repository="https://github.com/acme/shop", accessToken="token", buildSpec=TESTED_SPEC
        )["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
        calls = [("ListArtifacts", client.list_artifacts(appId=app_id, branchName="main", jobId="1"))]
        clock.tick(3600)
        calls.append(("GetJob", client.get_job(appId=app_id, branchName="main", jobId="1")))
        page = client.list_artifacts(appId=app_id, branchName="main", jobId="1", maxResults=1)
        calls.append(("ListArtifacts", page))
        calls.append(
            ("ListArtifacts", client.list_artifacts(
                appId=app_id, branchName="main", jobId="1", nextToken=page["nextToken"]
            ))
        )
        first = page["artifacts"][0]["artifactId"]
        calls.append(("GetArtifactUrl", client.get_artifact_url(artifactId=first)))
    for operation, response in calls:
        assert_matches_output_shape(client, operation, response)
        seen.add(operation)
    assert seen == {"ListArtifacts", "GetJob", "GetArtifactUrl"}
    assert [step["stepName"] for step in calls[1][1]["job"]["steps"]] == ["BUILD", "TEST", "DEPLOY", "VERIFY"]


def test_every_operation_of_the_model_answers_in_its_output_shape(amplify_jobs):
    """All 37 operations in one run, each reply recorded as botocore parsed it and checked."""
    import requests
    from freezegun import freeze_time

    from amplify_mock._protocol import service_model

    client = amplify()
    replies = []
    client.meta.events.register(
        "after-call.amplify", lambda parsed, model, **_: replies.append((model.name, parsed))
    )
    with freeze_time("2026-01-01") as clock:
        for _ in every_call(client):
            pass
        for _ in domain_and_environment_calls(client, amplify_jobs, clock):
            pass
        app_id = client.create_app(
            name="tested", repository="https://github.com/acme/shop", accessToken="t", buildSpec=TESTED_SPEC
        )["app"]["appId"]
        where = {"appId": app_id, "branchName": "main"}
        client.create_branch(**where)
        client.start_job(**where, jobType="RELEASE")
        client.stop_job(**where, jobId="1")
        clock.tick(3600)
        client.start_job(**where, jobType="RELEASE")
        client.list_jobs(**where)
        clock.tick(3600)
        client.get_job(**where, jobId="2")
        artifact = client.list_artifacts(**where, jobId="2")["artifacts"][0]["artifactId"]
        client.get_artifact_url(artifactId=artifact)
        client.delete_job(**where, jobId="1")
        hook = client.create_webhook(**where)["webhook"]
        client.get_webhook(webhookId=hook["webhookId"])
        client.update_webhook(webhookId=hook["webhookId"], description="ci")
        client.list_webhooks(appId=app_id)
        client.delete_webhook(webhookId=hook["webhookId"])
        manual = client.create_app(name="manual")["app"]["appId"]
        client.create_branch(appId=manual, branchName="main")
        created = client.create_deployment(appId=manual, branchName="main")
        assert requests.put(created["zipUploadUrl"], data=b"PK\x05\x06" + b"\0" * 18, timeout=10).ok
        client.start_deployment(appId=manual, branchName="main", jobId=created["jobId"])

    for operation, parsed in replies:
        assert_matches_output_shape(client, operation, parsed)
    assert {operation for operation, _ in replies} == set(service_model().operation_names)
