"""Delete a branch's old finished jobs, so ListJobs stays short and logs do not pile up.

What a nightly housekeeping script does::

    amplify = boto3.client("amplify")
    report = delete_old_jobs(amplify, "d1a2b3c4", "main", older_than_days=30)
    print(f"deleted {len(report.deleted)} jobs, kept {len(report.unfinished)} still running")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List, Optional

from examples.release_and_wait import TERMINAL_STATUSES, AmplifyClient

__all__ = ["CleanupReport", "delete_old_jobs", "list_all_jobs"]


@dataclass
class CleanupReport:
    """The jobIds each kind of job ended up in."""

    deleted: List[str] = field(default_factory=list)
    recent: List[str] = field(default_factory=list)
    unfinished: List[str] = field(default_factory=list)


def list_all_jobs(
    client: AmplifyClient, app_id: str, branch_name: str, *, page_size: int = 50
) -> Iterator[Dict[str, Any]]:
    """Every job summary of the branch, newest first, following ListJobs' nextToken."""
    params: Dict[str, Any] = {"appId": app_id, "branchName": branch_name, "maxResults": page_size}
    while True:
        page = client.list_jobs(**params)
        yield from page["jobSummaries"]
        token = page.get("nextToken")
        if not token:
            return
        params["nextToken"] = token


def delete_old_jobs(
    client: AmplifyClient,
    app_id: str,
    branch_name: str,
    *,
    older_than_days: float,
    now: Optional[datetime] = None,
    page_size: int = 50,
    dry_run: bool = False,
) -> CleanupReport:
    """Delete the branch's jobs that ended (SUCCEED, FAILED, CANCELLED) more than ``older_than_days`` ago.

    Jobs still pending, provisioning, running or cancelling are never touched, however old. Every
    page is read before anything is deleted, so deleting cannot shift the pages being read.
    ``now`` defaults to the current time; ``dry_run`` reports without deleting.
    """
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=older_than_days)
    report = CleanupReport()
    for job in list(list_all_jobs(client, app_id, branch_name, page_size=page_size)):
        job_id = job["jobId"]
        if job["status"] not in TERMINAL_STATUSES or "endTime" not in job:
            report.unfinished.append(job_id)
        elif job["endTime"] < cutoff:
            report.deleted.append(job_id)
        else:
            report.recent.append(job_id)
    if not dry_run:
        for job_id in report.deleted:
            client.delete_job(appId=app_id, branchName=branch_name, jobId=job_id)
    return report
