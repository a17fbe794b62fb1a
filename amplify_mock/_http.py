"""The HTTP engine behind both the server (``amplify-mock serve``) and the in-process loopback
listener that serves content URLs: one WSGI application, served from a thread or the caller's."""

from __future__ import annotations

import socket
import threading
from typing import TYPE_CHECKING, Optional, Union
from urllib.parse import quote, urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment


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


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: Union[int, str] = "-", size: Union[int, str] = "-") -> None:
        pass


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
        self._server: Optional[BaseWSGIServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def bound(self) -> bool:
        return self._server is not None

    def bind(self) -> None:
        """Listen on the address (clients may connect from here on) without serving yet."""
        if self._server is not None:
            return
        handler = WSGIRequestHandler if self.verbose else _QuietHandler
        self._server = make_server(
            self.host, self.requested_port, self.app, threaded=True, request_handler=handler
        )

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not bound; call start() or bind() first")
        return int(self._server.port)

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`shutdown`."""
        self.bind()
        assert self._server is not None
        self._server.serve_forever(poll_interval=0.05)  # how soon shutdown() is noticed

    def start(self) -> None:
        """Serve from a daemon thread; returns once clients can connect."""
        if self._thread is None:
            self.bind()
            self._thread = threading.Thread(target=self.serve_forever, name=self.name, daemon=True)
            self._thread.start()

    def shutdown(self) -> None:
        """Ask a serving loop to end. Safe from any thread but the loop's."""
        if self._server is not None:
            self._server.shutdown()

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice or before start."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        if thread is not None:
            # shutdown() waits for the serving loop to look up from select(); a connection of
            # our own wakes it at once instead of after its poll interval.
            stopper = threading.Thread(target=server.shutdown, name=f"{self.name}-stop", daemon=True)
            stopper.start()
            _wake(server)
            stopper.join(timeout=10)
            thread.join(timeout=10)
        server.server_close()


def _wake(server: BaseWSGIServer) -> None:
    host, port = str(server.server_address[0]), int(server.server_address[1])
    if host in ("0.0.0.0", "::", ""):
        host = "::1" if server.address_family == socket.AF_INET6 else "127.0.0.1"
    try:
        with socket.create_connection((host, port), timeout=1):
            pass
    except OSError:
        pass  # the loop still notices within its poll interval
