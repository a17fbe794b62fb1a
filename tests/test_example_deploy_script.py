"""examples/deploy_script.py against the mock: the urllib upload, the wait, and the failed step's log."""

from __future__ import annotations

import io
import pathlib
from typing import Any, Callable, Tuple

import pytest

from amplify_mock import AmplifyJobs
from examples.deploy_script import deploy, main

# The fixtures clock, sleep, now, amplify and client; tests using them run under both clocks.
pytest_plugins = ("tests.example_support",)

Branch = Tuple[str, str]
Now = Callable[[], float]


@pytest.fixture
def site(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(b"<h1>shop</h1>")
    (tmp_path / "assets" / "app.js").write_bytes(b"console.log('hi')")
    return tmp_path


@pytest.fixture
def manual_branch(client: Any) -> Branch:
    """(appId, "main") of an app deployed by hand: no repository."""
    app_id = client.create_app(name="shop")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    return app_id, "main"


@pytest.fixture
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # A CI's proxy: the upload and the log download must still reach the mock.
    for key in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(key, "http://127.0.0.1:9")


def test_the_site_is_uploaded_deployed_and_readable_from_the_controller(
    amplify: AmplifyJobs, client: Any, manual_branch: Branch, site: pathlib.Path, sleep: Any, now: Now,
    dead_proxy: None,
) -> None:
    out = io.StringIO()
    status = deploy(client, *manual_branch, str(site), interval=5, out=out, sleep=sleep, clock=now)

    assert status == 0
    assert out.getvalue().splitlines()[-1] == "Deployment 1 succeeded."
    deployed = amplify.deployment(*manual_branch, "1")
    assert deployed.files == {"index.html": b"<h1>shop</h1>", "assets/app.js": b"console.log('hi')"}


def test_a_failed_deployment_prints_the_failed_step_log_with_its_reason(
    amplify: AmplifyJobs, client: Any, manual_branch: Branch, site: pathlib.Path, sleep: Any, now: Now,
    dead_proxy: None,
) -> None:
    amplify.fail_next(*manual_branch, "DEPLOY", "Access Denied: the artifact could not be read")
    out = io.StringIO()
    status = deploy(client, *manual_branch, str(site), interval=5, out=out, sleep=sleep, clock=now)

    assert status == 1
    printed = out.getvalue()
    assert "Deployment 1 FAILED." in printed
    log = printed.split("--- DEPLOY log ---\n", 1)[1]
    assert log.startswith("2024-05-01T12:00:")  # mock time, not the machine's
    assert "[INFO]: Starting Deployment\n" in log
    assert "[ERROR]: !!! Error: Access Denied: the artifact could not be read\n" in log


def test_a_deployment_that_never_finishes_times_out(
    amplify: AmplifyJobs, client: Any, manual_branch: Branch, site: pathlib.Path, sleep: Any, now: Now
) -> None:
    amplify.never_finish_next(*manual_branch)
    out = io.StringIO()
    status = deploy(
        client, *manual_branch, str(site), interval=5, timeout=600, out=out, sleep=sleep, clock=now
    )

    assert status == 1
    assert out.getvalue().splitlines()[-1] == "Timed out after 600s; job 1 is RUNNING."


def test_the_command_line_deploys(
    amplify: AmplifyJobs, client: Any, manual_branch: Branch, site: pathlib.Path, capsys: Any
) -> None:
    amplify.durations = amplify.durations.zero()
    app_id, branch = manual_branch
    assert main(["--app-id", app_id, "--branch", branch, "--dir", str(site)], client=client) == 0
    assert "Deployment 1 succeeded." in capsys.readouterr().out
