"""The job lifecycle engine: what status and steps an Amplify job has at a given instant.

A job's status is a pure function of what was recorded about it (when it was submitted, admitted
and stopped, its durations and scripted outcome) and the clock. Only admission depends on other
jobs, and the per-backend :class:`Scheduler` decides it lazily, event by event, so reads stay cheap
however far the clock jumps.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
from dataclasses import dataclass
from typing import Dict, Final, Hashable, List, Literal, Mapping, NamedTuple, Optional, Tuple

__all__ = [
    "BUILD",
    "BUILD_JOB",
    "CANCELLED",
    "CANCELLING",
    "CREATED",
    "DEPLOY",
    "DEPLOYMENT_JOB",
    "FAILED",
    "PENDING",
    "PROVISIONING",
    "RUNNING",
    "SUCCEED",
    "TERMINAL",
    "TEST",
    "VERIFY",
    "Durations",
    "JobKind",
    "JobNotStoppableError",
    "JobView",
    "Outcome",
    "Scheduler",
    "StepView",
    "Timeline",
    "ended_at",
    "is_stoppable",
    "kind_for_job_type",
    "status_times",
    "steps_for",
    "view",
]

CREATED: Final = "CREATED"
PENDING: Final = "PENDING"
PROVISIONING: Final = "PROVISIONING"
RUNNING: Final = "RUNNING"
SUCCEED: Final = "SUCCEED"
FAILED: Final = "FAILED"
CANCELLING: Final = "CANCELLING"
CANCELLED: Final = "CANCELLED"
TERMINAL: Final = frozenset({SUCCEED, FAILED, CANCELLED})

BUILD: Final = "BUILD"
# The end-to-end test step AWS runs between BUILD and DEPLOY when the buildSpec has a `test`
# phase ("Setting up end-to-end Cypress tests", Amplify Hosting User Guide).
TEST: Final = "TEST"
DEPLOY: Final = "DEPLOY"
VERIFY: Final = "VERIFY"
_STEP_NAMES: Final = (BUILD, TEST, DEPLOY, VERIFY)

JobKind = Literal["build", "deployment"]
BUILD_JOB: Final = "build"
DEPLOYMENT_JOB: Final = "deployment"

_STEPS: Final[Mapping[str, Tuple[str, ...]]] = {
    BUILD_JOB: (BUILD, DEPLOY, VERIFY),
    DEPLOYMENT_JOB: (DEPLOY, VERIFY),
}
_TESTED_BUILD: Final = (BUILD, TEST, DEPLOY, VERIFY)
_BUILD_JOB_TYPES: Final = frozenset({"RELEASE", "RETRY", "WEB_HOOK"})


def steps_for(kind: JobKind, test: bool = False) -> Tuple[str, ...]:
    """The steps a job of this kind runs, in order; ``test`` adds TEST after a build's BUILD
    (deployments never run one: they deploy what was uploaded, nothing is built)."""
    return _TESTED_BUILD if test and kind == BUILD_JOB else _STEPS[kind]


def kind_for_job_type(job_type: str) -> JobKind:
    """``"build"`` for RELEASE, RETRY and WEB_HOOK jobs, ``"deployment"`` for MANUAL ones."""
    if job_type in _BUILD_JOB_TYPES:
        return "build"
    if job_type == "MANUAL":
        return "deployment"
    raise ValueError(f"unknown jobType {job_type!r}")


# The longest a phase may last. A reply reports instants up to every phase of a job past its
# submission (the "manual" progression shows the whole path at once), so with the clock held
# before year 9900 (``_clock.LATEST``) seven phases of at most 10 years each stay within year 9999,
# the last year Python's datetime, and so botocore's parser, can represent.
MAX_PHASE_SECONDS: Final = 10 * 365 * 86400.0


@dataclass(frozen=True)
class Durations:
    """How long, in seconds, each phase of a job lasts.

    ``pending`` is the least time a job spends PENDING; it may wait longer for its branch's
    previous job or for a free concurrency slot. ``test`` is the TEST step, which only builds
    whose buildSpec has a ``test`` phase run.
    """

    pending: float = 2.0
    provisioning: float = 15.0
    build: float = 120.0
    deploy: float = 30.0
    verify: float = 10.0
    cancelling: float = 5.0
    # Last, so that positional construction stays as it was. Nothing public gives a typical
    # duration for Amplify's Cypress step; a minute and a half is a small suite's run.
    test: float = 90.0

    def __post_init__(self) -> None:
        for name in ("pending", "provisioning", "build", "deploy", "verify", "cancelling", "test"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"Durations.{name} must be a finite number >= 0, got {value!r}")
            if value > MAX_PHASE_SECONDS:
                raise ValueError(
                    f"Durations.{name} must be at most {MAX_PHASE_SECONDS:.0f} seconds (10 years), "
                    f"so that every time the mock reports stays within year 9999; got {value!r}"
                )

    @classmethod
    def zero(cls) -> Durations:
        """Every phase instantaneous: a job is settled the instant it is admitted."""
        return cls(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)

    def for_step(self, step: str) -> float:
        """The duration of the step named ``BUILD``, ``TEST``, ``DEPLOY`` or ``VERIFY``."""
        if step == BUILD:
            return self.build
        if step == TEST:
            return self.test
        if step == DEPLOY:
            return self.deploy
        if step == VERIFY:
            return self.verify
        raise ValueError(f"unknown step {step!r}")


_OutcomeKind = Literal["SUCCEED", "FAIL", "NEVER_FINISH"]


@dataclass(frozen=True)
class Outcome:
    """What a job does once it runs: succeed, fail at a step, or never finish."""

    kind: _OutcomeKind = "SUCCEED"
    step: Optional[str] = None
    reason: Optional[str] = None

    def __post_init__(self) -> None:
        if self.reason is not None and not isinstance(self.reason, str):
            # It becomes the step's statusReason, a string in the API.
            raise TypeError(f"an outcome's reason must be a string, got {self.reason!r}")
        if self.kind == "SUCCEED":
            if self.step is not None or self.reason is not None:
                raise ValueError("a succeeding outcome takes no step or reason")
        elif self.kind == "FAIL":
            if self.step not in _STEP_NAMES:
                raise ValueError(
                    f"a failing step must be BUILD, TEST, DEPLOY or VERIFY, got {self.step!r}"
                )
        elif self.kind == "NEVER_FINISH":
            if self.step is not None and self.step not in _STEP_NAMES:
                raise ValueError(
                    f"a hanging step must be BUILD, TEST, DEPLOY or VERIFY, got {self.step!r}"
                )
            if self.reason is not None:
                raise ValueError("a never-finishing outcome takes no reason")
        else:
            raise ValueError(f"unknown outcome kind {self.kind!r}")

    @classmethod
    def succeed(cls) -> Outcome:
        """Every step succeeds."""
        return _SUCCEED

    @classmethod
    def fail(cls, step: str, reason: Optional[str] = None) -> Outcome:
        """``step`` runs its full duration and ends FAILED with ``reason``; later steps never start."""
        return cls("FAIL", step, reason if reason is not None else f"{step} step failed")

    @classmethod
    def never_finish(cls, step: Optional[str] = None) -> Outcome:
        """``step`` (by default the job's last) stays RUNNING until the job is stopped."""
        return cls("NEVER_FINISH", step)

    def check(self, kind: JobKind, test: bool = False) -> None:
        """Raise ValueError if a job of ``kind`` (with a TEST step if ``test``) never runs the
        step this outcome names."""
        steps = steps_for(kind, test)
        if self.step is not None and self.step not in steps:
            raise ValueError(f"a {kind} job has no {self.step} step (it runs {', '.join(steps)})")


_SUCCEED: Final = Outcome()
_DEFAULT_DURATIONS: Final = Durations()


@functools.lru_cache(maxsize=64)
def _lengths(steps: Tuple[str, ...], durations: Durations) -> Tuple[float, ...]:
    """Each step's duration, in order: one tuple shared by the jobs of the same durations.
    As floats: Durations(build=1) and Durations(build=1.0) are equal, so share an entry."""
    return tuple(float(durations.for_step(name)) for name in steps)


class StepView(NamedTuple):
    """One step as GetJob reports it at some instant.

    Named tuples rather than frozen dataclasses: as immutable, a third of the cost to make
    (every read makes some) and of the memory (an ended job keeps its view)."""

    name: str
    status: str
    start: float
    # botocore's Step shape requires endTime even while the step runs, so a running step
    # reports its planned end (for a hanging step: start + its nominal duration), and a step
    # being cancelled reports the instant the cancellation completes.
    end: float
    reason: Optional[str] = None


class JobView(NamedTuple):
    """A job's status and started steps at some instant; ``end`` is set only once terminal."""

    status: str
    start: float
    end: Optional[float]
    steps: Tuple[StepView, ...]


# Where a Timeline stands with its Scheduler.
_QUEUED: Final = 0  # behind an unfinished job of its branch
_HEAD: Final = 1  # its branch's oldest unfinished job, so admissible once pending and a slot allow
_CLOSED: Final = 2  # ended, as far as the scheduler has settled


class Timeline:
    """The recorded events of one job; the scheduler fills in ``admitted_at``, ``stopped_at``, ``seq``.

    ``branch`` is any hashable key that identifies the job's branch within its backend.
    """

    # Slots rather than a dataclass: a backend may hold many thousands of these.
    __slots__ = (
        "kind",
        "steps",
        "lengths",
        "submitted_at",
        "durations",
        "outcome",
        "branch",
        "seq",
        "admitted_at",
        "stopped_at",
        "_state",
        "_next",
    )

    kind: JobKind
    # The steps it runs, in order: its kind's, with TEST after BUILD for a tested build.
    steps: Tuple[str, ...]
    # Each step's duration, in the order of steps (durations.for_step of each, looked up once).
    lengths: Tuple[float, ...]
    submitted_at: float
    durations: Durations
    outcome: Outcome
    branch: Hashable
    seq: int
    admitted_at: Optional[float]
    stopped_at: Optional[float]
    _state: int
    # The next job submitted on the same branch: an intrusive list instead of a deque per branch.
    _next: Optional[Timeline]

    def __init__(
        self,
        kind: JobKind,
        submitted_at: float,
        *,
        branch: Hashable = None,
        durations: Optional[Durations] = None,
        outcome: Optional[Outcome] = None,
        test: bool = False,
    ) -> None:
        if kind not in _STEPS:
            raise ValueError(f"unknown job kind {kind!r}")
        outcome = _SUCCEED if outcome is None else outcome
        outcome.check(kind, test)
        self.kind = kind
        self.steps = steps_for(kind, test)
        self.submitted_at = float(submitted_at)
        self.durations = _DEFAULT_DURATIONS if durations is None else durations
        self.lengths = _lengths(self.steps, self.durations)
        self.outcome = outcome
        self.branch = branch
        self.seq = -1
        self.admitted_at = None
        self.stopped_at = None
        self._state = _QUEUED
        self._next = None

    def __repr__(self) -> str:
        return (
            f"Timeline({self.kind!r}, submitted_at={self.submitted_at!r}, branch={self.branch!r}, "
            f"seq={self.seq}, admitted_at={self.admitted_at!r}, stopped_at={self.stopped_at!r}, "
            f"outcome={self.outcome!r})"
        )


def _hanging_step(tl: Timeline) -> Optional[str]:
    if tl.outcome.kind != "NEVER_FINISH":
        return None
    return tl.outcome.step if tl.outcome.step is not None else tl.steps[-1]


def _natural_end(tl: Timeline) -> Optional[float]:
    # Summed step by step, exactly as view() does, so both produce bit-identical floats and the
    # scheduler can compare end instants with ==.
    if tl.admitted_at is None:
        return None
    hang = _hanging_step(tl)
    fail = tl.outcome.step if tl.outcome.kind == "FAIL" else None
    t = tl.admitted_at + tl.durations.provisioning
    for name, length in zip(tl.steps, tl.lengths):
        if name == hang:
            return None
        t = t + length
        if name == fail:
            return t
    return t


def _effective_stop(tl: Timeline, natural: Optional[float]) -> Optional[float]:
    # A stop recorded at or after the natural end cannot have happened; ignoring it keeps a
    # hand-built Timeline from contradicting itself.
    s = tl.stopped_at
    if s is not None and (natural is None or s < natural):
        return s
    return None


def ended_at(tl: Timeline) -> Optional[float]:
    """The instant the job reaches a terminal status, if the recorded events determine it yet."""
    natural = _natural_end(tl)
    stop = _effective_stop(tl, natural)
    if stop is not None:
        return stop + tl.durations.cancelling
    return natural


def is_stoppable(tl: Timeline, at: float) -> bool:
    """Whether the job has not ended at ``at`` (settle the scheduler to ``at`` first)."""
    end = ended_at(tl)
    return end is None or at < end


def status_times(tl: Timeline) -> List[Tuple[str, float]]:
    """Every status the recorded events put the job through, with the instant it begins, in order.

    Several statuses may begin at the same instant (zero durations); the last one wins.
    """
    natural = _natural_end(tl)
    return _status_times(tl, natural, _effective_stop(tl, natural))


def _status_times(tl: Timeline, natural: Optional[float], stop: Optional[float]) -> List[Tuple[str, float]]:
    out: List[Tuple[str, float]] = [(PENDING, tl.submitted_at)]
    admitted = tl.admitted_at
    # Whatever falls due at the stop instant happens before the stop does.
    if admitted is not None and (stop is None or admitted <= stop):
        out.append((PROVISIONING, admitted))
        running = admitted + tl.durations.provisioning
        if stop is None or running <= stop:
            out.append((RUNNING, running))
        if stop is None and natural is not None:
            out.append((FAILED if tl.outcome.kind == "FAIL" else SUCCEED, natural))
    if stop is not None:
        out.append((CANCELLING, stop))
        out.append((CANCELLED, stop + tl.durations.cancelling))
    return out


def _steps_at(tl: Timeline, now: float, stop: Optional[float]) -> Tuple[StepView, ...]:
    admitted = tl.admitted_at
    if admitted is None or (stop is not None and stop < admitted):
        return ()
    d = tl.durations
    hang = _hanging_step(tl)
    fail = tl.outcome.step if tl.outcome.kind == "FAIL" else None
    steps: List[StepView] = []
    t = admitted + d.provisioning
    for name, length in zip(tl.steps, tl.lengths):
        start = t
        if start > now or (stop is not None and start > stop):
            break
        planned = start + length
        if stop is not None and (name == hang or planned > stop):
            end = stop + d.cancelling
            status = CANCELLED if now >= end else CANCELLING if now >= stop else RUNNING
            steps.append(StepView(name, status, start, end))
            break
        if name == hang or now < planned:
            steps.append(StepView(name, RUNNING, start, planned))
            break
        if name == fail:
            steps.append(StepView(name, FAILED, start, planned, tl.outcome.reason))
            break
        steps.append(StepView(name, SUCCEED, start, planned))
        t = planned
    return tuple(steps)


def view(tl: Timeline, now: float, *, steps: bool = True) -> JobView:
    """The job's status, end time and started steps at ``now``; ``steps=False`` leaves the
    steps out (a summary has none), which is most of a view's cost."""
    admitted = tl.admitted_at
    outcome = tl.outcome
    if (
        admitted is not None
        and tl.stopped_at is None
        and outcome.kind != "NEVER_FINISH"
        # Always so from the scheduler; a hand-built timeline may say otherwise.
        and admitted >= tl.submitted_at
    ):
        return _admitted_view(tl, admitted, outcome, now, steps)
    return _general_view(tl, now, steps)


# tuple.__new__ makes a named tuple without its own __new__, which is Python code: a cold
# GetJob makes a view and a few steps.
_new = tuple.__new__


def _admitted_view(tl: Timeline, admitted: float, outcome: Outcome, now: float, steps: bool) -> JobView:
    """view() of a job admitted, never stopped, and bound to end (it succeeds or fails at a
    step): nearly every job read. One pass over the steps, with the same sums as
    _natural_end and _steps_at, so the same floats; tests/test_lifecycle_unit.py compares it
    with _general_view on random timelines."""
    running = admitted + tl.durations.provisioning
    fail = outcome.step  # None unless it fails
    made: List[StepView] = []
    t = running
    for name, length in zip(tl.steps, tl.lengths):
        start = t
        if start > now:
            break
        t = start + length
        if now < t:
            if steps:
                made.append(_new(StepView, (name, RUNNING, start, t, None)))
            break
        if name == fail:
            if steps:
                made.append(_new(StepView, (name, FAILED, start, t, outcome.reason)))
            return _new(JobView, (FAILED, tl.submitted_at, t, tuple(made)))
        if steps:
            made.append(_new(StepView, (name, SUCCEED, start, t, None)))
    else:
        return _new(JobView, (SUCCEED, tl.submitted_at, t, tuple(made)))
    # Not ended: the last of PENDING, PROVISIONING and RUNNING begun by now (the later one
    # when two begin at once, as _status_times lists them).
    status = RUNNING if now >= running else PROVISIONING if now >= admitted else PENDING
    return _new(JobView, (status, tl.submitted_at, None, tuple(made)))


def _general_view(tl: Timeline, now: float, steps: bool = True) -> JobView:
    """view() of any timeline: waiting, stopped, hanging or plain."""
    natural = _natural_end(tl)
    stop = _effective_stop(tl, natural)
    end = stop + tl.durations.cancelling if stop is not None else natural
    if end is not None and now >= end:
        # Ended: the last status _status_times lists, without listing them.
        if stop is not None:
            status = CANCELLED
        else:
            status = FAILED if tl.outcome.kind == "FAIL" else SUCCEED
        return JobView(status, tl.submitted_at, end, _steps_at(tl, now, stop) if steps else ())
    status = PENDING
    for name, since in _status_times(tl, natural, stop):
        if since > now:
            break
        status = name
    return JobView(
        status,
        tl.submitted_at,
        end if status in TERMINAL else None,
        _steps_at(tl, now, stop) if steps else (),
    )


class JobNotStoppableError(Exception):
    """The job has already ended (SUCCEED, FAILED or CANCELLED)."""


_READY: Final = 0  # a branch head's pending time is over: it may take a slot from now on
_END: Final = 1  # a job reaches its terminal status

_Event = Tuple[float, int, int, Timeline]


class Scheduler:
    """Admits the jobs of one backend (account and region) and notices when they end.

    A job leaves PENDING at the earliest instant its pending time is over, every earlier job of
    its branch has ended (one stopped while still waiting ends when its CANCELLING is over), and
    fewer than ``max_concurrent`` jobs are admitted and not ended; jobs that wait for a slot get
    one in submission order. Nothing happens between calls: ``settle(now)``
    replays, in time order, every admission and ending due up to ``now``, at the exact instant each
    was due, at a cost proportional to the number of those events (times log n).

    Call ``settle(now)`` before reading views at ``now``; ``submit`` and ``stop`` settle first.
    """

    __slots__ = ("_max_concurrent", "_now", "_events", "_ready", "_tails", "_active", "_ticket", "_seq")

    def __init__(self, max_concurrent: int = 5) -> None:
        self._check_max(max_concurrent)
        self._max_concurrent = max_concurrent
        self._now = -math.inf
        self._events: List[_Event] = []
        # Branch heads past their pending time, waiting for a slot, keyed by submission order.
        # Entries of jobs stopped meanwhile are dropped when they surface.
        self._ready: List[Tuple[int, Timeline]] = []
        self._tails: Dict[Hashable, Timeline] = {}
        self._active = 0
        # Tie-breaker so heap entries never compare Timelines.
        self._ticket = itertools.count()
        self._seq = itertools.count()

    @staticmethod
    def _check_max(value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"max_concurrent must be an int >= 1, got {value!r}")

    @property
    def max_concurrent(self) -> int:
        """How many jobs may be admitted and not ended at once."""
        return self._max_concurrent

    @max_concurrent.setter
    def max_concurrent(self, value: int) -> None:
        self._check_max(value)
        self._max_concurrent = value
        if self._now > -math.inf:
            # Raising the quota frees slots right now; lowering it only delays future admissions.
            self._admit(self._now)
            self.settle(self._now)

    @property
    def now(self) -> float:
        """The instant settled up to (``-inf`` before the first call)."""
        return self._now

    @property
    def active(self) -> int:
        """How many jobs are admitted and not ended at ``now``."""
        return self._active

    def settle(self, now: float) -> float:
        """Apply every admission and ending due up to ``now``; return the instant settled to.

        A ``now`` earlier than a previous one is taken as that one, so statuses never go back.
        """
        if now < self._now:
            now = self._now
        events = self._events
        while events and events[0][0] <= now:
            t = events[0][0]
            # Everything due at t first, so that a slot freed at t goes to the oldest job able to
            # take it at t, whichever event made that job able.
            while events and events[0][0] == t:
                _, _, kind, tl = heapq.heappop(events)
                if kind == _READY:
                    if tl.stopped_at is None and tl._state == _HEAD:
                        heapq.heappush(self._ready, (tl.seq, tl))
                else:
                    self._end(tl, t)
            # May push endings at t itself (zero durations); the outer loop takes them next.
            self._admit(t)
        self._now = now
        return now

    def submit(self, tl: Timeline) -> None:
        """Queue a newly started job; it is PENDING from ``tl.submitted_at``.

        A ``submitted_at`` before the settled instant is moved up to it.
        """
        if tl.seq >= 0:
            raise ValueError("this job was already submitted")
        now = self.settle(tl.submitted_at)
        if tl.submitted_at < now:
            tl.submitted_at = now
        tl.seq = next(self._seq)
        tail = self._tails.get(tl.branch)
        self._tails[tl.branch] = tl
        if tail is None:
            self._make_head(tl, now)
        else:
            tail._next = tl
        # With no pending time the job may be admitted at this very instant.
        self.settle(now)

    def stop(self, tl: Timeline, at: float) -> float:
        """Stop the job at ``at`` (or the settled instant, if later); return the stop instant.

        From then the job is CANCELLING for ``durations.cancelling``, then CANCELLED. A job that
        was still waiting never gets admitted. Stopping a job already CANCELLING changes nothing.
        Raises :class:`JobNotStoppableError` if the job has ended by then.
        """
        if tl.seq < 0:
            raise ValueError("this job was never submitted")
        now = self.settle(at)
        if tl._state == _CLOSED:
            raise JobNotStoppableError(f"the job ended at {ended_at(tl)!r}")
        if tl.stopped_at is not None:
            return tl.stopped_at
        tl.stopped_at = now
        end = ended_at(tl)
        assert end is not None
        # The entry for the job's natural end, if any, goes stale: _end() skips it.
        self._push(end, _END, tl)
        self.settle(now)
        return now

    def remove(self, tl: Timeline) -> None:
        """Forget an ended job (DeleteJob). Raises ValueError if it has not ended."""
        if tl._state != _CLOSED:
            raise ValueError("only an ended job can be removed")
        # Nothing else to drop: structures still pointing at it skip closed jobs when they reach them.

    def _push(self, at: float, kind: int, tl: Timeline) -> None:
        heapq.heappush(self._events, (at, next(self._ticket), kind, tl))

    def _make_head(self, tl: Timeline, now: float) -> None:
        tl._state = _HEAD
        if tl.stopped_at is None:
            self._push(max(now, tl.submitted_at + tl.durations.pending), _READY, tl)

    def _admit(self, t: float) -> None:
        ready = self._ready
        while self._active < self._max_concurrent and ready:
            _, tl = heapq.heappop(ready)
            if tl.stopped_at is not None or tl._state != _HEAD:
                continue
            tl.admitted_at = t
            self._active += 1
            end = ended_at(tl)
            if end is not None:
                self._push(end, _END, tl)

    def _end(self, tl: Timeline, t: float) -> None:
        # A stop replaces the job's end instant, leaving the old entry in the heap.
        if tl._state == _CLOSED or ended_at(tl) != t:
            return
        was_head = tl._state == _HEAD
        tl._state = _CLOSED
        if tl.admitted_at is not None:
            self._active -= 1
        if not was_head:
            # A job stopped while queued behind its branch ends out of order; the head's
            # ending walks past it.
            return
        nxt = tl._next
        tl._next = None
        while nxt is not None and nxt._state == _CLOSED:
            closed = nxt
            nxt = closed._next
            closed._next = None
        if nxt is None:
            del self._tails[tl.branch]
        else:
            self._make_head(nxt, t)
