"""Every operation the mock serves, through the AWS CLI against ``amplify-mock serve``.

The AWS CLI runs in one child process (its start-up costs about a second), driven by a short
script that calls the CLI's own entry point once per command, with output and errors captured
as a terminal would show them. Each operation is called once where it succeeds and, where a
missing resource can be named, once where it fails with AWS's error code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import pytest
from botocore import xform_name

from amplify_mock._protocol import service_model
from amplify_mock.responses import OPERATIONS
from tests.server_support import Served, server_fixture  # noqa: F401
from tests.test_server_cli import clean_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths in the CLI config")

# Runs in the child: reads [url, [[args...], ...]] from stdin, prints [[rc, stdout, stderr], ...].
_DRIVER = """
import contextlib, io, json, sys
from awscli.clidriver import create_clidriver

url, commands = json.load(sys.stdin)
driver = create_clidriver()
results = []
for args in commands:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = driver.main(["amplify", *args, "--endpoint-url", url, "--region", "us-east-1",
                          "--output", "json"])
    results.append([rc, out.getvalue(), err.getvalue()])
json.dump(results, sys.stdout)
"""

Command = Tuple[str, ...]


def run_cli(url: str, commands: Sequence[Command], config: Path) -> List[Tuple[int, Any, str]]:
    # AWS CLI v1 fetches any https:// parameter as a URL unless told not to (the README says so).
    config.write_text("[default]\ncli_follow_urlparam = false\n")
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER],
        input=json.dumps([url, [list(c) for c in commands]]),
        # One attempt: the CLI would retry the 429 of a busy branch with real sleeps.
        env={**clean_env(), "AWS_CONFIG_FILE": str(config), "AWS_MAX_ATTEMPTS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [
        (rc, json.loads(out) if out.strip() else None, err) for rc, out, err in json.loads(done.stdout)
    ]


def test_every_served_operation_answers_through_the_aws_cli(server: Served, tmp_path: Path) -> None:
    client = server.client()
    app_id = server.app_with_branch(client)
    app_arn = f"arn:aws:amplify:us-east-1:123456789012:apps/{app_id}"
    manual_app = server.app_with_branch(client, repository=None)
    client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
    tested = client.create_app(
        name="tested", repository="https://github.com/acme/tested", accessToken="token",
        buildSpec="test:\n  phases: {}\n",
    )["app"]["appId"]
    client.create_branch(appId=tested, branchName="main")
    client.start_job(appId=tested, branchName="main", jobType="RELEASE")
    server.advance(3600)  # job 1 has ended, so it can be deleted, and the tested one has run TEST
    artifact = client.list_artifacts(appId=tested, branchName="main", jobId="1")["artifacts"][0]["artifactId"]
    hook = client.create_webhook(appId=app_id, branchName="main")["webhook"]["webhookId"]
    main = ("--app-id", app_id, "--branch-name", "main")
    missing_app = ("--app-id", "d0000000000000")

    # (command, arguments, the error code expected, or None for success)
    steps: List[Tuple[Command, str | None]] = [
        (("create-app", "--name", "cli", "--repository", "https://github.com/acme/cli",
          "--access-token", "token"), None),
        (("get-app", "--app-id", app_id), None),
        (("get-app", *missing_app), "NotFoundException"),
        (("list-apps",), None),
        (("update-app", "--app-id", app_id, "--description", "from the CLI"), None),
        (("update-app", *missing_app, "--description", "x"), "NotFoundException"),
        (("create-branch", "--app-id", app_id, "--branch-name", "dev"), None),
        (("create-branch", "--app-id", app_id, "--branch-name", "dev"), "BadRequestException"),
        (("get-branch", *main), None),
        (("get-branch", "--app-id", app_id, "--branch-name", "gone"), "NotFoundException"),
        (("list-branches", "--app-id", app_id), None),
        (("list-branches", *missing_app), "NotFoundException"),
        (("update-branch", *main, "--stage", "PRODUCTION"), None),
        (("update-branch", "--app-id", app_id, "--branch-name", "gone"), "NotFoundException"),
        (("tag-resource", "--resource-arn", app_arn, "--tags", "team=web"), None),
        (("list-tags-for-resource", "--resource-arn", app_arn), None),
        (("untag-resource", "--resource-arn", app_arn, "--tag-keys", "team"), None),
        (("list-tags-for-resource", "--resource-arn", app_arn + "0"), "ResourceNotFoundException"),
        (("get-job", *main, "--job-id", "1"), None),
        (("get-job", *main, "--job-id", "9"), "NotFoundException"),
        (("list-jobs", *main), None),
        (("list-jobs", "--app-id", app_id, "--branch-name", "gone"), "NotFoundException"),
        (("list-artifacts", "--app-id", tested, "--branch-name", "main", "--job-id", "1"), None),
        (("list-artifacts", "--app-id", tested, "--branch-name", "main", "--job-id", "9"),
         "NotFoundException"),
        (("get-artifact-url", "--artifact-id", artifact), None),
        (("get-artifact-url", "--artifact-id", "0" * 36), "NotFoundException"),
        (("delete-job", *main, "--job-id", "1"), None),
        (("delete-job", *main, "--job-id", "1"), "NotFoundException"),
        (("start-job", *main, "--job-type", "RELEASE"), None),
        (("start-job", *main, "--job-type", "RELEASE"), "LimitExceededException"),
        (("stop-job", *main, "--job-id", "2"), None),
        (("stop-job", *main, "--job-id", "9"), "NotFoundException"),
        (("create-deployment", "--app-id", manual_app, "--branch-name", "main"), None),
        (("create-deployment", *main), "BadRequestException"),
        (("start-deployment", "--app-id", manual_app, "--branch-name", "main", "--job-id", "1"), None),
        (("start-deployment", "--app-id", manual_app, "--branch-name", "main", "--job-id", "9"),
         "NotFoundException"),
        (("create-webhook", *main, "--description", "ci"), None),
        (("create-webhook", "--app-id", app_id, "--branch-name", "gone"), "NotFoundException"),
        (("get-webhook", "--webhook-id", hook), None),
        (("get-webhook", "--webhook-id", "0" * 36), "NotFoundException"),
        (("update-webhook", "--webhook-id", hook, "--description", "nightly"), None),
        (("update-webhook", "--webhook-id", "0" * 36, "--description", "x"), "NotFoundException"),
        (("list-webhooks", "--app-id", app_id), None),
        (("list-webhooks", *missing_app), "NotFoundException"),
        (("create-domain-association", "--app-id", app_id, "--domain-name", "example.com",
          "--sub-domain-settings", "prefix=www,branchName=main"), None),
        (("create-domain-association", "--app-id", app_id, "--domain-name", "example.com",
          "--sub-domain-settings", "prefix=www,branchName=main"), "BadRequestException"),
        (("get-domain-association", "--app-id", app_id, "--domain-name", "example.com"), None),
        (("get-domain-association", "--app-id", app_id, "--domain-name", "example.org"), "NotFoundException"),
        (("update-domain-association", "--app-id", app_id, "--domain-name", "example.com",
          "--sub-domain-settings", "prefix=app,branchName=main"), None),
        (("update-domain-association", "--app-id", app_id, "--domain-name", "example.org",
          "--sub-domain-settings", "prefix=app,branchName=main"), "NotFoundException"),
        (("generate-access-logs", "--app-id", app_id, "--domain-name", "example.com"), None),
        (("generate-access-logs", "--app-id", app_id, "--domain-name", "example.org"), "NotFoundException"),
        (("list-domain-associations", "--app-id", app_id), None),
        (("list-domain-associations", *missing_app), "NotFoundException"),
        (("create-backend-environment", "--app-id", app_id, "--environment-name", "staging"), None),
        (("create-backend-environment", "--app-id", app_id, "--environment-name", "staging"),
         "BadRequestException"),
        (("get-backend-environment", "--app-id", app_id, "--environment-name", "staging"), None),
        (("get-backend-environment", "--app-id", app_id, "--environment-name", "prod"), "NotFoundException"),
        (("list-backend-environments", "--app-id", app_id), None),
        (("list-backend-environments", *missing_app), "NotFoundException"),
        (("delete-backend-environment", "--app-id", app_id, "--environment-name", "staging"), None),
        (("delete-backend-environment", "--app-id", app_id, "--environment-name", "staging"),
         "NotFoundException"),
        (("delete-domain-association", "--app-id", app_id, "--domain-name", "example.com"), None),
        (("delete-domain-association", "--app-id", app_id, "--domain-name", "example.com"),
         "NotFoundException"),
        (("delete-webhook", "--webhook-id", hook), None),
        (("delete-webhook", "--webhook-id", hook), "NotFoundException"),
        (("delete-branch", "--app-id", app_id, "--branch-name", "dev"), None),
        (("delete-branch", "--app-id", app_id, "--branch-name", "dev"), "NotFoundException"),
        (("delete-app", "--app-id", manual_app), None),
        (("delete-app", "--app-id", manual_app), "NotFoundException"),
    ]

    cli_names = {xform_name(name, "-"): name for name in service_model().operation_names}
    called = {cli_names[command[0]] for command, _ in steps}
    assert called == set(OPERATIONS), "every served operation is called through the CLI"

    results = run_cli(server.url, [command for command, _ in steps], tmp_path / "config")

    replies: Dict[str, Any] = {}
    for (command, error), (rc, output, stderr) in zip(steps, results):
        operation = cli_names[command[0]]
        if error is None:
            assert rc == 0, (command, stderr)
            replies.setdefault(command[0], output)
        else:
            assert rc != 0, (command, output)
            # The CLI's own wording, as users paste it.
            assert f"An error occurred ({error}) when calling the {operation} operation" in stderr, (
                command,
                stderr,
            )

    assert replies["create-app"]["app"]["name"] == "cli"
    assert replies["update-app"]["app"]["description"] == "from the CLI"
    assert replies["list-tags-for-resource"]["tags"] == {"team": "web"}
    assert replies["start-job"]["jobSummary"]["jobId"] == "2"
    assert replies["stop-job"]["jobSummary"]["status"] == "CANCELLING"
    assert replies["create-deployment"]["zipUploadUrl"].startswith(server.url)
    assert len(replies["list-artifacts"]["artifacts"]) == 2
    assert replies["get-artifact-url"]["artifactUrl"].startswith(server.url)
    assert replies["start-deployment"]["jobSummary"]["jobType"] == "MANUAL"
    assert replies["update-webhook"]["webhook"]["description"] == "nightly"
    assert replies["get-domain-association"]["domainAssociation"]["domainName"] == "example.com"
    assert replies["generate-access-logs"]["logUrl"].startswith(server.url + "/_amplify_mock/accesslogs/")
    assert replies["create-backend-environment"]["backendEnvironment"]["environmentName"] == "staging"
    # What the CLI changed, seen through boto3 afterwards.
    assert [b["branchName"] for b in client.list_branches(appId=app_id)["branches"]] == ["main"]
    assert client.list_webhooks(appId=app_id)["webhooks"][0]["description"] == "ci"
    assert client.list_domain_associations(appId=app_id)["domainAssociations"] == []
    assert [a["appId"] for a in client.list_apps()["apps"]].count(manual_app) == 0
