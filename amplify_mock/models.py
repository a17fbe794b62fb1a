"""The Amplify backend: apps and branches (and, through them, jobs) per account and region."""

from __future__ import annotations

import re
import string
import threading
from typing import Any, Dict, Iterator, List, Optional, Tuple

from moto.core.base_backend import BackendDict, BaseBackend
from moto.moto_api._internal import mock_random

from . import _clock
from ._jobs import BranchJobs, Job, JobsMixin, settings
from ._lifecycle import Scheduler
from ._pagination import page_ascending
from ._protocol import service_model
from .exceptions import (
    BadRequestException,
    NotFoundException,
    ResourceNotFoundException,
    UnauthorizedException,
)
from .pushes import auto_branch
from .webhooks import Webhook, Webhooks

_APP_ID_ALPHABET = string.ascii_lowercase + string.digits


def _shape_members(name: str) -> Tuple[str, ...]:
    return tuple(service_model().shape_for(name).members)


class App:
    def __init__(self, backend: AmplifyBackend, app_id: str, seq: int, params: Dict[str, Any]):
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
        }
        self.settings.update(params)
        self.create_time = now
        self.update_time = now
        self.branches: Dict[str, Branch] = {}
        self.branch_seq = 0

    @property
    def repository(self) -> str:
        return str(self.settings.get("repository") or "")

    def update(self, params: Dict[str, Any]) -> None:
        self.settings.update(params)
        self.update_time = _clock.now()

    def to_dict(self) -> Dict[str, Any]:
        members = _app_members()
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


class Branch:
    def __init__(self, app: App, name: str, seq: int, params: Dict[str, Any]):
        now = _clock.now()
        self.app = app
        self.name = name
        self.seq = seq
        self.arn = f"{app.arn}/branches/{name}"
        self.jobs = BranchJobs()
        self.tags: Dict[str, str] = dict(params.pop("tags", None) or {})
        self.settings: Dict[str, Any] = {
            "description": "",
            "stage": "PRODUCTION",
            "displayName": name.replace("/", "-"),
            "enableNotification": False,
            "environmentVariables": {},
            "enableAutoBuild": True,
            "enableSkewProtection": False,
            "customDomains": [],
            "framework": "",
            "enableBasicAuth": False,
            "enablePerformanceMode": False,
            "ttl": "5",
            "enablePullRequestPreview": False,
        }
        self.settings.update(params)
        self.create_time = now
        self.update_time = now

    def update(self, params: Dict[str, Any]) -> None:
        self.settings.update(params)
        self.update_time = _clock.now()

    def job_counters(self) -> Tuple[str, str]:
        """(activeJobId, totalNumberOfJobs) as the Branch shape reports them."""
        active = "0"
        for job_id in reversed(self.jobs.ids):
            if self.jobs.jobs[job_id].timeline is not None:
                active = str(job_id)
                break
        return active, str(len(self.jobs.ids))

    def to_dict(self) -> Dict[str, Any]:
        members = _branch_members()
        result = {k: v for k, v in self.settings.items() if k in members}
        active, total = self.job_counters()
        result.update(
            branchArn=self.arn,
            branchName=self.name,
            createTime=self.create_time,
            updateTime=self.update_time,
            activeJobId=active,
            totalNumberOfJobs=total,
            tags=dict(self.tags),
        )
        return result


_members_cache: Dict[str, Tuple[str, ...]] = {}


def _app_members() -> Tuple[str, ...]:
    if "App" not in _members_cache:
        _members_cache["App"] = _shape_members("App")
    return _members_cache["App"]


def _branch_members() -> Tuple[str, ...]:
    if "Branch" not in _members_cache:
        _members_cache["Branch"] = _shape_members("Branch")
    return _members_cache["Branch"]


# DOTALL and \Z: branch names may hold any character, a newline included.
_ARN_RESOURCE = re.compile(r"^apps/(?P<app>[^/]+)(?:/branches/(?P<branch>.+))?\Z", re.DOTALL)


class AmplifyBackend(JobsMixin, BaseBackend):
    """Apps, branches and jobs of one account in one region."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.lock = threading.RLock()
        self.apps: Dict[str, App] = {}
        self.app_seq = 0
        self.scheduler = Scheduler(settings.max_concurrent)
        self.webhooks = Webhooks()

    # Apps

    def create_app(self, params: Dict[str, Any]) -> App:
        app_id = self._new_app_id()
        self.app_seq += 1
        app = App(self, app_id, self.app_seq, params)
        self.apps[app_id] = app
        return app

    def _new_app_id(self) -> str:
        while True:
            app_id = "d" + "".join(mock_random.choice(_APP_ID_ALPHABET) for _ in range(13))
            if app_id not in self.apps:
                return app_id

    def get_app(self, app_id: str) -> App:
        app = self.apps.get(app_id)
        if app is None:
            raise NotFoundException(
                f"App {app_id} not found in account {self.account_id}, region {self.region_name}."
            )
        return app

    def list_apps(
        self, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[App], Optional[str]]:
        return page_ascending(
            "apps", list(self.apps.values()), lambda a: a.seq, next_token, max_results, 100
        )

    def update_app(self, app_id: str, params: Dict[str, Any]) -> App:
        app = self.get_app(app_id)
        app.update(params)
        return app

    def delete_app(self, app_id: str) -> App:
        app = self.get_app(app_id)
        for branch in list(app.branches.values()):
            self._forget_branch(branch)
        self.webhooks.forget_app(app_id)
        del self.apps[app_id]
        return app

    # Branches

    def create_branch(self, app_id: str, branch_name: str, params: Dict[str, Any]) -> Branch:
        app = self.get_app(app_id)
        if branch_name in app.branches:
            raise BadRequestException(
                f"Branch {branch_name} already exists for app {app_id}; "
                "choose another branchName or update the existing branch."
            )
        app.branch_seq += 1
        branch = Branch(app, branch_name, app.branch_seq, params)
        app.branches[branch_name] = branch
        return branch

    def get_branch(self, app_id: str, branch_name: str) -> Branch:
        app = self.get_app(app_id)
        branch = app.branches.get(branch_name)
        if branch is None:
            raise NotFoundException(f"Branch {branch_name} not found for app {app_id}.")
        return branch

    def list_branches(
        self, app_id: str, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[Branch], Optional[str]]:
        app = self.get_app(app_id)
        return page_ascending(
            "branches", list(app.branches.values()), lambda b: b.seq, next_token, max_results, 50
        )

    def update_branch(self, app_id: str, branch_name: str, params: Dict[str, Any]) -> Branch:
        branch = self.get_branch(app_id, branch_name)
        branch.update(params)
        return branch

    def delete_branch(self, app_id: str, branch_name: str) -> Branch:
        branch = self.get_branch(app_id, branch_name)
        self._forget_branch(branch)
        del branch.app.branches[branch_name]
        return branch

    def _forget_branch(self, branch: Branch) -> None:
        self.forget_jobs(branch)
        self.webhooks.forget_branch(branch.app.app_id, branch.name)

    # Webhooks

    def create_webhook(self, app_id: str, branch_name: str, description: Optional[str]) -> Webhook:
        app = self.get_app(app_id)
        self.get_branch(app_id, branch_name)
        return self.webhooks.create(app, branch_name, description or "", _clock.now())

    def get_webhook(self, webhook_id: str) -> Webhook:
        return self.webhooks.get(webhook_id)

    def update_webhook(
        self, webhook_id: str, branch_name: Optional[str], description: Optional[str]
    ) -> Webhook:
        webhook = self.webhooks.get(webhook_id)
        if branch_name is not None:
            self.get_branch(webhook.app_id, branch_name)
        return self.webhooks.update(webhook_id, branch_name, description, _clock.now())

    def delete_webhook(self, webhook_id: str) -> Webhook:
        return self.webhooks.delete(webhook_id)

    def list_webhooks(
        self, app_id: str, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[Webhook], Optional[str]]:
        self.get_app(app_id)
        return self.webhooks.list(app_id, next_token, max_results)

    def webhook_build(self, webhook_id: str, token: str) -> Job:
        """A POST to a webhook's URL: a WEB_HOOK build of its branch, queued behind what runs."""
        webhook = self.webhooks.find(webhook_id)
        if webhook is None or not webhook.token_matches(token):
            raise UnauthorizedException("Unauthorized")
        return self.queue_build(self.get_branch(webhook.app_id, webhook.branch_name), None, "")

    # Pushes to the connected repository

    def push(
        self, app_id: str, branch_name: str, commit_id: Optional[str], commit_message: str
    ) -> Tuple[Optional[Job], bool]:
        """A push of ``branch_name``: (the build it queued or None, whether it created the branch)."""
        app = self.get_app(app_id)
        if not app.repository:
            raise BadRequestException(
                f"App {app_id} is not connected to a repository, so nothing can be pushed to it; "
                "connect one (CreateApp/UpdateApp repository)."
            )
        branch = app.branches.get(branch_name)
        created = False
        if branch is None:
            params = auto_branch(app.settings, branch_name)
            if params is None:
                return None, False  # a branch Amplify does not track: AWS builds nothing
            branch = self.create_branch(app_id, branch_name, params)
            created = True
        if not branch.settings.get("enableAutoBuild", True):
            return None, created
        commit = commit_id or mock_random.get_random_hex(40)
        return self.queue_build(branch, commit, commit_message, merge_pending=True), created

    def delete_remote_branch(self, app_id: str, branch_name: str) -> bool:
        """The branch was deleted from the repository: with enableBranchAutoDeletion, Amplify
        deletes its branch too. Whether it did."""
        app = self.get_app(app_id)
        if not app.settings.get("enableBranchAutoDeletion") or branch_name not in app.branches:
            return False
        self.delete_branch(app_id, branch_name)
        return True

    # Tags

    def _tagged(self, arn: str) -> Any:
        prefix = f"arn:{self.partition}:amplify:{self.region_name}:{self.account_id}:"
        match = _ARN_RESOURCE.match(arn[len(prefix):]) if arn.startswith(prefix) else None
        resource: Any = None
        if match:
            app = self.apps.get(match.group("app"))
            branch_name = match.group("branch")
            resource = app if app is not None and branch_name is None else None
            if app is not None and branch_name is not None:
                resource = app.branches.get(branch_name)
        if resource is None:
            raise ResourceNotFoundException(
                f"No Amplify app or branch has the ARN {arn} in account "
                f"{self.account_id}, region {self.region_name}."
            )
        return resource

    def tag_resource(self, arn: str, tags: Dict[str, str]) -> None:
        resource = self._tagged(arn)
        if len({**resource.tags, **tags}) > 50:
            raise BadRequestException(f"A resource can have at most 50 tags; {arn} would have more.")
        resource.tags.update(tags)

    def untag_resource(self, arn: str, keys: List[str]) -> None:
        resource = self._tagged(arn)
        for key in keys:
            resource.tags.pop(key, None)

    def list_tags_for_resource(self, arn: str) -> Dict[str, str]:
        return dict(self._tagged(arn).tags)

    def iter_branches(self) -> Iterator[Branch]:
        for app in self.apps.values():
            yield from app.branches.values()


amplify_backends = BackendDict(AmplifyBackend, "amplify")
