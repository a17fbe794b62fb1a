"""The mock's timestamps are the datetimes botocore's own parser makes, made more cheaply.

botocore parses an epoch timestamp as ``datetime.fromtimestamp(value, dateutil.tz.tzlocal())``;
the mock computes the same wall time and fold without dateutil's Python code. Checked here
against ``botocore.utils.parse_timestamp`` in zones with and without daylight time, with
half-hour and negative-looking offsets, at every instant a quarter-hour apart for three hours
either side of each change (the skipped and the repeated hours included), and under freezegun.
"""

from __future__ import annotations

import time
from typing import Any, Iterator, List

import pytest
from botocore.utils import parse_timestamp
from freezegun import freeze_time

from amplify_mock._parsed import Timestamps

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Europe/Dublin",  # winter is the "negative" daylight time in tzdata
    "Australia/Lord_Howe",  # a half-hour change
    "Australia/Sydney",  # southern hemisphere
    "America/St_Johns",  # -3:30
    "Asia/Kolkata",  # +5:30, no daylight time
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/Sao_Paulo",  # daylight time abolished in 2019
    "Pacific/Apia",  # skipped a whole day in 2011
]


@pytest.fixture
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    try:
        yield request.param
    finally:
        monkeypatch.undo()
        time.tzset()


def _changes(start: int, end: int) -> List[int]:
    """Instants (to the hour) at which local daylight time starts or ends."""
    found = []
    previous = time.localtime(start).tm_isdst
    for instant in range(start, end, 3600):
        current = time.localtime(instant).tm_isdst
        if current != previous:
            found.append(instant)
            previous = current
    return found


def _instants() -> List[float]:
    values: List[float] = []
    for change in _changes(1293840000, 1924992000):  # 2011 to 2031
        values.extend(change + quarter * 900.0 for quarter in range(-12, 13))
    values += [0.0, 0.5, 86400.25, 1e-6, 1714564800.999999, 1714564800.0000005, 2147483648.5]
    values += [4102444800.0, 32503679999.0]  # 2100, and the last second of 2999
    # Microseconds as clocks give them, rounded to the microsecond as botocore's are.
    values += [1700000000.0 + step * 1234.567891 for step in range(500)]
    return values


def _same(made: Any, expected: Any) -> None:
    assert type(made) is type(expected)
    assert repr(made) == repr(expected)
    assert made.fold == expected.fold
    assert made.utcoffset() == expected.utcoffset() and made.dst() == expected.dst()
    assert made.tzname() == expected.tzname()
    assert type(made.tzinfo) is type(expected.tzinfo)


@pytest.mark.parametrize("zone", ZONES, indirect=True)
def test_timestamps_match_botocores_across_zones_and_changes(zone: str) -> None:
    made = Timestamps(parse_timestamp)
    made.refresh()
    instants = _instants()
    if time.daylight:
        assert len(instants) > 100, "no daylight-time change found"
    for value in instants:
        _same(made._make(value), parse_timestamp(value))
    # What replies are built with: the parser as a function, remembering what it made (and
    # inlining the arithmetic where the zone has one offset all year).
    for value in instants:
        _same(made.stamp(value), parse_timestamp(value))
        assert made.stamp(value) is made.stamp(value)


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Lord_Howe"], indirect=True)
def test_the_repeated_hour_is_told_apart_by_fold(zone: str) -> None:
    made = Timestamps(parse_timestamp)
    made.refresh()
    folds = {made._make(value).fold for value in _instants()}
    assert folds == {0, 1}


@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Kolkata"], indirect=True)
def test_timestamps_match_botocores_under_freezegun(zone: str) -> None:
    with freeze_time("2026-03-29 00:30:00"):
        made = Timestamps(parse_timestamp)
        made.refresh()
        for value in _instants()[:200] + [time.time(), time.time() + 3600.5]:
            _same(made._make(value), parse_timestamp(value))
            _same(made.stamp(value), parse_timestamp(value))


def test_a_change_of_zone_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    made = Timestamps(parse_timestamp)
    value = 1719835200.0  # 2024-07-01 12:00 UTC
    try:
        for name, hour in (("Asia/Tokyo", 21), ("America/New_York", 8), ("UTC", 12)):
            monkeypatch.setenv("TZ", name)
            time.tzset()
            made.refresh()
            assert made(value).hour == hour
            _same(made(value), parse_timestamp(value))
    finally:
        monkeypatch.undo()
        time.tzset()


def test_out_of_range_values_take_botocores_own_path() -> None:
    made = Timestamps(parse_timestamp)
    made.refresh()
    for value in (-86400.0 * 365, 32503680000.0, 253402300799.0):
        _same(made(value), parse_timestamp(value))
    assert made("2024-01-01T00:00:00Z") == parse_timestamp("2024-01-01T00:00:00Z")


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "Etc/GMT+5", "America/New_York"], indirect=True)
def test_whole_seconds_made_from_the_last_one_are_botocores(zone: str) -> None:
    # Where the zone has one offset, a whole second's datetime is made from the last whole
    # second's plus their difference: the same datetime, whatever the order of the instants
    # and whatever fractional ones come between.
    import random

    draw = random.Random(14)
    made = Timestamps(parse_timestamp)
    made.refresh()
    value = 1704067200.0
    for _ in range(5000):
        kind = draw.random()
        if kind < 0.6:
            value += draw.choice([2.0, 15.0, 120.0, 30.0, 10.0, 177.0, -181.0, 181.0, 3600.0])
        elif kind < 0.8:
            value = float(draw.randrange(0, 32503680000))
        else:
            value = draw.randrange(0, 4102444800) + draw.random()
        _same(made.stamp(value), parse_timestamp(value))


def _datetimes(reply: Any, path: str = "") -> Iterator[Any]:
    if isinstance(reply, dict):
        for key, value in reply.items():
            yield from _datetimes(value, f"{path}.{key}")
    elif isinstance(reply, list):
        for index, value in enumerate(reply):
            yield from _datetimes(value, f"{path}[{index}]")
    else:
        yield path, reply


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/New_York"], indirect=True)
def test_a_jobs_steps_made_from_its_start_are_botocores(zone: str) -> None:
    # A GetJob in process makes its steps' instants from the job's start where the zone has one
    # offset (jobs.Job.steps). Each must be the datetime botocore makes of the instant the
    # JSON reply holds: whole and fractional starts and durations, failures, cancellations,
    # jobs still running, near the end of the quick path's range.
    import random

    import boto3
    import requests
    import time_machine

    from amplify_mock import Durations, Outcome, mock_amplify_jobs

    draw = random.Random(14)
    with mock_amplify_jobs() as amplify:
        client = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(
            name="shop", repository="https://github.com/acme/shop", accessToken="token"
        )["app"]["appId"]
        url = f"https://amplify.us-east-1.amazonaws.com/apps/{app_id}/branches/%s/jobs/%s"
        for number, start in enumerate([1704067200.0, 1704067200.25, 1710054000.0, 32503600000.0]):
            with time_machine.travel(start, tick=False) as traveller:
                jobs = []
                for index in range(10):
                    branch = f"b{number}-{index}"
                    client.create_branch(appId=app_id, branchName=branch)
                    amplify.durations = Durations(*(
                        draw.choice([0, 1, 17, 120, 2.5, 0.125, 3600]) for _ in range(7)
                    ))
                    if draw.random() < 0.3:
                        amplify.script(app_id, branch, Outcome.fail(draw.choice(["BUILD", "DEPLOY"])))
                    job_id = client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")[
                        "jobSummary"]["jobId"]
                    traveller.shift(draw.choice([1, 30, 200, 4000, 0.75]))
                    status = client.get_job(appId=app_id, branchName=branch, jobId=job_id)["job"][
                        "summary"]["status"]
                    if draw.random() < 0.3 and status not in ("SUCCEED", "FAILED"):
                        client.stop_job(appId=app_id, branchName=branch, jobId=job_id)
                    jobs.append((branch, job_id))
                traveller.shift(20000)
                for branch, job_id in jobs + jobs:  # twice: the second from what the first remembered
                    made = client.get_job(appId=app_id, branchName=branch, jobId=job_id)["job"]
                    wire = requests.get(url % (branch, job_id), timeout=5).json()["job"]
                    made_values = dict(_datetimes(made))
                    for path, value in _datetimes(wire):
                        if path.endswith("Time"):
                            _same(made_values[path], parse_timestamp(value))
