import boto3
import pytest

from amplify_mock import mock_amplify_jobs


@mock_amplify_jobs()
def test_created_app_can_be_read_back():
    client = boto3.client("amplify", region_name="us-east-1")
    app = client.create_app(name="shop")["app"]
    assert client.get_app(appId=app["appId"])["app"]["name"] == "shop"


@mock_amplify_jobs()
def test_unknown_app_is_not_found():
    client = boto3.client("amplify", region_name="us-east-1")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_app(appId="dmissing")
