"""A reset racing other calls: every call sees the state from before the reset or from after it,
never a 500 or an error that neither state explains."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, List

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from amplify_mock import AmplifyBackend, mock_amplify_jobs
from tests.server_support import REPO, Served, server_fixture  # noqa: F401

WORKERS = 6
RESETS = 60
# No retry: a 500 retried into a success would hide the failure this file looks for.
NO_RETRY = Config(retries={"mode": "standard", "max_attempts": 1})


@pytest.fixture(autouse=True)
def slow_backend_init(monkeypatch: pytest.MonkeyPatch) -> None:
    # A reset builds each backend's fresh state with AmplifyBackend.__init__; making that take a
    # millisecond (and give up the GIL) lets the other threads' calls land inside every reset,
    # where a backend being reset in place would have no lock and no apps.
    original = AmplifyBackend.__init__

    def slow_init(self: AmplifyBackend, *args: Any, **kwargs: Any) -> None:
        time.sleep(0.001)
        original(self, *args, **kwargs)

    monkeypatch.setattr(AmplifyBackend, "__init__", slow_init)


class Resets:
    """Resets, once every worker is under way, and counts those begun and those finished, so a
    worker can tell whether one may have come during its calls."""

    def __init__(self, reset: Callable[[], None]) -> None:
        self._reset = reset
        self.begun = 0
        self.finished = 0
        self.ready = threading.Barrier(WORKERS + 1, timeout=60)
        self.done = threading.Event()

    def run(self) -> None:
        try:
            self.ready.wait()
            for _ in range(RESETS):
                self.begun += 1
                self._reset()
                self.finished += 1
                time.sleep(0.001)  # let the workers make something for the next reset to forget
        finally:
            self.done.set()


def _work(client: Any, resets: Resets, failures: List[str]) -> None:
    """Create an app, a branch and a job, then read them back, until the resets are over.

    Allowed: success, or NotFoundException when a reset unfinished when the thing was made has
    begun since (the state after it). Anything else (a 500, an error from a half-reset backend)
    is a failure."""
    client.list_apps()  # the client's first call loads its models: not part of the race
    resets.ready.wait()
    while not resets.done.is_set():
        before = resets.finished
        try:
            app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
            client.create_branch(appId=app_id, branchName="main")
            job = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]
            got = client.get_job(appId=app_id, branchName="main", jobId=job["jobId"])["job"]
            assert got["summary"]["jobId"] == job["jobId"]
            listed = client.list_jobs(appId=app_id, branchName="main")["jobSummaries"]
            assert [j["jobId"] for j in listed] == [job["jobId"]]
            client.get_app(appId=app_id)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code != "NotFoundException" or resets.begun == before:
                failures.append(f"{code} with no reset since the app was made: {error}")
                return
        except Exception as error:  # noqa: BLE001 - any other failure is reported, not raised here
            failures.append(f"{type(error).__name__}: {error}")
            return


def _race(clients: List[Any], reset: Callable[[], None]) -> List[str]:
    resets = Resets(reset)
    failures: List[str] = []
    threads = [threading.Thread(target=_work, args=(c, resets, failures)) for c in clients]
    for thread in threads:
        thread.start()
    resets.run()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return failures


def test_controller_reset_racing_calls_in_process() -> None:
    with mock_amplify_jobs() as amplify:
        session = boto3.session.Session()
        clients = [
            session.client("amplify", region_name="us-east-1", config=NO_RETRY) for _ in range(WORKERS)
        ]
        failures = _race(clients, amplify.reset)
        assert failures == []
        # And the mock still works afterwards.
        amplify.reset()
        assert clients[0].list_apps()["apps"] == []


def test_reset_endpoint_racing_clients_of_the_server(server: Served) -> None:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    clients = [
        session.client("amplify", region_name="us-east-1", endpoint_url=server.url, config=NO_RETRY)
        for _ in range(WORKERS)
    ]

    def reset() -> None:
        response = server.control("POST", "reset")
        assert response.status_code == 200, response.text

    assert _race(clients, reset) == []
    reset()
    assert clients[0].list_apps()["apps"] == []
