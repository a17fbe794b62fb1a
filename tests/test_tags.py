import pytest

from tests.helpers import amplify, error, snapshot, unvalidated


@pytest.fixture
def client(amplify_jobs):
    return amplify()


@pytest.fixture
def app(client):
    return client.create_app(name="shop", tags={"team": "web"})["app"]


def tags_of(client, arn):
    return client.list_tags_for_resource(resourceArn=arn)["tags"]


def test_tags_given_at_creation_are_listed(client, app):
    branch = client.create_branch(appId=app["appId"], branchName="main", tags={"env": "prod"})["branch"]
    assert tags_of(client, app["appArn"]) == {"team": "web"}
    assert tags_of(client, branch["branchArn"]) == {"env": "prod"}


def test_tag_resource_adds_and_overwrites(client, app):
    client.tag_resource(resourceArn=app["appArn"], tags={"team": "api", "cost": "42"})
    assert tags_of(client, app["appArn"]) == {"team": "api", "cost": "42"}
    assert client.get_app(appId=app["appId"])["app"]["tags"] == {"team": "api", "cost": "42"}


def test_untag_resource_removes_only_the_named_keys(client, app):
    client.tag_resource(resourceArn=app["appArn"], tags={"cost": "42", "owner": "me"})
    client.untag_resource(resourceArn=app["appArn"], tagKeys=["cost", "team", "never-set"])
    assert tags_of(client, app["appArn"]) == {"owner": "me"}


def test_app_and_branch_tags_are_separate(client, app):
    branch = client.create_branch(appId=app["appId"], branchName="main")["branch"]
    client.tag_resource(resourceArn=branch["branchArn"], tags={"env": "prod"})
    assert tags_of(client, app["appArn"]) == {"team": "web"}
    assert client.get_branch(appId=app["appId"], branchName="main")["branch"]["tags"] == {"env": "prod"}


def test_branch_with_slash_is_tagged_through_its_arn(client, app):
    arn = client.create_branch(appId=app["appId"], branchName="feature/x/y")["branch"]["branchArn"]
    client.tag_resource(resourceArn=arn, tags={"k": "v"})
    assert tags_of(client, arn) == {"k": "v"}
    client.untag_resource(resourceArn=arn, tagKeys=["k"])
    assert tags_of(client, arn) == {}


def test_tag_values_may_be_empty_or_unicode(client, app):
    client.tag_resource(resourceArn=app["appArn"], tags={"empty": "", "name": "caf\u00e9 @home"})
    assert tags_of(client, app["appArn"])["name"] == "caf\u00e9 @home"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:amplify:us-east-1:123456789012:apps/dnosuchapp0000",
        "arn:aws:amplify:us-east-1:123456789012:apps/{app}/branches/ghost",
        "arn:aws:amplify:eu-west-1:123456789012:apps/{app}",
        "arn:aws:amplify:us-east-1:999999999999:apps/{app}",
        "arn:aws:amplify:us-east-1:123456789012:apps/{app}/jobs/1",
    ],
)
@pytest.mark.parametrize("operation", ["list_tags", "tag", "untag"])
def test_unknown_arn_is_resource_not_found_naming_the_arn(client, app, arn, operation):
    arn = arn.format(app=app["appId"])
    calls = {
        "list_tags": lambda: client.list_tags_for_resource(resourceArn=arn),
        "tag": lambda: client.tag_resource(resourceArn=arn, tags={"k": "v"}),
        "untag": lambda: client.untag_resource(resourceArn=arn, tagKeys=["k"]),
    }
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        calls[operation]()
    code, status, message = error(excinfo)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert arn in message


def test_more_than_50_tags_in_total_is_bad_request_and_changes_nothing(client, app, amplify_jobs):
    client.tag_resource(resourceArn=app["appArn"], tags={f"k{i}": "v" for i in range(49)})
    before = snapshot(amplify_jobs.backend())
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        client.tag_resource(resourceArn=app["appArn"], tags={"x": "1", "y": "2"})
    assert "50" in error(excinfo)[2]
    assert snapshot(amplify_jobs.backend()) == before


def test_reaching_exactly_50_tags_is_fine(client, app):
    client.tag_resource(resourceArn=app["appArn"], tags={f"k{i}": "v" for i in range(48)})
    client.tag_resource(resourceArn=app["appArn"], tags={"team": "api", "last": "1"})
    assert len(tags_of(client, app["appArn"])) == 50


@pytest.mark.parametrize(
    "call",
    [
        lambda c, arn: c.tag_resource(resourceArn=arn, tags={"aws:reserved": "x"}),
        lambda c, arn: c.tag_resource(resourceArn=arn, tags={"k" * 129: "x"}),
        lambda c, arn: c.tag_resource(resourceArn=arn, tags={"k": "v" * 257}),
        lambda c, arn: c.tag_resource(resourceArn=arn, tags={"k": "semi;colon"}),
        lambda c, arn: c.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(51)}),
        lambda c, arn: c.tag_resource(resourceArn=arn),
        lambda c, arn: c.untag_resource(resourceArn=arn, tagKeys=[]),
        lambda c, arn: c.untag_resource(resourceArn=arn, tagKeys=[f"k{i}" for i in range(51)]),
        lambda c, arn: c.untag_resource(resourceArn=arn),
        lambda c, arn: c.list_tags_for_resource(resourceArn=arn.replace("arn:aws:", "arn:aws-cn:")),
        lambda c, arn: c.list_tags_for_resource(resourceArn="not-an-arn"),
    ],
    ids=[
        "aws-prefixed-key",
        "key-too-long",
        "value-too-long",
        "value-bad-character",
        "51-tags",
        "tags-missing",
        "no-tag-keys",
        "51-tag-keys",
        "tag-keys-missing",
        "other-partition-arn",
        "not-an-arn",
    ],
)
def test_tag_calls_breaking_the_model_are_bad_request_and_change_nothing(amplify_jobs, call):
    client = unvalidated()
    arn = client.create_app(name="shop", tags={"team": "web"})["app"]["appArn"]
    before = snapshot(amplify_jobs.backend())
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        call(client, arn)
    assert error(excinfo)[:2] == ("BadRequestException", 400)
    assert snapshot(amplify_jobs.backend()) == before


def test_arn_holding_a_newline_breaks_the_models_pattern(client, app):
    # ResourceArn's pattern "^arn:aws:amplify:.*" is matched whole and "." stops at a newline,
    # so such an ARN is refused before any lookup, as AWS's validator refuses it.
    arn = client.create_branch(appId=app["appId"], branchName="fix\nnext")["branch"]["branchArn"]
    with pytest.raises(client.exceptions.BadRequestException, match="resourceArn"):
        client.tag_resource(resourceArn=arn, tags={"k": "v"})
    branch = client.get_branch(appId=app["appId"], branchName="fix\nnext")["branch"]
    assert branch["tags"] == {}


def test_arn_with_a_trailing_newline_is_not_the_branch_without_it(client, app):
    arn = client.create_branch(appId=app["appId"], branchName="main")["branch"]["branchArn"]
    with pytest.raises(client.exceptions.BadRequestException):
        client.tag_resource(resourceArn=arn + "\n", tags={"k": "v"})
    assert tags_of(client, arn) == {}
