"""The HTTP engine behind both the server (``amplify-mock serve``) and the in-process loopback
listener that serves content URLs: one WSGI application, served from a thread or the caller's.

The engine is cheroot (CherryPy's HTTP server), chosen by measurement against waitress and
werkzeug's development server (``benchmarks/server_bench.py``): HTTP/1.1 keep-alive, a worker
pool fed by a selector that parks idle keep-alive connections without holding a thread, limits
on header and body sizes, and a graceful stop. werkzeug's development server, used before,
closed every connection after one request and took a thread per connection.

cheroot's request path is general; the classes below make the common case cheap and leave
every other case to cheroot: a worker keeps a connection while its requests follow closely
(_Connection), input is C-buffered (_Reader) and a common request's head is split from the
buffer (_Request._parse_buffered), a reply goes out in one send (_Writer), and the environ and
headers are built without per-item helpers (_Gateway, _Request.send_headers). Where they read
or write what cheroot does, tests/test_server_engine.py compares them with cheroot as shipped.
"""

from __future__ import annotations

import email.utils
import io
import re
import select
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote, unquote_to_bytes, urlsplit

from cheroot import server as cheroot_server
from cheroot import wsgi
from cheroot.errors import MaxSizeExceeded

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
# How long a worker waits for the next request on the connection it has just answered before
# handing the connection back to the selector (see _Connection.communicate).
LINGER_SECONDS = 0.005
# A reply up to this size goes out in one send, status line, headers and body together.
HOLD_BYTES = 64 * 1024


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
    # A socket already bound and listening, to serve instead of binding one (see WSGIServer).
    listening: Optional[socket.socket] = None

    def bind(self, family: int, type: int, proto: int = 0) -> socket.socket:
        sock = self.listening
        if sock is None:
            return super().bind(family, type, proto)  # type: ignore[no-any-return]
        self.socket = sock
        self.bind_addr = sock.getsockname()[:2]
        return sock

    def process_conn(self, conn: Any) -> None:
        # cheroot hands a connection it has just accepted straight to a worker, which then waits
        # for its request: a client that connects and sends nothing (or not yet) holds a worker
        # until the idle timeout, and as many such clients as workers stall the server. A new
        # connection with nothing to read yet waits in the selector instead, as an idle
        # kept-alive one does, and comes back here once it has sent something.
        if getattr(conn, "fresh", False):
            conn.fresh = False
            try:
                readable, _, _ = select.select([conn.socket], [], [], 0)
            except (OSError, ValueError):
                readable = [conn.socket]  # let a worker find out what is wrong with it
            if not readable:
                self._connections.put(conn)  # type: ignore[attr-defined]
                return
        super().process_conn(conn)

    def error_log(self, msg: str = "", level: int = 20, traceback: bool = False) -> None:
        # cheroot reports a client that went away mid-request, or sent garbage before any
        # request line, as an error with a traceback: for a mock those are the client's
        # business, not the operator's. (The application answers every request it is handed.)
        pass


class _Reader(io.BufferedReader):
    """The connection's input, buffered in C.

    cheroot reads through a pure-Python buffered reader (``_pyio``) so that it can tell whether
    a pipelined request is already buffered; per request that reader cost more than the whole
    Amplify operation. The C reader does the same reading; :meth:`has_data` asks it without
    blocking, by peeking with the socket made non-blocking for the moment."""

    def __init__(self, sock: socket.socket, mode: str = "rb", bufsize: int = io.DEFAULT_BUFFER_SIZE) -> None:
        super().__init__(socket.SocketIO(sock, "rb"), bufsize)
        self._sock = sock
        self.bytes_read = 0  # read by cheroot's statistics only, which are off

    def has_data(self) -> bool:
        timeout = self._sock.gettimeout()
        try:
            self._sock.setblocking(False)
            # With nothing buffered, peek makes one read of the socket, which now returns at
            # once: b"" when no byte is waiting (or the peer closed), else what arrived.
            return bool(self.peek(1))
        except OSError:
            return False
        finally:
            try:
                self._sock.settimeout(timeout)
            except OSError:
                pass


class _Writer:
    """The connection's output, unbuffered as cheroot's is, except while a reply is held:
    cheroot writes the status line and headers, then the body, in two sends (two packets,
    and two wake-ups of the client); a held reply goes out in one."""

    def __init__(self, sock: socket.socket, mode: str = "wb", bufsize: int = io.DEFAULT_BUFFER_SIZE) -> None:
        self._sock = sock
        self._held: Optional[List[bytes]] = None
        self._held_bytes = 0
        self.bytes_written = 0  # read by cheroot's statistics only, which are off
        self.closed = False

    def hold(self) -> None:
        self._held, self._held_bytes = [], 0

    def write(self, data: bytes) -> int:
        held = self._held
        if held is not None:
            held.append(data)
            self._held_bytes += len(data)
            if self._held_bytes > HOLD_BYTES:
                self.release()  # a large or streamed body goes out as it comes
                self._held, self._held_bytes = [], 0
            return len(data)
        self._sock.sendall(data)
        return len(data)

    def release(self) -> None:
        held, self._held = self._held, None
        if held:
            self._sock.sendall(b"".join(held))

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._held, self.closed = None, True


# Per-request work cheroot does in general terms, done here for what this server is (plain
# HTTP over TCP, applications that send str headers): the environ built without cheroot's
# per-item conversions, header names translated once, the Date header formatted once a second.
_ENVIRON_KEYS: Dict[bytes, str] = {}
_ENVIRON_KEYS_MAX = 512
_date: Tuple[int, bytes] = (0, b"")


def _date_header() -> bytes:
    global _date
    now = int(time.time())
    date = _date
    if date[0] != now:
        date = _date = (now, email.utils.formatdate(now, usegmt=True).encode("latin-1"))
    return date[1]


class _HeaderLimit(cheroot_server.SizeCheckWrapper):
    def readline(self, size: Optional[int] = None) -> bytes:
        if size is None:
            # One read of the whole line, at most one byte past the limit (cheroot reads a
            # line in 256-byte pieces, a Python call each).
            size = self.maxlen - self.bytes_read + 1 if self.maxlen else -1
        data = bytes(self.rfile.readline(max(size, 1) if size >= 0 else -1))
        self.bytes_read += len(data)
        if self.maxlen and self.bytes_read > self.maxlen:
            raise MaxSizeExceeded()
        return data


_COMMA_SEPARATED = frozenset(cheroot_server.comma_separated_headers)  # type: ignore[attr-defined]
_TITLES: Dict[bytes, bytes] = {}


class _HeaderReader(cheroot_server.HeaderReader):
    """cheroot's header reading, with each header name's title case found once and the
    comma-separated names in a set (cheroot scans a list per header line)."""

    def __call__(self, rfile: Any, hdict: Optional[Dict[bytes, bytes]] = None) -> Dict[bytes, bytes]:
        if hdict is None:
            hdict = {}
        titles = _TITLES
        name = b""
        while True:
            line = rfile.readline()
            if not line:
                raise ValueError("Illegal end of headers.")
            if line == b"\r\n":
                return hdict
            if not line.endswith(b"\r\n"):
                raise ValueError("HTTP requires CRLF terminators")
            if line[:1] in (b" ", b"\t"):
                if not name:
                    raise ValueError("Illegal header line.")
                value = line.strip()  # a continuation of the header before
            else:
                raw_name, colon, value = line.partition(b":")
                if not colon:
                    raise ValueError("Illegal header line.")
                value = value.strip()
                title = titles.get(raw_name)
                if title is None:
                    title = raw_name.strip().title()
                    if len(titles) < _ENVIRON_KEYS_MAX:  # names are the client's: bounded
                        titles[raw_name] = title
                name = title
            if name in _COMMA_SEPARATED:
                existing = hdict.get(name)
                if existing:
                    value = b", ".join((existing, value))
            hdict[name] = value


# The request line the fast path takes (see _Request._parse_buffered): a method whose target
# cheroot unquotes, an origin-form target without a fragment, HTTP/1.1.
_FAST_REQUEST_LINE = re.compile(rb"(GET|HEAD|POST|PUT|PATCH|DELETE) (/[!-\"$-~]*) HTTP/1\.1")
# Headers whose handling is more than storing them (or that SDKs do not send): cheroot reads
# a request that has one of them.
_SLOW_HEADERS = (b"Transfer-Encoding", b"Expect")
_QUOTED_SLASH = re.compile(rb"(?i)%2F")


class _Request(cheroot_server.HTTPRequest):
    header_reader = _HeaderReader()

    def parse_request(self) -> None:
        if self._parse_buffered():
            self.ready = True
            return
        # cheroot's parse_request, reading the request line and headers through _HeaderLimit.
        self.rfile = _HeaderLimit(self.conn.rfile, self.server.max_request_header_size)
        try:
            if not self.read_request_line():  # type: ignore[no-untyped-call]
                return
        except MaxSizeExceeded:
            self.simple_response(
                "414 Request-URI Too Long",
                "The Request-URI sent with the request exceeds the maximum allowed bytes.",
            )
            return
        try:
            if not self.read_request_headers():  # type: ignore[no-untyped-call]
                return
        except MaxSizeExceeded:
            self.simple_response(
                "413 Request Entity Too Large",
                "The headers sent with the request exceed the maximum allowed bytes.",
            )
            return
        self.ready = True

    def _parse_buffered(self) -> bool:
        """Read a common request's line and headers from what is buffered, as cheroot would
        read them, in a few C calls; or, for anything else, leave the input untouched and
        return False, and cheroot reads the request its own way.

        An SDK's request (a request line, a dozen headers, a small body) arrives in one
        packet, and cheroot reads it a line at a time through several Python layers, checking
        what no such request needs checking: that was a third of the engine's time."""
        rfile = self.conn.rfile
        buffered = rfile.peek(1)  # what is buffered; one read of the socket if nothing is
        end = buffered.find(b"\r\n\r\n")
        if end < 0 or end + 4 > self.server.max_request_header_size:
            return False
        head = buffered[:end]
        if b"\n" in head.replace(b"\r\n", b""):
            return False  # a bare LF: cheroot refuses it
        lines = head.split(b"\r\n")
        match = _FAST_REQUEST_LINE.fullmatch(lines[0])
        if match is None:
            return False
        uri = match.group(2)
        if uri.startswith(b"//"):
            return False  # urlsplit takes it for an authority
        headers: Dict[bytes, bytes] = {}
        titles = _TITLES
        for line in lines[1:]:
            raw_name, colon, value = line.partition(b":")
            if not colon or line[:1] in (b" ", b"\t"):
                return False  # no colon, or a continuation line
            name = titles.get(raw_name)
            if name is None:
                name = raw_name.strip().title()
                if len(titles) < _ENVIRON_KEYS_MAX:
                    titles[raw_name] = name
            value = value.strip()
            if name in _COMMA_SEPARATED:
                existing = headers.get(name)
                if existing:
                    value = b", ".join((existing, value))
            headers[name] = value
        for name in _SLOW_HEADERS:
            if name in headers:
                return False
        length = headers.get(b"Content-Length", b"0")
        limit = self.server.max_request_body_size
        if not length.isdigit() or (limit and int(length) > limit):
            return False
        rfile.read(end + 4)
        path, _, query = uri.partition(b"?")
        if b"%" in path:
            # As cheroot does: percent-decoded, except %2F, which stays apart from "/".
            path = b"%2F".join(unquote_to_bytes(atom) for atom in _QUOTED_SLASH.split(path))
        self.started_request = True
        self.method, self.uri, self.path, self.qs = match.group(1), uri, path, query
        self.authority = b""
        self.request_protocol = b"HTTP/1.1"
        self.response_protocol = "HTTP/1.1"
        self.inheaders = headers
        if headers.get(b"Connection") == b"close":
            self.close_connection = True  # as cheroot reads it for HTTP/1.1
        return True

    def send_headers(self) -> None:
        # cheroot's send_headers, less a per-request date formatting and list scans.
        status = int(self.status[:3])
        keys = {key.lower() for key, _ in self.outheaders}
        outheaders = self.outheaders
        if status == 413:
            self.close_connection = True  # Request Entity Too Large: close to avoid garbage
        elif b"content-length" not in keys:
            if status < 200 or status in (204, 205, 304):
                pass  # no body allowed, so no point chunking
            elif self.response_protocol == "HTTP/1.1" and self.method != b"HEAD":
                self.chunked_write = True
                outheaders.append((b"Transfer-Encoding", b"chunked"))
            else:
                self.close_connection = True  # closing is the only way to tell the length
        if not self.close_connection:
            self.close_connection = not self.server.can_add_keepalive_connection
        if b"connection" not in keys:
            if self.response_protocol == "HTTP/1.1":
                if self.close_connection:
                    outheaders.append((b"Connection", b"close"))
            elif not self.close_connection:
                outheaders.append((b"Connection", b"Keep-Alive"))
                outheaders.append((b"Keep-Alive", f"timeout={self.server.timeout}".encode()))
        if not self.close_connection and not self.chunked_read:
            # Read what the application left of the body, so the next request starts clean.
            remaining = getattr(self.rfile, "remaining", 0)
            if remaining > 0:
                self.rfile.read(remaining)
        if b"date" not in keys:
            outheaders.append((b"Date", _date_header()))
        if b"server" not in keys:
            outheaders.append((b"Server", self.server.server_name.encode("latin-1")))
        buf = [self.server.protocol.encode("ascii"), b" ", self.status, b"\r\n"]
        for key, value in outheaders:
            buf += (key, b": ", value, b"\r\n")
        buf.append(b"\r\n")
        self.conn.wfile.write(b"".join(buf))


class _Gateway(wsgi.Gateway_10):
    def respond(self) -> None:
        wfile = self.req.conn.wfile
        wfile.hold()
        try:
            super().respond()
        finally:
            wfile.release()

    def get_environ(self) -> Dict[str, Any]:  # type: ignore[override]
        req = self.req
        conn = req.conn
        server = req.server
        env: Dict[str, Any] = {
            "ACTUAL_SERVER_PROTOCOL": server.protocol,
            "PATH_INFO": req.path.decode("latin-1"),
            "QUERY_STRING": req.qs.decode("latin-1"),
            "REMOTE_ADDR": conn.remote_addr or "",
            "REMOTE_PORT": str(conn.remote_port or ""),
            "REQUEST_METHOD": req.method.decode("latin-1"),
            "REQUEST_URI": req.uri.decode("latin-1"),
            "SCRIPT_NAME": "",
            "SERVER_NAME": server.server_name,
            "SERVER_PORT": str(server.bind_addr[1]),
            "SERVER_PROTOCOL": req.request_protocol.decode("latin-1"),
            "SERVER_SOFTWARE": server.software,
            "wsgi.errors": sys.stderr,
            "wsgi.input": req.rfile,
            "wsgi.input_terminated": bool(req.chunked_read),
            "wsgi.multiprocess": False,
            "wsgi.multithread": True,
            "wsgi.run_once": False,
            "wsgi.url_scheme": req.scheme.decode("latin-1"),
            "wsgi.version": (1, 0),
        }
        keys = _ENVIRON_KEYS
        for name, value in req.inheaders.items():
            key = keys.get(name)
            if key is None:
                key = "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
                if len(keys) < _ENVIRON_KEYS_MAX:  # names are the client's: keep the cache bounded
                    keys[name] = key
            env[key] = value.decode("latin-1")
        if "HTTP_CONTENT_TYPE" in env:
            env["CONTENT_TYPE"] = env.pop("HTTP_CONTENT_TYPE")
        if "HTTP_CONTENT_LENGTH" in env:
            env["CONTENT_LENGTH"] = env.pop("HTTP_CONTENT_LENGTH")
        return env

    def start_response(self, status: str, headers: Any, exc_info: Any = None) -> Any:
        # cheroot's start_response, less its per-header conversion helpers.
        if self.started_response and not exc_info:
            raise RuntimeError("WSGI start_response called a second time with no exc_info.")
        self.started_response = True
        req = self.req
        if req.sent_headers:
            raise exc_info[1]
        req.status = status.encode("latin-1")
        out = req.outheaders
        for key, value in headers:
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError(f"WSGI response header {key!r}: {value!r} is not a pair of str.")
            lower = key.lower()
            if lower == "content-length":
                self.remaining_bytes_out = int(value)
            elif lower == "connection" and value.lower() == "close":
                # An application that answers "Connection: close" (a request whose body could
                # not be read: where the next request starts is unknown) gets the connection
                # closed. cheroot would otherwise keep it open and read the rest of the broken
                # body as a new request.
                req.close_connection = True
            out.append((key.encode("latin-1"), value.encode("latin-1")))
        return self.write


def _make_file(sock: socket.socket, mode: str = "r", bufsize: int = io.DEFAULT_BUFFER_SIZE) -> Any:
    return _Reader(sock, mode, bufsize) if "r" in mode else _Writer(sock, mode, bufsize)


class _Connection(cheroot_server.HTTPConnection):
    RequestHandlerClass = _Request

    def __init__(self, server: Any, sock: Any, makefile: Any = None) -> None:
        # The server speaks plain HTTP only (no TLS adapter), so the files are always ours.
        super().__init__(server, sock, _make_file)
        self.fresh = True  # accepted, not yet read from (see _Server.process_conn)

    def communicate(self) -> bool:
        """Serve requests on this connection for as long as they follow each other closely.

        cheroot hands a kept-alive connection back to its selector thread after every request:
        register it, wake the selector, unregister it, queue it, wake a worker. For a client
        that sends its next request as soon as it has the reply (an SDK polling GetJob), that
        hand-over cost as much CPU as answering. Here the worker that answered waits up to
        LINGER_SECONDS for the next request and serves it itself; the connection goes back to
        the selector when it falls silent, when other connections wait for a worker (so a busy
        client cannot starve them), or when the server stops."""
        server = self.server
        queue = server.requests
        sock = self.socket
        while True:
            keep_open = bool(super().communicate())  # type: ignore[no-untyped-call]
            if not keep_open or not server.ready or queue.qsize:
                return keep_open
            if self.rfile.has_data():
                continue
            try:
                ready, _, _ = select.select([sock], [], [], LINGER_SECONDS)
            except (OSError, ValueError):
                return keep_open
            if not ready or not server.ready or queue.qsize:
                return keep_open


class WSGIServer:
    """Serves ``app`` on ``host``:``port`` (0 picks a free port) until stopped; or, given
    ``sock``, on that socket, already bound and listening (clients that connected before the
    server started are served from its backlog)."""

    def __init__(
        self,
        app: WSGIApplication,
        host: str,
        port: int,
        *,
        verbose: bool = False,
        name: str = "amplify-mock-server",
        threads: int = THREADS,
        sock: Optional[socket.socket] = None,
        shutdown_timeout: float = SHUTDOWN_TIMEOUT,
    ) -> None:
        self.app = app
        self.sock = sock
        self.shutdown_timeout = shutdown_timeout
        self.threads = threads
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
            numthreads=self.threads,
            server_name="amplify-mock",
            request_queue_size=128,
            timeout=IDLE_TIMEOUT,
            shutdown_timeout=self.shutdown_timeout,  # type: ignore[arg-type]  # seconds, a float too
        )
        server.listening = self.sock
        server.gateway = _Gateway
        server.ConnectionClass = _Connection
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
        self.serve()

    def serve(self) -> None:
        """Serve what :meth:`bind` prepared, in the calling thread, until :meth:`shutdown`;
        returns at once if the server was stopped meanwhile (it is never bound again)."""
        server: Any = self._server
        if server is None:
            return
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
            thread.join(timeout=self.shutdown_timeout + 1)


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
