"""Webhooks in server mode: the five operations through the AWS CLI, and its webhook URL with curl."""

from __future__ import annotations

import json
import subprocess

from tests.server_support import Served, server_fixture  # noqa: F401  (provides ``server``)
from tests.test_server_cli import aws


def test_aws_cli_manages_webhooks_and_curl_starts_a_build(server: Served) -> None:
    # The AWS CLI (the awscli package) in a subprocess, against the server in a thread.
    client = server.client()
    app_id = server.app_with_branch(client)
    client.create_branch(appId=app_id, branchName="cms")
    created = aws(server.url, "create-webhook", "--app-id", app_id, "--branch-name", "main")["webhook"]
    assert created["description"] == "" and created["appId"] == app_id
    assert created["webhookUrl"].startswith(server.url + "/prod/webhooks?id=" + created["webhookId"])
    hook_id = created["webhookId"]
    assert aws(server.url, "get-webhook", "--webhook-id", hook_id)["webhook"] == created
    updated = aws(server.url, "update-webhook", "--webhook-id", hook_id, "--branch-name", "cms",
                  "--description", "cms content")["webhook"]
    assert (updated["branchName"], updated["description"]) == ("cms", "cms content")
    listed = aws(server.url, "list-webhooks", "--app-id", app_id)["webhooks"]
    assert [w["webhookId"] for w in listed] == [hook_id]

    # The console's curl command, verbatim but for the URL.
    posted = subprocess.run(
        ["curl", "-sS", "--noproxy", "*", "-X", "POST", "-d", "{}",
         f"{created['webhookUrl']}&operation=startbuild", "-H", "Content-Type:application/json"],
        capture_output=True, text=True, timeout=30, check=True,
    )
    assert "SendMessageResponse" in json.loads(posted.stdout)
    jobs = client.list_jobs(appId=app_id, branchName="cms")["jobSummaries"]
    assert [(j["jobType"], j["commitId"]) for j in jobs] == [("WEB_HOOK", "HEAD")]

    assert aws(server.url, "delete-webhook", "--webhook-id", hook_id)["webhook"]["webhookId"] == hook_id
    assert aws(server.url, "list-webhooks", "--app-id", app_id)["webhooks"] == []


def test_concurrent_webhook_posts_each_queue_one_build_with_gap_free_ids(server: Served) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import requests

    client = server.client()
    app_id = server.app_with_branch(client)
    url = client.create_webhook(appId=app_id, branchName="main")["webhook"]["webhookUrl"]

    def post_ten(_: int) -> list:
        with requests.Session() as session:
            session.trust_env = False
            return [session.post(url, json={}, timeout=10).status_code for _ in range(10)]

    with ThreadPoolExecutor(8) as pool:
        statuses = [status for batch in pool.map(post_ten, range(8)) for status in batch]
    assert statuses == [200] * 80
    ids = []
    token = None
    while True:
        page = client.list_jobs(appId=app_id, branchName="main", **({"nextToken": token} if token else {}))
        ids += [int(j["jobId"]) for j in page["jobSummaries"]]
        token = page.get("nextToken")
        if not token:
            break
    assert sorted(ids) == list(range(1, 81))
    assert client.get_branch(appId=app_id, branchName="main")["branch"]["totalNumberOfJobs"] == "80"
