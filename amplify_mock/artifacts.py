"""End-to-end test artifacts: the TEST step a buildSpec's ``test`` phase adds to build jobs,
and the files ListArtifacts and GetArtifactUrl report of it.

AWS's model: ListArtifacts "returns a list of end-to-end testing artifacts for a specified app,
branch, and job" (botocore's Amplify model); the Amplify Hosting User Guide ("Setting up
end-to-end Cypress tests for your Amplify application") describes the buildSpec's ``test``
phase (``phases`` preTest, test, postTest) and its ``artifacts``: ``baseDirectory`` (the
directory the tests run in), ``configFilePath`` (the generated test report data) and ``files``
(the generated artifacts, screenshots and videos, available for download). Its example, which
the mock takes as the default of each member left out, is ``baseDirectory: cypress``,
``configFilePath: "**/mochawesome.json"``, ``files: ["**/*.png", "**/*.mp4"]``. The same page's
"Disabling tests" has a branch's (or the app's) ``USER_DISABLE_TESTS`` environment variable set
to ``true`` skip the step.

What the mock lists are the files of the ``files`` globs, one per glob (brace alternatives each
count), named as Cypress names them (``screenshots/...``, ``videos/...``), with deterministic
content; a test replaces them through the controller's ``set_artifacts``. The report of
``configFilePath`` is what the TEST step's ``testConfigUrl`` serves, and ``testArtifactsUrl`` is a
zip of the files and the report. Nothing public shows what AWS names an artifact or its id: names
are relative to ``baseDirectory`` and ids are opaque UUID-shaped strings, stable for a job's file
and unique in the account and region.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import struct
import time
import uuid
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Tuple

from ._lifecycle import FAILED, SUCCEED, TEST, JobView, StepView
from ._pagination import decode_token, page_ascending
from .exceptions import NotFoundException

DEFAULT_BASE_DIRECTORY = "cypress"
DEFAULT_CONFIG_FILE_PATH = "**/mochawesome.json"
DEFAULT_FILES: Tuple[str, ...] = ("**/*.png", "**/*.mp4")
# ListArtifacts' maxResults allows at most 50 (botocore's MaxResults shape); a request without one
# gets as many, as ListJobs does.
PAGE_SIZE = 50

JobKey = Tuple[str, str, int]  # app id, branch name, job id


def artifact_not_found(artifact_id: str) -> NotFoundException:
    # Nothing public quotes AWS's reply; worded as its other NotFoundExceptions are
    # ("App {id} not found.", "Branch {name} not found.").
    return NotFoundException(f"Artifact {artifact_id} not found.")


class _AppRef(Protocol):
    @property
    def app_id(self) -> str: ...

    @property
    def settings(self) -> Dict[str, Any]: ...


class _BranchRef(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def settings(self) -> Dict[str, Any]: ...

    @property
    def app(self) -> _AppRef: ...


class JobRef(Protocol):
    """What this module reads of a :class:`~amplify_mock.jobs.Job` (which imports this module)."""

    @property
    def job_id(self) -> int: ...

    @property
    def branch(self) -> _BranchRef: ...

    def view(self, now: float, *, counted: bool = True, steps: bool = True) -> JobView: ...


def job_key(job: JobRef) -> JobKey:
    """Where a job is: its app's id, its branch's name, its id."""
    return (job.branch.app.app_id, job.branch.name, job.job_id)


@dataclass(frozen=True)
class TestConfig:
    """The ``artifacts`` of a buildSpec's ``test`` phase, defaults filled in."""

    base_directory: str = DEFAULT_BASE_DIRECTORY
    config_file_path: str = DEFAULT_CONFIG_FILE_PATH
    files: Tuple[str, ...] = DEFAULT_FILES

    @property
    def report_name(self) -> str:
        """The report's file name, relative to ``base_directory``."""
        return instance(self.config_file_path)

    def file_names(self) -> List[str]:
        """The files a test run leaves, one per glob and brace alternative, each matching it."""
        return list(_file_names(self.files))


# An artifactFileName is at most 1000 characters (botocore's ArtifactFileName shape); brace
# alternatives multiply, so their expansion is bounded too.
_MAX_NAME = 1000
_MAX_ALTERNATIVES = 64


@functools.lru_cache(maxsize=256)
def _file_names(files: Tuple[str, ...]) -> Tuple[str, ...]:
    names: Dict[str, None] = {}
    for pattern in files:
        for alternative in _braces(pattern):
            name = instance(alternative)
            if len(name) <= _MAX_NAME:
                names.setdefault(name)
    return tuple(names)


def test_config(
    build_spec: Optional[str], environment: Mapping[str, str]
) -> Optional[TestConfig]:
    """The test phase of ``build_spec`` (YAML), or None when it has none, is not YAML, or
    ``USER_DISABLE_TESTS`` is ``true`` in ``environment``."""
    if not build_spec or str(environment.get("USER_DISABLE_TESTS", "")).strip().lower() == "true":
        return None
    return _parsed_config(build_spec)


@functools.lru_cache(maxsize=256)
def _parsed_config(build_spec: str) -> Optional[TestConfig]:
    # Remembered: every build of a branch reads the same buildSpec again. yaml is imported
    # here, not with the package, so that a mock whose apps never set a buildSpec never loads it.
    import yaml

    try:
        spec = yaml.safe_load(build_spec)
    except Exception:  # noqa: BLE001 - a buildSpec that does not parse runs no tests
        return None
    test = _test_phase(spec)
    if test is None:
        return None
    artifacts = test.get("artifacts")
    artifacts = artifacts if isinstance(artifacts, dict) else {}
    base = artifacts.get("baseDirectory")
    config = artifacts.get("configFilePath")
    files = artifacts.get("files")
    globs = tuple(f for f in files if isinstance(f, str) and f.strip()) if isinstance(files, list) else ()
    return TestConfig(
        base if isinstance(base, str) and base.strip() else DEFAULT_BASE_DIRECTORY,
        config if isinstance(config, str) and config.strip() else DEFAULT_CONFIG_FILE_PATH,
        globs or DEFAULT_FILES,
    )


def _test_phase(spec: Any) -> Optional[Dict[str, Any]]:
    # A `test` mapping at the top, or in a monorepo buildSpec's `applications` entries (Amplify's
    # monorepo buildSpec nests each app's phases there).
    if not isinstance(spec, dict):
        return None
    test = spec.get("test")
    if isinstance(test, dict):
        return test
    applications = spec.get("applications")
    for application in applications if isinstance(applications, list) else ():
        if isinstance(application, dict) and isinstance(application.get("test"), dict):
            return dict(application["test"])
    return None


# Names


_BRACES = re.compile(r"\{([^{}]*)\}")
_CLASS = re.compile(r"\[(!|\^)?(\]?[^\]]*)\]")


def _braces(pattern: str, limit: int = _MAX_ALTERNATIVES) -> List[str]:
    """``a.{png,jpg}`` as ``a.png`` and ``a.jpg`` (minimatch's brace expansion, innermost
    first), at most ``limit`` of them."""
    match = _BRACES.search(pattern)
    if match is None or "," not in match.group(1):
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end():]
    out: List[str] = []
    for option in match.group(1).split(","):
        if len(out) >= limit:
            break
        out.extend(_braces(head + option + tail, limit - len(out)))
    return out[:limit]


def instance(pattern: str) -> str:
    """A file name ``pattern`` (a glob) matches, as a Cypress run would leave it: ``**`` becomes
    ``screenshots``, ``videos``, ``report`` (the documented example's mochawesome JSON) or
    ``results`` by the file's extension, ``*`` a spec's name."""
    pattern = _relative(pattern) or "*"
    extension = pattern.rsplit(".", 1)[-1].lower() if "." in pattern.rsplit("/", 1)[-1] else ""
    folder = {
        "png": "screenshots", "jpg": "screenshots", "jpeg": "screenshots", "mp4": "videos", "json": "report"
    }.get(
        extension, "results"
    )
    parts = []
    for segment in pattern.split("/"):
        if segment == "**":
            parts.append(folder)
            continue
        segment = _CLASS.sub(_class_member, segment)
        parts.append(segment.replace("*", "home.cy").replace("?", "x"))
    return "/".join(part for part in parts if part) or "home.cy"


def _class_member(match: re.Match[str]) -> str:
    members = match.group(2)
    if match.group(1):  # a negated class: the first of a few characters it leaves out
        return next((c for c in "xyz019_" if c not in members), "~")
    return members[0] if members else "x"


def matches(name: str, pattern: str) -> bool:
    """Whether ``name`` matches the glob ``pattern``: ``**`` any directories, ``*`` and ``?``
    within one, ``[...]`` a class, ``{a,b}`` alternatives."""
    return any(re.fullmatch(_regex(p), name, re.DOTALL) for p in _braces(_relative(pattern)))


def _regex(pattern: str) -> str:
    segments = pattern.split("/")
    out = ""
    for number, segment in enumerate(segments, 1):
        last = number == len(segments)
        if segment == "**":
            out += ".*" if last else "(?:[^/]*/)*"
            continue
        index = 0
        while index < len(segment):
            char = segment[index]
            match = _CLASS.match(segment, index) if char == "[" else None
            if match is not None:
                members = "".join("\\" + c if c in "\\]^-" else c for c in match.group(2))
                out += f"[{'^' if match.group(1) else ''}{members}]"
                index = match.end()
                continue
            out += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
            index += 1
        out += "" if last else "/"
    return out


def _relative(pattern: str) -> str:
    pattern = pattern.strip()
    while pattern.startswith("./") or pattern.startswith("/"):
        pattern = pattern[1:] if pattern.startswith("/") else pattern[2:]
    return pattern


def artifact_id(serial: int, name: str) -> str:
    """A job's file's id: a UUID derived from the job's serial in its backend and the name."""
    digest = hashlib.sha256(f"{serial}\0{name}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16]))


# What a run leaves


def _png() -> bytes:
    # A valid 1x1 grey PNG: viewers and image libraries open it.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(
        b"IEND", b""
    )


_PNG = _png()
# An MP4's leading `ftyp` box, which is how players and `file` recognise one.
_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def generated_file(name: str, job_id: int) -> bytes:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "png":
        return _PNG
    if extension == "mp4":
        return _MP4
    return f"{name}: end-to-end test output of job {job_id}\n".encode()


def report(step: StepView, app_name: str, branch_name: str) -> bytes:
    """A mochawesome report (the merged JSON Amplify's documented postTest writes) of one spec
    that passed, or failed when the step did."""
    failed = step.status == FAILED
    duration = int(round(max(step.end - step.start, 0.0) * 1000))
    test = {
        "title": f"{app_name or 'the app'} on {branch_name} loads",
        "fullTitle": f"home {app_name or 'the app'} on {branch_name} loads",
        "duration": duration,
        "state": "failed" if failed else "passed",
        "pass": not failed,
        "fail": failed,
        "err": {"message": step.reason or "TEST step failed"} if failed else {},
    }
    body = {
        "stats": {
            "suites": 1,
            "tests": 1,
            "passes": 0 if failed else 1,
            "pending": 0,
            "failures": 1 if failed else 0,
            "start": _iso(step.start),
            "end": _iso(step.end),
            "duration": duration,
            "passPercent": 0 if failed else 100,
        },
        "results": [
            {"title": "", "file": "cypress/e2e/home.cy.js", "suites": [{"title": "home", "tests": [test]}]}
        ],
    }
    return (json.dumps(body, indent=2) + "\n").encode()


def _iso(seconds: float) -> str:
    whole = int(seconds)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((seconds - whole) * 1000):03d}Z"


# A TEST step that ended either way has run the tests: a failing run leaves its report,
# screenshots and videos too. One cut short by StopJob leaves nothing.
RAN = frozenset({SUCCEED, FAILED})


def test_step(job_view: JobView) -> Optional[StepView]:
    """The job's TEST step once it has run (SUCCEED or FAILED): artifacts exist from then on."""
    for step in job_view.steps:
        if step.name == TEST:
            return step if step.status in RAN else None
    return None


# State


class JobArtifacts:
    """What one tested job's TEST step leaves: generated files unless a test set its own."""

    __slots__ = ("key", "serial", "config", "files", "report")

    def __init__(self, key: JobKey, serial: int, config: TestConfig) -> None:
        self.key = key
        self.serial = serial
        self.config = config
        self.files: Optional[Dict[str, bytes]] = None
        self.report: Optional[bytes] = None

    def names(self) -> List[str]:
        return sorted(self.files) if self.files is not None else sorted(self.config.file_names())

    def content(self, name: str) -> Optional[bytes]:
        if self.files is not None:
            return self.files.get(name)
        return generated_file(name, self.key[2]) if name in self.config.file_names() else None


class Artifacts:
    """The tested jobs of one backend (account and region) and their artifact ids."""

    def __init__(self) -> None:
        self.jobs: Dict[JobKey, JobArtifacts] = {}
        self.ids: Dict[str, Tuple[JobKey, str]] = {}
        self.serial = 0

    def register_job(self, job: JobRef) -> Optional[JobArtifacts]:
        """A build job being submitted: whether its branch's buildSpec (else its app's) runs
        tests, and if so, its TEST step recorded."""
        branch = job.branch
        app = branch.app
        # A branch's environment variables override its app's, as Amplify applies them.
        environment = {
            **(app.settings.get("environmentVariables") or {}),
            **(branch.settings.get("environmentVariables") or {}),
        }
        spec = branch.settings.get("buildSpec") or app.settings.get("buildSpec")
        config = test_config(spec, environment)
        if config is None:
            return None
        return self.register(job_key(job), config)

    def register(self, key: JobKey, config: TestConfig) -> JobArtifacts:
        """A build that runs a TEST step with ``config``."""
        self.serial += 1
        entry = JobArtifacts(key, self.serial, config)
        self.jobs[key] = entry
        self._index(entry)
        return entry

    def get(self, key: JobKey) -> Optional[JobArtifacts]:
        return self.jobs.get(key)

    def set_files(self, entry: JobArtifacts, files: Dict[str, bytes], report: Optional[bytes]) -> None:
        self._unindex(entry)
        entry.files = dict(files)
        if report is not None:
            entry.report = report
        self._index(entry)

    def find(self, artifact_id: str) -> Tuple[JobArtifacts, str]:
        found = self.ids.get(artifact_id)
        entry = self.jobs.get(found[0]) if found is not None else None
        if found is None or entry is None:
            raise artifact_not_found(artifact_id)
        return entry, found[1]

    def page(
        self, entry: Optional[JobArtifacts], next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[Tuple[str, str]], Optional[str]]:
        """A page of (artifactFileName, artifactId) of ``entry`` (None: a job with none yet)."""
        items = list(enumerate(entry.names() if entry is not None else []))
        chunk, token = page_ascending(
            "artifacts", items, lambda item: item[0], next_token, max_results, PAGE_SIZE
        )
        serial = entry.serial if entry is not None else 0
        return [(name, artifact_id(serial, name)) for _, name in chunk], token

    def forget_job(self, job: JobRef) -> None:
        """A job deleted: its artifacts and their ids are gone."""
        self.forget(job_key(job))

    def forget(self, key: JobKey) -> None:
        entry = self.jobs.pop(key, None)
        if entry is not None:
            self._unindex(entry)

    def forget_branch(self, app_id: str, branch_name: str) -> None:
        for key in [key for key in self.jobs if key[0] == app_id and key[1] == branch_name]:
            self.forget(key)

    def _index(self, entry: JobArtifacts) -> None:
        for name in entry.names():
            self.ids[artifact_id(entry.serial, name)] = (entry.key, name)

    def _unindex(self, entry: JobArtifacts) -> None:
        for name in entry.names():
            self.ids.pop(artifact_id(entry.serial, name), None)


def listing(
    store: Artifacts,
    job: JobRef,
    now: Callable[[], float],
    next_token: Optional[str],
    max_results: Optional[int],
) -> Tuple[List[Tuple[str, str]], Optional[str]]:
    """ListArtifacts of a job at ``now()`` (the backend's clock, which settles its
    scheduler): its TEST step's files once that step has run, none before (or for a job that
    runs no tests)."""
    if next_token is not None:
        decode_token("artifacts", next_token)  # refused before the clock or the job is read
    ran = test_step(job.view(now(), counted=False)) is not None
    entry = store.get(job_key(job)) if ran else None
    return store.page(entry, next_token, max_results)
