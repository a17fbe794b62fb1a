"""Fixtures and small readers shared by the job tests; import the fixtures explicitly::

    from tests.jobs_support import app_id_fixture, client_fixture, clock_fixture  # noqa: F401

``client`` starts the clock (under both freezegun and time-machine) before the mock,
``app_id`` is an app connected to a repository with one branch, ``main``, and ``manual_app_id``
an app without repository (the kind CreateDeployment and StartDeployment accept) with one
branch, ``main``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
from botocore.exceptions import ClientError

from amplify_mock import AmplifyJobs
from tests.clocks import Clock, clock_fixture
from tests.helpers import amplify, error

__all__ = [
    "BRANCH",
    "REPO",
    "STATUS",
    "app_id_fixture",
    "client_fixture",
    "clock_fixture",
    "job",
    "list_ids",
    "manual_app_id_fixture",
    "observable",
    "refused",
    "status",
    "steps",
]

BRANCH = "main"
REPO = "https://github.com/acme/shop"


@pytest.fixture(name="client")
def client_fixture(clock: Clock, amplify_jobs: AmplifyJobs) -> Iterator[Any]:
    yield amplify()


@pytest.fixture(name="app_id")
def app_id_fixture(client: Any) -> str:
    app = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
    client.create_branch(appId=app, branchName=BRANCH)
    return str(app)


@pytest.fixture(name="manual_app_id")
def manual_app_id_fixture(client: Any) -> str:
    app = client.create_app(name="manual")["app"]["appId"]
    client.create_branch(appId=app, branchName=BRANCH)
    return str(app)


def job(client: Any, app: str, job_id: str, branch: str = BRANCH) -> Dict[str, Any]:
    return dict(client.get_job(appId=app, branchName=branch, jobId=job_id)["job"])


def status(client: Any, app: str, job_id: str, branch: str = BRANCH) -> str:
    return str(job(client, app, job_id, branch)["summary"]["status"])


def steps(client: Any, app: str, job_id: str, branch: str = BRANCH) -> List[Tuple[str, str]]:
    return [(s["stepName"], s["status"]) for s in job(client, app, job_id, branch)["steps"]]


def list_ids(client: Any, app: str, branch: str = BRANCH, **kwargs: Any) -> List[str]:
    summaries = client.list_jobs(appId=app, branchName=branch, **kwargs)["jobSummaries"]
    return [s["jobId"] for s in summaries]


def observable(client: Any, app: str, branch: str = BRANCH) -> Dict[str, Any]:
    """What a caller can see of a branch and its jobs, to compare before and after a refused call."""
    branch_view = client.get_branch(appId=app, branchName=branch)["branch"]
    summaries = client.list_jobs(appId=app, branchName=branch)["jobSummaries"]
    jobs = {s["jobId"]: job(client, app, s["jobId"], branch) for s in summaries}
    return {"branch": branch_view, "summaries": summaries, "jobs": jobs}


# The HTTP status botocore's model gives each error the job operations answer.
STATUS = {"BadRequestException": 400, "NotFoundException": 404, "LimitExceededException": 429}


def refused(
    client: Any, app: str, call: Callable[[], Any], code: str = "BadRequestException", branch: str = BRANCH
) -> str:
    """Run a call that must fail with ``code`` and its HTTP status; return its message after
    checking nothing observable of the branch changed."""
    before = observable(client, app, branch)
    with pytest.raises(ClientError) as excinfo:
        call()
    got_code, got_status, message = error(excinfo)
    assert (got_code, got_status) == (code, STATUS[code])
    assert observable(client, app, branch) == before
    return message
