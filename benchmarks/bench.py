"""How much a test pays for amplify_mock, next to botocore's Stubber and to moto.

    python benchmarks/bench.py            # full run (100,000 jobs), about a minute
    python benchmarks/bench.py --quick    # fewer calls, 20,000 jobs: a smoke run

Every figure is the median of many single calls timed with ``perf_counter``; per-call figures
are taken in interleaved rounds (mock, Stubber, moto peer, then again), ratios being the median
of the rounds' ratios, so a slow spell of a shared machine falls on all three alike. Three clients
make the same kind of boto3 call: an Amplify client under ``mock_amplify_jobs`` (the mock),
an Amplify client under botocore's ``Stubber`` with canned replies (the floor: botocore builds
the request, the Stubber answers at before-call, so nothing is serialized back or parsed), and
a moto rest-json service under ``moto.mock_aws()`` (the peer: EventBridge Scheduler's
GetScheduleGroup / ListScheduleGroups / CreateScheduleGroup).

The scale section creates its jobs through the backend API (``AmplifyBackend.start_job``) with
``Durations.zero()``, so every job has run to SUCCEED when it is read and creating 100,000 takes
seconds, and then reads them through boto3. Not collected by pytest (the test path is tests/).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from typing import Any, Callable, Dict, List, Tuple

import boto3
import moto
from botocore.stub import Stubber

import amplify_mock
from amplify_mock import Durations, mock_amplify_jobs

REGION = "us-east-1"
REPO = "https://github.com/acme/shop"
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")

results: List[Tuple[str, bool, str]] = []


def median_us(call: Callable[[], Any], n: int, warmup: int = 50) -> float:
    for _ in range(warmup):
        call()
    timings = []
    clock = time.perf_counter
    for _ in range(n):
        start = clock()
        call()
        timings.append(clock() - start)
    return statistics.median(timings) * 1e6


def target(name: str, holds: bool, detail: str) -> None:
    results.append((name, holds, detail))


def amplify() -> Any:
    return boto3.client("amplify", region_name=REGION)


def per_call(n: int, rounds: int = 10) -> None:
    print(f"\n## 1. Median microseconds per call ({n} calls each, in {rounds} interleaved rounds)\n")
    # All three sides are set up at once and timed in turns, round after round, so a slow spell
    # of the machine falls on all of them alike; a ratio is the median of the rounds' ratios.
    with moto.mock_aws(), mock_amplify_jobs() as controller:
        # The mock. AWS refuses a StartJob while the branch has a job pending or running, so the
        # history is made of jobs that end at once, then one that runs during the timing; the
        # timed StartJobs go to a branch whose jobs end at once.
        client = amplify()
        app_id = client.create_app(name="shop", repository=REPO)["app"]["appId"]
        for branch in ("main", "fast"):
            client.create_branch(appId=app_id, branchName=branch)
            controller.branch_durations(app_id, branch, Durations.zero())
        for _ in range(60):
            client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
        controller.branch_durations(app_id, "main", Durations())
        live = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]["jobId"]
        get_reply = client.get_job(appId=app_id, branchName="main", jobId=live)
        list_reply = client.list_jobs(appId=app_id, branchName="main", maxResults=50)
        start_reply = client.start_job(appId=app_id, branchName="fast", jobType="RELEASE")
        mock: Dict[str, Callable[[], Any]] = {
            "GetJob": lambda: client.get_job(appId=app_id, branchName="main", jobId=live),
            "ListJobs": lambda: client.list_jobs(appId=app_id, branchName="main", maxResults=50),
            "StartJob": lambda: client.start_job(appId=app_id, branchName="fast", jobType="RELEASE"),
        }

        # The floor: the same calls, answered with the mock's own replies by botocore's Stubber
        # (it answers at before-call, ahead of the mock).
        stub_client = amplify()
        stubber = Stubber(stub_client)
        canned = {
            "GetJob": ("get_job", _strip(get_reply)),
            "ListJobs": ("list_jobs", _strip(list_reply)),
            "StartJob": ("start_job", _strip(start_reply)),
        }
        stub: Dict[str, Callable[[], Any]] = {
            "GetJob": lambda: stub_client.get_job(appId=app_id, branchName="main", jobId=live),
            "ListJobs": lambda: stub_client.list_jobs(appId=app_id, branchName="main", maxResults=50),
            "StartJob": lambda: stub_client.start_job(appId=app_id, branchName="fast", jobType="RELEASE"),
        }

        # The peer: a rest-json service of moto's own.
        scheduler = boto3.client("scheduler", region_name=REGION)
        for i in range(60):
            scheduler.create_schedule_group(Name=f"group-{i}")
        counter = iter(range(10**9))
        peer: Dict[str, Callable[[], Any]] = {
            "GetJob": lambda: scheduler.get_schedule_group(Name="group-1"),
            "ListJobs": lambda: scheduler.list_schedule_groups(MaxResults=50),
            "StartJob": lambda: scheduler.create_schedule_group(Name=f"g-{next(counter)}"),
        }

        per_round = max(n // rounds, 1)
        medians: Dict[str, Dict[str, List[float]]] = {}
        with stubber:
            for name in ("GetJob", "ListJobs", "StartJob"):
                method, reply = canned[name]
                for _ in range(rounds * (per_round + 50)):
                    stubber.add_response(method, reply)
                sides = {"mock": mock[name], "stub": stub[name], "peer": peer[name]}
                medians[name] = {side: [] for side in sides}
                for _ in range(rounds):
                    for side, call in sides.items():
                        medians[name][side].append(median_us(call, per_round))

    peer_names = {
        "GetJob": "GetScheduleGroup",
        "ListJobs": "ListScheduleGroups(50)",
        "StartJob": "CreateScheduleGroup",
    }

    def ratio(name: str, over: str, under: str) -> float:
        rounds_ = medians[name]
        return statistics.median(a / b for a, b in zip(rounds_[over], rounds_[under]))

    print(f"{'call':<10}{'mock':>10}{'Stubber':>10}{'moto peer':>11}  {'mock/Stubber':>12}"
          f"{'mock/moto':>11}  peer call")
    for name in ("GetJob", "ListJobs", "StartJob"):
        m, st, pe = (statistics.median(medians[name][side]) for side in ("mock", "stub", "peer"))
        print(
            f"{name:<10}{m:>10.1f}{st:>10.1f}{pe:>11.1f}  "
            f"{ratio(name, 'mock', 'stub'):>11.2f}x{ratio(name, 'mock', 'peer'):>10.2f}x  {peer_names[name]}"
        )
    over_stub = ratio("GetJob", "mock", "stub")
    target("GetJob <= 1.5x Stubber", over_stub <= 1.5, f"{over_stub:.2f}x")
    faster = ratio("GetJob", "peer", "mock")
    target("GetJob >= 3x faster than moto's GetScheduleGroup", faster >= 3, f"{faster:.2f}x faster")


def _strip(reply: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in reply.items() if k != "ResponseMetadata"}


def start_stop(n: int) -> None:
    print(f"\n## 2. Decorator start+stop around an empty function ({n} runs each)\n")

    def empty() -> None:
        pass

    ours = mock_amplify_jobs()(empty)
    theirs = moto.mock_aws()(empty)
    mock_us = median_us(ours, n, warmup=5)
    moto_us = median_us(theirs, n, warmup=5)
    print(f"mock_amplify_jobs(): {mock_us:10.1f} us")
    print(f"moto.mock_aws():     {moto_us:10.1f} us   ratio {mock_us / moto_us:.2f}x")
    target("decorator start+stop no slower than mock_aws()", mock_us <= moto_us,
           f"{mock_us:.0f} us vs {moto_us:.0f} us")


def _create_jobs(backend: Any, app_id: str, branch: str, count: int) -> None:
    for _ in range(count):
        backend.start_job(app_id, branch, {"jobType": "RELEASE", "commitId": "c0ffee"})


def _page_all(client: Any, app_id: str, branch: str) -> List[float]:
    """Seconds per ListJobs page, in order, through every job of the branch."""
    timings = []
    token = None
    clock = time.perf_counter
    while True:
        kwargs: Dict[str, Any] = {"appId": app_id, "branchName": branch, "maxResults": 50}
        if token:
            kwargs["nextToken"] = token
        start = clock()
        page = client.list_jobs(**kwargs)
        timings.append(clock() - start)
        token = page.get("nextToken")
        if not token:
            return timings


def scale(jobs: int, n: int) -> None:
    branches, per_branch = jobs // 100, 100
    print(f"\n## 3. Scale: {jobs:,} jobs on one branch, {branches:,} branches x {per_branch} jobs\n")
    with mock_amplify_jobs() as controller:
        controller.durations = Durations.zero()
        client = amplify()
        app_id = client.create_app(name="shop", repository=REPO)["app"]["appId"]
        client.create_branch(appId=app_id, branchName="small")
        client.create_branch(appId=app_id, branchName="big")
        backend = controller.backend(REGION)

        _create_jobs(backend, app_id, "small", 10)
        at_10 = median_us(lambda: client.get_job(appId=app_id, branchName="small", jobId="5"), n)

        gc.collect()
        start = time.perf_counter()
        _create_jobs(backend, app_id, "big", jobs)
        created = time.perf_counter() - start
        print(f"created {jobs:,} jobs on one branch through the backend API in {created:.2f} s")

        middle = str(jobs // 2)
        at_big = median_us(lambda: client.get_job(appId=app_id, branchName="big", jobId=middle), n)
        at_10_again = median_us(lambda: client.get_job(appId=app_id, branchName="small", jobId="5"), n)
        ratio = at_big / at_10
        print(f"GetJob at 10 jobs: {at_10:.1f} us; at {jobs:,} jobs: {at_big:.1f} us ({ratio:.2f}x); "
              f"the 10-job branch once the backend holds {jobs:,}: {at_10_again:.1f} us")
        target(f"GetJob at {jobs:,} jobs within 1.2x of at 10 jobs", ratio <= 1.2, f"{ratio:.2f}x")

        tenth = jobs // 10
        client.create_branch(appId=app_id, branchName="tenth")
        _create_jobs(backend, app_id, "tenth", tenth)
        small_pages = _page_all(client, app_id, "tenth")
        pages = _page_all(client, app_id, "big")
        decile = max(len(pages) // 10, 1)
        first = statistics.median(pages[:decile]) * 1e6
        last = statistics.median(pages[-decile:]) * 1e6
        total, small_total = sum(pages), sum(small_pages)
        print(f"ListJobs through all {jobs:,} jobs: {len(pages)} pages in {total:.2f} s; "
              f"{tenth:,} jobs: {small_total:.3f} s (x{total / small_total:.1f} for x10 the jobs)")
        print(f"median per page, first tenth of pages {first:.1f} us, last tenth {last:.1f} us")
        linear = last <= 1.25 * first and total <= 1.25 * 10 * small_total
        target(f"paging {jobs:,} jobs is linear", linear,
               f"page cost end/start {last / first:.2f}x, total {total / small_total:.1f}x for 10x")

    with mock_amplify_jobs() as controller:
        controller.durations = Durations.zero()
        client = amplify()
        app_id = client.create_app(name="shop", repository=REPO)["app"]["appId"]
        backend = controller.backend(REGION)
        start = time.perf_counter()
        for b in range(branches):
            backend.create_branch(app_id, f"b{b}", {})
            _create_jobs(backend, app_id, f"b{b}", per_branch)
        created = time.perf_counter() - start
        start = time.perf_counter()
        count = sum(len(_page_all(client, app_id, f"b{b}")) for b in range(branches))
        paged = time.perf_counter() - start
        print(f"{branches:,} branches x {per_branch} jobs: created in {created:.2f} s, "
              f"paged through all ({count:,} ListJobs calls) in {paged:.2f} s")

    # Memory: what the backend keeps per job, and the peak while creating them.
    with mock_amplify_jobs() as controller:
        controller.durations = Durations.zero()
        client = amplify()
        app_id = client.create_app(name="shop", repository=REPO)["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        backend = controller.backend(REGION)
        _create_jobs(backend, app_id, "main", 10)  # warm every lazy cache first
        gc.collect()
        tracemalloc.start()
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        for _ in range(jobs):
            # A commit id of its own each, as real releases have (without one, AWS reports "HEAD").
            backend.start_job(app_id, "main", {"jobType": "RELEASE", "commitId": os.urandom(20).hex()})
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        kept, peaked = (current - base) / jobs, (peak - base) / jobs
        print(f"memory per stored job (tracemalloc, random commit ids): {kept:.0f} B kept, "
              f"{peaked:.0f} B at peak")
        target("< 2 KiB of memory per stored job", peaked < 2048, f"{peaked:.0f} B at peak")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and 20,000 jobs")
    args = parser.parse_args()
    n, jobs = (300, 20_000) if args.quick else (3000, 100_000)
    print(f"amplify_mock {amplify_mock.__version__}, moto {moto.__version__}, "
          f"boto3 {boto3.__version__}, Python {sys.version.split()[0]}")
    per_call(n)
    start_stop(max(n // 10, 30))
    scale(jobs, n)
    print("\n## Targets\n")
    for name, holds, detail in results:
        print(f"[{'met ' if holds else 'MISS'}] {name}: {detail}")


if __name__ == "__main__":
    main()
