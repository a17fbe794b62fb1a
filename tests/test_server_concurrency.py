"""Server mode under concurrent clients: sixteen threads, each with its own boto3 client, start,
stop, list, get and delete jobs on shared and per-thread branches; nothing is lost, duplicated
or resurrected, a branch never runs two jobs at once, and statuses only move forward while the
server's clock is moved under the pollers' feet.

The rule checked (``_lifecycle.Scheduler``): a job leaves PENDING only once every earlier job of
its branch has ended (one stopped while PENDING ends when its CANCELLING is over), so while a
job is PROVISIONING or RUNNING every older job of its branch is SUCCEED, FAILED or CANCELLED.
Several jobs may be PENDING (queued) or CANCELLING (stopped while queued) at once. A second
StartJob on a busy branch is queued, not refused.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.robust_support import record
from tests.server_support import REPO, Served, serving

THREADS = 16
ROUNDS = 150  # per thread: 2,400 operations (ListJobs pages and clock moves on top)
SHARED = [f"shared/{i}" for i in range(4)]  # a slash: the branch travels as %2F
OWN = [f"own-{i}" for i in range(THREADS)]

PENDING, PROVISIONING, RUNNING, CANCELLING = "PENDING", "PROVISIONING", "RUNNING", "CANCELLING"
SUCCEED, FAILED, CANCELLED = "SUCCEED", "FAILED", "CANCELLED"
TERMINAL = frozenset({SUCCEED, FAILED, CANCELLED})
ADMITTED = frozenset({PROVISIONING, RUNNING})
ENDED = "ENDED"  # pseudo-status: a StopJob refusal says "finished", without saying how
# What a later read may show after each status (reads can skip statuses, never go back).
NEXT: Dict[str, FrozenSet[str]] = {
    PENDING: frozenset({PENDING, PROVISIONING, RUNNING, CANCELLING} | TERMINAL),
    PROVISIONING: frozenset({PROVISIONING, RUNNING, CANCELLING} | TERMINAL),
    RUNNING: frozenset({RUNNING, CANCELLING} | TERMINAL),
    CANCELLING: frozenset({CANCELLING, CANCELLED}),
    SUCCEED: frozenset({SUCCEED}),
    FAILED: frozenset({FAILED}),
    CANCELLED: frozenset({CANCELLED}),
    ENDED: TERMINAL,
}
# The AWS errors the API's own rules produce here (codes of botocore's amplify model): StartJob
# on a branch with a job pending or running is 429 LimitExceededException, StopJob of a finished
# job and DeleteJob of an unfinished one are 400 BadRequestException, any call on a job another
# thread deleted is 404 NotFoundException. Anything else fails the test.
EXPECTED_ERRORS: Dict[str, Set[Tuple[str, int]]] = {
    "StartJob": {("LimitExceededException", 429)},
    "StopJob": {("BadRequestException", 400), ("NotFoundException", 404)},
    "DeleteJob": {("BadRequestException", 400), ("NotFoundException", 404)},
    "GetJob": {("NotFoundException", 404)},
    "ListJobs": set(),
}

Key = Tuple[str, int]  # (branch, jobId)


# Server and clients


@pytest.fixture(scope="module", name="served")
def served_fixture() -> Iterator[Served]:
    """One server for the module, stopped (and its state dropped) however the tests end."""
    with serving() as served:
        yield served


@pytest.fixture(autouse=True)
def _fresh(served: Served) -> None:
    assert served.control("POST", "reset").json() == {"status": "ok"}


_session: Optional[boto3.session.Session] = None


class Clients:
    """Makes the clients of one test, each its own connection pool; closes them all at the end."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.made: List[Any] = []

    def boto(self) -> Any:
        """A boto3 client that never retries: a retried StartJob would start a job nobody saw.
        Make them in the main thread; making clients from one session is not thread-safe."""
        global _session
        if _session is None:
            _session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        config = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=60)
        url = self.served.url
        made = _session.client("amplify", region_name="us-east-1", endpoint_url=url, config=config)
        self.made.append(made)
        return made

    def http(self) -> requests.Session:
        """A session of its own for the control endpoints."""
        made = requests.Session()
        made.trust_env = False
        self.made.append(made)
        return made

    def close(self) -> None:
        for made in self.made:
            made.close()


@pytest.fixture(name="clients")
def clients_fixture(served: Served) -> Iterator[Clients]:
    clients = Clients(served)
    try:
        yield clients
    finally:
        clients.close()


def _control(http: requests.Session, served: Served, name: str, body: Dict[str, Any]) -> Dict[str, Any]:
    response = http.post(f"{served.url}/_amplify_mock/{name}", json=body, timeout=60)
    assert response.status_code == 200, response.text
    result: Dict[str, Any] = response.json()
    return result


def _run(count: int, work: Callable[[int], None], abort: threading.Event) -> None:
    """Run ``work(i)`` in ``count`` daemon threads released together; re-raise the first failure."""
    errors: List[BaseException] = []
    start = threading.Barrier(count)

    def target(index: int) -> None:
        try:
            start.wait(timeout=60)
            work(index)
        except BaseException as error:  # noqa: BLE001 - reported below, with its thread
            errors.append(error)
            abort.set()

    threads = [
        threading.Thread(target=target, args=(i,), name=f"client-{i}", daemon=True) for i in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    abort.set()
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    if errors:
        raise AssertionError(f"{len(errors)} client threads failed, first: {errors[0]!r}") from errors[0]


def _error(error: ClientError) -> Tuple[str, int]:
    return str(error.response["Error"]["Code"]), int(error.response["ResponseMetadata"]["HTTPStatusCode"])


def _list_all(
    api: Any, app_id: str, branch: str, size: int = 50, pages: Optional[List[List[Dict[str, Any]]]] = None
) -> List[Dict[str, Any]]:
    """Every page of ListJobs, newest first; checks each page's size and the order across pages."""
    jobs: List[Dict[str, Any]] = []
    token: Optional[str] = None
    while True:
        extra = {"nextToken": token} if token else {}
        reply = api.list_jobs(appId=app_id, branchName=branch, maxResults=size, **extra)
        page = reply["jobSummaries"]
        assert len(page) <= size
        if pages is not None:
            pages.append(page)
        jobs.extend(page)
        token = reply.get("nextToken")
        if not token:
            break
    ids = [int(j["jobId"]) for j in jobs]
    assert ids == sorted(set(ids), reverse=True), f"{branch}: a job listed twice, or out of order: {ids}"
    return jobs


def _check_one_running(jobs: List[Dict[str, Any]], branch: str) -> bool:
    """Newest first, as ListJobs pages them: below a PROVISIONING or RUNNING job, all have ended.

    Holds across pages too: a later page is read later and shows older jobs, and an older job
    that had ended when a newer one was admitted stays ended. Returns whether a job was running.
    """
    admitted: Optional[str] = None
    for job in jobs:
        if admitted is not None:
            assert job["status"] in TERMINAL, (
                f"{branch}: job {job['jobId']} is {job['status']} under job {admitted}, which runs: "
                f"{[(j['jobId'], j['status']) for j in jobs]}"
            )
        elif job["status"] in ADMITTED:
            admitted = job["jobId"]
    return admitted is not None


# Sixteen clients on a shared server


class Ledger:
    """What the threads were told, under one lock: ids started and deleted per branch."""

    def __init__(self, branches: List[str]) -> None:
        self.lock = threading.Lock()
        self.started: Dict[str, List[int]] = {name: [] for name in branches}
        self.live: Dict[str, List[int]] = {name: [] for name in branches}
        self.deleted: Dict[str, Set[int]] = {name: set() for name in branches}
        # DeleteJobs sent and not yet answered: the server may have deleted these already.
        self.deleting: Dict[str, Counter[int]] = {name: Counter() for name in branches}
        self.not_found: Set[Key] = set()  # ids some call answered 404 for
        self.stop_refused: Set[Key] = set()  # ids StopJob refused as finished
        self.ever_listed: Dict[str, Set[int]] = {name: set() for name in branches}
        self.ops: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()


def test_sixteen_clients_start_stop_list_get_and_delete_jobs(served: Served, clients: Clients) -> None:
    """2,400 mixed job calls from 16 clients on 4 shared and 16 own branches, the clock moved by
    the clients too: only the API's own refusals, gap-free ids, one running job per branch."""
    setup = clients.boto()
    app_id = setup.create_app(name="jobs", repository=REPO, accessToken="token")["app"]["appId"]
    for name in SHARED + OWN:
        setup.create_branch(appId=app_id, branchName=name)
    # Short phases next to the clock moves below, so threads meet every status; real time
    # passing during the run only adds to the moves.
    _control(served.http, served, "durations", {
        "pending": 1, "provisioning": 2, "build": 4, "deploy": 2, "verify": 1, "cancelling": 3,
    })
    failures = [{"kind": "FAIL", "step": step} for step in ("BUILD", "DEPLOY", "VERIFY")]
    # Slots for most branches at once (20 branches), so a branch's own order is what holds jobs back.
    _control(served.http, served, "max-concurrent-jobs", {"maxConcurrentJobs": 12})
    script = (failures + [{"kind": "SUCCEED"}] * 3) * 4
    for name in SHARED:  # some jobs of the shared branches fail, at each step
        _control(served.http, served, "script", {"appId": app_id, "branchName": name, "outcomes": script})
    apis = [clients.boto() for _ in range(THREADS)]
    https = [clients.http() for _ in range(THREADS)]
    ledger = Ledger(SHARED + OWN)
    abort = threading.Event()

    def work(index: int) -> None:
        api, http, rng = apis[index], https[index], random.Random(2000 + index)
        seen: Dict[Key, str] = {}  # the last status this thread saw of each job
        ops: Counter[str] = Counter()
        errors: Counter[str] = Counter()

        def saw(key: Key, status: str) -> None:
            before = seen.get(key)
            if status == ENDED:  # finished, status unknown: keep what is known
                if before not in TERMINAL:
                    seen[key] = CANCELLED if before == CANCELLING else ENDED
                return
            assert before is None or status in NEXT[before], f"job {key} went from {before} to {status}"
            seen[key] = status

        for _ in range(ROUNDS):
            if abort.is_set():
                return
            branch = OWN[index] if rng.random() < 0.4 else rng.choice(SHARED)
            choice = rng.random()
            with ledger.lock:
                live, started = ledger.live[branch], ledger.started[branch]
                # Mostly a job still there; sometimes any, to meet jobs deleted meanwhile.
                pool = live if live and rng.random() < 0.85 else started
                job_id = rng.choice(pool) if pool else None
                deleted_before = set(ledger.deleted[branch])
                started_before = set(started)
            if choice < 0.27 or job_id is None:
                operation = "StartJob"
            elif choice < 0.40:
                operation = "StopJob"
            elif choice < 0.55:
                operation = "DeleteJob"
            elif choice < 0.70:
                operation = "GetJob"
            elif choice < 0.92:
                operation = "ListJobs"
            else:
                operation = "AdvanceClock"
            ops[operation] += 1
            key = (branch, job_id or 0)
            try:
                if operation == "StartJob":
                    summary = api.start_job(appId=app_id, branchName=branch, jobType="RELEASE")["jobSummary"]
                    new = int(summary["jobId"])
                    assert summary["status"] == PENDING, summary
                    with ledger.lock:
                        assert new not in ledger.started[branch], f"jobId {new} handed out twice on {branch}"
                        ledger.started[branch].append(new)
                        ledger.live[branch].append(new)
                    saw((branch, new), PENDING)
                elif operation == "StopJob":
                    summary = api.stop_job(appId=app_id, branchName=branch, jobId=str(job_id))["jobSummary"]
                    assert summary["status"] == CANCELLING, summary
                    saw(key, CANCELLING)
                elif operation == "DeleteJob":
                    assert job_id is not None
                    with ledger.lock:
                        ledger.deleting[branch][job_id] += 1
                    try:
                        reply = api.delete_job(appId=app_id, branchName=branch, jobId=str(job_id))
                        assert reply["jobSummary"]["status"] in TERMINAL, reply
                        saw(key, reply["jobSummary"]["status"])
                        with ledger.lock:
                            assert job_id not in ledger.deleted[branch], f"job {key} deleted twice"
                            ledger.deleted[branch].add(job_id)
                            ledger.live[branch].remove(job_id)
                    finally:  # only now: in flight or deleted, a job is never in neither
                        with ledger.lock:
                            ledger.deleting[branch][job_id] -= 1
                elif operation == "GetJob":
                    job = api.get_job(appId=app_id, branchName=branch, jobId=str(job_id))["job"]
                    assert job["summary"]["jobId"] == str(job_id)
                    assert job_id not in deleted_before, f"job {key} came back after DeleteJob"
                    saw(key, job["summary"]["status"])
                elif operation == "ListJobs":
                    pages: List[List[Dict[str, Any]]] = []
                    jobs = _list_all(api, app_id, branch, size=rng.randint(3, 40), pages=pages)
                    ops["ListJobs page"] += len(pages)
                    ids = [int(j["jobId"]) for j in jobs]
                    assert not set(ids) & deleted_before, f"{branch}: deleted jobs listed again"
                    with ledger.lock:
                        in_flight = {i for i, n in ledger.deleting[branch].items() if n > 0}
                        deleted_after = ledger.deleted[branch] | in_flight
                        ledger.ever_listed[branch].update(ids)
                    missing = started_before - deleted_after - set(ids)
                    assert not missing, f"{branch}: jobs {sorted(missing)} skipped by ListJobs"
                    if _check_one_running(jobs, branch):
                        ops["ListJobs showing a running job"] += 1
                    for job in jobs:
                        saw((branch, int(job["jobId"])), job["status"])
                else:
                    _control(http, served, "clock", {"advance": rng.uniform(0.2, 1.5)})
            except ClientError as error:
                code, status = _error(error)
                assert (code, status) in EXPECTED_ERRORS[operation], f"{operation} {key}: {error}"
                errors[f"{operation} {code}"] += 1
                if operation == "StartJob":  # the branch is busy: AWS's words name it
                    message = error.response["Error"]["Message"]
                    assert message == f"The requested branch {branch} already have pending or running jobs"
                elif code == "NotFoundException":
                    with ledger.lock:
                        ledger.not_found.add(key)
                elif operation == "StopJob":
                    saw(key, ENDED)
                    with ledger.lock:
                        ledger.stop_refused.add(key)
                else:  # DeleteJob of a job not finished: this thread must not have seen it end
                    assert seen.get(key) not in TERMINAL | {ENDED}, f"job {key} ended, then was unfinished"
        with ledger.lock:
            ledger.ops.update(ops)
            ledger.errors.update(errors)

    _run(THREADS, work, abort)

    listed: Dict[str, List[Dict[str, Any]]] = {}
    for name in SHARED + OWN:
        started = sorted(ledger.started[name])
        assert started == list(range(1, len(started) + 1)), f"jobIds skipped or duplicated on {name}"
        listed[name] = _list_all(setup, app_id, name, size=7)
        ids = sorted(int(j["jobId"]) for j in listed[name])
        assert ids == sorted(set(started) - ledger.deleted[name]), f"jobs lost or resurrected on {name}"
        assert ledger.ever_listed[name] <= set(started), f"{name}: a job listed that no StartJob returned"
        total = setup.get_branch(appId=app_id, branchName=name)["branch"]["totalNumberOfJobs"]
        assert int(total) == len(ids)
        _check_one_running(listed[name], name)
    final = {(name, int(j["jobId"])): j["status"] for name, jobs in listed.items() for j in jobs}
    gone = {(name, i) for name, ids_ in ledger.deleted.items() for i in ids_}
    assert ledger.not_found <= gone, f"404 for jobs never deleted: {sorted(ledger.not_found - gone)}"
    refused = {key for key in ledger.stop_refused if key not in gone}
    assert all(final[key] in TERMINAL for key in refused), "StopJob refused a job that had not finished"

    jobs_started = sum(len(ids) for ids in ledger.started.values())
    jobs_deleted = sum(len(ids) for ids in ledger.deleted.values())
    jobs_listed = len(final)
    assert jobs_started - jobs_deleted == jobs_listed
    assert sum(n for op, n in ledger.ops.items() if not op.startswith("ListJobs ")) == THREADS * ROUNDS

    # Drain: stop what still runs, let the clock pass, delete everything. A scheduler slot
    # leaked by a race would leave the new jobs below PENDING for ever.
    for (name, job_id), status in final.items():
        if status not in TERMINAL:
            try:
                setup.stop_job(appId=app_id, branchName=name, jobId=str(job_id))
            except ClientError as error:
                assert _error(error) == ("BadRequestException", 400), error  # ended meanwhile
    served.advance(3600)
    for (name, job_id) in final:
        summary = setup.delete_job(appId=app_id, branchName=name, jobId=str(job_id))["jobSummary"]
        assert summary["status"] in TERMINAL
    for name in SHARED + OWN:
        assert setup.list_jobs(appId=app_id, branchName=name)["jobSummaries"] == []
        again = setup.start_job(appId=app_id, branchName=name, jobType="RELEASE")["jobSummary"]
        assert int(again["jobId"]) == len(ledger.started[name]) + 1, f"{name}: a deleted jobId reused"
    served.advance(3600)
    for name in SHARED + OWN:
        (last,) = setup.list_jobs(appId=app_id, branchName=name)["jobSummaries"]
        assert last["status"] in (SUCCEED, FAILED), (name, last)  # a scripted failure may be left

    record(
        "server concurrency jobs",
        {
            "threads": THREADS,
            "operations": THREADS * ROUNDS,
            **ledger.ops,
            **{f"error {k}": v for k, v in ledger.errors.items()},
            "jobs_started": jobs_started,
            "jobs_deleted": jobs_deleted,
            "jobs_listed": jobs_listed,
        },
    )


# The clock moved while clients poll

PHASE = 100.0  # every phase lasts this long, twice the clock's step: each is seen at least once
STEP = 50.0
POLLERS = 6


class Sightings:
    """What one poller saw of one job, read after read; each read must follow on from the last."""

    def __init__(self, key: Key) -> None:
        self.key = key
        self.statuses: List[str] = []
        self.start: Optional[str] = None
        self.end: Optional[str] = None
        self.steps: List[Tuple[str, str]] = []

    def add(self, job: Dict[str, Any]) -> None:
        summary, key = job["summary"], self.key
        status = summary["status"]
        if self.statuses:
            before = self.statuses[-1]
            assert status in NEXT[before], f"job {key} went from {before} to {status}"
        if not self.statuses or self.statuses[-1] != status:
            self.statuses.append(status)
        start = str(summary["startTime"])
        assert self.start in (None, start), f"job {key}: startTime moved"
        self.start = start
        end = str(summary["endTime"]) if "endTime" in summary else None
        assert (end is not None) == (status in TERMINAL), f"job {key}: endTime while {status}"
        assert self.end in (None, end), f"job {key}: endTime moved or vanished"
        self.end = end
        steps = [(step["stepName"], step["status"]) for step in job["steps"]]
        assert len(steps) >= len(self.steps), f"job {key}: steps vanished: {self.steps} -> {steps}"
        for (name, was), (again, now) in zip(self.steps, steps):
            assert name == again and now in NEXT[was], f"job {key}: step {name} went from {was} to {now}"
        self.steps = steps


def test_statuses_only_move_forward_while_the_clock_moves_under_pollers(
    served: Served, clients: Clients
) -> None:
    """Pollers see every job's statuses and steps in order, none skipped or undone, while one
    client moves the clock (once 200 s back), stops jobs, and waits for two polls between moves."""
    setup = clients.boto()
    app_id = setup.create_app(name="clock", repository=REPO, accessToken="token")["app"]["appId"]
    for name in ("a", "b", "c", "d/1", "e", "f"):
        setup.create_branch(appId=app_id, branchName=name)
    durations = ("pending", "provisioning", "build", "deploy", "verify", "cancelling")
    _control(served.http, served, "durations", dict.fromkeys(durations, PHASE))
    for name, outcome in (("b", {"kind": "FAIL", "step": "DEPLOY"}), ("c", {"kind": "NEVER_FINISH"})):
        _control(served.http, served, "script", {"appId": app_id, "branchName": name, "outcomes": [outcome]})
    for name in ("a", "b", "c", "d/1"):
        setup.start_job(appId=app_id, branchName=name, jobType="RELEASE")
    # What queues on a branch: a job started while the one before is being cancelled (a busy
    # branch refuses StartJob).
    for name in ("e", "f"):
        setup.start_job(appId=app_id, branchName=name, jobType="RELEASE")
        setup.stop_job(appId=app_id, branchName=name, jobId="1")
        setup.start_job(appId=app_id, branchName=name, jobType="RELEASE")
    # In offset seconds from the start (each phase 100 s): a1 succeeds at 500; b1 fails at
    # DEPLOY at 400; c1 never finishes and is stopped RUNNING at 650; d1 is stopped PROVISIONING
    # at 150; e1 and f1, stopped at 0, are CANCELLED at 100; e2, queued behind e1, then runs and
    # succeeds at 500; f2, queued behind f1, is stopped PENDING at 50.
    expected: Dict[Key, List[str]] = {
        ("a", 1): [PENDING, PROVISIONING, RUNNING, SUCCEED],
        ("b", 1): [PENDING, PROVISIONING, RUNNING, FAILED],
        ("c", 1): [PENDING, PROVISIONING, RUNNING, CANCELLING, CANCELLED],
        ("d/1", 1): [PENDING, PROVISIONING, CANCELLING, CANCELLED],
        ("e", 1): [CANCELLING, CANCELLED],
        ("e", 2): [PENDING, PROVISIONING, RUNNING, SUCCEED],
        ("f", 1): [CANCELLING, CANCELLED],
        ("f", 2): [PENDING, CANCELLING, CANCELLED],
    }
    ran = [("BUILD", SUCCEED), ("DEPLOY", SUCCEED), ("VERIFY", SUCCEED)]
    expected_steps: Dict[Key, List[Tuple[str, str]]] = {
        ("a", 1): ran,
        ("b", 1): [("BUILD", SUCCEED), ("DEPLOY", FAILED)],
        ("c", 1): ran[:2] + [("VERIFY", CANCELLED)],  # it hung in its last step
        ("d/1", 1): [],  # stopped before its first step
        ("e", 1): [],  # stopped while PENDING
        ("e", 2): ran,
        ("f", 1): [],
        ("f", 2): [],  # never admitted
    }
    # The clock's moves: +STEP, a StopJob, or the offset set 200 s back (at 450), which must
    # change nothing until the offset is past 450 again.
    plan: List[Any] = [STEP] + [("f", 2)] + [STEP] * 2 + [("d/1", 1)] + [STEP] * 6 + ["back"]
    plan += [STEP] * 8 + [("c", 1)] + [STEP] * 8
    keys = sorted(expected)
    apis = [clients.boto() for _ in range(POLLERS + 1)]
    http = clients.http()
    seen = [{key: Sightings(key) for key in keys} for _ in range(POLLERS)]
    passes = [0] * POLLERS
    turn = threading.Condition()
    done, abort = threading.Event(), threading.Event()
    moves: Counter[str] = Counter()

    def poll(index: int) -> None:
        api = apis[index]
        while not abort.is_set():
            last = done.is_set()
            for branch, job_id in keys:
                job = api.get_job(appId=app_id, branchName=branch, jobId=str(job_id))["job"]
                seen[index][(branch, job_id)].add(job)
            with turn:
                passes[index] += 1
                turn.notify_all()
            if last:
                return

    def move_clock() -> None:
        api, offset = apis[POLLERS], 0.0
        for move in plan:
            with turn:  # two full passes of every poller after the last move, before the next
                target = [n + 2 for n in passes]

                def ready(target: List[int] = target) -> bool:
                    return abort.is_set() or all(n >= t for n, t in zip(passes, target))

                settled = turn.wait_for(ready, timeout=60)
            assert settled and not abort.is_set(), "the pollers stalled"
            if move == "back":
                offset -= 200
                assert _control(http, served, "clock", {"offset": offset})["offset"] == offset == 250
                moves["offset set back 200 s"] += 1
            elif isinstance(move, tuple):
                branch, job_id = move
                stopped = api.stop_job(appId=app_id, branchName=branch, jobId=str(job_id))["jobSummary"]
                assert stopped["status"] == CANCELLING, stopped
                moves["StopJob"] += 1
            else:
                offset += move
                assert _control(http, served, "clock", {"advance": move})["offset"] == offset
                moves["clock advance"] += 1
        done.set()

    _run(POLLERS + 1, lambda i: move_clock() if i == POLLERS else poll(i), abort)

    for index in range(POLLERS):
        for key in keys:
            assert seen[index][key].statuses == expected[key], (index, key)
            assert seen[index][key].steps == expected_steps[key], (index, key)
    for (branch, job_id), statuses in expected.items():
        job = setup.get_job(appId=app_id, branchName=branch, jobId=str(job_id))["job"]
        assert job["summary"]["status"] == statuses[-1]
    record(
        "server clock under pollers",
        {"pollers": POLLERS, "jobs": len(keys), "GetJob": sum(passes) * len(keys), **moves},
    )
