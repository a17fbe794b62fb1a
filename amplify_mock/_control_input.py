"""Checks of what a control endpoint (``/_amplify_mock/...``) is sent, shared by every endpoint;
a ``ValueError`` here is the endpoint's 400 reply."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Tuple

from ._dispatch import default_account
from .models import region_of


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
    """(region, account id) a control request names. The account defaults as the API does;
    the region to the one holding the request's ``appId``, else us-east-1."""
    account_id = text(data, "accountId", default_account())
    if "region" in data:
        return text(data, "region"), account_id
    return region_of(data.get("appId"), account_id), account_id
