"""examples/manual_deploy.py against the mock: zip uploads with requests, S3 deployments with moto's S3."""

from __future__ import annotations

import io
import zipfile
from typing import Any, Callable, Iterator, Tuple

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from amplify_mock import AmplifyJobs
from examples.manual_deploy import deploy_from_s3, deploy_zip, start_and_wait, upload_zip, zip_files
from examples.release_and_wait import wait_for_job
from tests.clocks import Clock

# The fixtures clock, sleep, now, amplify, client and manual_branch (an app without repository, as
# deployments need); tests using them run under both clocks.
pytest_plugins = ("tests.example_support",)

Branch = Tuple[str, str]
Now = Callable[[], float]
SITE = zip_files({"index.html": b"<h1>shop</h1>", "assets/app.js": b"console.log('hi')"})
EIGHT_HOURS = 8 * 3600


@pytest.fixture
def s3(amplify: AmplifyJobs) -> Iterator[Any]:
    """moto's S3 next to the Amplify mock; request it before ``manual_branch`` (mock_aws resets state)."""
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


def test_a_zip_deploys_and_succeeds(client: Any, manual_branch: Branch, sleep: Any, now: Now) -> None:
    outcome = deploy_zip(client, *manual_branch, SITE, interval=5, sleep=sleep, clock=now)

    assert outcome.succeeded
    assert [(s.name, s.status) for s in outcome.steps] == [("DEPLOY", "SUCCEED"), ("VERIFY", "SUCCEED")]
    app_id = manual_branch[0]
    summary = client.get_job(appId=app_id, branchName="main", jobId=outcome.job_id)["job"]["summary"]
    assert summary["jobType"] == "MANUAL"


def test_zip_files_builds_a_readable_archive() -> None:
    with zipfile.ZipFile(io.BytesIO(SITE)) as archive:
        assert archive.read("index.html") == b"<h1>shop</h1>"


def test_a_deployment_from_an_existing_s3_bucket_succeeds(
    s3: Any, client: Any, manual_branch: Branch, sleep: Any, now: Now
) -> None:
    s3.create_bucket(Bucket="acme-builds")
    s3.put_object(Bucket="acme-builds", Key="shop/42/index.html", Body=b"<h1>shop</h1>")

    outcome = deploy_from_s3(
        client, *manual_branch, "acme-builds", "shop/42/", interval=5, sleep=sleep, clock=now
    )

    assert outcome.succeeded
    app_id = manual_branch[0]
    summary = client.get_job(appId=app_id, branchName="main", jobId=outcome.job_id)["job"]["summary"]
    assert (summary["sourceUrl"], summary["sourceUrlType"]) == ("s3://acme-builds/shop/42/", "BUCKET_PREFIX")


def test_a_deployment_from_a_missing_s3_bucket_fails_at_deploy_naming_the_bucket(
    s3: Any, client: Any, manual_branch: Branch, sleep: Any, now: Now
) -> None:
    outcome = deploy_from_s3(
        client, *manual_branch, "no-such-bucket", "shop/42/", interval=5, sleep=sleep, clock=now
    )

    assert outcome.status == "FAILED"
    assert outcome.failed_step == "DEPLOY"
    assert outcome.reason is not None and "no-such-bucket" in outcome.reason


def test_a_deployment_started_more_than_8_hours_after_upload_is_refused_and_failed(
    client: Any, manual_branch: Branch, clock: Clock, sleep: Any, now: Now
) -> None:
    job_id = upload_zip(client, *manual_branch, SITE)
    clock.advance(EIGHT_HOURS + 1)

    with pytest.raises(ClientError) as excinfo:
        start_and_wait(client, *manual_branch, job_id, interval=5, sleep=sleep, clock=now)

    assert excinfo.value.response["Error"]["Code"] == "BadRequestException"
    assert "8 hours" in excinfo.value.response["Error"]["Message"]
    job = client.get_job(appId=manual_branch[0], branchName="main", jobId=job_id)["job"]
    assert job["summary"]["status"] == "FAILED"


def test_a_deployment_started_just_inside_8_hours_succeeds(
    client: Any, manual_branch: Branch, clock: Clock, sleep: Any, now: Now
) -> None:
    job_id = upload_zip(client, *manual_branch, SITE)
    clock.advance(EIGHT_HOURS)

    assert start_and_wait(client, *manual_branch, job_id, interval=5, sleep=sleep, clock=now).succeeded


def test_a_deployment_is_refused_while_the_last_job_has_not_finished(
    client: Any, manual_branch: Branch, sleep: Any, now: Now
) -> None:
    app_id, branch = manual_branch
    earlier = client.start_deployment(appId=app_id, branchName=branch, sourceUrl="https://e.com/site.zip")
    earlier_id = earlier["jobSummary"]["jobId"]

    with pytest.raises(ClientError) as excinfo:
        deploy_zip(client, app_id, branch, SITE, interval=5, sleep=sleep, clock=now)

    assert excinfo.value.response["Error"]["Code"] == "BadRequestException"
    assert excinfo.value.response["Error"]["Message"] == (
        f"The last job(deployment) {earlier_id} was not finished, please wait until it finish or use "
        "StopJob operation to cancel it before creating a new deployment."
    )
    # Once the earlier deployment has finished, the same deployment goes through.
    assert wait_for_job(client, app_id, branch, earlier_id, interval=5, sleep=sleep, clock=now).succeeded
    assert deploy_zip(client, app_id, branch, SITE, interval=5, sleep=sleep, clock=now).succeeded


def test_an_s3_deployment_is_refused_while_an_uploaded_one_waits_to_be_started(
    s3: Any, client: Any, manual_branch: Branch, sleep: Any, now: Now
) -> None:
    s3.create_bucket(Bucket="acme-builds")
    upload_zip(client, *manual_branch, SITE)

    with pytest.raises(ClientError) as excinfo:
        deploy_from_s3(client, *manual_branch, "acme-builds", interval=5, sleep=sleep, clock=now)

    assert excinfo.value.response["Error"]["Code"] == "BadRequestException"
    assert "not finished" in excinfo.value.response["Error"]["Message"]


def test_a_deployment_to_an_app_connected_to_a_repository_is_refused(
    client: Any, main_branch: Branch, sleep: Any, now: Now
) -> None:
    with pytest.raises(ClientError) as excinfo:
        deploy_zip(client, *main_branch, SITE, interval=5, sleep=sleep, clock=now)

    assert excinfo.value.response["Error"]["Code"] == "BadRequestException"
    assert excinfo.value.response["Error"]["Message"] == (
        "Operation not supported. App is already connected a repository."
    )
    assert client.list_jobs(appId=main_branch[0], branchName="main")["jobSummaries"] == []
