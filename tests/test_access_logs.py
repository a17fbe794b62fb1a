"""GenerateAccessLogs through boto3: a domain associated with the app is needed, the window is
at most two weeks, and the logUrl's CSV holds the rows the controller added inside the window,
in AWS's access-log columns; under freezegun and time-machine."""

from __future__ import annotations

import datetime
from typing import Any, List

import pytest
import requests

from amplify_mock import AmplifyJobs
from amplify_mock.access_logs import COLUMNS
from amplify_mock.exceptions import NotFoundException
from tests.clocks import START, Clock, clock_fixture  # noqa: F401  (provides the ``clock`` fixture)
from tests.helpers import amplify, error
from tests.robust_support import state_bytes

T0 = START.timestamp()
HOUR = 3600.0
DAY = 24 * HOUR
# The header of Amplify's access-log CSV (parentheses escaped, as in the files AWS hands out).
HEADER = (
    "date,time,x-edge-location,sc-bytes,c-ip,cs-method,cs\\(Host\\),cs-uri-stem,sc-status,"
    "cs\\(Referer\\),cs\\(User-Agent\\),cs-uri-query,cs\\(Cookie\\),x-edge-result-type,"
    "x-edge-request-id,x-host-header,cs-protocol,cs-bytes,time-taken,x-forwarded-for,"
    "ssl-protocol,ssl-cipher,x-edge-response-result-type,cs-protocol-version,fle-status,"
    "fle-encrypted-fields,c-port,time-to-first-byte,x-edge-detailed-result-type,"
    "sc-content-type,sc-content-len,sc-range-start,sc-range-end"
)


@pytest.fixture
def client(amplify_jobs: AmplifyJobs, clock: Clock) -> Any:
    return amplify()


@pytest.fixture
def app_id(client: Any) -> str:
    app_id = str(client.create_app(name="shop")["app"]["appId"])
    client.create_branch(appId=app_id, branchName="main")
    client.create_domain_association(
        appId=app_id,
        domainName="example.com",
        subDomainSettings=[{"prefix": "", "branchName": "main"}, {"prefix": "www", "branchName": "main"}],
    )
    return app_id


def at(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(T0 + seconds, datetime.timezone.utc)


def fetch(url: str) -> List[List[str]]:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/csv"
    lines = response.text.splitlines()
    assert lines[0] == HEADER
    return [line.split(",") for line in lines[1:]]


def log_url(client: Any, app_id: str, **kwargs: Any) -> str:
    return str(client.generate_access_logs(appId=app_id, domainName="example.com", **kwargs)["logUrl"])


def paths(rows: List[List[str]]) -> List[str]:
    return [row[COLUMNS.index("cs-uri-stem")] for row in rows]


def test_the_csv_header_is_amplifys_33_columns(client: Any, app_id: str) -> None:
    assert len(COLUMNS) == 33 and len(HEADER.split(",")) == 33
    assert fetch(log_url(client, app_id)) == []  # no rows added: the header alone


def test_rows_inside_the_window_are_listed_oldest_first_ends_included(
    client: Any, app_id: str, amplify_jobs: AmplifyJobs
) -> None:
    added = [(-2 * HOUR, "/a"), (-HOUR, "/b"), (-1800, "/c"), (-HOUR - 1, "/before"), (1, "/after")]
    for offset, path in added:
        amplify_jobs.add_access_log(app_id, "example.com", {"cs-uri-stem": path}, at=T0 + offset)
    rows = fetch(log_url(client, app_id, startTime=at(-HOUR), endTime=at(0)))
    assert paths(rows) == ["/b", "/c"]
    rows = fetch(log_url(client, app_id, startTime=at(-2 * HOUR), endTime=at(-HOUR)))
    assert paths(rows) == ["/a", "/before", "/b"]


def test_a_row_carries_what_was_given_and_plausible_defaults(
    client: Any, app_id: str, amplify_jobs: AmplifyJobs
) -> None:
    row = amplify_jobs.add_access_log(
        app_id,
        "EXAMPLE.com.",
        {
            "sc-status": 404,
            "cs-uri-stem": "/missing",
            "cs(User-Agent)": "Mozilla/5.0 (X11, Linux)",
            "cs-uri-query": "a=1",
            "time-taken": 0.25,
        },
        at=at(-60),
    )
    assert row["date"] == "2024-05-01" and row["time"] == "11:59:00"
    assert row["sc-status"] == "404" and row["x-edge-result-type"] == "Error"
    # Spaces URL-encoded, commas dropped, parentheses and "=" escaped, as in Amplify's files.
    assert row["cs(User-Agent)"] == "Mozilla/5.0%20\\(X11%20Linux\\)"
    assert row["cs-uri-query"] == "a\\=1"
    assert row["time-taken"] == "0.25"
    assert row["x-host-header"] == "example.com"
    assert row["cs(Host)"].endswith(".cloudfront.net")
    assert row["cs-method"] == "GET" and row["cs-protocol"] == "https"
    assert len(row["x-edge-request-id"]) == 56
    (line,) = fetch(log_url(client, app_id))
    assert dict(zip(COLUMNS, line)) == row
    # The host names the distribution the domain's DNS records point at once assigned.
    association = client.get_domain_association(appId=app_id, domainName="example.com")
    assert association["domainAssociation"]["domainStatus"] == "CREATING"


def test_rows_default_to_the_mock_clock(
    client: Any, app_id: str, amplify_jobs: AmplifyJobs, clock: Clock
) -> None:
    clock.advance(90)
    row = amplify_jobs.add_access_log(app_id, "example.com")
    assert (row["date"], row["time"]) == ("2024-05-01", "12:01:30")
    assert len(fetch(log_url(client, app_id))) == 1


def test_without_times_the_window_is_the_two_weeks_up_to_now(
    client: Any, app_id: str, amplify_jobs: AmplifyJobs
) -> None:
    amplify_jobs.add_access_log(app_id, "example.com", {"cs-uri-stem": "/old"}, at=T0 - 14 * DAY - 1)
    amplify_jobs.add_access_log(app_id, "example.com", {"cs-uri-stem": "/first"}, at=T0 - 14 * DAY)
    amplify_jobs.add_access_log(app_id, "example.com", {"cs-uri-stem": "/now"}, at=T0)
    amplify_jobs.add_access_log(app_id, "example.com", {"cs-uri-stem": "/future"}, at=T0 + 1)
    assert paths(fetch(log_url(client, app_id))) == ["/first", "/now"]
    # Only an end: the two weeks before it; only a start: from it up to now.
    assert paths(fetch(log_url(client, app_id, endTime=at(1)))) == ["/now", "/future"]
    assert paths(fetch(log_url(client, app_id, startTime=at(-HOUR)))) == ["/now"]


def test_a_window_of_exactly_two_weeks_is_taken(client: Any, app_id: str) -> None:
    assert log_url(client, app_id, startTime=at(-14 * DAY), endTime=at(0)).startswith("http://127.0.0.1:")


def test_a_window_ending_at_the_epoch_starts_there(
    client: Any, app_id: str, amplify_jobs: AmplifyJobs
) -> None:
    amplify_jobs.add_access_log(app_id, "example.com", at=0)
    url = log_url(client, app_id, endTime=datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc))
    assert "/0-0.csv?" in url
    assert [row[:2] for row in fetch(url)] == [["1970-01-01", "00:00:00"]]


def test_the_url_is_served_on_loopback_and_names_the_window(client: Any, app_id: str) -> None:
    url = log_url(client, app_id, startTime=at(-HOUR), endTime=at(0))
    assert url.startswith("http://127.0.0.1:")
    assert f"/{app_id}/example.com/{int(T0 - HOUR)}-{int(T0)}.csv?X-Amz-Date=" in url
    assert "X-Amz-Expires=10800" in url


@pytest.mark.parametrize(
    "window, message",
    [
        (
            {"startTime": at(0), "endTime": at(-1)},
            "startTime (2024-05-01T12:00:00Z) is after endTime (2024-05-01T11:59:59Z); the time "
            "range of an access log request must start before it ends.",
        ),
        (
            {"startTime": at(-14 * DAY - 1), "endTime": at(0)},
            "The time range from 2024-04-17T11:59:59Z to 2024-05-01T12:00:00Z is longer than two "
            "weeks; each request for access logs is limited to a two week time period.",
        ),
        (
            {"startTime": at(-15 * DAY)},
            "The time range from 2024-04-16T12:00:00Z to 2024-05-01T12:00:00Z is longer than two "
            "weeks; each request for access logs is limited to a two week time period.",
        ),
    ],
)
def test_a_bad_window_is_refused_and_changes_nothing(
    client: Any, app_id: str, window: Any, message: str
) -> None:
    before = state_bytes()
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        client.generate_access_logs(appId=app_id, domainName="example.com", **window)
    assert error(excinfo) == ("BadRequestException", 400, message)
    assert state_bytes() == before


def test_a_domain_not_associated_with_the_app_is_not_found(client: Any, app_id: str) -> None:
    other = client.create_app(name="other")["app"]["appId"]
    before = state_bytes()
    for where, message in [
        (
            {"appId": app_id, "domainName": "example.org"},
            f"Domain association example.org not found for app {app_id}.",
        ),
        (
            {"appId": other, "domainName": "example.com"},
            f"Domain association example.com not found for app {other}.",
        ),
        ({"appId": "dnothere", "domainName": "example.com"}, "App dnothere not found."),
    ]:
        with pytest.raises(client.exceptions.NotFoundException) as excinfo:
            client.generate_access_logs(**where)
        assert error(excinfo) == ("NotFoundException", 404, message)
    assert state_bytes() == before


def test_the_domain_name_matches_as_domains_do(client: Any, app_id: str, amplify_jobs: AmplifyJobs) -> None:
    amplify_jobs.add_access_log(app_id, "example.com", at=T0)
    for name in ("example.com", "Example.COM", "example.com."):
        url = client.generate_access_logs(appId=app_id, domainName=name)["logUrl"]
        assert len(fetch(url)) == 1


def test_the_url_expires_after_three_hours(client: Any, app_id: str, clock: Clock) -> None:
    url = log_url(client, app_id)
    clock.advance(10800)
    assert fetch(url) == []
    clock.advance(1)
    response = requests.get(url, timeout=10)
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in response.text


def test_an_edited_url_or_another_method_does_not_match_the_signature(client: Any, app_id: str) -> None:
    url = log_url(client, app_id, startTime=at(-HOUR), endTime=at(0))
    widened = url.replace(f"{int(T0 - HOUR)}-", f"{int(T0 - 2 * HOUR)}-")
    for method, target in [("GET", widened), ("PUT", url), ("POST", url), ("DELETE", url)]:
        response = requests.request(method, target, timeout=10)
        assert response.status_code == 403, method
        assert "<Code>SignatureDoesNotMatch</Code>" in response.text
    assert requests.head(url, timeout=10).status_code == 200


def test_rows_are_read_when_the_url_is_fetched(client: Any, app_id: str, amplify_jobs: AmplifyJobs) -> None:
    url = log_url(client, app_id)
    amplify_jobs.add_access_log(app_id, "example.com", at=T0 - 10)
    assert len(fetch(url)) == 1


def test_deleting_the_domain_or_the_app_deletes_its_logs(
    client: Any, app_id: str, amplify_jobs: AmplifyJobs
) -> None:
    amplify_jobs.add_access_log(app_id, "example.com", at=T0)
    url = log_url(client, app_id)
    client.delete_domain_association(appId=app_id, domainName="example.com")
    assert requests.get(url, timeout=10).status_code == 404
    client.create_domain_association(
        appId=app_id, domainName="example.com", subDomainSettings=[{"prefix": "", "branchName": "main"}]
    )
    assert fetch(log_url(client, app_id)) == []  # the old rows went with the old association
    amplify_jobs.add_access_log(app_id, "example.com", at=T0)
    url = log_url(client, app_id)
    client.delete_app(appId=app_id)
    response = requests.get(url, timeout=10)
    assert response.status_code == 404 and "<Code>NoSuchKey</Code>" in response.text
    assert amplify_jobs.backend().access_logs.rows == {}


def test_logs_belong_to_their_account_and_region(amplify_jobs: AmplifyJobs, clock: Clock) -> None:
    east, west = amplify("us-east-1"), amplify("us-west-2")
    ids = []
    for client in (east, west):
        app_id = client.create_app(name="shop")["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        client.create_domain_association(
            appId=app_id, domainName="example.com", subDomainSettings=[{"prefix": "", "branchName": "main"}]
        )
        ids.append(app_id)
    amplify_jobs.add_access_log(ids[1], "example.com", at=T0, region="us-west-2")
    assert fetch(log_url(east, ids[0])) == []
    assert len(fetch(log_url(west, ids[1]))) == 1
    with pytest.raises(NotFoundException, match=f"App {ids[1]} not found"):
        amplify_jobs.add_access_log(ids[1], "example.com", at=T0, region="us-east-1")  # it is in us-west-2
    amplify_jobs.add_access_log(ids[1], "example.com", at=T0)  # found in its own region
    assert len(fetch(log_url(west, ids[1]))) == 2


def test_reset_forgets_the_rows(client: Any, app_id: str, amplify_jobs: AmplifyJobs) -> None:
    amplify_jobs.add_access_log(app_id, "example.com", at=T0)
    amplify_jobs.reset()
    assert amplify_jobs.backend().access_logs.rows == {}


def test_the_controller_refuses_bad_rows_and_changes_nothing(
    client: Any, app_id: str, amplify_jobs: AmplifyJobs
) -> None:
    before = state_bytes()
    with pytest.raises(ValueError, match="Unknown access log column"):
        amplify_jobs.add_access_log(app_id, "example.com", {"status": 200})
    with pytest.raises(ValueError, match="come from the row's instant"):
        amplify_jobs.add_access_log(app_id, "example.com", {"date": "2024-05-01"})
    with pytest.raises(TypeError, match="must be a str, int or float"):
        amplify_jobs.add_access_log(app_id, "example.com", {"sc-bytes": None})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="timezone-aware"):
        amplify_jobs.add_access_log(app_id, "example.com", at=datetime.datetime(2024, 5, 1))
    for bad in (-1, 253402300800, "now", True):
        with pytest.raises(ValueError, match="epoch seconds"):
            amplify_jobs.add_access_log(app_id, "example.com", at=bad)  # type: ignore[arg-type]
    with pytest.raises(NotFoundException, match=f"Domain association example.org not found for app {app_id}"):
        amplify_jobs.add_access_log(app_id, "example.org")
    assert state_bytes() == before
