"""Adding access log rows: the controller's method (mixed into ``AmplifyJobs``) and the
server's ``/_amplify_mock/access-logs`` endpoint.

The endpoint handlers raise ValueError or TypeError for bad input (the server answers 400) and
the API's own errors for a missing app or domain (404), as the other control endpoints do.
"""

from __future__ import annotations

import datetime
from typing import Any, Dict, Mapping, Optional, Union

from . import _clock
from ._control_input import located, locked, only, text, where
from .domains import domain_key

Instant = Union[datetime.datetime, float, int]
# The timestamps the API takes end before the year 10000; so do the rows' instants.
_YEAR_10000 = 253402300800


def _epoch(at: Optional[Instant]) -> float:
    if at is None:
        return _clock.now()
    if isinstance(at, datetime.datetime):
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware (e.g. datetime.timezone.utc), or epoch seconds.")
        return at.timestamp()
    if isinstance(at, bool) or not isinstance(at, (int, float)) or not 0 <= at < _YEAR_10000:
        raise ValueError(f"at must be a datetime or epoch seconds >= 0 (before the year 10000), got {at!r}")
    return float(at)


class AccessLogControls:
    """The controller's access log method."""

    def add_access_log(
        self,
        app_id: str,
        domain_name: str,
        fields: Optional[Mapping[str, Union[str, int, float]]] = None,
        *,
        at: Optional[Instant] = None,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> Dict[str, str]:
        """Record a request the app's ``domain_name`` served at ``at`` (default: the mock's
        now), for GenerateAccessLogs to hand out. ``fields`` sets columns by their names in the
        CSV (``"sc-status"``, ``"cs-uri-stem"``, ``"cs(User-Agent)"``, ...); the others get
        plausible values, and ``date`` and ``time`` come from ``at``. Returns the row by column,
        as the CSV holds it."""
        if fields is not None and not isinstance(fields, Mapping):
            raise TypeError("fields must be a mapping of column name to value")
        when = _epoch(at)
        with locked(*located(app_id, region, account_id)) as backend:
            return backend.add_access_log(app_id, domain_name, dict(fields or {}), when)


# Server control endpoint

_controls = AccessLogControls()
_WHERE = ("appId", "domainName", "region", "accountId")


def rows_get(data: Mapping[str, Any]) -> Dict[str, Any]:
    """The rows of the app's domain, oldest first."""
    only(data, _WHERE)
    with locked(*where(data)) as backend:
        app = backend.get_app(text(data, "appId"))
        domain_name = text(data, "domainName")
        backend.domains.get(app, domain_name)
        return {"rows": backend.access_logs.listed(app.app_id, domain_key(domain_name))}


def rows_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    """``{"appId", "domainName", "fields": {column: value}, "at": epoch seconds}``: one row."""
    only(data, ("fields", "at") + _WHERE)
    fields = data.get("fields", {})
    if not isinstance(fields, dict):
        raise ValueError("fields must be an object of column name to value.")
    region, account_id = where(data)
    row = _controls.add_access_log(
        text(data, "appId"),
        text(data, "domainName"),
        fields,
        at=data.get("at"),
        region=region,
        account_id=account_id,
    )
    return {"row": row}
