"""``python -m amplify_mock serve`` as a process, and the AWS CLI driving a server."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from typing import Any, Dict, Iterator, List, Optional

import pytest

from amplify_mock.server import main
from tests.server_support import Served, server_fixture  # noqa: F401

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[str], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early: {process.communicate()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listened on port {port} within {timeout} s")


def clean_env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        NO_PROXY="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(name="served_process")
def served_process_fixture(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Start ``python -m amplify_mock <args> --port N``; the finalizer kills it if still alive."""
    started: List[subprocess.Popen[str]] = []

    def start(*args: str) -> Any:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "amplify_mock", *args, "--port", str(port)],
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        wait_until_listening(port, process)
        return process, f"http://127.0.0.1:{port}"

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def boto_client(url: str) -> Any:
    import boto3

    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing").client(
        "amplify", region_name="us-east-1", endpoint_url=url
    )


@pytest.mark.parametrize(
    ("args", "stop_with"),
    [(("serve", "--host", "127.0.0.1"), signal.SIGTERM), ((), signal.SIGINT)],
    ids=["serve-SIGTERM", "no-subcommand-SIGINT"],
)
def test_the_process_serves_and_stops_cleanly_on_a_signal(
    served_process: Any, args: Any, stop_with: signal.Signals
) -> None:
    process, url = served_process(*args)
    client = boto_client(url)
    app_id = client.create_app(
        name="shop", repository="https://github.com/acme/shop", accessToken="token"
    )["app"]["appId"]
    client.create_branch(appId=app_id, branchName="feature/x")
    started = client.start_job(appId=app_id, branchName="feature/x", jobType="RELEASE")["jobSummary"]
    assert started["jobId"] == "1"

    process.send_signal(stop_with)
    _, stderr = process.communicate(timeout=15)

    assert process.returncode == 0, stderr
    assert f"serving AWS Amplify on {url}" in stderr
    assert "Traceback" not in stderr
    assert "POST /apps" not in stderr  # quiet: no line per request


def test_help_lists_the_serve_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--help"])

    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "--host" in out and "--port" in out


# The AWS CLI (the awscli package) against a server in a thread


def aws(url: str, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "awscli", "amplify", *args,
         "--endpoint-url", url, "--region", "us-east-1", "--output", "json"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_aws_cli_start_get_list_and_stop_jobs(server: Served) -> None:
    client = server.client()
    app_id = server.app_with_branch(client, "feature/cli")
    where = ("--app-id", app_id, "--branch-name", "feature/cli")

    started = aws(server.url, "start-job", *where, "--job-type", "RELEASE", "--commit-id", "abc123")
    assert started["jobSummary"]["jobId"] == "1"
    assert started["jobSummary"]["status"] == "PENDING"

    # A second release while the first is pending: the CLI prints AWS's refusal as users quote
    # it ("... StartJob operation (reached max retries: 2): The requested branch ..."), here
    # after one attempt, so that it does not sleep between retries.
    busy = subprocess.run(
        [sys.executable, "-m", "awscli", "amplify", "start-job", *where, "--job-type", "RELEASE",
         "--endpoint-url", server.url, "--region", "us-east-1"],
        env={**clean_env(), "AWS_MAX_ATTEMPTS": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert busy.returncode != 0
    assert (
        "An error occurred (LimitExceededException) when calling the StartJob operation (reached max "
        "retries: 0): The requested branch feature/cli already have pending or running jobs"
    ) in busy.stderr

    got = aws(server.url, "get-job", *where, "--job-id", "1")
    assert got["job"]["summary"]["commitId"] == "abc123"

    stopped = aws(server.url, "stop-job", *where, "--job-id", "1")
    assert stopped["jobSummary"]["status"] == "CANCELLING"
    client.start_job(appId=app_id, branchName="feature/cli", jobType="RELEASE")  # waits for the cancelling

    listed = aws(server.url, "list-jobs", *where)
    assert [j["jobId"] for j in listed["jobSummaries"]] == ["2", "1"]
    server.advance(3600)
    assert client.get_job(appId=app_id, branchName="feature/cli", jobId="1")["job"]["summary"]["status"] == (
        "CANCELLED"
    )
    assert client.get_job(appId=app_id, branchName="feature/cli", jobId="2")["job"]["summary"]["status"] == (
        "SUCCEED"
    )


def test_aws_cli_reports_a_missing_job(server: Served) -> None:
    app_id = server.app_with_branch(server.client())

    done = subprocess.run(
        [sys.executable, "-m", "awscli", "amplify", "get-job", "--app-id", app_id, "--branch-name", "main",
         "--job-id", "9", "--endpoint-url", server.url, "--region", "us-east-1"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode != 0
    assert "NotFoundException" in done.stderr


def test_a_port_already_in_use_is_one_line_and_exit_status_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"amplify-mock: cannot listen on 127.0.0.1:{port}: ")
    assert "in use" in err and "Traceback" not in err and err.count("\n") == 1


# AWS CLI v2 (not on PyPI: installed from its own installer or a distribution's package), where
# one is installed: its own flags and output formats against the server.


def aws_cli_v2() -> Optional[str]:
    """An AWS CLI v2 executable: AMPLIFY_MOCK_AWS_CLI_V2, else the first ``aws`` on PATH (or
    /usr/bin/aws, a distribution's) whose version is 2."""
    named = os.environ.get("AMPLIFY_MOCK_AWS_CLI_V2")
    places = os.environ.get("PATH", "").split(os.pathsep) + ["/usr/bin", "/usr/local/bin"]
    candidates = [named] if named else [os.path.join(place, "aws") for place in places if place]
    for candidate in candidates:
        if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
            continue
        try:
            version = subprocess.run(
                [candidate, "--version"], env=clean_env(), capture_output=True, text=True, timeout=30
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        if version.startswith("aws-cli/2."):
            return candidate
    return None


def test_aws_cli_v2_flags_against_the_server(server: Served, tmp_path: Any) -> None:
    cli = aws_cli_v2()
    if cli is None:
        pytest.skip("no AWS CLI v2 installed (AMPLIFY_MOCK_AWS_CLI_V2 names one)")

    def v2(*args: str) -> str:
        done = subprocess.run(
            [cli, "amplify", *args, "--endpoint-url", server.url, "--region", "us-west-2", "--no-cli-pager"],
            env={**clean_env(), "AWS_MAX_ATTEMPTS": "1"}, capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    # v2 takes https:// parameters as they are (no cli_follow_urlparam), and YAML input.
    app_id = v2("create-app", "--name", "cli2", "--repository", "https://github.com/acme/shop",
                "--access-token", "token", "--query", "app.appId", "--output", "text").strip()
    assert v2("create-app", "--cli-input-yaml", "name: from-yaml", "--query", "app.name",
              "--output", "text").strip() == "from-yaml"
    v2("create-branch", "--app-id", app_id, "--branch-name", "main")
    # Timestamps: v2 prints ISO 8601 (the server sends epoch seconds, as AWS does).
    started = v2("start-job", "--app-id", app_id, "--branch-name", "main", "--job-type", "RELEASE",
                 "--output", "yaml")
    assert "jobId: '1'" in started and "status: PENDING" in started
    assert re.search(r"startTime: '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00'", started)
    request = tmp_path / "stop.json"
    request.write_text(json.dumps({"appId": app_id, "branchName": "main", "jobId": "1"}))
    assert v2("stop-job", "--cli-input-json", f"file://{request}", "--query", "jobSummary.status",
              "--output", "text").strip() == "CANCELLING"
    assert v2("list-apps", "--page-size", "1", "--query", "apps[].name", "--output", "text").split() == [
        "cli2", "from-yaml"
    ]
    missing = subprocess.run(
        [cli, "amplify", "get-job", "--app-id", app_id, "--branch-name", "main", "--job-id", "9",
         "--endpoint-url", server.url, "--region", "us-west-2"],
        env=clean_env(), capture_output=True, text=True, timeout=60,
    )
    assert missing.returncode == 254  # v2's status for an error the service answered
    assert "An error occurred (NotFoundException) when calling the GetJob operation: Job 9 not found" in (
        missing.stderr
    )
