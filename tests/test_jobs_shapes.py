"""Every reply of the seven job operations matches botocore's output shape, at every stage."""

from __future__ import annotations

import pytest

from tests.jobs_support import (  # noqa: F401
    BRANCH,
    app_id_fixture,
    client_fixture,
    clock_fixture,
    manual_app_id_fixture,
)
from tests.shapes import assert_matches_output_shape, shape_problems


def test_shape_checker_catches_a_missing_member(client):
    # The checker itself must be able to fail, or the tests below prove nothing.
    assert shape_problems(client, "GetJob", {"job": {"summary": {"jobId": "1"}, "steps": []}})


@pytest.mark.parametrize("seconds", [0, 5, 20, 140, 170, 3600])
def test_start_get_and_list_jobs_match_their_shapes_at_every_stage(client, clock, app_id, seconds):
    started = client.start_job(appId=app_id, branchName=BRANCH, jobType="RELEASE", jobReason="ship")
    assert_matches_output_shape(client, "StartJob", started)
    clock.advance(seconds)
    assert_matches_output_shape(client, "GetJob", client.get_job(appId=app_id, branchName=BRANCH, jobId="1"))
    assert_matches_output_shape(client, "ListJobs", client.list_jobs(appId=app_id, branchName=BRANCH))


def test_failed_job_with_reason_matches_its_shape(client, clock, app_id, amplify_jobs):
    amplify_jobs.fail_next(app_id, BRANCH, "DEPLOY", "CDN said no")
    client.start_job(appId=app_id, branchName=BRANCH, jobType="RELEASE")
    clock.advance(3600)
    response = client.get_job(appId=app_id, branchName=BRANCH, jobId="1")
    assert response["job"]["steps"][-1]["statusReason"] == "CDN said no"
    assert_matches_output_shape(client, "GetJob", response)


def test_stop_and_delete_job_match_their_shapes(client, clock, app_id):
    client.start_job(appId=app_id, branchName=BRANCH, jobType="RELEASE")
    clock.advance(30)
    stopped = client.stop_job(appId=app_id, branchName=BRANCH, jobId="1")
    assert_matches_output_shape(client, "StopJob", stopped)
    assert_matches_output_shape(client, "GetJob", client.get_job(appId=app_id, branchName=BRANCH, jobId="1"))
    clock.advance(60)
    assert_matches_output_shape(
        client, "DeleteJob", client.delete_job(appId=app_id, branchName=BRANCH, jobId="1")
    )


def test_deployment_operations_match_their_shapes(client, clock, manual_app_id):
    app_id = manual_app_id
    created = client.create_deployment(appId=app_id, branchName=BRANCH, fileMap={"index.html": "abc123"})
    assert_matches_output_shape(client, "CreateDeployment", created)
    assert_matches_output_shape(client, "GetJob", client.get_job(appId=app_id, branchName=BRANCH, jobId="1"))
    assert_matches_output_shape(client, "ListJobs", client.list_jobs(appId=app_id, branchName=BRANCH))
    started = client.start_deployment(appId=app_id, branchName=BRANCH, jobId=created["jobId"])
    assert_matches_output_shape(client, "StartDeployment", started)
    clock.advance(3600)
    from_url = client.start_deployment(
        appId=app_id, branchName=BRANCH, sourceUrl="s3://bucket/site/", sourceUrlType="BUCKET_PREFIX"
    )
    assert_matches_output_shape(client, "StartDeployment", from_url)
    assert_matches_output_shape(client, "GetJob", client.get_job(appId=app_id, branchName=BRANCH, jobId="2"))


def test_expired_deployment_matches_its_shape(client, clock, manual_app_id):
    app_id = manual_app_id
    client.create_deployment(appId=app_id, branchName=BRANCH)
    clock.advance(9 * 3600)
    response = client.get_job(appId=app_id, branchName=BRANCH, jobId="1")
    assert response["job"]["summary"]["status"] == "FAILED"
    assert_matches_output_shape(client, "GetJob", response)
