"""Against the server, as against AWS, botocore retries StartJob's 429 with sleeps; the
``Config(retries=...)`` the README shows turns that off. (In-process the mock answers above
botocore's retry loop, so the 429 is raised at once: see test_jobs_rules.py.)

Sleeps are recorded, never slept: botocore's endpoint sleeps through its ``time`` module.
"""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import botocore.endpoint
import pytest
from botocore.config import Config

from tests.server_support import server_fixture  # noqa: F401

BUSY = "The requested branch main already have pending or running jobs"


def client_with(server, retries):
    return boto3.client(
        "amplify",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries=retries),
    )


@pytest.fixture
def sleeps(monkeypatch):
    slept = []
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=slept.append))
    return slept


# (retry settings, attempts botocore makes in all): standard mode makes 3, legacy mode 5, and
# max_attempts (retries after the first attempt) 0 makes exactly one.
CASES = [
    ({"mode": "standard"}, 3),
    ({"mode": "legacy"}, 5),
    ({"mode": "standard", "max_attempts": 0}, 1),
    ({"mode": "legacy", "max_attempts": 0}, 1),
]


@pytest.mark.parametrize("retries, attempts", CASES)
def test_botocore_retries_the_busy_branch_429_unless_told_not_to(server, sleeps, retries, attempts):
    client = client_with(server, retries)
    app_id = server.app_with_branch(client)
    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    with pytest.raises(client.exceptions.LimitExceededException) as excinfo:
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    response = excinfo.value.response
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]) == (429, BUSY)
    assert response["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    assert len(sleeps) == attempts - 1 and all(0 <= seconds < 20 for seconds in sleeps)
    # However often botocore asked, the branch still has its one job.
    assert [s["jobId"] for s in client.list_jobs(appId=app_id, branchName="main")["jobSummaries"]] == ["1"]
