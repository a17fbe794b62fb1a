"""The class decorator: one mock over a whole test class, set-up and tear-down included.

For a ``unittest.TestCase`` the mock covers ``setUpClass``, then for every test (inherited
ones too) ``setUp``, the test and ``tearDown`` (and their async forms), and ``tearDownClass``;
for a plain pytest class, ``setup_class``, ``setup_method``, the test, ``teardown_method`` and
``teardown_class``. The mock is active only while the class's own code runs, never between
its tests. What the class set-up leaves is copied, and put back before each test and before
the class tear-down (see :mod:`._snapshot`), so each test starts from it and nothing one test
creates reaches another.
"""

from __future__ import annotations

import inspect
import unittest
from typing import Any, Callable, Dict, Protocol, TypeVar

from . import _snapshot

F = TypeVar("F", bound=Callable[..., Any])


class MockRef(Protocol):
    """What the class decorator uses of ``_mock.MockAmplifyJobs``; spelled out here so this
    module never imports the one that imports it."""

    def start(self) -> Any: ...

    def stop(self) -> None: ...

    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: object) -> None: ...

    def _decorate_callable(self, func: F) -> F: ...


def decorate(cls: type, mock: MockRef) -> type:
    snapshots: Dict[type, _snapshot.Snapshot] = {}
    if issubclass(cls, unittest.TestCase):
        _span_class(cls, mock, snapshots, "setUpClass", "tearDownClass")
        _span_testcase_tests(cls, mock, snapshots)
    else:
        _span_class(cls, mock, snapshots, "setup_class", "teardown_class")
        _span_pytest_tests(cls, mock, snapshots)
    _wrap_test_methods(cls, mock)
    return cls


def _span_class(
    cls: type, mock: MockRef, snapshots: Dict[type, _snapshot.Snapshot], set_up: str, tear_down: str
) -> None:
    original_set_up = inspect.getattr_static(cls, set_up, None)
    original_tear_down = inspect.getattr_static(cls, tear_down, None)

    def set_up_class(klass: type) -> None:
        with mock:
            if original_set_up is not None:
                _call_class_hook(original_set_up, klass)
            snapshots[klass] = _snapshot.take()

    def tear_down_class(klass: type) -> None:
        with mock:
            _snapshot.restore(snapshots.pop(klass, None))
            if original_tear_down is not None:
                _call_class_hook(original_tear_down, klass)

    setattr(cls, set_up, classmethod(set_up_class))
    setattr(cls, tear_down, classmethod(tear_down_class))


def _span_testcase_tests(cls: type, mock: MockRef, snapshots: Dict[type, _snapshot.Snapshot]) -> None:
    # The mock spans setUp, the test, tearDown and the cleanups, and stops even when one fails.
    original = inspect.getattr_static(cls, "setUp")

    def setUp(test: unittest.TestCase) -> None:  # noqa: N802 - unittest's name
        mock.start()
        test.addCleanup(mock.stop)
        _snapshot.restore(snapshots.get(type(test)))
        original.__get__(test, type(test))()

    cls.setUp = setUp  # type: ignore[attr-defined]


def _span_pytest_tests(cls: type, mock: MockRef, snapshots: Dict[type, _snapshot.Snapshot]) -> None:
    # pytest calls setup_method and teardown_method around every test of the class, inherited
    # ones included; they are added when the class has none, so the mock spans them all.
    original_set_up = inspect.getattr_static(cls, "setup_method", None)
    original_tear_down = inspect.getattr_static(cls, "teardown_method", None)

    def setup_method(test: Any, method: Any = None) -> None:
        mock.start()
        try:
            _snapshot.restore(snapshots.get(type(test)))
            if original_set_up is not None:
                _call_hook(original_set_up.__get__(test, type(test)), method)
        except BaseException:
            mock.stop()
            raise

    def teardown_method(test: Any, method: Any = None) -> None:
        try:
            if original_tear_down is not None:
                _call_hook(original_tear_down.__get__(test, type(test)), method)
        finally:
            mock.stop()

    cls.setup_method = setup_method  # type: ignore[attr-defined]
    cls.teardown_method = teardown_method  # type: ignore[attr-defined]


def _wrap_test_methods(cls: type, mock: MockRef) -> None:
    # Inherited tests too. Within setUp/setup_method's span the mock is already active (this
    # starts it once more, changing nothing); a test called on its own gets a mock of its own.
    # Either way a failing test's jobs reach pytest's report before the mock forgets them.
    for name in dir(cls):
        if not name.startswith("test"):
            continue
        raw = inspect.getattr_static(cls, name)
        if inspect.isfunction(raw):
            setattr(cls, name, mock._decorate_callable(raw))
        elif isinstance(raw, staticmethod) and inspect.isfunction(raw.__func__):
            setattr(cls, name, staticmethod(mock._decorate_callable(raw.__func__)))


def _call_class_hook(raw: Any, klass: type) -> None:
    # As pytest and unittest call them: a classmethod gets the class, a staticmethod or plain
    # function gets it only if it takes an argument.
    if isinstance(raw, classmethod):
        raw.__func__(klass)
    elif isinstance(raw, staticmethod):
        _call_hook(raw.__func__, klass)
    else:
        _call_hook(raw, klass)


def _call_hook(hook: Callable[..., Any], argument: Any) -> None:
    # pytest passes the test method (or class) only to hooks that take an argument.
    if inspect.signature(hook).parameters:
        hook(argument)
    else:
        hook()
