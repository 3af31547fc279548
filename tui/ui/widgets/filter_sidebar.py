"""``FilterSidebar``: a field for every ``CallFilter`` field, each showing where it is applied.

Every field holds the *value part* of a query-language term (``failed,busy`` for status,
``<5`` for duration), so the sidebar and the ``/`` query bar speak one language: the sidebar
builds its filter by parsing ``key:value`` terms, and :meth:`show_filter` fills the fields from
the canonical text of each field. Plan badges (server / local / both / n/a) come from the
adapter's plan, never from the widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Input, Label, SelectionList, Static
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from tui.core.errors import QueryError
from tui.core.filter import CallFilter, extra_fields
from tui.core.model import Direction, Status
from tui.core.query import format_query, parse_query
from tui.ui.startup import BuiltAfterStart
from tui.ui.widgets.one_line import OneLineInput

if TYPE_CHECKING:
    from tui.core.plan import Plan

TIME_PRESETS = (("15m", "-15m"), ("1h", "-1h"), ("24h", "-24h"), ("7d", "-7d"))


@dataclass(frozen=True)
class Field:
    key: str  # query key
    label: str
    placeholder: str
    filter_name: str  # CallFilter field (or extra key)


FIELDS = (
    Field("from", "From", "+1415*, sip:alice@…", "from_numbers"),
    Field("to", "To", "+4420*", "to_numbers"),
    Field("since", "Since", "-2h, today, 2026-11-01", "since"),
    Field("until", "Until", "now, 2026-11-02T10:00Z", "until"),
    Field("dur", "Duration (s)", "<5, >=30, 10..60", "duration"),
    Field("price", "Price", ">=0.05, 0.01..0.5", "price"),
    Field("parent", "Parent call", "a call id", "parent_id"),
    Field("id", "Call ids", "id1,id2", "ids"),
)


def _value_part(flt: CallFilter, name: str, key: str) -> str:
    """The value text of one field in canonical form (``dur:>5 dur:<9`` → ``>5 <9``)."""
    text = format_query(flt.only(name))
    return (
        " ".join(
            term.split(":", 1)[1] if term.startswith(key + ":") else term
            for term in text.split(" ")
        )
        if text
        else ""
    )


def _select_exactly(toggles: SelectionList[str], values: set[str]) -> None:
    """Select exactly ``values``, touching (and repainting) the list only if that changes it."""
    if set(toggles.selected) == values:
        return
    toggles.deselect_all()
    for value in values:
        toggles.select(value)


class Toggles(SelectionList[str]):
    """A ``SelectionList`` whose boxes read ``[✓]`` / ``[ ]`` (not colour alone, so they read
    with ``NO_COLOR``), and whose up/down go on to the next field at either end."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 4:
            return strip
        index = self.scroll_offset.y + y
        try:
            value = self.get_option_at_index(index).value
        except OptionDoesNotExist:  # a line past the options
            return strip
        mark = "✓" if value in self.selected else " "
        plain = segments[3].style
        boxed = [
            Segment("[", plain),
            Segment(mark, segments[1].style),
            Segment("]", plain),
            *segments[3:],
        ]
        return Strip(boxed, strip.cell_length)

    def action_cursor_down(self) -> None:
        if self.highlighted is not None and self.highlighted >= self.option_count - 1:
            self._leave(1)
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted is None or self.highlighted <= 0:
            self._leave(-1)
        else:
            super().action_cursor_up()

    def _leave(self, step: int) -> None:
        for node in self.ancestors:
            if isinstance(node, FilterSidebar):
                node.action_field(step)
                return


class FilterSidebar(BuiltAfterStart, VerticalScroll, can_focus=False):
    """The filter as a form. Posts :class:`FilterSidebar.Changed` with a parsed filter."""

    HELP_TITLE = "Sidebar"  # the section of its keys in the help (?)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "clear", "Clear filter", id="sidebar.clear"),
        Binding("up", "field(-1)", "Previous field", show=False, id="sidebar.previous"),
        Binding("down", "field(1)", "Next field", show=False, id="sidebar.next"),
        Binding("left", "preset(-1)", "Previous preset", show=False, id="sidebar.preset_left"),
        Binding("right", "preset(1)", "Next preset", show=False, id="sidebar.preset_right"),
    ]

    class Changed(Message):
        def __init__(self, sidebar: FilterSidebar, flt: CallFilter) -> None:
            super().__init__()
            self.sidebar = sidebar
            self.filter = flt

    def __init__(self, provider: str, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.provider = provider
        self.extras = [e for e in extra_fields() if provider in e.providers]
        self._filling = False
        self._shown: dict[str, Text] = {}  # what _set_text last showed, by selector
        self._labels: dict[str, Static | None] = {}  # _set_text's widgets, found once
        self.ready = False  # the fields are built (after start-up: BuiltAfterStart)
        self._pending_filter: CallFilter | None = None
        self._pending_plan: tuple[Plan | None, tuple[str, ...]] | None = None
        self._last_field: Widget | None = None

    def compose(self) -> ComposeResult:
        # Empty at first: the ~25 labels, inputs, lists and buttons are built (recomposed) once
        # the first rows are on screen; they cost a good part of the start-up otherwise. Until
        # then show_filter/show_plan are remembered and applied when the fields exist.
        if not self.building:
            return
        yield Label("Status", id="label-status", classes="field-label")
        yield Toggles(
            *(Selection(s.value, s.value) for s in Status if s is not Status.UNKNOWN),
            id="field-status",
            classes="toggles",
        )
        yield Label("Direction", id="label-dir", classes="field-label")
        yield Toggles(
            *(Selection(d.value, d.value) for d in Direction if d is not Direction.UNKNOWN),
            id="field-dir",
            classes="toggles",
        )
        for field in FIELDS:
            yield Label(field.label, id=f"label-{field.key}", classes="field-label")
            yield OneLineInput(
                placeholder=field.placeholder, id=f"field-{field.key}", classes="field"
            )
            if field.key == "since":
                with Horizontal(classes="presets"):
                    for title, value in TIME_PRESETS:
                        yield Button(title, id=f"preset{value}", classes="preset", compact=True)
        for extra in self.extras:
            yield Label(extra.label, id=f"label-{extra.key}", classes="field-label")
            hint = "/".join(extra.choices) if extra.choices else extra.help
            yield OneLineInput(placeholder=hint, id=f"field-{extra.key}", classes="field")
        yield Static("", id="field-error", classes="field-error")
        yield Static("", id="plan-notes", classes="plan-notes")

    def built(self) -> None:
        self._labels.clear()  # new widgets
        self._shown.clear()
        self.ready = True
        if self._pending_filter is not None:
            self.show_filter(self._pending_filter)
        if self._pending_plan is not None:
            self.show_plan(*self._pending_plan)
        self._pending_filter = self._pending_plan = None

    # -- moving with the keyboard -----------------------------------------------------------

    def fields(self) -> list[Widget]:
        """The focusable fields, top to bottom (the time presets one after another)."""
        return [w for w in self.query("Toggles, Input, Button") if w.focusable]

    def entry(self) -> Widget | None:
        """Where the focus goes when the sidebar is entered: the field left last, or the
        first."""
        fields = self.fields()
        if self._last_field in fields:
            return self._last_field
        return fields[0] if fields else None

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._last_field = event.widget

    def action_field(self, step: int) -> None:
        """The next (``step`` 1) or previous (-1) field; the time presets count as one."""
        fields = self.fields()
        focused = self.screen.focused
        if focused not in fields:
            return
        index = fields.index(focused)
        row = focused.parent if isinstance(focused, Button) else None
        index += step
        while 0 <= index < len(fields) and row is not None and fields[index].parent is row:
            index += step
        if 0 <= index < len(fields):
            target = fields[index]
            if isinstance(target, Toggles) and target.option_count:
                target.highlighted = 0 if step > 0 else target.option_count - 1
            self.screen.set_focus(target)
            target.scroll_visible()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "preset":
            return isinstance(self.screen.focused, Button)
        return True

    def action_preset(self, step: int) -> None:
        focused = self.screen.focused
        if not isinstance(focused, Button) or focused.parent is None:
            return
        buttons = [b for b in focused.parent.query(Button) if b.focusable]
        index = buttons.index(focused) + step
        if 0 <= index < len(buttons):
            self.screen.set_focus(buttons[index])

    # -- reading the form ----------------------------------------------------------------

    def query_text(self) -> str:
        if not self.ready:
            return format_query(self._pending_filter or CallFilter())
        terms: list[str] = []
        statuses = self.query_one("#field-status", SelectionList).selected
        if statuses:
            terms.append("status:" + ",".join(statuses))
        directions = self.query_one("#field-dir", SelectionList).selected
        if directions:
            terms.append("dir:" + ",".join(directions))
        for key in [f.key for f in FIELDS] + [e.key for e in self.extras]:
            value = self.query_one(f"#field-{key}", Input).value.strip()
            if value:
                # several range terms may be typed in one field: ">5 <30"
                terms.extend(f"{key}:{part}" for part in value.split(" ") if part) if key in (
                    "dur", "price") else terms.append(f"{key}:{value}")  # fmt: skip
        return " ".join(terms)

    def build(self) -> CallFilter | None:
        if not self.ready:
            return self._pending_filter or CallFilter()
        text = self.query_text()
        try:
            flt = parse_query(text)
        except QueryError as exc:
            expected = f" — expected {exc.expected}" if exc.expected else ""
            self._set_text("#field-error", Text(f"⚠ {exc.message}{expected}"))
            return None
        self._set_text("#field-error", Text())
        return flt

    def _changed(self) -> None:
        if self._filling:
            return
        flt = self.build()
        if flt is not None:
            self.post_message(self.Changed(self, flt))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._changed()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        self._changed()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        self._changed()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id.startswith("preset"):
            event.stop()
            self.query_one("#field-since", Input).value = button_id.removeprefix("preset")
            self._changed()

    def action_clear(self) -> None:
        # Posted directly: show_filter suppresses the form's own change messages until the
        # next refresh (_filling), which swallowed this one and kept the old filter in force.
        self.show_filter(CallFilter())
        self.post_message(self.Changed(self, CallFilter()))

    # -- showing a filter and a plan ---------------------------------------------------------

    def show_filter(self, flt: CallFilter) -> None:
        """Fill the form from ``flt`` without posting a change."""
        if not self.ready:
            self._pending_filter = flt
            return
        self._filling = True
        try:
            _select_exactly(
                self.query_one("#field-status", SelectionList),
                {s.value for s in flt.statuses if s is not Status.UNKNOWN},
            )
            _select_exactly(
                self.query_one("#field-dir", SelectionList),
                {d.value for d in flt.directions if d is not Direction.UNKNOWN},
            )
            for field in FIELDS:
                self.query_one(f"#field-{field.key}", Input).value = _value_part(
                    flt, field.filter_name, field.key
                )
            for extra in self.extras:
                self.query_one(f"#field-{extra.key}", Input).value = _value_part(
                    flt, extra.key, extra.key
                )
            self._set_text("#field-error", Text())
        finally:
            self.call_after_refresh(self._done_filling)

    def _done_filling(self) -> None:
        self._filling = False

    def show_plan(self, plan: Plan | None, limits: tuple[str, ...] = ()) -> None:
        """Badge each field with where it is applied; list warnings and provider limits."""
        if not self.ready:
            self._pending_plan = (plan, limits)
            return
        where = {item.field: item for item in plan.items} if plan is not None else {}
        labels = {"status": "Status", "dir": "Direction"} | {f.key: f.label for f in FIELDS}
        labels |= {e.key: e.label for e in self.extras}
        for key, title in labels.items():
            item = where.get(key)
            label = Text(title)
            if item is not None:
                badge = {
                    "server": " · server",
                    "server+local": " · server+local",
                    "local": " · local",
                }.get(item.where.value, " · n/a")
                label.append(
                    badge, style="bold" if item.where.value != "unsupported" else "bold red"
                )
            # A label is one line of the sidebar's width (CSS): a new badge changes no layout.
            self._set_text(f"#label-{key}", label, layout=False)
        notes = Text()
        if plan is not None:
            for item in plan.items:
                if item.note:
                    notes.append(f"• {item.field}: {item.note}\n")
            for warning in plan.warnings:
                notes.append(f"⚠ {warning}\n", style="bold")
        if limits:
            notes.append("Provider limits: " + "; ".join(limits))
        self._set_text("#plan-notes", notes)

    def _set_text(self, selector: str, text: Text, *, layout: bool = True) -> None:
        """Show ``text`` in a label, doing nothing if it already does (no repaint, no layout)."""
        if selector not in self._labels:
            found = self.query(selector)
            self._labels[selector] = found.first(Static) if found else None
        widget = self._labels[selector]
        if widget is None:  # a field this provider has no widget for
            return
        if self._shown.get(selector) != text:
            self._shown[selector] = text
            widget.update(text, layout=layout)
