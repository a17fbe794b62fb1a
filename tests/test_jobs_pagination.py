"""Job identity and ListJobs: ids per branch, ARNs, newest first, pages and tokens."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from amplify_mock import Durations
from amplify_mock.jobs import Job
from tests.helpers import amplify, error, unvalidated
from tests.jobs_support import (  # noqa: F401
    BRANCH,
    app_id_fixture,
    client_fixture,
    clock_fixture,
    list_ids,
)


def start(client, app, branch=BRANCH):
    return client.start_job(appId=app, branchName=branch, jobType="RELEASE")["jobSummary"]


def fast_jobs(amplify_jobs, app, count, branch=BRANCH):
    """Start ``count`` jobs straight on the backend, with zero durations so none waits."""
    amplify_jobs.branch_durations(app, branch, Durations.zero())
    backend = amplify_jobs.backend()
    with backend.lock:
        for _ in range(count):
            backend.start_job(app, branch, {"jobType": "RELEASE"})


def all_pages(client, app, **kwargs):
    ids, token = [], None
    while True:
        more = {"nextToken": token} if token else {}
        page = client.list_jobs(appId=app, branchName=BRANCH, **kwargs, **more)
        ids += [s["jobId"] for s in page["jobSummaries"]]
        token = page.get("nextToken")
        if not token:
            return ids


# Identity


def test_job_ids_count_from_one_per_branch(client, clock, app_id):
    client.create_branch(appId=app_id, branchName="dev")
    ids = []
    for _ in range(3):
        ids.append(start(client, app_id)["jobId"])
        clock.advance(3600)  # each ends before the next starts: AWS refuses a busy branch
    assert ids == ["1", "2", "3"]
    assert start(client, app_id, "dev")["jobId"] == "1"


def test_job_arn_pads_the_job_id_to_ten_digits(client, app_id, amplify_jobs):
    fast_jobs(amplify_jobs, app_id, 11)
    summary = client.get_job(appId=app_id, branchName=BRANCH, jobId="11")["job"]["summary"]
    branch_arn = client.get_branch(appId=app_id, branchName=BRANCH)["branch"]["branchArn"]
    assert summary["jobArn"] == f"{branch_arn}/jobs/0000000011"
    assert summary["jobArn"] == (
        f"arn:aws:amplify:us-east-1:123456789012:apps/{app_id}/branches/main/jobs/0000000011"
    )


# Order and pages


def test_list_jobs_of_a_branch_without_jobs_is_empty(client, app_id):
    page = client.list_jobs(appId=app_id, branchName=BRANCH)
    assert page["jobSummaries"] == [] and "nextToken" not in page


def test_jobs_are_listed_newest_first_in_numeric_order(client, app_id, amplify_jobs):
    fast_jobs(amplify_jobs, app_id, 12)
    assert list_ids(client, app_id) == [str(i) for i in range(12, 0, -1)]


def test_max_results_zero_means_fifty(client, app_id, amplify_jobs):
    fast_jobs(amplify_jobs, app_id, 60)
    page = client.list_jobs(appId=app_id, branchName=BRANCH, maxResults=0)
    assert len(page["jobSummaries"]) == 50 and page["nextToken"]
    assert len(client.list_jobs(appId=app_id, branchName=BRANCH)["jobSummaries"]) == 50


@pytest.mark.parametrize("size", [1, 7, 50])
def test_pages_of_any_size_list_every_job_once_newest_first(client, app_id, amplify_jobs, size):
    fast_jobs(amplify_jobs, app_id, 60)
    first = client.list_jobs(appId=app_id, branchName=BRANCH, maxResults=size)
    assert len(first["jobSummaries"]) == size
    assert all_pages(client, app_id, maxResults=size) == [str(i) for i in range(60, 0, -1)]


def test_last_page_has_no_next_token(client, app_id, amplify_jobs):
    fast_jobs(amplify_jobs, app_id, 10)
    page = client.list_jobs(appId=app_id, branchName=BRANCH, maxResults=10)
    assert len(page["jobSummaries"]) == 10 and "nextToken" not in page


def test_boto3_paginator_walks_every_job(client, app_id, amplify_jobs):
    fast_jobs(amplify_jobs, app_id, 23)
    pages = client.get_paginator("list_jobs").paginate(
        appId=app_id, branchName=BRANCH, PaginationConfig={"PageSize": 5}
    )
    assert [s["jobId"] for page in pages for s in page["jobSummaries"]] == [str(i) for i in range(23, 0, -1)]


def test_max_results_above_fifty_is_refused(client, app_id):
    with pytest.raises(ClientError) as excinfo:
        unvalidated().list_jobs(appId=app_id, branchName=BRANCH, maxResults=51)
    assert error(excinfo)[0] == "BadRequestException"


# Tokens


def test_next_token_is_opaque(client, app_id, amplify_jobs):
    fast_jobs(amplify_jobs, app_id, 3)
    token = client.list_jobs(appId=app_id, branchName=BRANCH, maxResults=1)["nextToken"]
    assert token not in {"1", "2", "3"}


@pytest.mark.parametrize("token", ["garbage", "12", "bm90LWEtdG9rZW4="])
def test_invalid_next_token_is_a_bad_request(client, app_id, amplify_jobs, token):
    fast_jobs(amplify_jobs, app_id, 3)
    with pytest.raises(ClientError) as excinfo:
        client.list_jobs(appId=app_id, branchName=BRANCH, nextToken=token)
    code, status, message = error(excinfo)
    assert (code, status) == ("BadRequestException", 400)
    assert "nextToken" in message


def test_token_of_another_listing_is_refused(client, app_id):
    for name in ("a", "b"):
        client.create_app(name=name)
    token = client.list_apps(maxResults=1)["nextToken"]
    with pytest.raises(client.exceptions.BadRequestException):
        client.list_jobs(appId=app_id, branchName=BRANCH, nextToken=token)


def test_paging_goes_on_past_jobs_deleted_meanwhile(client, app_id, amplify_jobs):
    fast_jobs(amplify_jobs, app_id, 6)
    first = client.list_jobs(appId=app_id, branchName=BRANCH, maxResults=2)
    for job_id in ("4", "3"):
        client.delete_job(appId=app_id, branchName=BRANCH, jobId=job_id)
    rest = client.list_jobs(appId=app_id, branchName=BRANCH, maxResults=2, nextToken=first["nextToken"])
    assert [s["jobId"] for s in rest["jobSummaries"]] == ["2", "1"]


def test_jobs_started_while_paging_do_not_repeat_older_ones(client, app_id, amplify_jobs):
    fast_jobs(amplify_jobs, app_id, 4)
    first = client.list_jobs(appId=app_id, branchName=BRANCH, maxResults=2)
    fast_jobs(amplify_jobs, app_id, 3)
    rest = client.list_jobs(appId=app_id, branchName=BRANCH, maxResults=50, nextToken=first["nextToken"])
    assert [s["jobId"] for s in rest["jobSummaries"]] == ["2", "1"]


# Scale


def test_paging_ten_thousand_jobs_reads_each_job_once(amplify_jobs, monkeypatch):
    # Not clock-dependent (zero durations), so it runs once rather than under both clocks.
    client = amplify()
    app_id = client.create_app(
        name="big", repository="https://github.com/acme/big", accessToken="token"
    )["app"]["appId"]
    client.create_branch(appId=app_id, branchName=BRANCH)
    fast_jobs(amplify_jobs, app_id, 10_000)
    reads, views = [], []
    original_summary, original_view = Job.summary, Job.view

    def counting_summary(job, job_view, stamp=None):
        reads.append(job.job_id)
        return original_summary(job, job_view, stamp)

    def counting_view(job, now, **options):
        views.append(job.job_id)
        return original_view(job, now, **options)

    monkeypatch.setattr(Job, "summary", counting_summary)
    monkeypatch.setattr(Job, "view", counting_view)
    ids = all_pages(client, app_id, maxResults=50)
    assert ids == [str(i) for i in range(10_000, 0, -1)]
    # Linear: every page reads only the jobs it returns, once each (an ended job's summary
    # view is made without Job.view, which is asked at most once per job).
    assert sorted(reads) == list(range(1, 10_001))
    assert len(set(views)) == len(views) <= 10_000
