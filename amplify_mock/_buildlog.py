"""What a step's ``logUrl`` and ``artifactsUrl`` download: an Amplify-like build log in mock time,
and the build's artifacts as a zip. Pure functions of a step's view and the clock; no I/O.

The log's shape follows the build logs the Amplify console shows and publishes to S3: one line
per event, ``<ISO 8601 time with milliseconds>Z [INFO]: # ...``, ``[ERROR]: !!! ...`` on failure.
"""

from __future__ import annotations

import io
import time
import zipfile
from typing import IO, Dict, List, Mapping, Optional, Sequence, Tuple

from ._lifecycle import BUILD, CANCELLED, CANCELLING, DEPLOY, FAILED, TEST, VERIFY, StepView

# (fraction of the step's duration at which the line is written, level, text); {…} are filled in.
_Line = Tuple[float, str, str]
_BUILD_LINES: Sequence[_Line] = (
    (0.0, "INFO", "# Build environment configured with Standard build compute type: "
     "8GiB Memory, 4vCPUs, 128GB Disk Space"),
    (0.0, "INFO", "# Cloning repository: {repository}"),
    (0.01, "INFO", "# Switching to commit: {commit}"),
    (0.01, "INFO", "Successfully cleaned up Git credentials"),
    (0.02, "INFO", "# Checking for Git submodules at: /codebuild/output/src/src/{app}/.gitmodules"),
    (0.03, "INFO", "## Starting Backend Build"),
    (0.03, "INFO", "## Checking for associated backend environment..."),
    (0.03, "INFO", "## No backend environment association found, continuing..."),
    (0.04, "INFO", "## Completed Backend Build"),
    (0.05, "INFO", "## Starting Frontend Build"),
    (0.05, "INFO", "# Starting phase: preBuild"),
    (0.05, "INFO", "# Executing command: npm ci"),
    (0.4, "INFO", "# Completed phase: preBuild"),
    (0.4, "INFO", "# Starting phase: build"),
    (0.4, "INFO", "# Executing command: npm run build"),
)
_BUILD_DONE: Sequence[_Line] = (
    (1.0, "INFO", "# Completed phase: build"),
    (1.0, "INFO", "## Completed Frontend Build"),
    (1.0, "INFO", "## Build completed successfully"),
)
# The phases of the buildSpec's test section, as the Amplify Hosting User Guide names them
# (preTest, test, postTest), with its example's Cypress command.
_TEST_LINES: Sequence[_Line] = (
    (0.0, "INFO", "## Starting Test"),
    (0.0, "INFO", "# Starting phase: preTest"),
    (0.0, "INFO", "# Executing command: npm ci"),
    (0.2, "INFO", "# Completed phase: preTest"),
    (0.2, "INFO", "# Starting phase: test"),
    (0.2, "INFO", "# Executing command: npx cypress run --reporter mochawesome"),
)
_TEST_DONE: Sequence[_Line] = (
    (1.0, "INFO", "# Completed phase: test"),
    (1.0, "INFO", "# Starting phase: postTest"),
    (1.0, "INFO", "# Completed phase: postTest"),
    (1.0, "INFO", "## Test completed successfully"),
)
_DEPLOY_LINES: Sequence[_Line] = (
    (0.0, "INFO", "Starting Deployment"),
    (0.0, "INFO", "Deploying {source}"),
    (0.5, "INFO", "Invalidating CDN cache for {domain}"),
)
_DEPLOY_DONE: Sequence[_Line] = ((1.0, "INFO", "Deployment complete"),)
_VERIFY_LINES: Sequence[_Line] = ((0.0, "INFO", "Starting verification of https://{domain}"),)
_VERIFY_DONE: Sequence[_Line] = ((1.0, "INFO", "Verification complete"),)

_LINES: Mapping[str, Tuple[Sequence[_Line], Sequence[_Line]]] = {
    BUILD: (_BUILD_LINES, _BUILD_DONE),
    TEST: (_TEST_LINES, _TEST_DONE),
    DEPLOY: (_DEPLOY_LINES, _DEPLOY_DONE),
    VERIFY: (_VERIFY_LINES, _VERIFY_DONE),
}


def timestamp(seconds: float) -> str:
    """``2026-01-01T00:00:17.000Z``: UTC with milliseconds, as Amplify's build logs write it."""
    whole = int(seconds // 1)
    millis = int(round((seconds - whole) * 1000))
    if millis == 1000:
        whole, millis = whole + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def step_log(
    step: StepView, now: float, facts: Mapping[str, str], stopped_at: Optional[float] = None
) -> str:
    """The log ``step`` has written by ``now``: lines due later are not there yet.

    ``facts`` fills in the lines: ``repository``, ``commit``, ``app``, ``domain``, ``source``;
    ``stopped_at`` is when StopJob came, for a step it cut short.
    """
    lines, done = _LINES[step.name]
    duration = max(step.end - step.start, 0.0)
    out: List[Tuple[float, str, str]] = [
        (step.start + fraction * duration, level, text) for fraction, level, text in lines
    ]
    if step.status == FAILED:
        reason = step.reason or f"{step.name} step failed"
        out.append((step.end, "ERROR", f"!!! {_failed(step.name)}"))
        out.append((step.end, "ERROR", f"!!! Error: {reason}"))
        out.append((step.end, "INFO", "Terminating logging..."))
    elif step.status in (CANCELLING, CANCELLED):
        # A stop cuts the step short: what it wrote up to the stop, then the cancellation.
        stop = step.start if stopped_at is None else max(stopped_at, step.start)
        out = [line for line in out if line[0] < stop]
        out.append((stop, "INFO", "# Received a request to cancel the job"))
        if step.status == CANCELLED:
            out.append((step.end, "INFO", "Terminating logging..."))
    else:
        out.extend((step.start + fraction * duration, level, text) for fraction, level, text in done)
    values = _Facts(facts)
    return "".join(
        f"{timestamp(at)} [{level}]: {line.format_map(values)}\n" for at, level, line in out if at <= now
    )


def _failed(step: str) -> str:
    return {
        BUILD: "Build failed", TEST: "Test failed", DEPLOY: "Deployment failed",
        VERIFY: "Verification failed",
    }[step]


class _Facts(Dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def artifacts_zip(files: Mapping[str, bytes], when: float) -> bytes:
    """A zip of ``files`` with every entry dated ``when`` (so the same build gives the same bytes)."""
    stamp = time.gmtime(max(when, 315532800.0))[:6]  # zip dates start in 1980
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def built_site(app_name: str, branch: str, commit: str) -> Dict[str, bytes]:
    """What a build job's BUILD step produces, for its ``artifactsUrl``."""
    page = (
        f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{app_name}</title></head>\n"
        f"<body><h1>{app_name}</h1><p>Branch {branch}, commit {commit}.</p></body></html>\n"
    )
    return {"index.html": page.encode()}


def zip_members(data: bytes) -> Optional[Dict[str, bytes]]:
    """The files of a zip archive by name, or None if ``data`` is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {
                info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()
            }
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None


def zip_file_count(content: IO[bytes]) -> Optional[int]:
    """How many files a zip archive holds (read from its central directory), or None if it is
    not one."""
    try:
        with zipfile.ZipFile(content) as archive:
            return sum(1 for info in archive.infolist() if not info.is_dir())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
