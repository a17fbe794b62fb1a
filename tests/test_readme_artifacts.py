"""The "End-to-end tests and artifacts" example of docs/operations.md runs as printed, behind a
proxy that refuses all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "docs" / "operations.md"


def test_the_end_to_end_tests_and_artifacts_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(key, "http://127.0.0.1:9")
    section = README.read_text().split("## End-to-end tests and artifacts", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    exec(compile(code.group(1), "docs/operations.md (End-to-end tests and artifacts)", "exec"), {})
