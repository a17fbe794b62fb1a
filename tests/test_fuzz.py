"""Hostile input: every served operation, fed requests that break botocore's Amplify model, both
through boto3 (``parameter_validation=False``) and as raw HTTP through ``requests``, is refused
with an AWS-shaped 4xx error and leaves the whole state byte for byte as it was.

The operations and their input shapes are read from ``amplify_mock.responses.OPERATIONS`` and
botocore's service model, so an operation the mock starts serving is fuzzed with no change here.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from collections import Counter
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple
from unittest import mock
from urllib.parse import quote, unquote, urlencode

import pytest
import requests
import time_machine
from botocore import xform_name
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import amplify_mock._mock
from amplify_mock import AmplifyJobs, Durations, mock_amplify_jobs
from amplify_mock._protocol import route
from amplify_mock.exceptions import UnknownOperationException
from amplify_mock.responses import OPERATIONS
from tests.robust_support import (
    ENDPOINT,
    aws_error_problems,
    client,
    operation_model,
    record,
    served_operations,
    state_bytes,
)

# Bounded so the whole robustness set stays well under two minutes on two cores; derandomized
# so a failure found once is found again on every machine.
EXAMPLES = 40


def fuzz_settings(examples: int = EXAMPLES) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


# --- Values that satisfy or break one shape ---------------------------------------------------

_CANDIDATES = (
    "main",
    "1",
    "RELEASE",
    "https://example.com/site.zip",
    "arn:aws:cloudformation:us-east-1:123456789012:stack/amplify/1",
    "a",
)
# Text that breaks at least one of the model's patterns (checked per pattern below).
_PATTERN_BREAKERS = (
    "",
    "!",
    "XYZ",
    "é",
    "aws:reserved",
    " ",
    "ftp://example.com",
    "\x00",
    "<script>",
    "😀",
    "\u202e",
    "D0",
)
# Label text as it would appear raw in a path: invalid percent-encoding of every kind.
BAD_PERCENT = ("%ff%fe", "%", "%z", "%zz", "%c3", "%e2%82", "%ed%a0%80", "%c0%af", "%80", "%f4%90%80%80")
# Stand-ins for the seeded ids, set when the session seeds its state (see Session.seed).
_NEAR: Dict[str, str] = {"appId": "d0000000000000", "branchName": "main", "jobId": "1"}
_ODD_CHARS = ("\u00b2", "\u0663", "\uff11", "\x00", " ", "/", "\u200b", "\U0001d7d9", "X", "\u0301")
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
_FRACTIONS = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer())
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_NUMBERS = st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False))


def _matches(shape: Any, value: str) -> bool:
    pattern = shape.metadata.get("pattern")
    return not pattern or re.search(_python_pattern(pattern), value) is not None


def _python_pattern(pattern: str) -> str:
    return pattern.replace(r"\p{L}", r"\w").replace(r"\p{N}", r"\w").replace(r"\p{Z}", r"\s")


def _string_ok(shape: Any, value: str) -> bool:
    low, high = shape.metadata.get("min", 0), shape.metadata.get("max")
    enum = getattr(shape, "enum", None)
    return (
        len(value) >= low
        and (high is None or len(value) <= high)
        and (not enum or value in enum)
        and _matches(shape, value)
    )


def valid_value(shape: Any, name: str, ctx: Dict[str, str]) -> Any:
    """A value of ``shape`` the model accepts (for required members and for the parents of a
    nested member being broken)."""
    kind = shape.type_name
    if kind == "string":
        if name in ctx and _string_ok(shape, ctx[name]):
            return ctx[name]
        enum = getattr(shape, "enum", None)
        if enum:
            return enum[0]
        for candidate in _CANDIDATES:
            if _string_ok(shape, candidate):
                return candidate
        return "a" * max(shape.metadata.get("min", 1), 1)
    if kind in ("integer", "long"):
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        return 1 if (low is None or low <= 1) and (high is None or high >= 1) else low
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return 1_600_000_000
    if kind == "list":
        return [valid_value(shape.member, name, ctx) for _ in range(max(shape.metadata.get("min", 0), 1))]
    if kind == "map":
        return {f"key{i}": valid_value(shape.value, "", ctx) for i in range(shape.metadata.get("min", 0))}
    if kind == "structure":
        return {m: valid_value(shape.members[m], m, ctx) for m in shape.required_members}
    raise AssertionError(f"no valid value for {kind}")


def _overlong(limit: int) -> Any:
    # Long runs of one character (any plane) plus a varied unicode tail, past the limit.
    return st.builds(
        lambda fill, extra, tail: fill * (limit + extra) + tail,
        st.characters(blacklist_categories=("Cs",)),
        st.integers(1, 40),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
    )


def broken_strings(shape: Any, *, allow_empty: bool) -> List[Any]:
    """Strategies for text this string shape refuses."""
    out: List[Any] = []
    low, high = shape.metadata.get("min", 0), shape.metadata.get("max")
    if high is not None:
        out.append(_overlong(high))
    if low > 0 and (allow_empty or low > 1):
        out.append(_TEXT.map(lambda t: t[: low - 1]).filter(lambda t: allow_empty or t != ""))
    enum = getattr(shape, "enum", None)
    if enum:
        near = [e.lower() for e in enum] + [f" {e}" for e in enum] + [e + "\u200b" for e in enum]
        out.append(st.one_of(st.sampled_from(near), _TEXT).filter(lambda t: t not in enum))
    pattern = shape.metadata.get("pattern")
    if pattern:
        breakers = [b for b in _PATTERN_BREAKERS if not _matches(shape, b) and (allow_empty or b)]
        if breakers:
            out.append(st.sampled_from(breakers))
    return out


Mutation = Tuple[str, Tuple[Any, ...], Any]  # ("set" | "drop" | "key", path, value)


def _targets(
    shape: Any, path: Tuple[Any, ...], location: str, depth: int
) -> Iterator[Tuple[Tuple[Any, ...], Any, str]]:
    yield path, shape, location
    if depth >= 3:
        return
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            yield from _targets(member, path + (name,), location, depth + 1)
    elif shape.type_name == "list" and location == "body":
        yield from _targets(shape.member, path + (0,), location, depth + 1)
    elif shape.type_name == "map":
        yield from _targets(shape.value, path + ("key0",), location, depth + 1)


def breaking_mutations(operation: Any, transport: str) -> Optional[Any]:
    """Every way the model lets one member of this operation's input be broken on the wire."""
    shape = operation.input_shape
    if shape is None:
        return None
    raw = transport == "raw"
    options: List[Any] = []

    def add(path: Tuple[Any, ...], strategy: Any, kind: str = "set") -> None:
        options.append(st.tuples(st.just(kind), st.just(path), strategy))

    for name, member in shape.members.items():
        location = member.serialization.get("location") or "body"
        for path, target, _ in _targets(member, (name,), location, 0):
            kind = target.type_name
            in_body = location == "body"
            parent = _parent_shape(shape, path)
            if path[-1] in parent_required(parent) and (in_body or not raw or location == "querystring"):
                # A required member left out (None is how JSON says "absent").
                add(path, st.just(None), "drop")
            if kind == "string":
                if location == "uri":
                    strategies = broken_strings(target, allow_empty=False)
                    if not _string_ok(target, "XYZ!"):  # random text mostly breaks this label
                        strategies.append(_TEXT.filter(lambda t, shape=target: not _string_ok(shape, t)))
                    # Near misses: an existing id or name with one odd character around it.
                    strategies.append(
                        st.tuples(st.sampled_from(_ODD_CHARS), st.booleans()).map(
                            lambda t, n=name: (t[0] + _NEAR[n]) if t[1] else (_NEAR[n] + t[0])
                        )
                        if name in _NEAR
                        else st.nothing()
                    )
                    if raw:
                        strategies.append(st.sampled_from(BAD_PERCENT).map(RawText))
                else:
                    strategies = broken_strings(target, allow_empty=True)
                    if in_body:
                        strategies.append(st.one_of(_NUMBERS, st.booleans()))
                        if raw:
                            strategies.append(
                                st.one_of(
                                    st.lists(_TEXT, max_size=2), st.dictionaries(_TEXT, _TEXT, max_size=2)
                                )
                            )
                    elif raw:
                        bad = [b for b in BAD_PERCENT if _still_refused(target, b)]
                        strategies.append(st.sampled_from(bad).map(RawText))
                for strategy in strategies:
                    add(path, strategy)
            elif kind in ("integer", "long"):
                low, high = target.metadata.get("min"), target.metadata.get("max")
                if low is not None:
                    add(path, st.integers(-(2**70), low - 1))
                if high is not None:
                    add(path, st.integers(high + 1, 2**70))
                if in_body:
                    add(path, st.one_of(_TEXT, _FRACTIONS, st.booleans()))
                    if raw:
                        add(
                            path,
                            st.one_of(
                                st.lists(st.integers(), max_size=2),
                                st.dictionaries(_TEXT, st.integers(), max_size=1),
                            ),
                        )
                else:
                    add(
                        path,
                        st.one_of(
                            st.sampled_from(
                                [
                                    "abc",
                                    "1.5",
                                    "",
                                    " ",
                                    "0x10",
                                    "1e3",
                                    "--1",
                                    "+-1",
                                    "∞",
                                    "1_0",
                                    " 5",
                                    "5 ",
                                    "\u0661\u0662",
                                    "\u00b2",
                                    "\uff15",
                                ]
                            ),
                            _TEXT.filter(lambda t: not _INTEGER_TEXT.fullmatch(t)),
                        ),
                    )
                    if raw:
                        add(path, st.sampled_from(BAD_PERCENT).map(RawText))
            elif kind == "boolean" and in_body:
                add(path, st.one_of(st.sampled_from(["true", "false", 1, 0, "yes"]), _TEXT))
                if raw:
                    add(path, st.one_of(st.lists(st.booleans(), min_size=1, max_size=2), st.just({})))
            elif kind == "timestamp" and in_body:
                add(path, st.sampled_from([-1, -1e12, 1e13, 253402300800]))
                if raw:
                    add(
                        path, st.one_of(st.sampled_from(["2020-01-01T00:00:00Z", "now", True, [], {}]), _TEXT)
                    )
            elif kind == "list":
                low, high = target.metadata.get("min"), target.metadata.get("max")
                if high is not None:
                    add(path, st.integers(high + 1, high + 5).map(lambda n: ("__many__", n)))
                if low:
                    add(path, st.just([]))
                if raw and in_body:
                    add(
                        path,
                        st.one_of(
                            _TEXT, st.integers(), st.booleans(), st.dictionaries(_TEXT, _TEXT, max_size=2)
                        ),
                    )
            elif kind == "map":
                high = target.metadata.get("max")
                if high is not None:
                    add(path, st.integers(high + 1, high + 5).map(lambda n: ("__many__", n)))
                for strategy in broken_strings(target.key, allow_empty=True):
                    add(path, strategy, "key")
                if raw:
                    add(path, st.one_of(_TEXT, st.integers(), st.lists(_TEXT, max_size=2)))
            elif kind == "structure" and raw:
                add(path, st.one_of(_TEXT, st.integers(), st.lists(st.integers(), max_size=2), st.booleans()))
    return st.one_of(options) if options else None


def _still_refused(shape: Any, raw: str) -> bool:
    """Whether this raw query value still breaks the shape once ``requests`` has re-quoted it: a
    stray "%" goes out as "%25", which is plain text a free-text member (environmentName) takes."""
    try:
        text = unquote(requests.utils.requote_uri(raw), errors="strict")
    except UnicodeDecodeError:
        return True
    return not _string_ok(shape, text)


class RawText(str):
    """Text put into the URL as it is, not percent-encoded first."""


def parent_required(shape: Any) -> List[str]:
    return list(getattr(shape, "required_members", []) or [])


def _parent_shape(root: Any, path: Tuple[Any, ...]) -> Any:
    shape = root
    for step in path[:-1]:
        shape = _child(shape, step)
    return shape


def _child(shape: Any, step: Any) -> Any:
    if shape.type_name == "structure":
        return shape.members[step]
    if shape.type_name == "list":
        return shape.member
    return shape.value


def apply(operation: Any, ctx: Dict[str, str], mutation: Mutation) -> Dict[str, Any]:
    """The operation's valid minimal input with one member broken."""
    shape = operation.input_shape
    params = valid_value(shape, "", ctx)
    kind, path, value = mutation
    container: Any = params
    current = shape
    for step in path[:-1]:
        child = _child(current, step)
        if isinstance(container, dict):
            if not isinstance(container.get(step), (dict, list)) or not container.get(step):
                container[step] = valid_value(child, step if isinstance(step, str) else "", ctx)
                if child.type_name == "map" and not container[step]:
                    container[step] = {"key0": valid_value(child.value, "", ctx)}
        container = container[step]
        current = child
    last = path[-1]
    target = _child(current, last)
    if kind == "drop":
        if isinstance(container, dict):
            container.pop(last, None)
        return params
    if kind == "key":
        container[last] = {value: valid_value(target.value, "", ctx)}
        return params
    if isinstance(value, tuple) and value and value[0] == "__many__":
        count = value[1]
        if target.type_name == "map":
            value = {f"k{i}": valid_value(target.value, "", ctx) for i in range(count)}
        else:
            value = [
                f"k{i}" if target.member.type_name == "string" else valid_value(target.member, "", ctx)
                for i in range(count)
            ]
    container[last] = value
    return params


# --- One request, two ways ------------------------------------------------------------------


class Outcome:
    def __init__(self, kind: str, problems: List[str], detail: str = "") -> None:
        self.kind, self.problems, self.detail = kind, problems, detail


def build_http(operation: Any, params: Dict[str, Any]) -> Tuple[str, str, bytes]:
    """(method, url, body) of the raw request for these (possibly broken) parameters."""
    shape = operation.input_shape
    uri = operation.http["requestUri"]
    path, _, fixed_query = uri.partition("?")
    query: List[Tuple[str, str]] = []
    raw_query: List[str] = []
    body: Dict[str, Any] = {}
    for name, member in shape.members.items():
        if name not in params:
            continue
        value = params[name]
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri":
            text = value if isinstance(value, RawText) else quote(str(value), safe="")
            path = path.replace("{%s}" % wire, text).replace("{%s+}" % wire, text)
        elif location == "querystring":
            if isinstance(value, RawText):
                raw_query.append(f"{wire}={value}")
            elif isinstance(value, list):
                query.extend((wire, str(v)) for v in value)
            elif value is not None:
                query.append((wire, str(value)))
        elif location is None:
            body[name] = value
    for name, member in shape.members.items():
        # A label still unfilled was dropped: leave the segment empty, as a careless client would.
        path = path.replace("{%s}" % member.serialization.get("name", name), "")
    parts = [p for p in (fixed_query, urlencode(query), "&".join(raw_query)) if p]
    url = ENDPOINT + path + ("?" + "&".join(parts) if parts else "")
    has_payload = any(m.serialization.get("location") is None for m in shape.members.values())
    data = json.dumps(body).encode() if has_payload else b""
    return operation.http["method"], url, data


class Session:
    """A started mock with seeded state, a frozen clock and a record of what the mock answered."""

    def __init__(self, answers: List[Tuple[int, Dict[str, str], bytes]]) -> None:
        self.http = requests.Session()
        self.client = client(parameter_validation=False)
        self.answers = answers
        self.ctx: Dict[str, str] = {}
        self.expected = b""

    def seed(self) -> None:
        c = self.client
        app = c.create_app(name="shop", repository="https://github.com/acme/shop", accessToken="token",
            tags={"team": "web"})[
            "app"
        ]
        other = c.create_app(name="other")["app"]
        c.create_branch(appId=app["appId"], branchName="main", tags={"env": "prod"})
        c.create_branch(appId=app["appId"], branchName="feature/x")
        self.ctx = {"appId": app["appId"], "branchName": "main", "jobId": "1", "resourceArn": app["appArn"]}
        _NEAR["appId"] = app["appId"]
        if "StartJob" in OPERATIONS:
            c.start_job(appId=app["appId"], branchName="main", jobType="RELEASE")
        if "CreateDeployment" in OPERATIONS:
            # Deployments are for apps without a repository: AWS refuses them on the others.
            c.create_branch(appId=other["appId"], branchName="feature/x")
            c.create_deployment(appId=other["appId"], branchName="feature/x")
        if "CreateWebhook" in OPERATIONS:
            # A real webhook id, so broken Get/Update/DeleteWebhook requests name one that exists.
            hook = c.create_webhook(appId=app["appId"], branchName="main")["webhook"]
            self.ctx["webhookId"] = hook["webhookId"]
        if "ListJobs" in OPERATIONS:
            c.list_jobs(appId=app["appId"], branchName="main")  # settle the scheduler at this instant
        # A domain and a backend environment, so that near-miss names meet real ones.
        if "CreateDomainAssociation" in OPERATIONS:
            c.create_domain_association(
                appId=app["appId"], domainName="example.com",
                subDomainSettings=[
                    {"prefix": "", "branchName": "main"},
                    {"prefix": "www", "branchName": "main"},
                ],
            )
            self.ctx["domainName"] = "example.com"
            if "GenerateAccessLogs" in OPERATIONS:
                # A row, so that a refused GenerateAccessLogs is seen to leave the logs alone.
                AmplifyJobs().add_access_log(app["appId"], "example.com", {"cs-uri-stem": "/"})
        if "CreateBackendEnvironment" in OPERATIONS:
            c.create_backend_environment(appId=app["appId"], environmentName="prod")
            self.ctx["environmentName"] = "prod"
        if "GetArtifactUrl" in OPERATIONS:
            # A build whose TEST step has run, so broken GetArtifactUrl requests name real ids.
            tested = c.create_app(
                name="tested", repository="https://github.com/acme/tested", accessToken="token",
                buildSpec="test:\n  phases: {}\n",
            )["app"]["appId"]
            c.create_branch(appId=tested, branchName="main")
            AmplifyJobs().branch_durations(tested, "main", Durations.zero())
            c.start_job(appId=tested, branchName="main", jobType="RELEASE")
            artifacts = c.list_artifacts(appId=tested, branchName="main", jobId="1")["artifacts"]
            self.ctx["artifactId"] = artifacts[0]["artifactId"]

    def raw(self, method: str, url: str, body: bytes) -> Outcome:
        headers = {"Content-Type": "application/json"} if body else {}
        response = self.http.request(method, url, data=body, headers=headers, timeout=2)
        content = response.content
        problems = aws_error_problems(response.status_code, dict(response.headers), content)
        if method.upper() == "HEAD":  # no body by definition
            problems = [p for p in problems if "body" not in p]
        return Outcome(f"http {response.status_code}", problems, f"{method} {url[:200]} {body[:120]!r}")

    def boto3(self, name: str, params: Dict[str, Any]) -> Outcome:
        self.answers.clear()
        call = getattr(self.client, xform_name(name))
        detail = f"{name}({str(params)[:300]})"
        try:
            call(**params)
        except ClientError:
            status, headers, body = self.answers[-1]
            return Outcome(f"boto3 {status}", aws_error_problems(status, headers, body), detail)
        except Exception as error:  # noqa: BLE001 - botocore refusing to serialize is fine
            if self.answers:
                return Outcome("boto3 crash", [f"{type(error).__name__}: {error}"], detail)
            return Outcome("refused by botocore before sending", [], detail)
        return Outcome("boto3 accepted", ["the mock accepted it"], detail)


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    """One started mock for the module: refused requests change nothing, so every case finds
    the same seeded state (which is what each case checks)."""
    answers: List[Tuple[int, Dict[str, str], bytes]] = []

    def recording(original: Callable[..., Any]) -> Callable[..., Any]:
        def record(*args: Any, **kwargs: Any) -> Any:
            answer = original(*args, **kwargs)
            answers.append(answer)
            return answer

        return record

    frozen = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)
    with pytest.MonkeyPatch.context() as env:
        # Anything that escaped the mock would fail here, on this machine, instead of reaching AWS.
        env.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
        env.setenv("HTTP_PROXY", "http://127.0.0.1:9")
        with (
            mock_amplify_jobs(),
            time_machine.travel(frozen, tick=False),
            # A call to the API's host is answered by answer_api, any other by handle.
            mock.patch.object(amplify_mock._mock, "handle", recording(amplify_mock._mock.handle)),
            mock.patch.object(amplify_mock._mock, "answer_api", recording(amplify_mock._mock.answer_api)),
        ):
            fuzz = Session(answers)
            fuzz.seed()
            fuzz.expected = state_bytes()
            yield fuzz


def check(session: Session, counts: Counter[str], send: Callable[[], Outcome]) -> None:
    outcome = send()
    counts[outcome.kind] += 1
    assert not outcome.problems, f"{outcome.problems} for {outcome.detail}"
    # Every case starts from the seeded state, so one snapshot after each case is enough.
    assert state_bytes() == session.expected, f"state changed by a refused request: {outcome.detail}"


# --- The properties -------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["boto3", "raw"])
@pytest.mark.parametrize("name", served_operations())
def test_request_breaking_the_model_is_refused_and_changes_nothing(
    session: Session, name: str, transport: str
) -> None:
    operation = operation_model(name)
    strategy = breaking_mutations(operation, transport)
    if strategy is None:
        pytest.skip(f"{name} takes no input to break")
    counts: Counter[str] = Counter()

    @fuzz_settings()
    @given(strategy)
    def run(mutation: Mutation) -> None:
        params = apply(operation, session.ctx, mutation)
        if transport == "boto3":
            check(session, counts, lambda: session.boto3(name, copy.deepcopy(params)))
        else:
            check(session, counts, lambda: session.raw(*build_http(operation, params)))

    run()
    record(f"model-breaking {name} via {transport}", counts)


def _malformed_bodies(operation: Any, ctx: Dict[str, str]) -> Any:
    valid = json.dumps(valid_value(operation.input_shape, "", ctx) if operation.input_shape else {})
    not_json = st.binary(min_size=1, max_size=64).filter(lambda b: b.strip() != b"" and not _is_json(b))
    truncated = (
        st.integers(1, max(len(valid) - 1, 1))
        .map(lambda n: valid[:n].encode())
        .filter(lambda b: b.strip() != b"" and not _is_json(b))
    )
    non_objects = st.one_of(
        st.lists(st.integers(), max_size=3),
        st.integers(),
        st.text(max_size=10),
        st.booleans(),
        st.none(),
        st.floats(allow_nan=False, allow_infinity=False),
    ).map(lambda v: json.dumps(v).encode())
    nested = st.tuples(st.sampled_from(["[", '{"a":', '{"name":[']), st.integers(1_000, 200_000)).map(
        lambda t: (t[0] * t[1]).encode()
    )
    odd = st.sampled_from(
        [
            b'{"name": "\xff\xfe"}',
            b"\xef\xbb\xbf{",
            b'{"name": NaN}',
            b'{"x": Infinity, "name": "a"}',
            b'{"maxResults": -Infinity}',
            b"{'name': 'a'}",
            b'{"name": "a",}',
            b"\x00",
            b"{}}",
        ]
    )
    return st.one_of(not_json, truncated, non_objects, nested, odd)


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True


@pytest.mark.parametrize("name", served_operations())
def test_malformed_json_body_is_refused_and_changes_nothing(session: Session, name: str) -> None:
    operation = operation_model(name)
    method, url, _ = build_http(operation, valid_value(operation.input_shape, "", session.ctx))
    counts: Counter[str] = Counter()

    @fuzz_settings(25)
    @given(_malformed_bodies(operation, session.ctx))
    def run(body: bytes) -> None:
        check(session, counts, lambda: session.raw(method, url, body))

    run()
    record(f"malformed body {name}", counts)


def _labels(operation: Any) -> List[str]:
    shape = operation.input_shape
    return [n for n, m in shape.members.items() if m.serialization.get("location") == "uri"] if shape else []


@pytest.mark.parametrize("name", [n for n in served_operations() if _labels(operation_model(n))])
def test_bad_percent_encoding_in_every_path_label_is_refused(session: Session, name: str) -> None:
    operation = operation_model(name)
    counts: Counter[str] = Counter()
    for label in _labels(operation):
        for bad in BAD_PERCENT:
            params = apply(operation, session.ctx, ("set", (label,), RawText(bad)))
            request = build_http(operation, params)
            check(session, counts, lambda request=request: session.raw(*request))
    record(f"bad percent-encoding {name}", counts)


_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PURGE", "LINK", "PROPFIND")


def _routes(method: str, path: str) -> bool:
    try:
        route(method, path)
    except UnknownOperationException:
        return False
    return True


@pytest.mark.parametrize("name", served_operations())
def test_wrong_http_method_is_refused_and_changes_nothing(session: Session, name: str) -> None:
    operation = operation_model(name)
    _, url, body = build_http(operation, valid_value(operation.input_shape, "", session.ctx))
    path = url[len(ENDPOINT) :].split("?")[0]
    methods = st.one_of(st.sampled_from(_METHODS), st.from_regex(r"[A-Z]{3,12}", fullmatch=True)).filter(
        lambda m: not _routes(m, path) and m != "CONNECT"
    )
    counts: Counter[str] = Counter()

    @fuzz_settings(12)
    @given(methods, st.booleans())
    def run(method: str, with_body: bool) -> None:
        check(session, counts, lambda: session.raw(method, url, body if with_body else b""))

    run()
    record(f"wrong method {name}", counts)


_WORDS = (
    "apps",
    "branches",
    "jobs",
    "tags",
    "domains",
    "webhooks",
    "deployments",
    "start",
    "stop",
    "artifacts",
)
_SEGMENT = st.one_of(
    st.sampled_from(_WORDS),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).map(
        lambda t: quote(t, safe="")
    ),
    st.sampled_from(BAD_PERCENT),
).filter(lambda s: s not in (".", "..", "%2E", "%2e", "%2E%2E", "%2e%2e"))


def test_unknown_route_is_refused_and_changes_nothing(session: Session) -> None:
    counts: Counter[str] = Counter()
    paths = st.lists(_SEGMENT, min_size=0, max_size=7).map(lambda segs: "/" + "/".join(segs))
    cases = st.tuples(
        st.sampled_from(_METHODS[:7]), paths, st.sampled_from([b"", b"{}", b'{"name":"a"}'])
    ).filter(lambda c: not _routes(c[0], c[1]) and not c[1].startswith("/_amplify_mock"))

    @fuzz_settings(150)
    @given(cases)
    def run(case: Tuple[str, str, bytes]) -> None:
        method, path, body = case
        check(session, counts, lambda: session.raw(method, ENDPOINT + path, body))

    run()
    record("unknown route", counts)
