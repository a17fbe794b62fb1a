"""The jobs as a person reads them when a test fails: per branch, each job's statuses in mock
time, its steps, and what is scripted but not yet used. Served by ``AmplifyJobs.timeline()``
and shown by the pytest plugin under "Amplify jobs".

Times are seconds after the job started (``PENDING at +0 s``), so a poll loop's arithmetic is
easy to follow; the mock's clock and each job's start are also given as UTC instants.
"""

from __future__ import annotations

import datetime
from typing import Any, List, Optional, cast

from moto.moto_api import state_manager

from . import _clock
from . import jobs as _jobs
from ._lifecycle import TERMINAL, Durations, Outcome, status_times
from .models import AmplifyBackend, amplify_backends

# The timeline's last line when no branch has anything to show.
NOTHING = "no branch has jobs, scripted outcomes or durations of its own"


def render() -> str:
    now = _clock.now()
    lines = [f"mock clock: {_instant(now)}"]
    if _jobs.settings.durations != Durations():
        lines.append(f"durations: {_durations(_jobs.settings.durations)}")
    progression = state_manager.get_transition(_jobs.MODEL_NAME).get("progression")
    if progression != "time":
        lines.append(f"state_manager progression for {_jobs.MODEL_NAME}: {progression}")
    clock_line = len(lines)
    latest = now
    touched = 0
    for account_id, region, found in sorted(amplify_backends.iter_backends(), key=lambda t: t[:2]):
        backend = cast(AmplifyBackend, found)
        with backend.lock:
            settled = backend.scheduler.settle(now)
            latest = max(latest, settled)
            for app in backend.apps.values():
                name = app.settings.get("name", "")
                for branch in app.branches.values():
                    branch_lines = _branch(branch, settled)
                    if branch_lines:
                        touched += 1
                        where = f"{region}, account {account_id}, app {app.app_id} ({name})"
                        lines.append(f"{where}, branch {branch.name}:")
                        lines.extend("  " + line for line in branch_lines)
    if latest > now:
        # Statuses never go back, so a clock moved back (a freeze_time() begun after the jobs
        # were made at the real time) leaves every job as it stood until the clock passes the
        # latest time seen: said here, as ticking the clock then seems to change nothing.
        lines.insert(
            clock_line,
            f"the clock was moved back {_seconds(latest - now)} s: jobs stand as at {_instant(latest)}, "
            "the latest time the mock has seen, until the clock passes it",
        )
    if not touched:
        lines.append(NOTHING)
    return "\n".join(lines) + "\n"


def _branch(branch: Any, now: float) -> List[str]:
    jobs = branch.jobs
    lines: List[str] = []
    if jobs.durations is not None:
        lines.append(f"durations: {_durations(jobs.durations)}")
    for job_id in jobs.ids:
        lines.extend(_job(jobs.jobs[job_id], now))
    if jobs.outcomes:
        lines.append("scripted, not yet used: " + ", ".join(_outcome(o) for o in jobs.outcomes))
    return lines


def _job(job: Any, now: float) -> List[str]:
    head = f"job {job.job_id} {job.job_type}"
    timeline = job.timeline
    if timeline is None and job.cancelled_at is not None:
        return [f"{head}, created {_instant(job.created_at)}: CANCELLED before StartDeployment"]
    if timeline is None:
        expiry = job.expired_at()
        expired = expiry is not None and now > expiry
        state = "FAILED (never started)" if expired else "CREATED, awaiting StartDeployment"
        age = _seconds(now - job.created_at)
        return [f"{head}, created {_instant(job.created_at)} ({age} s ago): {state}"]
    start = timeline.submitted_at
    reached: List[str] = []
    upcoming: Optional[str] = None
    for status, since in status_times(timeline):
        if since <= now:
            reached.append(f"{status} at +{_seconds(since - start)} s")
        elif upcoming is None:
            upcoming = f"{status} due at +{_seconds(since - start)} s"
    summary = ", ".join(reached)
    job_view = job.view(now, counted=False)
    current = job_view.status
    if upcoming is not None:
        summary += f"; next {upcoming}"
    elif current not in TERMINAL:
        if timeline.admitted_at is None:
            earliest = start + timeline.durations.pending
            if now < earliest:
                summary += f"; next PROVISIONING at +{_seconds(earliest - start)} s at the earliest"
            else:
                summary += "; waiting for the branch's earlier job or a concurrency slot"
        elif timeline.outcome.kind == "NEVER_FINISH":
            summary += "; never finishes (scripted) until stopped"
    lines = [f"{head}, started {_instant(start)} (now +{_seconds(now - start)} s), {current}: {summary}"]
    for step in job_view.steps:
        begin, end = _seconds(step.start - start), _seconds(step.end - start)
        text = f"  {step.name} {step.status} from +{begin} s to +{end} s"
        if step.reason:
            text += f": {step.reason}"
        lines.append(text)
    return lines


def _outcome(outcome: Outcome) -> str:
    if outcome.kind == "FAIL":
        return f"FAIL at {outcome.step} ({outcome.reason!r})"
    if outcome.kind == "NEVER_FINISH":
        return "NEVER_FINISH" + (f" at {outcome.step}" if outcome.step else "")
    return "SUCCEED"


def _durations(durations: Durations) -> str:
    names = ("pending", "provisioning", "build", "deploy", "verify", "cancelling")
    return ", ".join(f"{name} {_seconds(getattr(durations, name))} s" for name in names)


def _seconds(value: float) -> str:
    # Whole seconds as such; fractions to the millisecond, as the clock is shown.
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _instant(epoch: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
