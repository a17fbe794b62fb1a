"""The pure parts of the TEST step and its artifacts: the lifecycle with a TEST step, reading a
buildSpec's test phase, the file names its globs give, ids, and the per-backend store."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amplify_mock import artifacts
from amplify_mock._lifecycle import (
    CANCELLING,
    FAILED,
    RUNNING,
    SUCCEED,
    TEST,
    Durations,
    Outcome,
    Scheduler,
    StepView,
    Timeline,
    ended_at,
    steps_for,
    view,
)
from amplify_mock.artifacts import DEFAULT_FILES, Artifacts, artifact_id, instance, matches, report
from amplify_mock.exceptions import NotFoundException

D = Durations(pending=2, provisioning=15, build=120, deploy=30, verify=10, cancelling=5, test=60)


def new_tested_timeline(outcome: Outcome | None = None) -> Timeline:
    sched = Scheduler()
    tl = Timeline("build", 0, branch="main", durations=D, outcome=outcome, test=True)
    sched.submit(tl)
    sched.settle(2)  # admitted once its pending time is over
    return tl


# The lifecycle with a TEST step


def test_steps_for_a_tested_build() -> None:
    assert steps_for("build", True) == ("BUILD", "TEST", "DEPLOY", "VERIFY")
    assert steps_for("build") == ("BUILD", "DEPLOY", "VERIFY")
    assert steps_for("deployment", True) == ("DEPLOY", "VERIFY")


def test_a_tested_build_runs_test_between_build_and_deploy() -> None:
    tl = new_tested_timeline()
    assert view(tl, 137).steps[-1] == StepView(TEST, RUNNING, 137, 197)
    done = view(tl, 1000)
    assert done.status == SUCCEED and done.end == 2 + 15 + 120 + 60 + 30 + 10
    assert [(s.name, s.start, s.end) for s in done.steps] == [
        ("BUILD", 17, 137), ("TEST", 137, 197), ("DEPLOY", 197, 227), ("VERIFY", 227, 237),
    ]


def test_a_failing_test_step_ends_the_job_at_its_end() -> None:
    tl = new_tested_timeline(Outcome.fail(TEST, "specs failed"))
    assert ended_at(tl) == 197
    done = view(tl, 1000)
    assert done.status == FAILED
    assert done.steps[-1] == StepView(TEST, FAILED, 137, 197, "specs failed")


def test_a_build_without_tests_refuses_a_test_outcome() -> None:
    with pytest.raises(ValueError, match="no TEST step"):
        Timeline("build", 0, outcome=Outcome.fail(TEST))
    with pytest.raises(ValueError, match="no TEST step"):
        Timeline("deployment", 0, outcome=Outcome.never_finish(TEST), test=True)


def test_stopping_during_test_cancels_it() -> None:
    sched = Scheduler()
    tl = Timeline("build", 0, branch="main", durations=D, test=True)
    sched.submit(tl)
    sched.stop(tl, 150)
    assert view(tl, sched.settle(152)).steps[-1] == StepView(TEST, CANCELLING, 137, 155)


def test_the_test_duration_is_checked_like_the_others() -> None:
    with pytest.raises(ValueError, match="Durations.test"):
        Durations(test=-1)
    assert Durations.zero().test == 0
    assert Durations().for_step(TEST) == 90


# Reading a buildSpec


@pytest.mark.parametrize(
    "spec",
    [
        None, "", "version: 1", "frontend:\n  phases: {}", "test: [1, 2]", "test: null", "- a\n- b", "{{{",
        "test: !!python/object:os.system x",
    ],
)
def test_no_test_phase(spec: str | None) -> None:
    assert artifacts.test_config(spec, {}) is None


def test_a_test_phase_without_artifacts_takes_the_documented_example() -> None:
    config = artifacts.test_config("test:\n  phases:\n    test:\n      commands: [x]\n", {})
    assert config == artifacts.TestConfig("cypress", "**/mochawesome.json", DEFAULT_FILES)
    assert config.report_name == "report/mochawesome.json"
    assert config.file_names() == ["screenshots/home.cy.png", "videos/home.cy.mp4"]


def test_artifacts_members_that_are_not_strings_fall_back() -> None:
    spec = (
        "test:\n  artifacts:\n    baseDirectory: 3\n    configFilePath: [a]\n"
        "    files: [1, '', 'out/*.txt']\n"
    )
    expected = artifacts.TestConfig("cypress", "**/mochawesome.json", ("out/*.txt",))
    assert artifacts.test_config(spec, {}) == expected


@pytest.mark.parametrize(
    "value, runs", [("true", False), ("TRUE", False), (" true ", False), ("false", True), ("1", True)]
)
def test_user_disable_tests(value: str, runs: bool) -> None:
    assert (artifacts.test_config("test: {}", {"USER_DISABLE_TESTS": value}) is not None) is runs


# Names, globs and ids


@pytest.mark.parametrize(
    "pattern, name",
    [
        ("**/*.png", "screenshots/home.cy.png"),
        ("**/*.mp4", "videos/home.cy.mp4"),
        ("**/mochawesome.json", "report/mochawesome.json"),
        ("**/*", "results/home.cy"),
        ("./out/*.txt", "out/home.cy.txt"),
        ("shots/[a-c]?.png", "shots/ax.png"),
        ("x/[!xyz]*", "x/0home.cy"),
    ],
)
def test_a_glob_gives_a_name_it_matches(pattern: str, name: str) -> None:
    assert instance(pattern) == name
    assert matches(name, pattern)


def test_brace_alternatives_each_give_a_file() -> None:
    assert artifacts.TestConfig(files=("**/*.{png,mp4}", "**/*.png")).file_names() == [
        "screenshots/home.cy.png", "videos/home.cy.mp4",
    ]


def test_globs_match_as_documented() -> None:
    assert matches("screenshots/a/b.png", "**/*.png")
    assert matches("b.png", "**/*.png")
    assert not matches("a/b.png", "*.png")
    assert not matches("b.jpg", "**/*.png")


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.sampled_from(["**", "*", "?", "a", "b.", ".png", "[ab]", "[!a]", "x-y", "{p,q}"]),
        min_size=1,
        max_size=6,
    ).map("/".join)
)
def test_every_generated_name_matches_its_glob(pattern: str) -> None:
    for name in artifacts.TestConfig(files=(pattern,)).file_names():
        assert matches(name, pattern), (pattern, name)


def test_artifact_ids_are_uuid_shaped_and_distinct() -> None:
    ids = {artifact_id(serial, name) for serial in range(50) for name in ("a.png", "b.png")}
    assert len(ids) == 100
    assert all(len(i) == 36 and i.count("-") == 4 for i in ids)
    assert artifact_id(3, "a.png") == artifact_id(3, "a.png")


# The store


def test_store_indexes_and_forgets() -> None:
    store = Artifacts()
    config = artifacts.TestConfig()
    one = store.register(("d1", "main", 1), config)
    two = store.register(("d1", "dev", 1), config)
    first = artifact_id(one.serial, "screenshots/home.cy.png")
    assert store.find(first) == (one, "screenshots/home.cy.png")
    store.set_files(two, {"a.txt": b"a"}, None)
    assert store.find(artifact_id(two.serial, "a.txt"))[1] == "a.txt"
    with pytest.raises(NotFoundException):
        store.find(artifact_id(two.serial, "screenshots/home.cy.png"))
    store.forget_branch("d1", "main")
    with pytest.raises(NotFoundException, match=f"Artifact {first} not found."):
        store.find(first)
    assert store.get(("d1", "dev", 1)) is two


def test_store_pages_in_name_order() -> None:
    store = Artifacts()
    entry = store.register(("d1", "main", 1), artifacts.TestConfig())
    store.set_files(entry, {name: b"" for name in ("c", "a", "b")}, None)
    page, token = store.page(entry, None, 2)
    assert [name for name, _ in page] == ["a", "b"] and token
    rest, end = store.page(entry, token, 2)
    assert [name for name, _ in rest] == ["c"] and end is None
    assert store.page(None, None, None) == ([], None)


def test_report_counts_the_run() -> None:
    passed = json.loads(report(StepView(TEST, SUCCEED, 0, 12.5), "shop", "main"))
    assert passed["stats"]["passes"] == 1 and passed["stats"]["duration"] == 12500
    failed = json.loads(report(StepView(TEST, FAILED, 0, 1, "boom"), "shop", "main"))
    assert failed["stats"]["failures"] == 1
    assert failed["results"][0]["suites"][0]["tests"][0]["err"]["message"] == "boom"


def test_names_and_alternatives_are_bounded() -> None:
    # A buildSpec is up to 25,000 characters: braces must not multiply without end, and a name
    # over the 1,000 characters of an artifactFileName is not listed.
    assert len(artifacts.TestConfig(files=("{a,b}" * 40,)).file_names()) == 64
    assert artifacts.TestConfig(files=("a" * 1001, "b.png")).file_names() == ["b.png"]
