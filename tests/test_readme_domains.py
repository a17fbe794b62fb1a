"""The "Domains and backend environments" example of docs/operations.md runs as pasted."""

from __future__ import annotations

import pathlib
import re

README = pathlib.Path(__file__).resolve().parent.parent / "docs" / "operations.md"


def test_domains_example_runs() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Domains and backend environments", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1
    exec(compile(blocks[0], "docs/operations.md (Domains and backend environments)", "exec"), {})
