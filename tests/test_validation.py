"""Requests that break botocore's Amplify model are refused by the mock itself, even when the
client skips its own parameter validation, and refusing them changes nothing."""

import json
import re

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ParamValidationError

from amplify_mock import AmplifyBackend
from amplify_mock.responses import OPERATIONS
from tests.helpers import amplify, error, snapshot, unvalidated

APP = "{app}"
LONG_APP_ID = "d" + "a" * 20
NEW_BRANCH = {"appId": APP, "branchName": "b"}

VIOLATIONS = {
    # CreateApp
    "create_app/name-missing": ("create_app", {}),
    "create_app/name-empty": ("create_app", {"name": ""}),
    "create_app/name-too-long": ("create_app", {"name": "n" * 256}),
    "create_app/name-not-a-string": ("create_app", {"name": 7}),
    "create_app/description-too-long": ("create_app", {"name": "a", "description": "x" * 1001}),
    "create_app/platform-not-in-enum": ("create_app", {"name": "a", "platform": "IOS"}),
    "create_app/flag-not-a-boolean": ("create_app", {"name": "a", "enableBranchAutoBuild": "true"}),
    "create_app/env-value-not-a-string": ("create_app", {"name": "a", "environmentVariables": {"A": 1}}),
    "create_app/custom-rule-missing-target": ("create_app", {"name": "a", "customRules": [{"source": "/"}]}),
    "create_app/job-config-enum": ("create_app", {"name": "a", "jobConfig": {"buildComputeType": "HUGE"}}),
    "create_app/cache-config-missing-type": ("create_app", {"name": "a", "cacheConfig": {}}),
    "create_app/too-many-tags": ("create_app", {"name": "a", "tags": {f"k{i}": "v" for i in range(51)}}),
    "create_app/build-spec-empty": ("create_app", {"name": "a", "buildSpec": ""}),
    # GetApp / UpdateApp / DeleteApp
    "get_app/app-id-too-long": ("get_app", {"appId": LONG_APP_ID}),
    "get_app/app-id-pattern": ("get_app", {"appId": "APP123"}),
    "update_app/name-empty": ("update_app", {"appId": APP, "name": ""}),
    "update_app/platform-not-in-enum": ("update_app", {"appId": APP, "platform": "ANDROID"}),
    "update_app/flag-not-a-boolean": ("update_app", {"appId": APP, "enableBasicAuth": 1}),
    "update_app/app-id-pattern": ("update_app", {"appId": "XYZ", "name": "b"}),
    "delete_app/app-id-too-long": ("delete_app", {"appId": LONG_APP_ID}),
    # ListApps
    "list_apps/max-results-above-100": ("list_apps", {"maxResults": 101}),
    "list_apps/max-results-negative": ("list_apps", {"maxResults": -1}),
    "list_apps/max-results-not-a-number": ("list_apps", {"maxResults": "ten"}),
    "list_apps/next-token-too-long": ("list_apps", {"nextToken": "t" * 2001}),
    # CreateBranch
    "create_branch/name-missing": ("create_branch", {"appId": APP}),
    "create_branch/name-too-long": ("create_branch", {"appId": APP, "branchName": "b" * 256}),
    "create_branch/stage-not-in-enum": ("create_branch", {**NEW_BRANCH, "stage": "PROD"}),
    "create_branch/framework-too-long": ("create_branch", {**NEW_BRANCH, "framework": "f" * 256}),
    "create_branch/flag-not-a-boolean": ("create_branch", {**NEW_BRANCH, "enableAutoBuild": "no"}),
    "create_branch/ttl-too-long": ("create_branch", {**NEW_BRANCH, "ttl": "1" * 33}),
    "create_branch/pr-env-long": ("create_branch", {**NEW_BRANCH, "pullRequestEnvironmentName": "p" * 21}),
    "create_branch/backend-stack-arn-pattern": (
        "create_branch",
        {**NEW_BRANCH, "backend": {"stackArn": "arn:aws:s3:::not-a-stack-at-all"}},
    ),
    "create_branch/tag-key-aws-prefix": ("create_branch", {**NEW_BRANCH, "tags": {"aws:x": "v"}}),
    "create_branch/app-id-pattern": ("create_branch", {"appId": "nope", "branchName": "b"}),
    # GetBranch / UpdateBranch / DeleteBranch / ListBranches
    "get_branch/name-too-long": ("get_branch", {"appId": APP, "branchName": "b" * 256}),
    "update_branch/stage-not-in-enum": ("update_branch", {"appId": APP, "branchName": "main", "stage": "QA"}),
    "update_branch/display-name-too-long": (
        "update_branch",
        {"appId": APP, "branchName": "main", "displayName": "d" * 256},
    ),
    "update_branch/description-not-a-string": (
        "update_branch",
        {"appId": APP, "branchName": "main", "description": ["x"]},
    ),
    "delete_branch/name-too-long": ("delete_branch", {"appId": APP, "branchName": "b" * 256}),
    "list_branches/max-results-above-50": ("list_branches", {"appId": APP, "maxResults": 51}),
    "list_branches/max-results-negative": ("list_branches", {"appId": APP, "maxResults": -5}),
    "list_branches/next-token-too-long": ("list_branches", {"appId": APP, "nextToken": "t" * 2001}),
    # Tags
    "tag_resource/arn-pattern": ("tag_resource", {"resourceArn": "arn:aws:s3:::bucket", "tags": {"k": "v"}}),
    "tag_resource/arn-too-long": (
        "tag_resource",
        {"resourceArn": "arn:aws:amplify:" + "x" * 2040, "tags": {"k": "v"}},
    ),
    "untag_resource/tag-keys-empty": ("untag_resource", {"resourceArn": "arn:aws:amplify:x", "tagKeys": []}),
    "list_tags_for_resource/arn-pattern": ("list_tags_for_resource", {"resourceArn": "amplify"}),
}


def _fill(kwargs, app_id):
    return {key: value.format(app=app_id) if value == APP else value for key, value in kwargs.items()}


@pytest.mark.parametrize("operation, kwargs", list(VIOLATIONS.values()), ids=list(VIOLATIONS))
def test_model_violation_is_bad_request_even_without_client_validation(amplify_jobs, operation, kwargs):
    client = unvalidated()
    app_id = client.create_app(name="shop", tags={"team": "web"})["app"]["appId"]
    client.create_branch(appId=app_id, branchName="main")
    before = snapshot(amplify_jobs.backend())
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        getattr(client, operation)(**_fill(kwargs, app_id))
    code, status, message = error(excinfo)
    assert (code, status) == ("BadRequestException", 400)
    assert message
    assert snapshot(amplify_jobs.backend()) == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": "a", "environmentVariables": ["A=1"]},
        {"name": "a", "customRules": {"source": "/"}},
        {"name": "a", "autoBranchCreationConfig": "yes"},
        {"name": "a", "tags": ["k"]},
        {"name": None},
        {"name": {"nested": "x"}},
        {"name": "a", "enableBasicAuth": "false"},
    ],
)
def test_wrong_json_types_are_bad_request(amplify_jobs, body):
    # botocore cannot even serialize these, so they go over the wire directly.
    reply = requests.post("https://amplify.us-east-1.amazonaws.com/apps", json=body, timeout=5)
    assert (reply.status_code, reply.headers["x-amzn-ErrorType"]) == (400, "BadRequestException")
    assert amplify_jobs.backend().apps == {}


@pytest.mark.parametrize(
    "operation, kwargs, field",
    [
        ("create_app", {"name": "n" * 256}, "name"),
        ("create_app", {"name": "a", "platform": "IOS"}, "platform"),
        ("list_apps", {"maxResults": 101}, "maxResults"),
        ("create_branch", {"appId": "dabc", "branchName": "b", "stage": "PROD"}, "stage"),
        ("create_app", {}, "name"),
    ],
)
def test_bad_request_message_names_the_offending_member(amplify_jobs, operation, kwargs, field):
    client = unvalidated()
    with pytest.raises(client.exceptions.BadRequestException) as excinfo:
        getattr(client, operation)(**kwargs)
    assert field in error(excinfo)[2]


def test_update_with_one_bad_member_applies_none_of_the_good_ones(amplify_jobs):
    client = unvalidated()
    app_id = client.create_app(name="shop")["app"]["appId"]
    with pytest.raises(client.exceptions.BadRequestException):
        client.update_app(appId=app_id, name="renamed", description="new", platform="NOPE")
    app = client.get_app(appId=app_id)["app"]
    assert (app["name"], app["description"], app["platform"]) == ("shop", "", "WEB")


@pytest.mark.parametrize("max_results", [0, 100])
def test_list_apps_max_results_bounds_are_accepted(amplify_jobs, max_results):
    assert unvalidated().list_apps(maxResults=max_results)["apps"] == []


@pytest.mark.parametrize("max_results", [0, 50])
def test_list_branches_max_results_bounds_are_accepted(amplify_jobs, max_results):
    client = unvalidated()
    app_id = client.create_app(name="shop")["app"]["appId"]
    assert client.list_branches(appId=app_id, maxResults=max_results)["branches"] == []


def test_validating_client_refuses_before_sending(amplify_jobs):
    client = amplify()
    with pytest.raises(ParamValidationError):
        client.create_app(name="a", platform=5)
    assert unvalidated().list_apps()["apps"] == []


def test_unknown_members_are_ignored_as_aws_does(amplify_jobs):
    url = "https://amplify.us-east-1.amazonaws.com/apps"
    reply = requests.post(url, json={"name": "shop", "notAMember": 1}, timeout=5)
    assert reply.status_code == 200
    assert "notAMember" not in reply.json()["app"]


def test_body_that_is_not_json_is_bad_request(amplify_jobs):
    reply = requests.post("https://amplify.us-east-1.amazonaws.com/apps", data=b"{not json", timeout=5)
    assert reply.status_code == 400
    assert reply.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert "message" in reply.json()
    assert unvalidated().list_apps()["apps"] == []


def test_error_reply_carries_error_type_header_and_message_body(amplify_jobs):
    reply = requests.get("https://amplify.us-east-1.amazonaws.com/apps/dnosuchapp0000", timeout=5)
    assert reply.status_code == 404
    assert reply.headers["x-amzn-ErrorType"] == "NotFoundException"
    assert "dnosuchapp0000" in reply.json()["message"]


def test_operation_the_mock_does_not_serve_is_501_naming_it(amplify_jobs, monkeypatch):
    client = amplify()
    app_id = client.create_app(name="shop")["app"]["appId"]
    # Whichever operations are served by now, one taken out of the table stands for the rest.
    monkeypatch.delitem(OPERATIONS, "ListBranches")
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.list_branches(appId=app_id)
    code, status, message = error(excinfo)
    assert (code, status) == ("NotImplementedException", 501)
    assert "ListBranches" in message


def test_a_crash_inside_the_mock_is_a_500_internal_failure(amplify_jobs, monkeypatch):
    client = amplify(config=Config(retries={"max_attempts": 0}))
    app_id = client.create_app(name="shop")["app"]["appId"]

    def crash(self, app_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(AmplifyBackend, "get_app", crash)
    with pytest.raises(client.exceptions.InternalFailureException) as excinfo:
        client.get_app(appId=app_id)
    code, status, message = error(excinfo)
    assert (code, status) == ("InternalFailureException", 500)
    assert "disk on fire" in message


def _error_shapes():
    from botocore.session import get_session

    return get_session().get_service_model("amplify").error_shapes


@pytest.mark.parametrize("shape", _error_shapes(), ids=lambda shape: shape.name)
def test_every_model_error_has_the_models_status_and_parses_to_its_exception(shape):
    from amplify_mock import exceptions

    error_class = getattr(exceptions, shape.name)
    status, headers, body = error_class(f"about {shape.name}").to_response()
    assert status == shape.metadata["error"]["httpStatusCode"]
    assert headers["x-amzn-ErrorType"] == shape.name
    assert json.loads(body)["message"] == f"about {shape.name}"


def test_urls_split_as_urlsplit_splits_them():
    import random
    from urllib.parse import urlsplit

    from amplify_mock._protocol import split_url

    def reference(url):
        parts = urlsplit(url)
        return parts.hostname or "", parts.path or "/", parts.query

    urls = [
        "https://amplify.us-east-1.amazonaws.com/apps/d1/branches/main/jobs/12",
        "https://amplify.us-east-1.amazonaws.com/apps?maxResults=5&nextToken=abc%3D",
        "https://AMPLIFY.us-east-1.amazonaws.com:443/apps",
        "http://127.0.0.1:5000",
        "http://127.0.0.1:5000?x=1",
        "https://host/a?b?c",
        "https://host/a%2Fb/c?q=%ff#frag",
        "https://user@host/apps",
        "https://[::1]:8080/apps",
        "HTTPS://host/apps",
        "https://host/ap ps",
        "https://host/\u00e9",
        "https:///apps",
        "https://",
        "https://host:abc/apps",
        " https://host/apps",
        "https://host/apps\n",
    ]
    pieces = ["a", "/", "?", "#", "@", ":", "%2F", "%", "[", "]", "\\", " ", "\t", "\u00e9", "="]
    pieces += ["&", ".", "5"]
    draw = random.Random(14)
    for _ in range(3000):
        urls.append(draw.choice(["https://", "http://", "https:/", "ftp://"]) + "".join(
            draw.choice(pieces) for _ in range(draw.randrange(12))
        ))
    for url in urls:
        try:
            expected = reference(url)
        except ValueError:
            continue
        assert split_url(url) == expected, url


def test_queries_parse_as_parse_qsl_parses_them():
    import random
    from urllib.parse import parse_qsl

    from amplify_mock._protocol import _query

    queries = ["", "a=1", "a=1&b=2", "a", "a=", "=1", "&&a=1&", "a=1&a=2", "a+b=c+d", "t=YWJj%3D%3D",
               "x=%ff", "x=%c3", "x=%", "x=%2", "a=b=c", "a;b=c", "%41=%42"]
    pieces = ["a", "b", "=", "&", "+", "%", "%3D", "%2B", "%ff", "%c3%a9", ";", " ", "\u00e9", "1"]
    draw = random.Random(14)
    queries += ["".join(draw.choice(pieces) for _ in range(draw.randrange(10))) for _ in range(3000)]
    for query in queries:
        try:
            expected = parse_qsl(query, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            with pytest.raises(UnicodeDecodeError):
                _query(query)
            continue
        assert _query(query) == expected, query


def test_url_character_classes_are_the_characters_they_stand_for():
    # Spelt as ASCII ranges for speed: each must take exactly printable ASCII but its delimiters.
    import re

    from amplify_mock import _protocol

    everything = "".join(map(chr, range(0x110000)))
    printable = {chr(code) for code in range(0x21, 0x7F)}
    for spelt, excluded in (
        (_protocol._HOST_CHARS, "/?#@%[]\\"),
        (_protocol._PATH_CHARS, "?#"),
        (_protocol._LABEL_CHARS, "/?#%"),
        (_protocol._QUERY_CHARS, "#"),
    ):
        assert set(re.findall(spelt, everything)) == printable - set(excluded), spelt


def _general_parse(method, url, hint):
    """What the general path makes of a request without a body: the operation and its
    host and parameters, or the error it refuses it with."""
    from amplify_mock._protocol import parse_request, route, split_url
    from amplify_mock.exceptions import AmplifyError

    host, path, query = split_url(url)
    try:
        operation, labels = route(method, path, hint)
        return operation.name, host, parse_request(operation, labels, query, {}, b"")
    except AmplifyError as refused:
        return type(refused).__name__, str(refused)


def test_quick_parser_answers_as_the_general_path_or_leaves_it_to_it():
    import random

    from amplify_mock._protocol import quick_parser, service_model

    model = service_model()
    hosts = ["amplify.us-east-1.amazonaws.com", "AMPLIFY.eu-west-1.amazonaws.com:443",
             "127.0.0.1:5000", "user@host", "", "[::1]"]
    labels = ["d1abc", "d" + "a" * 19, "d" + "a" * 20, "dABC", "main", "feature%2Fx", "feat/x",
              "%ff", "5", "0012", "x" * 255, "x" * 256, "", "a b", "\u00e9", "a%20b", "abc",
              "d1", "STAGE", "PRODUCTION", "arn:aws:amplify:us-east-1:123456789012:apps/d1"]
    queries = ["", "?", "?maxResults=5", "?maxResults=0", "?maxResults=51", "?maxResults=abc",
               "?maxResults=5&maxResults=abc", "?maxResults=abc&maxResults=5", "?nextToken=abc%3D",
               "?nextToken=%ff", "?maxResults=%35", "?max%52esults=5", "?maxResults=+5",
               "?unknown=1", "?&&", "?maxResults=-0", "?maxResults=50&nextToken=", "?nextToken=a+b",
               "?tagKeys=a&tagKeys=b", "?environmentName=prod", "?x=1#frag", "?maxResults=\u0665"]
    draw = random.Random(14)
    served = 0
    for name in model.operation_names:
        operation = model.operation_model(name)
        method, uri = operation.http["method"], operation.http["requestUri"].split("?")[0]
        for other_method in ("GET", "POST", "DELETE"):
            quick = quick_parser(name, other_method)
            if quick is None:
                continue
            assert other_method == method, name  # only for the operation's own method
            urls = ["https://amplify.us-east-1.amazonaws.com" + re.sub(r"\{[^}]+\}", "d1", uri)]
            for _ in range(400):
                path = re.sub(r"\{[^}]+\}", lambda _: draw.choice(labels), uri)
                urls.append(draw.choice(["https://", "http://"]) + draw.choice(hosts) + path
                            + draw.choice(["", "/", "//"]) + draw.choice(queries))
            for url in urls:
                quick_answer = quick(url)
                if quick_answer is not None:
                    served += 1
                    assert (name, *quick_answer) == _general_parse(method, url, name), url
            # A plain request the general path accepts is served.
            general = _general_parse(method, urls[0], name)
            assert quick(urls[0]) is not None or general[0] != name, urls[0]
    assert served > 300
    url = "https://amplify.us-east-1.amazonaws.com/apps/d1/branches/main/jobs"
    assert quick_parser("GetJob", "GET")(url + "/12") is not None
    assert quick_parser("ListJobs", "GET")(url + "?maxResults=50&nextToken=abc%3D") is not None


def test_quick_label_tests_are_the_patterns_fullmatch_on_label_characters():
    import random

    from amplify_mock import _protocol

    patterns = set(_protocol._ANY_LABEL | _protocol._DIGITS_LABEL)
    model = _protocol.service_model()
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        for member in shape.members.values() if shape is not None else ():
            if member.metadata.get("pattern"):
                patterns.add(member.metadata["pattern"])
    label_characters = [chr(code) for code in range(0x21, 0x7F) if chr(code) not in "/?#%"]
    draw = random.Random(14)
    values = ["5", "0", "0012", "d1", "d1abc", "dABC", "main", "-a.b", "a.b.", "arn:aws:amplify:x"]
    for _ in range(3000):
        alphabet = draw.choice([label_characters, list("0123456789"), list("d0a9.-Z")])
        values.append("".join(draw.choice(alphabet) for _ in range(draw.randrange(1, 12))))
    for pattern in patterns:
        test = _protocol._label_test(frozenset(), pattern)
        fullmatch = _protocol._compile_pattern(pattern).fullmatch
        for value in values + values:  # twice: the second time from what the test remembers
            assert (test is None or test(value)) == bool(fullmatch(value)), (pattern, value)
    enum = _protocol._label_test(frozenset({"PRODUCTION", "BETA"}), "[A-Z]+")
    assert [enum(value) for value in ("BETA", "BETA", "ALPHA", "beta")] == [True, True, False, False]
