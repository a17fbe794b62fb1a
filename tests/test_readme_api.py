"""README's Public API list is amplify_mock.__all__, exactly."""

from __future__ import annotations

import pathlib
import re

import amplify_mock

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_the_public_api_list_matches_all() -> None:
    section = README.read_text(encoding="utf-8").split("## Public API", 1)[1].split("\n## ", 1)[0]
    listed = section.split("The server is", 1)[0]
    assert sorted(re.findall(r"`(\w+)`", listed)) == sorted(amplify_mock.__all__)


def test_the_operations_list_names_every_operation_of_the_model_once() -> None:
    from amplify_mock._protocol import service_model

    section = README.read_text(encoding="utf-8").split("## Operations", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"`(\w+)`", section)
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(service_model().operation_names)
