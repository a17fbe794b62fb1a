"""amplify_mock next to moto: both mocks together, and moto's own mock_aws serving Amplify."""

import boto3
import botocore.client
import pytest
import requests
from moto import mock_aws

import amplify_mock  # importing it is what lets mock_aws serve Amplify
from amplify_mock import mock_amplify_jobs

ORIGINAL_MAKE_REQUEST = botocore.client.BaseClient._make_request


def use_s3_and_amplify():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="artifacts")
    s3.put_object(Bucket="artifacts", Key="build.zip", Body=b"zip")
    client = boto3.client("amplify", region_name="us-east-1")
    app_id = client.create_app(name="shop")["app"]["appId"]
    client.create_branch(appId=app_id, branchName="feature/x")
    assert s3.get_object(Bucket="artifacts", Key="build.zip")["Body"].read() == b"zip"
    assert [b["branchName"] for b in client.list_branches(appId=app_id)["branches"]] == ["feature/x"]


def test_amplify_mock_inside_mock_aws():
    with mock_aws(), mock_amplify_jobs():
        use_s3_and_amplify()


def test_mock_aws_inside_amplify_mock():
    with mock_amplify_jobs(), mock_aws():
        use_s3_and_amplify()


def test_both_as_decorators():
    @mock_aws
    @mock_amplify_jobs()
    def body():
        use_s3_and_amplify()

    body()


def test_mock_aws_alone_serves_amplify():
    with mock_aws():
        use_s3_and_amplify()


def test_mock_aws_alone_answers_amplify_errors_like_aws():
    with mock_aws():
        client = boto3.client("amplify", region_name="us-east-1")
        with pytest.raises(client.exceptions.NotFoundException) as excinfo:
            client.get_app(appId="dnosuchapp0000")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "dnosuchapp0000" in excinfo.value.response["Error"]["Message"]


def test_mock_aws_alone_serves_amplify_to_requests():
    with mock_aws():
        url = "https://amplify.us-east-1.amazonaws.com/apps"
        reply = requests.post(url, json={"name": "shop"}, timeout=5)
        assert reply.status_code == 200
        assert boto3.client("amplify", region_name="us-east-1").list_apps()["apps"][0]["name"] == "shop"


def test_mock_aws_alone_serves_branch_names_with_slash():
    with mock_aws():
        client = boto3.client("amplify", region_name="us-east-1")
        app = client.create_app(name="shop")["app"]
        branch = client.create_branch(appId=app["appId"], branchName="feature/a/b")["branch"]
        assert client.get_branch(appId=app["appId"], branchName="feature/a/b")["branch"] == branch
        client.tag_resource(resourceArn=branch["branchArn"], tags={"k": "v"})
        assert client.list_tags_for_resource(resourceArn=branch["branchArn"])["tags"] == {"k": "v"}


def test_mock_aws_starts_amplify_from_empty_state():
    with mock_aws():
        boto3.client("amplify", region_name="us-east-1").create_app(name="shop")
    with mock_aws():
        assert boto3.client("amplify", region_name="us-east-1").list_apps()["apps"] == []


def test_mock_aws_keeps_amplify_accounts_apart(monkeypatch):
    with mock_aws():
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
        app = boto3.client("amplify", region_name="us-east-1").create_app(name="shop")["app"]
        assert ":111111111111:" in app["appArn"]
        monkeypatch.delenv("MOTO_ACCOUNT_ID")
        assert boto3.client("amplify", region_name="us-east-1").list_apps()["apps"] == []


def test_other_moto_services_keep_working_with_both_mocks():
    with mock_aws(), mock_amplify_jobs():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="builds")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="done")
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "done"
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        assert ddb.list_tables()["TableNames"] == []


def test_leaving_amplify_mock_keeps_mock_aws_serving_amplify():
    with mock_aws():
        with mock_amplify_jobs():
            boto3.client("amplify", region_name="us-east-1").create_app(name="inner")
        assert botocore.client.BaseClient._make_request is ORIGINAL_MAKE_REQUEST
        client = boto3.client("amplify", region_name="us-east-1")
        client.create_app(name="outer")
        assert "outer" in [a["name"] for a in client.list_apps()["apps"]]


def test_mock_aws_alone_files_apps_under_the_account_of_sts_keys():
    with mock_aws():
        credentials = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn="arn:aws:iam::444444444444:role/deployer", RoleSessionName="ci"
        )["Credentials"]
        client = boto3.client(
            "amplify",
            region_name="eu-west-1",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        app = client.create_app(name="shop")["app"]
        assert app["appArn"].startswith("arn:aws:amplify:eu-west-1:444444444444:apps/")
        assert list(amplify_mock.amplify_backends["444444444444"]["eu-west-1"].apps) == [app["appId"]]


def test_inside_mock_aws_the_apps_and_jobs_are_mock_aws_s_to_keep_and_reset():
    with mock_aws():
        client = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(
            name="made-under-mock-aws", repository="https://github.com/a/b", accessToken="token"
        )["app"]["appId"]
        with mock_amplify_jobs() as amplify_jobs:
            # What mock_aws() served before this mock started is still there...
            assert [a["appId"] for a in client.list_apps()["apps"]] == [app_id]
            client.create_branch(appId=app_id, branchName="main")
            client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
            assert app_id in amplify_jobs.backend().apps
        # ...and what was made under it outlives it, served by mock_aws() alone.
        assert client.list_jobs(appId=app_id, branchName="main")["jobSummaries"][0]["jobId"] == "1"
    with mock_aws():  # mock_aws() resets every service, Amplify included
        assert boto3.client("amplify", region_name="us-east-1").list_apps()["apps"] == []
    with mock_amplify_jobs():
        assert boto3.client("amplify", region_name="us-east-1").list_apps()["apps"] == []
