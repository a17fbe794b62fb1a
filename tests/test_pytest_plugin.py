"""The pytest plugin: a failing test that used the mock shows its jobs under "Amplify jobs",
and loading the plugin costs a pytest run that never uses the mock nothing heavy."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import boto3
import pytest
from freezegun import freeze_time

from amplify_mock import Durations, mock_amplify_jobs

pytest_plugins = ["pytester"]

HEAVY = ("amplify_mock", "moto", "boto3", "botocore")

# A poll loop that gives up too early: the report must show why.
POLLING = """
    import boto3
    import pytest
    from freezegun import freeze_time

    from amplify_mock import mock_amplify_jobs

    @pytest.fixture
    def clock():
        with freeze_time("2026-01-01 00:00:00") as frozen:
            yield frozen

    def start(amplify):
        client = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(
            name="shop", repository="https://github.com/acme/shop", accessToken="token"
        )["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        amplify.fail_next(app_id, "main", "BUILD", "npm ERR! missing script: build")
        amplify.never_finish_next(app_id, "main")
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
        return client, app_id
"""

EXPECTED = [
    "*- Amplify jobs -*",
    "mock clock: 2026-01-01T00:00:20.000Z",
    "us-east-1, account 123456789012, app * (shop), branch main:",
    "  job 1 RELEASE, started 2026-01-01T00:00:00.000Z (now +20 s), RUNNING: "
    "PENDING at +0 s, PROVISIONING at +2 s, RUNNING at +17 s; next FAILED due at +137 s",
    "    BUILD RUNNING from +17 s to +137 s",
    "  scripted, not yet used: NEVER_FINISH",
]


def run(pytester: pytest.Pytester, body: str) -> pytest.RunResult:
    pytester.makepyfile(test_polling=textwrap.dedent(POLLING) + textwrap.dedent(body))
    return pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:xdist", "-p", "no:cacheprovider")


def test_a_failing_test_using_the_fixture_shows_its_jobs(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_release_succeeds(clock, amplify_jobs):
            client, app_id = start(amplify_jobs)
            clock.tick(20)
            job = client.get_job(appId=app_id, branchName="main", jobId="1")["job"]
            assert job["summary"]["status"] == "SUCCEED"
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(EXPECTED, consecutive=True)


def test_a_failing_decorated_test_shows_its_jobs_as_they_failed(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        @mock_amplify_jobs
        def test_release_succeeds(clock):
            from amplify_mock import AmplifyJobs
            client, app_id = start(AmplifyJobs())
            clock.tick(20)
            assert client.list_jobs(appId=app_id, branchName="main")["jobSummaries"] == []
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(EXPECTED, consecutive=True)
    assert result.stdout.str().count("Amplify jobs") == 1


def test_a_failing_test_of_a_decorated_class_shows_its_jobs(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import unittest

        @mock_amplify_jobs
        class TestRelease(unittest.TestCase):
            def test_release_succeeds(self):
                from amplify_mock import AmplifyJobs
                start(AmplifyJobs())
                self.clock.tick(20)
                self.fail("gave up")

            def setUp(self):
                self.freezer = freeze_time("2026-01-01 00:00:00")
                self.clock = self.freezer.start()
                self.addCleanup(self.freezer.stop)

        @mock_amplify_jobs
        class TestPlain:
            def test_release_succeeds(self, clock):
                from amplify_mock import AmplifyJobs
                start(AmplifyJobs())
                clock.tick(20)
                pytest.fail("gave up")
        """,
    )
    result.assert_outcomes(failed=2)
    assert result.stdout.str().count("- Amplify jobs -") == 2
    result.stdout.fnmatch_lines(EXPECTED, consecutive=True)


def test_a_failing_test_under_a_module_scoped_mock_shows_its_jobs(pytester: pytest.Pytester) -> None:
    # The mock of a fixture of the user's, wider than one test: shown when it holds jobs, and a
    # failing test of the module that holds nothing gets no section.
    result = run(
        pytester,
        """
        @pytest.fixture(scope="module")
        def amplify():
            with mock_amplify_jobs() as controller:
                yield controller

        def test_fails_before_making_anything(amplify):
            pytest.fail("nothing made")

        def test_release_succeeds(clock, amplify):
            client, app_id = start(amplify)
            clock.tick(20)
            pytest.fail("gave up")
        """,
    )
    result.assert_outcomes(failed=2)
    assert result.stdout.str().count("- Amplify jobs -") == 1
    result.stdout.fnmatch_lines(EXPECTED, consecutive=True)


def test_a_failing_test_under_a_mock_aws_fixture_shows_its_jobs(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from moto import mock_aws

        @pytest.fixture
        def aws():
            with mock_aws():
                yield

        def test_s3_only(aws):
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="site-bucket")
            pytest.fail("no Amplify here")

        def test_release_succeeds(clock, aws):
            from amplify_mock import AmplifyJobs
            start(AmplifyJobs())
            clock.tick(20)
            pytest.fail("gave up")
        """,
    )
    result.assert_outcomes(failed=2)
    assert result.stdout.str().count("- Amplify jobs -") == 1
    result.stdout.fnmatch_lines(EXPECTED, consecutive=True)


def test_passing_tests_and_tests_without_the_mock_get_no_section(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_passes(clock, amplify_jobs):
            start(amplify_jobs)

        @mock_amplify_jobs
        def test_passes_too():
            pass

        def test_fails_without_the_mock():
            assert False
        """,
    )
    result.assert_outcomes(passed=2, failed=1)
    assert "Amplify jobs" not in result.stdout.str()


# --- The controller's timeline --------------------------------------------------------------


def test_timeline_shows_statuses_steps_outcomes_and_durations() -> None:
    with freeze_time("2026-01-01 00:00:00") as clock, mock_amplify_jobs() as amplify:
        client = boto3.client("amplify", region_name="eu-west-1")
        app_id = client.create_app(
            name="shop", repository="https://github.com/acme/shop", accessToken="token"
        )["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        client.create_branch(appId=app_id, branchName="untouched")
        amplify.branch_durations(app_id, "main", Durations(build=60), region="eu-west-1")
        amplify.fail_next(app_id, "main", "DEPLOY", "Access denied", region="eu-west-1")
        amplify.succeed_next(app_id, "main", region="eu-west-1")
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
        clock.tick(200)
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
        clock.tick(1)
        text = amplify.timeline()
    assert text.splitlines() == [
        "mock clock: 2026-01-01T00:03:21.000Z",
        f"eu-west-1, account 123456789012, app {app_id} (shop), branch main:",
        "  durations: pending 2 s, provisioning 15 s, build 60 s, deploy 30 s, verify 10 s, cancelling 5 s",
        "  job 1 RELEASE, started 2026-01-01T00:00:00.000Z (now +201 s), FAILED: "
        "PENDING at +0 s, PROVISIONING at +2 s, RUNNING at +17 s, FAILED at +107 s",
        "    BUILD SUCCEED from +17 s to +77 s",
        "    DEPLOY FAILED from +77 s to +107 s: Access denied",
        "  job 2 RELEASE, started 2026-01-01T00:03:20.000Z (now +1 s), PENDING: "
        "PENDING at +0 s; next PROVISIONING at +2 s at the earliest",
    ]


def test_timeline_says_when_the_clock_was_moved_back_behind_the_jobs() -> None:
    # A job made at one time, then a clock frozen an hour earlier (a freeze_time() begun after
    # a fixture made the job): statuses never go back, so ticking seems to change nothing
    # until the clock passes the job's time. The timeline says why.
    with freeze_time("2026-01-01 01:00:00") as clock, mock_amplify_jobs() as amplify:
        client = boto3.client("amplify", region_name="us-east-1")
        app_id = client.create_app(
            name="shop", repository="https://github.com/acme/shop", accessToken="token"
        )["app"]["appId"]
        client.create_branch(appId=app_id, branchName="main")
        client.start_job(appId=app_id, branchName="main", jobType="RELEASE")
        clock.move_to("2026-01-01 00:00:00")
        clock.tick(600)
        summary = client.get_job(appId=app_id, branchName="main", jobId="1")["job"]["summary"]
        text = amplify.timeline()
    assert summary["status"] == "PENDING"
    assert text.splitlines()[:2] == [
        "mock clock: 2026-01-01T00:10:00.000Z",
        "the clock was moved back 3000 s: jobs stand as at 2026-01-01T01:00:00.000Z, the latest "
        "time the mock has seen, until the clock passes it",
    ]
    assert "(now +0 s), PENDING: PENDING at +0 s" in text


def test_timeline_with_nothing_to_show() -> None:
    with mock_amplify_jobs() as amplify:
        assert amplify.timeline().splitlines()[1:] == [
            "no branch has jobs, scripted outcomes or durations of its own"
        ]


# --- Loading the plugin costs nothing heavy --------------------------------------------------


def test_the_entry_point_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, importlib, importlib.metadata as m;"
        # entry_points(group=...) is Python 3.10's; 3.9 has the mapping by group. The same
        # distribution may be found twice (installed, and its egg-info in the working directory).
        "eps = m.entry_points();"
        "group = eps.select(group='pytest11') if hasattr(eps, 'select') else eps.get('pytest11', ());"
        "[value] = {e.value for e in group if e.name == 'amplify_jobs'};"
        "importlib.import_module(value);"
        f"print(sorted(n for n in {HEAVY!r} if n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_pytest_run_that_never_uses_the_mock_never_imports_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain=f"""
        import sys

        def test_nothing_heavy_was_imported():
            assert [n for n in {HEAVY!r} if n in sys.modules] == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_fixture_imports_the_package_when_used(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_uses=f"""
        import sys

        def test_uses(amplify_jobs):
            assert all(n in sys.modules for n in {HEAVY!r})
            assert type(amplify_jobs).__name__ == "AmplifyJobs"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
