"""Deploy a built site to an Amplify branch without a repository: from a zip, or from S3.

What a CI job does once ``npm run build`` has produced ``dist/``::

    amplify = boto3.client("amplify")
    outcome = deploy_zip(amplify, "d1a2b3c4", "main", zip_directory("dist"))

    # or, when the build was synced to S3 first:
    outcome = deploy_from_s3(amplify, "d1a2b3c4", "main", "acme-builds", "shop/1234/")

Both return the :class:`~examples.release_and_wait.JobOutcome` of the deployment job.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from typing import Callable, Mapping, Optional

import requests

from examples.release_and_wait import AmplifyClient, JobOutcome, wait_for_job

__all__ = [
    "deploy_from_s3",
    "deploy_zip",
    "start_and_wait",
    "upload_zip",
    "zip_directory",
    "zip_files",
]


def zip_files(files: Mapping[str, bytes]) -> bytes:
    """A zip archive, in memory, of ``{path inside the site: content}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_directory(path: str) -> bytes:
    """A zip archive, in memory, of every file under ``path`` (names relative to it)."""
    files = {}
    for root, _, names in os.walk(path):
        for name in names:
            full = os.path.join(root, name)
            with open(full, "rb") as handle:
                files[os.path.relpath(full, path).replace(os.sep, "/")] = handle.read()
    return zip_files(files)


def upload_zip(
    client: AmplifyClient, app_id: str, branch_name: str, archive: bytes, *, upload_timeout: float = 300.0
) -> str:
    """CreateDeployment and PUT ``archive`` to its ``zipUploadUrl``; return the deployment's jobId.

    The deployment must be started within 8 hours (:func:`start_and_wait`), after which Amplify
    marks it FAILED and refuses to start it. CreateDeployment itself is refused (BadRequestException)
    while the branch's last job has not finished.
    """
    created = client.create_deployment(appId=app_id, branchName=branch_name)
    response = requests.put(created["zipUploadUrl"], data=archive, timeout=upload_timeout)
    response.raise_for_status()
    job_id: str = created["jobId"]
    return job_id


def start_and_wait(
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
    """StartDeployment for an uploaded deployment and wait for it to finish."""
    client.start_deployment(appId=app_id, branchName=branch_name, jobId=job_id)
    return wait_for_job(
        client, app_id, branch_name, job_id, interval=interval, timeout=timeout, sleep=sleep, clock=clock
    )


def deploy_zip(
    client: AmplifyClient,
    app_id: str,
    branch_name: str,
    archive: bytes,
    *,
    interval: float = 10.0,
    timeout: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Optional[Callable[[], float]] = None,
) -> JobOutcome:
    """Upload ``archive`` (a zip of the built site) and deploy it.

    :func:`upload_zip`, then :func:`start_and_wait`.
    """
    job_id = upload_zip(client, app_id, branch_name, archive)
    return start_and_wait(
        client, app_id, branch_name, job_id, interval=interval, timeout=timeout, sleep=sleep, clock=clock
    )


def deploy_from_s3(
    client: AmplifyClient,
    app_id: str,
    branch_name: str,
    bucket: str,
    prefix: str = "",
    *,
    interval: float = 10.0,
    timeout: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Optional[Callable[[], float]] = None,
) -> JobOutcome:
    """Deploy the site stored under ``s3://bucket/prefix`` (sourceUrlType BUCKET_PREFIX) and wait.

    Amplify reads the bucket when the job runs: a bucket it cannot read makes the job FAIL at DEPLOY,
    it does not make StartDeployment raise.
    """
    started = client.start_deployment(
        appId=app_id,
        branchName=branch_name,
        sourceUrl=f"s3://{bucket}/{prefix}",
        sourceUrlType="BUCKET_PREFIX",
    )
    return wait_for_job(
        client, app_id, branch_name, started["jobSummary"]["jobId"],
        interval=interval, timeout=timeout, sleep=sleep, clock=clock,
    )
