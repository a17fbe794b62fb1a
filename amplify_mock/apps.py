"""Apps (CreateApp, GetApp, ListApps, UpdateApp, DeleteApp): the settings AWS stores and reports,
and the branches each app holds (:mod:`amplify_mock.branches`).

This module knows the backend only through where it is (:class:`BackendRef`); the backend
forgets what a deleted app leaves behind in the other resources.
"""

from __future__ import annotations

import string
from typing import Any, Dict, List, Optional, Protocol, Tuple

from moto.moto_api._internal import mock_random

from . import _clock
from ._environment import settle_environment
from ._pagination import page_ascending
from ._protocol import shape_members
from .branches import NO_STAGE, Branches
from .exceptions import BadRequestException, NotFoundException

_APP_ID_ALPHABET = string.ascii_lowercase + string.digits

# What AWS reports for settings a request left out, as terraform-provider-aws's Amplify
# acceptance tests record them from real runs (internal/service/amplify/app_test.go): a new app
# reports a cacheConfig, of type AMPLIFY_MANAGED_NO_COOKIES since 2025 (the basic test failed on
# it in terraform-provider-aws#43136; AMPLIFY_MANAGED before); and an app created with
# enableAutoBranchCreation but no autoBranchCreationConfig reports one with stage NONE and every
# switch off.
DEFAULT_CACHE_CONFIG = {"type": "AMPLIFY_MANAGED_NO_COOKIES"}
DEFAULT_AUTO_BRANCH_CREATION_CONFIG: Dict[str, Any] = {
    "stage": NO_STAGE,
    "framework": "",
    "enableAutoBuild": False,
    "environmentVariables": {},
    "enableBasicAuth": False,
    "enablePerformanceMode": False,
    "enablePullRequestPreview": False,
}


# The tokens that authorize AWS to read a repository: used once, never stored or reported ("The
# token is not stored", botocore's documentation of both members).
_TOKENS = ("accessToken", "oauthToken")


def _take_tokens(params: Dict[str, Any]) -> Dict[str, Any]:
    """The settings a CreateApp or UpdateApp stores: its request without the tokens, refused as
    AWS refuses it when it connects a repository that no token authorizes."""
    repository = params.get("repository")
    if repository and not any(params.get(name) for name in _TOKENS) and not _codecommit(repository):
        # "You must specify either accessToken or oauthToken when you create a new app" (and
        # "when you update an app"), botocore's documentation of CreateApp and UpdateApp; AWS's
        # words are quoted from the console in aws-amplify/amplify-hosting#468 and in
        # terraform-provider-aws's aws_amplify_app documentation ("BadRequestException: You
        # should at least provide one valid token").
        raise BadRequestException("You should at least provide one valid token")
    return {name: value for name, value in params.items() if name not in _TOKENS}


def _codecommit(repository: str) -> bool:
    # A CodeCommit repository is read with the app's IAM service role: apps connected to one
    # with no token work (aws/aws-cdk#6818, where CfnApp did this).
    host = repository.split("://", 1)[-1].split("/", 1)[0]
    return host.startswith("git-codecommit.")


class BackendRef(Protocol):
    """What this module reads of the backend: the account and region an app belongs to."""

    region_name: str
    account_id: str

    @property
    def partition(self) -> str: ...


class App:
    def __init__(self, backend: BackendRef, app_id: str, seq: int, params: Dict[str, Any]):
        now = _clock.now()
        self.app_id = app_id
        self.seq = seq
        self.region = backend.region_name
        self.arn = f"arn:{backend.partition}:amplify:{backend.region_name}:{backend.account_id}:apps/{app_id}"
        self.tags: Dict[str, str] = dict(params.pop("tags", None) or {})
        self.settings: Dict[str, Any] = {
            "description": "",
            "repository": "",
            "platform": "WEB",
            "environmentVariables": {},
            "enableBranchAutoBuild": False,
            "enableBranchAutoDeletion": False,
            "enableBasicAuth": False,
            "customRules": [],
            "enableAutoBranchCreation": False,
            "cacheConfig": dict(DEFAULT_CACHE_CONFIG),
        }
        self.update(params)
        self.create_time = now
        self.update_time = now
        self.branches = Branches()

    @property
    def repository(self) -> str:
        return str(self.settings.get("repository") or "")

    @property
    def name(self) -> str:
        return str(self.settings.get("name") or "")

    def update(self, params: Dict[str, Any]) -> None:
        self.settings.update(params)
        if self.settings["enableAutoBranchCreation"] and "autoBranchCreationConfig" not in self.settings:
            self.settings["autoBranchCreationConfig"] = {
                **DEFAULT_AUTO_BRANCH_CREATION_CONFIG, "environmentVariables": {}
            }
        self.update_time = _clock.now()

    def to_dict(self) -> Dict[str, Any]:
        members = shape_members("App")
        result = {k: v for k, v in self.settings.items() if k in members}
        result.update(
            appId=self.app_id,
            appArn=self.arn,
            createTime=self.create_time,
            updateTime=self.update_time,
            defaultDomain=f"{self.app_id}.amplifyapp.com",
            tags=dict(self.tags),
        )
        return result


class Apps(Dict[str, App]):
    """The apps of one account in one region, by id, in creation order; ``seq`` numbers them
    for paging."""

    def __init__(self) -> None:
        super().__init__()
        self.seq = 0

    def create(self, backend: BackendRef, params: Dict[str, Any]) -> App:
        params = settle_environment(_take_tokens(params))
        app_id = self._new_app_id()
        self.seq += 1
        app = App(backend, app_id, self.seq, params)
        self[app_id] = app
        return app

    def _new_app_id(self) -> str:
        while True:
            app_id = "d" + "".join(mock_random.choice(_APP_ID_ALPHABET) for _ in range(13))
            if app_id not in self:
                return app_id

    def get_app(self, app_id: str) -> App:
        app = self.get(app_id)
        if app is None:
            # AWS's words, as quoted from the AWS SDK in aws-amplify/amplify-cli#4506.
            raise NotFoundException(f"App {app_id} not found.")
        return app

    def list_apps(
        self, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[App], Optional[str]]:
        return page_ascending(
            "apps", list(self.values()), lambda a: a.seq, next_token, max_results, 100
        )

    def update_app(self, app_id: str, params: Dict[str, Any]) -> App:
        app = self.get_app(app_id)
        app.update(settle_environment(_take_tokens(params)))
        return app
