"""Whatever a caller does to a branch through boto3, the lifecycle's invariants hold.

For any sequence of StartJob / StopJob / DeleteJob / clock jumps on two branches: StartJob is
refused (429) exactly when the branch has a job PENDING, PROVISIONING or RUNNING, at most one
job per branch is past PENDING and unfinished, at most ``max_concurrent_jobs`` in the region,
statuses only move forward along the lifecycle, and job ids are never handed out twice.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from amplify_mock import Outcome, mock_amplify_jobs
from tests.clocks import CLOCKS, frozen_clock

BRANCHES = ("main", "dev")
RANK = {
    "PENDING": 0,
    "PROVISIONING": 1,
    "RUNNING": 2,
    "CANCELLING": 3,
    "SUCCEED": 4,
    "FAILED": 4,
    "CANCELLED": 4,
}
TERMINAL = {"SUCCEED", "FAILED", "CANCELLED"}
# A job stopped while PENDING is CANCELLING without ever running, so CANCELLING is not counted.
ACTIVE = {"PROVISIONING", "RUNNING"}
# What makes AWS refuse a StartJob on the branch; a CANCELLING job does not.
BUSY = {"PENDING", "PROVISIONING", "RUNNING"}
OUTCOMES = {
    "succeed": Outcome.succeed(),
    "fail": Outcome.fail("DEPLOY", "deploy failed"),
    "hang": Outcome.never_finish(),
}

branch = st.sampled_from(BRANCHES)
actions = st.one_of(
    st.tuples(st.just("start"), branch, st.sampled_from(sorted(OUTCOMES))),
    st.tuples(st.just("stop"), branch, st.integers(0, 7)),
    st.tuples(st.just("delete"), branch, st.integers(0, 7)),
    st.tuples(st.just("advance"), branch, st.sampled_from([0, 1, 2, 5, 15, 60, 175, 3600])),
)


def check_invariants(client, app, seen, admitted, max_concurrent):
    past_pending = 0
    for name in BRANCHES:
        summaries = client.list_jobs(appId=app, branchName=name)["jobSummaries"]
        for summary in summaries:
            if summary["status"] in {"PROVISIONING", "RUNNING"}:
                admitted.add((name, summary["jobId"]))
        # A job stopped while still PENDING is CANCELLING without ever having been provisioned:
        # it holds neither its branch nor a regional slot. Jobs are checked after every call and
        # none is admitted and stopped within one call, so "seen past PENDING" is exact.
        active = [
            s["jobId"]
            for s in summaries
            if s["status"] in ACTIVE and (s["status"] != "CANCELLING" or (name, s["jobId"]) in admitted)
        ]
        assert len(active) <= 1, f"branch {name} runs jobs {active} at once"
        past_pending += len(active)
        for summary in summaries:
            key = (name, summary["jobId"])
            before, now = seen.get(key, "PENDING"), summary["status"]
            assert RANK[now] >= RANK[before], f"job {key} went back from {before} to {now}"
            assert before not in TERMINAL or now == before, f"job {key} left {before} for {now}"
            assert ("endTime" in summary) == (now in TERMINAL)
            seen[key] = now
    assert past_pending <= max_concurrent


@pytest.mark.parametrize("clock_name", CLOCKS)
@settings(max_examples=25, deadline=None)
@given(steps=st.lists(actions, max_size=10), max_concurrent=st.sampled_from([1, 5]))
def test_any_sequence_of_calls_keeps_the_lifecycle_invariants(clock_name, steps, max_concurrent):
    with frozen_clock(clock_name) as clock, mock_amplify_jobs() as amplify:
        amplify.max_concurrent_jobs = max_concurrent
        client = boto3.client("amplify", region_name="us-east-1")
        app = client.create_app(
            name="prop", repository="https://github.com/acme/prop", accessToken="token"
        )["app"]["appId"]
        for name in BRANCHES:
            client.create_branch(appId=app, branchName=name)
        started = {name: [] for name in BRANCHES}
        seen = {}
        admitted = set()
        for action, name, arg in steps:
            if action == "start":
                # `seen` holds every job's status as of now (checked after every call); a
                # deleted job had ended, so it never counts.
                if any(status in BUSY for (on, _), status in seen.items() if on == name):
                    with pytest.raises(client.exceptions.LimitExceededException):
                        client.start_job(appId=app, branchName=name, jobType="RELEASE")
                else:
                    amplify.script(app, name, OUTCOMES[arg])
                    summary = client.start_job(appId=app, branchName=name, jobType="RELEASE")["jobSummary"]
                    job_id = summary["jobId"]
                    assert job_id not in started[name], f"job id {job_id} handed out twice on {name}"
                    started[name].append(job_id)
            elif action == "advance":
                clock.advance(arg)
            elif started[name]:
                job_id = started[name][arg % len(started[name])]
                call = client.stop_job if action == "stop" else client.delete_job
                try:
                    call(appId=app, branchName=name, jobId=job_id)
                except ClientError as error:
                    assert error.response["Error"]["Code"] in {"BadRequestException", "NotFoundException"}
            check_invariants(client, app, seen, admitted, max_concurrent)
        for name in BRANCHES:
            assert started[name] == [str(i) for i in range(1, len(started[name]) + 1)]
