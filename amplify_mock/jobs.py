"""Jobs of a branch (StartJob, GetJob, ListJobs, StopJob, DeleteJob, and the builds AWS starts
itself): the records the API reports, and the rules AWS applies.

A job's status is never stored: it is read off its :class:`~amplify_mock._lifecycle.Timeline`
at the current instant, after the backend's scheduler has settled to that instant. This module
knows branches and apps only through the few attributes it reads (:class:`BranchRef`), so it
never imports the modules above it; manual deployments (:mod:`amplify_mock.deployments`) build on it.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import IO, Any, Callable, Dict, List, Optional, Protocol, Tuple

from moto.moto_api import state_manager

from . import _clock
from ._buildlog import zip_file_count
from ._lifecycle import (
    CANCELLED,
    CANCELLING,
    CREATED,
    FAILED,
    PENDING,
    PROVISIONING,
    RUNNING,
    TERMINAL,
    TEST,
    Durations,
    JobNotStoppableError,
    JobView,
    Outcome,
    Scheduler,
    Timeline,
    status_times,
    steps_for,
    view,
)
from ._pagination import decode_token, encode_token
from ._parsed import QUICK_RANGE, shifted_from, shifts_of
from .artifacts import Artifacts
from .exceptions import BadRequestException, LimitExceededException, NotFoundException

MODEL_NAME = "amplify::job"
# Jobs follow the clock; "immediate" and "manual" are honoured as moto's state manager defines them.
state_manager.register_default_transition(MODEL_NAME, {"progression": "time", "seconds": 0})

# Epoch seconds to what a reply carries (botocore's parsed datetimes, in process).
Stamp = Callable[[float], Any]

DEPLOYMENT_WINDOW = 8 * 3600.0
# The statuses that hold a branch: StartJob and CreateDeployment are refused while a job of the
# branch has one. A CANCELLING job holds nothing; whatever starts after it waits PENDING.
BUSY = frozenset({PENDING, PROVISIONING, RUNNING})
# S3's largest single PUT (5 GiB): what one upload URL takes on AWS, and the mock's default.
MAX_UPLOAD_SIZE = 5 * 1024**3


class JobSettings:
    """Mock-wide job settings, reset whenever a mock starts."""

    def __init__(self) -> None:
        self.durations = Durations()
        self.max_concurrent = 5
        self.max_upload_size = MAX_UPLOAD_SIZE


settings = JobSettings()


class AppRef(Protocol):
    """What this module reads of an app."""

    app_id: str
    settings: Dict[str, Any]

    @property
    def repository(self) -> str: ...


class BranchRef(Protocol):
    """What this module reads of a branch."""

    name: str
    arn: str
    settings: Dict[str, Any]
    jobs: BranchJobs

    @property
    def app(self) -> AppRef: ...

    def __hash__(self) -> int: ...  # the scheduler keys its queues by branch


class _NoUploads(Dict[str, IO[bytes]]):
    """No file uploaded: one empty mapping shared by every job until a file is PUT for it
    (then the job gets a dict of its own). Read-only, and kept as itself by deep copies
    (a test class's snapshot), so a job can tell it apart by identity."""

    def __setitem__(self, key: str, value: IO[bytes]) -> None:
        raise TypeError("the shared empty uploads are read-only")

    def __deepcopy__(self, memo: Dict[int, Any]) -> _NoUploads:
        return self


_new_view = tuple.__new__
_NO_UPLOADS = _NoUploads()


class Job:
    __slots__ = (
        "branch",
        "job_id",
        "job_type",
        "commit_id",
        "commit_message",
        "commit_time",
        "created_at",
        "timeline",
        "source_url",
        "source_url_type",
        "upload_source",
        "file_names",
        "zip_upload",
        "file_uploads",
        "deployed_zip",
        "deployed_files",
        "reads",
        "manual_stop",
        "ended",
        "ended_status",
        "ended_at",
        "cancelled_at",
    )

    def __init__(
        self,
        branch: BranchRef,
        job_id: int,
        job_type: str,
        commit_id: str,
        commit_message: str,
        commit_time: float,
        created_at: float,
    ) -> None:
        self.branch = branch
        self.job_id = job_id
        self.job_type = job_type
        self.commit_id = commit_id
        self.commit_message = commit_message
        self.commit_time = commit_time
        self.created_at = created_at
        self.timeline: Optional[Timeline] = None
        self.source_url: Optional[str] = None
        self.source_url_type: Optional[str] = None
        # A deployment's zipUploadUrl, which its summary names as sourceUrl; its fileMap names;
        # what was PUT to its URLs; and what StartDeployment took of that.
        self.upload_source: Optional[str] = None
        self.file_names: Tuple[str, ...] = ()
        self.zip_upload: Optional[IO[bytes]] = None
        # Shared and read-only until a file is PUT: an empty dict per job was a tenth of what a
        # stored job costs, and one more object for the garbage collector to walk.
        self.file_uploads: Dict[str, IO[bytes]] = _NO_UPLOADS
        self.deployed_zip: Optional[IO[bytes]] = None
        self.deployed_files: Optional[Dict[str, IO[bytes]]] = None
        self.reads = 0
        # Under the "manual" progression, the instant on the manual path at which StopJob came.
        self.manual_stop: Optional[float] = None
        # Once the job has ended: its view with steps, once GetJob has asked for it, and its
        # status and end instant, which is all a summary needs. Kept as two plain slots rather
        # than a view object: a ListJobs walk reads thousands of jobs once, and every object
        # kept per job is one more for the garbage collector to walk ever after.
        self.ended: Optional[JobView] = None
        self.ended_status: Optional[str] = None
        self.ended_at: Optional[float] = None
        # A deployment stopped before StartDeployment: when StopJob came.
        self.cancelled_at: Optional[float] = None

    @property
    def arn(self) -> str:
        # zfill rather than a format spec: a ListJobs page spells fifty of these.
        return self.branch.arn + "/jobs/" + str(self.job_id).zfill(10)

    def expired_at(self) -> Optional[float]:
        """When a deployment that was created but never started stops being startable."""
        if self.timeline is None and self.cancelled_at is None:
            return self.created_at + DEPLOYMENT_WINDOW
        return None

    def view(self, now: float, *, counted: bool = True, steps: bool = True) -> JobView:
        """The job at ``now``; ``counted=False`` peeks without advancing a "manual" progression,
        ``steps=False`` may leave out the steps (for a summary, or a status check)."""
        timeline = self.timeline
        if timeline is None:
            if self.cancelled_at is not None:
                return JobView(CANCELLED, self.created_at, self.cancelled_at, ())
            expiry = self.created_at + DEPLOYMENT_WINDOW
            if now > expiry:
                return JobView(FAILED, self.created_at, expiry, ())
            return JobView(CREATED, self.created_at, None, ())
        transition = state_manager.get_transition(MODEL_NAME)
        if transition.get("progression") == "manual":
            return self._manual_view(timeline, int(transition.get("times", 1)), counted, steps)
        # An ended job's view can no longer change (the scheduler never settles backwards).
        ended_at = self.ended_at
        if ended_at is not None and now >= ended_at:
            ended = self.ended
            if ended is not None:
                return ended
            if not steps:
                # tuple.__new__: a named tuple's own __new__ is Python code, and a ListJobs
                # page makes fifty of these.
                return _new_view(JobView, (self.ended_status or "", timeline.submitted_at, ended_at, ()))
        job_view = view(timeline, now, steps=steps)
        if job_view.status in TERMINAL:
            self.ended_status, self.ended_at = job_view.status, job_view.end
            if steps:
                self.ended = job_view
        return job_view

    def _manual_view(
        self, timeline: Timeline, times: int, counted: bool = True, steps: bool = True
    ) -> JobView:
        # One status further every `times` reads, along the path the clock would take were the
        # job admitted right away; the clock and the queue are not consulted.
        if counted:
            self.reads += 1
        shadow = self._manual_shadow(timeline)
        path = status_times(shadow)
        index = min(max(self.reads - 1, 0) // max(times, 1), len(path) - 1)
        status, since = path[index]
        job_view = view(shadow, since, steps=steps)
        return JobView(status, job_view.start, job_view.end if status in TERMINAL else None, job_view.steps)

    def stop_manually(self, times: int) -> None:
        """StopJob under the "manual" progression: CANCELLING for the next ``times`` reads
        (the StopJob reply included), then CANCELLED, from the status last shown."""
        assert self.timeline is not None
        path = status_times(self._manual_shadow(self.timeline))
        shown = min(max(self.reads - 1, 0) // max(times, 1), len(path) - 1)
        self.manual_stop = path[shown][1]
        stopped = status_times(self._manual_shadow(self.timeline))
        cancelling = next(i for i, (status, _) in enumerate(stopped) if status == CANCELLING)
        self.reads = cancelling * max(times, 1)

    def _manual_shadow(self, timeline: Timeline) -> Timeline:
        shadow = Timeline(
            timeline.kind,
            timeline.submitted_at,
            durations=timeline.durations,
            outcome=timeline.outcome,
            test=TEST in timeline.steps,
        )
        shadow.admitted_at = timeline.submitted_at + timeline.durations.pending
        shadow.stopped_at = self.manual_stop if self.manual_stop is not None else timeline.stopped_at
        return shadow

    def summary(
        self,
        job_view: JobView,
        stamp: Optional[Stamp] = None,
        made: Tuple[Any, Any] = (None, None),
        start_made: Any = None,
    ) -> Dict[str, Any]:
        """The JobSummary, members in the model's order. Timestamps are epoch seconds (the
        wire), or what ``stamp`` makes of them: the in-process path passes botocore's own
        timestamp parser, and the result is the parsed reply itself, built once. ``made`` is
        an instant and what ``stamp`` made of it already (the last step's end: the job's);
        ``start_made``, if given, what it made of the job's start."""
        end = job_view.end
        if stamp is None:
            commit_time, start = self.commit_time, job_view.start
        else:
            # A datetime is immutable, and the same instant makes equal ones: an instant the
            # reply spells twice (a build's commit time is its start) is made once.
            start = stamp(job_view.start) if start_made is None else start_made
            commit_time = start if job_view.start == self.commit_time else stamp(self.commit_time)
            if end is not None:
                end = made[1] if end == made[0] else stamp(end)
        # The id spelt once for both members, the ARN without the property (see arn): a
        # ListJobs page spells fifty.
        job_id = str(self.job_id)
        arn = self.branch.arn + "/jobs/" + job_id.zfill(10)
        if end is None:
            result: Dict[str, Any] = {
                "jobArn": arn,
                "jobId": job_id,
                "commitId": self.commit_id,
                "commitMessage": self.commit_message,
                "commitTime": commit_time,
                "startTime": start,
                "status": job_view.status,
                "jobType": self.job_type,
            }
        else:
            # One literal per case rather than keys added after: most summaries listed are of
            # ended jobs.
            result = {
                "jobArn": arn,
                "jobId": job_id,
                "commitId": self.commit_id,
                "commitMessage": self.commit_message,
                "commitTime": commit_time,
                "startTime": start,
                "status": job_view.status,
                "endTime": end,
                "jobType": self.job_type,
            }
        if self.job_type == "MANUAL":
            result["sourceUrl"] = self.source_url or self.upload_source or ""
            result["sourceUrlType"] = self.source_url_type or "ZIP"
        return result

    def steps(
        self, job_view: JobView, base: str, stamp: Optional[Stamp] = None, start_made: Any = None
    ) -> List[Dict[str, Any]]:
        """The steps GetJob reports; ``base`` is where their logs and artifacts are served,
        ``stamp`` and ``start_made`` as for :meth:`summary`."""
        # One loop rather than a call per step; members in the Step shape's order, as
        # botocore's parser would list them.
        at = _as_is if stamp is None else stamp
        steps = []
        # A step starts as the one before it ends: that instant is made once (see summary).
        last, last_made = None, None
        # Under one offset all year, an instant a whole number of seconds after the job's
        # start is made from it, the shift between them being known after the first job of
        # the same durations (shifts_of): a fifth of the cost of making it anew.
        # The same few lines for a step's start and its end, spelt out: a call per instant
        # would cost about what the shift saves.
        anchor, anchor_made = job_view.start, start_made
        shifts = None if anchor_made is None else shifts_of(at, anchor)
        for name, status, start, end, reason in job_view.steps:
            if start == last:
                begun = last_made
            elif shifts is None:
                begun = at(start)
            elif (shift := shifts.get(start - anchor)) is not None and _FAST_FROM <= start < _FAST_TO:
                begun = anchor_made + shift
            else:
                begun = shifted_from(at, shifts, anchor, anchor_made, start)
            last = end
            if shifts is None:
                last_made = at(end)
            elif (shift := shifts.get(end - anchor)) is not None and _FAST_FROM <= end < _FAST_TO:
                last_made = anchor_made + shift
            else:
                last_made = shifted_from(at, shifts, anchor, anchor_made, end)
            step: Dict[str, Any] = {
                "stepName": name,
                "startTime": begun,
                "status": status,
                "endTime": last_made,
                "logUrl": f"{base}/{name}/log.txt",
            }
            if name == "BUILD":
                step["artifactsUrl"] = f"{base}/BUILD/artifacts.zip"
            elif name == TEST:
                # The end-to-end test step's downloads (amplify_mock.artifacts): a zip of its
                # artifacts and the report its configFilePath names.
                step["testArtifactsUrl"] = f"{base}/TEST/artifacts.zip"
                step["testConfigUrl"] = f"{base}/TEST/config"
            if reason is not None:
                step["statusReason"] = reason
            steps.append(step)
        return steps

    def store_upload(self, file_name: Optional[str], content: IO[bytes]) -> None:
        """A PUT to the zip upload URL (``file_name`` None) or to a fileMap file's URL; a later
        PUT replaces an earlier one, as in S3. After StartDeployment it changes nothing deployed."""
        if file_name is None:
            previous, self.zip_upload = self.zip_upload, content
        else:
            if self.file_uploads is _NO_UPLOADS:
                self.file_uploads = {}
            previous = self.file_uploads.get(file_name)
            self.file_uploads[file_name] = content
        if previous is not None and not self._deployed(previous):
            previous.close()

    def take_uploads(self) -> None:
        """StartDeployment: what is deployed is what was uploaded by now."""
        self.deployed_zip, self.deployed_files = self.zip_upload, dict(self.file_uploads)

    def _deployed(self, content: IO[bytes]) -> bool:
        return content is self.deployed_zip or any(
            content is held for held in (self.deployed_files or {}).values()
        )

    def close_uploads(self) -> None:
        """Let go of what was uploaded (the job is deleted, or the state reset)."""
        held = [self.zip_upload, self.deployed_zip, *self.file_uploads.values()]
        held.extend((self.deployed_files or {}).values())
        for content in held:
            if content is not None:
                content.close()
        self.zip_upload = self.deployed_zip = self.deployed_files = None
        self.file_uploads = _NO_UPLOADS

    def describe_upload(self) -> str:
        """What a deployment deploys, in a build log's words, without reading it into memory."""
        zip_upload = self.deployed_zip if self.deployed_files is not None else self.zip_upload
        files = self.deployed_files if self.deployed_files is not None else self.file_uploads
        if zip_upload is not None:
            count = zip_file_count(zip_upload)
            size = _size(zip_upload)
            listed = f", {count} files" if count is not None else ", not a zip archive"
            return f"the uploaded zip ({size} bytes{listed})"
        if files:
            return f"{len(files)} files ({sum(_size(content) for content in files.values())} bytes)"
        return "nothing: no artifact was uploaded"

    def missing_upload(self) -> Optional[str]:
        """Why a deployment cannot deploy what was uploaded for it, if it cannot."""
        if self.zip_upload is not None:
            if zip_file_count(self.zip_upload) is None:
                # Nothing public shows AWS's words for this; the deployment cannot unpack what
                # it was given, so it fails at DEPLOY, as a missing upload does.
                return (
                    f"The artifact uploaded to the zipUploadUrl of job {self.job_id} "
                    f"({_size(self.zip_upload)} bytes) is not a zip archive; upload a .zip of the "
                    "site's files."
                )
            return None
        missing = [name for name in self.file_names if name not in self.file_uploads]
        if self.file_names and not missing:
            return None
        if self.file_uploads:
            return (
                f"Files of the fileMap were not uploaded for job {self.job_id}: {', '.join(missing)}; "
                "PUT each file to its fileUploadUrls entry before StartDeployment."
            )
        return (
            f"No deployment artifact was uploaded for job {self.job_id}; PUT the zip to the "
            "zipUploadUrl (or each file to its fileUploadUrls entry) before StartDeployment."
        )


class BranchJobs:
    """The jobs of one branch, oldest first, with what scripted outcomes and durations say."""

    __slots__ = ("jobs", "ids", "next_id", "outcomes", "durations", "open")

    def __init__(self) -> None:
        self.jobs: Dict[int, Job] = {}
        self.ids: List[int] = []  # ascending; bisected for newest-first paging
        self.next_id = 1
        self.outcomes: List[Outcome] = []
        self.durations: Optional[Durations] = None
        # The jobs submitted to the scheduler and not yet seen ended, oldest first: what the
        # busy check reads, so that it costs nothing however many jobs the branch has kept.
        self.open: List[Job] = []

    def last(self) -> Optional[Job]:
        return self.jobs[self.ids[-1]] if self.ids else None

    def add(self, job: Job) -> None:
        self.jobs[job.job_id] = job
        self.ids.append(job.job_id)
        self.next_id = job.job_id + 1

    def remove(self, job: Job) -> None:
        del self.jobs[job.job_id]
        index = bisect_right(self.ids, job.job_id) - 1
        del self.ids[index]


class Jobs:
    """The jobs of one account in one region: the scheduler they share, and the job operations
    on a branch the backend has looked up."""

    def __init__(self, scheduler: Scheduler, artifacts: Artifacts) -> None:
        self.scheduler = scheduler
        # The TEST steps of this account's and region's builds (amplify_mock.artifacts).
        self.artifacts = artifacts

    def now(self) -> float:
        return self.scheduler.settle(_clock.now())

    def job(self, branch: BranchRef, job_id: str) -> Job:
        job = branch.jobs.jobs.get(int(job_id)) if job_id.isdigit() else None
        if job is None:
            raise NotFoundException(
                f"Job {job_id} not found for branch {branch.name} of app {branch.app.app_id}."
            )
        return job

    def _durations(self, branch: BranchRef) -> Durations:
        if state_manager.get_transition(MODEL_NAME).get("progression") == "immediate":
            return Durations.zero()
        return branch.jobs.durations or settings.durations

    def submit(self, job: Job, kind: Any, outcome: Optional[Outcome], now: float) -> None:
        branch = job.branch
        # The script is consumed even when the mock itself forces an outcome (a missing
        # upload or bucket), so scripted outcomes stay aligned with the jobs they were meant for.
        scripted = branch.jobs.outcomes.pop(0) if branch.jobs.outcomes else None
        # A build whose buildSpec has a test phase runs TEST (amplify_mock.artifacts).
        test = kind == "build" and self.artifacts.register_job(job) is not None
        if outcome is None:
            outcome = scripted or Outcome.succeed()
            if outcome.step is not None and outcome.step not in steps_for(kind, test):
                # A failure scripted at BUILD for a deployment (which has no BUILD step) fails
                # its first step instead: the script said "the next job fails".
                outcome = Outcome(outcome.kind, steps_for(kind)[0], outcome.reason)
        timeline = Timeline(
            kind, now, branch=branch, durations=self._durations(branch), outcome=outcome, test=test
        )
        self.scheduler.max_concurrent = settings.max_concurrent
        self.scheduler.submit(timeline)
        job.timeline = timeline
        branch.jobs.open.append(job)

    def busy(self, branch: BranchRef, now: float) -> Optional[Job]:
        """The oldest job of the branch that is PENDING, PROVISIONING or RUNNING, if any."""
        # Under the "manual" progression a job's status follows reads, not the clock, and may
        # differ once the progression is unset: only a clock-driven ending is final.
        final = state_manager.get_transition(MODEL_NAME).get("progression") != "manual"
        still_open: List[Job] = []
        found: Optional[Job] = None
        for job in branch.jobs.open:
            status = job.view(now, counted=False, steps=False).status
            if final and status in TERMINAL:
                continue
            still_open.append(job)
            if found is None and status in BUSY:
                found = job
        branch.jobs.open = still_open
        return found

    def new_job(self, branch: BranchRef, job_type: str, now: float, commit: Tuple[str, str, float]) -> Job:
        return Job(branch, branch.jobs.next_id, job_type, commit[0], commit[1], commit[2], now)

    def start_job(self, branch: BranchRef, params: Dict[str, Any]) -> Job:
        app_id, branch_name = branch.app.app_id, branch.name
        job_type = params["jobType"]
        now = self.now()
        if job_type == "MANUAL":
            raise BadRequestException("The requested jobType MANUAL does not support.")
        if job_type == "RETRY":
            if not params.get("jobId"):
                raise BadRequestException(
                    "A RETRY job needs the jobId of the job to retry; pass jobId."
                )
            previous = self.job(branch, params["jobId"])
            commit = (previous.commit_id, previous.commit_message, previous.commit_time)
        else:
            if not branch.app.repository:
                raise BadRequestException(
                    f"App {app_id} is not connected to a repository, so it cannot run a "
                    f"{job_type} job; connect one (CreateApp/UpdateApp repository) or deploy "
                    "manually with CreateDeployment and StartDeployment."
                )
            commit = (
                # Without a commitId AWS builds the branch's head and reports "HEAD", as the
                # `aws amplify list-jobs` output of jobs started by `start-job` in published
                # write-ups of CI-driven releases shows.
                params.get("commitId") or "HEAD",
                params.get("commitMessage") or params.get("jobReason") or "",
                params.get("commitTime", now),
            )
        if self.busy(branch, now) is not None:
            # AWS refuses rather than queues a StartJob while the branch has a job pending or
            # running, with HTTP 429 and these words, grammar included. Quoted from the AWS CLI
            # ("An error occurred (LimitExceededException) when calling the StartJob operation
            # (reached max retries: 2): The requested branch <branch> already have pending or
            # running jobs") in a Pulumi program of Virtual-Finland-Development/virtual-finland;
            # published CI scripts grep for "already have pending or running jobs" and then
            # wait for, or attach to, the running job.
            raise LimitExceededException(
                f"The requested branch {branch_name} already have pending or running jobs"
            )
        job = self.new_job(branch, job_type, now, commit)
        self.submit(job, "build", None, now)
        branch.jobs.add(job)
        return job

    def queue_build(
        self, branch: BranchRef, commit_id: Optional[str], commit_message: str, *, merge_pending: bool = False
    ) -> Job:
        """A WEB_HOOK build AWS starts itself, for a push or a POST to a webhook URL. Unlike
        StartJob it is never refused for a busy branch: it waits PENDING behind the jobs there.

        ``merge_pending``: a push while the branch's newest job is a build still PENDING gives
        that job the new commit instead of queuing another, as AWS does (a third push during a
        build "sees that there is a pending build and updates job 2 with commit 3",
        aws-amplify/amplify-hosting#1617)."""
        now = self.now()
        last = branch.jobs.last()
        if (
            merge_pending
            and last is not None
            and last.job_type == "WEB_HOOK"
            and last.view(now, counted=False, steps=False).status == PENDING
        ):
            last.commit_id = commit_id or "HEAD"
            last.commit_message = commit_message
            last.commit_time = now
            return last
        # A webhook build has no commit of its own: AWS reports its commitId as "HEAD"
        # (aws-amplify/amplify-hosting#3447).
        job = self.new_job(branch, "WEB_HOOK", now, (commit_id or "HEAD", commit_message, now))
        self.submit(job, "build", None, now)
        branch.jobs.add(job)
        return job

    def get_job(self, branch: BranchRef, job_id: str) -> Tuple[Job, JobView]:
        job = self.job(branch, job_id)
        return job, job.view(self.scheduler.settle(_clock.now()))  # self.now(), a call fewer

    def list_jobs(
        self, branch: BranchRef, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[Tuple[Job, JobView]], Optional[str]]:
        ids = branch.jobs.ids
        size = max_results or 50
        end = len(ids)
        if next_token is not None:
            end = bisect_right(ids, decode_token("jobs", next_token))
        start = max(0, end - size)
        now = self.now()
        jobs = branch.jobs.jobs
        page = [jobs[ids[i]] for i in range(end - 1, start - 1, -1)]
        token = encode_token("jobs", ids[start - 1]) if start > 0 else None
        if state_manager.get_transition(MODEL_NAME).get("progression") == "manual":
            return [(job, job.view(now, steps=False)) for job in page], token
        # An ended job's summary view made here as Job.view makes it, without a call and a
        # look at the progression per job: a page lists fifty, most of them ended. (ended_at
        # is only ever set on a job with a timeline.)
        return [
            (job, _new_view(JobView, (job.ended_status, job.timeline.submitted_at, ended_at, ())))  # type: ignore[union-attr]
            if (ended_at := job.ended_at) is not None and now >= ended_at
            else (job, job.view(now, steps=False))
            for job in page
        ], token

    def stop_job(self, branch: BranchRef, job_id: str) -> Tuple[Job, JobView]:
        job = self.job(branch, job_id)
        now = self.now()
        current = job.view(now, counted=False)
        if job.timeline is None and current.status == CREATED:
            # A deployment created but never started holds its branch (CreateDeployment refuses
            # the next one), and AWS's remedy is StopJob: Amplify's maintainers tell users to run
            # `aws amplify stop-job` on such deployments (aws-amplify/amplify-hosting#3004,
            # aws-amplify/amplify-backend#2137). Nothing runs to be cancelled, so it is CANCELLED
            # at once (the mock's choice: nothing public shows AWS's status in between).
            job.cancelled_at = now
            return job, job.view(now)
        if current.status in TERMINAL:
            raise BadRequestException(
                f"Job {job_id} has already finished with status {current.status}; only PENDING, "
                "PROVISIONING or RUNNING jobs can be stopped."
            )
        assert job.timeline is not None  # only a deployment never started has none
        try:
            self.scheduler.stop(job.timeline, now)
        except JobNotStoppableError:
            raise BadRequestException(f"Job {job_id} has already finished.") from None
        transition = state_manager.get_transition(MODEL_NAME)
        if transition.get("progression") == "manual":
            job.stop_manually(int(transition.get("times", 1)))
        return job, job.view(now)

    def delete_job(self, branch: BranchRef, job_id: str) -> Tuple[Job, JobView]:
        job = self.job(branch, job_id)
        current = job.view(self.now(), counted=False)
        # A deployment created but never started runs nothing and may be deleted as it is
        # (users clear such deployments by deleting them, aws-amplify/amplify-backend#1528).
        if current.status not in TERMINAL and current.status != CREATED:
            raise BadRequestException(
                f"Job {job_id} has not finished (status {current.status}); stop it with StopJob "
                "and delete it once it is CANCELLED."
            )
        if job.timeline is not None:
            self.scheduler.remove(job.timeline)
        branch.jobs.remove(job)
        job.close_uploads()
        self.artifacts.forget_job(job)
        return job, current

    def forget_jobs(self, branch: BranchRef) -> None:
        """Stop what still runs on a branch being deleted, so it frees its slot in time, and
        let go of what was uploaded for its deployments."""
        now = self.now()
        for job in branch.jobs.jobs.values():
            job.close_uploads()
            timeline = job.timeline
            if timeline is not None and timeline.stopped_at is None:
                if view(timeline, now).status not in TERMINAL:
                    self.scheduler.stop(timeline, now)


_FAST_FROM, _FAST_TO = QUICK_RANGE


def _as_is(seconds: float) -> float:
    return seconds


def job_output(job: Job, job_view: JobView, base: str, stamp: Optional[Stamp] = None) -> Dict[str, Any]:
    if stamp is None:
        return {"summary": job.summary(job_view), "steps": job.steps(job_view, base)}
    # The job's start made once, for the summary and as the instant its steps' are made from;
    # the job ends as its last step does: that instant is made once too.
    start_made = stamp(job_view.start)
    steps = job.steps(job_view, base, stamp, start_made)
    made = (job_view.steps[-1].end, steps[-1]["endTime"]) if steps else (None, None)
    return {"summary": job.summary(job_view, stamp, made, start_made), "steps": steps}


def _size(content: IO[bytes]) -> int:
    return content.seek(0, 2)
