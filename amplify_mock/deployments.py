"""Manual deployments (CreateDeployment, StartDeployment): MANUAL jobs of a branch of an app
not connected to a repository, deploying what was uploaded to their URLs or a sourceUrl.

A deployment is a :class:`~amplify_mock.jobs.Job` on the same scheduler as builds; this module
adds the rules AWS applies to deployments and what was uploaded for them.
"""

from __future__ import annotations

import importlib
import io
import re
import sys
from dataclasses import dataclass, field
from typing import IO, Any, Dict, List, Optional, Tuple
from urllib.parse import unquote, urlsplit

from ._buildlog import zip_file_count, zip_members
from ._lifecycle import CREATED, DEPLOY, DEPLOYMENT_JOB, JobView, Outcome
from .exceptions import BadRequestException
from .jobs import BranchRef, Job, Jobs


@dataclass(frozen=True)
class Deployment:
    """What was uploaded for a manual deployment, as its job took it at StartDeployment (or, not
    started yet, as it stands): the body PUT to ``zipUploadUrl``, and the files by name — those
    PUT to ``fileUploadUrls``, else the zip's members."""

    zip: Optional[bytes] = None
    files: Dict[str, bytes] = field(default_factory=dict)

    @property
    def file_names(self) -> List[str]:
        return sorted(self.files)


def deployment(job: Job) -> Deployment:
    """What was uploaded: as StartDeployment took it, or as it stands if not started."""
    if job.deployed_files is not None:
        zip_upload, file_uploads = job.deployed_zip, job.deployed_files
    else:
        zip_upload, file_uploads = job.zip_upload, job.file_uploads
    zip_bytes = _read(zip_upload) if zip_upload is not None else None
    files = {name: _read(content) for name, content in file_uploads.items()}
    if not files and zip_bytes is not None:
        files = zip_members(zip_bytes) or {}
    return Deployment(zip_bytes, files)


class Deployments:
    """The deployment operations of one account in one region, on its jobs."""

    def __init__(self, jobs: Jobs, account_id: str) -> None:
        self.jobs = jobs
        self.account_id = account_id

    def create_deployment(self, branch: BranchRef, params: Dict[str, Any]) -> Job:
        _refuse_connected_app(branch)
        now = self.jobs.now()
        last = branch.jobs.last()
        waiting = last if last is not None and last.timeline is None else None
        if waiting is not None and waiting.view(now, steps=False).status != CREATED:
            waiting = None
        blocking = self.jobs.busy(branch, now) or waiting
        if blocking is not None:
            # AWS's words, grammar included: published deploy scripts quote "The last
            # job(deployment) N was not finished" and stop the job before creating another.
            # A CANCELLING job does not block.
            raise BadRequestException(
                f"The last job(deployment) {blocking.job_id} was not finished, please wait until "
                "it finish or use StopJob operation to cancel it before creating a new deployment."
            )
        job = self.jobs.new_job(branch, "MANUAL", now, ("HEAD", "Manual deployment", now))
        job.file_names = tuple(params.get("fileMap") or {})
        branch.jobs.add(job)
        return job

    def start_deployment(self, branch: BranchRef, params: Dict[str, Any]) -> Tuple[Job, JobView]:
        _refuse_connected_app(branch)
        job_id, source_url = params.get("jobId"), params.get("sourceUrl")
        if not job_id and not source_url:
            raise BadRequestException("Must specify jobId or sourceUrl for StartDeploymentRequest.")
        if job_id and source_url:
            raise BadRequestException(
                "Specify either jobId (a deployment from CreateDeployment) or sourceUrl, not both."
            )
        now = self.jobs.now()
        outcome: Optional[Outcome] = None
        if job_id:
            job = self.jobs.job(branch, job_id)
            if job.cancelled_at is not None:
                raise BadRequestException(
                    f"Job {job_id} was stopped before it was started (status CANCELLED); call "
                    "CreateDeployment for a new deployment."
                )
            expiry = job.expired_at()
            if expiry is None:
                raise BadRequestException(
                    f"Job {job_id} has already been started; call CreateDeployment for a new deployment."
                )
            if now > expiry:
                raise BadRequestException(
                    f"Deployment job {job_id} was created more than 8 hours ago and has expired "
                    "(status FAILED); call CreateDeployment again and start it within 8 hours."
                )
            missing = job.missing_upload()
            if missing is not None:
                outcome = Outcome.fail(DEPLOY, missing)
            self.jobs.submit(job, DEPLOYMENT_JOB, outcome, now)
            # What is deployed is what was there now; a later PUT to the URLs changes nothing.
            job.take_uploads()
            return job, job.view(now)
        assert source_url is not None
        last = branch.jobs.last()
        if last is not None and last.timeline is None and last.view(now, steps=False).status == CREATED:
            raise BadRequestException(
                f"The last job(deployment) {last.job_id} was not finished; start it with its jobId "
                "or wait for it to expire before deploying from a sourceUrl."
            )
        source_type = params.get("sourceUrlType") or "ZIP"
        job = self.jobs.new_job(branch, "MANUAL", now, ("HEAD", "Manual deployment", now))
        job.source_url, job.source_url_type = source_url, source_type
        outcome = _missing_source(self.account_id, source_url, source_type)
        self.jobs.submit(job, DEPLOYMENT_JOB, outcome, now)
        branch.jobs.add(job)
        return job, job.view(now)


def _refuse_connected_app(branch: BranchRef) -> None:
    """CreateDeployment and StartDeployment are for manually deployed apps only."""
    if branch.app.repository:
        # AWS's words, grammar included, as published deploy scripts and runbooks quote the
        # reply of `aws amplify create-deployment` on a Git-connected app.
        raise BadRequestException("Operation not supported. App is already connected a repository.")


# An S3 object's HTTPS URL, as a deploy script hands StartDeployment a presigned GET URL of the
# zip (AWS documents sourceUrl as "an HTTP GET URL that is publicly accessible and downloads a
# single .zip file, or an Amazon S3 bucket and prefix"): virtual-hosted
# (bucket.s3[.region].amazonaws.com/key) or path-style (s3[.region].amazonaws.com/bucket/key).
_S3_REGION = r"s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?"
_S3_VIRTUAL_HOSTED = re.compile(r"(?P<bucket>[a-z0-9][a-z0-9.-]*[a-z0-9])\." + _S3_REGION)
_S3_PATH_STYLE = re.compile(_S3_REGION)


def _s3_location(source_url: str, source_type: str) -> Optional[Tuple[str, str, str]]:
    """(bucket, key, sourceUrl as shown) of a source in S3, or None for one elsewhere."""
    if source_url.startswith("s3://"):
        bucket_name, _, key_name = source_url[len("s3://"):].partition("/")
        return bucket_name, key_name, source_url
    if source_type != "ZIP" or not source_url.lower().startswith(("https://", "http://")):
        return None
    parts = urlsplit(source_url)
    host, path = (parts.hostname or ""), unquote(parts.path)
    # Shown without its query: a presigned URL's signature is hundreds of characters of noise.
    shown = f"{parts.scheme}://{parts.netloc}{parts.path}"
    virtual = _S3_VIRTUAL_HOSTED.fullmatch(host)
    if virtual is not None:
        return virtual.group("bucket"), path[1:], shown
    if _S3_PATH_STYLE.fullmatch(host):
        bucket_name, _, key_name = path[1:].partition("/")
        return bucket_name, key_name, shown
    return None


def _missing_source(account_id: str, source_url: str, source_type: str) -> Optional[Outcome]:
    """A deployment from S3 fails at DEPLOY when moto's S3 is in use and lacks what sourceUrl
    names (``s3://bucket/key``, or an S3 object's HTTPS URL such as a presigned one): the
    bucket, or for a ZIP the object, or the object is not a zip archive. (Without moto's S3
    there is nothing to look in, and the deployment succeeds.) Nothing public shows AWS's
    words for these; each names what is missing."""
    location = _s3_location(source_url, source_type)
    if location is None:
        return None
    core_models = sys.modules.get("moto.core.models")
    if core_models is None or not core_models.botocore_stubber.enabled:
        return None
    # Imported here rather than looked up in sys.modules: a test that never called S3 has not
    # loaded it yet, and its missing bucket must still fail the deployment.
    s3_models = importlib.import_module("moto.s3.models")
    bucket_name, key_name, source_url = location
    bucket = s3_models.s3_backends[account_id]["aws"].buckets.get(bucket_name)
    if bucket is None:
        return Outcome.fail(
            DEPLOY,
            f"The S3 bucket {bucket_name} of sourceUrl {source_url} ({source_type}) does not exist "
            "or is not accessible.",
        )
    if source_type != "ZIP":
        return None  # a BUCKET_PREFIX deploys what is under the prefix, whatever that is
    key = bucket.keys.get(key_name) if key_name else None
    if key is None or isinstance(key, s3_models.FakeDeleteMarker):  # deleted in a versioned bucket
        return Outcome.fail(
            DEPLOY,
            f"The S3 object {key_name or '(none)'} of sourceUrl {source_url} (ZIP) does not exist "
            f"in bucket {bucket_name} or is not accessible.",
        )
    if zip_file_count(io.BytesIO(key.value)) is None:
        return Outcome.fail(
            DEPLOY,
            f"The S3 object {key_name} of sourceUrl {source_url} ({key.size} bytes) is not a zip "
            "archive; deploy a .zip of the site's files, or use sourceUrlType BUCKET_PREFIX.",
        )
    return None


def _read(content: IO[bytes]) -> bytes:
    content.seek(0)
    return content.read()
