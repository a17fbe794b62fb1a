"""Branches of an app (CreateBranch, GetBranch, ListBranches, UpdateBranch, DeleteBranch).

This module knows apps only through the few attributes it reads (:class:`AppRef`); the backend
looks the app up, settles environment variables and forgets what a deleted branch leaves behind.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Protocol, Tuple

from . import _clock
from ._pagination import page_ascending
from ._protocol import shape_members
from .exceptions import BadRequestException, NotFoundException
from .jobs import BranchJobs

# What AWS reports for a branch created without a stage, as terraform-provider-aws's Amplify
# acceptance tests record it from real runs (internal/service/amplify/branch_test.go): "NONE",
# a value botocore's Stage enum lacks.
NO_STAGE = "NONE"


class AppRef(Protocol):
    """What this module reads of an app."""

    app_id: str
    arn: str
    settings: Dict[str, Any]

    @property
    def repository(self) -> str: ...


class Branch:
    def __init__(self, app: AppRef, name: str, seq: int, params: Dict[str, Any]):
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
        members = shape_members("Branch")
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


class Branches(Dict[str, Branch]):
    """The branches of one app, by name, in creation order; ``seq`` numbers them for paging."""

    def __init__(self) -> None:
        super().__init__()
        self.seq = 0

    def create(self, app: AppRef, branch_name: str, params: Dict[str, Any]) -> Branch:
        if branch_name in self:
            # AWS's words, as CloudFormation relayed them in aws-amplify/amplify-hosting#2604.
            raise BadRequestException(
                f"Failed to create branch. The branch {branch_name} already exists for the app {app.app_id}"
            )
        # backendEnvironmentArn is stored as given: AWS documents no check that it names a
        # backend environment of the app, and no public reply shows it refusing one that does not.
        self.seq += 1
        branch = Branch(app, branch_name, self.seq, params)
        self[branch_name] = branch
        return branch

    def get_branch(self, branch_name: str) -> Branch:
        branch = self.get(branch_name)
        if branch is None:
            # AWS's words, as the AWS CLI printed them in aws-amplify/amplify-hosting#2252.
            raise NotFoundException(f"Branch {branch_name} not found.")
        return branch

    def list_branches(
        self, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[Branch], Optional[str]]:
        return page_ascending(
            "branches", list(self.values()), lambda b: b.seq, next_token, max_results, 50
        )
