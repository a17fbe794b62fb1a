"""Checks of what a control endpoint (``/_amplify_mock/...``) is sent, shared by every endpoint,
and where a control call (an endpoint's, or the controller's) finds its backend; a
``ValueError`` here is the endpoint's 400 reply."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Tuple

from ._dispatch import default_account
from .models import AmplifyBackend, LockedBackend, account_of, amplify_backends, region_of


def only(data: Mapping[str, Any], allowed: Sequence[str]) -> None:
    """Refuse fields the endpoint does not take, naming those it does."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValueError(f"Unknown field(s) {', '.join(unknown)}; this endpoint takes {', '.join(allowed)}.")


def text(data: Mapping[str, Any], key: str, default: Optional[str] = None) -> str:
    """A non-empty string field (``default`` when absent)."""
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a non-empty string.")
    return value


def where(data: Mapping[str, Any]) -> Tuple[str, str]:
    """(region, account id) a control request names, defaulting as :func:`located` does."""
    region = text(data, "region") if "region" in data else None
    return located(data.get("appId"), region, text(data, "accountId", default_account()))


def located(app_id: object, region: Optional[str], account_id: Optional[str]) -> Tuple[str, str]:
    """(region, account id) of a control call on app ``app_id``: the account defaults to the
    one holding the app, else as the API does; the region to the one holding the app, else
    us-east-1."""
    account_id = account_id or account_of(app_id, region, default_account())
    return region or region_of(app_id, account_id), account_id


def backend(region: str, account_id: str) -> AmplifyBackend:
    """The backend of that account and region; ValueError for a region Amplify does not serve."""
    try:
        return amplify_backends[account_id][region]
    except KeyError:
        raise _unserved(region) from None


def locked(region: str, account_id: str) -> LockedBackend:
    """As :func:`backend`, with the state lock held in the ``with`` block (LockedBackend)."""
    try:
        return LockedBackend(account_id, region)
    except KeyError:
        raise _unserved(region) from None


def _unserved(region: str) -> ValueError:
    return ValueError(f"Amplify is not available in region {region!r}.")
