"""A manual-deploy CLI as people publish them: zip a build directory, upload it with ``urllib``,
start the deployment, wait, and print the failed step's build log when it fails.

    python examples/deploy_script.py --app-id d1a2b3c4 --branch main --dir dist

It uses only the standard library besides boto3, as most such scripts do: the upload is a plain
``urllib.request`` PUT to the presigned ``zipUploadUrl``, the log a plain GET of the step's ``logUrl``.
Exit status 0 when the deployment succeeded, 1 when it failed or timed out.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import urllib.request
import zipfile
from typing import Any, Callable, List, Optional, TextIO

__all__ = ["deploy", "main", "zip_directory"]

FINISHED = ("SUCCEED", "FAILED", "CANCELLED")


def zip_directory(path: str) -> bytes:
    """Every file under ``path`` in a zip, named relative to it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, _, names in os.walk(path):
            for name in sorted(names):
                full = os.path.join(root, name)
                archive.write(full, os.path.relpath(full, path).replace(os.sep, "/"))
    return buffer.getvalue()


def _put(url: str, data: bytes) -> None:
    request = urllib.request.Request(
        url, data=data, method="PUT", headers={"Content-Type": "application/zip"}
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        if response.status != 200:
            raise RuntimeError(f"upload failed with HTTP {response.status}")


def _get_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        return str(response.read().decode("utf-8", "replace"))


def deploy(
    client: Any,
    app_id: str,
    branch: str,
    directory: str,
    *,
    interval: float = 10.0,
    timeout: float = 1800.0,
    out: Optional[TextIO] = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Deploy ``directory`` to the branch; return the exit status. Prints to ``out`` (stdout)."""
    out = sys.stdout if out is None else out
    created = client.create_deployment(appId=app_id, branchName=branch)
    job_id = created["jobId"]
    print(f"Uploading {directory} as job {job_id}...", file=out)
    _put(created["zipUploadUrl"], zip_directory(directory))
    client.start_deployment(appId=app_id, branchName=branch, jobId=job_id)
    deadline = clock() + timeout
    while True:
        job = client.get_job(appId=app_id, branchName=branch, jobId=job_id)["job"]
        status = job["summary"]["status"]
        if status in FINISHED:
            break
        if clock() >= deadline:
            print(f"Timed out after {timeout:.0f}s; job {job_id} is {status}.", file=out)
            return 1
        sleep(interval)
    if status == "SUCCEED":
        print(f"Deployment {job_id} succeeded.", file=out)
        return 0
    print(f"Deployment {job_id} {status}.", file=out)
    for step in job["steps"]:
        if step["status"] == "FAILED":
            print(f"--- {step['stepName']} log ---", file=out)
            print(_get_text(step["logUrl"]), end="", file=out)
    return 1


def main(argv: Optional[List[str]] = None, client: Any = None) -> int:
    parser = argparse.ArgumentParser(description="Deploy a built site to an AWS Amplify branch.")
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--branch", required=True)
    parser.add_argument("--dir", required=True, help="the build output directory")
    parser.add_argument("--region", default=None)
    args = parser.parse_args(argv)
    if client is None:
        import boto3

        client = boto3.client("amplify", region_name=args.region)
    return deploy(client, args.app_id, args.branch, args.dir)


if __name__ == "__main__":
    raise SystemExit(main())
