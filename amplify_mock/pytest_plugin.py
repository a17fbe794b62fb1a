"""The ``amplify_jobs`` fixture, for ``pytest_plugins = ["amplify_mock.pytest_plugin"]`` where
the ``pytest11`` entry point (``pytest_amplify_mock``, which pytest loads by itself) is disabled."""

from __future__ import annotations

from pytest_amplify_mock import amplify_jobs

__all__ = ["amplify_jobs"]
