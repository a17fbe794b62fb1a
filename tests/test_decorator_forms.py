"""Every way a test holds the mock: bare and called decorator on functions, ``async def`` and
classes, and whole test classes (unittest and pytest) with their class and per-test set-up.

Run behind a proxy that forwards nothing and records where each request it got was going:
a call that escaped the mock fails here, and the proxy must have seen none."""

from __future__ import annotations

import asyncio
import contextlib
import unittest
from typing import Any, AsyncIterator, Iterator, List

import boto3
import botocore.client
import pytest

from amplify_mock import mock_amplify_jobs
from amplify_mock._mock import _interceptor
from tests.helpers import amplify
from tests.robust_support import RecordingProxy, route_through

ORIGINAL_MAKE_REQUEST = botocore.client.BaseClient._make_request


@pytest.fixture(scope="module", autouse=True)
def proxy() -> Iterator[RecordingProxy]:
    # Module-wide, so that it is in place before any class set-up runs.
    recording = RecordingProxy()
    with pytest.MonkeyPatch.context() as monkeypatch:
        route_through(recording, monkeypatch)
        yield recording
    recording.close()


@pytest.fixture(autouse=True)
def nothing_escaped(proxy: RecordingProxy) -> Iterator[None]:
    yield
    assert proxy.seen == [], "requests escaped the mock"


def client() -> Any:
    return amplify()


def app_names() -> List[str]:
    return sorted(app["name"] for app in client().list_apps()["apps"])


def assert_stopped() -> None:
    assert botocore.client.BaseClient._make_request is ORIGINAL_MAKE_REQUEST
    assert _interceptor.depth == 0


# --- Bare and called decorator ----------------------------------------------------------------


@mock_amplify_jobs
def test_bare_decorator_on_a_test_function() -> None:
    # boto3.client, as users write it: a client of the default session the mock replaces.
    boto3.client("amplify", region_name="us-east-1").create_app(name="bare")
    assert app_names() == ["bare"]


def test_bare_decorator_keeps_name_arguments_and_return_value() -> None:
    @mock_amplify_jobs
    def create(name: str) -> str:
        return str(client().create_app(name=name)["app"]["name"])

    assert create.__name__ == "create"
    assert create("shop") == "shop"
    assert_stopped()


def test_bare_decorator_on_an_async_function() -> None:
    @mock_amplify_jobs
    async def create_then_list() -> List[str]:
        client().create_app(name="async")
        await asyncio.sleep(0)
        return app_names()

    assert asyncio.iscoroutinefunction(create_then_list)
    assert asyncio.run(create_then_list()) == ["async"]
    assert_stopped()


def test_bare_and_called_forms_are_the_same_mock() -> None:
    @mock_amplify_jobs
    def bare() -> List[str]:
        client().create_app(name="one")
        return app_names()

    @mock_amplify_jobs()
    def called() -> List[str]:
        client().create_app(name="one")
        return app_names()

    assert bare() == called() == ["one"]
    assert_stopped()


def test_bare_decorator_on_a_testcase() -> None:
    @mock_amplify_jobs
    class Shop(unittest.TestCase):
        def test_create(self) -> None:
            client().create_app(name="shop")
            self.assertEqual(app_names(), ["shop"])

    result = run_testcase(Shop)
    assert result.testsRun == 1 and result.wasSuccessful(), result.errors + result.failures
    assert_stopped()


def test_a_failing_decorated_function_stops_the_mock() -> None:
    @mock_amplify_jobs
    def failing() -> None:
        client().create_app(name="x")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        failing()
    assert_stopped()


# --- Generators: pytest yield fixtures, context managers ---------------------------------------


@pytest.fixture
@mock_amplify_jobs
def decorated_fixture() -> Iterator[str]:
    # As users write a fixture of their own: the mock spans its set-up, the test and its tear-down.
    app_id = str(client().create_app(name="from-fixture")["app"]["appId"])
    yield app_id
    client().delete_app(appId=app_id)
    assert app_names() == []


def test_a_decorated_yield_fixture_is_mocked_through_the_test(decorated_fixture: str) -> None:
    assert decorated_fixture.startswith("d")
    assert app_names() == ["from-fixture"]
    assert _interceptor.depth == 1


def test_a_decorated_generator_is_mocked_while_it_runs_and_stopped_once_done() -> None:
    @mock_amplify_jobs
    def created(*names: str) -> Iterator[str]:
        for name in names:
            yield str(client().create_app(name=name)["app"]["name"])
        return None

    generator = created("one", "two")
    assert_stopped()  # nothing runs, so nothing is mocked, until it is iterated
    assert next(generator) == "one"
    assert _interceptor.depth == 1
    assert generator.send(None) == "two"
    assert app_names() == ["one", "two"]
    assert list(generator) == []
    assert_stopped()


def test_a_decorated_context_manager_spans_its_block_and_sees_what_the_block_raised() -> None:
    seen: List[str] = []

    @contextlib.contextmanager
    @mock_amplify_jobs
    def shop() -> Iterator[Any]:
        client().create_app(name="shop")
        try:
            yield client()
        except KeyError as error:
            seen.append(str(error))
            raise

    with shop() as amplify_client:
        assert [app["name"] for app in amplify_client.list_apps()["apps"]] == ["shop"]
    assert_stopped()
    with pytest.raises(KeyError), shop():
        raise KeyError("missing")
    assert seen == ["'missing'"]
    assert_stopped()


def test_a_decorated_generator_closed_early_stops_the_mock() -> None:
    @mock_amplify_jobs
    def endless() -> Iterator[int]:
        while True:
            yield len(client().list_apps()["apps"])

    generator = endless()
    assert next(generator) == 0
    generator.close()
    assert_stopped()


def test_a_decorated_async_generator_is_mocked_while_it_runs() -> None:
    @mock_amplify_jobs
    async def created(*names: str) -> AsyncIterator[str]:
        for name in names:
            try:
                yield str(client().create_app(name=name)["app"]["name"])
            except ValueError:
                yield "recovered"
            await asyncio.sleep(0)

    async def run() -> List[str]:
        generator = created("one", "two")
        got = [await generator.__anext__()]
        assert _interceptor.depth == 1
        got.append(await generator.athrow(ValueError("thrown in")))
        got.extend([name async for name in generator])
        got.append(",".join(app_names()) if _interceptor.depth else "stopped")
        return got

    assert asyncio.run(run()) == ["one", "recovered", "two", "stopped"]
    assert_stopped()


def test_a_decorated_async_generator_closed_early_stops_the_mock() -> None:
    @mock_amplify_jobs
    async def endless() -> AsyncIterator[int]:
        while True:
            yield len(client().list_apps()["apps"])

    async def run() -> int:
        generator = endless()
        first = await generator.__anext__()
        await generator.aclose()
        return first

    assert asyncio.run(run()) == 0
    assert_stopped()


# --- unittest.TestCase: the class decorator ---------------------------------------------------


def run_testcase(case: type) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


class InheritedTests:
    """Tests a decorated class inherits: they are mocked as its own are."""

    def test_inherited_sees_only_the_class_app(self) -> None:
        seen.append(("inherited", app_names()))
        client().create_app(name="from-inherited")


seen: List[Any] = []


def test_testcase_class_setup_is_kept_for_every_test_and_each_test_starts_from_it() -> None:
    seen.clear()

    @mock_amplify_jobs
    class Shop(InheritedTests, unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:  # noqa: N802 - unittest's name
            cls.app_id = client().create_app(name="from-setUpClass")["app"]["appId"]
            client().create_branch(appId=cls.app_id, branchName="main")

        def setUp(self) -> None:  # noqa: N802 - unittest's name
            seen.append(("setUp", app_names()))

        def test_one(self) -> None:
            seen.append(("test", app_names()))
            client().create_app(name="from-test-one")

        def test_two(self) -> None:
            seen.append(("test", app_names()))
            branches = client().list_branches(appId=self.app_id)["branches"]
            self.assertEqual([b["branchName"] for b in branches], ["main"])
            client().create_app(name="from-test-two")

        def tearDown(self) -> None:  # noqa: N802 - unittest's name
            seen.append(("tearDown", len(app_names())))

        @classmethod
        def tearDownClass(cls) -> None:  # noqa: N802 - unittest's name
            seen.append(("tearDownClass", app_names()))

    result = run_testcase(Shop)
    assert result.testsRun == 3 and result.wasSuccessful(), result.errors + result.failures
    tests = [entry for entry in seen if entry[0] in ("setUp", "test", "inherited")]
    assert tests == [(kind, ["from-setUpClass"]) for kind, _ in tests] and len(tests) == 6
    assert [entry for entry in seen if entry[0] == "tearDown"] == [("tearDown", 2)] * 3
    assert seen[-1] == ("tearDownClass", ["from-setUpClass"])
    assert_stopped()


def test_testcase_mock_is_off_between_tests_and_after_the_class() -> None:
    between: List[int] = []

    @mock_amplify_jobs
    class Shop(unittest.TestCase):
        def test_a(self) -> None:
            client().create_app(name="a")

        def test_b(self) -> None:
            client().create_app(name="b")

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Shop)
    result = unittest.TestResult()
    for test in suite:
        test.run(result)
        between.append(_interceptor.depth)
    assert result.wasSuccessful(), result.errors + result.failures
    assert between == [0, 0]
    assert_stopped()


def test_testcase_class_setup_failure_stops_the_mock() -> None:
    @mock_amplify_jobs
    class Broken(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:  # noqa: N802 - unittest's name
            client().create_app(name="half")
            raise RuntimeError("setUpClass failed")

        def test_never_runs(self) -> None:
            raise AssertionError("ran")

    result = run_testcase(Broken)
    assert len(result.errors) == 1 and "setUpClass failed" in result.errors[0][1]
    assert_stopped()


def test_async_testcase_is_mocked_in_setup_and_tests() -> None:
    @mock_amplify_jobs
    class Shop(unittest.IsolatedAsyncioTestCase):
        @classmethod
        def setUpClass(cls) -> None:  # noqa: N802 - unittest's name
            client().create_app(name="class")

        async def asyncSetUp(self) -> None:  # noqa: N802 - unittest's name
            client().create_app(name="async-setup")

        async def test_one(self) -> None:
            self.assertEqual(app_names(), ["async-setup", "class"])

        async def test_two(self) -> None:
            self.assertEqual(app_names(), ["async-setup", "class"])

    result = run_testcase(Shop)
    assert result.testsRun == 2 and result.wasSuccessful(), result.errors + result.failures
    assert_stopped()


# --- Plain pytest classes, run by pytest itself (in any order pytest-randomly picks) -----------


class _Inherited:
    def test_inherited(self) -> None:
        assert app_names() == ["from-setup_class", "from-setup_method"]
        client().create_app(name="from-test")


@mock_amplify_jobs
class TestPlainClassUnderPytest(_Inherited):
    @classmethod
    def setup_class(cls) -> None:
        cls.app_id = client().create_app(name="from-setup_class")["app"]["appId"]
        client().create_branch(appId=cls.app_id, branchName="main")
        cls.teardown_saw: List[str] = []

    def setup_method(self, method: Any) -> None:
        client().create_app(name="from-setup_method")

    def test_one(self) -> None:
        assert app_names() == ["from-setup_class", "from-setup_method"]
        client().create_app(name="from-test")

    def test_two(self) -> None:
        assert app_names() == ["from-setup_class", "from-setup_method"]
        assert client().get_branch(appId=self.app_id, branchName="main")["branch"]["branchName"] == "main"
        client().create_branch(appId=self.app_id, branchName="feature")

    def teardown_method(self, method: Any) -> None:
        assert "from-setup_class" in app_names()

    @classmethod
    def teardown_class(cls) -> None:
        # The class tear-down sees what the class set-up left, as every test does.
        assert app_names() == ["from-setup_class"]
        assert _interceptor.depth == 1


@mock_amplify_jobs
class TestPlainClassWithoutHooks:
    def test_first(self) -> None:
        assert app_names() == []
        client().create_app(name="first")

    def test_second(self) -> None:
        assert app_names() == []
        client().create_app(name="second")


@mock_amplify_jobs
class TestStaticSetupClass:
    @staticmethod
    def setup_class() -> None:
        client().create_app(name="static")

    def test_sees_it(self) -> None:
        assert app_names() == ["static"]


def test_plain_class_test_method_called_directly_is_mocked() -> None:
    @mock_amplify_jobs
    class TestShop(_Inherited):
        def helper(self) -> bool:
            return botocore.client.BaseClient._make_request is ORIGINAL_MAKE_REQUEST

        def test_create(self) -> List[str]:
            client().create_app(name="shop")
            return app_names()

    shop = TestShop()
    assert shop.test_create() == ["shop"]
    assert shop.helper() is True
    assert_stopped()


def test_plain_class_async_test_method_stays_async_and_mocked() -> None:
    @mock_amplify_jobs
    class TestShop:
        async def test_create(self) -> List[str]:
            client().create_app(name="shop")
            await asyncio.sleep(0)
            return app_names()

    assert asyncio.iscoroutinefunction(TestShop.test_create)
    assert asyncio.run(TestShop().test_create()) == ["shop"]
    assert_stopped()


def test_plain_class_setup_method_failure_stops_the_mock() -> None:
    @mock_amplify_jobs
    class TestBroken:
        def setup_method(self, method: Any) -> None:
            raise RuntimeError("setup failed")

        def test_never_runs(self) -> None:
            raise AssertionError("ran")

    with pytest.raises(RuntimeError):
        TestBroken().setup_method(None)  # type: ignore[attr-defined]
    assert_stopped()


def test_jobs_durations_and_scripts_of_the_class_setup_are_there_for_every_test() -> None:
    from freezegun import freeze_time

    from amplify_mock import AmplifyJobs, Durations

    outcomes: List[Any] = []

    @mock_amplify_jobs
    class Jobs(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:  # noqa: N802 - unittest's name
            app = client().create_app(
                name="shop", repository="https://github.com/acme/shop", accessToken="token"
            )["app"]
            cls.app_id = app["appId"]
            client().create_branch(appId=cls.app_id, branchName="main")
            controller = AmplifyJobs()
            controller.durations = Durations.zero()
            client().start_job(appId=cls.app_id, branchName="main", jobType="RELEASE")
            controller.fail_next(cls.app_id, "main", "BUILD", "from the class set-up")

        def run_next_job(self) -> None:
            started = client().start_job(appId=self.app_id, branchName="main", jobType="RELEASE")
            job = client().get_job(appId=self.app_id, branchName="main", jobId=started["jobSummary"]["jobId"])
            listed = client().list_jobs(appId=self.app_id, branchName="main")["jobSummaries"]
            reason = job["job"]["steps"][0]["statusReason"]
            outcomes.append((job["job"]["summary"]["jobId"], reason, len(listed)))

        def test_one(self) -> None:
            self.run_next_job()

        def test_two(self) -> None:
            self.run_next_job()

    with freeze_time("2026-01-01"):
        result = run_testcase(Jobs)
    assert result.wasSuccessful(), result.errors + result.failures
    assert outcomes == [("2", "from the class set-up", 2)] * 2
    assert_stopped()
