"""aiobotocore and aioboto3 clients against ``amplify-mock serve``: the same calls, replies and
errors as boto3's, through aiohttp.

aiobotocore pins botocore, so this module runs in the ``aio`` tox env (``tox -e aio``) with
tests/test_aio_clients.py; it is skipped where aiobotocore is not installed."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any, List

import pytest

aiobotocore_session = pytest.importorskip("aiobotocore.session")
aioboto3 = pytest.importorskip("aioboto3")
aiohttp = pytest.importorskip("aiohttp")

from botocore.config import Config  # noqa: E402 - after the skip

from tests.server_support import REPO, Served, server_fixture  # noqa: E402, F401

# Against the server as against AWS, a 429 is retried with real sleeps: one attempt here.
ONCE = Config(retries={"max_attempts": 0})


def test_an_aiobotocore_deploy_script_against_the_server(server: Served) -> None:
    async def script() -> List[Any]:
        seen: List[Any] = []
        session = aiobotocore_session.get_session()
        async with session.create_client(
            "amplify", region_name="eu-west-1", endpoint_url=server.url, config=ONCE,
            aws_access_key_id="testing", aws_secret_access_key="testing",
        ) as client, aiohttp.ClientSession() as http:

            async def advance(seconds: int) -> None:
                async with http.post(f"{server.url}/_amplify_mock/clock", json={"advance": seconds}) as reply:
                    assert reply.status == 200

            app = (await client.create_app(name="shop", repository=REPO, accessToken="token"))["app"]
            seen.append(app["appArn"].split(":")[3])  # the region the client signed for
            app_id = app["appId"]
            await client.create_branch(appId=app_id, branchName="feature/x")
            job_id = (await client.start_job(appId=app_id, branchName="feature/x", jobType="RELEASE"))[
                "jobSummary"]["jobId"]
            try:
                await client.start_job(appId=app_id, branchName="feature/x", jobType="RELEASE")
            except client.exceptions.LimitExceededException as error:
                response = error.response
                seen.append((response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]))
            statuses = []
            while not statuses or statuses[-1] not in ("SUCCEED", "FAILED"):
                job = (await client.get_job(appId=app_id, branchName="feature/x", jobId=job_id))["job"]
                statuses.append(job["summary"]["status"])
                await advance(60)
            seen.append(statuses[-1])
            seen.append(job["summary"]["endTime"] > job["summary"]["startTime"])  # datetimes
            for _ in range(2):
                await client.start_job(appId=app_id, branchName="feature/x", jobType="RELEASE")
                await advance(3600)
            paginator = client.get_paginator("list_jobs")
            pages = [page async for page in paginator.paginate(
                appId=app_id, branchName="feature/x", PaginationConfig={"PageSize": 1})]
            seen.append([summary["jobId"] for page in pages for summary in page["jobSummaries"]])
            try:
                await client.get_app(appId="d0000000000000")
            except client.exceptions.NotFoundException as error:
                seen.append((error.response["Error"], error.response["ResponseMetadata"]["HTTPStatusCode"]))

            manual = (await client.create_app(name="manual"))["app"]["appId"]
            await client.create_branch(appId=manual, branchName="main")
            created = await client.create_deployment(
                appId=manual, branchName="main", fileMap={"index.html": hashlib.md5(b"hi").hexdigest()}
            )
            async with http.put(created["fileUploadUrls"]["index.html"], data=b"hi") as put:
                seen.append(put.status)
            await client.start_deployment(appId=manual, branchName="main", jobId=created["jobId"])
        return seen

    assert asyncio.run(script()) == [
        "eu-west-1",
        ("LimitExceededException", 429),
        "SUCCEED",
        True,
        ["3", "2", "1"],
        ({"Code": "NotFoundException", "Message": "App d0000000000000 not found."}, 404),
        200,
    ]
    apps = server.client("eu-west-1").list_apps()["apps"]
    manual = next(app["appId"] for app in apps if app["name"] == "manual")
    where = {"appId": manual, "branchName": "main", "jobId": "1"}
    deployed = server.control("GET", "deployment", params=where)
    assert deployed.json()["files"]["index.html"]["md5"] == hashlib.md5(b"hi").hexdigest()


def test_an_aioboto3_client_against_the_server(server: Served) -> None:
    async def script() -> Any:
        session = aioboto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        async with session.client("amplify", region_name="ap-southeast-2", endpoint_url=server.url) as client:
            await client.create_app(name="sydney")
            return [app["appArn"].split(":")[3] for app in (await client.list_apps())["apps"]]

    assert asyncio.run(script()) == ["ap-southeast-2"]
