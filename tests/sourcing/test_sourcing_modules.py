"""The sourcing modules import each other without a cycle, and none borrows another's private
names (issue #16: index.py <-> memindex.py, memindex.py using rank.py's private functions)."""

from __future__ import annotations

import ast
from pathlib import Path

import talentgraph.sourcing as pkg

FOLDER = Path(pkg.__file__).parent


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in FOLDER.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "talentgraph.sourcing":
                deps |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "talentgraph.sourcing."):
                deps.add(node.module.rsplit(".", 1)[1])
        graph[path.stem] = deps
    return graph


def test_no_import_cycle_among_the_sourcing_modules() -> None:
    graph = _imports()
    assert "memindex" not in graph["index"]

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, " -> ".join((*path, node))
        for dep in graph.get(node, ()):
            visit(dep, (*path, node))

    for module in graph:
        visit(module, ())


def test_no_module_uses_a_private_name_of_another() -> None:
    for path in FOLDER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__")
                    and isinstance(node.value, ast.Name) and node.value.id in
                    {"rk", "rank", "idx", "index", "results", "memindex", "model", "stage"}):
                raise AssertionError(f"{path.name}: {node.value.id}.{node.attr}")
