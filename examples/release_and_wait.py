"""Start a RELEASE job on an Amplify branch and wait for it to finish.

What a deploy script does after merging to ``main``::

    amplify = boto3.client("amplify")
    outcome = release_and_wait(amplify, "d1a2b3c4", "main", timeout=1800)
    if not outcome.succeeded:
        sys.exit(f"job {outcome.job_id} {outcome.status} at {outcome.failed_step}: {outcome.reason}")

The client is passed in, and so are ``sleep`` and ``clock``, so tests can run it without waiting.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, List, Optional, Tuple

__all__ = [
    "TERMINAL_STATUSES",
    "JobOutcome",
    "StepRecord",
    "StatusChange",
    "release_and_wait",
    "wait_for_job",
]

# A boto3 Amplify client; typed loosely so the example needs no stub package.
AmplifyClient = Any

# The only statuses a job never leaves. PENDING, PROVISIONING, RUNNING and CANCELLING
# all move on, so a loop that waits "while PENDING or RUNNING" returns too early.
TERMINAL_STATUSES = frozenset({"SUCCEED", "FAILED", "CANCELLED"})


@dataclass(frozen=True)
class StatusChange:
    """A status the poller saw first ``elapsed`` seconds after it started waiting."""

    elapsed: float
    status: str


@dataclass(frozen=True)
class StepRecord:
    """One step of the job as the last GetJob reported it."""

    name: str
    status: str
    start_time: datetime
    end_time: Optional[datetime]
    reason: Optional[str] = None


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended, or where it stood when the poller gave up.

    ``status`` is the last status seen: terminal unless ``timed_out``.
    """

    job_id: str
    status: str
    timed_out: bool
    start_time: datetime
    end_time: Optional[datetime]
    timeline: Tuple[StatusChange, ...]
    steps: Tuple[StepRecord, ...]

    @property
    def succeeded(self) -> bool:
        """Whether the job ended SUCCEED."""
        return self.status == "SUCCEED"

    @property
    def failed_step(self) -> Optional[str]:
        """The name of the step that FAILED, if one did."""
        step = self._failed()
        return step.name if step else None

    @property
    def reason(self) -> Optional[str]:
        """The statusReason of the step that FAILED, if one did."""
        step = self._failed()
        return step.reason if step else None

    def _failed(self) -> Optional[StepRecord]:
        return next((step for step in self.steps if step.status == "FAILED"), None)


def wait_for_job(
    client: AmplifyClient,
    app_id: str,
    branch_name: str,
    job_id: str,
    *,
    interval: float = 10.0,
    timeout: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Optional[Callable[[], float]] = None,
) -> JobOutcome:
    """Poll GetJob every ``interval`` seconds until the job reaches SUCCEED, FAILED or CANCELLED.

    Gives up after ``timeout`` seconds by ``clock`` (``time.monotonic`` by default) and returns
    an outcome with ``timed_out=True``; the job itself is left alone.
    """
    if interval <= 0 or timeout < 0:
        raise ValueError("interval must be > 0 and timeout >= 0")
    # Looked up at call time, so freezegun's patched time.monotonic is the one used;
    # time-machine leaves time.monotonic alone, so under it pass clock=time.time.
    now = clock or time.monotonic
    started = now()
    timeline: List[StatusChange] = []
    while True:
        job = client.get_job(appId=app_id, branchName=branch_name, jobId=job_id)["job"]
        status = job["summary"]["status"]
        elapsed = now() - started
        if not timeline or timeline[-1].status != status:
            timeline.append(StatusChange(elapsed, status))
        finished = status in TERMINAL_STATUSES
        if finished or elapsed >= timeout:
            return _outcome(job, tuple(timeline), timed_out=not finished)
        sleep(min(interval, timeout - elapsed))


def release_and_wait(
    client: AmplifyClient,
    app_id: str,
    branch_name: str,
    *,
    commit_message: Optional[str] = None,
    interval: float = 10.0,
    timeout: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Optional[Callable[[], float]] = None,
) -> JobOutcome:
    """Start a RELEASE job for the branch's latest commit and wait for it (see :func:`wait_for_job`).

    If the branch already has a job PENDING, PROVISIONING or RUNNING, Amplify refuses the
    StartJob with ``LimitExceededException`` (HTTP 429), which this lets propagate; see
    ``ci_release.py`` for a step that waits for that job instead. A job being cancelled does
    not block: the new one waits PENDING until the cancellation completes, and the wait (and
    ``timeout``) includes that.
    """
    params = {"appId": app_id, "branchName": branch_name, "jobType": "RELEASE"}
    if commit_message is not None:
        params["commitMessage"] = commit_message
    job_id = client.start_job(**params)["jobSummary"]["jobId"]
    return wait_for_job(
        client, app_id, branch_name, job_id,
        interval=interval, timeout=timeout, sleep=sleep, clock=clock,
    )


def _outcome(job: Any, timeline: Tuple[StatusChange, ...], *, timed_out: bool) -> JobOutcome:
    summary = job["summary"]
    steps = tuple(
        StepRecord(
            name=step["stepName"],
            status=step["status"],
            start_time=step["startTime"],
            end_time=step.get("endTime"),
            reason=step.get("statusReason"),
        )
        for step in job["steps"]
    )
    return JobOutcome(
        job_id=summary["jobId"],
        status=summary["status"],
        timed_out=timed_out,
        start_time=summary["startTime"],
        end_time=summary.get("endTime"),
        timeline=timeline,
        steps=steps,
    )
