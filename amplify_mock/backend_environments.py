"""Backend environments of an app (Amplify Gen 1): named CloudFormation stacks and their
deployment bucket. This module knows apps only through the few attributes it reads."""

from __future__ import annotations

import datetime
import re
from typing import Any, Dict, List, Optional, Protocol, Tuple

from ._pagination import page_ascending
from .exceptions import BadRequestException, NotFoundException

_NOT_NAME = re.compile(r"[^a-z0-9]")


class AppRef(Protocol):
    """What this module reads of an app."""

    app_id: str
    arn: str

    @property
    def name(self) -> str: ...


class BackendEnvironment:
    def __init__(self, app: AppRef, name: str, seq: int, params: Dict[str, Any], now: float):
        self.app_id = app.app_id
        self.name = name
        self.seq = seq
        self.arn = f"{app.arn}/backendenvironments/{name}"
        stack = params.get("stackName") or _stack_name(app.name, name, now)
        self.stack_name: str = stack
        # The deployment bucket is named after the stack, as the Amplify CLI names it
        # ("amplify-qurantutor-tutor-10621-deployment", amplify-cli#11694).
        self.deployment_artifacts: str = params.get("deploymentArtifacts") or f"{stack}-deployment"
        self.create_time = now
        self.update_time = now

    def to_dict(self) -> Dict[str, Any]:
        return {
            "backendEnvironmentArn": self.arn,
            "environmentName": self.name,
            "stackName": self.stack_name,
            "deploymentArtifacts": self.deployment_artifacts,
            "createTime": self.create_time,
            "updateTime": self.update_time,
        }


def _stack_name(app_name: str, environment: str, now: float) -> str:
    # The Amplify CLI's root stack name: amplify-<project>-<env>-<H:mm:ss of creation>, e.g.
    # "amplify-myproj-prod-210654" (amplify-cli#3287). Both names are cut to what CloudFormation
    # and S3 take (the bucket adds "-deployment" and must stay within 63 characters).
    project = _NOT_NAME.sub("", app_name.lower())[:20] or "amplify"
    env = _NOT_NAME.sub("", environment.lower())[:10] or "env"
    at = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
    return f"amplify-{project}-{env}-{at.hour}{at.minute:02d}{at.second:02d}"


class BackendEnvironments:
    """The backend environments of one account in one region, by app."""

    def __init__(self) -> None:
        self.by_app: Dict[str, Dict[str, BackendEnvironment]] = {}
        self.seq = 0

    def create(self, app: AppRef, params: Dict[str, Any], now: float) -> BackendEnvironment:
        name = params["environmentName"]
        environments = self.by_app.get(app.app_id, {})
        if name in environments:
            raise BadRequestException(
                f"BackendEnvironment {name} already exists for app {app.app_id}; choose another "
                "environmentName or delete the existing one first."
            )
        self.seq += 1
        environment = BackendEnvironment(app, name, self.seq, params, now)
        self.by_app.setdefault(app.app_id, {})[name] = environment
        return environment

    def get(self, app: AppRef, name: str) -> BackendEnvironment:
        environment = self.by_app.get(app.app_id, {}).get(name)
        if environment is None:
            # AWS's words (amplify-cli#11694: "NotFoundException: BackendEnvironment tutor does
            # not exist.").
            raise NotFoundException(f"BackendEnvironment {name} does not exist.")
        return environment

    def delete(self, app: AppRef, name: str) -> BackendEnvironment:
        environment = self.get(app, name)
        environments = self.by_app[app.app_id]
        del environments[name]
        if not environments:
            del self.by_app[app.app_id]
        return environment

    def list(
        self,
        app: AppRef,
        environment_name: Optional[str],
        next_token: Optional[str],
        max_results: Optional[int],
    ) -> Tuple[List[BackendEnvironment], Optional[str]]:
        environments = sorted(self.by_app.get(app.app_id, {}).values(), key=lambda e: e.seq)
        if environment_name is not None:
            environments = [e for e in environments if e.name == environment_name]
        return page_ascending(
            "backendenvironments", environments, lambda e: e.seq, next_token, max_results, 50
        )

    def forget_app(self, app_id: str) -> None:
        self.by_app.pop(app_id, None)
