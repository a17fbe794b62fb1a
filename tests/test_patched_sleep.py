"""A test that patches ``time.sleep`` to drive its poll loop sees only its own sleeps.

The mock serves upload, log and artifact URLs from a loopback listener whose threads wait
now and then; they must never call the test's patched ``time.sleep`` (which would list sleeps
the code under test never made, tick the test's clock, or raise if the test forbids sleeping).
"""

from __future__ import annotations

import time
from typing import Any, List
from unittest import mock

import boto3
import requests
from freezegun import freeze_time

from amplify_mock import mock_amplify_jobs

EMPTY_ZIP = b"PK\x05\x06" + b"\0" * 18


def deploy_and_wait(client: Any, app_id: str) -> str:
    """A user's deploy script: upload, start, poll with time.sleep."""
    created = client.create_deployment(appId=app_id, branchName="main")
    assert requests.put(created["zipUploadUrl"], data=EMPTY_ZIP, timeout=5).status_code == 200
    started = client.start_deployment(appId=app_id, branchName="main", jobId=created["jobId"])
    job_id = started["jobSummary"]["jobId"]
    while True:
        job = client.get_job(appId=app_id, branchName="main", jobId=job_id)["job"]
        if job["summary"]["status"] in ("SUCCEED", "FAILED", "CANCELLED"):
            for step in job["steps"]:
                requests.get(step["logUrl"], timeout=5).raise_for_status()
            return str(job["summary"]["status"])
        time.sleep(10)


def test_a_patched_sleep_sees_only_the_scripts_sleeps_the_mock_stop_included() -> None:
    with freeze_time("2026-01-01") as clock:
        with mock.patch("time.sleep", side_effect=lambda seconds: clock.tick(seconds)) as sleep:
            with mock_amplify_jobs():
                client = boto3.client("amplify", region_name="us-east-1")
                app_id = client.create_app(name="site")["app"]["appId"]
                client.create_branch(appId=app_id, branchName="main")
                assert deploy_and_wait(client, app_id) == "SUCCEED"
                during = list(sleep.call_args_list)
            after_stop = list(sleep.call_args_list)
    assert during and {call.args for call in during} == {(10,)}
    assert after_stop == during


def test_a_sleep_the_test_forbids_never_breaks_the_listener() -> None:
    calls: List[float] = []

    def forbidden(seconds: float) -> None:
        calls.append(seconds)
        raise AssertionError("this test must not sleep")

    with mock.patch("time.sleep", side_effect=forbidden):
        with mock_amplify_jobs():
            client = boto3.client("amplify", region_name="us-east-1")
            app_id = client.create_app(name="site")["app"]["appId"]
            client.create_branch(appId=app_id, branchName="main")
            created = client.create_deployment(appId=app_id, branchName="main")
            for _ in range(3):  # a few connections, so that the listener's workers start
                assert requests.put(created["zipUploadUrl"], data=EMPTY_ZIP, timeout=5).status_code == 200
    assert calls == []
