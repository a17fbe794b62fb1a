"""The HTTP engine behind both the server (``amplify-mock serve``) and the in-process loopback
listener that serves content URLs: one WSGI application, served from a thread or the caller's.

The engine is cheroot (CherryPy's HTTP server), chosen by measurement against waitress and
werkzeug's development server (``benchmarks/server_bench.py``): HTTP/1.1 keep-alive, a worker
pool fed by a selector that parks idle keep-alive connections without holding a thread, limits
on header and body sizes, and a graceful stop. werkzeug's development server, used before,
closed every connection after one request and took a thread per connection.

cheroot's request path is general, and per request it cost more than the Amplify operation
it carried. So a common request, the kind every SDK sends (HTTP/1.1, an origin-form target,
a Content-Length or no body, no Expect or chunked encoding, its line and headers arrived
whole), is answered here without cheroot's request and gateway objects: its head is split
from the input buffer (_read_head), the WSGI environ built from it, the application called,
and the status line, headers and body sent in one piece (_Exchange), on a connection the
worker keeps while requests follow closely (_Connection). Anything else (HTTP/1.0, OPTIONS,
chunked bodies, Expect, an absolute target, a head still arriving, anything malformed) is
left untouched to cheroot's own classes, with a few of their costs cut (a C-buffered reader,
one send per reply). cheroot keeps accepting connections, parking idle ones in its selector,
its limits (413 and 414), timeouts and the graceful stop. tests/test_server_engine.py checks
both paths against cheroot as shipped: the replies on the wire, the environs, and which
requests take which path.
"""

from __future__ import annotations

import email.utils
import io
import os
import re
import select
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote, unquote_to_bytes, urlsplit

from cheroot import errors as cheroot_errors
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
LINGER_MILLISECONDS = 5
# A reply up to this size goes out in one send, status line, headers and body together.
HOLD_BYTES = 64 * 1024
# A reply that closes the connection before the request's body has been read (a 413, a broken
# body) is followed by reading and dropping what the client still sends, up to these bounds,
# and only then the close: the "lingering close" of RFC 9112, section 9.6. Closing a socket
# with unread input makes the kernel reset the connection, and a client that writes its whole
# body before it reads (Node's http module, under the JavaScript SDK) then fails with EPIPE or
# ECONNRESET instead of reading the reply already sent, and retries.
LINGER_BYTES = 256 * 1024**2
LINGER_SECONDS = 5  # how long the client may pause, and how long lingering lasts at most
# What the server reads at a time of a body nobody reads: what is left of one after its reply,
# and what is dropped while lingering.
DISCARD_BYTES = 64 * 1024


def raw_target(environ: WSGIEnvironment) -> str:
    """The request's path and query exactly as sent: ``%2F`` in a branch name stays ``%2F``."""
    raw: Optional[str] = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        if raw[0] == "/" and raw.isascii():
            return raw  # the usual case: origin-form, and nothing to decode
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


def _send(sock: socket.socket, data: bytes) -> None:
    """``sock.sendall(data)`` in one system call when the socket can take it all at once (the
    usual case): a socket with a timeout polls before every send, and the poll cost as much as
    the send. Anything left (a full send buffer) goes through sendall, timeout and all."""
    try:
        # Python ignores SIGPIPE, so a peer that is gone is an OSError here as in sendall.
        sent = os.write(sock.fileno(), data)
    except BlockingIOError:
        sent = 0
    if sent < len(data):
        sock.sendall(memoryview(data)[sent:])


class _SocketInput(io.RawIOBase):
    """The socket as the raw stream under _Reader: one read when data is waiting (a socket with
    a timeout polls before every recv), and none of socket.SocketIO's per-read Python checks.
    With ``waiting`` False a read that finds nothing returns None at once instead of waiting
    (up to the socket's timeout) for data."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        self.waiting = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> Optional[int]:
        try:
            # The descriptor is read afresh each time: -1 (EBADF) once the socket is closed,
            # never a number reused by another connection.
            return os.readv(self._sock.fileno(), [buffer])
        except BlockingIOError:
            if not self.waiting:
                return None
        return self._sock.recv_into(buffer)  # waits, up to the socket's timeout


class _Reader(io.BufferedReader):
    """The connection's input, buffered in C.

    cheroot reads through a pure-Python buffered reader (``_pyio``) so that it can tell whether
    a pipelined request is already buffered; per request that reader cost more than the whole
    Amplify operation. The C reader does the same reading; :meth:`has_data` asks it without
    blocking."""

    def __init__(self, sock: socket.socket, mode: str = "rb", bufsize: int = io.DEFAULT_BUFFER_SIZE) -> None:
        self._input = _SocketInput(sock)
        super().__init__(self._input, bufsize)
        self.bytes_read = 0  # read by cheroot's statistics only, which are off

    def has_data(self) -> bool:
        self._input.waiting = False
        try:
            # With nothing buffered, peek makes one read of the socket, which returns at once:
            # b"" when no byte is waiting (or the peer closed), else what arrived.
            return bool(self.peek(1))
        except OSError:
            return False
        finally:
            self._input.waiting = True


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
        _send(self._sock, data)
        return len(data)

    def release(self) -> None:
        held, self._held = self._held, None
        if held:
            _send(self._sock, b"".join(held))

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


# --- A common request, read from the buffer (see _Connection._answer) ----------------------

# The request line a common request has: a method whose target cheroot unquotes, an
# origin-form target without a fragment, HTTP/1.1.
_COMMON_REQUEST_LINE = re.compile(rb"(GET|HEAD|POST|PUT|PATCH|DELETE) (/[!-\"$-~]*) HTTP/1\.1")
_QUOTED_SLASH = re.compile(rb"(?i)%2F")
_METHODS = {method: method.decode() for method in (b"GET", b"HEAD", b"POST", b"PUT", b"PATCH", b"DELETE")}
# Header names as the environ has them, with whether cheroot joins repeated values with commas,
# by the name as sent (the client's: bounded).
_HEADER_KEYS: Dict[bytes, Tuple[str, bool]] = {}
_CGI_KEYS = {"HTTP_CONTENT_TYPE": "CONTENT_TYPE", "HTTP_CONTENT_LENGTH": "CONTENT_LENGTH"}


def _header_key(raw: bytes) -> Optional[Tuple[str, bool]]:
    """The environ key of a header name as sent, and whether it is comma-separated; None for
    a name cheroot reads in a way of its own: a continuation line, an empty name, and names
    that two spellings could reach (an underscore, non-ASCII), whose order decides the value."""
    entry = _HEADER_KEYS.get(raw)
    if entry is None:
        name = raw.strip()
        if raw[:1] in (b" ", b"\t") or not name or b"_" in name or not name.isascii():
            return None
        title = name.title()
        key = "HTTP_" + title.decode("latin-1").upper().replace("-", "_")
        entry = (_CGI_KEYS.get(key, key), title in _COMMA_SEPARATED)
        if len(_HEADER_KEYS) < _ENVIRON_KEYS_MAX:
            _HEADER_KEYS[raw] = entry
    return entry


# A common request read from the buffer: its method, target, path (percent-decoded but for
# %2F) and query as the environ has them, its headers as environ entries, the bytes of its
# line and headers (the blank line included), its body's Content-Length, and whether it asks
# for the connection to close.
_Head = Tuple[bytes, str, str, str, Dict[str, str], int, int, bool]


def _read_head(buffered: bytes, max_header: int, max_body: int) -> Optional[_Head]:
    """The request at the start of ``buffered`` if it is a common one and its line and headers
    have arrived whole; else None, and cheroot reads the request its own way.

    Common: HTTP/1.1; a method whose target cheroot unquotes; an origin-form target (no
    fragment, no authority); header lines of a name, a colon and a value (no continuation
    lines, no bare LF); a Content-Length of digits within the body limit, or none; no
    Transfer-Encoding and no Expect. An SDK's request is one, and arrives in one packet.
    What cheroot would read from such a request is what this reads (tests/test_server_engine.py
    compares the environs); anything else, a malformed request included, is left to cheroot,
    to be read and refused as it does."""
    end = buffered.find(b"\r\n\r\n")
    if end < 0 or (max_header and end + 4 > max_header):
        return None
    head = buffered[:end]
    if head.count(b"\n") != head.count(b"\r\n"):
        return None  # a bare LF: cheroot refuses it
    lines = head.split(b"\r\n")
    match = _COMMON_REQUEST_LINE.fullmatch(lines[0])
    if match is None:
        return None
    uri = match.group(2)
    if uri.startswith(b"//"):
        return None  # urlsplit takes it for an authority
    headers: Dict[str, str] = {}
    for line in lines[1:]:
        raw_name, colon, raw_value = line.partition(b":")
        entry = _header_key(raw_name) if colon else None
        if entry is None:
            return None
        key, comma = entry
        value = raw_value.strip().decode("latin-1")
        if key in headers:
            existing = headers[key]
            if comma and existing:
                value = existing + ", " + value
        headers[key] = value
    if "HTTP_TRANSFER_ENCODING" in headers or "HTTP_EXPECT" in headers:
        return None  # a chunked body, or 100-continue: cheroot's
    length = headers.get("CONTENT_LENGTH", "0")
    if not (length.isascii() and length.isdigit()) or (max_body and int(length) > max_body):
        return None  # malformed, or past the limit: cheroot refuses it
    path, _, query = uri.partition(b"?")
    if b"%" in path:
        # As cheroot does: percent-decoded, except %2F, which stays apart from "/".
        path = b"%2F".join(unquote_to_bytes(atom) for atom in _QUOTED_SLASH.split(path))
    return (
        match.group(1),
        uri.decode("latin-1"),
        path.decode("latin-1"),
        query.decode("latin-1"),
        headers,
        end + 4,
        int(length),
        headers.get("HTTP_CONNECTION") == "close",  # as cheroot reads it for HTTP/1.1
    )


def _reply_head(
    server: Any,
    status: bytes,
    outheaders: List[Tuple[bytes, bytes]],
    method: bytes,
    http11: bool,
    close: bool,
) -> Tuple[bytes, bool, bool]:
    """(the status line and headers, whether the body goes chunked, whether the connection
    closes after the reply), as cheroot's send_headers decides them, less its per-request date
    formatting and list scans."""
    code = int(status[:3])
    keys = {key.lower() for key, _ in outheaders}
    chunked = False
    if code == 413:
        close = True  # Request Entity Too Large: close to avoid garbage
    elif b"content-length" not in keys:
        if code < 200 or code in (204, 205, 304):
            pass  # no body allowed, so no point chunking
        elif http11 and method != b"HEAD":
            chunked = True
            outheaders.append((b"Transfer-Encoding", b"chunked"))
        else:
            close = True  # closing is the only way to tell the length
    if not close:
        close = not server.can_add_keepalive_connection
    if b"connection" not in keys:
        if http11:
            if close:
                outheaders.append((b"Connection", b"close"))
        elif not close:
            outheaders.append((b"Connection", b"Keep-Alive"))
    if (b"Connection", b"Keep-Alive") in outheaders:
        outheaders.append((b"Keep-Alive", f"timeout={server.timeout}".encode()))
    if b"date" not in keys:
        outheaders.append((b"Date", _date_header()))
    if b"server" not in keys:
        outheaders.append((b"Server", server.server_name.encode("latin-1")))
    buf = [server.protocol.encode("ascii"), b" ", status, b"\r\n"]
    for key, value in outheaders:
        buf += (key, b": ", value, b"\r\n")
    buf.append(b"\r\n")
    return b"".join(buf), chunked, close


def _discard(body: Any, limit: Optional[int] = None) -> bool:
    """Read and drop what is left of a request's body (a KnownLengthRFile or cheroot's
    ChunkedRFile), DISCARD_BYTES at a time so that memory stays bounded whatever its size; with
    ``limit``, at most that many bytes. Whether the body ended (False: the limit was reached)."""
    left = limit
    while left is None or left > 0:
        data = body.read(DISCARD_BYTES if left is None else min(DISCARD_BYTES, left))
        if not data:
            return True
        if left is not None:
            left -= len(data)
    return False


def _linger(sock: socket.socket, body: Any) -> None:
    """Before a connection closes after its reply: read and drop the rest of a body the client
    may still be sending (see LINGER_BYTES), within LINGER_SECONDS and LINGER_BYTES."""
    remaining = getattr(body, "remaining", None)
    if remaining == 0 or getattr(body, "closed", False):
        return  # the body was read to its end: nothing more is coming
    if remaining is not None and remaining > LINGER_BYTES:
        return  # more than lingering would read: the reset cannot be avoided
    deadline = time.monotonic() + LINGER_SECONDS
    budget = LINGER_BYTES  # a chunked body announces no length: the budget bounds it
    try:
        while budget > 0 and time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            piece = min(budget, DISCARD_BYTES * 16)
            if _discard(body, piece):
                return
            budget -= piece
    except Exception:  # noqa: BLE001 - a broken body or a client gone: nothing left to protect
        return


class _Request(cheroot_server.HTTPRequest):
    """cheroot's request, for what is not a common request (see _Connection.communicate)."""

    header_reader = _HeaderReader()

    def respond(self) -> None:
        super().respond()
        if self.close_connection and isinstance(
            self.rfile, (cheroot_server.KnownLengthRFile, cheroot_server.ChunkedRFile)
        ):
            # The reply is sent (the writer holds nothing once the gateway has answered).
            _linger(self.conn.socket, self.rfile)

    def parse_request(self) -> None:
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

    def send_headers(self) -> None:
        head, self.chunked_write, self.close_connection = _reply_head(
            self.server,
            self.status,  # type: ignore[arg-type]  # bytes once start_response has run
            self.outheaders,
            self.method,
            self.response_protocol == "HTTP/1.1",
            self.close_connection,
        )
        if not self.close_connection and not self.chunked_read:
            # Read what the application left of the body, so the next request starts clean.
            if getattr(self.rfile, "remaining", 0) > 0:
                _discard(self.rfile)
        self.conn.wfile.write(head)


def _connection_environ(server: Any, conn: Any) -> Dict[str, Any]:
    """The environ's entries that are the same for every request on a connection."""
    return {
        "ACTUAL_SERVER_PROTOCOL": server.protocol,
        "REMOTE_ADDR": conn.remote_addr or "",
        "REMOTE_PORT": str(conn.remote_port or ""),
        "SCRIPT_NAME": "",
        "SERVER_NAME": server.server_name,
        "SERVER_PORT": str(server.bind_addr[1]),
        "SERVER_SOFTWARE": server.software,
        "wsgi.errors": sys.stderr,
        "wsgi.multiprocess": False,
        "wsgi.multithread": True,
        "wsgi.run_once": False,
        "wsgi.url_scheme": "http",  # the server speaks plain HTTP only (no TLS adapter)
        "wsgi.version": (1, 0),
    }


def _add_headers(env: Dict[str, Any], headers: Dict[bytes, bytes]) -> None:
    """The request's headers into the environ, as cheroot's Gateway_10 puts them there, with
    each name translated once."""
    keys = _ENVIRON_KEYS
    for name, value in headers.items():
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


class _Gateway(wsgi.Gateway_10):
    """cheroot's WSGI gateway, for what is not a common request."""

    def respond(self) -> None:
        wfile = self.req.conn.wfile
        wfile.hold()
        try:
            super().respond()
        finally:
            wfile.release()

    def get_environ(self) -> Dict[str, Any]:  # type: ignore[override]
        req = self.req
        env = _connection_environ(req.server, req.conn)
        env["wsgi.url_scheme"] = req.scheme.decode("latin-1")
        env["PATH_INFO"] = req.path.decode("latin-1")
        env["QUERY_STRING"] = req.qs.decode("latin-1")
        env["REQUEST_METHOD"] = req.method.decode("latin-1")
        env["REQUEST_URI"] = req.uri.decode("latin-1")
        env["SERVER_PROTOCOL"] = req.request_protocol.decode("latin-1")
        env["wsgi.input"] = req.rfile
        env["wsgi.input_terminated"] = bool(req.chunked_read)
        _add_headers(env, req.inheaders)
        return env

    def start_response(self, status: str, headers: Any, exc_info: Any = None) -> Any:
        # cheroot's start_response, less its per-header conversion helpers.
        if self.started_response and not exc_info:
            raise RuntimeError("WSGI start_response called a second time with no exc_info.")
        self.started_response = True
        req = self.req
        if req.sent_headers:
            raise exc_info[1]
        req.status = _status_bytes(status)
        length, close = _add_reply_headers(req.outheaders, headers)
        if length is not None:
            self.remaining_bytes_out = length
        if close:
            req.close_connection = True
        return self.write


def _status_bytes(status: Any) -> bytes:
    if not isinstance(status, str):
        raise TypeError("WSGI response status is not of type str.")
    return status.encode("latin-1")


def _add_reply_headers(out: List[Tuple[bytes, bytes]], headers: Any) -> Tuple[Optional[int], bool]:
    """The application's reply headers onto ``out``: (its Content-Length, whether it asks for
    the connection to close)."""
    length: Optional[int] = None
    close = False
    for key, value in headers:
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"WSGI response header {key!r}: {value!r} is not a pair of str.")
        lower = key.lower()
        if lower == "content-length":
            length = int(value)
        elif lower == "connection" and value.lower() == "close":
            # An application that answers "Connection: close" (a request whose body could
            # not be read: where the next request starts is unknown) gets the connection
            # closed. cheroot would otherwise keep it open and read the rest of the broken
            # body as a new request.
            close = True
        out.append((key.encode("latin-1"), value.encode("latin-1")))
    return length, close


_TOO_LONG = "The requested resource returned more bytes than the declared Content-Length."
_TIMEOUTS = ("timed out", "The read operation timed out")
# The reply headers whose presence changes what is added (see _Exchange.send_head).
_LENGTH, _CONNECTION, _DATE, _SERVER, _KEEP_ALIVE = 1, 2, 4, 8, 16
_NOTED = {"content-length": _LENGTH, "connection": _CONNECTION, "date": _DATE, "server": _SERVER}


_date_lines: Tuple[bytes, str] = (b"", "")


def _date_line() -> str:
    global _date_lines
    date = _date_header()
    lines = _date_lines
    if lines[0] is not date:
        lines = _date_lines = (date, "Date: " + date.decode("latin-1") + "\r\n")
    return lines[1]


class _Exchange:
    """A common request's reply: what cheroot's HTTPRequest and WSGI gateway do for it, as
    they do it (tests/test_server_engine.py compares the bytes on the wire), without their
    general machinery. The reply is held and sent in one piece, or in pieces of HOLD_BYTES
    when it is larger."""

    __slots__ = (
        "conn", "method", "body", "close", "started", "sent", "chunked", "status", "lines",
        "noted", "left", "held", "held_bytes",
    )

    def __init__(self, conn: _Connection, method: bytes, body: Any, close: bool) -> None:
        self.conn = conn
        self.method = method
        self.body = body
        self.close = close
        self.started = self.sent = self.chunked = False
        self.status = ""
        self.lines: List[str] = []
        self.noted = 0
        self.left: Optional[int] = None  # what the declared Content-Length still allows
        self.held: List[bytes] = []
        self.held_bytes = 0

    def start_response(self, status: str, headers: Any, exc_info: Any = None) -> Any:
        if self.started and not exc_info:
            raise RuntimeError("WSGI start_response called a second time with no exc_info.")
        self.started = True
        if self.sent:
            raise exc_info[1]
        if not isinstance(status, str):
            raise TypeError("WSGI response status is not of type str.")
        lines = []
        noted = 0
        for key, value in headers:
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError(f"WSGI response header {key!r}: {value!r} is not a pair of str.")
            note = _NOTED.get(key.lower())
            if note:
                noted |= note
                if note == _LENGTH:
                    self.left = int(value)
                elif note == _CONNECTION:
                    if value.lower() == "close":
                        self.close = True  # see _add_reply_headers
                    if value == "Keep-Alive":
                        noted |= _KEEP_ALIVE
            lines.append(f"{key}: {value}\r\n")
        self.status, self.lines, self.noted = status, lines, noted
        return self.write

    def send_head(self) -> None:
        """The status line and headers, as _reply_head frames them."""
        server = self.conn.server
        status = self.status
        code = int(status[:3])
        noted = self.noted
        close = self.close
        lines = self.lines
        if code == 413:
            close = True  # Request Entity Too Large: close to avoid garbage
        elif not noted & _LENGTH:
            if code < 200 or code in (204, 205, 304):
                pass  # no body allowed, so no point chunking
            elif self.method != b"HEAD":
                self.chunked = True
                lines.append("Transfer-Encoding: chunked\r\n")
            else:
                close = True  # closing is the only way to tell the length
        if not close:
            close = not server.can_add_keepalive_connection
        if close and not noted & _CONNECTION:
            lines.append("Connection: close\r\n")
        if noted & _KEEP_ALIVE:
            lines.append(f"Keep-Alive: timeout={server.timeout}\r\n")
        if not noted & _DATE:
            lines.append(_date_line())
        if not noted & _SERVER:
            lines.append("Server: " + server.server_name + "\r\n")
        self.sent = True
        self.close = close
        if not close:
            # Read what the application left of the body, so the next request starts clean.
            body = self.body
            if body.remaining > 0:
                _discard(body)
        self.hold((server.protocol + " " + status + "\r\n" + "".join(lines) + "\r\n").encode("latin-1"))

    def write(self, chunk: bytes) -> None:
        if not self.started:
            raise RuntimeError("WSGI write called before start_response.")
        left = self.left
        size = len(chunk)
        if left is not None and size > left:
            if not self.sent:
                self.error("500 Internal Server Error", _TOO_LONG)
                raise ValueError("Response body exceeds the declared Content-Length.")
            chunk = chunk[:left]
        if not self.sent:
            self.send_head()
        if self.chunked:
            if chunk:
                self.hold(b"%x\r\n%b\r\n" % (len(chunk), chunk))
        else:
            self.hold(chunk)
        if left is not None:
            self.left = left - size
            if left < size:
                raise ValueError("Response body exceeds the declared Content-Length.")

    def hold(self, data: bytes) -> None:
        self.held.append(data)
        self.held_bytes += len(data)
        if self.held_bytes > HOLD_BYTES:
            self.flush()  # a large or streamed body goes out as it comes

    def flush(self) -> None:
        held = self.held
        if held:
            self.held, self.held_bytes = [], 0
            _send(self.conn.socket, held[0] if len(held) == 1 else b"".join(held))

    def error(self, status: str, message: str = "") -> None:
        """cheroot's plain-text error reply (its simple_response), unless a reply has begun;
        the connection closes after it."""
        self.close = True
        if self.sent:
            return
        self.sent = True
        body = message.encode("latin-1")
        protocol = self.conn.server.protocol.encode("ascii")
        self.hold(
            b"%b %b\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n%b"
            % (protocol, status.encode("latin-1"), len(body), body)
        )


def _make_file(sock: socket.socket, mode: str = "r", bufsize: int = io.DEFAULT_BUFFER_SIZE) -> Any:
    return _Reader(sock, mode, bufsize) if "r" in mode else _Writer(sock, mode, bufsize)


class _Connection(cheroot_server.HTTPConnection):
    RequestHandlerClass = _Request

    def __init__(self, server: Any, sock: Any, makefile: Any = None) -> None:
        # The server speaks plain HTTP only (no TLS adapter), so the files are always ours.
        super().__init__(server, sock, _make_file)
        self.fresh = True  # accepted, not yet read from (see _Server.process_conn)
        self._environ: Optional[Dict[str, Any]] = None
        # Whether input past the last common request is buffered: None when unknown.
        self._more: Optional[bool] = None

    def communicate(self) -> bool:
        """Serve requests on this connection for as long as they follow each other closely.

        A common request (see _read_head) is answered here (_answer); anything else goes to
        cheroot's request and gateway objects (super().communicate()), which cost more than
        the whole Amplify operation per request.

        cheroot hands a kept-alive connection back to its selector thread after every request:
        register it, wake the selector, unregister it, queue it, wake a worker. For a client
        that sends its next request as soon as it has the reply (an SDK polling GetJob), that
        hand-over cost as much CPU as answering. Here the worker that answered waits up to
        LINGER_MILLISECONDS for the next request and serves it itself; the connection goes back to
        the selector when it falls silent, when other connections wait for a worker (so a busy
        client cannot starve them), or when the server stops."""
        server = self.server
        queue = server.requests
        poller: Optional[select.poll] = None
        while True:
            keep_open = self._answer()
            if keep_open is None:
                self._more = None
                keep_open = bool(super().communicate())  # type: ignore[no-untyped-call]
            if not keep_open:
                return False
            more = self._more
            if more is None:
                more = self.rfile.has_data()
            if not more:
                if poller is None:
                    poller = select.poll()
                    poller.register(self.socket, select.POLLIN)
                try:
                    if not poller.poll(LINGER_MILLISECONDS):
                        return True
                except (OSError, ValueError):
                    return True
            if not server.ready or queue.qsize:
                return True

    def _answer(self) -> Optional[bool]:
        """Answer the next request if it is a common one: whether to keep the connection open.
        None, with nothing read, for any other request (or none), left to cheroot."""
        server = self.server
        rfile = self.rfile
        try:
            buffered = rfile.peek(1)  # what is buffered; one read of the socket if nothing is
        except OSError:
            return None  # cheroot meets the same error, and answers it as it does
        head = _read_head(buffered, server.max_request_header_size, server.max_request_body_size)
        if head is None:
            return None
        method, uri, path, query, headers, size, length, close = head
        rfile.read(size)
        # Whether the next request is already buffered, known if this body is (its usual case).
        end = size + length
        self._more = len(buffered) > end if len(buffered) >= end else None
        body = cheroot_server.KnownLengthRFile(rfile, length)
        env = self._environ
        if env is None:
            env = self._environ = _connection_environ(server, self)
            env["SERVER_PROTOCOL"] = "HTTP/1.1"
            env["wsgi.input_terminated"] = False
        env = env.copy()
        env.update(headers)
        env["PATH_INFO"] = path
        env["QUERY_STRING"] = query
        env["REQUEST_METHOD"] = _METHODS[method]
        env["REQUEST_URI"] = uri
        env["wsgi.input"] = body
        env["wsgi.errors"] = sys.stderr  # as it is now: a test runner may have replaced it
        exchange = _Exchange(self, method, body, close)
        try:
            response = server.wsgi_app(env, exchange.start_response)
            try:
                write = exchange.write
                for chunk in response:
                    if chunk:
                        if not isinstance(chunk, bytes):
                            raise ValueError("WSGI Applications must yield bytes")
                        write(chunk)
            finally:
                if not exchange.sent:
                    exchange.send_head()
                if exchange.chunked:
                    exchange.hold(b"0\r\n\r\n")
                closing = getattr(response, "close", None)
                if closing is not None:
                    closing()
        except (KeyboardInterrupt, SystemExit):
            raise
        except OSError as error:
            # As cheroot's communicate answers a broken connection: a timeout mid-request is
            # 408, a client gone needs no reply, anything else is 500.
            reason = error.args[0] if error.args else None
            if reason in _TIMEOUTS:
                exchange.error("408 Request Timeout")
            elif reason not in cheroot_errors.socket_errors_to_ignore:
                exchange.error("500 Internal Server Error")
            exchange.close = True
        except Exception:  # noqa: BLE001 - an application's failure is the 500 cheroot sends
            exchange.error("500 Internal Server Error")
        try:
            exchange.flush()
        except OSError:
            return False
        if exchange.close:
            if body.remaining:
                _linger(self.socket, body)
            return False
        return True


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
