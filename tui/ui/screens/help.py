"""The ``?`` help screen: every binding of the focused pane and of the app (from BINDINGS).

Sections are titled in the user's words: a pane class names itself with ``HELP_TITLE``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

Row = tuple[str, str, str]  # key, what it does, binding id
Section = tuple[str, list[Row]]

EVERYWHERE = "Everywhere"
TAB_BINDING = re.compile(r"browser\.tab(\d+)$")

# What no single binding says: how the panes and the keys work together.
NOTES: list[Row] = [
    ("Tab / Shift+Tab", "Move between panes: table, detail pane, sidebar, filter line", ""),
    ("Esc", "Leave a pane or the filter line: back to the table", ""),
    (
        "G",
        "Last row; cursor-paged providers (Twilio, SignalWire, Exotel) walk every "
        "page to the end first — Esc cancels the walk",
        "",
    ),
    ("Enter", "In a modal list: open the call, download the recording", ""),
]
NOTES_TITLE = "Moving around"


def help_title(node: Any) -> str:
    """The section title of ``node``'s keys: its class's ``HELP_TITLE``, else its class name
    in words ("ExportScreen" → "Export")."""
    title = getattr(type(node), "HELP_TITLE", None)
    if isinstance(title, str) and title:
        return title
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", type(node).__name__)
    if len(words) > 1 and words[-1] in ("Screen", "Widget"):
        words.pop()
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:]


def key_text(binding: Binding, key_display: Callable[[Binding], str]) -> str:
    """Every key of a binding as the footer shows it ("up,k" → "↑ k")."""
    return " ".join(key_display(replace(binding, key=key)) for key in binding.key.split(","))


def binding_sections(
    owners: Iterable[tuple[str, Sequence[BindingType]]],
    key_display: Callable[[Binding], str],
    *,
    tabs: int,
) -> list[Section]:
    """The bindings with ids of each (title, BINDINGS) pair, one section per title, in order.
    The tab keys (``browser.tab1`` …) make one row for the ``tabs`` tabs there are."""
    sections: dict[str, list[Row]] = {}
    seen: set[str] = set()
    for title, owned in owners:
        bindings = [b for b in owned if isinstance(b, Binding) and b.id]
        rows = sections.setdefault(title, [])
        for binding in bindings:
            binding_id = binding.id or ""
            if binding_id in seen:
                continue
            seen.add(binding_id)
            tab = TAB_BINDING.match(binding_id)
            if tab is None:
                description = binding.description or binding.action
                rows.append((key_text(binding, key_display), description, binding_id))
            elif tab.group(1) == "1" and tabs >= 1:
                last = next((b for b in bindings if b.id == f"browser.tab{tabs}"), binding)
                keys, ids = key_text(binding, key_display), binding_id
                if last is not binding:
                    keys += "…" + key_text(last, key_display)
                    ids += f"…tab{tabs}"
                rows.append((keys, "Jump to tab", ids))
    return [(title, rows) for title, rows in sections.items() if rows]


def binding_table(title: str, bindings: list[Row]) -> Table:
    table = Table(title=title, title_justify="left", expand=True, show_edge=False)
    table.add_column("Key", style="bold", no_wrap=True)
    table.add_column("Action")
    with_ids = any(binding_id for _, _, binding_id in bindings)  # not so the notes
    if with_ids:
        table.add_column("Id", style="dim", no_wrap=True)
    for key, description, binding_id in bindings:
        table.add_row(Text(key), Text(description), *([Text(binding_id)] if with_ids else []))
    return table


class HelpScreen(ModalScreen[None]):
    """The keys, scrolled with ↑ ↓ PgUp PgDn Home End; Esc, q or ? close it."""

    HELP_TITLE = "Help"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 100%; max-width: 100; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, sections: list[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(
                Text(
                    "callscope — keys (Esc closes; ↑ ↓ PgUp PgDn scroll). "
                    "Remap any id under [keys] in the config.",
                    style="bold",
                )
            )
            for title, bindings in [*self.sections, (NOTES_TITLE, NOTES)]:
                if bindings:
                    yield Static(binding_table(title, bindings))

    def on_mount(self) -> None:
        # The keys scroll the list: it has the focus, whatever Textual's auto-focus would pick.
        self.query_one(VerticalScroll).focus()
