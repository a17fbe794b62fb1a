"""Small helpers shared by the apps/branches/tags tests."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from amplify_mock import AmplifyBackend

_session: Optional[boto3.session.Session] = None


def amplify(region: str = "us-east-1", **kwargs: Any) -> Any:
    """An Amplify client from one shared session: loading botocore's models once keeps the
    suite fast. Tests of how users build clients call ``boto3.client`` themselves."""
    global _session
    if _session is None:
        _session = boto3.session.Session(aws_access_key_id="FOOBARKEY", aws_secret_access_key="FOOBARSECRET")
    return _session.client("amplify", region_name=region, **kwargs)


def unvalidated(region: str = "us-east-1") -> Any:
    """A client that skips botocore's own checks, so the mock alone judges the request."""
    return amplify(region, config=Config(parameter_validation=False))


def error(excinfo: pytest.ExceptionInfo[ClientError]) -> Tuple[str, int, str]:
    """(code, HTTP status, message) of a ClientError."""
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def snapshot(backend: AmplifyBackend) -> Dict[str, Any]:
    """Everything a caller could observe of a backend's apps, branches and tags."""
    return {
        "app_seq": backend.app_seq,
        "apps": {
            app_id: {
                "app": app.to_dict(),
                "branch_seq": app.branches.seq,
                "branches": {name: branch.to_dict() for name, branch in app.branches.items()},
            }
            for app_id, app in backend.apps.items()
        },
    }
