"""A CI step that releases an Amplify branch and reports how the release ended.

What a pipeline runs after merging (``python -m examples.ci_release --app-id d1a2b3c4 --branch main``)::

    amplify = boto3.client("amplify")
    result = ci_release(amplify, "d1a2b3c4", "main", commit_id=os.environ["GITHUB_SHA"])
    print(result.report())
    sys.exit(result.exit_code)

Amplify refuses a StartJob while the branch already has a job PENDING, PROVISIONING or RUNNING
(``LimitExceededException``, HTTP 429: "The requested branch main already have pending or
running jobs"), for instance a build that a push triggered. Published CI scripts handle it in one
of two ways, and so does this step:

- ``on_busy="wait"`` (the default): find the running job with ListJobs, wait for it to end, then
  start the release again, so the commit being released is the one that gets built;
- ``on_busy="attach"``: find the running job and report its outcome as the release's.

The client is passed in, and so are ``sleep`` and ``clock``, so tests run it without waiting.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Literal, Optional, Sequence, Tuple

from botocore.exceptions import ClientError

from examples.release_and_wait import AmplifyClient, JobOutcome, wait_for_job

__all__ = ["BUSY_STATUSES", "BranchBusyTimeout", "ReleaseResult", "ci_release", "main", "running_job"]

# The statuses for which Amplify refuses a new StartJob on the branch. A CANCELLING job does not
# block: a release started then waits PENDING until the cancellation completes.
BUSY_STATUSES = frozenset({"PENDING", "PROVISIONING", "RUNNING"})
# What Amplify's refusal says; scripts match on it as well as on the error code.
BUSY_MESSAGE = "already have pending or running jobs"

OnBusy = Literal["wait", "attach"]


class BranchBusyTimeout(Exception):
    """The branch stayed busy with other jobs until the step's ``timeout`` ran out."""


@dataclass(frozen=True)
class ReleaseResult:
    """How the release ended: the job whose outcome counts, and the jobs it had to wait for."""

    branch_name: str
    outcome: JobOutcome
    attached: bool
    waited_for: Tuple[JobOutcome, ...]

    @property
    def job_id(self) -> str:
        """The id of the job whose outcome is the release's."""
        return self.outcome.job_id

    @property
    def exit_code(self) -> int:
        """0 if the release's job SUCCEEDed, else 1: what the CI step exits with."""
        return 0 if self.outcome.succeeded else 1

    def report(self) -> str:
        """Lines for the CI log: what was waited for, and how the release's job ended."""
        lines = [
            f"Waited for job {earlier.job_id} already on {self.branch_name}: {earlier.status}"
            for earlier in self.waited_for
        ]
        how = "attached to job" if self.attached else "job"
        status = "TIMED OUT while " + self.outcome.status if self.outcome.timed_out else self.outcome.status
        lines.append(f"Amplify release of {self.branch_name}: {how} {self.job_id} {status}")
        if self.outcome.failed_step is not None:
            lines.append(f"  failed at {self.outcome.failed_step}: {self.outcome.reason}")
        return "\n".join(lines)


def running_job(client: AmplifyClient, app_id: str, branch_name: str) -> Optional[str]:
    """The id of the branch's newest job that is PENDING, PROVISIONING or RUNNING, if any."""
    # A branch runs one job at a time and lists the newest first: the first page holds it.
    summaries = client.list_jobs(appId=app_id, branchName=branch_name, maxResults=20)["jobSummaries"]
    return next((s["jobId"] for s in summaries if s["status"] in BUSY_STATUSES), None)


def ci_release(
    client: AmplifyClient,
    app_id: str,
    branch_name: str,
    *,
    commit_id: Optional[str] = None,
    commit_message: Optional[str] = None,
    on_busy: OnBusy = "wait",
    interval: float = 15.0,
    timeout: float = 3600.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Optional[Callable[[], float]] = None,
) -> ReleaseResult:
    """Start a RELEASE of the branch and wait for it; on a busy branch, wait or attach (see above).

    ``timeout`` (seconds by ``clock``, ``time.monotonic`` by default) bounds the whole step: a
    release still unfinished then is reported ``timed_out``; a branch busy with other jobs until
    then raises :class:`BranchBusyTimeout`. Other errors of the API propagate.
    """
    if on_busy not in ("wait", "attach"):
        raise ValueError(f"on_busy must be 'wait' or 'attach', got {on_busy!r}")
    # Looked up at call time, so freezegun's patched time.monotonic is the one used.
    now = clock or time.monotonic
    deadline = now() + timeout
    params: Dict[str, Any] = {"appId": app_id, "branchName": branch_name, "jobType": "RELEASE"}
    if commit_id is not None:
        params["commitId"] = commit_id
    if commit_message is not None:
        params["commitMessage"] = commit_message
    waited: List[JobOutcome] = []

    def wait(job_id: str) -> JobOutcome:
        return wait_for_job(
            client, app_id, branch_name, job_id,
            interval=interval, timeout=max(0.0, deadline - now()), sleep=sleep, clock=now,
        )

    while True:
        try:
            job_id = client.start_job(**params)["jobSummary"]["jobId"]
        except ClientError as error:
            if not _busy(error):
                raise
        else:
            return ReleaseResult(branch_name, wait(job_id), attached=False, waited_for=tuple(waited))
        other = running_job(client, app_id, branch_name)
        if other is None:
            if now() >= deadline:
                raise BranchBusyTimeout(f"{branch_name} was still busy after {timeout:g} s")
            # It ended between the refusal and ListJobs: try again at once.
            continue
        if on_busy == "attach":
            return ReleaseResult(branch_name, wait(other), attached=True, waited_for=tuple(waited))
        earlier = wait(other)
        waited.append(earlier)
        if earlier.timed_out:
            raise BranchBusyTimeout(
                f"{branch_name} was still busy with job {other} ({earlier.status}) after {timeout:g} s"
            )


def _busy(error: ClientError) -> bool:
    details = error.response.get("Error", {})
    return details.get("Code") == "LimitExceededException" and BUSY_MESSAGE in details.get("Message", "")


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    client: Optional[AmplifyClient] = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Optional[Callable[[], float]] = None,
) -> int:
    """The CI step's entry point: release, print the report, return the exit status."""
    parser = argparse.ArgumentParser(description="Release an Amplify branch and wait for the outcome.")
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--branch", default="main")
    parser.add_argument("--commit-id")
    parser.add_argument("--attach", action="store_true", help="on a busy branch, report the running job")
    parser.add_argument("--interval", type=float, default=15.0)
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args(argv)
    if client is None:
        import boto3  # only when run for real; tests pass their client

        client = boto3.client("amplify")
    try:
        result = ci_release(
            client, args.app_id, args.branch,
            commit_id=args.commit_id, on_busy="attach" if args.attach else "wait",
            interval=args.interval, timeout=args.timeout, sleep=sleep, clock=clock,
        )
    except BranchBusyTimeout as busy:
        print(f"Amplify release of {args.branch}: not started: {busy}")
        return 1
    print(result.report())
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
