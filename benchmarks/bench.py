"""How much a test pays for amplify_mock, next to botocore's Stubber and to moto.

    python benchmarks/bench.py            # full run (100,000 jobs), a few minutes
    python benchmarks/bench.py --quick    # fewer calls, 20,000 jobs: a smoke run
    python benchmarks/bench.py --only 2,3 # some sections

Every figure is the median of many single calls timed with ``time.process_time``, the CPU time
of this process (for section 6, of its child processes), so that other processes on a shared
machine do not count; per-call figures are taken in interleaved rounds (mock, Stubber, moto
peer, then again), ratios being the median of the rounds' ratios, so a slow spell of the
machine falls on all three alike. Three clients
make the same kind of boto3 call: an Amplify client under ``mock_amplify_jobs`` (the mock),
an Amplify client under botocore's ``Stubber`` with canned replies (the floor: botocore builds
the request, the Stubber answers at before-call, so nothing is serialized back or parsed), and
a moto rest-json service under ``moto.mock_aws()`` (the peer: EventBridge Scheduler's
GetScheduleGroup / ListScheduleGroups / CreateScheduleGroup).

Best cases and realistic scenarios are reported apart, and each target says which it is:

- *best case*: the same request again and again (section 1), so the mock's request memo and its
  timestamp cache always hit (a row with the memo off is shown next to it);
- *realistic*: what a test suite pays. A typical test, from starting the mock to a job polled to
  SUCCEED under freezegun, against the same test on the Stubber (section 2; by CPU time and by
  the wall clock, which also counts what a test waits for without computing); reads of jobs that
  were never read before, each call a different finished job or the next ListJobs page (section
  3); a pytest run that never uses the mock, with and without the package's plugin, in fresh
  processes (section 6); and a 200-test pytest suite of the typical test against the same suite
  on the Stubber, in fresh processes (section 7).

The scale section creates its jobs through the backend API (``AmplifyBackend.start_job``) with
``Durations.zero()``, so every job has run to SUCCEED when it is read and creating 100,000 takes
seconds, and then reads them through boto3. Not collected by pytest (the test path is tests/).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from typing import Any, Callable, Dict, Iterator, List, Tuple

import boto3
import moto
from botocore.stub import Stubber
from freezegun import freeze_time

import amplify_mock
from amplify_mock import Durations, _dispatch, mock_amplify_jobs
from amplify_mock._pagination import encode_token

REGION = "us-east-1"
REPO = "https://github.com/acme/shop"
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")

# CPU time of this process: what another process does on a shared machine does not count.
CLOCK = time.process_time
results: List[Tuple[str, str, bool, str]] = []
BEST, REALISTIC = "best case", "realistic"


def median_us(call: Callable[[], Any], n: int, warmup: int = 50) -> float:
    for _ in range(warmup):
        call()
    timings = []
    clock = CLOCK
    for _ in range(n):
        start = clock()
        call()
        timings.append(clock() - start)
    return statistics.median(timings) * 1e6


def target(kind: str, name: str, holds: bool, detail: str) -> None:
    results.append((kind, name, holds, detail))


def interleaved(sides: Dict[str, Callable[[], float]], rounds: int) -> Dict[str, List[float]]:
    """Each side's figure per round, the sides taking turns round after round."""
    figures: Dict[str, List[float]] = {side: [] for side in sides}
    for _ in range(rounds):
        for side, measure in sides.items():
            figures[side].append(measure())
    return figures


def ratio_of(figures: Dict[str, List[float]], over: str, under: str) -> float:
    """The median of the rounds' ratios."""
    return statistics.median(a / b for a, b in zip(figures[over], figures[under]))


def amplify() -> Any:
    return boto3.client("amplify", region_name=REGION)


def per_call(n: int, rounds: int = 10) -> None:
    print(f"\n## 1. Best case: the same call again, median microseconds ({n} calls each, "
          f"{rounds} interleaved rounds)\n")
    print("The same request each time, so the request memo and the timestamp cache hit; "
          "GetJob (memo off) forgets parsed requests before each call.\n")
    # All three sides are set up at once and timed in turns, round after round, so a slow spell
    # of the machine falls on all of them alike; a ratio is the median of the rounds' ratios.
    with moto.mock_aws(), mock_amplify_jobs() as controller:
        # The mock. AWS refuses a StartJob while the branch has a job pending or running, so the
        # history is made of jobs that end at once, then one that runs during the timing; the
        # timed StartJobs go to a branch whose jobs end at once.
        client = amplify()
        app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
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

        def get_job_memo_off() -> Any:
            _dispatch._seen_requests.clear()
            return client.get_job(appId=app_id, branchName="main", jobId=live)

        mock: Dict[str, Callable[[], Any]] = {
            "GetJob": lambda: client.get_job(appId=app_id, branchName="main", jobId=live),
            "GetJob (memo off)": get_job_memo_off,
            "ListJobs": lambda: client.list_jobs(appId=app_id, branchName="main", maxResults=50),
            "StartJob": lambda: client.start_job(appId=app_id, branchName="fast", jobType="RELEASE"),
        }

        # The floor: the same calls, answered with the mock's own replies by botocore's Stubber
        # (it answers at before-call, ahead of the mock).
        stub_client = amplify()
        stubber = Stubber(stub_client)
        canned = {
            "GetJob": ("get_job", _strip(get_reply)),
            "GetJob (memo off)": ("get_job", _strip(get_reply)),
            "ListJobs": ("list_jobs", _strip(list_reply)),
            "StartJob": ("start_job", _strip(start_reply)),
        }
        stub: Dict[str, Callable[[], Any]] = {
            "GetJob": lambda: stub_client.get_job(appId=app_id, branchName="main", jobId=live),
            "GetJob (memo off)": lambda: stub_client.get_job(appId=app_id, branchName="main", jobId=live),
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
            "GetJob (memo off)": lambda: scheduler.get_schedule_group(Name="group-1"),
            "ListJobs": lambda: scheduler.list_schedule_groups(MaxResults=50),
            "StartJob": lambda: scheduler.create_schedule_group(Name=f"g-{next(counter)}"),
        }

        per_round = max(n // rounds, 1)
        medians: Dict[str, Dict[str, List[float]]] = {}
        with stubber:
            for name in CALLS:
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
        "GetJob (memo off)": "GetScheduleGroup",
        "ListJobs": "ListScheduleGroups(50)",
        "StartJob": "CreateScheduleGroup",
    }

    def ratio(name: str, over: str, under: str) -> float:
        rounds_ = medians[name]
        return statistics.median(a / b for a, b in zip(rounds_[over], rounds_[under]))

    print(f"{'call':<19}{'mock':>10}{'Stubber':>10}{'moto peer':>11}  {'mock/Stubber':>12}"
          f"{'mock/moto':>11}  peer call")
    for name in CALLS:
        m, st, pe = (statistics.median(medians[name][side]) for side in ("mock", "stub", "peer"))
        print(
            f"{name:<19}{m:>10.1f}{st:>10.1f}{pe:>11.1f}  "
            f"{ratio(name, 'mock', 'stub'):>11.2f}x{ratio(name, 'mock', 'peer'):>10.2f}x  {peer_names[name]}"
        )
    over_stub = ratio("GetJob", "mock", "stub")
    target(BEST, "GetJob, same job, <= 1.5x Stubber", over_stub <= 1.5, f"{over_stub:.2f}x")
    faster = ratio("GetJob", "peer", "mock")
    target(BEST, "GetJob >= 3x faster than moto's GetScheduleGroup", faster >= 3, f"{faster:.2f}x faster")


CALLS = ("GetJob", "GetJob (memo off)", "ListJobs", "StartJob")


def _strip(reply: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in reply.items() if k != "ResponseMetadata"}


def start_stop(n: int) -> None:
    print(f"\n## 4. Decorator start+stop around an empty function ({n} runs each)\n")

    def empty() -> None:
        pass

    ours = mock_amplify_jobs()(empty)
    theirs = moto.mock_aws()(empty)
    mock_us = median_us(ours, n, warmup=5)
    moto_us = median_us(theirs, n, warmup=5)
    print(f"mock_amplify_jobs(): {mock_us:10.1f} us")
    print(f"moto.mock_aws():     {moto_us:10.1f} us   ratio {mock_us / moto_us:.2f}x")
    target(BEST, "decorator start+stop no slower than mock_aws()", mock_us <= moto_us,
           f"{mock_us:.0f} us vs {moto_us:.0f} us")


def _create_jobs(backend: Any, app_id: str, branch: str, count: int) -> None:
    for _ in range(count):
        backend.start_job(app_id, branch, {"jobType": "RELEASE", "commitId": "c0ffee"})


def _page_all(client: Any, app_id: str, branch: str) -> List[float]:
    """Seconds per ListJobs page, in order, through every job of the branch."""
    timings = []
    token = None
    clock = CLOCK
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
    print(f"\n## 5. Scale: {jobs:,} jobs on one branch, {branches:,} branches x {per_branch} jobs\n")
    with mock_amplify_jobs() as controller:
        controller.durations = Durations.zero()
        client = amplify()
        app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
        client.create_branch(appId=app_id, branchName="small")
        client.create_branch(appId=app_id, branchName="big")
        backend = controller.backend(REGION)

        _create_jobs(backend, app_id, "small", 10)
        at_10 = median_us(lambda: client.get_job(appId=app_id, branchName="small", jobId="5"), n)

        gc.collect()
        start = CLOCK()
        _create_jobs(backend, app_id, "big", jobs)
        created = CLOCK() - start
        print(f"created {jobs:,} jobs on one branch through the backend API in {created:.2f} s")

        middle = str(jobs // 2)
        at_big = median_us(lambda: client.get_job(appId=app_id, branchName="big", jobId=middle), n)
        at_10_again = median_us(lambda: client.get_job(appId=app_id, branchName="small", jobId="5"), n)
        ratio = at_big / at_10
        print(f"GetJob at 10 jobs: {at_10:.1f} us; at {jobs:,} jobs: {at_big:.1f} us ({ratio:.2f}x); "
              f"the 10-job branch once the backend holds {jobs:,}: {at_10_again:.1f} us")
        target(BEST, f"GetJob at {jobs:,} jobs within 1.2x of at 10 jobs", ratio <= 1.2, f"{ratio:.2f}x")

        tenth = jobs // 10
        client.create_branch(appId=app_id, branchName="tenth")
        _create_jobs(backend, app_id, "tenth", tenth)
        small_pages = _page_all(client, app_id, "tenth")
        pages = _page_all(client, app_id, "big")
        total, small_total = sum(pages), sum(small_pages)
        print(f"ListJobs through all {jobs:,} jobs: {len(pages)} pages in {total:.2f} s; "
              f"{tenth:,} jobs: {small_total:.3f} s (x{total / small_total:.1f} for x10 the jobs)")

        # Linearity, interleaved: a page at the newest jobs and one at the oldest, in turns.
        def page_at(job_id: int) -> Callable[[], float]:
            token = encode_token("jobs", job_id)
            return lambda: median_us(lambda: client.list_jobs(
                appId=app_id, branchName="big", maxResults=50, nextToken=token), max(n // 30, 10), 3)

        figures = interleaved({"first": page_at(jobs - 100), "last": page_at(120)}, 10)
        first, last = (statistics.median(figures[side]) for side in ("first", "last"))
        end_over_start = ratio_of(figures, "last", "first")
        print(f"median per page near the newest jobs {first:.1f} us, near the oldest {last:.1f} us "
              f"({end_over_start:.2f}x; 10 interleaved rounds)")
        linear = end_over_start <= 1.25 and total <= 1.25 * 10 * small_total
        target(BEST, f"paging {jobs:,} jobs is linear", linear,
               f"page cost end/start {end_over_start:.2f}x, total {total / small_total:.1f}x for 10x")

    with mock_amplify_jobs() as controller:
        controller.durations = Durations.zero()
        client = amplify()
        app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
        backend = controller.backend(REGION)
        start = CLOCK()
        for b in range(branches):
            backend.create_branch(app_id, f"b{b}", {})
            _create_jobs(backend, app_id, f"b{b}", per_branch)
        created = CLOCK() - start
        start = CLOCK()
        count = sum(len(_page_all(client, app_id, f"b{b}")) for b in range(branches))
        paged = CLOCK() - start
        print(f"{branches:,} branches x {per_branch} jobs: created in {created:.2f} s, "
              f"paged through all ({count:,} ListJobs calls) in {paged:.2f} s")

    # Memory: what the backend keeps per job, and the peak while creating them; then again once
    # every job has been read (ListJobs and GetJob keep an ended job's view).
    with mock_amplify_jobs() as controller:
        controller.durations = Durations.zero()
        client = amplify()
        app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        backend = controller.backend(REGION)
        _create_jobs(backend, app_id, "main", 10)  # warm every lazy cache first
        client.get_job(appId=app_id, branchName="main", jobId="1")
        _page_all(client, app_id, "main")
        gc.collect()
        tracemalloc.start()
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        for _ in range(jobs):
            # A commit id of its own each, as real releases have (without one, AWS reports "HEAD").
            backend.start_job(app_id, "main", {"jobType": "RELEASE", "commitId": os.urandom(20).hex()})
        current, peak = tracemalloc.get_traced_memory()
        kept, peaked = (current - base) / jobs, (peak - base) / jobs
        print(f"memory per stored job (tracemalloc, random commit ids): {kept:.0f} B kept, "
              f"{peaked:.0f} B at peak")
        target(BEST, "< 2 KiB of memory per stored job", peaked < 2048, f"{peaked:.0f} B at peak")
        _page_all(client, app_id, "main")
        for job_id in range(11, jobs + 11):
            backend.get_job(app_id, "main", str(job_id))  # what GetJob keeps, without its reply
        gc.collect()
        read, read_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        kept_read = (read - base) / jobs
        print(f"memory per job once every job was listed and read: {kept_read:.0f} B kept, "
              f"{(read_peak - base) / jobs:.0f} B at peak")
        target(REALISTIC, "< 2 KiB of memory per job once read", kept_read < 2048,
               f"{kept_read:.0f} B kept after reads")


def typical_test(tests: int, rounds: int) -> None:
    print(f"\n## 2. Realistic: a typical test, mock vs Stubber ({tests} tests each, {rounds} "
          "interleaved rounds)\n")
    print("Under freeze_time: start the mock, make a boto3 client, CreateApp, CreateBranch, "
          "StartJob, then tick 30 s and GetJob until SUCCEED (7 polls). The Stubber's test makes "
          "the same calls from a client with credentials of its own, answered with the mock's "
          "replies; the mock's test makes its client from the default session, as tests do.\n")
    replies: List[Tuple[str, Dict[str, Any]]] = []

    def mock_test(record: bool = False) -> None:
        with freeze_time("2026-01-01") as clock, mock_amplify_jobs():
            client = boto3.client("amplify", region_name=REGION)
            app = client.create_app(name="shop", repository=REPO, accessToken="token")
            app_id = app["app"]["appId"]
            branch = client.create_branch(appId=app_id, branchName="main")
            started = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
            if record:
                replies.extend([("create_app", app), ("create_branch", branch), ("start_job", started)])
            job_id = started["jobSummary"]["jobId"]
            while True:
                clock.tick(30)
                job = client.get_job(appId=app_id, branchName="main", jobId=job_id)
                if record:
                    replies.append(("get_job", job))
                if job["job"]["summary"]["status"] == "SUCCEED":
                    break

    mock_test(record=True)
    canned = [(method, _strip(reply)) for method, reply in replies]

    def stub_test() -> None:
        with freeze_time("2026-01-01") as clock:
            client = boto3.client("amplify", region_name=REGION, aws_access_key_id="stub",
                                  aws_secret_access_key="stub")
            with Stubber(client) as stubber:
                for method, reply in canned:
                    stubber.add_response(method, reply)
                app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
                client.create_branch(appId=app_id, branchName="main")
                job_id = client.start_job(
                    appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]["jobId"]
                while True:
                    clock.tick(30)
                    job = client.get_job(appId=app_id, branchName="main", jobId=job_id)
                    if job["job"]["summary"]["status"] == "SUCCEED":
                        break

    # Wall-clock time too: what a test waits for without using the CPU (a sleep, a thread
    # handing over) does not show in CPU time, and a suite's user waits for it all the same.
    walls: Dict[str, List[float]] = {"mock": [], "stub": []}

    def suite(test: Callable[[], None], side: str) -> Callable[[], float]:
        def run() -> float:
            start, wall = CLOCK(), time.perf_counter()
            for _ in range(tests):
                test()
            walls[side].append((time.perf_counter() - wall) / tests * 1e3)
            return (CLOCK() - start) / tests * 1e3
        return run

    for _ in range(3):
        mock_test()
        stub_test()
    figures = interleaved({"mock": suite(mock_test, "mock"), "stub": suite(stub_test, "stub")}, rounds)
    m, st = (statistics.median(figures[side]) for side in ("mock", "stub"))
    over = ratio_of(figures, "mock", "stub")
    print(f"per test (ms of CPU, GC included): mock {m:.2f}, Stubber {st:.2f}, ratio {over:.2f}x")
    target(REALISTIC, "a typical test <= 1.5x the same test on the Stubber", over <= 1.5, f"{over:.2f}x")
    m, st = (statistics.median(walls[side]) for side in ("mock", "stub"))
    over = ratio_of(walls, "mock", "stub")
    print(f"per test (ms of wall-clock time): mock {m:.2f}, Stubber {st:.2f}, ratio {over:.2f}x "
          "(other processes' load counts here)")
    target(REALISTIC, "a typical test's wall-clock time <= 1.5x the Stubber's", over <= 1.5,
           f"{over:.2f}x ({m:.0f} ms vs {st:.0f} ms)")


def _jobs_at_distinct_times(backend: Any, app_id: str, branch: str, count: int, clock: Any) -> None:
    """Jobs started 181 s apart with the default durations (each ends before the next starts,
    as AWS refuses a StartJob while the branch is busy), so each has its own instants."""
    for _ in range(count):
        backend.start_job(app_id, branch, {"jobType": "RELEASE", "commitId": "c0ffee"})
        clock.tick(181)


def cold_reads(calls: int, walks: int, rounds: int) -> None:
    per_round = max(calls // rounds, 1)
    print(f"\n## 3. Realistic: reads of jobs never read before ({per_round} GetJob calls and one "
          f"40-page ListJobs walk per round, {rounds} interleaved rounds)\n")
    print("Jobs ran with the default durations, started 181 s apart, and had all finished when "
          "read. GetJob asks for a different job each call; each ListJobs walk pages (maxResults "
          "50, nextToken) through 2,000 jobs of a branch not read before. The Stubber answers "
          "one canned reply of the same size.\n")
    with mock_amplify_jobs() as controller:
        client = amplify()
        app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
        backend = controller.backend(REGION)
        client.create_branch(appId=app_id, branchName="get")
        get_jobs = rounds * (per_round + 20)
        with freeze_time("2024-01-01") as clock:
            _jobs_at_distinct_times(backend, app_id, "get", get_jobs, clock)
            for walk in range(walks):
                client.create_branch(appId=app_id, branchName=f"walk{walk}")
                _jobs_at_distinct_times(backend, app_id, f"walk{walk}", 2000, clock)
        get_reply = _strip(client.get_job(appId=app_id, branchName="get", jobId=str(get_jobs)))
        list_reply = _strip(client.list_jobs(appId=app_id, branchName=f"walk{walks - 1}", maxResults=50))
        stub_client = amplify()
        stubber = Stubber(stub_client)
        stubber.activate()
        ids: Iterator[int] = iter(range(1, get_jobs))
        walk_numbers = iter(range(walks))

        def mock_gets() -> float:
            return median_us(
                lambda: client.get_job(appId=app_id, branchName="get", jobId=str(next(ids))),
                per_round, warmup=0)

        def stub_gets() -> float:
            for _ in range(per_round):
                stubber.add_response("get_job", get_reply)
            return median_us(
                lambda: stub_client.get_job(appId=app_id, branchName="get", jobId="7"),
                per_round, warmup=0)

        def walk(on: Any, branch: str) -> float:
            token = None
            start = CLOCK()
            for _ in range(40):
                kwargs: Dict[str, Any] = {"appId": app_id, "branchName": branch, "maxResults": 50}
                if token:
                    kwargs["nextToken"] = token
                token = on.list_jobs(**kwargs).get("nextToken") or list_reply.get("nextToken")
            return (CLOCK() - start) / 40 * 1e6

        def stub_walk() -> float:
            for _ in range(40):
                stubber.add_response("list_jobs", list_reply)
            return walk(stub_client, "any")

        gets = interleaved({"mock": mock_gets, "stub": stub_gets}, rounds)
        walks_ = interleaved(
            {"mock": lambda: walk(client, f"walk{next(walk_numbers)}"), "stub": stub_walk},
            min(rounds, walks))
        stubber.deactivate()
    for name, figures, limit in (("GetJob, a different finished job each call", gets, 1.5),
                                 ("ListJobs, 40 pages of 50 (per page)", walks_, 3.0)):
        m, st = (statistics.median(figures[side]) for side in ("mock", "stub"))
        over = ratio_of(figures, "mock", "stub")
        print(f"{name}: mock {m:.1f} us, Stubber {st:.1f} us, ratio {over:.2f}x")
        target(REALISTIC, f"{name} <= {limit}x Stubber", over <= limit, f"{over:.2f}x")


PLUGIN = "amplify_jobs"  # the pytest11 entry point's name


def plugin_cost(runs: int) -> None:
    print(f"\n## 6. Realistic: a pytest run that never uses the mock ({runs} fresh processes each, "
          "interleaved)\n")
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "test_plain.py")
        with open(path, "w") as handle:
            handle.write(textwrap.dedent("""
                def test_plain():
                    assert 1 + 1 == 2
            """))
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                "-p", "no:xdist", "-p", "no:hypothesispytest", path]

        def run(extra: List[str]) -> Callable[[], float]:
            def once() -> float:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run(base[:3] + extra + base[3:], cwd=directory, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1e3
            return once

        figures = interleaved({"with": run([]), "without": run(["-p", f"no:{PLUGIN}"])}, runs)
    cost = statistics.median(a - b for a, b in zip(figures["with"], figures["without"]))
    with_, without = (statistics.median(figures[side]) for side in ("with", "without"))
    print(f"CPU time of the run with the plugin {with_:.0f} ms, without {without:.0f} ms: "
          f"the plugin costs {cost:+.0f} ms")
    target(REALISTIC, "the unused plugin costs <= +30 ms per pytest run", cost <= 30, f"{cost:+.0f} ms")


_SUITE_HEADER = """
import boto3
import pytest
from botocore.stub import Stubber
from freezegun import freeze_time

REPO = "https://github.com/acme/shop"
TESTS = range({tests})
"""

# The same test on both sides: what a test of a deploy script does with the mock, and what
# the same test does with botocore's Stubber and hand-written replies.
_SUITE_MOCK = """
from amplify_mock import mock_amplify_jobs


@pytest.mark.parametrize("number", TESTS)
def test_release(number):
    with freeze_time("2026-01-01") as clock, mock_amplify_jobs():
        client = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        job_id = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")["jobSummary"]["jobId"]
        while True:
            clock.tick(30)
            job = client.get_job(appId=app_id, branchName="main", jobId=job_id)["job"]
            if job["summary"]["status"] == "SUCCEED":
                break
"""

_SUITE_STUB = """
import datetime

T = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
APP = {"appId": "d1", "appArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1", "name": "shop",
       "description": "", "repository": REPO, "platform": "WEB", "createTime": T, "updateTime": T,
       "environmentVariables": {}, "defaultDomain": "d1.amplifyapp.com",
       "enableBranchAutoBuild": False, "enableBasicAuth": False}
BRANCH = {"branchArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1/branches/main",
          "branchName": "main", "description": "", "stage": "NONE", "displayName": "main",
          "enableNotification": False, "createTime": T, "updateTime": T,
          "environmentVariables": {}, "enableAutoBuild": True, "customDomains": [],
          "framework": "", "activeJobId": "0", "totalNumberOfJobs": "0", "enableBasicAuth": False,
          "ttl": "5", "enablePullRequestPreview": False}


def summary(status):
    return {"jobArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1/branches/main/jobs/1",
            "jobId": "1", "commitId": "HEAD", "commitMessage": "m", "commitTime": T,
            "startTime": T, "status": status, "jobType": "RELEASE"}


@pytest.mark.parametrize("number", TESTS)
def test_release(number):
    with freeze_time("2026-01-01") as clock:
        client = boto3.client("amplify", region_name="us-east-1", aws_access_key_id="stub",
                              aws_secret_access_key="stub")
        with Stubber(client) as stubber:
            stubber.add_response("create_app", {"app": APP})
            stubber.add_response("create_branch", {"branch": BRANCH})
            stubber.add_response("start_job", {"jobSummary": summary("PENDING")})
            for status in ["PENDING", "PROVISIONING"] + ["RUNNING"] * 5 + ["SUCCEED"]:
                stubber.add_response("get_job", {"job": {"summary": summary(status), "steps": []}})
            app_id = client.create_app(name="shop", repository=REPO, accessToken="token")["app"]["appId"]
            client.create_branch(appId=app_id, branchName="main")
            started = client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
            job_id = started["jobSummary"]["jobId"]
            while True:
                clock.tick(30)
                job = client.get_job(appId=app_id, branchName="main", jobId=job_id)["job"]
                if job["summary"]["status"] == "SUCCEED":
                    break
"""


def pytest_suite(tests: int, runs: int) -> None:
    print(f"\n## 7. Realistic: a suite of {tests} such tests, mock vs Stubber ({runs} fresh pytest "
          "processes each, interleaved)\n")
    print("Each side is one pytest file of the typical test of section 2, parametrized; the "
          "mock's uses `mock_amplify_jobs`, the Stubber's hand-written replies. The per-test "
          "figure is the run less a run of the same file with one test, over the tests.\n")
    with tempfile.TemporaryDirectory() as directory:
        paths: Dict[Tuple[str, int], str] = {}
        for side, body in (("mock", _SUITE_MOCK), ("stub", _SUITE_STUB)):
            for count in (1, tests):
                path = os.path.join(directory, f"test_{side}_{count}.py")
                with open(path, "w") as handle:
                    handle.write(_SUITE_HEADER.format(tests=count) + body)
                paths[side, count] = path
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                "-p", "no:xdist", "-p", "no:hypothesispytest"]

        def run(path: str) -> Callable[[], float]:
            def once() -> float:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run(base + [path], cwd=directory, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1e3
            return once

        figures = interleaved({f"{side}{count}": run(paths[side, count])
                               for side in ("mock", "stub") for count in (1, tests)}, runs)
    per_test = {side: [(whole - one) / (tests - 1) for whole, one in
                       zip(figures[f"{side}{tests}"], figures[f"{side}1"])] for side in ("mock", "stub")}
    m, st = (statistics.median(per_test[side]) for side in ("mock", "stub"))
    over = ratio_of(per_test, "mock", "stub")
    whole = ratio_of(figures, f"mock{tests}", f"stub{tests}")
    print(f"per test (ms of CPU): mock {m:.1f}, Stubber {st:.1f}, ratio {over:.2f}x; the whole run "
          f"(pytest's start and imports included) {whole:.2f}x")
    target(REALISTIC, f"a {tests}-test pytest suite, per test <= 1.5x the same suite on the Stubber",
           over <= 1.5, f"{over:.2f}x ({m:.1f} ms vs {st:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and 20,000 jobs")
    parser.add_argument("--only", help="the sections to run, e.g. 2,3 (all by default)")
    args = parser.parse_args()
    n, jobs = (300, 20_000) if args.quick else (3000, 100_000)
    print(f"amplify_mock {amplify_mock.__version__}, moto {moto.__version__}, "
          f"boto3 {boto3.__version__}, Python {sys.version.split()[0]}")
    sections: Dict[str, Callable[[], None]] = {
        "1": lambda: per_call(n),
        "2": lambda: typical_test(*((5, 5) if args.quick else (10, 10))),
        "3": lambda: cold_reads(n, *((3, 3) if args.quick else (5, 10))),
        "4": lambda: start_stop(max(n // 10, 30)),
        "5": lambda: scale(jobs, n),
        "6": lambda: plugin_cost(5 if args.quick else 15),
        "7": lambda: pytest_suite(200, 3 if args.quick else 7),
    }
    for number, section in sections.items():
        if args.only is None or number in args.only.split(","):
            section()
    print("\n## Targets\n")
    for kind, name, holds, detail in results:
        print(f"[{'met ' if holds else 'MISS'}] ({kind}) {name}: {detail}")


if __name__ == "__main__":
    main()
