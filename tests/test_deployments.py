"""Manual deployments: CreateDeployment, uploads to its URLs, StartDeployment, and their rules.

Deployments are for apps without a repository, so here ``app_id`` is such an app, with one
branch, ``main``.
"""

from __future__ import annotations

import io
import zipfile

import boto3
import pytest
import requests
from moto import mock_aws

from tests.jobs_support import (  # noqa: F401
    BRANCH,
    REPO,
    client_fixture,
    clock_fixture,
    job,
    list_ids,
    manual_app_id_fixture,
    observable,
    refused,
    status,
    steps,
)

EIGHT_HOURS = 8 * 3600
STILL_RUNNING = ("The last job(deployment) {} was not finished, please wait until it finish or use "
                 "StopJob operation to cancel it before creating a new deployment.")


@pytest.fixture(name="app_id")
def app_id_fixture(manual_app_id):
    return manual_app_id


def create(client, app, **kwargs):
    return client.create_deployment(appId=app, branchName=BRANCH, **kwargs)


def start_deployment(client, app, **kwargs):
    return client.start_deployment(appId=app, branchName=BRANCH, **kwargs)["jobSummary"]


def site_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<h1>shop</h1>")
    return buffer.getvalue()


def uploaded(client, app, **kwargs):
    created = create(client, app, **kwargs)
    assert requests.put(created["zipUploadUrl"], data=site_zip()).status_code == 200
    return created["jobId"]


# CreateDeployment


def test_create_deployment_returns_job_id_and_zip_upload_url(client, app_id):
    created = create(client, app_id)
    assert created["jobId"] == "1"
    assert created["zipUploadUrl"].startswith("http://127.0.0.1:")
    assert created["fileUploadUrls"] == {}


def test_create_deployment_gives_one_upload_url_per_file(client, app_id):
    created = create(client, app_id, fileMap={"index.html": "d41d8cd9", "css/app.css": "0cc175b9"})
    urls = created["fileUploadUrls"]
    assert sorted(urls) == ["css/app.css", "index.html"]
    assert len(set(urls.values())) == 2 and all(url.startswith("http://127.0.0.1:") for url in urls.values())


def test_created_deployment_is_a_manual_job_in_status_created(client, app_id):
    job_id = create(client, app_id)["jobId"]
    summary = job(client, app_id, job_id)["summary"]
    assert (summary["status"], summary["jobType"]) == ("CREATED", "MANUAL")
    assert list_ids(client, app_id) == [job_id]


# A deployment is PENDING 2 s, PROVISIONING 15 s, then DEPLOY 30 s and VERIFY 10 s.
@pytest.mark.parametrize("seconds, now", [(0, "PENDING"), (5, "PROVISIONING"), (30, "RUNNING")])
def test_create_deployment_is_refused_in_aws_words_while_the_last_job_is_unfinished(
    client, clock, app_id, seconds, now
):
    start_deployment(client, app_id, sourceUrl="https://e.com/a.zip")
    clock.advance(seconds)
    assert status(client, app_id, "1") == now
    assert refused(client, app_id, lambda: create(client, app_id)) == STILL_RUNNING.format(1)


def test_create_deployment_is_refused_while_the_last_deployment_is_not_started(client, app_id):
    create(client, app_id)
    assert refused(client, app_id, lambda: create(client, app_id)) == STILL_RUNNING.format(1)


def test_a_deployment_never_started_is_stopped_as_aws_advises_and_frees_the_branch(client, clock, app_id):
    # Amplify's maintainers answer "The last job(deployment) N was not finished" with
    # `aws amplify stop-job` on the stuck deployment (aws-amplify/amplify-hosting#3004).
    create(client, app_id)
    stopped = client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")["jobSummary"]
    assert stopped["status"] == "CANCELLED" and stopped["endTime"] == stopped["startTime"]
    clock.advance(EIGHT_HOURS + 1)
    assert status(client, app_id, "1") == "CANCELLED"  # it does not expire to FAILED later
    assert create(client, app_id)["jobId"] == "2"


def test_a_stopped_deployment_cannot_be_started_or_stopped_again(client, app_id):
    job_id = uploaded(client, app_id)
    client.stop_job(appId=app_id, branchName=BRANCH, jobId=job_id)
    message = refused(client, app_id, lambda: start_deployment(client, app_id, jobId=job_id))
    assert message == (
        "Job 1 was stopped before it was started (status CANCELLED); call CreateDeployment for a "
        "new deployment."
    )
    message = refused(client, app_id, lambda: client.stop_job(appId=app_id, branchName=BRANCH, jobId=job_id))
    assert "already finished with status CANCELLED" in message


def test_a_deployment_never_started_may_be_deleted_and_frees_the_branch(client, app_id):
    create(client, app_id)
    deleted = client.delete_job(appId=app_id, branchName=BRANCH, jobId="1")["jobSummary"]
    assert deleted["status"] == "CREATED"
    assert list_ids(client, app_id) == []
    assert create(client, app_id)["jobId"] == "2"


def test_an_expired_deployment_cannot_be_stopped(client, clock, app_id):
    create(client, app_id)
    clock.advance(EIGHT_HOURS + 1)
    message = refused(client, app_id, lambda: client.stop_job(appId=app_id, branchName=BRANCH, jobId="1"))
    assert "already finished with status FAILED" in message


def test_create_deployment_is_allowed_once_the_last_job_ended(client, clock, app_id):
    start_deployment(client, app_id, sourceUrl="https://e.com/a.zip")
    clock.advance(3600)
    assert create(client, app_id)["jobId"] == "2"


DEPLOYMENT_CALLS = {
    "CreateDeployment": lambda c, app: c.create_deployment(appId=app, branchName=BRANCH),
    "StartDeployment": lambda c, app: c.start_deployment(
        appId=app, branchName=BRANCH, sourceUrl="https://e.com/a.zip"
    ),
}


@pytest.mark.parametrize("operation", sorted(DEPLOYMENT_CALLS))
def test_deployments_are_refused_on_an_app_connected_to_a_repository(client, operation):
    app = client.create_app(name="git", repository=REPO, accessToken="token")["app"]["appId"]
    client.create_branch(appId=app, branchName=BRANCH)
    message = refused(client, app, lambda: DEPLOYMENT_CALLS[operation](client, app))
    assert message == "Operation not supported. App is already connected a repository."


# A job being cancelled blocks nothing: what follows it waits PENDING until it is CANCELLED.


def stopped_deployment(client, clock, app):
    start_deployment(client, app, sourceUrl="https://e.com/old.zip")
    clock.advance(30)
    assert client.stop_job(appId=app, branchName=BRANCH, jobId="1")["jobSummary"]["status"] == "CANCELLING"


def test_create_and_start_deployment_are_accepted_while_the_last_job_is_cancelling(client, clock, app_id):
    stopped_deployment(client, clock, app_id)
    job_id = uploaded(client, app_id)
    assert start_deployment(client, app_id, jobId=job_id)["status"] == "PENDING"
    clock.advance(4.5)  # CANCELLING lasts 5 s
    assert (status(client, app_id, "1"), status(client, app_id, job_id)) == ("CANCELLING", "PENDING")
    clock.advance(0.5)
    assert (status(client, app_id, "1"), status(client, app_id, job_id)) == ("CANCELLED", "PROVISIONING")
    clock.advance(3600)
    assert status(client, app_id, job_id) == "SUCCEED"


def test_source_url_deployment_is_accepted_while_the_last_job_is_cancelling(client, clock, app_id):
    stopped_deployment(client, clock, app_id)
    summary = start_deployment(client, app_id, sourceUrl="https://e.com/new.zip")
    assert (summary["jobId"], summary["status"]) == ("2", "PENDING")
    clock.advance(4.5)
    assert status(client, app_id, "2") == "PENDING"
    clock.advance(0.5)
    assert status(client, app_id, "2") == "PROVISIONING"


# Uploads


def test_put_to_the_zip_upload_url_succeeds(client, app_id):
    response = requests.put(create(client, app_id)["zipUploadUrl"], data=b"PK\x03\x04 zip bytes")
    assert response.status_code == 200


def test_put_to_a_file_upload_url_succeeds(client, app_id):
    urls = create(client, app_id, fileMap={"index.html": "d41d8cd98f00b204"})["fileUploadUrls"]
    assert requests.put(urls["index.html"], data=b"<html></html>").status_code == 200


def test_put_after_the_deployment_started_changes_nothing_deployed(client, app_id, amplify_jobs):
    # The URL is a presigned S3 URL, valid for three hours: S3 takes the PUT, but the deployment
    # already took what was there when it started.
    created = create(client, app_id)
    requests.put(created["zipUploadUrl"], data=b"first")
    start_deployment(client, app_id, jobId=created["jobId"])
    assert requests.put(created["zipUploadUrl"], data=b"second").status_code == 200
    assert amplify_jobs.deployment(app_id, BRANCH, created["jobId"]).zip == b"first"


# StartDeployment


def test_start_deployment_needs_job_id_or_source_url(client, app_id):
    message = refused(client, app_id, lambda: start_deployment(client, app_id))
    assert message == "Must specify jobId or sourceUrl for StartDeploymentRequest."


def test_start_deployment_of_unknown_job_is_not_found(client, app_id):
    message = refused(
        client, app_id, lambda: start_deployment(client, app_id, jobId="9"), "NotFoundException"
    )
    assert "9" in message


def test_start_deployment_with_both_job_id_and_source_url_is_refused(client, app_id):
    job_id = uploaded(client, app_id)
    both = lambda: start_deployment(client, app_id, jobId=job_id, sourceUrl="https://e.com/a.zip")  # noqa: E731
    assert "not both" in refused(client, app_id, both)


def test_source_url_deployment_is_refused_while_a_created_one_waits(client, app_id):
    create(client, app_id)
    message = refused(client, app_id, lambda: start_deployment(client, app_id, sourceUrl="https://e.com/a.zip"))
    assert message.startswith("The last job(deployment) 1 was not finished")


def test_started_deployment_runs_deploy_and_verify_then_succeeds(client, clock, app_id):
    job_id = uploaded(client, app_id)
    summary = start_deployment(client, app_id, jobId=job_id)
    assert (summary["jobId"], summary["status"]) == (job_id, "PENDING")
    clock.advance(3600)
    assert status(client, app_id, job_id) == "SUCCEED"
    assert steps(client, app_id, job_id) == [("DEPLOY", "SUCCEED"), ("VERIFY", "SUCCEED")]


def test_deployment_started_without_upload_fails_at_deploy_saying_what_to_do(client, clock, app_id):
    job_id = create(client, app_id)["jobId"]
    start_deployment(client, app_id, jobId=job_id)
    clock.advance(3600)
    result = job(client, app_id, job_id)
    assert result["summary"]["status"] == "FAILED"
    assert [s["stepName"] for s in result["steps"]] == ["DEPLOY"]
    assert "zipUploadUrl" in result["steps"][0]["statusReason"]


def test_deployment_of_a_body_that_is_not_a_zip_fails_at_deploy_saying_so(client, clock, app_id):
    created = create(client, app_id)
    assert requests.put(created["zipUploadUrl"], data=b"<h1>not zipped</h1>").status_code == 200
    start_deployment(client, app_id, jobId=created["jobId"])
    clock.advance(3600)
    result = job(client, app_id, created["jobId"])
    assert result["summary"]["status"] == "FAILED"
    assert result["steps"][0]["statusReason"] == (
        "The artifact uploaded to the zipUploadUrl of job 1 (19 bytes) is not a zip archive; upload "
        "a .zip of the site's files."
    )


def test_deployment_cannot_be_started_twice(client, app_id):
    job_id = uploaded(client, app_id)
    start_deployment(client, app_id, jobId=job_id)
    message = refused(client, app_id, lambda: start_deployment(client, app_id, jobId=job_id))
    assert "CreateDeployment" in message


def test_deployment_started_just_within_eight_hours_runs(client, clock, app_id):
    job_id = uploaded(client, app_id)
    clock.advance(EIGHT_HOURS)
    assert start_deployment(client, app_id, jobId=job_id)["status"] == "PENDING"


def test_deployment_not_started_within_eight_hours_fails(client, clock, app_id):
    job_id = uploaded(client, app_id)
    clock.advance(EIGHT_HOURS + 1)
    assert status(client, app_id, job_id) == "FAILED"
    message = refused(client, app_id, lambda: start_deployment(client, app_id, jobId=job_id))
    assert "8 hours" in message and "CreateDeployment" in message


def test_expired_deployment_frees_the_branch_for_a_new_one(client, clock, app_id):
    create(client, app_id)
    clock.advance(EIGHT_HOURS + 1)
    assert create(client, app_id)["jobId"] == "2"


def test_start_deployment_from_source_url_creates_a_manual_job(client, clock, app_id):
    summary = start_deployment(client, app_id, sourceUrl="https://example.com/site.zip")
    assert (summary["jobId"], summary["jobType"], summary["status"]) == ("1", "MANUAL", "PENDING")
    assert (summary["sourceUrl"], summary["sourceUrlType"]) == ("https://example.com/site.zip", "ZIP")
    clock.advance(3600)
    listed = client.list_jobs(appId=app_id, branchName=BRANCH)["jobSummaries"][0]
    assert (listed["sourceUrl"], listed["sourceUrlType"], listed["status"]) == (
        "https://example.com/site.zip", "ZIP", "SUCCEED"
    )


def test_start_deployment_records_the_source_url_type(client, app_id):
    summary = start_deployment(
        client, app_id, sourceUrl="s3://site-bucket/build/", sourceUrlType="BUCKET_PREFIX"
    )
    assert (summary["sourceUrl"], summary["sourceUrlType"]) == ("s3://site-bucket/build/", "BUCKET_PREFIX")


def test_created_deployment_summary_names_its_upload_url_as_source(client, app_id):
    created = create(client, app_id)
    summary = job(client, app_id, created["jobId"])["summary"]
    assert (summary["sourceUrl"], summary["sourceUrlType"]) == (created["zipUploadUrl"], "ZIP")


def test_build_job_summaries_have_no_source_url(client):
    app = client.create_app(name="git", repository=REPO, accessToken="token")["app"]["appId"]
    client.create_branch(appId=app, branchName=BRANCH)
    summary = client.start_job(appId=app, branchName=BRANCH, jobType="RELEASE")["jobSummary"]
    assert "sourceUrl" not in summary and "sourceUrlType" not in summary


# S3 sources under moto's mock_aws


@pytest.fixture
def s3_app(client):
    with mock_aws():
        # mock_aws resets every backend when it starts, so the app is made inside it.
        app = client.create_app(name="s3")["app"]["appId"]
        client.create_branch(appId=app, branchName=BRANCH)
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site-bucket")
        yield app


def test_bucket_prefix_from_a_missing_bucket_fails_deploy_naming_the_bucket(client, clock, s3_app):
    job_id = start_deployment(
        client, s3_app, sourceUrl="s3://missing-bucket/prefix", sourceUrlType="BUCKET_PREFIX"
    )["jobId"]
    clock.advance(3600)
    result = job(client, s3_app, job_id)
    assert result["summary"]["status"] == "FAILED"
    assert result["steps"][0]["stepName"] == "DEPLOY"
    assert "missing-bucket" in result["steps"][0]["statusReason"]


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_object_in_moto_s3_deploys(client, clock, s3_app):
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket="site-bucket", Key="builds/site.zip", Body=_zip({"index.html": b"<h1>hi</h1>"})
    )
    job_id = start_deployment(client, s3_app, sourceUrl="s3://site-bucket/builds/site.zip")["jobId"]
    clock.advance(3600)
    assert status(client, s3_app, job_id) == "SUCCEED"


def _failed_deploy(client, clock, app_id, url):
    """Deploy from ``url``, run the clock on, and return why the job failed at DEPLOY."""
    job_id = start_deployment(client, app_id, sourceUrl=url, sourceUrlType="ZIP")["jobId"]
    clock.advance(3600)
    result = job(client, app_id, job_id)
    assert result["summary"]["status"] == "FAILED"
    assert result["steps"][0]["stepName"] == "DEPLOY"
    return result["steps"][0]["statusReason"]


@pytest.mark.parametrize("key", ["builds/missing.zip", ""])
def test_a_missing_zip_object_fails_deploy_naming_it(client, clock, s3_app, key):
    url = f"s3://site-bucket/{key}"
    reason = _failed_deploy(client, clock, s3_app, url)
    assert f"of sourceUrl {url} (ZIP) does not exist in bucket site-bucket" in reason


def test_a_zip_object_deleted_from_a_versioned_bucket_is_missing(client, clock, s3_app):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.put_bucket_versioning(Bucket="site-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="site-bucket", Key="site.zip", Body=_zip({"index.html": b"hi"}))
    s3.delete_object(Bucket="site-bucket", Key="site.zip")
    reason = _failed_deploy(client, clock, s3_app, "s3://site-bucket/site.zip")
    assert "The S3 object site.zip of sourceUrl" in reason


def test_an_s3_object_that_is_not_a_zip_fails_deploy(client, clock, s3_app):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.put_object(Bucket="site-bucket", Key="site.zip", Body=b"<html>")
    reason = _failed_deploy(client, clock, s3_app, "s3://site-bucket/site.zip")
    assert "(6 bytes) is not a zip archive" in reason


def test_bucket_prefix_from_an_existing_bucket_succeeds(client, clock, s3_app):
    job_id = start_deployment(
        client, s3_app, sourceUrl="s3://site-bucket/prefix", sourceUrlType="BUCKET_PREFIX"
    )["jobId"]
    clock.advance(3600)
    assert status(client, s3_app, job_id) == "SUCCEED"


# An S3 object's HTTPS URL (a presigned GET URL, as deploy scripts pass) under mock_aws


def _presigned(key):
    s3 = boto3.client("s3", region_name="us-east-1")
    params = {"Bucket": "site-bucket", "Key": key}
    return s3.generate_presigned_url("get_object", Params=params, ExpiresIn=3600)


def test_a_presigned_url_of_a_zip_in_moto_s3_deploys(client, clock, s3_app):
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket="site-bucket", Key="builds/site v1.zip", Body=_zip({"index.html": b"<h1>hi</h1>"})
    )
    job_id = start_deployment(client, s3_app, sourceUrl=_presigned("builds/site v1.zip"))["jobId"]
    clock.advance(3600)
    assert status(client, s3_app, job_id) == "SUCCEED"


def test_a_presigned_url_of_a_missing_object_fails_deploy_naming_it_unsigned(client, clock, s3_app):
    url = _presigned("builds/missing.zip")
    assert "?" in url
    reason = _failed_deploy(client, clock, s3_app, url)
    shown = url.split("?")[0]
    assert f"The S3 object builds/missing.zip of sourceUrl {shown} (ZIP) does not exist in bucket" in reason
    assert "Signature" not in reason


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.us-east-1.amazonaws.com/other-bucket/site.zip",
        "https://other-bucket.s3.eu-west-1.amazonaws.com/site.zip?X-Amz-Signature=abc",
    ],
)
def test_an_https_url_of_a_missing_bucket_fails_deploy_naming_it(client, clock, s3_app, url):
    reason = _failed_deploy(client, clock, s3_app, url)
    assert "The S3 bucket other-bucket of sourceUrl" in reason


def test_an_https_url_of_an_object_that_is_not_a_zip_fails_deploy(client, clock, s3_app):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.put_object(Bucket="site-bucket", Key="index.html", Body=b"<html>")
    reason = _failed_deploy(client, clock, s3_app, "https://s3.amazonaws.com/site-bucket/index.html")
    assert "(6 bytes) is not a zip archive" in reason


def test_an_https_url_elsewhere_than_s3_is_not_looked_up(client, clock, s3_app):
    job_id = start_deployment(client, s3_app, sourceUrl="https://downloads.example.com/site-bucket/site.zip")["jobId"]
    clock.advance(3600)
    assert status(client, s3_app, job_id) == "SUCCEED"
