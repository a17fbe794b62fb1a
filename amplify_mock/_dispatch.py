"""From one HTTP request to one AWS-shaped HTTP response, whichever way the request came in
(botocore in-process, ``requests`` through ``responses``, moto's stubber, or the server)."""

from __future__ import annotations

import itertools
import os
import re
import sys
import uuid
from typing import Any, Callable, Dict, Literal, Mapping, Optional, Tuple, Union, overload

from botocore.model import OperationModel, ServiceModel
from moto.core.models import DEFAULT_ACCOUNT_ID

from ._content import is_webhook_url, webhook_reply
from ._protocol import parse_request, quick_parser, route, serialize, split_url
from ._registration import DOMAINS
from .exceptions import (
    AmplifyError,
    BadRequestException,
    InternalFailureException,
    NotImplementedByMockException,
)
from .jobs import Stamp
from .models import STATE_LOCK, AmplifyBackend, LockedBackend, current_backend
from .responses import OPERATIONS, PARSED

Response = Tuple[int, Dict[str, str], bytes]
# An answer whose successful body is still the operation's result, not yet JSON.
Result = Tuple[int, Dict[str, str], Union[bytes, Dict[str, Any]]]

_HOST_REGION = re.compile(r"^amplify(?:-fips)?\.([a-z0-9-]+)\." + DOMAINS, re.IGNORECASE)
_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/")
_JSON = {"Content-Type": "application/json"}

# Request ids shaped like AWS's (a UUID), unique in this process: a random prefix drawn at
# import and a counter, which costs a tenth of uuid4() per call.
_REQUEST_ID_PREFIX = str(uuid.uuid4())[:24]
_request_numbers = itertools.count(1)


class Parsed(Dict[str, Any]):
    """A reply's members as botocore's parser would give them, built so by the operation."""


def new_request_id() -> str:
    # The counter in decimal digits (hex digits too, so the id stays UUID-shaped): a third
    # cheaper than formatting it in hex.
    return _REQUEST_ID_PREFIX + str(next(_request_numbers)).zfill(12)


@overload
def handle(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    region: Optional[str] = None,
    access_key: Optional[str] = None,
    *,
    serialized: Literal[True] = True,
    operation: Optional[str] = None,
    service: Optional[ServiceModel] = None,
    stamp: Optional[Stamp] = None,
) -> Response: ...


@overload
def handle(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    region: Optional[str] = None,
    access_key: Optional[str] = None,
    *,
    serialized: Literal[False],
    operation: Optional[str] = None,
    service: Optional[ServiceModel] = None,
    stamp: Optional[Stamp] = None,
) -> Result: ...


def handle(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    region: Optional[str] = None,
    access_key: Optional[str] = None,
    *,
    serialized: bool = True,
    operation: Optional[str] = None,
    service: Optional[ServiceModel] = None,
    stamp: Optional[Stamp] = None,
) -> Result:
    """``serialized=False`` leaves a successful operation's body as its result, not yet JSON, so
    the in-process path can hand botocore the parsed reply without a JSON round trip.
    ``operation`` names the operation botocore serialized, if known: its route is tried first;
    ``service`` is the calling client's service model, used if none is loaded yet. With
    ``stamp`` (botocore's timestamp parser), an operation that can build its reply parsed
    does, and the result comes as :class:`Parsed`."""
    if is_webhook_url(url):
        # AWS's webhook host, reached through requests or moto: not the API.
        return webhook_reply(method.upper(), url, body)
    result = answer(method, url, headers, body, region, access_key, operation, service, stamp)
    return finish(*result) if serialized else result


def finish(status: int, headers: Dict[str, str], result: Union[bytes, Dict[str, Any]]) -> Response:
    """The HTTP response of an answer from ``handle(..., serialized=False)``."""
    if isinstance(result, bytes):
        return status, headers, result
    try:
        return status, headers, serialize(result)
    except Exception as error:  # noqa: BLE001 - a mock must answer, never raise into botocore
        return _internal_failure(error)


def answer(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    region: Optional[str],
    access_key: Optional[str],
    hint: Optional[str] = None,
    service: Optional[ServiceModel] = None,
    stamp: Optional[Stamp] = None,
) -> Result:
    """``handle(..., serialized=False)`` of a request to the API's host (not AWS's webhook
    host): the in-process path, which knows the host already, calls it directly."""
    try:
        key = (method, url, body, hint)
        small = len(body) + len(url) <= _SEEN_REQUEST_BYTES
        seen = _seen_requests.get(key) if small else None
        if seen is not None:
            host, name, params = seen[0], seen[1], dict(seen[2])
        else:
            # A request botocore serialized for a known operation: routed, parsed and validated
            # in one step when it is plain (see quick_parser), else the general path.
            parsed_request = None
            if hint is not None and hint in OPERATIONS and not body:
                quick = quick_parser(hint, method, service)
                if quick is not None and (parsed_request := quick(url)) is not None:
                    name = hint
            if parsed_request is not None:
                host, params = parsed_request
                scalar = True  # labels and query members only
            else:
                host, path, query = split_url(url)
                operation, labels = route(method, path, hint, service)
                if operation.name not in OPERATIONS:
                    raise NotImplementedByMockException(
                        f"amplify_mock does not serve {operation.name} yet; it serves "
                        f"{', '.join(sorted(OPERATIONS))}."
                    )
                name = operation.name
                params = parse_request(operation, labels, query, headers, body)
                scalar = _scalar_input(operation)
            if small and scalar:
                if len(_seen_requests) >= _SEEN_REQUESTS_MAX:
                    _seen_requests.clear()
                _seen_requests[key] = (host, name, dict(params))
        if region is not None and access_key is not None:
            # The backend of a call in-process (its region and key known) read under the state
            # lock, which every backend shares: a reset cannot swap it meanwhile. The first
            # call of an account and region creates it below, outside the lock (LockedBackend).
            account = _account(headers, access_key)
            with STATE_LOCK:
                backend = current_backend(account, region)
                if backend is not None:
                    return _operate(backend, name, params, stamp)
        with _locked(host, headers, region, access_key) as backend:
            return _operate(backend, name, params, stamp)
    except AmplifyError as error:
        return error.to_response()
    except Exception as error:  # noqa: BLE001 - a mock must answer, never raise into botocore
        return _internal_failure(error)


def _operate(backend: AmplifyBackend, name: str, params: Dict[str, Any], stamp: Optional[Stamp]) -> Result:
    """The operation's answer, its state lock held by the caller. With ``stamp``, an operation
    that can build its reply parsed does (see handle)."""
    parsed = PARSED.get(name) if stamp is not None else None
    if parsed is not None:
        return 200, dict(_JSON), Parsed(parsed(backend, params, stamp))
    return 200, dict(_JSON), OPERATIONS[name](backend, params)


# Valid requests already parsed, by (method, URL, body, operation hint): parsing is a pure
# function of those (no Amplify input member lives in a header), and a test that polls sends
# the same request again and again. Only inputs of scalar members are kept, so a shallow copy
# hands each call parameters of its own.
_SEEN_REQUESTS_MAX = 1024
# Only small requests are kept (a polling call is a few hundred bytes): a key holds its whole
# body, and a few large ones would otherwise stay in memory long after their requests ended.
_SEEN_REQUEST_BYTES = 4096
_seen_requests: Dict[Tuple[str, str, bytes, Optional[str]], Tuple[str, str, Dict[str, Any]]] = {}
_SCALARS = frozenset({"string", "integer", "long", "boolean", "timestamp"})
_scalar_inputs: Dict[str, bool] = {}


def _scalar_input(operation: OperationModel) -> bool:
    scalar = _scalar_inputs.get(operation.name)
    if scalar is None:
        shape = operation.input_shape
        scalar = _scalar_inputs[operation.name] = shape is None or all(
            member.type_name in _SCALARS and member.serialization.get("location") != "header"
            for member in shape.members.values()
        )
    return scalar


def _internal_failure(error: Exception) -> Response:
    return InternalFailureException(
        f"amplify_mock failed on this request ({type(error).__name__}: {error})."
    ).to_response()


def _locked(
    host: str, headers: Mapping[str, str], region: Optional[str], access_key: Optional[str]
) -> LockedBackend:
    """The request's backend, with the state lock held while in the ``with`` block."""
    if region is None or access_key is None:
        # A request off the wire: its signature's scope names the region and the key.
        auth = ""
        for key, value in headers.items():
            if key.lower() == "authorization":
                auth = value.decode() if isinstance(value, bytes) else value
                break
        scope = _SCOPE.search(auth)
        if region is None:
            if scope:
                region = scope.group(2)
            else:
                match = _HOST_REGION.match(host)
                region = match.group(1).lower() if match else "us-east-1"
        if access_key is None and scope:
            access_key = scope.group(1)
    account = _account(headers, access_key)
    try:
        return LockedBackend(account, region)
    except KeyError:
        raise BadRequestException(
            f"Amplify is not available in region {region!r}; use a region where AWS offers it."
        ) from None


def default_account() -> str:
    """The account of a call that names none: ``MOTO_ACCOUNT_ID``, as moto has it, else moto's."""
    account = moto_account_id()
    return DEFAULT_ACCOUNT_ID if account is None else account


# os.environ's own store (bytes on POSIX) and MOTO_ACCOUNT_ID's key in it. A miss through the
# mapping (`in`, `get`) raises and catches two KeyErrors, about 2 us here, a twentieth of a
# whole in-process call; the store answers the same for a twentieth of that. os.environ
# writes through to it, so what tests set (monkeypatch, patch.dict) is seen at once.
_ENVIRON = os.environ
_ENVIRON_DATA: Optional[Dict[Any, Any]] = getattr(_ENVIRON, "_data", None)
try:
    _MOTO_ACCOUNT_KEY: Any = _ENVIRON.encodekey("MOTO_ACCOUNT_ID")
    _decode_value: Callable[[Any], str] = _ENVIRON.decodevalue
except AttributeError:  # another implementation's os.environ: the mapping itself
    _ENVIRON_DATA = None


def moto_account_id() -> Optional[str]:
    """``os.environ.get("MOTO_ACCOUNT_ID")``, quickly (see _ENVIRON_DATA)."""
    if os.environ is not _ENVIRON or _ENVIRON_DATA is None:
        return os.environ.get("MOTO_ACCOUNT_ID")  # os.environ replaced: ask the mapping
    raw = _ENVIRON_DATA.get(_MOTO_ACCOUNT_KEY)
    return None if raw is None else _decode_value(raw)


def _account(headers: Mapping[str, str], access_key: Optional[str]) -> str:
    account = moto_account_id()
    if account is not None:
        return account
    for key, value in headers.items():
        if key.lower() == "x-moto-account-id":
            return value.decode() if isinstance(value, bytes) else str(value)
    # Keys handed out by moto's STS/IAM belong to the account that issued them.
    iam = sys.modules.get("moto.iam.models")
    if access_key and iam is not None:
        return str(iam.get_account_id_from(access_key))
    return DEFAULT_ACCOUNT_ID


def dispatch(request: Any, full_url: str, headers: Any) -> Response:
    """The handler moto's url table calls (stubber, ``responses`` and moto's own server)."""
    body = getattr(request, "body", None)
    if body is None and hasattr(request, "get_data"):
        body = request.get_data()
    if isinstance(body, str):
        body = body.encode()
    elif body is not None and not isinstance(body, (bytes, bytearray)):
        body = body.read() if hasattr(body, "read") else bytes(body)
    return handle(request.method, full_url, dict(headers or {}), bytes(body or b""))
