"""The rest-json wire protocol of Amplify, driven by botocore's own service model.

Routes, input locations and input constraints are all read from
``botocore/data/amplify/2017-07-25/service-2.json`` so that the mock accepts exactly what
AWS accepts and refuses the rest with a BadRequestException, whether or not the client
validated its parameters first.
"""

from __future__ import annotations

import json
import os
import re
import threading
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Pattern, Set, Tuple
from urllib.parse import unquote, urlsplit

from botocore.loaders import create_loader
from botocore.model import OperationModel, ServiceModel, Shape

from .exceptions import BadRequestException, UnknownOperationException

Route = Tuple[Pattern[str], OperationModel]
# A shape's check, compiled once from the model: validator(shape)(value, path) raises
# BadRequestException naming the member at ``path``, or returns the value (a timestamp as
# float). Structures drop members AWS does not know and convert timestamps in place.
Validator = Callable[[Any, str], Any]

_model_lock = threading.Lock()
_service_model: Optional[ServiceModel] = None
_routes: Dict[str, List[Route]] = {}
_routes_by_name: Dict[str, Route] = {}


def service_model(loaded: Optional[ServiceModel] = None) -> ServiceModel:
    """Amplify's model, as the routes and validators read it.

    The first client call hands in its own client's model (``loaded``): that model is already
    built, where loading it here would cost a botocore session of its own on the first call of
    a process. Without a client (``requests``, the server), it is loaded with a bare loader.
    """
    global _service_model
    if _service_model is None:
        with _model_lock:
            if _service_model is None:
                if loaded is None or loaded.service_name != "amplify":
                    loaded = _load_service_model()
                _build_routes(loaded)
                _service_model = loaded
    return _service_model


_shape_members: Dict[str, FrozenSet[str]] = {}


def shape_members(shape: str) -> FrozenSet[str]:
    """The member names of one of the model's shapes (App, Branch, Webhook, ...): what a reply
    of that shape may hold. Read once per shape."""
    members = _shape_members.get(shape)
    if members is None:
        members = _shape_members[shape] = frozenset(service_model().shape_for(shape).members)
    return members


def _load_service_model() -> ServiceModel:
    # What a session does to load it (its data_path is AWS_DATA_PATH), without the session:
    # no handlers to register, no endpoint data.
    loader = create_loader(os.environ.get("AWS_DATA_PATH"))
    return ServiceModel(loader.load_service_model("amplify", "service-2"), "amplify")


def _build_routes(model: ServiceModel) -> None:
    for name in model.operation_names:
        operation = model.operation_model(name)
        method = operation.http["method"]
        uri = operation.http["requestUri"].split("?")[0]
        regex = "^" + re.sub(
            r"\{([^}+]+)(\+?)\}",
            lambda m: f"(?P<{m.group(1)}>{'.+' if m.group(2) else '[^/]+'})",
            re.escape(uri).replace(r"\{", "{").replace(r"\}", "}"),
        ) + "/?$"
        _routes.setdefault(method, []).append((re.compile(regex), operation))
        _routes_by_name[name] = _routes[method][-1]
    for routes in _routes.values():
        # Literal segments win over labels: /jobs/{jobId}/stop before /jobs/{jobId}.
        routes.sort(key=lambda r: -r[1].http["requestUri"].count("/"))


def route(
    method: str, path: str, hint: Optional[str] = None, loaded: Optional[ServiceModel] = None
) -> Tuple[OperationModel, Dict[str, str]]:
    """Find the operation for a raw (still percent-encoded) path.

    ``hint`` names the operation botocore serialized (in process): its route is tried first;
    ``loaded`` is the calling client's service model, if any (see :func:`service_model`).
    """
    service_model(loaded)
    if hint is not None:
        hinted = _routes_by_name.get(hint)
        if hinted is not None and hinted[1].http["method"] == method.upper():
            match = hinted[0].match(path)
            if match:
                return hinted[1], match.groupdict()
    for pattern, operation in _routes.get(method.upper(), ()):
        match = pattern.match(path)
        if match:
            return operation, match.groupdict()
    if any(p.match(path) for routes in _routes.values() for p, _ in routes):
        raise UnknownOperationException(
            f"No Amplify operation accepts the HTTP method {method} on {path}."
        )
    raise UnknownOperationException(f"No Amplify operation is served at {method} {path}.")


def _decode_label(raw: str, member: str) -> str:
    if "%" not in raw:
        return raw
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise BadRequestException(
            f"The path parameter {member} is not valid percent-encoded UTF-8."
        ) from None


# A known operation's request routed, parsed and validated in one step (see quick_parser).
QuickParse = Callable[[str], Optional[Tuple[str, Dict[str, Any]]]]
_quick: Dict[Tuple[str, str], Optional[QuickParse]] = {}
# The characters a plain URL (see split_url) has in its host, path and query: printable ASCII
# but for the delimiters, spelt as ranges (sre matches a class of ASCII ranges against a
# bitmap, where "anything but ..., \x7f-\U0010ffff" takes a test per excluded range). A label
# also stops at "%": one with an escape is decoded, and is left to the general path.
# tests/test_validation.py checks each against its definition, code point by code point.
_HOST_CHARS = r"[\x21\x22\x24\x26-\x2e\x30-\x3e\x41-\x5a\x5e-\x7e]"  # not / ? # @ % [ ] \
_PATH_CHARS = r"[\x21\x22\x24-\x3e\x40-\x7e]"  # not ? #
_LABEL_CHARS = r"[\x21\x22\x24\x26-\x2e\x30-\x3e\x40-\x7e]"  # not / ? # %
_QUERY_CHARS = r"[\x21\x22\x24-\x7e]"  # not #
_QUICK_QUERY_TYPES = frozenset({"string", "integer", "long", "boolean"})


def quick_parser(name: str, method: str, loaded: Optional[ServiceModel] = None) -> Optional[QuickParse]:
    """The request parser of operation ``name`` for its common case, compiled once: a function
    from a whole URL to ``(host, params)``, the very result of :func:`split_url`,
    :func:`route` with ``name`` as the hint, and :func:`parse_request` (for a request without
    a body), or to None whenever the general path might answer otherwise (another operation's
    route, an escaped label, a value AWS refuses): the caller then takes the general path,
    which gives AWS's error.

    Only operations whose input is path labels and scalar query members have one (no header,
    no body), and only for their own method; ``tests/test_validation.py`` checks it against the
    general path on valid, refused and unusual URLs.
    """
    key = (name, method)
    try:
        return _quick[key]
    except KeyError:
        pass
    service_model(loaded)
    hinted = _routes_by_name.get(name)
    parser = None
    if hinted is not None and hinted[1].http["method"] == method.upper():
        parser = _compile_quick(hinted[1])
    _quick[key] = parser
    return parser


def _compile_quick(operation: OperationModel) -> Optional[QuickParse]:
    uri = operation.http["requestUri"]
    if "?" in uri or "+}" in uri:  # literal query members or greedy labels: the general path
        return None
    shape = operation.input_shape
    members = shape.members if shape is not None else {}
    required = frozenset(shape.required_members) if shape is not None else frozenset()
    label_sizes: Dict[str, str] = {}
    # Labels with an enum or a pattern: check_string's other rules, as a test of the value.
    label_rules: List[Tuple[str, Callable[[str], bool]]] = []
    queries: Dict[str, Tuple[str, Shape, Validator]] = {}
    required_queries: List[str] = []
    for name, member in members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri" and member.type_name == "string" and wire == name and name.isidentifier():
            # An unescaped label is ASCII, one character per character: its length bounds are
            # the regex's.
            low, high = member.metadata.get("min") or 1, member.metadata.get("max")
            label_sizes[name] = f"{{{max(low, 1)},{'' if high is None else high}}}"
            test = _label_test(frozenset(member.enum), member.metadata.get("pattern"))
            if test is not None:
                label_rules.append((name, test))
        elif location == "querystring" and member.type_name in _QUICK_QUERY_TYPES:
            queries[wire] = (name, member, validator(member))
            if name in required:
                required_queries.append(name)
        else:
            return None
    if sorted(re.findall(r"\{([^}]+)\}", uri)) != sorted(label_sizes):
        return None
    path = re.sub(
        r"\\\{([^}]+)\\\}",
        lambda m: f"(?P<{m.group(1)}>{_LABEL_CHARS}{label_sizes[m.group(1)]})",
        re.escape(uri),
    )
    compiled = re.compile(f"https?://({_HOST_CHARS}*){path}/?(?:\\?({_QUERY_CHARS}*))?")
    return _quick_parse(compiled, tuple(label_rules), queries, tuple(required_queries))


# Label patterns with a test equal to their fullmatch on what a label can be here (one or more
# printable ASCII characters): any such string, and ASCII digits (tests/test_validation.py).
_ANY_LABEL = frozenset({"(?s).+", "(?s).*", ".+", ".*", "(?s)^.+$", "(?s)^.*$"})
_DIGITS_LABEL = frozenset({"[0-9]+", "\\d+", "^[0-9]+$", "\\d*", "[0-9]*"})
_KNOWN_VALUES = 256


def _label_test(allowed: FrozenSet[str], pattern: Optional[str]) -> Optional[Callable[[str], bool]]:
    """Whether a label value passes its enum and pattern, or None if every label does.

    Values that passed are remembered (a few hundred per label): an app id or branch name comes
    again in call after call, and a pattern's fullmatch costs more than the rest of a check."""
    if pattern in _ANY_LABEL:
        pattern = None
    if not allowed and pattern is None:
        return None
    if not allowed and pattern in _DIGITS_LABEL:
        return str.isdigit  # ASCII: only 0-9 are digits
    matches = _compile_pattern(pattern).fullmatch if pattern is not None else None
    known: Set[str] = set()

    def test(value: str) -> bool:
        if value in known:
            return True
        if (allowed and value not in allowed) or (matches is not None and matches(value) is None):
            return False
        if len(known) >= _KNOWN_VALUES:
            known.clear()
        known.add(value)
        return True

    return test


def _quick_parse(
    compiled: Pattern[str],
    label_rules: Tuple[Tuple[str, Callable[[str], bool]], ...],
    queries: Dict[str, Tuple[str, Shape, Validator]],
    required_queries: Tuple[str, ...],
) -> QuickParse:
    fullmatch, query_group = compiled.fullmatch, compiled.groups

    def parse(url: str) -> Optional[Tuple[str, Dict[str, Any]]]:
        match = fullmatch(url)
        if match is None:
            return None
        params: Dict[str, Any] = match.groupdict()  # the labels
        for name, test in label_rules:
            if not test(params[name]):
                return None
        host, query = match.group(1, query_group)
        if query:
            try:
                pairs = _query(query)
            except UnicodeDecodeError:
                return None
            try:
                # The last of a repeated member counts, as in parse_request.
                for wire, text in pairs:
                    spec = queries.get(wire)
                    if spec is not None:
                        name, member, check = spec
                        params[name] = check(_from_text(text, member, name), name)
            except BadRequestException:
                return None
        for name in required_queries:
            if name not in params:
                return None
        return host.partition(":")[0].lower(), params

    return parse


# What parse_request needs of an operation's input members, read from the model once:
# (member name, location, wire name, lower-cased wire name, member shape).
_Member = Tuple[str, Optional[str], str, str, Shape]
_plans: Dict[str, Tuple[Tuple[_Member, ...], Validator]] = {}


def _plan(operation: OperationModel, shape: Shape) -> Tuple[Tuple[_Member, ...], Validator]:
    plan = _plans.get(operation.name)
    if plan is None:
        members = []
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            members.append((name, member.serialization.get("location"), wire, wire.lower(), member))
        plan = _plans[operation.name] = (tuple(members), validator(shape))
    return plan


def parse_request(
    operation: OperationModel,
    labels: Mapping[str, str],
    query: str,
    headers: Mapping[str, str],
    body: bytes,
) -> Dict[str, Any]:
    """Turn one HTTP request into the operation's typed, validated input parameters."""
    shape = operation.input_shape
    if shape is None:
        return {}
    members, check = _plan(operation, shape)
    params: Dict[str, Any] = {}
    payload: Dict[str, Any] = {}
    if body and body.strip():
        try:
            decoded = json.loads(body, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError, RecursionError):
            # RecursionError: nesting deeper than the interpreter's stack is hostile, not a crash.
            raise BadRequestException("The request body is not valid JSON.") from None
        if not isinstance(decoded, dict):
            raise BadRequestException("The request body must be a JSON object.")
        payload = decoded
    query_pairs: Dict[str, List[str]] = {}
    if query:
        try:
            for key, value in _query(query):
                query_pairs.setdefault(key, []).append(value)
        except UnicodeDecodeError:
            raise BadRequestException("The query string is not valid percent-encoded UTF-8.") from None
    lower_headers: Optional[Dict[str, str]] = None
    for name, location, wire, lower_wire, member in members:
        if location == "uri":
            if wire in labels:
                params[name] = _decode_label(labels[wire], name)
        elif location == "querystring":
            if wire in query_pairs:
                values = query_pairs[wire]
                if member.type_name == "list":
                    params[name] = values
                else:
                    params[name] = _from_text(values[-1], member, name)
        elif location == "header":
            if lower_headers is None:
                lower_headers = {k.lower(): v for k, v in headers.items()}
            if lower_wire in lower_headers:
                params[name] = _from_text(lower_headers[lower_wire], member, name)
        elif name in payload and payload[name] is not None:
            params[name] = payload[name]
    check(params, "")
    return params


def _query(query: str) -> List[Tuple[str, str]]:
    """``parse_qsl(query, keep_blank_values=True, errors="strict")``, as CPython 3.9+ does it
    for a str ("&" separates, "+" is a space, a name without "=" has an empty value), without
    its argument coercions, most of its cost on a short query."""
    pairs = []
    for name_value in query.split("&"):
        if not name_value:
            continue
        name, _, value = name_value.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "+" in value:
            value = value.replace("+", " ")
        pairs.append((unquote(name, errors="strict"), unquote(value, errors="strict")))
    return pairs


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are Python's extension, not JSON.
    raise ValueError(f"{name} is not JSON")


# ASCII digits only: Python's int() also takes " 5", "1_0" and non-ASCII digits, which AWS refuses.
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")


def _from_text(text: str, shape: Shape, name: str) -> Any:
    if shape.type_name in ("integer", "long"):
        if not _INTEGER_TEXT.fullmatch(text):
            raise BadRequestException(f"{name} must be an integer, got {text!r}.")
        return int(text)
    if shape.type_name == "boolean":
        if text.lower() not in ("true", "false"):
            raise BadRequestException(f"{name} must be true or false, got {text!r}.")
        return text.lower() == "true"
    return text


_pattern_cache: Dict[str, Pattern[str]] = {}


def _compile_pattern(pattern: str) -> Pattern[str]:
    compiled = _pattern_cache.get(pattern)
    if compiled is None:
        # Java's Unicode classes, which Python's re lacks, as their nearest equivalents.
        translated = (
            pattern.replace(r"\p{L}", r"\w").replace(r"\p{N}", r"\w").replace(r"\p{Z}", r"\s")
        )
        compiled = re.compile(translated)
        _pattern_cache[pattern] = compiled
    return compiled


def _where(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_validators: Dict[str, Validator] = {}


def validator(shape: Shape) -> Validator:
    """The check of a decoded value against ``shape``: types, required members, lengths, ranges,
    enums, patterns; timestamps inside structures are converted to epoch seconds in place."""
    compiled = _validators.get(shape.name)
    if compiled is None:
        compiled = _compile(shape)
        _validators[shape.name] = compiled
    return compiled


def _compile(shape: Shape) -> Validator:
    kind = shape.type_name
    name = shape.name
    if kind == "structure":
        return _structure_validator(shape)
    if kind == "string":
        return _string_validator(shape)
    if kind in ("integer", "long"):
        low, high = shape.metadata.get("min"), shape.metadata.get("max")

        def check_integer(value: Any, path: str) -> Any:
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadRequestException(f"{path or name} must be an integer.")
            if (low is not None and value < low) or (high is not None and value > high):
                raise BadRequestException(f"{path or name} must be between {low} and {high}; got {value}.")
            return value

        return check_integer
    if kind == "boolean":

        def check_boolean(value: Any, path: str) -> Any:
            if not isinstance(value, bool):
                raise BadRequestException(f"{path or name} must be true or false.")
            return value

        return check_boolean
    if kind == "list":
        item_shape = shape.member

        def check_list(value: Any, path: str) -> Any:
            label = path or name
            if not isinstance(value, list):
                raise BadRequestException(f"{label} must be a list.")
            _check_length(len(value), shape, label, "items")
            check_item = validator(item_shape)
            for index, item in enumerate(value):
                check_item(item, f"{label}[{index}]")
            return value

        return check_list
    if kind == "map":
        key_shape, value_shape = shape.key, shape.value

        def check_map(value: Any, path: str) -> Any:
            label = path or name
            if not isinstance(value, dict):
                raise BadRequestException(f"{label} must be an object.")
            _check_length(len(value), shape, label, "entries")
            check_key, check_value = validator(key_shape), validator(value_shape)
            for key, item in value.items():
                check_key(key, f"{label} key")
                check_value(item, f"{label}[{key!r}]")
            return value

        return check_map
    if kind == "timestamp":
        return lambda value, path: _timestamp(value, path or name)

    def unsupported(value: Any, path: str) -> Any:
        raise BadRequestException(f"{path or name} has an unsupported type.")  # blobs: none here

    return unsupported


def _structure_validator(shape: Shape) -> Validator:
    name = shape.name
    required = tuple(shape.required_members)
    members = shape.members
    # Member checks are looked up when first needed: shapes may refer to themselves.
    timestamps = frozenset(n for n, m in members.items() if m.type_name == "timestamp")
    checks: Dict[str, Validator] = {}

    def check_structure(value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise BadRequestException(f"{path or name} must be an object.")
        for member_name in required:
            if value.get(member_name) is None:
                raise BadRequestException(f"{_where(path, member_name)} is required and was not given.")
        for member_name in list(value):
            member = members.get(member_name)
            if member is None:
                del value[member_name]  # AWS ignores members it does not know.
            elif member_name in timestamps:
                value[member_name] = _timestamp(value[member_name], _where(path, member_name))
            else:
                check = checks.get(member_name)
                if check is None:
                    check = checks[member_name] = validator(member)
                check(value[member_name], f"{path}.{member_name}" if path else member_name)
        return value

    return check_structure


def _string_validator(shape: Shape) -> Validator:
    name = shape.name
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    enum = shape.enum
    allowed = frozenset(enum)
    pattern = shape.metadata.get("pattern")
    # Whole-value match, as AWS's validators apply the model's patterns ("\\d*" must not
    # accept "abc", "d[a-z0-9]+" must not accept "XYZd1").
    fullmatch = _compile_pattern(pattern).fullmatch if pattern else None

    def check_string(value: Any, path: str) -> Any:
        if not isinstance(value, str):
            raise BadRequestException(f"{path or name} must be a string.")
        size = len(value)
        if (low is not None and size < low) or (high is not None and size > high):
            _check_length(size, shape, path or name, "characters")
        if allowed and value not in allowed:
            raise BadRequestException(f"{path or name} must be one of {', '.join(enum)}; got {value!r}.")
        if fullmatch is not None and not fullmatch(value):
            raise BadRequestException(f"{path or name} {value!r} does not match the pattern {pattern}.")
        return value

    return check_string


def _timestamp(value: Any, label: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequestException(f"{label} must be a timestamp in epoch seconds.")
    if not 0 <= value < 253402300800:  # year 10000
        raise BadRequestException(f"{label} is not a valid timestamp.")
    return float(value)


def _check_length(size: int, shape: Shape, label: str, unit: str) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        raise BadRequestException(f"{label} must have at least {low} {unit}.")
    if high is not None and size > high:
        raise BadRequestException(f"{label} must have at most {high} {unit}.")


# A URL as botocore sends it: http(s), printable ASCII, no user, "%", IPv6 host or fragment. Such a
# URL is split here as urlsplit splits it, at a fraction of its cost; any other goes to urlsplit.
_PLAIN_URL = re.compile(f"https?://({_HOST_CHARS}*)(/{_PATH_CHARS}*)?(?:\\?({_QUERY_CHARS}*))?")


def split_url(url: str) -> Tuple[str, str, str]:
    """(host, raw path, raw query) of a URL, keeping the path percent-encoded."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        netloc, path, query = plain.groups()
        return netloc.partition(":")[0].lower(), path or "/", query or ""
    parts = urlsplit(url)
    return parts.hostname or "", parts.path or "/", parts.query


def serialize(result: Mapping[str, Any]) -> bytes:
    return json.dumps(result, separators=(",", ":")).encode()

