"""Starting and stopping the interception: ``mock_amplify_jobs`` and its controller."""

from __future__ import annotations

import datetime
import functools
import inspect
import json
import os
import re
import sys
import threading
import weakref
from typing import (
    Any,
    AsyncGenerator,
    Callable,
    Dict,
    Generator,
    List,
    Mapping,
    Optional,
    Tuple,
    TypeVar,
    Union,
    cast,
    overload,
)
from unittest.mock import patch
from urllib.parse import urlsplit

import botocore.client
import requests
import responses
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.credentials import Credentials, RefreshableCredentials
from botocore.endpoint import convert_to_response_dict
from botocore.parsers import DEFAULT_TIMESTAMP_PARSER, create_parser

from . import _classes, _content, _guards, _interrupts, _sessions, _timeline, deployments
from . import jobs as _jobs
from ._access_log_controls import AccessLogControls
from ._content import is_webhook_url
from ._control_input import backend, located, locked
from ._dispatch import Parsed, default_account, finish, handle, new_request_id
from ._dispatch import answer as answer_api
from ._domain_controls import DomainControls
from ._lifecycle import Durations, Outcome
from ._parsed import ParsedBuilder
from ._protocol import serialize
from ._registration import DOMAINS, HOST
from .artifacts import job_key
from .deployments import Deployment
from .models import STATE_LOCK, AmplifyBackend, LockedBackend, amplify_backends, reset_state

F = TypeVar("F", bound=Callable[..., Any])

_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "FOOBARKEY",
    "AWS_SECRET_ACCESS_KEY": "FOOBARSECRET",
}
# Content URLs point at the loopback listener: a CI's HTTPS_PROXY must not stand in between.
_LOOPBACK = ("127.0.0.1", "localhost")
_NO_PROXY = ("NO_PROXY", "no_proxy")

# Every AWS partition's domain: an Amplify client aimed at any of them is answered in
# memory, so a mocked test cannot reach a real endpoint whatever region or endpoint_url it
# uses. Clients aimed elsewhere (a local server) are left alone.
_AWS_HOST = re.compile(
    r"(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws|amazonwebservices\.com\.cn|"
    r"c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)\.?$"
)
# What the mock does with a botocore request, by its host (with port) and the client's region:
# nothing (not an AWS endpoint), answer it, refuse its signature's scope (an endpoint of
# another region than the client's), or answer AWS's webhook host.
_PASS, _ANSWER, _MISSCOPED, _WEBHOOK = 0, 1, 2, 3
# The event where a hooked client's calls are answered (see _Interceptor.hook). botocore
# calls its handlers before those of the bare "before-call".
_BEFORE_CALL = "before-call.amplify"
_HOOK_ID = "amplify_mock.before_call"
_verdicts: Dict[Tuple[str, Optional[str]], int] = {}
_REQUESTS_URL = re.compile(r"https?://" + HOST + r"(?:[/?].*)?$", re.IGNORECASE)


class _Raw:
    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


class _Unserialized:
    """The body of a reply handed to botocore already parsed: JSON only if someone reads it.

    A reply built parsed (:class:`Parsed`) holds datetimes: its JSON gives each as the epoch
    seconds of that datetime, to the microsecond botocore keeps."""

    __slots__ = ("_result",)

    def __init__(self, result: Dict[str, Any]) -> None:
        self._result = result

    def stream(self, **_: Any) -> Any:
        if isinstance(self._result, Parsed):
            yield json.dumps(self._result, separators=(",", ":"), default=_epoch_seconds).encode()
        else:
            yield serialize(self._result)


def _epoch_seconds(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class _Reply(AWSResponse):  # type: ignore[misc]
    """An AWSResponse whose case-insensitive headers are built only if someone reads them
    (an after-call hook, say): boto3 itself never does on the in-process path."""

    # Made on first use (see below); class attributes until then, one store fewer each.
    _headers: Optional[HeadersDict] = None
    _raw: Any = None
    _content: Optional[bytes] = None

    def __init__(self, url: str, status_code: int, headers: Dict[str, str], result: Dict[str, Any]) -> None:
        self.url = url
        self.status_code = status_code
        self._plain_headers = headers
        self._result = result

    @property
    def raw(self) -> Any:
        """The body as botocore streams it, made when first asked for (rarely: boto3 never)."""
        if self._raw is None:
            self._raw = _Unserialized(self._result)
        return self._raw

    @raw.setter
    def raw(self, value: Any) -> None:
        self._raw = value

    @property
    def headers(self) -> HeadersDict:
        if self._headers is None:
            self._headers = HeadersDict(self._plain_headers)
        return self._headers

    @headers.setter
    def headers(self, value: Any) -> None:
        self._headers = HeadersDict(value)


class AmplifyJobs(DomainControls, AccessLogControls):
    """Controller of an active mock: reach the backends, steer what jobs and domain
    associations do, and add the access log rows GenerateAccessLogs hands out.

    Methods that take an app id look for the app in the region named by ``region``; without
    it, in whichever region of the account has the app (us-east-1 if none has it), so a test
    whose client works in another region need not name it again. Without ``account_id``, in
    the account that has the app (a role's assumed under ``mock_aws()``, say), else the
    account of the calls themselves: ``MOTO_ACCOUNT_ID`` if set, else 123456789012."""

    def backend(self, region: str = "us-east-1", account_id: Optional[str] = None) -> AmplifyBackend:
        """The in-memory backend of one account and region; the account defaults to
        ``MOTO_ACCOUNT_ID`` if set, else 123456789012, as for the calls themselves. Raises
        ValueError for a region Amplify does not serve, as the other methods do."""
        return backend(region, account_id or default_account())

    def reset(self) -> None:
        """Forget every app, branch and job in every account and region, and the settings."""
        _reset_backends()

    def timeline(self) -> str:
        """What the jobs of every branch went through, in mock time: each job's statuses
        (PENDING at +0 s, PROVISIONING at +2 s, ...), its steps, the branch's scripted
        outcomes not yet used, and the mock's clock. A failing pytest test that used the mock
        shows the same text in its report, under "Amplify jobs"."""
        return _timeline.render()

    @property
    def durations(self) -> Durations:
        """How long each phase of a job lasts, for every branch without durations of its own."""
        return _jobs.settings.durations

    @durations.setter
    def durations(self, value: Durations) -> None:
        if not isinstance(value, Durations):
            raise TypeError("durations must be an amplify_mock.Durations")
        with STATE_LOCK:
            _jobs.settings.durations = value

    @property
    def max_concurrent_jobs(self) -> int:
        """How many jobs per account and region may be past PENDING at once (AWS's default: 5)."""
        return _jobs.settings.max_concurrent

    @max_concurrent_jobs.setter
    def max_concurrent_jobs(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError("max_concurrent_jobs must be an int >= 1")
        with STATE_LOCK:
            _jobs.settings.max_concurrent = value
            for _, _, each in list(amplify_backends.iter_backends()):
                each.scheduler.max_concurrent = value  # type: ignore[attr-defined]

    @property
    def max_upload_size(self) -> int:
        """The largest body one upload URL takes, in bytes (default 5 GiB, S3's limit for one PUT);
        a larger one gets S3's ``EntityTooLarge`` and changes nothing."""
        return _jobs.settings.max_upload_size

    @max_upload_size.setter
    def max_upload_size(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("max_upload_size must be an int >= 0 (bytes)")
        _jobs.settings.max_upload_size = value

    def deployment(
        self,
        app_id: str,
        branch_name: str,
        job_id: str,
        *,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> Deployment:
        """What was uploaded for a manual deployment (CreateDeployment's URLs): the zip and the
        files by name, as StartDeployment took them (or as they stand, if not started yet)."""
        with _locked(app_id, region, account_id) as backend:
            job = backend._job(backend.get_branch(app_id, branch_name), str(job_id))
            return deployments.deployment(job)

    def push(
        self,
        app_id: str,
        branch_name: str,
        commit_id: Optional[str] = None,
        commit_message: str = "",
        *,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> Optional[str]:
        """A push of ``branch_name`` to the app's connected repository, as Amplify sees it.

        On a branch with ``enableAutoBuild`` it queues a WEB_HOOK build of that commit (a
        random SHA if None), PENDING behind whatever runs there; a push while such a build is
        still PENDING gives it the new commit instead, as AWS does. A branch Amplify does not
        track is created first if the app's auto branch creation takes its name. Returns the
        build's jobId, or None if nothing was built."""
        with _locked(app_id, region, account_id) as backend:
            job, _ = backend.push(app_id, branch_name, commit_id, commit_message)
            return None if job is None else str(job.job_id)

    def delete_remote_branch(
        self,
        app_id: str,
        branch_name: str,
        *,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> bool:
        """The branch was deleted from the repository: with the app's
        ``enableBranchAutoDeletion`` Amplify deletes its branch (and what runs there stops).
        Returns whether a branch was deleted."""
        with _locked(app_id, region, account_id) as backend:
            return backend.delete_remote_branch(app_id, branch_name)

    def branch_durations(
        self,
        app_id: str,
        branch_name: str,
        durations: Optional[Durations] = None,
        *,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> Durations:
        """Read, or with ``durations`` set, the phase durations of one branch's next jobs.

        ``durations=None`` reads; pass :meth:`Durations` to set. Jobs already started keep theirs.
        """
        with _locked(app_id, region, account_id) as backend:
            branch = backend.get_branch(app_id, branch_name)
            if durations is not None:
                if not isinstance(durations, Durations):
                    raise TypeError("durations must be an amplify_mock.Durations")
                branch.jobs.durations = durations
            return branch.jobs.durations or _jobs.settings.durations

    def set_artifacts(
        self,
        app_id: str,
        branch_name: str,
        job_id: str,
        files: Mapping[str, bytes],
        *,
        report: Optional[bytes] = None,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> None:
        """What a build's TEST step leaves (its buildSpec has a ``test`` phase): ``files`` by name
        replace the generated screenshots and videos that ListArtifacts lists and
        GetArtifactUrl serves, and ``report``, if given, the report ``testConfigUrl`` serves.
        They appear once the TEST step has run. Raises ValueError for a job that runs no TEST."""
        checked: Dict[str, bytes] = {}
        for name, content in files.items():
            if not isinstance(name, str) or not name or len(name) > 1000:
                raise ValueError(f"an artifact's name must be a string of 1 to 1000 characters, got {name!r}")
            if not isinstance(content, (bytes, bytearray)):
                raise TypeError(f"artifact {name!r} must be bytes, got {type(content).__name__}")
            checked[name] = bytes(content)
        if report is not None and not isinstance(report, (bytes, bytearray)):
            raise TypeError(f"report must be bytes, got {type(report).__name__}")
        with _locked(app_id, region, account_id) as backend:
            job = backend._job(backend.get_branch(app_id, branch_name), str(job_id))
            entry = backend.artifacts.get(job_key(job))
            if entry is None:
                raise ValueError(
                    f"job {job_id} of branch {branch_name} runs no TEST step: its buildSpec (the "
                    "branch's, else the app's) had no test phase when it started, or "
                    "USER_DISABLE_TESTS was true"
                )
            backend.artifacts.set_files(entry, checked, None if report is None else bytes(report))

    def script(
        self,
        app_id: str,
        branch_name: str,
        *outcomes: Outcome,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> None:
        """Say what the branch's next jobs do, in order; jobs after these succeed."""
        with _locked(app_id, region, account_id) as backend:
            branch = backend.get_branch(app_id, branch_name)
            for outcome in outcomes:
                if not isinstance(outcome, Outcome):
                    raise TypeError("script() takes amplify_mock.Outcome values")
            branch.jobs.outcomes.extend(outcomes)

    def fail_next(
        self,
        app_id: str,
        branch_name: str,
        step: str = "BUILD",
        reason: str = "Build failed: the build command exited with code 1.",
        *,
        count: int = 1,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> None:
        """The branch's next ``count`` jobs fail at ``step`` with ``reason`` as statusReason."""
        self.script(
            app_id, branch_name, *[Outcome.fail(step, reason)] * count,
            region=region, account_id=account_id,
        )

    def never_finish_next(
        self,
        app_id: str,
        branch_name: str,
        *,
        count: int = 1,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> None:
        """The branch's next ``count`` jobs stay RUNNING until stopped."""
        self.script(
            app_id, branch_name, *[Outcome.never_finish()] * count,
            region=region, account_id=account_id,
        )

    def succeed_next(
        self,
        app_id: str,
        branch_name: str,
        *,
        count: int = 1,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> None:
        """The branch's next ``count`` jobs succeed (the default; useful between scripted ones)."""
        self.script(
            app_id, branch_name, *[Outcome.succeed()] * count,
            region=region, account_id=account_id,
        )


def _locked(app_id: str, region: Optional[str], account_id: Optional[str]) -> LockedBackend:
    """The backend of the account and region given, the region defaulting to the app's."""
    return locked(*located(app_id, region, account_id))


def _reset_backends(*, keep_state: bool = False) -> None:
    """Back to a fresh mock: settings, clock offset and, unless ``keep_state``, every backend."""
    reset_state(keep_backends=keep_state)


def _moto_serving() -> bool:
    """Whether moto's mock_aws() is active: then the apps and jobs are its to keep and reset."""
    stubber = getattr(sys.modules.get("moto.core.models"), "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))


class _Interceptor:
    """The process-wide patches, installed by the first active mock and removed by the last."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        # One entry per start() not yet stopped (the MockAmplifyJobs that started it).
        self.owners: List[object] = []
        # Set before anything is installed and cleared once all of it is removed: a start or
        # stop cut short (Ctrl+C) leaves it set, and the next start or stop removes what is left.
        self.dirty = False
        self.original_make_request: Optional[Callable[..., Any]] = None
        self.requests_mock: Optional[responses.RequestsMock] = None
        self.saved_env: Dict[str, Optional[str]] = {}
        self.session_patch: Any = None
        # The patched BaseClient._make_request, and the clients whose calls it answered and
        # that are now answered a step sooner (see _hook).
        self.make_request: Optional[Callable[..., Any]] = None
        self.hooked: weakref.WeakSet[Any] = weakref.WeakSet()
        self.parser = create_parser("rest-json")
        # The timestamp parser create_parser gave self.parser, so both paths build the same datetimes.
        self.parsed = ParsedBuilder(DEFAULT_TIMESTAMP_PARSER)

    @property
    def depth(self) -> int:
        """How many starts are not yet stopped."""
        return len(self.owners)

    def start(self, owner: object = None) -> None:
        with self.lock:
            if self.owners:
                self.owners.append(owner)
                return
            self.repair()
            self.dirty = True
            try:
                self._install()
                _guards.install(self)
                self.owners.append(owner)
            except BaseException:
                self._teardown()
                raise

    def stop(self, owner: object = None) -> None:
        with self.lock:
            if owner in self.owners:
                self.owners.remove(owner)
            if not self.owners:
                self.repair()

    def repair(self) -> None:
        """With no mock active, remove whatever an interrupted start or stop left installed."""
        with self.lock:
            if self.dirty and not self.owners:
                self._teardown()

    def _teardown(self) -> None:
        try:
            _guards.uninstall()
            self._uninstall()
        except BaseException:
            # Cut short part-way: finish removing (every step can be run again), then re-raise.
            _guards.uninstall()
            self._uninstall()
            raise
        self.dirty = False

    def _install(self) -> None:
        # Inside mock_aws(), what was made before this mock started stays, and what is made
        # under it stays after it stops, until mock_aws() itself resets every service.
        _reset_backends(keep_state=_moto_serving())
        self.saved_env = {key: os.environ.get(key) for key in (*_FAKE_CREDENTIALS, *_NO_PROXY)}
        os.environ.update(_FAKE_CREDENTIALS)
        # Both spellings get the user's hosts of either and loopback: the lower-case one, which
        # urllib and requests read first, must not hide hosts only the upper-case one names.
        no_proxy = _with_loopback(*(self.saved_env[key] for key in _NO_PROXY))
        for key in _NO_PROXY:
            os.environ[key] = no_proxy
        # As moto does, no default session at first; the one made for the test comes from
        # _sessions, which keeps what a new session would parse again (see there).
        self.session_patch = patch.multiple(
            "boto3", DEFAULT_SESSION=None, setup_default_session=_sessions.setup_default_session
        )
        self.session_patch.start()

        original = botocore.client.BaseClient._make_request
        self.original_make_request = original
        interceptor = self

        def _make_request(
            client: Any, operation_model: Any, request_dict: Dict[str, Any], request_context: Any
        ) -> Any:
            verdict, region = interceptor.verdict(client, request_dict)
            if verdict:
                if verdict == _ANSWER and client not in interceptor.hooked:
                    interceptor.hook(client, request_dict["url"], region)
                return interceptor.answer(
                    client, operation_model, request_dict, request_context, verdict, region
                )
            return original(client, operation_model, request_dict, request_context)

        botocore.client.BaseClient._make_request = _make_request
        self.make_request = _make_request

        mock = responses.RequestsMock(
            assert_all_requests_are_fired=False,
            # Whatever sends now, moto's mock included, gets what is not Amplify's.
            real_adapter_send=requests.adapters.HTTPAdapter.send,  # type: ignore[arg-type]
        )
        mock.add(_AnyMethod("GET", _REQUESTS_URL, callback=_requests_callback))
        mock.add_passthru(re.compile(".*"))
        self.requests_mock = mock  # first, so that an interrupted start() can stop it
        mock.start()

    def _uninstall(self) -> None:
        if self.requests_mock is not None:
            self.requests_mock.stop(allow_assert=False)
            self.requests_mock = None
        # First, so that a hook a racing call still adds declines (see hook).
        self.make_request = None
        for client in list(self.hooked):
            client.meta.events.unregister(_BEFORE_CALL, unique_id=_HOOK_ID)
        self.hooked = weakref.WeakSet()
        if self.original_make_request is not None:
            botocore.client.BaseClient._make_request = self.original_make_request
            self.original_make_request = None
        if self.session_patch is not None:
            self.session_patch.stop()
            self.session_patch = None
        for key, value in self.saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self.saved_env = {}
        # The URLs it served die with the last mock (a later one starts another listener),
        # unless mock_aws() goes on holding the state that handed them out.
        moto_serving = _moto_serving()
        if not moto_serving:
            _content.stop_listener()
        _reset_backends(keep_state=moto_serving)

    def hook(self, client: Any, url: str, region: Optional[str]) -> None:
        """Answer ``client``'s later calls to the API's host at ``url`` in its
        ``before-call.amplify`` event, the Stubber's place, rather than in ``_make_request``:
        about 6% of a cold GetJob never runs. What is skipped only adds headers to a request
        the mock answers without reading them: botocore's own bare ``before-call`` handlers
        (the Lambda recursion-detection trace id, an ``api_versions`` header), which the
        Stubber skips too, and its request compression and checksum steps (no Amplify
        operation has either trait).

        The handler is registered last: the user's handlers on ``before-call.amplify`` and
        more specific names, and a Stubber, still run first. It declines (the call goes on
        to ``_make_request``, where every handler has run, as before the hook) while any
        handler but botocore's own comes after it (on the bare event, or registered last
        since), and as soon as anything is not as when it was hooked: another host, or
        ``_make_request`` patched on the client or its class, as a test simulating a
        failure might. Unhooked when the mock stops."""
        if type(client)._make_request is not self.make_request or "_make_request" in vars(client):
            return
        # The emitter whose _lookup_cache holds the handlers botocore calls for each event
        # (a new dict after each (un)registration, filled as events are emitted); where
        # there is no such cache, no hook.
        emitter: Any = getattr(client.meta.events, "_emitter", None)
        if not isinstance(getattr(emitter, "_lookup_cache", None), dict):
            return
        origin = url[: url.find("/", url.find("//") + 2) + 1]
        if not origin.endswith("/"):
            return
        patched, reference, answer = self.make_request, weakref.ref(client), self.answer
        # Clients never share an emitter as botocore makes them (each has a copy), but each
        # has a signer of its own: a call of any other client is declined.
        signer = client._request_signer
        # The handler list last looked at, and whether only botocore's own come after this
        # one in it: looked at again when botocore makes a new list (a registration).
        judged: Tuple[Any, bool] = (None, False)

        def before_call(
            model: Any,
            params: Dict[str, Any],
            request_signer: Any,
            context: Any,
            event_name: str = "",
            **_: Any,
        ) -> Any:
            nonlocal judged
            client = reference()
            called = emitter._lookup_cache.get(event_name)
            if called is not judged[0]:
                judged = (called, _last_but_botocores(called, before_call))
            if (
                client is None
                or not judged[1]
                or request_signer is not signer
                or not params["url"].startswith(origin)
                or type(client)._make_request is not patched
                or "_make_request" in client.__dict__
            ):
                return None
            return answer(client, model, params, context, _ANSWER, region)

        # Under the lock stop() holds, so that a stop in another thread waits until the
        # client is in self.hooked (and unhooks it), or comes first and the hook is undone
        # here; the set is never added to while stop() walks it.
        with self.lock:
            client.meta.events.register_last(_BEFORE_CALL, before_call, unique_id=_HOOK_ID)
            if patched is None or self.make_request is not patched:
                client.meta.events.unregister(_BEFORE_CALL, unique_id=_HOOK_ID)
                return
            self.hooked.add(client)

    @staticmethod
    def verdict(client: Any, request_dict: Dict[str, Any]) -> Tuple[int, Optional[str]]:
        """What the mock does with this request of ``client`` (see _verdicts), and the
        client's region, which the answer needs too."""
        if client._service_model.endpoint_prefix != "amplify":
            return _PASS, None
        region = client.meta.region_name
        return _verdict(request_dict["url"], region), region

    def intercepts(self, client: Any, request_dict: Dict[str, Any]) -> bool:
        return self.verdict(client, request_dict)[0] != _PASS

    def answer(
        self,
        client: Any,
        operation_model: Any,
        request_dict: Dict[str, Any],
        request_context: Any,
        verdict: Optional[int] = None,
        region: Optional[str] = None,
    ) -> Tuple[AWSResponse, Dict[str, Any]]:
        """The reply to a call of an Amplify client; ``verdict`` and ``region`` (the client's)
        as the caller found them, if it did."""
        url = request_dict["url"]
        if verdict is None:
            verdict, region = self.verdict(client, request_dict)
        if verdict == _MISSCOPED:
            return self.parse(operation_model, url, *_MISSCOPED_REPLY)
        body = request_dict.get("body") or b""
        if isinstance(body, str):
            body = body.encode()
        credentials = client._request_signer._credentials
        # Static credentials (the environment's, a test's): their key as it is.
        key = credentials.access_key if type(credentials) is Credentials else _access_key(credentials)
        if verdict == _ANSWER:
            # The API's host (nearly every call): straight to the operation, without handle()
            # asking again whether this is AWS's webhook host.
            status, headers, result = answer_api(
                request_dict["method"], url, request_dict["headers"], body, region, key,
                operation_model.name, operation_model.service_model, self.parsed.stamps(),
            )
        else:
            status, headers, result = handle(
                request_dict["method"],
                url,
                request_dict["headers"],
                body,
                region=region,
                access_key=key,
                serialized=False,
                operation=operation_model.name,
                service=operation_model.service_model,
                stamp=self.parsed.stamps(),
            )
        request_id = new_request_id()
        # A success goes to botocore already parsed: serializing it only for botocore's parser
        # to read it back was most of a call's cost. The job operations build it parsed in the
        # first place; the others' results are converted. Errors take the full path, so boto3
        # builds its exceptions from the wire exactly as from AWS.
        if isinstance(result, Parsed):
            members: Dict[str, Any] = result
        elif isinstance(result, bytes) or (
            convert := self.parsed.converter(operation_model.output_shape)
        ) is None:
            status, headers, payload = finish(status, headers, result)
            headers["x-amzn-RequestId"] = request_id
            return self.parse(operation_model, request_dict["url"], status, headers, payload)
        else:
            members = convert(result)
        headers["x-amzn-RequestId"] = request_id
        http = _Reply(url, status, headers, result)
        if len(headers) == 2 and "Content-Type" in headers:
            # A success's headers (the content type and the id) lower-cased without a
            # comprehension, which costs a frame of its own.
            lowered = {"content-type": headers["Content-Type"], "x-amzn-requestid": request_id}
        else:
            lowered = {key.lower(): value for key, value in headers.items()}
        parsed: Dict[str, Any] = {
            "ResponseMetadata": {
                "RequestId": request_id,
                "HTTPStatusCode": status,
                "HTTPHeaders": lowered,
                "RetryAttempts": 0,
            },
            **members,
        }
        return http, parsed

    def parse(
        self, operation_model: Any, url: str, status: int, headers: Dict[str, str], payload: bytes
    ) -> Tuple[AWSResponse, Dict[str, Any]]:
        """What botocore makes of the reply on the wire."""
        http = AWSResponse(url, status, headers, _Raw(payload))
        response_dict = convert_to_response_dict(http, operation_model)
        parsed = self.parser.parse(response_dict, operation_model.output_shape)
        parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
        return http, parsed


# An endpoint_url of one region with a client of another: botocore signs for the client's
# region, and AWS refuses a signature scoped to a region other than the endpoint's before it
# looks at the call. The reply is AWS's for such a signature on its JSON services, e.g.
# aws/aws-sdk-js#4545 (403 InvalidSignatureException) and scripts quoting
# {"__type":"InvalidSignatureException","message":"Credential should be scoped to a valid region. "}.
_ENDPOINT_REGION = re.compile(r"amplify(?:-fips)?\.([a-z0-9-]+)\." + DOMAINS + r"(?::\d+)?$", re.IGNORECASE)
_MISSCOPED_REPLY = (
    403,
    {"Content-Type": "application/json", "x-amzn-ErrorType": "InvalidSignatureException"},
    json.dumps({"message": "Credential should be scoped to a valid region. "}).encode(),
)


def _last_but_botocores(called: Any, handler: Any) -> bool:
    """Whether ``handler`` is in the handlers botocore calls for an event, and every one after
    it is botocore's own (its ``handlers`` module's, which only add request headers)."""
    handlers = list(called or ())
    if handler not in handlers:
        return False
    after = handlers[handlers.index(handler) + 1 :]
    return all(getattr(later, "__module__", None) == "botocore.handlers" for later in after)


def _verdict(url: str, region: Optional[str]) -> int:
    """What the mock does with an Amplify client's request to ``url`` (see _verdicts)."""
    # A client sends every call to the same few endpoints: remember each one's verdict.
    key = (url.partition("//")[2].partition("/")[0], region)
    verdict = _verdicts.get(key)
    if verdict is None:
        netloc = key[0]
        if not _AWS_HOST.search(urlsplit(url).hostname or ""):
            verdict = _PASS
        elif is_webhook_url(url):
            verdict = _WEBHOOK
        else:
            match = _ENDPOINT_REGION.match(netloc)
            misscoped = match and region and match.group(1).lower() != region.lower()
            verdict = _MISSCOPED if misscoped else _ANSWER
        if len(_verdicts) < 256:
            _verdicts[key] = verdict
    return verdict


def _access_key(credentials: Any) -> Optional[str]:
    """The key a call would be signed with (moto's STS keys name their account), read without
    fetching anything.

    Refreshable credentials fetch on first read and once expired: a profile's ``role_arn``
    calls STS AssumeRole with the profile's real keys, an SSO profile calls the SSO portal,
    a container or instance role calls its metadata endpoint. AWS would see that call only
    because of an Amplify call the mock answers, so outside ``mock_aws()`` the key they hold
    (None before their first fetch: the default account) is taken as it is. Inside
    ``mock_aws()`` moto answers the fetch (its STS), as it does when it signs a call to any
    of its services, and the key of the assumed role names the role's account."""
    if credentials is None:
        return None
    if isinstance(credentials, RefreshableCredentials) and not _moto_serving():
        return cast(Optional[str], getattr(credentials, "_access_key", None))
    return cast(Optional[str], getattr(credentials, "access_key", None))


def _with_loopback(*settings: Optional[str]) -> str:
    hosts: List[str] = []
    for setting in settings:
        for host in (setting or "").split(","):
            if host.strip() and host.strip() not in hosts:
                hosts.append(host.strip())
    return ",".join(hosts + [host for host in _LOOPBACK if host not in hosts])


class _AnyMethod(responses.CallbackResponse):
    """Answers an Amplify URL whatever the HTTP method: TRACE, PROPFIND or any made-up verb
    gets the mock's error instead of slipping past to the network through the passthru."""

    def matches(self, request: Any) -> Tuple[bool, str]:
        if not self._url_matches(self.url, str(request.url)):
            return False, "URL does not match"
        return True, ""


def _requests_callback(request: Any) -> Tuple[int, Dict[str, str], bytes]:
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif hasattr(body, "read"):
        body = body.read()
    status, headers, payload = handle(request.method, request.url, dict(request.headers), bytes(body))
    if request.method.upper() == "HEAD":
        payload = b""  # a reply to HEAD has no body; urllib3 fails reading one
    return status, headers, payload


_interceptor = _Interceptor()


class MockAmplifyJobs:
    """Answers Amplify calls in memory while active.

    Use it as a decorator (functions, ``async def`` functions, generators, test classes) or as
    a context manager; ``with mock_amplify_jobs() as amplify`` gives the :class:`AmplifyJobs`
    controller.
    """

    def __init__(self) -> None:
        self.controller = AmplifyJobs()

    def start(self) -> AmplifyJobs:
        """Start answering Amplify calls in memory; :meth:`stop` undoes it.

        Ctrl+C during start never leaves the mock half installed: the start completes or is
        undone, and the interrupt is raised afterwards.
        """
        before = _interceptor.owners.count(self)
        try:
            with _interrupts.held() as held:
                _interceptor.start(self)
                if held.pending:
                    # Ctrl+C came during the start: undo it, still holding further ones,
                    # before the interrupt is raised on leaving this block.
                    _interceptor.stop(self)
            return self.controller
        except BaseException:
            # A start that raises must not leave the mock running behind a caller who will
            # never stop it (where no interrupt can be held: outside the main thread).
            if _interceptor.owners.count(self) > before:
                _interceptor.stop(self)
            raise

    def stop(self) -> None:
        """Stop this mock (the interception ends when the last active mock stops); safe to
        call twice, and it removes whatever an interrupted start or stop left installed."""
        with _interrupts.held():
            _interceptor.stop(self)

    def __enter__(self) -> AmplifyJobs:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, target: F) -> F:
        if inspect.isclass(target):
            return cast(F, _classes.decorate(target, self))
        return self._decorate_callable(target)

    def _decorate_callable(self, func: F) -> F:
        # A generator (a pytest yield fixture, a contextlib.contextmanager) runs its body only
        # as it is iterated, after a plain wrapper has returned: the mock must span the
        # iteration, or the body's calls would go out unmocked.
        if inspect.isgeneratorfunction(func):
            return cast(F, self._decorate_generator(func))
        if inspect.isasyncgenfunction(func):
            return cast(F, self._decorate_async_generator(func))
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    try:
                        return await func(*args, **kwargs)
                    except BaseException as error:
                        report_failure(error, self.controller)
                        raise

            return cast(F, async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                try:
                    return func(*args, **kwargs)
                except BaseException as error:
                    report_failure(error, self.controller)
                    raise

        return cast(F, wrapper)

    def _decorate_generator(self, func: Callable[..., Generator[Any, Any, Any]]) -> Callable[..., Any]:
        @functools.wraps(func)
        def generator_wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            with self:
                try:
                    # yield from passes send(), throw() and close() on, as if undecorated.
                    return (yield from func(*args, **kwargs))
                except BaseException as error:
                    report_failure(error, self.controller)
                    raise

        return generator_wrapper

    def _decorate_async_generator(self, func: Callable[..., AsyncGenerator[Any, Any]]) -> Callable[..., Any]:
        @functools.wraps(func)
        async def async_generator_wrapper(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
            with self:
                generator = func(*args, **kwargs)
                try:
                    # No "yield from" for async generators: asend(), athrow() and aclose()
                    # passed on by hand.
                    step = generator.asend(None)
                    while True:
                        try:
                            value = await step
                        except StopAsyncIteration:
                            return
                        try:
                            sent = yield value
                        except GeneratorExit:
                            await generator.aclose()
                            raise
                        except BaseException as thrown:
                            step = generator.athrow(thrown)
                        else:
                            step = generator.asend(sent)
                except BaseException as error:
                    report_failure(error, self.controller)
                    raise

        return async_generator_wrapper


def report_failure(error: BaseException, controller: AmplifyJobs) -> None:
    """Under pytest, hand the jobs' timeline to the plugin for the failing test's report,
    now, while the mock still holds them (it forgets them when it stops)."""
    plugin = sys.modules.get(_PLUGIN)
    if plugin is None or isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        return
    plugin.remember_failure(error, controller.timeline)


# The pytest11 entry point; imported by pytest, never by this package.
_PLUGIN = "pytest_amplify_mock"


@overload
def mock_amplify_jobs() -> MockAmplifyJobs: ...


@overload
def mock_amplify_jobs(target: F) -> F: ...


def mock_amplify_jobs(target: Optional[F] = None) -> Union[MockAmplifyJobs, F]:
    """A mock of AWS Amplify Hosting: apps, branches, and clock-driven jobs.

    ``@mock_amplify_jobs`` and ``@mock_amplify_jobs()`` decorate a function, an ``async def``
    function, a generator (active until it finishes: a pytest yield fixture) or a test class
    alike; ``mock_amplify_jobs()`` is also a context manager.
    """
    mock = MockAmplifyJobs()
    if target is None:
        return mock
    return mock(target)
