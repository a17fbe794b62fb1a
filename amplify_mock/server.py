"""``amplify-mock serve``: the mock over HTTP, for the AWS CLI and every other language's SDK.

The server answers the Amplify API from the same in-memory ``amplify_backends`` the in-process
mock uses, and exposes moto-style control endpoints under ``/_amplify_mock/``. It does not patch
botocore: clients reach it through ``endpoint_url``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import dataclasses
import hashlib
import ipaddress
import json
import signal
import sys
import threading
from http import HTTPStatus
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Tuple,
)
from urllib.parse import parse_qsl, urlsplit

from cheroot.errors import MaxSizeExceeded

from . import _access_log_controls, _clock, _content, _domain_controls
from ._control_input import only, text, where
from ._dispatch import handle, new_request_id
from ._http import WSGIServer, raw_target
from ._lifecycle import Durations, Outcome
from ._mock import AmplifyJobs
from .artifacts import artifact_id, job_key
from .exceptions import AmplifyError, BadRequestException, InternalFailureException
from .models import STATE_LOCK, LockedBackend, reset_state

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["AmplifyMockServer", "main", "wsgi_app"]

CONTROL_PREFIX = "/_amplify_mock/"
_JSON = {"Content-Type": "application/json"}
_DURATION_FIELDS = tuple(field.name for field in dataclasses.fields(Durations))


class _BadInput(Exception):
    """Control input the server refuses with 400."""


def wsgi_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The mock as a WSGI application (API, deployment uploads and control endpoints).

    It answers no CORS preflight: :class:`AmplifyMockServer` adds that for browsers."""
    return _respond(environ, start_response, cors=False)


def _cors_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    return _respond(environ, start_response, cors=True)


# CORS, so that the JavaScript SDK in a browser page can call the server: the preflight asks
# whether the page's origin may send the method and the SDK's headers (authorization,
# x-amz-date, x-amz-user-agent, amz-sdk-*, content-type, ...), and the reply must expose the
# headers the SDK reads back (the request id, and the error type it builds its exceptions from).
_CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
_CORS_EXPOSE = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, x-amz-request-id, Date, ETag"


_CORS_ALWAYS = [("Access-Control-Expose-Headers", _CORS_EXPOSE), ("Vary", "Origin")]


def _cors_headers(environ: WSGIEnvironment) -> List[Tuple[str, str]]:
    headers = [("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN") or "*"), *_CORS_ALWAYS]
    if environ["REQUEST_METHOD"] == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
        asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
        headers += [
            ("Access-Control-Allow-Methods", _CORS_METHODS),
            # Whatever the page asks to send: the mock reads no header a page could abuse.
            ("Access-Control-Allow-Headers", asked or "*"),
            ("Access-Control-Max-Age", "600"),
        ]
    return headers


def _respond(environ: WSGIEnvironment, start_response: StartResponse, *, cors: bool) -> Iterable[bytes]:
    method = environ["REQUEST_METHOD"]
    preflight = cors and method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
    target = raw_target(environ)
    path = target.partition("#")[0].partition("?")[0]  # urlsplit's path, for less
    if not preflight and path.startswith(_content.PREFIXES):
        # Uploads stream; logs and artifacts are S3's, not the API's, replies.
        if not cors:
            return _content.app(environ, start_response)

        def with_cors(status: str, headers: Any, exc_info: Any = None) -> Any:
            return start_response(status, list(headers) + _cors_headers(environ), exc_info)

        return _content.app(environ, with_cors)
    try:
        if preflight:
            status, response_headers, payload = 204, dict[str, str](), b""
        else:
            status, response_headers, payload = _answer(environ, method, target, path)
    except Exception as error:  # noqa: BLE001 - a server answers in the API's shape, never HTML
        status, response_headers, payload = InternalFailureException(
            f"amplify_mock failed on this request ({type(error).__name__}: {error})."
        ).to_response()
    headers = list(response_headers.items())
    if not any(key.lower() == "x-amzn-requestid" for key, _ in headers):
        headers.append(("x-amzn-RequestId", new_request_id()))
    if cors:
        headers += _cors_headers(environ)
    if method == "HEAD":
        payload = b""
    headers.append(("Content-Length", str(len(payload))))
    start_response(_STATUS_LINES.get(status) or f"{status} ", headers)
    return [payload]


_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class _Malformed(Exception):
    """A request whose body cannot be read as its headers announce: answered with 400, and the
    connection closed, since where the next request would start is unknown."""


# The largest API or control request body, read into memory whole (the largest real one, a
# CreateApp with its build spec and environment variables, is tens of kilobytes).
MAX_API_BODY_BYTES = 16 * 1024**2


def _read_body(environ: WSGIEnvironment) -> bytes:
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH") or ""
    try:
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = bytes(stream.read(MAX_API_BODY_BYTES + 1))
            if len(body) > MAX_API_BODY_BYTES:
                raise MaxSizeExceeded()
            return body
        if not length:
            return b""
        expected = int(length)
        if expected > MAX_API_BODY_BYTES:
            raise MaxSizeExceeded()
        body = bytes(stream.read(expected))
    except MaxSizeExceeded:
        raise
    except Exception as error:  # noqa: BLE001 - whatever the engine raises on a broken body
        raise _Malformed(
            f"The request body could not be read ({type(error).__name__}: {error}); "
            "it is not valid chunked transfer encoding, or the connection broke."
        ) from None
    if len(body) < expected:
        raise _Malformed(
            f"The request body ended after {len(body)} of the {expected} bytes its "
            "Content-Length announced."
        )
    return body


def _answer(
    environ: WSGIEnvironment, method: str, target: str, path: str
) -> Tuple[int, Dict[str, str], bytes]:
    try:
        if environ.get("CONTENT_LENGTH") or "HTTP_TRANSFER_ENCODING" in environ:
            body = _read_body(environ)
        else:
            body = b""  # a GET, as most calls are
    except _Malformed as error:
        status, headers, payload = BadRequestException(str(error)).to_response()
        headers["Connection"] = "close"
        return status, headers, payload
    except MaxSizeExceeded:
        status, headers, payload = _error(
            413, f"The request body is larger than an API call takes ({MAX_API_BODY_BYTES} bytes)."
        )
        # Nothing public shows what Amplify answers to a body this large. The reply names the
        # error as AWS's services name a 413 (Lambda's RequestEntityTooLargeException), so that
        # an SDK raises it by name: without the header the JavaScript SDK calls it "Unknown",
        # botocore "413".
        headers["x-amzn-ErrorType"] = "RequestEntityTooLargeException"
        # Sent before the body is read; the engine then reads and drops what the client still
        # sends, before it closes (see _http.LINGER_BYTES).
        headers["Connection"] = "close"
        return status, headers, payload
    if path == "/moto-api/reset" or path.startswith(CONTROL_PREFIX):
        return _control(method, path, dict(parse_qsl(urlsplit(target).query)), body)
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    origin = f"{environ.get('wsgi.url_scheme', 'http')}://{host}"
    token = _content.origin_var.set(origin)
    try:
        return handle(method, origin + target, _request_headers(environ), body)
    finally:
        _content.origin_var.reset(token)


# Environ keys as header names ("" for keys that are no header), translated once per name.
_HEADER_NAMES: Dict[str, str] = {}
_HEADER_NAMES_MAX = 512


def _request_headers(environ: WSGIEnvironment) -> Dict[str, str]:
    names = _HEADER_NAMES
    headers = {}
    for key, value in environ.items():
        name = names.get(key)
        if name is None:
            name = key[5:].replace("_", "-").lower() if key.startswith("HTTP_") else ""
            if len(names) < _HEADER_NAMES_MAX:  # header names are the client's: bounded
                names[key] = name
        if name:
            headers[name] = value
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


# Control endpoints


def _control(
    method: str, path: str, args: Mapping[str, str], body: bytes
) -> Tuple[int, Dict[str, str], bytes]:
    name = "reset" if path == "/moto-api/reset" else path[len(CONTROL_PREFIX):].rstrip("/")
    endpoint = _ENDPOINTS.get(name)
    if endpoint is None:
        return _error(404, f"No control endpoint at {path}; there are {_endpoint_list()}.")
    handlers = endpoint
    method = method.upper()
    if method not in handlers:
        return _error(
            405, f"{path} accepts {' and '.join(sorted(handlers))}, not {method}."
        )
    try:
        data = _json_object(body) if method == "POST" else dict(args)
        result = handlers[method](data)
    except _BadInput as error:
        return _error(400, str(error))
    except (TypeError, ValueError) as error:
        return _error(400, str(error))
    except AmplifyError as error:
        return error.to_response()
    return 200, dict(_JSON), json.dumps(result).encode()


def _error(status: int, message: str) -> Tuple[int, Dict[str, str], bytes]:
    return status, dict(_JSON), json.dumps({"message": message}).encode()


def _json_object(body: bytes) -> Dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _BadInput("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise _BadInput("The request body must be a JSON object.")
    return data


def _backend(where: Tuple[str, str]) -> LockedBackend:
    """``with _backend(where) as backend``: the backend, with the state lock held."""
    region, account_id = where
    try:
        return LockedBackend(account_id, region)
    except KeyError:
        raise _BadInput(f"Amplify is not available in region {region!r}.") from None


def _fresh_state() -> None:
    reset_state()  # the clock offset included: the server's clock is part of its state


def _reset(_: Mapping[str, Any]) -> Dict[str, Any]:
    _fresh_state()
    return {"status": "ok"}


_BRANCH_KEYS = ("appId", "branchName", "region", "accountId")


def _durations_get(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, _BRANCH_KEYS)
    if "appId" in data or "branchName" in data:
        region, account_id = where(data)
        _backend((region, account_id))  # an unknown region is bad input, not a missing branch
        durations = _controller.branch_durations(
            text(data, "appId"), text(data, "branchName"), region=region, account_id=account_id
        )
    else:
        durations = _controller.durations
    return dataclasses.asdict(durations)


def _durations_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, _DURATION_FIELDS + _BRANCH_KEYS)
    given = {key: data[key] for key in _DURATION_FIELDS if key in data}
    for key, value in given.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _BadInput(f"{key} must be a number of seconds, got {value!r}.")
    if "appId" in data or "branchName" in data:
        app_id, branch_name = text(data, "appId"), text(data, "branchName")
        region, account_id = where(data)
        with _backend((region, account_id)):
            current = _controller.branch_durations(
                app_id, branch_name, region=region, account_id=account_id
            )
            durations = _controller.branch_durations(
                app_id, branch_name, dataclasses.replace(current, **given),
                region=region, account_id=account_id,
            )
    else:
        if any(key in data for key in ("region", "accountId")):
            raise _BadInput("region and accountId go with appId and branchName.")
        with STATE_LOCK:  # read, change and write back, with no other change in between
            _controller.durations = dataclasses.replace(_controller.durations, **given)
            durations = _controller.durations
    return dataclasses.asdict(durations)


def _outcome(item: Any) -> Outcome:
    if not isinstance(item, dict):
        raise _BadInput(f"Each outcome must be a JSON object, got {item!r}.")
    only(item, ("kind", "step", "reason"))
    kind = item.get("kind", "SUCCEED")
    step, reason = item.get("step"), item.get("reason")
    if kind == "FAIL" and reason is None and isinstance(step, str):
        return Outcome.fail(step)
    return Outcome(kind, step, reason)


def _outcome_dict(outcome: Outcome) -> Dict[str, Any]:
    return {key: value for key, value in dataclasses.asdict(outcome).items() if value is not None}


def _script_get(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, _BRANCH_KEYS)
    with _backend(where(data)) as backend:
        branch = backend.get_branch(text(data, "appId"), text(data, "branchName"))
        return {"outcomes": [_outcome_dict(o) for o in branch.jobs.outcomes]}


def _script_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, ("outcomes",) + _BRANCH_KEYS)
    items = data.get("outcomes")
    if not isinstance(items, list):
        raise _BadInput("outcomes must be a list of {kind, step, reason} objects.")
    outcomes = [_outcome(item) for item in items]
    app_id, branch_name = text(data, "appId"), text(data, "branchName")
    region, account_id = where(data)
    with _backend((region, account_id)):
        _controller.script(app_id, branch_name, *outcomes, region=region, account_id=account_id)
        return _script_get({key: value for key, value in data.items() if key != "outcomes"})


def _deployment_get(data: Mapping[str, Any]) -> Dict[str, Any]:
    """What was uploaded for a manual deployment, for clients that cannot hold the controller."""
    only(data, ("jobId",) + _BRANCH_KEYS)
    region, account_id = where(data)
    _backend((region, account_id))
    deployed = _controller.deployment(
        text(data, "appId"), text(data, "branchName"), text(data, "jobId"),
        region=region, account_id=account_id,
    )
    return {
        "zip": None if deployed.zip is None else _blob(deployed.zip),
        "files": {name: _blob(content) for name, content in sorted(deployed.files.items())},
    }


def _artifacts_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    """The controller's set_artifacts: ``files`` maps names to base64 content, ``report`` (base64)
    is optional; answers the job's artifacts as ListArtifacts lists them once TEST has run."""
    only(data, ("jobId", "files", "report") + _BRANCH_KEYS)
    files = data.get("files")
    if not isinstance(files, dict):
        raise _BadInput("files must be a JSON object of file name to base64 content.")
    decoded = {name: _base64(value, f"files[{name!r}]") for name, value in files.items()}
    report = data.get("report")
    app_id, branch_name, job_id = text(data, "appId"), text(data, "branchName"), text(data, "jobId")
    region, account_id = where(data)
    with _backend((region, account_id)) as backend:
        _controller.set_artifacts(
            app_id, branch_name, job_id, decoded,
            report=None if report is None else _base64(report, "report"),
            region=region, account_id=account_id,
        )
        job = backend._job(backend.get_branch(app_id, branch_name), job_id)
        entry = backend.artifacts.get(job_key(job))
        assert entry is not None  # set_artifacts refuses a job without one
        listed = [(name, artifact_id(entry.serial, name)) for name in entry.names()]
    return {"artifacts": [{"artifactFileName": name, "artifactId": id_} for name, id_ in listed]}


def _base64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise _BadInput(f"{what} must be a base64 string.")
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise _BadInput(f"{what} is not valid base64.") from None


def _blob(content: bytes) -> Dict[str, Any]:
    return {
        "size": len(content),
        "md5": hashlib.md5(content).hexdigest(),
        "base64": base64.b64encode(content).decode(),
    }


def _max_get(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, ())
    return {"maxConcurrentJobs": _controller.max_concurrent_jobs}


def _max_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, ("maxConcurrentJobs",))
    if "maxConcurrentJobs" not in data:
        raise _BadInput("maxConcurrentJobs is required.")
    _controller.max_concurrent_jobs = data["maxConcurrentJobs"]
    return _max_get({})


def _upload_get(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, ())
    return {"maxUploadSize": _controller.max_upload_size}


def _upload_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, ("maxUploadSize",))
    if "maxUploadSize" not in data:
        raise _BadInput("maxUploadSize is required.")
    _controller.max_upload_size = data["maxUploadSize"]
    return _upload_get({})


def _clock_get(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, ())
    return {"offset": _clock.offset(), "now": _clock.now()}


def _clock_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, ("offset", "advance"))
    if len(data) != 1:
        raise _BadInput('Send exactly one of {"offset": seconds} or {"advance": seconds}.')
    if "offset" in data:
        _clock.set_offset(data["offset"])
    else:
        _clock.advance(data["advance"])
    return _clock_get({})


def _optional_text(data: Mapping[str, Any], key: str, default: Optional[str]) -> Optional[str]:
    value = data.get(key, default)
    if value is not None and not isinstance(value, str):
        raise _BadInput(f"{key} must be a string.")
    return value


def _push_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    """A push to the app's repository, as the controller's push() makes it."""
    only(data, ("commitId", "commitMessage") + _BRANCH_KEYS)
    app_id, branch_name = text(data, "appId"), text(data, "branchName")
    commit_id = _optional_text(data, "commitId", None) or None
    commit_message = _optional_text(data, "commitMessage", "") or ""
    with _backend(where(data)) as backend:
        job, created = backend.push(app_id, branch_name, commit_id, commit_message)
        return {"jobId": None if job is None else str(job.job_id), "branchCreated": created}


def _delete_remote_branch_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, _BRANCH_KEYS)
    app_id, branch_name = text(data, "appId"), text(data, "branchName")
    with _backend(where(data)) as backend:
        return {"branchDeleted": backend.delete_remote_branch(app_id, branch_name)}


_Handler = Callable[[Mapping[str, Any]], Dict[str, Any]]
_ENDPOINTS: Dict[str, Dict[str, _Handler]] = {
    "reset": {"POST": _reset},
    "durations": {"GET": _durations_get, "POST": _durations_post},
    "script": {"GET": _script_get, "POST": _script_post},
    "deployment": {"GET": _deployment_get},
    "artifacts": {"POST": _artifacts_post},
    "max-upload-size": {"GET": _upload_get, "POST": _upload_post},
    "max-concurrent-jobs": {"GET": _max_get, "POST": _max_post},
    "clock": {"GET": _clock_get, "POST": _clock_post},
    "domain-settings": {"GET": _domain_controls.settings_get, "POST": _domain_controls.settings_post},
    "domain-script": {"GET": _domain_controls.script_get, "POST": _domain_controls.script_post},
    "push": {"POST": _push_post},
    "delete-remote-branch": {"POST": _delete_remote_branch_post},
    "access-logs": {"GET": _access_log_controls.rows_get, "POST": _access_log_controls.rows_post},
}
_controller = AmplifyJobs()


def _endpoint_list() -> str:
    return ", ".join(CONTROL_PREFIX + name for name in _ENDPOINTS)


# The server


class AmplifyMockServer:
    """The mock's HTTP server: ``start()`` serves from a background thread, ``stop()`` ends it.

    ``port=0`` picks a free port; read it back from :attr:`port` or :attr:`url`. Starting forgets
    every app, branch and job and restores the default settings. ``cors`` answers browsers'
    CORS preflights and adds the CORS headers to every reply; by default it is on for a loopback
    ``host`` and off otherwise.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5000,
        *,
        verbose: bool = False,
        cors: Optional[bool] = None,
    ) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an int in 0..65535 (0 picks a free port), got {port!r}")
        self.host = host
        self.requested_port = port
        self.verbose = verbose
        # A page in a browser may call a server on the same machine; one reachable from other
        # machines answers browsers only if asked to.
        self.cors = _is_loopback(host) if cors is None else cors
        self._http = WSGIServer(_cors_app if self.cors else wsgi_app, host, port, verbose=verbose)

    def bind(self) -> None:
        """Listen on the address (clients may connect from here on) without serving yet."""
        if not self._http.bound:
            _fresh_state()
            self._http.bind()

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def url(self) -> str:
        host = self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`shutdown` (or Ctrl+C)."""
        self.bind()
        self._http.serve_forever()

    def start(self) -> AmplifyMockServer:
        """Serve from a daemon thread; returns once clients can connect."""
        self.bind()
        self._http.start()
        return self

    def shutdown(self) -> None:
        """Ask a serving loop to end; it closes the socket. Safe from any thread but the loop's."""
        self._http.shutdown()

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice or before start."""
        self._http.stop()

    def __enter__(self) -> AmplifyMockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port: give an integer in 0..65535 (0 picks a free one)"
        )
    return port


def main(argv: Optional[List[str]] = None) -> int:
    """``amplify-mock serve [--host 127.0.0.1] [--port 5000] [--verbose]``."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "serve")  # the only command, so it may be left out
    parser = argparse.ArgumentParser(
        prog="amplify-mock", description="Serve the AWS Amplify mock over HTTP."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the Amplify API and control endpoints")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=_port,
        default=5000,
        help="port to listen on, 0..65535; 0 picks a free one (default: 5000)",
    )
    serve.add_argument("-v", "--verbose", action="store_true", help="log every request")
    serve.add_argument(
        "--cors",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="answer browsers' CORS preflights and add CORS headers (default: on for a loopback host)",
    )
    args = parser.parse_args(args_list)

    server = AmplifyMockServer(args.host, args.port, verbose=args.verbose, cors=args.cors)
    try:
        server.bind()
    except OSError as error:  # the port is taken, the address is not this machine's, ...
        reason = error.strerror or str(error)
        print(f"amplify-mock: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1

    def _stop(signum: int, frame: Any) -> None:
        # shutdown() waits for the serving loop, which runs in this very thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if not _is_loopback(args.host):
            print(
                f"amplify-mock: listening on {args.host}: anyone who can reach it can read and "
                "reset the mock's state.",
                file=sys.stderr,
            )
        print(
            f"amplify-mock: serving AWS Amplify on {server.url} (Ctrl+C to stop)",
            file=sys.stderr,
            flush=True,
        )
        server.serve_forever()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("amplify-mock: stopped", file=sys.stderr, flush=True)
    return 0
