"""Every Python example in the README and in docs/operations.md runs as printed, behind a proxy
that refuses all, and the test functions an example defines pass.

An example is a fenced ``python`` block at the start of a line; a block indented inside a list
item is a fragment of the text around it, not an example.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
OPERATIONS = ROOT / "docs" / "operations.md"
# The sections of docs/operations.md that must keep a runnable example.
EXAMPLE_SECTIONS = (
    "Jobs and the clock",
    "Domains and backend environments",
    "URLs and uploads",
    "Webhooks and pushes",
    "Access logs",
    "End-to-end tests and artifacts",
)


def _blocks(text: str) -> List[str]:
    return re.findall(r"(?m)^```python\n(.*?)^```", text, re.DOTALL)


def _section(name: str) -> str:
    text = OPERATIONS.read_text(encoding="utf-8")
    assert f"\n## {name}\n" in text, f"docs/operations.md has no section {name!r}"
    return text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]


def _examples() -> List[Tuple[str, str]]:
    readme = _blocks(README.read_text(encoding="utf-8"))
    found = [(f"README.md (example {i + 1})", code) for i, code in enumerate(readme)]
    for name in EXAMPLE_SECTIONS:
        blocks = _blocks(_section(name))
        found += [(f"docs/operations.md ({name}, example {i + 1})", code) for i, code in enumerate(blocks)]
    return found


def test_the_readme_and_each_documented_section_have_examples() -> None:
    assert len(_blocks(README.read_text(encoding="utf-8"))) >= 2
    for name in EXAMPLE_SECTIONS:
        assert _blocks(_section(name)), f"docs/operations.md ({name}) lost its example"


@pytest.mark.parametrize(("where", "code"), _examples(), ids=[where for where, _ in _examples()])
def test_a_documented_example_runs_as_printed(monkeypatch: pytest.MonkeyPatch, where: str, code: str) -> None:
    for key in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(key, "http://127.0.0.1:9")
    namespace: Dict[str, Any] = {"__name__": "documented_example"}
    exec(compile(code, where, "exec"), namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()
