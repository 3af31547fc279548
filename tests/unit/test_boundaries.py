"""The architecture's import rules, checked on the source: the core and the adapters never import
Textual; the emulator never imports the client side (it must not share parsing code with it)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "tui"


def import_statements(path: Path) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import in the file, at any depth: in functions and under ``if TYPE_CHECKING:`` too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def imported_modules(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in import_statements(path):
            if isinstance(node, ast.Import):
                found.update((path.name, alias.name) for alias in node.names)
            elif node.module:
                found.add((path.name, node.module))
    return found


@pytest.mark.parametrize("package", ["core", "providers"])
def test_core_and_providers_import_nothing_from_textual(package: str) -> None:
    bad = {(f, m) for f, m in imported_modules(package) if m.split(".")[0] in ("textual", "rich")}
    assert bad == set()


def test_importing_the_core_and_every_adapter_loads_no_textual() -> None:
    code = (
        "import sys, importlib, pkgutil, tui.core, tui.providers\n"
        "for pkg in (tui.core, tui.providers):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_emulator_shares_no_code_with_the_client_side() -> None:
    """Only the provider registry (plain data) is common ground."""
    bad = {
        (f, m)
        for f, m in imported_modules("emulator")
        if m.startswith(("tui.core", "tui.providers", "tui.ui", "textual", "httpx"))
        and m != "tui.core.registry"
    }
    assert bad == set()


@pytest.mark.parametrize(
    ("path", "allowed"),
    [("core/registry.py", set()), ("providers/catalog.py", {"tui.core.registry"})],
)
def test_the_registry_and_the_catalog_are_plain_data(path: str, allowed: set[str]) -> None:
    """What the emulator reads of the client side imports nothing else of it."""
    found = set()
    for node in import_statements(ROOT / path):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
        found.update(n for n in names if n and n.split(".")[0] in ("tui", "httpx", "pydantic"))
    assert found <= allowed


def test_the_running_emulator_loads_no_client_module_but_the_registry() -> None:
    code = (
        "import sys\n"
        "from tui.emulator.server import Emulator\n"
        "Emulator(calls=10)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('tui.core', 'tui.providers', "
        "'tui.ui', 'httpx', 'pydantic', 'textual'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(eval(out.stdout))
    assert loaded == {"tui.core", "tui.core.registry", "tui.providers", "tui.providers.catalog"}
