"""Every Python example in the README runs as printed, behind a proxy that refuses all, and the
test functions it defines pass."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _examples() -> List[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_has_its_examples() -> None:
    assert len(_examples()) >= 2


@pytest.mark.parametrize("index", range(len(_examples())))
def test_a_readme_example_runs_as_printed(monkeypatch: pytest.MonkeyPatch, index: int) -> None:
    for key in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(key, "http://127.0.0.1:9")
    namespace: Dict[str, Any] = {"__name__": f"readme_example_{index}"}
    exec(compile(_examples()[index], f"README.md (example {index + 1})", "exec"), namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()
