"""The Amplify backend of one account in one region, composed from one module per resource.

Each resource lives in the module named after it: :mod:`~amplify_mock.apps`,
:mod:`~amplify_mock.branches`, :mod:`~amplify_mock.jobs`, :mod:`~amplify_mock.deployments`,
:mod:`~amplify_mock.webhooks`, :mod:`~amplify_mock.domains` and
:mod:`~amplify_mock.backend_environments`. They never import this module: the backend looks up
apps and branches, hands them to the resource's collection, and forgets what a deleted app or
branch leaves behind in the others. moto needs this module beside ``urls.py`` and
``amplify_backends`` in it.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Dict, Iterator, List, Optional, Tuple

from moto.core.base_backend import BackendDict, BaseBackend
from moto.moto_api._internal import mock_random

from . import _clock, access_logs, domains
from ._environment import settle_environment
from ._lifecycle import JobView, Scheduler
from .apps import App, Apps
from .artifacts import Artifacts, JobArtifacts, artifact_not_found, listing, test_step
from .backend_environments import BackendEnvironment, BackendEnvironments
from .branches import Branch
from .deployments import Deployments
from .domains import DomainAssociation, DomainAssociations, domain_key
from .exceptions import (
    BadRequestException,
    ResourceNotFoundException,
    UnauthorizedException,
)
from .jobs import Job, Jobs, settings
from .pushes import auto_branch
from .webhooks import Webhook, Webhooks

# DOTALL and \Z: branch names may hold any character, a newline included.
_ARN_RESOURCE = re.compile(r"^apps/(?P<app>[^/]+)(?:/branches/(?P<branch>.+))?\Z", re.DOTALL)


# One lock for every account's and region's state, and the mock-wide settings and clock offset:
# a reset changes all of them at once, so a call running in another thread sees the state from
# before the reset or from after it, never half of each. Calls are pure Python under the GIL, so
# one lock costs no throughput compared with one per backend.
STATE_LOCK = threading.RLock()


class AmplifyBackend(BaseBackend):
    """Apps, branches, jobs, deployments, webhooks, domain associations and backend environments
    of one account in one region."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        # One lock for every backend: _dispatch reads a backend under it without knowing it first.
        self.lock = STATE_LOCK
        self.apps = Apps()
        self.scheduler = Scheduler(settings.max_concurrent)
        self.artifacts = Artifacts()
        self.jobs = Jobs(self.scheduler, self.artifacts)
        self.deployments = Deployments(self.jobs, account_id)
        self.domains = DomainAssociations()
        self.backend_environments = BackendEnvironments()
        self.webhooks = Webhooks()
        self.access_logs = access_logs.AccessLogs()

    @property
    def app_seq(self) -> int:
        return self.apps.seq

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

    # Apps (amplify_mock.apps)

    def create_app(self, params: Dict[str, Any]) -> App:
        return self.apps.create(self, params)

    def get_app(self, app_id: str) -> App:
        return self.apps.get_app(app_id)

    def list_apps(
        self, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[App], Optional[str]]:
        return self.apps.list_apps(next_token, max_results)

    def update_app(self, app_id: str, params: Dict[str, Any]) -> App:
        return self.apps.update_app(app_id, params)

    def delete_app(self, app_id: str) -> App:
        app = self.get_app(app_id)
        for branch in list(app.branches.values()):
            self._forget_branch(branch)
        self.domains.forget_app(app_id)
        self.access_logs.forget_app(app_id)
        self.backend_environments.forget_app(app_id)
        self.webhooks.forget_app(app_id)
        del self.apps[app_id]
        return app

    # Branches (amplify_mock.branches)

    def create_branch(self, app_id: str, branch_name: str, params: Dict[str, Any]) -> Branch:
        app = self.get_app(app_id)
        branch = app.branches.create(app, branch_name, settle_environment(params))
        self.domains.branch_created(app, branch_name, branch.settings["displayName"])
        return branch

    def get_branch(self, app_id: str, branch_name: str) -> Branch:
        return self.get_app(app_id).branches.get_branch(branch_name)

    def list_branches(
        self, app_id: str, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[Branch], Optional[str]]:
        return self.get_app(app_id).branches.list_branches(next_token, max_results)

    def update_branch(self, app_id: str, branch_name: str, params: Dict[str, Any]) -> Branch:
        branch = self.get_branch(app_id, branch_name)
        branch.update(settle_environment(params))
        return branch

    def delete_branch(self, app_id: str, branch_name: str) -> Branch:
        branch = self.get_branch(app_id, branch_name)
        self._forget_branch(branch)
        app = self.apps[app_id]
        del app.branches[branch_name]
        self.domains.branch_deleted(app, branch_name)
        return branch

    def _forget_branch(self, branch: Branch) -> None:
        self.jobs.forget_jobs(branch)
        self.webhooks.forget_branch(branch.app.app_id, branch.name)
        self.artifacts.forget_branch(branch.app.app_id, branch.name)

    def iter_branches(self) -> Iterator[Branch]:
        for app in self.apps.values():
            yield from app.branches.values()

    # Jobs (amplify_mock.jobs)

    def _now(self) -> float:
        return self.jobs.now()

    def _job(self, branch: Branch, job_id: str) -> Job:
        return self.jobs.job(branch, job_id)

    def start_job(self, app_id: str, branch_name: str, params: Dict[str, Any]) -> Job:
        return self.jobs.start_job(self.get_branch(app_id, branch_name), params)

    def queue_build(
        self, branch: Branch, commit_id: Optional[str], commit_message: str, *, merge_pending: bool = False
    ) -> Job:
        return self.jobs.queue_build(branch, commit_id, commit_message, merge_pending=merge_pending)

    def get_job(self, app_id: str, branch_name: str, job_id: str) -> Tuple[Job, JobView]:
        return self.jobs.get_job(self.get_branch(app_id, branch_name), job_id)

    def list_jobs(
        self, app_id: str, branch_name: str, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[Tuple[Job, JobView]], Optional[str]]:
        return self.jobs.list_jobs(self.get_branch(app_id, branch_name), next_token, max_results)

    def stop_job(self, app_id: str, branch_name: str, job_id: str) -> Tuple[Job, JobView]:
        return self.jobs.stop_job(self.get_branch(app_id, branch_name), job_id)

    def delete_job(self, app_id: str, branch_name: str, job_id: str) -> Tuple[Job, JobView]:
        return self.jobs.delete_job(self.get_branch(app_id, branch_name), job_id)

    def forget_jobs(self, branch: Branch) -> None:
        self.jobs.forget_jobs(branch)

    # Deployments (amplify_mock.deployments)

    def create_deployment(self, app_id: str, branch_name: str, params: Dict[str, Any]) -> Job:
        return self.deployments.create_deployment(self.get_branch(app_id, branch_name), params)

    def start_deployment(
        self, app_id: str, branch_name: str, params: Dict[str, Any]
    ) -> Tuple[Job, JobView]:
        return self.deployments.start_deployment(self.get_branch(app_id, branch_name), params)

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
        association = self.domains.delete(self.get_app(app_id), domain_name)
        self.access_logs.forget_domain(app_id, domain_key(domain_name))
        return association

    def list_domain_associations(
        self, app_id: str, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[DomainAssociation], Optional[str]]:
        return self.domains.list(self.get_app(app_id), next_token, max_results)

    # Access logs (amplify_mock.access_logs)

    def generate_access_logs(
        self, app_id: str, domain_name: str, start: Optional[float], end: Optional[float]
    ) -> Tuple[str, float, float]:
        """(domain key, start, end) of a GenerateAccessLogs request: the domain must be
        associated with the app."""
        self.domains.get(self.get_app(app_id), domain_name)
        start, end = access_logs.window(start, end, _clock.now())
        return domain_key(domain_name), start, end

    def add_access_log(
        self, app_id: str, domain_name: str, fields: Dict[str, Any], at: float
    ) -> Dict[str, str]:
        association = self.domains.get(self.get_app(app_id), domain_name)
        host = association.fqdns[0] if association.fqdns else domain_key(domain_name)
        return self.access_logs.add(
            app_id, domain_key(domain_name), host, association.distribution, at, fields
        )

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


amplify_backends = BackendDict(AmplifyBackend, "amplify")

# Where the controller and the control endpoints look when no region is named and no app
# says otherwise: the region of moto's and boto3's examples.
DEFAULT_REGION = "us-east-1"


def region_of(app_id: object, account_id: str) -> str:
    """The region of ``account_id`` that holds app ``app_id``, else DEFAULT_REGION.

    A test whose client works in eu-central-1 steers its jobs with ``fail_next(app_id, ...)``
    without naming the region again: app ids are random, so the one region that has the app is
    the one meant. No backend is made by looking (moto makes them on first access)."""
    account = dict.get(amplify_backends, account_id)
    if isinstance(app_id, str) and account is not None:
        for region, backend in list(dict.items(account)):
            if app_id in backend.apps:
                return str(region)
    return DEFAULT_REGION


def account_of(app_id: object, region: Optional[str], account_id: str) -> str:
    """``account_id`` if it holds app ``app_id`` (in ``region``, if named), else the one other
    account that does, else ``account_id``.

    A test whose client works in an account of its own (an assumed role's under ``mock_aws()``,
    an ``x-moto-account-id``) steers its jobs without naming the account again, as for the
    region: app ids are random, so the one account that has the app is the one meant."""
    if not isinstance(app_id, str):
        return account_id
    holders = []
    for account, regions in list(dict.items(amplify_backends)):
        for name, backend in list(dict.items(regions)):
            if (region is None or name == region) and app_id in backend.apps:
                if account == account_id:
                    return account_id
                holders.append(str(account))
                break
    return holders[0] if len(holders) == 1 else account_id


def current_backend(account_id: str, region: str) -> Optional[AmplifyBackend]:
    """The backend of that account and region, if there is one yet (read under STATE_LOCK, it
    stays the account's until the lock is released)."""
    # Plain dict reads: BackendDict's own lookups take moto's lock, and create what is missing.
    regions = dict.get(amplify_backends, account_id)
    return dict.get(regions, region) if regions is not None else None


def _made(account_id: str, region: str) -> AmplifyBackend:
    """``amplify_backends[account_id][region]``, made if missing. moto's BackendDict makes the
    account's entry under its lock, then reads it back without it: a reset in another thread
    clearing every account in between raises KeyError(account_id). The lookup is made again
    then; a KeyError for the region (one moto does not know) is raised as it is."""
    while True:
        try:
            regions = amplify_backends[account_id]
        except KeyError:
            continue
        return regions[region]


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
        self._backend = current_backend(account_id, region) or _made(account_id, region)

    def __enter__(self) -> AmplifyBackend:
        backend = self._backend
        while True:
            backend.lock.acquire()
            if current_backend(self._account_id, self._region) is backend:
                self._backend = backend
                return backend
            backend.lock.release()
            backend = _made(self._account_id, self._region)

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
