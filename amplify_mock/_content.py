"""Content URLs: where deployments are uploaded, build logs and artifacts downloaded, and
webhooks POSTed to.

AWS hands out presigned S3 URLs for these (CreateDeployment's ``zipUploadUrl`` and
``fileUploadUrls``, each step's ``logUrl`` and ``artifactsUrl``). The mock serves them itself on
the loopback interface, so that any HTTP client a deploy script uses (urllib, http.client, httpx,
aiohttp, requests, a curl subprocess) works unchanged and none can reach AWS. In-process, a small
listener starts the first time such a URL is handed out and stops with the last mock; the server
(``amplify-mock serve``) serves the same paths itself, through :func:`app`.

Errors are S3's, as the real URLs give them: XML bodies with S3's codes and messages.

Webhook URLs are answered as AWS's ``webhooks.amplify.{region}.amazonaws.com/prod/webhooks``
answers them (an API Gateway stage in front of an SQS queue). The mock hands them out on its
own origin with AWS's path and query: AWS's host cannot be served to a client that does not go
through ``requests`` without the network, and a URL that leads to AWS would let a test build a
real app. A ``requests`` call to AWS's own form is answered in memory too (see
:func:`webhook_reply`, which both forms reach).
"""

from __future__ import annotations

import _socket
import base64
import binascii
import calendar
import functools
import hashlib
import hmac
import json
import os
import re
import selectors
import socket
import sys
import tempfile
import threading
import time
import types
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from xml.sax.saxutils import escape

from werkzeug.exceptions import ClientDisconnected
from werkzeug.wsgi import get_input_stream

from . import _buildlog, _clock
from . import access_logs as _access_logs
from . import artifacts as _artifacts
from . import webhooks as _webhooks
from ._http import WSGIServer, raw_target
from ._lifecycle import BUILD, SUCCEED, TEST, StepView
from .exceptions import AmplifyError
from .jobs import Job, settings
from .models import STATE_LOCK, AmplifyBackend, amplify_backends

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

UPLOADS = "/_amplify_mock/uploads/"
ARTIFACTS = "/_amplify_mock/artifacts/"
# GetArtifactUrl's URLs: by account, region and artifact id, which keeps them short (an
# ArtifactUrl is at most 1000 characters) whatever the branch and file are named.
TEST_ARTIFACTS = "/_amplify_mock/test-artifacts/"
WEBHOOKS = _webhooks.PATH
ACCESS_LOGS = _access_logs.PATH
PREFIXES = (UPLOADS, ARTIFACTS, TEST_ARTIFACTS, WEBHOOKS, ACCESS_LOGS)
# AWS's deployment upload URLs are presigned for three hours: they carry X-Amz-Expires=10800.
EXPIRES = 10800
# Nothing public shows how long GetArtifactUrl's presigned URL lasts; an hour, the presigning
# default of the AWS SDKs and CLI (`aws s3 presign` without --expires-in).
ARTIFACT_EXPIRES = 3600
_SPOOL = 8 * 1024 * 1024  # bytes of one upload held in memory; beyond, a temporary file
_CHUNK = 64 * 1024
_DRAIN = 16 * 1024 * 1024  # what is read and dropped of a refused body, so the reply is seen

# Set by the server while it answers a request (e.g. "http://127.0.0.1:5000"), so that the
# content URLs it hands out lead back to it; unset in-process, where the listener serves them.
origin_var: ContextVar[Optional[str]] = ContextVar("amplify_mock_content_origin", default=None)

# Signs the URLs this process hands out, as AWS signs its presigned ones: a URL whose date or
# expiry was edited is refused, like S3 refuses it.
_SECRET = os.urandom(32)


# The listener serves one test's clients, not a fleet: every test that reads a job needs its
# URLs (its replies carry them), and few of those tests fetch one. So a URL costs a listening
# socket and one thread waiting on it; the HTTP server (cheroot, with its selector and
# workers, about 15 ms of CPU to start and stop here) starts only when a client connects,
# and serves that client from the socket's backlog. Idle keep-alive connections hold no
# worker; a request waits only while four others run.
_LISTENER_THREADS = 4
_BACKLOG = 128
# How long the mock's stop lets a request in progress finish (a client mid-upload when its
# test ends) before closing its connection: the test is over, and its stop must be prompt.
_LISTENER_SHUTDOWN_TIMEOUT = 0.25


def _unguarded_socket() -> Any:
    """``socket.socket`` as Python defines it, beneath any subclass a test tool put in its place.

    pytest-socket's ``--disable-socket`` (a common guard against tests reaching the network)
    swaps in a subclass that refuses to be made. The API calls that hand out URLs (GetJob's
    log URLs, CreateDeployment, CreateWebhook) start the listener, and failed there with
    InternalFailureException, although moto's own services work in-process under that guard.
    The listener binds 127.0.0.1 and never connects out, so it is made with Python's class;
    the test's own HTTP clients stay guarded (to fetch the URLs: ``--allow-hosts=127.0.0.1``).
    """
    for klass in socket.socket.__mro__:
        if klass.__module__ == "socket" and klass.__qualname__ == "socket":
            return klass
    return socket.socket


_PythonSocket: Any = _unguarded_socket()


class _ListeningSocket(_PythonSocket):  # type: ignore[misc]
    """The listener's socket: what it accepts is made with Python's class too, as a client in
    another process (a ``curl`` subprocess) connects whatever guards this one."""

    def accept(self) -> Tuple[socket.socket, Any]:
        # socket.socket.accept, but for the class of the socket it returns.
        fd, address = self._accept()
        connection = _PythonSocket(self.family, self.type, self.proto, fileno=fd)
        if socket.getdefaulttimeout() is None and self.gettimeout():
            connection.setblocking(True)
        return connection, address


class _Unpatched(types.ModuleType):
    """A standard module as cheroot's modules see it: every attribute is the module's own,
    looked up on use (so freezegun and time-machine still move cheroot's clock), except the
    few given, which are what the test's doubles replaced.

    The listener runs on cheroot, in threads of its own, while the test's doubles aimed at the
    code under test are in place, and cheroot reached them:

    - a patched ``time.sleep`` (``mock.patch("time.sleep")`` drives a poll loop, often with a
      side effect that ticks freezegun's clock): cheroot sleeps each 10 ms while its stop waits
      for the selector loop and each 100 ms while a worker starts, so the test's mock listed
      hundreds of sleeps the code under test never made (ticking its clock for each), or, with
      no real sleep behind it, spun. Here sleep waits on an event nobody sets;
    - a socket guard (pytest-socket): cheroot's stop connects to its own socket, and the guard
      killed the stopping thread before it closed the connections. Here it makes its socket
      with Python's class and resolves with the C resolver, as the listener does.
    """

    def __init__(self, module: types.ModuleType, **own: Any) -> None:
        super().__init__(module.__name__)
        self._module = module
        self.__dict__.update(own)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


_NEVER_SET = threading.Event()
_CHEROOT_STANDINS = (
    (time, _Unpatched(time, sleep=lambda seconds: _NEVER_SET.wait(seconds))),
    (socket, _Unpatched(socket, socket=_PythonSocket, getaddrinfo=_socket.getaddrinfo)),
)
# The cheroot modules that run in the listener's threads (each has `import time`, and the
# server `import socket`, at its top).
_CHEROOT_MODULES = ("cheroot.connections", "cheroot.server", "cheroot.workers.threadpool")


def _shield_cheroot() -> None:
    for name in _CHEROOT_MODULES:
        module = sys.modules.get(name)
        for standard, standin in _CHEROOT_STANDINS:
            attribute = standard.__name__
            if module is not None and getattr(module, attribute, None) is standard:
                setattr(module, attribute, standin)


def _socketpair() -> Tuple[socket.socket, socket.socket]:
    """``socket.socketpair()``, made with Python's socket class (see :func:`_unguarded_socket`)."""
    first, second = _socket.socketpair()
    return (
        _PythonSocket(first.family, first.type, first.proto, first.detach()),
        _PythonSocket(second.family, second.type, second.proto, second.detach()),
    )


class _Listener:
    """The in-process loopback listener: its socket is made on first use, its server on the
    first connection."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.url: Optional[str] = None
        self.socket: Optional[socket.socket] = None
        self.server: Optional[WSGIServer] = None
        self.doorman: Optional[threading.Thread] = None
        self.bell: Optional[socket.socket] = None

    def origin(self) -> str:
        url = self.url
        if url is not None:
            return url
        with self.lock:
            if self.url is None:
                _shield_cheroot()
                sock = _ListeningSocket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    sock.bind(("127.0.0.1", 0))
                    sock.listen(_BACKLOG)
                    bell, wake = _socketpair()
                except BaseException:
                    sock.close()
                    raise
                doorman = threading.Thread(
                    target=self._serve_on_first_connection,
                    args=(sock, wake),
                    name="amplify-mock-content",
                    daemon=True,
                )
                self.socket, self.bell, self.doorman = sock, bell, doorman
                self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
                doorman.start()
            return self.url

    def _serve_on_first_connection(self, sock: socket.socket, wake: socket.socket) -> None:
        try:
            try:
                with selectors.DefaultSelector() as selector:
                    selector.register(sock, selectors.EVENT_READ)
                    selector.register(wake, selectors.EVENT_READ)
                    ready = [key.fileobj for key, _ in selector.select()]
            except (OSError, ValueError):
                return  # the socket closed under the wait: the listener stopped
            with self.lock:
                if wake in ready or self.socket is not sock:
                    return  # stopped before anyone connected
                server = WSGIServer(
                    app,
                    "127.0.0.1",
                    0,
                    name="amplify-mock-content",
                    threads=_LISTENER_THREADS,
                    sock=sock,
                    shutdown_timeout=_LISTENER_SHUTDOWN_TIMEOUT,
                )
                server.bind()
                self.server = server
            # A stop() from here on has the server to stop: serve() then returns at once.
            server.serve()
        finally:
            wake.close()

    def stop(self) -> None:
        with self.lock:
            sock, bell, doorman, server = self.socket, self.bell, self.doorman, self.server
            self.socket = self.bell = self.doorman = self.server = None
            self.url = None
        if server is not None:
            _stop_promptly(server)
        elif bell is not None:
            try:
                bell.send(b"stop")
            except OSError:
                pass
        if doorman is not None:
            doorman.join(_LISTENER_SHUTDOWN_TIMEOUT + 1)
        for each in (bell, sock):
            if each is not None:
                each.close()


# How often the stopping listener is woken (seconds), and how long a wake-up may take to connect.
_POKE_EVERY = 0.005
_POKE_TIMEOUT = 0.5


def _stop_promptly(server: WSGIServer) -> None:
    """``server.stop()``, without waiting out cheroot's selector.

    cheroot's stop sets a flag and then waits for its selector loop to see it, and that loop
    only looks between two ``select()`` calls, which wait up to half a second for a socket to
    be ready. Every mocked test that had read a job's URLs waited out that half second when
    its mock stopped (a 200-test suite, a minute and a half of sleeping, which CPU time does
    not show). The stop runs in a thread of its own while this one connects to the listener
    now and then, which readies its socket: the loop wakes, sees the flag and ends at once.
    """
    port = server.port
    stopping = threading.Thread(target=server.stop, name="amplify-mock-content-stop", daemon=True)
    stopping.start()
    while True:
        stopping.join(_POKE_EVERY)
        if not stopping.is_alive():
            return
        try:
            with _PythonSocket(socket.AF_INET, socket.SOCK_STREAM) as poke:
                poke.settimeout(_POKE_TIMEOUT)
                poke.connect(("127.0.0.1", port))
        except OSError:
            pass  # already closed: the stop is under way
        except RuntimeError:
            # A guard refusing connections (pytest-socket's --allow-hosts without 127.0.0.1
            # raises a RuntimeError): cheroot's stop then only takes its half second.
            pass


_listener = _Listener()


def origin() -> str:
    """Where content URLs point: the server answering this request, else the loopback listener."""
    served = origin_var.get()
    if served is not None:
        return served
    # The listener's URL once it runs (nearly always), without a call to ask for it.
    return _listener.url or _listener.origin()


def stop_listener() -> None:
    """Stop the in-process listener, if it runs (the last mock stopping)."""
    _listener.stop()


def listener_running() -> bool:
    return _listener.url is not None


# URLs


@functools.lru_cache(maxsize=4096)
def _segment(part: str) -> str:
    # Remembered: every GetJob spells its account, region, app, branch and job id again.
    # "." and ".." would be dot segments, which clients remove from a path ("%2E" too, for some):
    # spelt "~" plus as many dots, and "~" itself as "~~", which no client rewrites.
    quoted = quote(part, safe="")
    if quoted.startswith("~") or quoted.strip(".") == "":
        return "~" + quoted
    return quoted


def _unsegment(part: str) -> str:
    part = unquote(part)
    return part[1:] if part.startswith("~") else part


def _job_path(backend: AmplifyBackend, job: Job) -> str:
    branch = job.branch
    # A job id is decimal digits, which _segment leaves as they are: only the branch's part is
    # spelt (and remembered), so a GetJob of a job never read before spells nothing new.
    prefix = _branch_path(backend.account_id, backend.region_name, branch.app.app_id, branch.name)
    return f"{prefix}/{job.job_id}"


@functools.lru_cache(maxsize=1024)
def _branch_path(account_id: str, region: str, app_id: str, branch_name: str) -> str:
    return "/".join(_segment(part) for part in (account_id, region, app_id, branch_name))


def _amz_date(at: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(int(at)))


def _signature(path: str, date: str, expires: str, method: str = "PUT") -> str:
    # Over the decoded segments, as S3 signs the canonical path: clients differ in which
    # characters they escape (aiohttp sends %3D as "="), and both spellings must pass.
    canonical = "\n".join(unquote(part) for part in path.split("/"))
    return hmac.new(
        _SECRET, f"{method}\n{canonical}\n{date}\n{expires}".encode(), hashlib.sha256
    ).hexdigest()


def _presigned(path: str, now: float, method: str = "PUT", lifetime: int = EXPIRES) -> str:
    date, expires = _amz_date(now), str(lifetime)
    return (
        f"{origin()}{path}?X-Amz-Date={date}&X-Amz-Expires={expires}"
        f"&X-Amz-Signature={_signature(path, date, expires, method)}"
    )


def upload_urls(backend: AmplifyBackend, job: Job, file_names: Iterable[str]) -> Tuple[str, Dict[str, str]]:
    """CreateDeployment's ``zipUploadUrl`` and ``fileUploadUrls`` for ``job``."""
    now = _clock.now()
    base = UPLOADS + _job_path(backend, job)
    files = {name: _presigned(f"{base}/files/{_segment(name)}", now) for name in file_names}
    return _presigned(f"{base}/zip", now), files


def artifact_url(backend: AmplifyBackend, artifact_id: str) -> str:
    """GetArtifactUrl's presigned URL of an end-to-end test artifact."""
    parts = (backend.account_id, backend.region_name, artifact_id)
    path = TEST_ARTIFACTS + "/".join(_segment(part) for part in parts)
    return _presigned(path, _clock.now(), "GET", ARTIFACT_EXPIRES)


def artifacts_base(backend: AmplifyBackend, job: Job) -> str:
    """Where a job's steps' logs and artifacts are: ``{base}/{STEP}/log.txt`` and so on."""
    return origin() + ARTIFACTS + _job_path(backend, job)


# Serving them


Reply = Tuple[int, Dict[str, str], bytes]


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The WSGI application of content URLs: PUT uploads, GET logs and artifacts."""
    parts = urlsplit(raw_target(environ))
    method = environ.get("REQUEST_METHOD", "GET").upper()
    try:
        if parts.path.startswith(WEBHOOKS):
            target = f"{parts.path}?{parts.query}"
            status, headers, body = webhook_reply(method, target, _read_bounded(environ))
        elif parts.path.startswith(UPLOADS):
            if method == "PUT":
                status, headers, body = _put(environ, parts.path, dict(parse_qsl(parts.query)))
            else:
                # The URL is signed for a PUT: S3 computes another signature for any other method.
                status, headers, body = _signature_mismatch()
        elif parts.path.startswith(ARTIFACTS) and method in ("GET", "HEAD"):
            status, headers, body = _get(parts.path, environ.get("HTTP_RANGE"))
        elif parts.path.startswith(TEST_ARTIFACTS) and method in ("GET", "HEAD"):
            query = dict(parse_qsl(parts.query))
            status, headers, body = _get_artifact(parts.path, query, environ.get("HTTP_RANGE"))
        elif parts.path.startswith((ARTIFACTS, TEST_ARTIFACTS)):
            status, headers, body = _method_not_allowed(method)
        elif parts.path.startswith(ACCESS_LOGS):
            status, headers, body = _access_log(method, parts.path, dict(parse_qsl(parts.query)))
        else:
            status, headers, body = _no_such_key(parts.path)
        _drain(environ)
    except _Incomplete:
        status, headers, body = _s3_error(
            400, "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        )
        headers["Connection"] = "close"
    headers["Content-Length"] = str(len(body))
    if method == "HEAD":
        body = b""
    start_response(f"{status} {_REASONS.get(status, 'Error')}", list(headers.items()))
    return [body]


_REASONS = {
    200: "OK", 206: "Partial Content", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 411: "Length Required", 416: "Range Not Satisfiable",
    500: "Internal Server Error", 501: "Not Implemented",
}


class _Incomplete(Exception):
    """The client sent less than it announced, or broken chunked framing."""


def _s3_error(status: int, code: str, message: str, **extra: str) -> Reply:
    fields = "".join(f"<{key}>{escape(value)}</{key}>" for key, value in extra.items())
    request_id = hashlib.sha1(os.urandom(8)).hexdigest()[:16].upper()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>{fields}"
        f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
    ).encode()
    return status, {"Content-Type": "application/xml", "x-amz-request-id": request_id}, body


def _signature_mismatch() -> Reply:
    return _s3_error(
        403, "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
    )


def _method_not_allowed(method: str) -> Reply:
    return _s3_error(
        405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
        Method=method, ResourceType="OBJECT",
    )


def _no_such_key(path: str) -> Reply:
    return _s3_error(404, "NoSuchKey", "The specified key does not exist.", Key=path)


def _segments(path: str, prefix: str) -> List[str]:
    return [_unsegment(part) for part in path[len(prefix):].split("/")]


def _backend(account_id: str, region: str) -> Optional[AmplifyBackend]:
    regions = dict.get(amplify_backends, account_id)
    backend = dict.get(regions, region) if regions is not None else None
    return backend


@contextmanager
def _job_locked(parts: Sequence[str]) -> Iterator[Optional[Tuple[AmplifyBackend, Job]]]:
    """The backend and job a content path names (account, region, app, branch, job), under the
    backend's lock; None if any of them is gone."""
    account_id, region, app_id, branch_name, job_id = parts[:5]
    backend = _backend(account_id, region)
    if backend is None:
        yield None
        return
    with backend.lock:
        try:
            job = backend._job(backend.get_branch(app_id, branch_name), job_id)
        except AmplifyError:
            yield None
            return
        yield backend, job


def _refused(path: str, query: Mapping[str, str], method: str) -> Optional[Reply]:
    """S3's refusal of a presigned URL whose signature does not match or that has expired."""
    date, expires, signature = (query.get(k, "") for k in ("X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"))
    if not hmac.compare_digest(signature, _signature(path, date, expires, method)):
        return _signature_mismatch()
    return _expired(date, expires)


def _put(environ: WSGIEnvironment, path: str, query: Mapping[str, str]) -> Reply:
    refused = _refused(path, query, "PUT")
    if refused is not None:
        return refused
    parts = _segments(path, UPLOADS)
    if len(parts) == 6 and parts[5] == "zip":
        name: Optional[str] = None
    elif len(parts) == 7 and parts[5] == "files":
        name = parts[6]
    else:
        return _no_such_key(path)
    length = _content_length(environ)
    if "HTTP_TRANSFER_ENCODING" in environ:
        # S3 takes no Transfer-Encoding on a PUT, a presigned URL's included: 501 NotImplemented
        # naming the header, and the connection closed (the replies quoted in aws/aws-sdk-go#4944,
        # aws/aws-sdk-js#1237 and chilts/awssum#30). Node's fetch() sends a stream body chunked,
        # Go's net/http a body of unknown length, requests a generator: all fail against AWS.
        refused = _s3_error(
            501, "NotImplemented", "A header you provided implies functionality that is not implemented",
            Header="Transfer-Encoding",
        )
        refused[1]["Connection"] = "close"
        return refused
    # No length: nothing says where the body ends.
    if length is None:
        return _s3_error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
    expected_md5 = environ.get("HTTP_CONTENT_MD5")
    if expected_md5 is not None and not _valid_md5(expected_md5):
        return _s3_error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
    limit = settings.max_upload_size
    if length is not None and length > limit:
        return _too_large(length, limit)
    spooled = tempfile.SpooledTemporaryFile(max_size=_SPOOL)
    kept = False
    try:
        digest, size = _receive(environ, spooled, limit)
        if size > limit:
            return _too_large(size, limit)
        if expected_md5 is not None and base64.b64decode(expected_md5) != digest.digest():
            return _s3_error(
                400, "BadDigest", "The Content-MD5 you specified did not match what we received."
            )
        with _job_locked(parts) as found:
            if found is None:
                return _no_such_key(path)
            spooled.seek(0)
            found[1].store_upload(name, spooled)
            kept = True
        return 200, {"ETag": f'"{digest.hexdigest()}"'}, b""
    finally:
        if not kept:
            spooled.close()


def _expired(date: str, expires: str) -> Optional[Reply]:
    """S3's reply to a presigned URL (whose signature matched) used too late, else None."""
    issued = calendar.timegm(time.strptime(date, "%Y%m%dT%H%M%SZ"))
    now = _clock.now()
    if now > issued + int(expires):
        return _s3_error(
            403, "AccessDenied", "Request has expired", **{
                "X-Amz-Expires": expires,
                "Expires": _iso(issued + int(expires)),
                "ServerTime": _iso(now),
            },
        )
    return None


def _receive(environ: WSGIEnvironment, into: IO[bytes], limit: int) -> Tuple[Any, int]:
    """Copy the body into ``into`` in chunks; stop once past ``limit`` (the size says so)."""
    digest = hashlib.md5()
    size = 0
    stream = _input(environ)
    expected = _content_length(environ)
    try:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                # An engine whose input stream ends quietly at the client's EOF (cheroot's does)
                # hands over fewer bytes than announced instead of raising.
                if expected is not None and size < expected:
                    raise _Incomplete()
                return digest, size
            size += len(chunk)
            if size > limit:
                return digest, size
            digest.update(chunk)
            into.write(chunk)
    except (ClientDisconnected, OSError, ValueError) as error:
        raise _Incomplete() from error


def _valid_md5(value: str) -> bool:
    try:
        return len(base64.b64decode(value, validate=True)) == 16
    except (binascii.Error, ValueError):
        return False


def _too_large(size: int, limit: int) -> Reply:
    return _s3_error(
        400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
        ProposedSize=str(size), MaxSizeAllowed=str(limit),
    )


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(seconds)))


def _content_length(environ: WSGIEnvironment) -> Optional[int]:
    value = environ.get("CONTENT_LENGTH") or ""
    return int(value) if value.isdigit() else None


def _input(environ: WSGIEnvironment) -> IO[bytes]:
    # An empty stream when the request has neither a length nor chunked framing, so a read
    # never waits for a body that is not coming. One per request: a second wrapper would not
    # know what the first has read.
    stream = environ.get("amplify_mock.input")
    if stream is None:
        stream = environ["amplify_mock.input"] = get_input_stream(environ, safe_fallback=True)
    return stream


def _read_bounded(environ: WSGIEnvironment) -> bytes:
    """The request's body, up to a bound; the app drains the rest."""
    try:
        return bytes(_input(environ).read(_DRAIN))
    except (ClientDisconnected, OSError, ValueError):
        return b""


def _drain(environ: WSGIEnvironment) -> None:
    # Read (and drop) what the client is still sending, up to a bound, so that it sees the reply
    # instead of a connection reset.
    stream = _input(environ)
    left = _DRAIN
    try:
        while left > 0:
            chunk = stream.read(min(_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
    except (ClientDisconnected, OSError, ValueError):
        return


def _get(path: str, byte_range: Optional[str]) -> Reply:
    parts = _segments(path, ARTIFACTS)
    if len(parts) != 7 or parts[6] not in ("log.txt", "artifacts.zip", "config"):
        return _no_such_key(path)
    step_name, file_name = parts[5:]
    with _job_locked(parts) as found:
        if found is None:
            return _no_such_key(path)
        backend, job = found
        now = backend._now()
        step = next((s for s in job.view(now, counted=False).steps if s.name == step_name), None)
        if step is None:
            return _no_such_key(path)  # not started yet: nothing written
        if file_name == "log.txt":
            stopped = job.timeline.stopped_at if job.timeline is not None else None
            text = _buildlog.step_log(step, now, _facts(job), stopped)
            return _ranged(text.encode(), "text/plain; charset=utf-8", byte_range)
        if step.name == TEST:
            return _test_download(backend, job, step, file_name, path, byte_range)
        if file_name != "artifacts.zip" or step.name != BUILD or step.status != SUCCEED:
            return _no_such_key(path)  # a build's artifacts exist once it has succeeded
        branch = job.branch
        files = _buildlog.built_site(str(branch.app.settings.get("name", "")), branch.name, job.commit_id)
        return _ranged(_buildlog.artifacts_zip(files, step.end), "application/zip", byte_range)


def _test_download(
    backend: AmplifyBackend,
    job: Job,
    step: StepView,
    file_name: str,
    path: str,
    byte_range: Optional[str],
) -> Reply:
    """The TEST step's ``testArtifactsUrl`` (a zip of its artifacts and report) or
    ``testConfigUrl`` (the report), once the step has run."""
    entry = backend.artifacts.get(_artifacts.job_key(job))
    if entry is None or step.status not in _artifacts.RAN:
        return _no_such_key(path)
    report = _test_report(job, entry, step)
    if file_name == "config":
        return _ranged(report, _content_type(entry.config.report_name), byte_range)
    files = {name: entry.content(name) or b"" for name in entry.names()}
    files[entry.config.report_name] = report
    return _ranged(_buildlog.artifacts_zip(files, step.end), "application/zip", byte_range)


def _test_report(job: Job, entry: _artifacts.JobArtifacts, step: StepView) -> bytes:
    if entry.report is not None:
        return bytes(entry.report)
    branch = job.branch
    return _artifacts.report(step, str(branch.app.settings.get("name", "")), branch.name)


def _get_artifact(path: str, query: Mapping[str, str], byte_range: Optional[str]) -> Reply:
    """A GetArtifactUrl URL: the artifact's bytes while the URL is valid and the artifact exists."""
    refused = _refused(path, query, "GET")
    if refused is not None:
        return refused
    parts = _segments(path, TEST_ARTIFACTS)
    if len(parts) != 3:
        return _no_such_key(path)
    backend = _backend(parts[0], parts[1])
    if backend is None:
        return _no_such_key(path)
    with backend.lock:
        try:
            _, entry, name = backend.get_artifact(parts[2])
        except AmplifyError:
            return _no_such_key(path)  # deleted with its job, branch or app, or reset
        content = entry.content(name)
    if content is None:
        return _no_such_key(path)
    return _ranged(content, _content_type(name), byte_range)


def _content_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "mp4": "video/mp4",
        "json": "application/json", "html": "text/html", "txt": "text/plain",
    }.get(extension, "application/octet-stream")


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _ranged(content: bytes, content_type: str, byte_range: Optional[str]) -> Reply:
    """The object, or the one byte range asked for, as S3 answers a GET (a poller that tails a
    growing log asks for ``bytes=N-``)."""
    headers = {"Content-Type": content_type, "Accept-Ranges": "bytes"}
    match = _RANGE.match(byte_range.strip()) if byte_range else None
    if match is None or match.groups() == ("", ""):
        return 200, headers, content  # no range, or one S3 ignores
    size = len(content)
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or (first != "" and last != "" and int(last) < start) or size == 0:
        return _s3_error(
            416, "InvalidRange", "The requested range is not satisfiable",
            RangeRequested=byte_range or "", ActualObjectSize=str(size),
        )
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return 206, headers, content[start:end + 1]


def _facts(job: Job) -> Dict[str, str]:
    branch = job.branch
    app = branch.app
    domain = f"{branch.settings.get('displayName') or branch.name}.{app.app_id}.amplifyapp.com"
    return {
        "repository": app.repository,
        "commit": job.commit_id,
        "app": app.app_id,
        "domain": domain,
        "source": job.source_url or job.describe_upload(),
    }


# Access logs


def access_log_url(backend: AmplifyBackend, app_id: str, domain: str, start: float, end: float) -> str:
    """GenerateAccessLogs' ``logUrl``: the CSV of ``domain``'s rows in [start, end]."""
    path = _access_logs.log_path(backend.account_id, backend.region_name, app_id, domain, start, end)
    return _access_logs.presigned(origin(), path, _clock.now())


def _access_log(method: str, path: str, query: Mapping[str, str]) -> Reply:
    date, expires, signature = (query.get(k, "") for k in ("X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"))
    if method not in ("GET", "HEAD") or not hmac.compare_digest(
        signature, _access_logs.signature(path, date, expires)
    ):
        # Signed for a GET: S3 computes another signature for any other method, or an edited URL.
        return _signature_mismatch()
    expired = _expired(date, expires)
    if expired is not None:
        return expired
    where = _access_logs.parse_path(path)
    if where is None:
        return _no_such_key(path)
    account_id, region, app_id, domain, start, end = where
    backend = _backend(account_id, region)
    if backend is None:
        return _no_such_key(path)
    with backend.lock:
        # The rows are read now; a domain (or app) deleted since takes its logs with it.
        if app_id not in backend.apps or not backend.domains.has(app_id, domain):
            return _no_such_key(path)
        rows = backend.access_logs.between(app_id, domain, start, end)
    return 200, {"Content-Type": "text/csv"}, _access_logs.csv(rows)


# Webhooks

# webhooks.amplify.{region}.{AWS domain}: the region the webhook must live in.
_WEBHOOK_HOST = re.compile(r"^webhooks\.amplify\.([a-z0-9-]+)\.", re.IGNORECASE)


def is_webhook_url(url: str) -> bool:
    """Whether ``url`` is on AWS's webhook host (``webhooks.amplify.{region}.amazonaws.com``)."""
    return url.partition("//")[2][:17].lower() == "webhooks.amplify."


def webhook_reply(method: str, url: str, body: bytes) -> Reply:
    """What AWS's webhook endpoint answers; a POST with a webhook's id and token queues a
    WEB_HOOK build of its branch. ``url`` is absolute (AWS's host) or a path (the mock's own)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.path.rstrip("/") != WEBHOOKS or method != "POST":
        # API Gateway's answer to a method or path its stage does not define.
        return _gateway_error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    operation = query.get("operation", _webhooks.OPERATION)
    if operation != _webhooks.OPERATION:
        return _gateway_error(
            400, "BadRequestException",
            f"Unsupported operation {operation!r}; a webhook URL takes operation=startbuild.",
        )
    host = _WEBHOOK_HOST.match(parts.hostname or "")
    region = host.group(1).lower() if host else None
    webhook_id, token = query.get("id", ""), query.get("token", "")
    # The state lock over the whole search: a reset meanwhile cannot leave a build half made.
    with STATE_LOCK:
        for backend in _backends(region):
            if backend.webhooks.find(webhook_id) is None:
                continue
            try:
                backend.webhook_build(webhook_id, token)
            except AmplifyError:
                break
            except Exception:  # noqa: BLE001 - a mock must answer, never raise into the client
                return _gateway_error(500, "InternalServerErrorException", "Internal server error")
            return _queued(body)
    # A wrong token and an unknown id get the same answer, as an authorizer gives it: which
    # webhook ids exist is not told to whoever holds no token.
    return _gateway_error(401, "UnauthorizedException", "Unauthorized")


def _backends(region: Optional[str]) -> List[AmplifyBackend]:
    found = []
    for account_id in list(dict.keys(amplify_backends)):
        regions = dict.get(amplify_backends, account_id)
        for name, backend in list(dict.items(regions)) if regions is not None else ():
            if region is None or name == region:
                found.append(backend)
    return found


def _gateway_error(status: int, error_type: str, message: str) -> Reply:
    request_id = str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "x-amzn-ErrorType": error_type,
        "x-amzn-RequestId": request_id,
    }
    return status, headers, json.dumps({"message": message}).encode()


def _queued(body: bytes) -> Reply:
    # AWS's webhook endpoint hands the request to an SQS queue and answers with SQS's
    # SendMessage reply ({"SendMessageResponse":{"ResponseMetadata":{"RequestId":...}}},
    # aws-amplify/amplify-hosting#145), in the shape API Gateway's SQS integration returns it.
    request_id = str(uuid.uuid4())
    reply = {
        "SendMessageResponse": {
            "ResponseMetadata": {"RequestId": request_id},
            "SendMessageResult": {
                "MD5OfMessageAttributes": None,
                "MD5OfMessageBody": hashlib.md5(body).hexdigest(),
                "MD5OfMessageSystemAttributes": None,
                "MessageId": str(uuid.uuid4()),
                "SequenceNumber": None,
            },
        }
    }
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id}
    return 200, headers, json.dumps(reply).encode()
