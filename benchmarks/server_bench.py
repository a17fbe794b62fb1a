"""Server mode, side by side in one run: GetJob over one kept-alive connection against
``amplify-mock serve`` (cheroot), against the same application on werkzeug's development server
(the engine used before), and moto's own server (``moto_server``) answering a comparable
rest-json call, EventBridge Scheduler's GetScheduleGroup.

Each server runs in its own process; its CPU time (user + system, from /proc) is read before
and after the timed calls, so the client's own work is not counted. The client is the same
``http.client`` connection for all three; it reconnects when a server closes the connection
after each reply (werkzeug's development server does, so moto's server does).

    pip install 'moto[server]'    # moto_server's own dependencies (Flask), for this benchmark only
    python benchmarks/server_bench.py [--calls 3000] [--rounds 3] [--floor] [--baseline DIR]

``--floor`` adds what the engine costs alone: the server's engine and cheroot as shipped, each
answering every request with a constant reply of GetJob's size from a trivial WSGI application,
and the floor of HTTP in Python (a thread per connection reading lines, one send per reply).

``--baseline DIR`` adds ``amplify-mock serve`` run from another copy of the package (DIR holds
its ``amplify_mock`` directory, e.g. ``git worktree add /tmp/before <commit>``), timed in turns
with the rest: a change's before and after, side by side in one run.

Prints the figures and whether each target is met; it never fails on timings.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Tuple

# A signature's scope is how moto's server tells services apart; neither server checks it.
AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)
WERKZEUG = """
import sys
from werkzeug.serving import run_simple
from amplify_mock.server import _fresh_state, wsgi_app
_fresh_state()
run_simple("127.0.0.1", int(sys.argv[1]), wsgi_app, threaded=True)
"""
# A constant reply of about GetJob's size, served by the engine alone (--floor).
CONSTANT = """
import sys
from cheroot import wsgi
from amplify_mock._http import WSGIServer
BODY = b'{"job": {"summary": {"jobId": "1", "status": "RUNNING"}, "steps": []}}' * 16
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
if sys.argv[1] == "engine":
    WSGIServer(app, "127.0.0.1", int(sys.argv[2])).serve_forever()
elif sys.argv[1] == "stock":
    wsgi.Server(("127.0.0.1", int(sys.argv[2])), app, numthreads=16).safe_start()
else:  # the floor of HTTP in Python: a thread per connection, lines split, one send per reply
    import socket, threading
    REPLY = b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\n"
    REPLY += b"Content-Length: %d\\r\\n\\r\\n" % len(BODY)
    def serve(conn):
        stream = conn.makefile("rb")
        while stream.readline(65537):
            headers = {}
            while (line := stream.readline(65537)) not in (b"\\r\\n", b""):
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            stream.read(int(headers.get(b"content-length", 0)))
            conn.sendall(REPLY + BODY)
    listener = socket.create_server(("127.0.0.1", int(sys.argv[2])))
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_average() -> str:
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, name: str, command: List[str], path: Optional[str] = None) -> None:
        self.name = name
        self.port = free_port()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        cwd = None
        if path is not None:
            # That copy first on the path, and a working directory without another amplify_mock
            # (``python -m`` puts the working directory first).
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [path, env.get("PYTHONPATH")]))
            cwd = path
        self.process = subprocess.Popen(
            [*command, str(self.port)],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"{name} did not start") from None
                time.sleep(0.05)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def call(self, method: str, path: str, service: str, body: Optional[dict] = None) -> Tuple[int, bytes]:
        headers = {"Authorization": AUTH.format(service=service), "X-Amz-Date": "20260101T000000Z"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # The server closed the kept connection between two calls: open another, as any
            # HTTP client does.
            self.connection.close()
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
        return response.status, response.read()

    def stop(self) -> None:
        self.connection.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def amplify_get_job(server: Server) -> Callable[[], None]:
    app = {"name": "shop", "repository": "https://github.com/a/b", "accessToken": "token"}
    status, body = server.call("POST", "/apps", "amplify", app)
    assert status == 200, body
    app_id = json.loads(body)["app"]["appId"]
    server.call("POST", f"/apps/{app_id}/branches", "amplify", {"branchName": "main"})
    server.call("POST", f"/apps/{app_id}/branches/main/jobs", "amplify", {"jobType": "RELEASE"})
    path = f"/apps/{app_id}/branches/main/jobs/1"

    def get_job() -> None:
        status, body = server.call("GET", path, "amplify")
        assert status == 200, body

    return get_job


def moto_get_schedule_group(server: Server) -> Callable[[], None]:
    status, body = server.call("POST", "/schedule-groups/bench", "scheduler", {})
    assert status == 200, body

    def get_schedule_group() -> None:
        status, body = server.call("GET", "/schedule-groups/bench", "scheduler")
        assert status == 200, body

    return get_schedule_group


def constant_reply(server: Server) -> Callable[[], None]:
    def call() -> None:
        status, body = server.call("GET", "/apps/a/branches/main/jobs/1", "amplify")
        assert status == 200, body

    return call


def measure(server: Server, call: Callable[[], None], calls: int) -> Tuple[float, float]:
    """(calls per second, server CPU microseconds per call)."""
    for _ in range(min(300, calls)):
        call()
    cpu = cpu_seconds(server.process.pid)
    start = time.perf_counter()
    for _ in range(calls):
        call()
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds(server.process.pid) - cpu
    return calls / elapsed, cpu / calls * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--floor", action="store_true", help="also time the engine alone")
    parser.add_argument("--baseline", metavar="DIR", help="also time amplify_mock from DIR (before a change)")
    args = parser.parse_args()
    if not os.path.exists(f"/proc/{os.getpid()}/stat"):
        print("server_bench reads each server's CPU time from /proc: Linux only.")
        return 0

    python = sys.executable
    servers = {
        "amplify-mock serve (cheroot)": (
            Server("cheroot", [python, "-m", "amplify_mock", "serve", "--port"]), amplify_get_job
        ),
        "same app on werkzeug's dev server (old engine)": (
            Server("werkzeug", [python, "-c", WERKZEUG]), amplify_get_job
        ),
        "moto_server GetScheduleGroup": (
            Server("moto", [python, "-m", "moto.server", "-H", "127.0.0.1", "-p"]), moto_get_schedule_group
        ),
    }
    if args.baseline:
        baseline = os.path.abspath(args.baseline)
        if not os.path.isdir(os.path.join(baseline, "amplify_mock")):
            parser.error(f"{baseline} holds no amplify_mock directory")
        servers["amplify-mock serve from --baseline"] = (
            Server("baseline", [python, "-m", "amplify_mock", "serve", "--port"], baseline), amplify_get_job
        )
    if args.floor:
        servers["engine alone, constant reply"] = (
            Server("engine", [python, "-c", CONSTANT, "engine"]), constant_reply
        )
        servers["cheroot as shipped, constant reply"] = (
            Server("stock", [python, "-c", CONSTANT, "stock"]), constant_reply
        )
        servers["bare Python socket loop, constant reply"] = (
            Server("socket", [python, "-c", CONSTANT, "socket"]), constant_reply
        )
    results: Dict[str, List[Tuple[float, float]]] = {name: [] for name in servers}
    load = [load_average()]
    try:
        calls = {name: setup(server) for name, (server, setup) in servers.items()}
        for _ in range(args.rounds):  # in turns, so a slow spell of the machine falls on all
            for name, (server, _) in servers.items():
                results[name].append(measure(server, calls[name], args.calls))
    finally:
        for server, _ in servers.values():
            server.stop()

    print(f"{args.calls} calls x {args.rounds} rounds, medians; Python {sys.version.split()[0]}")
    print(f"{'server':50} {'calls/s':>9} {'server CPU/call':>16}")
    medians = {}
    for name, rounds in results.items():
        rate = statistics.median(r for r, _ in rounds)
        cpu = statistics.median(c for _, c in rounds)
        medians[name] = (rate, cpu)
        print(f"{name:50} {rate:9.0f} {cpu:13.0f} us")
    new, old, moto = (medians[name] for name in list(servers)[:3])
    throughput = new[0] / moto[0]
    cpu_ratio = old[1] / new[1]
    print(f"GetJob throughput vs moto_server: {throughput:.1f}x (target >= 8x): "
          f"{'met' if throughput >= 8 else 'missed'}")
    print(f"server CPU per GetJob, old engine / new: {cpu_ratio:.1f}x less (target >= 4x): "
          f"{'met' if cpu_ratio >= 4 else 'missed'}")
    if args.baseline:
        before = medians["amplify-mock serve from --baseline"]
        print(f"--baseline: {before[1]:.0f} us, {old[1] / before[1]:.1f}x less than the old engine; "
              f"this copy {before[1] / new[1]:.2f}x less than the baseline")
    print(f"load average before and after: {load[0]} / {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
