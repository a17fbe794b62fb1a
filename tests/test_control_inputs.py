"""Control inputs are checked: what the controller and the control endpoints refuse, and why."""

from __future__ import annotations

import datetime
import time
from typing import Any

import boto3
import pytest
from freezegun import freeze_time

from amplify_mock import Durations, Outcome, mock_amplify_jobs
from amplify_mock._clock import LATEST
from amplify_mock._lifecycle import MAX_PHASE_SECONDS
from tests.server_support import REPO, Served, server_fixture  # noqa: F401

TEN_YEARS = 10 * 365 * 86400


# --- A scripted reason is a string -----------------------------------------------------------


@pytest.mark.parametrize("reason", [5, b"bytes", ["list"], {"a": 1}, 1.5, True])
def test_an_outcome_reason_must_be_a_string(reason: Any) -> None:
    with pytest.raises(TypeError, match="reason must be a string"):
        Outcome("FAIL", "BUILD", reason)
    with pytest.raises(TypeError, match="reason must be a string"):
        Outcome.fail("BUILD", reason)


def test_the_script_endpoint_refuses_a_reason_that_is_not_a_string(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    outcome = {"kind": "FAIL", "step": "BUILD", "reason": 42}
    script = {"appId": app_id, "branchName": "main", "outcomes": [outcome]}
    response = server.control("POST", "script", json=script)
    assert response.status_code == 400
    assert "reason must be a string" in response.json()["message"]
    # Nothing was queued.
    queued = server.control("GET", "script", params={"appId": app_id, "branchName": "main"})
    assert queued.json() == {"outcomes": []}


# --- Durations stay within what a reply can carry --------------------------------------------


def test_a_phase_longer_than_ten_years_is_refused_naming_the_bound() -> None:
    assert Durations(build=MAX_PHASE_SECONDS).build == TEN_YEARS
    with pytest.raises(ValueError, match=r"Durations.build must be at most 315360000 seconds \(10 years\)"):
        Durations(build=MAX_PHASE_SECONDS + 1)
    with pytest.raises(ValueError, match="Durations.pending must be at most"):
        Durations(pending=1e300)


def test_the_durations_endpoint_refuses_a_phase_past_the_bound(server: Served) -> None:
    response = server.control("POST", "durations", json={"build": 1e12})
    assert response.status_code == 400
    assert "Durations.build must be at most 315360000 seconds (10 years)" in response.json()["message"]
    assert server.control("GET", "durations").json()["build"] == 120.0


# --- The clock stays where every reported time can be parsed ---------------------------------


def test_an_offset_past_the_year_9900_is_refused_and_changes_nothing(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    response = server.control("POST", "clock", json={"offset": 1e12})
    assert response.status_code == 400
    message = response.json()["message"]
    assert "offset must keep the mock's clock between 1970-01-01T00:00:00Z and 9900-01-01T00:00:00Z" in (
        message
    )
    assert server.control("GET", "clock").json()["offset"] == 0.0
    # Every later call still parses its reply (before the bound, none did until a reset).
    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    assert client.get_app(appId=app_id)["app"]["appId"] == app_id


def test_an_offset_before_1970_and_an_advance_past_the_bound_are_refused(server: Served) -> None:
    before = server.control("POST", "clock", json={"offset": -time.time() - 10})
    assert before.status_code == 400 and "between 1970-01-01T00:00:00Z" in before.json()["message"]
    advance = server.control("POST", "clock", json={"advance": LATEST})
    assert advance.status_code == 400
    assert advance.json()["message"].startswith("advance must keep the mock's clock between")
    assert server.control("GET", "clock").json()["offset"] == 0.0


def test_at_the_latest_clock_with_the_longest_phases_every_reply_parses(server: Served) -> None:
    # The worst case the bounds allow through the server: the clock just before 9900-01-01 and
    # every phase 10 years long.
    client = server.client()
    app_id = server.app_with_branch(client)
    longest = {name: MAX_PHASE_SECONDS for name in ("pending", "provisioning", "build", "deploy", "verify")}
    assert server.control("POST", "durations", json=longest).status_code == 200
    offset = LATEST - time.time() - 60
    assert server.control("POST", "clock", json={"offset": offset}).status_code == 200
    job_id = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]["jobId"]
    client.stop_job(appId=app_id, branchName="main", jobId=job_id)
    job = client.get_job(appId=app_id, branchName="main", jobId=job_id)["job"]
    assert job["summary"]["startTime"].year == 9899
    assert job["summary"]["status"] == "CANCELLING"
    assert client.update_app(appId=app_id, description="late")["app"]["updateTime"].year == 9899


def test_the_manual_progression_at_the_latest_clock_reports_year_9999_at_most() -> None:
    from moto.moto_api import state_manager

    longest = Durations(*(MAX_PHASE_SECONDS,) * 6)
    latest = datetime.datetime.fromtimestamp(LATEST - 60, datetime.timezone.utc)
    state_manager.set_transition("amplify::job", {"progression": "manual", "times": 1})
    try:
        with freeze_time(latest), mock_amplify_jobs() as amplify:
            client = boto3.client("amplify", region_name="us-east-1")
            app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
            client.create_branch(appId=app_id, branchName="main")
            amplify.durations = longest
            job = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]
            job_id = job["jobId"]
            seen = []
            for _ in range(8):
                job = client.get_job(appId=app_id, branchName="main", jobId=job_id)["job"]
                seen.append(job["summary"]["status"])
            assert seen[-1] == "SUCCEED"
            # The whole path at once: five phases of ten years past the start.
            assert job["summary"]["endTime"].year == 9949
    finally:
        state_manager.unset_transition("amplify::job")


def test_the_in_process_clock_refuses_the_same_bounds() -> None:
    from amplify_mock import _clock

    with mock_amplify_jobs():
        with pytest.raises(ValueError, match="offset must keep the mock's clock between"):
            _clock.set_offset(1e12)
        with pytest.raises(ValueError, match="advance must keep the mock's clock between"):
            _clock.advance(1e12)
        assert _clock.offset() == 0.0


def test_a_frozen_clock_past_the_bound_still_starts_the_mock() -> None:
    # The bound is on moves the mock makes; a clock frozen late by the test itself is its own.
    with freeze_time("9950-01-01"), mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        assert client.list_apps()["apps"] == []
