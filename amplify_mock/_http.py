"""The HTTP engine behind both the server (``amplify-mock serve``) and the in-process loopback
listener that serves content URLs: one WSGI application, served from a thread or the caller's.

The engine is cheroot (CherryPy's HTTP server), chosen by measurement against waitress and
werkzeug's development server (``benchmarks/server_bench.py``): HTTP/1.1 keep-alive, a worker
pool fed by a selector that parks idle keep-alive connections without holding a thread, limits
on header and body sizes, and a graceful stop. werkzeug's development server, used before,
closed every connection after one request and took a thread per connection.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Iterable, List, Optional
from urllib.parse import quote, urlsplit

from cheroot import wsgi

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Limits on what one request may send; beyond them cheroot answers 413 or 414 and never hands
# the request to the application. A deployment upload is the largest body a client sends here:
# S3 takes up to 5 GiB in one PUT, and the content URLs stream it to a spooled file (their own
# limit, max-upload-size, refuses larger ones as S3 does). API calls have a smaller limit of
# their own, as their bodies are read into memory.
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 5 * 1024**3 + 1024**2
# Worker threads (each serves one request at a time); idle keep-alive connections wait in the
# selector without one, up to KEEP_ALIVE_CONNECTIONS of them.
THREADS = 16
KEEP_ALIVE_CONNECTIONS = 1024
# How long a connection may sit silent mid-request, and how long stop() waits for requests
# in progress to finish before the workers are abandoned (they are daemon threads).
IDLE_TIMEOUT = 30
SHUTDOWN_TIMEOUT = 5


def raw_target(environ: WSGIEnvironment) -> str:
    """The request's path and query exactly as sent: ``%2F`` in a branch name stays ``%2F``."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        # WSGI hands text over as latin-1 of the bytes received.
        raw = raw.encode("latin-1").decode("utf-8", "replace")
        if not raw.startswith("/"):
            parts = urlsplit(raw)  # absolute-form request target
            raw = parts.path + ("?" + parts.query if parts.query else "")
        return raw or "/"
    # Another WSGI server without the raw target: PATH_INFO is decoded, so re-encode it.
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    query = environ.get("QUERY_STRING", "")
    return quote(path or "/", safe="/:@!$&'()*+,;=-._~") + ("?" + query if query else "")


class _Server(wsgi.Server):
    def error_log(self, msg: str = "", level: int = 20, traceback: bool = False) -> None:
        # cheroot reports a client that went away mid-request, or sent garbage before any
        # request line, as an error with a traceback: for a mock those are the client's
        # business, not the operator's. (The application answers every request it is handed.)
        pass


class _Gateway(wsgi.Gateway_10):
    def start_response(self, status: str, headers: Any, exc_info: Any = None) -> Any:
        # An application that answers "Connection: close" (a request whose body could not be
        # read: where the next request starts is unknown) gets the connection closed. cheroot
        # would otherwise keep it open and read the rest of the broken body as a new request.
        if any(k.lower() == "connection" and v.lower() == "close" for k, v in headers):
            self.req.close_connection = True
        return super().start_response(status, headers, exc_info)


class WSGIServer:
    """Serves ``app`` on ``host``:``port`` (0 picks a free port) until stopped."""

    def __init__(
        self,
        app: WSGIApplication,
        host: str,
        port: int,
        *,
        verbose: bool = False,
        name: str = "amplify-mock-server",
    ) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.verbose = verbose
        self.name = name
        self._server: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def bound(self) -> bool:
        return self._server is not None

    def bind(self) -> None:
        """Listen on the address (clients may connect from here on) without serving yet."""
        if self._server is not None:
            return
        app = _logged(self.app) if self.verbose else self.app
        server = _Server(
            (self.host, self.requested_port),
            app,
            numthreads=THREADS,
            server_name="amplify-mock",
            request_queue_size=128,
            timeout=IDLE_TIMEOUT,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
        )
        server.gateway = _Gateway
        server.max_request_header_size = MAX_HEADER_BYTES
        server.max_request_body_size = MAX_BODY_BYTES
        server.keep_alive_conn_limit = KEEP_ALIVE_CONNECTIONS
        # prepare() binds, listens and starts the workers. A thread is a daemon if the thread
        # that made it is, so preparing from a daemon thread makes daemon workers: a server
        # never stopped (or a request stuck in a worker) does not keep the process from exiting.
        failure: List[BaseException] = []

        def prepare() -> None:
            try:
                server.prepare()
            except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
                failure.append(error)

        preparing = threading.Thread(target=prepare, name=f"{self.name}-prepare", daemon=True)
        preparing.start()
        preparing.join()
        if failure:
            raise failure[0]
        self._server = server

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not bound; call start() or bind() first")
        return int(self._server.bind_addr[1])

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`shutdown`."""
        self.bind()
        server: Any = self._server
        assert server is not None
        # cheroot's own serve() loop, less the thread it starts for connections refused when the
        # request queue is full: that thread is not a daemon, so a server left unstopped would
        # keep the process from exiting, and the queue here is unbounded anyway.
        while server.ready and not server.interrupt:
            try:
                server._connections.run(server.expiration_interval)
            except Exception:  # noqa: BLE001 - one bad connection must not end the serving loop
                continue

    def start(self) -> None:
        """Serve from a daemon thread; returns once clients can connect."""
        if self._thread is None:
            self.bind()
            self._thread = threading.Thread(target=self.serve_forever, name=self.name, daemon=True)
            self._thread.start()

    def shutdown(self) -> None:
        """Stop serving: the serving loop returns, requests in progress finish (for up to
        SHUTDOWN_TIMEOUT seconds) and the socket is closed. Safe from any thread."""
        server = self._server
        if server is not None:
            server.stop()

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice or before start."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.stop()
        if thread is not None:
            thread.join(timeout=SHUTDOWN_TIMEOUT + 1)


def _logged(app: WSGIApplication) -> WSGIApplication:
    """``app``, logging one line per request to stderr (``amplify-mock serve -v``)."""

    def logged(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        status: List[str] = []

        def recording(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, exc_info)

        body = app(environ, recording)
        target = environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
        stamp = time.strftime("%d/%b/%Y %H:%M:%S")
        print(
            f'{environ.get("REMOTE_ADDR", "-")} - - [{stamp}] '
            f'"{environ.get("REQUEST_METHOD")} {target} {environ.get("SERVER_PROTOCOL")}" '
            f"{status[0] if status else '-'}",
            file=sys.stderr,
            flush=True,
        )
        return body

    return logged
