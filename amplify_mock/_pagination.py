"""Opaque, validated pagination tokens over sequences ordered by an integer key."""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left
from typing import Callable, List, Optional, Sequence, Tuple, TypeVar

from .exceptions import BadRequestException

T = TypeVar("T")

_PREFIX = "amplify-mock:"


def encode_token(kind: str, key: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{kind}:{key}".encode()).decode()


def decode_token(kind: str, token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    prefix = f"{_PREFIX}{kind}:"
    if text.startswith(prefix) and text[len(prefix):].isdigit():
        return int(text[len(prefix):])
    raise BadRequestException(
        f"The nextToken {token!r} is not valid for this {kind} listing; pass back the "
        "nextToken of the previous page unchanged, or omit it to start from the beginning."
    )


def page_ascending(
    kind: str,
    items: Sequence[T],
    key: Callable[[T], int],
    token: Optional[str],
    max_results: Optional[int],
    limit: int,
) -> Tuple[List[T], Optional[str]]:
    """A page of ``items`` (ascending by ``key``) starting at the token's key.

    ``max_results`` of None or 0 means ``limit``, as the Amplify API treats it."""
    size = max_results or limit
    start = 0
    if token is not None:
        first_key = decode_token(kind, token)
        keys = [key(item) for item in items]
        start = bisect_left(keys, first_key)
    chunk = list(items[start : start + size])
    next_token = None
    if start + size < len(items):
        next_token = encode_token(kind, key(items[start + size]))
    return chunk, next_token
