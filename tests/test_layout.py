"""The package's layout keeps its dependencies pointing one way: handlers over the backend in
models.py, over one module per resource, over the pure lifecycles. Read off the source with
ast, so an import hidden under ``if TYPE_CHECKING:`` or inside a function counts too."""

from __future__ import annotations

import ast
import pathlib
from typing import Dict, Iterator, Set

import amplify_mock

PACKAGE = pathlib.Path(amplify_mock.__file__).resolve().parent
# The modules that are not a resource: the composed backend, the wire and the public entry points.
NOT_RESOURCES = {
    "__init__", "__main__", "models", "urls", "responses", "server", "exceptions", "pytest_plugin",
}
LIFECYCLES = ("_lifecycle", "_domain_lifecycle")


def _modules() -> Dict[str, ast.Module]:
    return {
        path.stem: ast.parse(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(PACKAGE.glob("*.py"))
    }


def _imported(tree: ast.Module, known: Set[str]) -> Iterator[str]:
    """The package's modules ``tree`` imports, however it spells them."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level == 0 and not base.startswith("amplify_mock"):
                continue
            base = base[len("amplify_mock"):].lstrip(".") if node.level == 0 else base
            if base:
                yield base.split(".")[0]
            else:
                yield from (alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("amplify_mock."):
                    yield alias.name.split(".")[1]


def _graph() -> Dict[str, Set[str]]:
    modules = _modules()
    return {name: set(_imported(tree, set(modules))) & set(modules) for name, tree in modules.items()}


def _reachable(graph: Dict[str, Set[str]], start: str) -> Set[str]:
    seen: Set[str] = set()
    stack = list(graph[start])
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(graph.get(name, ()))
    return seen


def resource_modules() -> Set[str]:
    return {name for name in _modules() if not name.startswith("_") and name not in NOT_RESOURCES}


def test_every_resource_has_its_module() -> None:
    assert {
        "apps", "branches", "jobs", "deployments", "webhooks", "domains", "backend_environments",
    } <= resource_modules()


def test_no_resource_module_imports_the_backend_that_composes_it() -> None:
    graph = _graph()
    offenders = {name: sorted(_reachable(graph, name) & {"models"}) for name in resource_modules()}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_lifecycles_import_no_resource_and_not_the_backend() -> None:
    graph = _graph()
    above = resource_modules() | {"models"}
    assert {name: sorted(_reachable(graph, name) & above) for name in LIFECYCLES} == {
        name: [] for name in LIFECYCLES
    }


def test_no_module_is_part_of_an_import_cycle() -> None:
    # Counting imports under TYPE_CHECKING: a module that needs one to see the module importing
    # it is a cycle in disguise (it reads that module through a Protocol instead).
    graph = _graph()
    assert sorted(name for name in graph if name in _reachable(graph, name)) == []


def test_the_check_sees_an_import_of_models_however_spelled() -> None:
    # The test above cannot pass vacuously: each spelling of an import of models is seen.
    for source in (
        "from .models import AmplifyBackend",
        "from . import models",
        "from amplify_mock.models import AmplifyBackend",
        "from amplify_mock import models",
        "import amplify_mock.models",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .models import Branch",
        "def f():\n    from .models import STATE_LOCK",
    ):
        assert "models" in set(_imported(ast.parse(source), {"models"})), source
