"""Check a boto3-parsed response against botocore's output shape of its operation.

    from tests.shapes import assert_matches_output_shape
    assert_matches_output_shape(client, "GetApp", response)

Walks the response: every member the model marks required is present, no member the model
does not know, types as boto3 parses them (str, bool, int, float, datetime, list, dict, bytes),
enum values valid, string/list/map lengths and numeric ranges within the model's bounds,
string patterns matched. Raises AssertionError naming the path of the first problem.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Callable, Dict, List, Pattern

from botocore.model import Shape

__all__ = ["assert_matches_output_shape", "shape_problems"]

Problems = List[str]

_patterns: Dict[str, Pattern[str]] = {}

# The one value AWS answers outside botocore's enums: a branch (or an autoBranchCreationConfig)
# without a stage reports stage "NONE", which the Stage enum lacks. terraform-provider-aws's
# acceptance tests record it from real runs (branch_test.go, app_test.go) and its provider
# declares the constant itself (StageNone) for that reason.
_ENUM_EXTRAS: Dict[str, frozenset] = {"Stage": frozenset({"NONE"})}


def assert_matches_output_shape(client: Any, operation_name: str, response: Dict[str, Any]) -> None:
    """Fail with every mismatch between ``response`` and the output shape of the operation."""
    problems = shape_problems(client, operation_name, response)
    assert not problems, f"{operation_name} response breaks its output shape:\n" + "\n".join(problems)


def shape_problems(client: Any, operation_name: str, response: Dict[str, Any]) -> Problems:
    operation = client.meta.service_model.operation_model(operation_name)
    body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    shape = operation.output_shape
    if shape is None:
        return [f"{operation_name}: no output expected, got {sorted(body)}"] if body else []
    problems: Problems = []
    _walk(body, shape, operation_name, problems)
    return problems


def _walk(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    kind = shape.type_name
    checker = _CHECKS.get(kind)
    if checker is None:
        problems.append(f"{path}: shape {shape.name} has type {kind} this checker does not know")
        return
    checker(value, shape, path, problems)


def _structure(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: expected a structure (dict), got {type(value).__name__}")
        return
    members = shape.members
    for name in shape.required_members:
        if name not in value:
            problems.append(f"{path}.{name}: required by {shape.name} but missing")
    for name, item in value.items():
        if name not in members:
            problems.append(f"{path}.{name}: not a member of {shape.name}")
            continue
        _walk(item, members[name], f"{path}.{name}", problems)


def _list(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    if not isinstance(value, list):
        problems.append(f"{path}: expected a list, got {type(value).__name__}")
        return
    _bounds(len(value), shape, path, "items", problems)
    for index, item in enumerate(value):
        _walk(item, shape.member, f"{path}[{index}]", problems)


def _map(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: expected a map (dict), got {type(value).__name__}")
        return
    _bounds(len(value), shape, path, "entries", problems)
    for key, item in value.items():
        _walk(key, shape.key, f"{path} key {key!r}", problems)
        _walk(item, shape.value, f"{path}[{key!r}]", problems)


def _string(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    if not isinstance(value, str):
        problems.append(f"{path}: expected a string, got {type(value).__name__} {value!r}")
        return
    _bounds(len(value), shape, path, "characters", problems)
    if shape.enum and value not in shape.enum and value not in _ENUM_EXTRAS.get(shape.name, ()):
        problems.append(f"{path}: {value!r} is not one of {shape.enum}")
    pattern = shape.metadata.get("pattern")
    if pattern and not _compiled(pattern).search(value):
        problems.append(f"{path}: {value!r} does not match {pattern}")


def _integer(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{path}: expected an integer, got {type(value).__name__} {value!r}")
        return
    _range(value, shape, path, problems)


def _float(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{path}: expected a number, got {type(value).__name__} {value!r}")
        return
    _range(value, shape, path, problems)


def _boolean(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    if not isinstance(value, bool):
        problems.append(f"{path}: expected a boolean, got {type(value).__name__} {value!r}")


def _timestamp(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    if not isinstance(value, datetime.datetime):
        problems.append(f"{path}: expected a datetime, got {type(value).__name__} {value!r}")
    elif value.tzinfo is None:
        problems.append(f"{path}: datetime {value!r} has no timezone")


def _blob(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    if not isinstance(value, (bytes, bytearray)) and not hasattr(value, "read"):
        problems.append(f"{path}: expected bytes, got {type(value).__name__}")


_CHECKS: Dict[str, Callable[[Any, Shape, str, Problems], None]] = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "float": _float,
    "double": _float,
    "boolean": _boolean,
    "timestamp": _timestamp,
    "blob": _blob,
}


def _bounds(size: int, shape: Shape, path: str, unit: str, problems: Problems) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        problems.append(f"{path}: {size} {unit}, fewer than the minimum {low}")
    if high is not None and size > high:
        problems.append(f"{path}: {size} {unit}, more than the maximum {high}")


def _range(value: Any, shape: Shape, path: str, problems: Problems) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        problems.append(f"{path}: {value} outside {low}..{high}")


def _compiled(pattern: str) -> Pattern[str]:
    if pattern not in _patterns:
        # Java's Unicode classes, which Python's re lacks, as their nearest equivalents.
        translated = pattern.replace(r"\p{L}", r"\w").replace(r"\p{N}", r"\w").replace(r"\p{Z}", r"\s")
        _patterns[pattern] = re.compile(translated)
    return _patterns[pattern]
