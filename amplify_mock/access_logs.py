"""Access logs of an app's custom domains: the rows GenerateAccessLogs hands out as a CSV.

AWS keeps a row per request its CloudFront distribution served; the mock keeps the rows a test
adds (the controller's ``add_access_log`` or the server's ``/_amplify_mock/access-logs``), and
none otherwise. GenerateAccessLogs changes nothing: its ``logUrl`` names the app, the domain and
the window, and the CSV is read from the rows when the URL is fetched (by
``amplify_mock._content``, which serves every content URL).

This module knows apps and domain associations only through the arguments it is given, so it
never imports the backend that composes it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import string
import time
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple
from urllib.parse import quote, unquote

from moto.moto_api._internal import mock_random

from .exceptions import BadRequestException

# The columns of an Amplify access log, in order: CloudFront's standard log fields, as the
# CSV Amplify hands out names them (the header of real Amplify access logs, quoted by parsers
# written against them, e.g. a log downloader whose design notes list
# "date,time,x-edge-location,...,sc-range-start,sc-range-end"). AWS's user guide ("Retrieving
# and analyzing access logs") sends readers to Athena's CloudFront table for their meaning.
COLUMNS: Tuple[str, ...] = (
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
)
_COLUMN_SET = frozenset(COLUMNS)
# date and time come from the row's instant, so that the window and the CSV always agree.
_FROM_INSTANT = ("date", "time")

# "each individual request for access logs is limited to a two week time period that you
# specify" (AWS Amplify Hosting user guide, "Retrieving and analyzing access logs"); how far
# back is not limited: "Amplify retains all access logs for an app until you delete the app".
MAX_WINDOW = 14 * 24 * 3600

# Where the mock serves the CSVs (the server, or the in-process loopback listener).
PATH = "/_amplify_mock/accesslogs/"
# Presigned like the other content URLs the mock hands out (three hours).
EXPIRES = 10800

_SECRET = os.urandom(32)
_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits + "_-"


def window(start: Optional[float], end: Optional[float], now: float) -> Tuple[float, float]:
    """The (start, end) a GenerateAccessLogs request asks for, both inclusive, as the API
    reference says. Neither is required and AWS documents no default: without endTime the mock
    ends the window now, and without startTime it starts it two weeks before its end (the
    longest window one request may span)."""
    end = now if end is None else end
    start = max(end - MAX_WINDOW, 0.0) if start is None else start
    if start > end:
        raise BadRequestException(
            f"startTime ({_iso(start)}) is after endTime ({_iso(end)}); the time range of an "
            "access log request must start before it ends."
        )
    if end - start > MAX_WINDOW:
        raise BadRequestException(
            f"The time range from {_iso(start)} to {_iso(end)} is longer than two weeks; each "
            "request for access logs is limited to a two week time period."
        )
    return start, end


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(seconds)))


def _value(column: str, value: Any) -> str:
    """A field as Amplify's CSV spells it: spaces as %20 (CloudFront URL-encodes them), commas
    dropped and parentheses and "=" escaped with a backslash (what parsers of live Amplify logs
    undo: "Mozilla/5.0%20\\(Macintosh;...\\)%20AppleWebKit/537.36%20\\(KHTML%20like%20Gecko\\)"),
    and "-" for an empty field, as CloudFront writes it."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError(f"access log field {column!r} must be a str, int or float, got {value!r}")
    text = str(value)
    if text == "":
        return "-"
    text = text.replace(",", "").replace("\r", "%0D").replace("\n", "%0A").replace(" ", "%20")
    return re.sub(r"([()=])", r"\\\1", text)


def header() -> str:
    return ",".join(_value(column, column) for column in COLUMNS)


class AccessLogs:
    """The access log rows of one account in one region, by (appId, domain key)."""

    def __init__(self) -> None:
        self.rows: Dict[Tuple[str, str], List[Tuple[float, int, Tuple[str, ...]]]] = {}
        self.seq = 0

    def add(
        self,
        app_id: str,
        domain: str,
        host: str,
        distribution: str,
        at: float,
        fields: Mapping[str, Any],
    ) -> Dict[str, str]:
        """Record one request served at ``at`` for ``host`` (one of the domain's names) by
        ``distribution``; what ``fields`` leaves out gets a plausible value. Returns the row by
        column, as the CSV holds it."""
        unknown = sorted(set(fields) - _COLUMN_SET)
        if unknown:
            raise ValueError(
                f"Unknown access log column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}."
            )
        dated = [column for column in _FROM_INSTANT if column in fields]
        if dated:
            raise ValueError(
                f"{' and '.join(dated)} come from the row's instant; pass at= (epoch seconds or a "
                "datetime) instead."
            )
        stamp = time.gmtime(int(at))
        given = {column: _value(column, value) for column, value in fields.items()}
        status = str(given.get("sc-status", "200"))
        result = "Error" if status[:1] in ("4", "5") else "Hit"
        defaults = {
            "date": time.strftime("%Y-%m-%d", stamp),
            "time": time.strftime("%H:%M:%S", stamp),
            "x-edge-location": "IAD89-P1",
            "sc-bytes": "1024",
            "c-ip": "192.0.2.1",
            "cs-method": "GET",
            "cs(Host)": f"{distribution}.cloudfront.net",
            "cs-uri-stem": "/",
            "sc-status": "200",
            "cs(Referer)": "-",
            "cs(User-Agent)": "Mozilla/5.0",
            "cs-uri-query": "-",
            "cs(Cookie)": "-",
            "x-edge-result-type": result,
            "x-edge-request-id": _request_id(),
            "x-host-header": host,
            "cs-protocol": "https",
            "cs-bytes": "512",
            "time-taken": "0.002",
            "x-forwarded-for": "-",
            "ssl-protocol": "TLSv1.3",
            "ssl-cipher": "TLS_AES_128_GCM_SHA256",
            "x-edge-response-result-type": result,
            "cs-protocol-version": "HTTP/2.0",
            "fle-status": "-",
            "fle-encrypted-fields": "-",
            "c-port": "49152",
            "time-to-first-byte": "0.002",
            "x-edge-detailed-result-type": result,
            "sc-content-type": "text/html",
            "sc-content-len": "-",
            "sc-range-start": "-",
            "sc-range-end": "-",
        }
        row = tuple(given.get(column, defaults[column]) for column in COLUMNS)
        self.seq += 1
        self.rows.setdefault((app_id, domain), []).append((float(int(at)), self.seq, row))
        return dict(zip(COLUMNS, row))

    def between(self, app_id: str, domain: str, start: float, end: float) -> List[Tuple[str, ...]]:
        """The rows inside [start, end], oldest first (in the order added, for one instant).
        Rows are kept to the second, as the CSV writes them: a window is compared at that
        resolution."""
        low, high = math.ceil(start), math.floor(end)
        rows = sorted(self.rows.get((app_id, domain), ()))
        return [row for at, _, row in rows if low <= at <= high]

    def listed(self, app_id: str, domain: str) -> List[Dict[str, str]]:
        return [dict(zip(COLUMNS, row)) for _, _, row in sorted(self.rows.get((app_id, domain), ()))]

    def forget_domain(self, app_id: str, domain: str) -> None:
        self.rows.pop((app_id, domain), None)

    def forget_app(self, app_id: str) -> None:
        for key in [key for key in self.rows if key[0] == app_id]:
            del self.rows[key]


def _request_id() -> str:
    # CloudFront's request ids: 56 URL-safe base64 characters.
    return "".join(mock_random.choice(_REQUEST_ID_ALPHABET) for _ in range(56))


def csv(rows: Iterable[Tuple[str, ...]]) -> bytes:
    """The CSV of ``rows``: the header, then a line per row (the header alone without rows)."""
    lines = [header()] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


# The log URL: /_amplify_mock/accesslogs/{account}/{region}/{appId}/{domain}/{start}-{end}.csv,
# presigned for a GET. Every segment is percent-encoded; the window is in epoch seconds.

_NAME = re.compile(r"^(\d+)-(\d+)\.csv$")


def log_path(account_id: str, region: str, app_id: str, domain: str, start: float, end: float) -> str:
    parts = [quote(part, safe="") for part in (account_id, region, app_id, domain)]
    return PATH + "/".join(parts) + f"/{int(start)}-{int(end)}.csv"


def parse_path(path: str) -> Optional[Tuple[str, str, str, str, int, int]]:
    """(account, region, appId, domain, start, end) of a log path, or None if it is not one."""
    parts = path[len(PATH):].split("/")
    if len(parts) != 5:
        return None
    name = _NAME.match(parts[4])
    if name is None:
        return None
    account_id, region, app_id, domain = (unquote(part) for part in parts[:4])
    return account_id, region, app_id, domain, int(name.group(1)), int(name.group(2))


def _amz_date(at: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(int(at)))


def signature(path: str, date: str, expires: str) -> str:
    canonical = unquote(path)
    return hmac.new(_SECRET, f"GET\n{canonical}\n{date}\n{expires}".encode(), hashlib.sha256).hexdigest()


def presigned(origin: str, path: str, now: float) -> str:
    """The log URL on ``origin``, signed like a presigned S3 GET issued at ``now``."""
    date, expires = _amz_date(now), str(EXPIRES)
    return (
        f"{origin}{path}?X-Amz-Date={date}&X-Amz-Expires={expires}"
        f"&X-Amz-Signature={signature(path, date, expires)}"
    )
