"""The "Access logs" example of docs/operations.md runs as printed, behind a proxy that refuses
all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs" / "operations.md"


def test_the_access_logs_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(key, "http://127.0.0.1:9")
    section = DOCS.read_text(encoding="utf-8").split("## Access logs", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1
    exec(compile(blocks[0], "docs/operations.md (Access logs)", "exec"), {})
