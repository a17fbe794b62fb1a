"""Release a branch after a merge without racing Amplify's own auto-build.

A merge to ``main`` is a push: Amplify starts a WEB_HOOK build of it by itself. A deploy script
that then calls StartJob races that build, and AWS refuses a StartJob on a branch whose last job
is still PENDING or RUNNING with ``LimitExceededException``. This script joins the build that is
already under way instead, and starts a RELEASE only when there is none::

    amplify = boto3.client("amplify")
    outcome = release_or_join(amplify, "d1a2b3c4", "main")
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from examples.release_and_wait import JobOutcome, wait_for_job

__all__ = ["ACTIVE_STATUSES", "active_job", "release_or_join"]

AmplifyClient = Any

ACTIVE_STATUSES = frozenset({"PENDING", "PROVISIONING", "RUNNING"})


def active_job(client: AmplifyClient, app_id: str, branch_name: str) -> Optional[str]:
    """The newest job of the branch that has not finished, if any (ListJobs lists newest first)."""
    for job in client.list_jobs(appId=app_id, branchName=branch_name, maxResults=5)["jobSummaries"]:
        if job["status"] in ACTIVE_STATUSES:
            return str(job["jobId"])
    return None


def release_or_join(
    client: AmplifyClient,
    app_id: str,
    branch_name: str,
    *,
    interval: float = 10.0,
    timeout: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Optional[Callable[[], float]] = None,
) -> JobOutcome:
    """Wait for the branch's build under way, or start a RELEASE and wait for it."""
    job_id = active_job(client, app_id, branch_name)
    if job_id is None:
        try:
            started = client.start_job(appId=app_id, branchName=branch_name, jobType="RELEASE")
            job_id = str(started["jobSummary"]["jobId"])
        except client.exceptions.LimitExceededException:
            # An auto-build arrived between ListJobs and StartJob: join it.
            job_id = active_job(client, app_id, branch_name)
            if job_id is None:
                raise
    return wait_for_job(
        client, app_id, branch_name, job_id, interval=interval, timeout=timeout, sleep=sleep, clock=clock
    )
