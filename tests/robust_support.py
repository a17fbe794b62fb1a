"""Shared by the robustness tests: a whole-state snapshot, the shape of an AWS error, and the
figures (cases tried, operations run) docs/reliability.md reports."""

from __future__ import annotations

import itertools
import json
import os
import socket
import threading
import types
from collections import Counter
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import boto3
import pytest
from botocore.config import Config

from amplify_mock import amplify_backends
from amplify_mock._protocol import service_model
from amplify_mock.responses import OPERATIONS

ENDPOINT = "https://amplify.us-east-1.amazonaws.com"
REGION = "us-east-1"

# Set AMPLIFY_MOCK_ROBUST_REPORT=/some/file to collect the figures of a run (one JSON line per
# test), e.g. to refresh docs/reliability.md; they are also printed (visible with -s).
_REPORT = "AMPLIFY_MOCK_ROBUST_REPORT"
_report_lock = threading.Lock()


def served_operations() -> List[str]:
    """Every operation the mock serves today; new ones are fuzzed without touching the tests."""
    return sorted(OPERATIONS)


def client(**config: Any) -> Any:
    """A client that leaves judging the request to the mock and never retries."""
    options: Dict[str, Any] = {"retries": {"max_attempts": 0}, "connect_timeout": 0.5, "read_timeout": 2}
    options.update(config)
    return boto3.client("amplify", region_name=REGION, config=Config(**options))


def record(test: str, counts: Mapping[str, int]) -> None:
    figures = dict(Counter(counts))
    print(f"[robustness] {test}: {figures}")
    path = os.environ.get(_REPORT)
    if path:
        with _report_lock, open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"test": test, **figures}) + "\n")


# --- The whole state, byte for byte -------------------------------------------------------

_OPAQUE = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.ModuleType,
    type,
)
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()), threading.Condition, threading.Event)


def _canonical(value: Any, seen: Dict[int, int], keep: List[Any]) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return (type(value).__name__, repr(value))
    if isinstance(value, _LOCK_TYPES) or isinstance(value, _OPAQUE):
        return "<lock or code>"
    if isinstance(value, itertools.count):
        return repr(value)  # the next number it hands out is state too
    if isinstance(value, dict):
        return (
            "dict",
            tuple((_canonical(k, seen, keep), _canonical(v, seen, keep)) for k, v in value.items()),
        )
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_canonical(v, seen, keep) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_canonical(v, seen, keep)) for v in value)))
    attributes = _attributes(value)
    if attributes is None:
        return ("repr", type(value).__name__, repr(value))
    # Objects point at each other (a branch at its app, a timeline at its branch): the second
    # visit names the first by the order it was met in, which is deterministic.
    if id(value) in seen:
        return ("ref", type(value).__name__, seen[id(value)])
    seen[id(value)] = len(seen)
    keep.append(value)  # so that no id is reused while walking
    return (
        type(value).__name__,
        tuple((name, _canonical(item, seen, keep)) for name, item in sorted(attributes.items())),
    )


def _attributes(value: Any) -> Optional[Dict[str, Any]]:
    found: Dict[str, Any] = {}
    has_any = False
    if hasattr(value, "__dict__"):
        has_any = True
        found.update(vars(value))
    for klass in type(value).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        if isinstance(slots, str):
            slots = (slots,)
        for name in slots:
            has_any = True
            if name not in ("__dict__", "__weakref__") and hasattr(value, name):
                found[name] = getattr(value, name)
    return found if has_any else None


def _backend_bytes(backend: Any) -> bytes:
    return repr(_canonical(backend, {}, [])).encode()


def state_bytes() -> bytes:
    """Every account's and region's Amplify state (apps, branches, tags, jobs, scheduler,
    counters), serialised canonically. Backends that hold nothing (a fresh one) are left out,
    so merely naming a region is not a change."""
    parts: List[bytes] = []
    for account_id in sorted(amplify_backends):
        for region, backend in sorted(amplify_backends[account_id].items()):
            with backend.lock:
                data = _backend_bytes(backend)
            if not getattr(backend, "apps", None) and data == _pristine(type(backend), region, account_id):
                continue
            parts.append(f"{account_id}/{region}:".encode() + data)
    return b"\n".join(parts)


def _pristine(kind: Any, region: str, account_id: str) -> bytes:
    return _backend_bytes(kind(region, account_id))


def count_objects() -> Tuple[int, int, int]:
    """(apps, branches, jobs) across every backend."""
    apps = branches = jobs = 0
    for _, _, backend in amplify_backends.iter_backends():
        for app in backend.apps.values():
            apps += 1
            for branch in app.branches.values():
                branches += 1
                jobs += len(getattr(getattr(branch, "jobs", None), "jobs", {}) or {})
    return apps, branches, jobs


# --- What an AWS error looks like ---------------------------------------------------------


def aws_error_problems(status: int, headers: Mapping[str, str], body: bytes) -> List[str]:
    """Why a reply is not an AWS-shaped 4xx error (empty when it is one)."""
    problems = []
    if not 400 <= status <= 499:
        problems.append(f"status {status} is not 4xx")
    lowered = {k.lower(): v for k, v in headers.items()}
    if not lowered.get("x-amzn-errortype"):
        problems.append("no x-amzn-ErrorType header")
    text = body.decode("utf-8", "replace")
    if "Traceback" in text or 'File "' in text:
        problems.append("a Python traceback in the body")
    try:
        decoded = json.loads(body)
    except ValueError:
        problems.append(f"body is not JSON: {text[:200]!r}")
    else:
        if not isinstance(decoded, dict) or not isinstance(decoded.get("message"), str):
            problems.append(f"body has no message string: {text[:200]!r}")
    return problems


def operation_model(name: str) -> Any:
    return service_model().operation_model(name)


# --- A proxy that tells where an escaped request was going -----------------------------------


class RecordingProxy:
    """An HTTP(S) proxy on 127.0.0.1 that forwards nothing: it records the request line of
    every connection (``CONNECT host:443 HTTP/1.1`` for HTTPS) and closes it, so a request that
    escaped the mock fails fast and the test can assert that none was seen."""

    def __init__(self) -> None:
        self.seen: List[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)  # so that close() is noticed; accept() alone would block on
        self._closed = False
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                connection, _ = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return  # closed
            with connection:
                connection.settimeout(2)
                data = b""
                try:
                    while b"\n" not in data and len(data) < 65536:
                        chunk = connection.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    pass
                self.seen.append(data.split(b"\r\n", 1)[0].decode("latin-1"))

    def close(self) -> None:
        self._closed = True
        self._server.close()
        self._thread.join(timeout=5)


def route_through(proxy: RecordingProxy, monkeypatch: Any) -> None:
    """Send every request of the process that is not answered in memory to ``proxy``, with
    credentials of the test's own so that botocore never asks a metadata service for some."""
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "OUTSIDEKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "OUTSIDESECRET")
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)


@pytest.fixture(name="proxy", autouse=True)
def proxy_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    """A recording proxy every request that left the mock would meet (autouse where imported);
    the test fails if it saw any."""
    recording = RecordingProxy()
    route_through(recording, monkeypatch)
    yield recording
    recording.close()
    assert recording.seen == [], "requests escaped the mock"
