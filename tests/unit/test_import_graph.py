"""The modules of ``tui`` import one another without a cycle, counting the imports a cycle likes
to hide behind: those inside functions and those under ``if TYPE_CHECKING:``."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.test_boundaries import ROOT, import_statements


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each ``tui`` module → the ``tui`` modules it imports. ``from pkg import name`` counts as
    importing ``pkg.name`` when that is a module, else ``pkg`` itself."""
    paths = {module_name(path): path for path in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in import_statements(path):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = package.split(".")
                base = base[: len(base) - node.level + 1] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                targets = [
                    f"{module}.{alias.name}" if f"{module}.{alias.name}" in paths else module
                    for alias in node.names
                ]
            graph[name].update(t for t in targets if t in paths and t != name)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The cycles a depth-first walk meets, each as a closed path of modules (at least one per
    tangle); empty exactly when the graph is acyclic."""
    cycles: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the DFS stack, then "done"
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_graph_helpers_see_lazy_and_type_checking_imports_and_cycles() -> None:
    graph = import_graph()
    assert "tui.core.model" in graph["tui.core.filter"]  # absolute, at module level
    assert "tui.emulator.registry" in graph["tui.emulator.server"]  # relative
    assert "tui.core.errors" in graph["tui.providers.base"]  # ``from tui.core import errors``
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_tui_modules_import_one_another_without_a_cycle() -> None:
    cycles = find_cycles(import_graph())
    assert cycles == [], "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)
