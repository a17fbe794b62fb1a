"""The Amplify backend per account and region: apps and branches (and, through them, jobs),
composed with the domain associations and backend environments of their own modules."""

from __future__ import annotations

import re
import string
import threading
from typing import Any, Dict, Iterator, List, Optional, Tuple

from moto.core.base_backend import BackendDict, BaseBackend
from moto.moto_api._internal import mock_random

from . import _clock, domains
from ._jobs import BranchJobs, Job, JobsMixin, settings
from ._lifecycle import Scheduler
from ._pagination import page_ascending
from ._protocol import service_model
from .artifacts import Artifacts, JobArtifacts, artifact_not_found, listing, test_step
from .backend_environments import BackendEnvironment, BackendEnvironments
from .domains import DomainAssociation, DomainAssociations
from .exceptions import (
    BadRequestException,
    NotFoundException,
    ResourceNotFoundException,
    UnauthorizedException,
)
from .pushes import auto_branch
from .webhooks import Webhook, Webhooks

_APP_ID_ALPHABET = string.ascii_lowercase + string.digits

# What AWS reports for settings a request left out, as terraform-provider-aws's Amplify
# acceptance tests record them from real runs (internal/service/amplify/app_test.go and
# branch_test.go): a branch created without a stage reports "NONE" (a value botocore's Stage enum
# lacks); a new app reports a cacheConfig, of type AMPLIFY_MANAGED_NO_COOKIES since 2025 (the
# basic test failed on it in terraform-provider-aws#43136; AMPLIFY_MANAGED before); and an app
# created with enableAutoBranchCreation but no autoBranchCreationConfig reports one with stage
# NONE and every switch off.
NO_STAGE = "NONE"
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
# How AWS has clients clear environment variables: a map whose only key is one space, with an
# empty value (aws/aws-sdk-go-v2#2788; terraform-provider-aws#39397 and #49858 adopted it).
# An empty key is refused, in AWS's words as terraform-provider-aws#39327 quotes them.
_CLEAR_ENVIRONMENT = " "
_EMPTY_KEY = "Environment variables cannot have an empty key."


def _environment(variables: Dict[str, str]) -> Dict[str, str]:
    if "" in variables:
        raise BadRequestException(_EMPTY_KEY)
    if variables.get(_CLEAR_ENVIRONMENT) == "":
        variables = {k: v for k, v in variables.items() if k != _CLEAR_ENVIRONMENT}
    return variables


def _settle_environment(params: Dict[str, Any]) -> Dict[str, Any]:
    """``params`` with its environment variables as AWS stores them; refuses an empty key
    before anything is changed."""
    if "environmentVariables" in params:
        params = {**params, "environmentVariables": _environment(params["environmentVariables"])}
    config = params.get("autoBranchCreationConfig")
    if config is not None and "environmentVariables" in config:
        config = {**config, "environmentVariables": _environment(config["environmentVariables"])}
        params = {**params, "autoBranchCreationConfig": config}
    return params


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
            "cacheConfig": dict(DEFAULT_CACHE_CONFIG),
        }
        self.update(params)
        self.create_time = now
        self.update_time = now
        self.branches: Dict[str, Branch] = {}
        self.branch_seq = 0

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
            "stage": NO_STAGE,
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


# One lock for every account's and region's state, and the mock-wide settings and clock offset:
# a reset changes all of them at once, so a call running in another thread sees the state from
# before the reset or from after it, never half of each. Calls are pure Python under the GIL, so
# one lock costs no throughput compared with one per backend.
STATE_LOCK = threading.RLock()


class AmplifyBackend(JobsMixin, BaseBackend):
    """Apps, branches, jobs, domain associations and backend environments of one account in
    one region."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.lock = STATE_LOCK
        self.apps: Dict[str, App] = {}
        self.app_seq = 0
        self.scheduler = Scheduler(settings.max_concurrent)
        self.domains = DomainAssociations()
        self.backend_environments = BackendEnvironments()
        self.webhooks = Webhooks()
        self.artifacts = Artifacts()

    def reset(self) -> None:
        # Uploads may be spooled to temporary files: closed here, not left to the collector.
        for branch in self.iter_branches():
            for job in branch.jobs.jobs.values():
                job.close_uploads()
        # moto's BaseBackend.reset empties __dict__ and then refills it: a call in another thread
        # would meanwhile find no `lock`, or half a backend. Build the fresh state aside and swap
        # it in with one assignment. (reset_state() holds the lock around this; moto's own
        # mock_aws() reset does not, as for every moto service.)
        fresh = AmplifyBackend(self.region_name, self.account_id)
        self.__dict__ = fresh.__dict__

    # Apps

    def create_app(self, params: Dict[str, Any]) -> App:
        params = _settle_environment(params)
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
            # AWS's words, as quoted from the AWS SDK in aws-amplify/amplify-cli#4506.
            raise NotFoundException(f"App {app_id} not found.")
        return app

    def list_apps(
        self, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[App], Optional[str]]:
        return page_ascending(
            "apps", list(self.apps.values()), lambda a: a.seq, next_token, max_results, 100
        )

    def update_app(self, app_id: str, params: Dict[str, Any]) -> App:
        app = self.get_app(app_id)
        app.update(_settle_environment(params))
        return app

    def delete_app(self, app_id: str) -> App:
        app = self.get_app(app_id)
        for branch in list(app.branches.values()):
            self._forget_branch(branch)
        self.domains.forget_app(app_id)
        self.backend_environments.forget_app(app_id)
        self.webhooks.forget_app(app_id)
        del self.apps[app_id]
        return app

    # Branches

    def create_branch(self, app_id: str, branch_name: str, params: Dict[str, Any]) -> Branch:
        app = self.get_app(app_id)
        params = _settle_environment(params)
        if branch_name in app.branches:
            # AWS's words, as CloudFormation relayed them in aws-amplify/amplify-hosting#2604.
            raise BadRequestException(
                f"Failed to create branch. The branch {branch_name} already exists for the app {app_id}"
            )
        app.branch_seq += 1
        branch = Branch(app, branch_name, app.branch_seq, params)
        app.branches[branch_name] = branch
        return branch

    def get_branch(self, app_id: str, branch_name: str) -> Branch:
        app = self.get_app(app_id)
        branch = app.branches.get(branch_name)
        if branch is None:
            # AWS's words, as the AWS CLI printed them in aws-amplify/amplify-hosting#2252.
            raise NotFoundException(f"Branch {branch_name} not found.")
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
        branch.update(_settle_environment(params))
        return branch

    def delete_branch(self, app_id: str, branch_name: str) -> Branch:
        branch = self.get_branch(app_id, branch_name)
        self._forget_branch(branch)
        del branch.app.branches[branch_name]
        return branch

    def _forget_branch(self, branch: Branch) -> None:
        self.forget_jobs(branch)
        self.webhooks.forget_branch(branch.app.app_id, branch.name)
        self.artifacts.forget_branch(branch.app.app_id, branch.name)

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

    # Domain associations (amplify_mock.domains)

    def create_domain_association(self, app_id: str, params: Dict[str, Any]) -> DomainAssociation:
        return self.domains.create(self.get_app(app_id), params, _clock.now())

    def get_domain_association(self, app_id: str, domain_name: str) -> DomainAssociation:
        return self.domains.get(self.get_app(app_id), domain_name)

    def update_domain_association(
        self, app_id: str, domain_name: str, params: Dict[str, Any]
    ) -> DomainAssociation:
        return self.domains.update(self.get_app(app_id), domain_name, params, _clock.now())

    def delete_domain_association(self, app_id: str, domain_name: str) -> DomainAssociation:
        return self.domains.delete(self.get_app(app_id), domain_name)

    def list_domain_associations(
        self, app_id: str, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[DomainAssociation], Optional[str]]:
        return self.domains.list(self.get_app(app_id), next_token, max_results)

    # Backend environments (amplify_mock.backend_environments)

    def create_backend_environment(self, app_id: str, params: Dict[str, Any]) -> BackendEnvironment:
        return self.backend_environments.create(self.get_app(app_id), params, _clock.now())

    def get_backend_environment(self, app_id: str, name: str) -> BackendEnvironment:
        return self.backend_environments.get(self.get_app(app_id), name)

    def delete_backend_environment(self, app_id: str, name: str) -> BackendEnvironment:
        return self.backend_environments.delete(self.get_app(app_id), name)

    def list_backend_environments(
        self,
        app_id: str,
        environment_name: Optional[str],
        next_token: Optional[str],
        max_results: Optional[int],
    ) -> Tuple[List[BackendEnvironment], Optional[str]]:
        return self.backend_environments.list(
            self.get_app(app_id), environment_name, next_token, max_results
        )

    # End-to-end test artifacts (amplify_mock.artifacts)

    def list_artifacts(
        self,
        app_id: str,
        branch_name: str,
        job_id: str,
        next_token: Optional[str],
        max_results: Optional[int],
    ) -> Tuple[List[Tuple[str, str]], Optional[str]]:
        job = self._job(self.get_branch(app_id, branch_name), job_id)
        return listing(self.artifacts, job, self._now, next_token, max_results)

    def get_artifact(self, artifact_id: str) -> Tuple[Job, JobArtifacts, str]:
        """The job, its artifacts and the file name an artifact id names, once its TEST ran."""
        entry, name = self.artifacts.find(artifact_id)
        app_id, branch_name, job_id = entry.key
        job = self._job(self.get_branch(app_id, branch_name), str(job_id))
        if test_step(job.view(self._now(), counted=False)) is None:
            raise artifact_not_found(artifact_id)  # not written yet: as for an unknown id
        return job, entry, name

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


def _current(account_id: str, region: str) -> Optional[AmplifyBackend]:
    # Plain dict reads: BackendDict's own lookups take moto's lock, and create what is missing.
    regions = dict.get(amplify_backends, account_id)
    return dict.get(regions, region) if regions is not None else None


class LockedBackend:
    """``with LockedBackend(account_id, region) as backend``: the backend of that account and
    region, with the state lock held in the block.

    A backend looked up just before a reset is no longer the account's once the lock is had: it
    is looked up again, so what the caller does is never lost in a forgotten backend. The lookup,
    which may create a backend under moto's lock, happens outside ours, so the two locks are never
    taken in the other order. Raises KeyError, on creation, for a region moto does not know.
    """

    __slots__ = ("_account_id", "_region", "_backend")

    def __init__(self, account_id: str, region: str) -> None:
        self._account_id = account_id
        self._region = region
        self._backend = _current(account_id, region) or amplify_backends[account_id][region]

    def __enter__(self) -> AmplifyBackend:
        backend = self._backend
        while True:
            backend.lock.acquire()
            if _current(self._account_id, self._region) is backend:
                self._backend = backend
                return backend
            backend.lock.release()
            backend = amplify_backends[self._account_id][self._region]

    def __exit__(self, *exc: object) -> None:
        self._backend.lock.release()


def reset_state(*, keep_backends: bool = False) -> None:
    """Every backend forgotten (unless ``keep_backends``), and the settings and clock offset
    back to their defaults, all at once under the state lock."""
    with STATE_LOCK:
        settings.__init__()  # type: ignore[misc]
        domains.settings.__init__()  # type: ignore[misc]
        _clock.reset()
        if keep_backends:
            return
        # Copies: a call in another thread may add a backend meanwhile (it is looked up outside
        # the lock), and then finds it gone when it takes the lock, and looks up a fresh one.
        for account in list(amplify_backends.values()):
            for backend in list(account.values()):
                backend.reset()
        amplify_backends.clear()
