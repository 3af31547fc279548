"""The hooks of ``tui/ui/textual_internals.py`` against the Textual installed, and the rule that
no other module of ``tui/`` reaches into Textual's private parts.

Each hook has a test here that fails if Textual changes under it (what it overrides, writes or
relies on); ``test_the_textual_pin_is_the_tested_range`` keeps pyproject.toml's pin and the
hooks' own version check the same.
"""

from __future__ import annotations

import ast
import base64
import importlib
import inspect
import io
import re
import textwrap
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import textual
from rich.console import Console
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widgets import Button

from tests.ui.conftest import accounts_of, make_app, ready
from tui.emulator import Emulator
from tui.ui import textual_internals
from tui.ui.clipboard import osc52
from tui.ui.textual_internals import (
    TESTED_TEXTUAL,
    RowCroppedCompositor,
    copy_to_clipboard,
    focus_without_repaint,
    install_compositor,
)

ROOT = Path(__file__).resolve().parents[2]
TUI = ROOT / "tui"
ALLOWED = TUI / "ui" / "textual_internals.py"  # the one module that may


# -- the pin ------------------------------------------------------------------------------------


def test_the_textual_pin_is_the_tested_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in project["project"]["dependencies"] if re.match(r"textual\b", d)]
    major, minor = TESTED_TEXTUAL
    assert pins == [f"textual>={major}.{minor},<{major}.{minor + 1}"]
    assert textual_internals.textual_version()[:2] == TESTED_TEXTUAL
    assert textual_internals.tested_textual()


def test_the_version_is_read_as_importlib_metadata_reads_it() -> None:
    from importlib.metadata import version

    expected = tuple(int(p) for p in re.findall(r"\d+", version("textual"))[:3])
    assert textual_internals.textual_version()[: len(expected)] == expected


# -- the row-cropping compositor ----------------------------------------------------------------


def _terminal_bytes(update: object) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", width=200)
    console.print(update, end="")
    return out.getvalue()


async def test_partial_updates_match_the_stock_compositor(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        compositor = app.screen._compositor
        assert type(compositor) is RowCroppedCompositor
        table, sidebar = view.table.region, view.sidebar.region
        cases = [
            [
                Region(table.x, table.y + 2, table.width, 1),
                Region(table.x, table.y + 3, table.width, 1),
            ],
            [table],
            [Region(table.x, table.y + 1, table.width, 1), Region(0, 39, 160, 1)],  # table + footer
            [Region(sidebar.x + 2, sidebar.y + 3, 10, 4)],  # inside the sidebar, off its edges
            [Region(0, 0, 160, 2), Region(30, 20, 50, 3)],  # tabs, and across sidebar and table
        ]
        for regions in cases:
            drawn = {}
            for cls in (Compositor, RowCroppedCompositor):
                compositor.__class__ = cls
                compositor._dirty_regions.clear()
                compositor._dirty_regions.update(regions)
                update = compositor.render_update()
                assert update is not None
                drawn[cls] = _terminal_bytes(update)
            assert drawn[RowCroppedCompositor] == drawn[Compositor], regions
        compositor.__class__ = RowCroppedCompositor


def test_the_compositor_steps_aside_on_an_untested_textual(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = Screen[None]()
    monkeypatch.setattr(textual_internals, "textual_version", lambda: (8, 3, 0))
    install_compositor(screen)
    assert type(screen._compositor) is Compositor
    monkeypatch.setattr(textual_internals, "textual_version", lambda: (*TESTED_TEXTUAL, 99))
    install_compositor(screen)
    assert type(screen._compositor) is RowCroppedCompositor


# -- the clipboard ------------------------------------------------------------------------------


class _Plain(App[None]):
    def compose(self) -> ComposeResult:
        yield Button("one", id="one")
        yield Button("two", id="two")


def _record_writes(app: App[Any]) -> list[str]:
    written: list[str] = []
    driver = app._driver
    assert driver is not None
    original = driver.write
    driver.write = lambda data: (written.append(data), original(data))[1]  # type: ignore[method-assign]
    return written


async def test_textual_copies_as_the_hook_does() -> None:
    """Textual's own copy_to_clipboard still sets ``App.clipboard`` and writes a bare OSC 52
    through the driver's ``write``: the hook does the same with a sequence of its own."""
    text = "CA0123 ☎ call"
    async with _Plain().run_test() as pilot:
        app = pilot.app
        written = _record_writes(app)
        app.copy_to_clipboard(text)
        assert app.clipboard == text
        assert written == [osc52(text, tmux=False)]

        written.clear()
        wrapped = osc52("other", tmux=True)
        assert wrapped is not None
        copy_to_clipboard(app, "other", wrapped)
        assert app.clipboard == "other"
        assert written == [wrapped]
        payload = base64.b64encode(b"other").decode()
        assert wrapped == f"\x1bPtmux;\x1b\x1b]52;c;{payload}\a\x1b\\"


# -- focus without a repaint --------------------------------------------------------------------


def _settings(reactive: Reactive[Any]) -> dict[str, object]:
    return {item[0]: item[1] for item in reactive.__rich_repr__() if isinstance(item, tuple)}


class _QuietScreen(Screen[None]):
    focused = focus_without_repaint()

    def compose(self) -> ComposeResult:
        yield Button("one", id="one")
        yield Button("two", id="two")


def test_screen_focused_is_the_reactive_the_hook_redefines() -> None:
    stock = Screen.__dict__["focused"]
    assert isinstance(stock, Reactive)
    ours = _settings(_QuietScreen.__dict__["focused"])
    assert {**_settings(stock), "repaint": False} == ours
    assert callable(getattr(Screen, "_watch_focused", None))  # kept: found by its name


@pytest.mark.parametrize("quiet", [False, True])
async def test_a_focus_change_repaints_the_screen_only_on_the_stock_screen(quiet: bool) -> None:
    app = _Plain()
    async with app.run_test() as pilot:
        if quiet:
            await app.push_screen(_QuietScreen())
            await pilot.pause()
        screen = app.screen
        screen.set_focus(screen.query_one("#one"))
        await pilot.pause()
        refreshed: list[tuple[Any, ...]] = []
        published: list[object] = []
        original = screen.refresh

        def refresh(*regions: Any, **kw: Any) -> Any:
            refreshed.append(regions)
            return original(*regions, **kw)

        screen.refresh = refresh  # type: ignore[method-assign]
        screen.bindings_updated_signal.subscribe(screen, published.append, immediate=True)
        screen.set_focus(screen.query_one("#two"))
        assert screen.focused is screen.query_one("#two")
        assert published == [screen]  # the bindings (the footer) follow the focus either way
        assert bool(refreshed) is not quiet  # the whole screen: refresh() with no region


# -- nothing else reaches into Textual ----------------------------------------------------------


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


@cache
def _textual_private_names() -> frozenset[str]:
    """Private names Textual defines anywhere: methods, class attributes, ``self._x``."""
    found: set[str] = set()
    for path in Path(textual.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_private(node.name):
                found.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if isinstance(node.value, ast.Name) and node.value.id == "self":
                    found.add(node.attr)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    targets = item.targets if isinstance(item, ast.Assign) else []
                    if isinstance(item, ast.AnnAssign):
                        targets = [item.target]
                    found.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(n for n in found if _is_private(n))


def _modules() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(TUI.rglob("*.py"))
        if path != ALLOWED
    ]


def _own_names(tree: ast.AST) -> set[str]:
    """Names ``tree`` defines: functions, classes, variables, ``self._x = …``."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                found.add(node.attr)  # not ``screen._compositor = …``: that is Textual's
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
    return found


def test_no_module_imports_textual_private_modules() -> None:
    bad = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
                if node.module == "textual":
                    names += [f"textual.{a.name}" for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "textual" and any(_is_private(p) for p in parts[1:]):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert not bad, "\n".join(bad) + "\n(only tui/ui/textual_internals.py may)"


def test_no_module_touches_private_attributes_of_textual_objects() -> None:
    """``x._name`` with ``_name`` a private name of Textual's that tui/ does not define itself
    (``app._driver``, ``screen._compositor``); on ``self`` too (a subclass of a Textual class
    reading its base's privates). The classes' own names are checked by the next test."""
    textual_names = _textual_private_names()
    modules = _modules()
    ours: set[str] = set()
    for _, tree in modules:
        ours |= _own_names(tree)
    bad = []
    for path, tree in modules:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _is_private(node.attr)
                and node.attr in textual_names
                and node.attr not in ours
            ):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} uses .{node.attr}")
    assert not bad, "\n".join(bad) + "\n(only tui/ui/textual_internals.py may)"


def _textual_classes() -> list[tuple[str, type]]:
    """Every class of tui/ built on a Textual class (importing the modules that use Textual)."""
    found = []
    for path, tree in _modules():
        if not any(
            isinstance(n, ast.Import | ast.ImportFrom)
            and any(
                (getattr(n, "module", None) or a.name).split(".")[0] == "textual" for a in n.names
            )
            for n in ast.walk(tree)
        ):
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and value.__module__ == name
                and any(c.__module__.split(".")[0] == "textual" for c in value.__mro__)
            ):
                found.append((name, value))
    return found


def _defined_by(cls: type) -> set[str]:
    """What a Textual class defines: its attributes and what its methods set on ``self``."""
    names = set(vars(cls))
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return names
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            names.add(node.attr)
    return names


def test_no_class_overrides_textual_privates_or_redefines_its_reactives() -> None:
    """A class built on a Textual class neither defines nor uses (on ``self``) a private name of
    its Textual bases (overriding ``_get_renders``, setting ``_clipboard``, or a ``_cache`` of
    its own that would clobber Textual's), nor redefines one of their reactives (``focused``)."""
    bad = []
    for module, cls in _textual_classes():
        bases = [c for c in cls.__mro__ if c.__module__.split(".")[0] == "textual"]
        theirs: set[str] = set().union(*(_defined_by(c) for c in bases))
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        used = {
            n.attr
            for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
            and n.value.id == "self"
        }  # fmt: skip
        for name in sorted((_own_names(tree) | used) & theirs):
            if _is_private(name):
                bad.append(f"{module}.{cls.__name__} uses Textual's {name}")
        for name, value in vars(cls).items():
            if isinstance(value, Reactive) and any(
                isinstance(vars(c).get(name), Reactive) for c in bases
            ):
                bad.append(f"{module}.{cls.__name__} redefines Textual's reactive {name}")
    allowed = {
        # focus_without_repaint() (tui/ui/textual_internals.py): its test is above.
        "tui.ui.screens.browser.BrowserScreen redefines Textual's reactive focused",
    }
    bad = sorted(set(bad) - allowed)
    assert not bad, "\n".join(bad) + "\n(only tui/ui/textual_internals.py may)"
