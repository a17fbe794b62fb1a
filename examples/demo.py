"""Demo: deploy scripts from examples/ run against amplify_mock, with a frozen clock and no waiting.

Run it from the repository root::

    .venv/bin/python examples/demo.py

It creates an app and a branch, scripts the second build to fail, releases twice with
``release_and_wait``, deploys a zip by hand with ``deploy_zip``, and prints each job's timeline:
the statuses the poller saw and every step, with times relative to the job's start.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from typing import Any, Optional, Sequence

if __package__ in (None, ""):
    # Run as a script: make the repository root importable, for `examples.*`.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import boto3  # noqa: E402
from freezegun import freeze_time  # noqa: E402

from amplify_mock import Outcome, mock_amplify_jobs  # noqa: E402
from examples.manual_deploy import deploy_zip, zip_files  # noqa: E402
from examples.release_and_wait import JobOutcome, release_and_wait  # noqa: E402

START = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
POLL_INTERVAL = 1.0  # seconds of mock time; small, so the timeline shows each change when it happens


def _seconds(moment: Optional[datetime], origin: datetime) -> str:
    if moment is None:
        return "—"
    return f"+{(moment - origin).total_seconds():.0f}s"


def print_timeline(title: str, outcome: JobOutcome) -> None:
    """Print one job: how it ended, each status seen, and each step with its times."""
    origin = outcome.start_time
    print(f"{title}: job {outcome.job_id} {outcome.status}")
    print(f"  started {origin.astimezone(timezone.utc).isoformat()}, "
          f"ended {_seconds(outcome.end_time, origin)}")
    print("  status:")
    for change in outcome.timeline:
        print(f"    {'+%.0fs' % change.elapsed:>7}  {change.status}")
    print("  steps:")
    for step in outcome.steps:
        span = f"{_seconds(step.start_time, origin)} → {_seconds(step.end_time, origin)}"
        print(f"    {step.name:<7} {span:<16} {step.status}")
        if step.reason:
            print(f"            reason: {step.reason}")
    print()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the demo and print the timelines; returns the exit status."""
    with freeze_time(START) as frozen, mock_amplify_jobs() as amplify:
        client: Any = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(
            name="shop", repository="https://github.com/acme/shop", accessToken="token"
        )["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        # Manual deployments are for apps without a repository; AWS refuses them on the others.
        site_id = client.create_app(name="shop-static")["app"]["appId"]
        client.create_branch(appId=site_id, branchName="main")
        amplify.script(
            app_id, "main",
            Outcome.succeed(),
            Outcome.fail("BUILD", "Build failed: npm ERR! Missing script: \"build\" (exit code 1)."),
        )
        print(f"amplify_mock demo: app {app_id}, branch main, clock frozen at {START.isoformat()}\n")

        def sleep(seconds: float) -> None:
            frozen.tick(seconds)  # mock time moves; nothing waits

        first = release_and_wait(
            client, app_id, "main", commit_message="Add checkout page", interval=POLL_INTERVAL, sleep=sleep
        )
        print_timeline("Release 1 (succeeds)", first)
        second = release_and_wait(
            client, app_id, "main", commit_message="Break the build", interval=POLL_INTERVAL, sleep=sleep
        )
        print_timeline("Release 2 (scripted to fail at BUILD)", second)
        site = zip_files({"index.html": b"<h1>shop</h1>"})
        manual = deploy_zip(client, site_id, "main", site, interval=POLL_INTERVAL, sleep=sleep)
        print_timeline("Manual deployment of a zip", manual)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
