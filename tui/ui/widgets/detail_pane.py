"""``DetailPane``: the highlighted call, normalized and raw, and its links.

Everything from the provider is shown as plain ``Text`` after :func:`visible` (never markup),
the raw JSON is redacted of the account's secrets and of token-like keys, and long values are
capped so a 1 MB string cannot stall the terminal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static, TabbedContent, TabPane, Tabs
from textual.widgets.option_list import Option

from tui.core.normalize import format_duration
from tui.core.sanitize import redact, visible
from tui.ui.startup import BuiltAfterStart

if TYPE_CHECKING:
    from tui.core.model import Call

RAW_VALUE_LIMIT = 2_000
RAW_TEXT_LIMIT = 200_000
SECRET_KEY_HINTS = ("password", "token", "secret", "authorization", "api_key", "apikey")
LINK_TITLES = {
    "recordings": "Recordings",
    "recording": "Recording media",
    "notifications": "Notifications",
    "events": "Events",
    "parent": "Parent call",
    "children": "Child legs",
    "self": "This call (fetch again)",
}  # also the order of the links list (others after these, "self" last)


def _cap(value: Any, depth: int = 0) -> Any:
    """A copy of raw JSON with long strings cut and deep nesting summarized."""
    if depth > 20:
        return "… (nested deeper)"
    if isinstance(value, str):
        return (
            value
            if len(value) <= RAW_VALUE_LIMIT
            else value[:RAW_VALUE_LIMIT] + f"… (+{len(value) - RAW_VALUE_LIMIT:,} chars)"
        )
    if isinstance(value, dict):
        return {
            str(k): (
                "••••••"
                if any(h in str(k).lower() for h in SECRET_KEY_HINTS)
                else _cap(v, depth + 1)
            )
            for k, v in list(value.items())[:500]
        }
    if isinstance(value, list):
        return [_cap(v, depth + 1) for v in value[:500]]
    if isinstance(value, float) and value != value:
        return "NaN"
    return value


def raw_json_text(raw: Any, secrets: list[str]) -> str:
    """The provider's JSON pretty-printed, redacted, capped, with control characters visible."""
    try:
        text = json.dumps(_cap(raw), indent=2, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        text = repr(raw)[:RAW_TEXT_LIMIT]
    return visible(redact(text, secrets), limit=RAW_TEXT_LIMIT, multiline=True)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone()
    return f"{local:%Y-%m-%d %H:%M:%S %Z}  ·  {moment:%Y-%m-%d %H:%M:%S} UTC"


def normalized_table(call: Call) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    rows: list[tuple[str, str]] = [
        ("Id", call.id),
        ("Provider", f"{call.provider} · {call.account}"),
        (
            "Status",
            call.status.value + (f"  (provider: {call.status_raw})" if call.status_raw else ""),
        ),
        (
            "Direction",
            call.direction.value
            + (f"  (provider: {call.direction_raw})" if call.direction_raw else ""),
        ),
        (
            "From",
            " · ".join(v for v in (call.from_number, call.from_formatted, call.from_name) if v),
        ),
        ("To", " · ".join(v for v in (call.to_number, call.to_formatted, call.to_name) if v)),
        ("Created", _when(call.created_at)),
        ("Started", _when(call.started_at)),
        ("Answered", _when(call.answered_at)),
        ("Ended", _when(call.ended_at)),
        (
            "Duration",
            f"{format_duration(call.duration)} ({call.duration} s)"
            if call.duration is not None
            else "",
        ),
        (
            "Price",
            f"{call.price:f} {call.currency or ''}".strip() if call.price is not None else "",
        ),
        ("Answered by", call.answered_by or ""),
        ("End reason", call.end_reason or ""),
        ("Parent", call.parent_id or ""),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, Text(visible(value, limit=RAW_VALUE_LIMIT)))
    for key, value in call.extras.items():
        if value in (None, "", [], {}):
            continue
        shown = (
            value
            if isinstance(value, str)
            else json.dumps(_cap(value), ensure_ascii=False, default=str)
        )
        table.add_row(
            Text(visible(str(key), limit=60), style="dim"),
            Text(visible(shown, limit=RAW_VALUE_LIMIT)),
        )
    for warning in call.warnings:
        table.add_row(Text("Warning", style="bold red"), Text(visible(warning, limit=500)))
    return table


class DetailPane(BuiltAfterStart, Vertical):
    """Three tabs: Normalized · Raw · Links (Enter on a link follows it)."""

    HELP_TITLE = "Detail pane"  # the section of its keys in the help (?)

    class FollowLink(Message):
        def __init__(self, call: Call, link: str) -> None:
            super().__init__()
            self.call = call
            self.link = link

    class Copy(Message):
        def __init__(self, what: str, text: str) -> None:
            super().__init__()
            self.what = what
            self.text = text

    def __init__(
        self,
        secrets: list[str] | None = None,
        resolve: Callable[[str], str] | None = None,
        **kw: object,
    ) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.secrets = secrets or []
        # A link as the provider gave it (often a path) → the absolute URL to copy.
        self.resolve = resolve
        self.call: Call | None = None
        self.ready = False  # the tabs are built (after start-up: BuiltAfterStart)
        self._shown = False  # show() was called before the tabs were built
        self._pending_active: str | None = None

    def compose(self) -> ComposeResult:
        # Empty at first: the tabs are built (recomposed) once the first rows are on screen, as
        # the first frame with rows does not need them. Until then show() and active are kept.
        if not self.building:
            return
        with TabbedContent(id="detail-tabs"):
            with TabPane("Normalized", id="tab-normalized"), VerticalScroll():
                yield Static("No call selected.", id="normalized")
            with TabPane("Raw", id="tab-raw"), VerticalScroll():
                yield Static("", id="raw")
            with TabPane("Links", id="tab-links"):
                yield OptionList(id="links")

    def built(self) -> None:
        if not self.is_attached or not self.query("#normalized"):
            return  # the app is closing: nothing was built
        self.ready = True
        if self._pending_active is not None:
            self.active, self._pending_active = self._pending_active, None
        if self._shown:
            self.show(self.call)

    # -- panes for Tab ----------------------------------------------------------------------

    def panes(self) -> list[tuple[Widget, Widget]]:
        """Tab's stops here: the tab strip (←/→ switch tabs), then the open tab's content
        (arrows scroll it; on Links they pick a link and Enter follows it)."""
        if not self.ready:
            return []
        tabbed = self.query_one("#detail-tabs", TabbedContent)
        tabs = tabbed.query_one(Tabs)
        found: list[tuple[Widget, Widget]] = [(tabs, tabs)]
        pane = tabbed.active_pane
        body = next((w for w in pane.query("*") if w.focusable), None) if pane else None
        if pane is not None and body is not None:
            found.append((pane, body))
        return found

    def focus_body(self) -> None:
        """The focus to the open tab's content (Enter on a call: its links, ready to follow)."""
        panes = self.panes()
        if panes:
            body = panes[-1][1]
            if isinstance(body, OptionList) and body.option_count and body.highlighted is None:
                body.highlighted = 0  # Enter follows the first link at once
            self.screen.set_focus(body)

    @property
    def active(self) -> str:
        if not self.ready:
            return self._pending_active or "tab-normalized"
        return self.query_one("#detail-tabs", TabbedContent).active

    @active.setter
    def active(self, tab: str) -> None:
        if not self.ready:
            self._pending_active = tab
            return
        self.query_one("#detail-tabs", TabbedContent).active = tab

    def show(self, call: Call | None) -> None:
        self.call = call
        if not self.ready:
            self._shown = True
            return
        normalized = self.query_one("#normalized", Static)
        raw = self.query_one("#raw", Static)
        links = self.query_one("#links", OptionList)
        links.clear_options()
        if call is None:
            normalized.update("Loading…")
            raw.update("")
            return
        from rich.syntax import Syntax  # pygments: not needed before the first call is shown

        normalized.update(normalized_table(call))
        raw.update(
            Syntax(raw_json_text(call.raw, self.secrets), "json", word_wrap=True, theme="ansi_dark")
        )
        # In the order of LINK_TITLES (recordings first, "this call" last), then the rest.
        order = {name: i for i, name in enumerate(LINK_TITLES)}
        ranked = sorted(
            call.links.items(), key=lambda kv: (kv[0] == "self", order.get(kv[0], len(order)))
        )
        for name, url in ranked:
            title = Text(LINK_TITLES.get(name, name), style="bold")
            title.append("  " + visible(url, limit=200), style="dim")
            links.add_option(Option(title, id=name))
        if not call.links:
            links.add_option(Option(Text("This call has no links.", style="dim"), disabled=True))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.call is not None and event.option.id:
            self.post_message(self.FollowLink(self.call, event.option.id))

    def action_copy(self, what: str) -> None:
        call = self.call
        if call is None:
            return
        text = ""
        if what == "id":
            text = call.id
        elif what == "number":
            text = call.from_number or call.to_number or ""
        elif what == "raw":
            text = raw_json_text(call.raw, self.secrets)
        elif what == "url":
            links = self.query_one("#links", OptionList) if self.ready else None
            option = (
                links.highlighted_option if links is not None and links.highlighted is not None
                else None
            )  # fmt: skip
            name = option.id if option is not None and option.id else next(iter(call.links), "")
            text = call.links.get(name, "")
            if text and self.resolve is not None:
                text = redact(self.resolve(text), self.secrets)
        self.post_message(self.Copy(what, text))
