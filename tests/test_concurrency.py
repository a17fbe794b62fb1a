"""Sixteen threads at once, through boto3 and raw ``requests``: nothing raised, nothing lost or
duplicated, and every counter the API reports agrees with what the threads did."""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any, Callable, Dict, List, Set, Tuple

import botocore.client
import pytest
import requests
from botocore.exceptions import ClientError

from amplify_mock import mock_amplify_jobs
from amplify_mock.responses import OPERATIONS
from tests.robust_support import ENDPOINT, client, count_objects, record

THREADS = 16
ROUNDS = 200  # per thread: 3,200 mixed operations on apps, branches and tags
JOB_ROUNDS = 150  # per thread: 2,400 job operations


def _run_threads(work: Callable[[int], None]) -> None:
    errors: List[BaseException] = []
    start = threading.Barrier(THREADS)

    def target(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as error:  # noqa: BLE001 - reported below, with its thread
            errors.append(error)

    threads = [threading.Thread(target=target, args=(i,), name=f"worker-{i}") for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert not errors, f"{len(errors)} workers failed, first: {errors[0]!r}"


class Raw:
    """The same calls as boto3's, as raw HTTP through ``requests`` (the mock's other path)."""

    def __init__(self) -> None:
        self.http = requests.Session()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, ENDPOINT + path, timeout=5, **kwargs)
        if response.status_code >= 300:
            body = response.json()
            error = {
                "Error": {"Code": response.headers["x-amzn-ErrorType"], "Message": body["message"]},
                "ResponseMetadata": {"HTTPStatusCode": response.status_code},
            }
            raise ClientError(error, path)  # type: ignore[arg-type]
        return response.json()

    def create_app(self, **params: Any) -> Any:
        return self._call("POST", "/apps", json=params)

    def delete_app(self, appId: str) -> Any:  # noqa: N803 - the API's name
        return self._call("DELETE", f"/apps/{appId}")

    def get_app(self, appId: str) -> Any:  # noqa: N803
        return self._call("GET", f"/apps/{appId}")

    def list_apps(self, **params: Any) -> Any:
        return self._call("GET", "/apps", params=params)

    def create_branch(self, appId: str, **params: Any) -> Any:  # noqa: N803
        return self._call("POST", f"/apps/{appId}/branches", json=params)

    def delete_branch(self, appId: str, branchName: str) -> Any:  # noqa: N803
        return self._call("DELETE", f"/apps/{appId}/branches/{branchName}")

    def list_branches(self, appId: str, **params: Any) -> Any:  # noqa: N803
        return self._call("GET", f"/apps/{appId}/branches", params=params)

    def tag_resource(self, resourceArn: str, tags: Dict[str, str]) -> Any:  # noqa: N803
        return self._call("POST", f"/tags/{requests.utils.quote(resourceArn, safe='')}", json={"tags": tags})

    def untag_resource(self, resourceArn: str, tagKeys: List[str]) -> Any:  # noqa: N803
        return self._call(
            "DELETE", f"/tags/{requests.utils.quote(resourceArn, safe='')}", params={"tagKeys": tagKeys}
        )


def _all(list_call: Callable[..., Any], key: str, **params: Any) -> List[Dict[str, Any]]:
    items: List[Dict[str, Any]] = []
    token = None
    while True:
        page = list_call(**params, **({"nextToken": token} if token else {}))
        items.extend(page[key])
        token = page.get("nextToken")
        if not token:
            return items


def _code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


def test_sixteen_threads_on_apps_branches_and_tags_lose_and_duplicate_nothing() -> None:
    with mock_amplify_jobs() as amplify:
        main = client()
        shared = main.create_app(name="shared")["app"]
        shared_id, shared_arn = shared["appId"], shared["appArn"]
        # Half the threads go through boto3 (one client each, made here: creating clients
        # from one session is not thread-safe), half through requests.
        callers: List[Any] = [client() if i % 2 == 0 else Raw() for i in range(THREADS)]
        lock = threading.Lock()
        ops: Counter[str] = Counter()
        own_apps: List[Set[str]] = [set() for _ in range(THREADS)]
        own_branches: List[Set[str]] = [set() for _ in range(THREADS)]
        own_tags: List[Dict[str, str]] = [{} for _ in range(THREADS)]
        race_wins: Counter[str] = Counter()
        created_apps = [0] * THREADS

        def work(index: int) -> None:
            api = callers[index]
            rng = random.Random(index)
            done: Counter[str] = Counter()
            for n in range(ROUNDS):
                choice = rng.random()
                if choice < 0.15:
                    app_id = api.create_app(name=f"t{index}-{n}")["app"]["appId"]
                    assert app_id not in own_apps[index]
                    own_apps[index].add(app_id)
                    created_apps[index] += 1
                    done["CreateApp"] += 1
                elif choice < 0.22 and own_apps[index]:
                    app_id = rng.choice(sorted(own_apps[index]))
                    assert api.delete_app(appId=app_id)["app"]["appId"] == app_id
                    own_apps[index].discard(app_id)
                    done["DeleteApp"] += 1
                elif choice < 0.37:
                    name = f"t{index}/b{n}"
                    api.create_branch(appId=shared_id, branchName=name)
                    own_branches[index].add(name)
                    done["CreateBranch"] += 1
                elif choice < 0.44 and own_branches[index]:
                    name = rng.choice(sorted(own_branches[index]))
                    wire = requests.utils.quote(name, safe="") if isinstance(api, Raw) else name
                    api.delete_branch(appId=shared_id, branchName=wire)
                    own_branches[index].discard(name)
                    done["DeleteBranch"] += 1
                elif choice < 0.52:
                    # Every thread races for the same names: exactly one may win each.
                    name = f"race-{rng.randrange(40)}"
                    try:
                        api.create_branch(appId=shared_id, branchName=name)
                    except ClientError as error:
                        assert _code(error) == "BadRequestException", error
                    else:
                        with lock:
                            race_wins[name] += 1
                    done["CreateBranch"] += 1
                elif choice < 0.64:
                    key = f"t{index}k{n % 3}"  # 16 threads x 3 keys stays under the 50-tag limit
                    api.tag_resource(resourceArn=shared_arn, tags={key: str(n)})
                    own_tags[index][key] = str(n)
                    done["TagResource"] += 1
                elif choice < 0.70 and own_tags[index]:
                    key = rng.choice(sorted(own_tags[index]))
                    api.untag_resource(resourceArn=shared_arn, tagKeys=[key])
                    del own_tags[index][key]
                    done["UntagResource"] += 1
                elif choice < 0.85:
                    apps = _all(api.list_apps, "apps", maxResults=rng.randint(20, 100))
                    ids = [a["appId"] for a in apps]
                    assert len(ids) == len(set(ids)), "an app listed twice"
                    assert own_apps[index] <= set(ids), "an app of this thread went missing"
                    done["ListApps"] += 1
                elif choice < 0.93:
                    names = [
                        b["branchName"]
                        for b in _all(
                            api.list_branches, "branches", appId=shared_id, maxResults=rng.randint(20, 50)
                        )
                    ]
                    assert len(names) == len(set(names)), "a branch listed twice"
                    assert own_branches[index] <= set(names), "a branch of this thread went missing"
                    done["ListBranches"] += 1
                else:
                    assert api.get_app(appId=shared_id)["app"]["appId"] == shared_id
                    done["GetApp"] += 1
            with lock:
                ops.update(done)

        _run_threads(work)

        expected_apps = {shared_id}.union(*own_apps)
        listed = _all(main.list_apps, "apps")
        assert sorted(a["appId"] for a in listed) == sorted(expected_apps)
        expected_branches = set(race_wins).union(*own_branches)
        assert all(wins == 1 for wins in race_wins.values()), race_wins
        branches = _all(main.list_branches, "branches", appId=shared_id)
        assert sorted(b["branchName"] for b in branches) == sorted(expected_branches)
        expected_tags: Dict[str, str] = {}
        for tags in own_tags:
            expected_tags.update(tags)
        assert main.list_tags_for_resource(resourceArn=shared_arn)["tags"] == expected_tags
        backend = amplify.backend()
        assert backend.app_seq == 1 + sum(created_apps)
        assert count_objects()[:2] == (len(expected_apps), len(expected_branches))
        total = sum(ops.values())
        assert total == THREADS * ROUNDS
        record(
            "concurrency apps/branches/tags",
            {
                "threads": THREADS,
                "operations": total,
                **ops,
                "apps_left": len(expected_apps),
                "branches_left": len(expected_branches),
            },
        )


_ACTIVE = {"PROVISIONING", "RUNNING"}
_TERMINAL = {"SUCCEED", "FAILED", "CANCELLED"}


@pytest.mark.skipif("StartJob" not in OPERATIONS, reason="jobs are not served yet")
def test_sixteen_threads_starting_stopping_listing_and_deleting_jobs() -> None:
    from amplify_mock import Durations  # served together with the job operations

    with mock_amplify_jobs() as amplify:
        # Jobs that last milliseconds of real time, so threads meet every status.
        amplify.durations = Durations(
            pending=0.001, provisioning=0.002, build=0.004, deploy=0.002, verify=0.001, cancelling=0.002
        )
        main = client()
        app_id = main.create_app(
            name="jobs", repository="https://github.com/acme/jobs", accessToken="token"
        )["app"]["appId"]
        shared = [f"shared-{i}" for i in range(4)]
        own = [f"own-{i}" for i in range(THREADS)]
        for name in shared + own:
            main.create_branch(appId=app_id, branchName=name)
        clients = [client() for _ in range(THREADS)]
        lock = threading.Lock()
        started: Dict[str, List[int]] = {name: [] for name in shared + own}
        deleted: Dict[str, Set[int]] = {name: set() for name in shared + own}
        ops: Counter[str] = Counter()
        refusals: Counter[str] = Counter()

        def work(index: int) -> None:
            api = clients[index]
            rng = random.Random(1000 + index)
            mine: List[Tuple[str, str]] = []
            done: Counter[str] = Counter()
            refused: Counter[str] = Counter()
            for _ in range(JOB_ROUNDS):
                branch = own[index] if rng.random() < 0.4 else rng.choice(shared)
                choice = rng.random()
                try:
                    if choice < 0.35 or not mine:
                        done["StartJob"] += 1
                        job_id = api.start_job(appId=app_id, branchName=branch, jobType="RELEASE")[
                            "jobSummary"
                        ]["jobId"]
                        with lock:
                            started[branch].append(int(job_id))
                        mine.append((branch, job_id))
                    elif choice < 0.55:
                        done["StopJob"] += 1
                        name, job_id = rng.choice(mine)
                        status = api.stop_job(appId=app_id, branchName=name, jobId=job_id)["jobSummary"][
                            "status"
                        ]
                        assert status in ("CANCELLING", "CANCELLED"), status
                    elif choice < 0.75:
                        done["DeleteJob"] += 1
                        name, job_id = rng.choice(mine)
                        summary = api.delete_job(appId=app_id, branchName=name, jobId=job_id)["jobSummary"]
                        assert summary["status"] in _TERMINAL, summary
                        mine.remove((name, job_id))
                        with lock:
                            assert int(job_id) not in deleted[name], "a job deleted twice"
                            deleted[name].add(int(job_id))
                    else:
                        done["ListJobs"] += 1
                        jobs = _all(
                            api.list_jobs,
                            "jobSummaries",
                            appId=app_id,
                            branchName=branch,
                            maxResults=rng.randint(1, 50),
                        )
                        ids = [int(j["jobId"]) for j in jobs]
                        assert len(ids) == len(set(ids)), "a job listed twice"
                        assert ids == sorted(ids, reverse=True), "jobs out of order"
                        active = [j for j in jobs if j["status"] in _ACTIVE]
                        assert len(active) <= 1, f"two jobs running at once on {branch}: {active}"
                except ClientError as error:
                    # The API's own rules: a StartJob on a branch with a job pending or running is
                    # refused with 429, a finished job cannot be stopped, an unfinished one cannot
                    # be deleted. Anything else is a failure.
                    status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                    if _code(error) == "LimitExceededException":
                        assert (status, done["StartJob"] > 0) == (429, True), error
                        assert error.response["Error"]["Message"] == (
                            f"The requested branch {branch} already have pending or running jobs"
                        ), error
                    else:
                        assert (status, _code(error)) == (400, "BadRequestException"), error
                    refused[_code(error)] += 1
            with lock:
                ops.update(done)
                refusals.update(refused)

        _run_threads(work)

        for name in shared + own:
            ids = sorted(started[name])
            assert ids == list(range(1, len(ids) + 1)), f"jobIds skipped or duplicated on {name}"
            listed = sorted(
                int(j["jobId"]) for j in _all(main.list_jobs, "jobSummaries", appId=app_id, branchName=name)
            )
            assert listed == sorted(set(ids) - deleted[name]), f"jobs lost or resurrected on {name}"
            branch = main.get_branch(appId=app_id, branchName=name)["branch"]
            assert int(branch["totalNumberOfJobs"]) == len(listed)
        total = sum(ops.values())
        assert total == THREADS * JOB_ROUNDS
        record(
            "concurrency jobs",
            {
                "threads": THREADS,
                "operations": total,
                **ops,
                "jobs_started": sum(len(v) for v in started.values()),
                "refused_by_api_rules": sum(refusals.values()),
                "refused_busy_branch": refusals["LimitExceededException"],
            },
        )


def test_nested_mocks_started_and_stopped_from_sixteen_threads_keep_the_outer_one_intact() -> None:
    original = botocore.client.BaseClient._make_request
    with mock_amplify_jobs():
        main = client()
        made = [client() for _ in range(THREADS)]
        ids: List[str] = []
        lock = threading.Lock()

        def work(index: int) -> None:
            for n in range(10):
                with mock_amplify_jobs():  # nested: must neither reset nor uninstall anything
                    app_id = made[index].create_app(name=f"n{index}-{n}")["app"]["appId"]
                with lock:
                    ids.append(app_id)

        _run_threads(work)
        assert botocore.client.BaseClient._make_request is not original, "the outer mock was stopped"
        listed = {a["appId"] for a in _all(main.list_apps, "apps")}
        assert listed == set(ids) and len(ids) == THREADS * 10
    assert botocore.client.BaseClient._make_request is original
