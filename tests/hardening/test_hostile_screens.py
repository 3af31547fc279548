"""Hostile data on every screen: nothing crashes, nothing is interpreted, no escape gets out.

Real provider pages (from the emulator, through an ``httpx.MockTransport`` that forwards and
rewrites them) carry hostile strings in every field of every record, for all five providers.
The app renders them with Pilot: the table (scrolled), the detail pane's three tabs, links
and the link-result modal, the help screen and error notifications. What reaches the screen is
checked strip by strip and in the exported screenshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import OptionList

import tui.providers
from tests.hardening.conftest import COUNTS, PROVIDERS
from tests.hardening.payloads import (
    HOSTILE,
    Planter,
    forbidden_in,
    forwarding_handler,
    hostile_error,
    hostile_transport,
)
from tests.ui.conftest import NOW, accounts_of, make_app, ready, wait_for
from tui.core.model import Call
from tui.core.sanitize import is_clean
from tui.emulator import Emulator, EmulatorConfig
from tui.ui.app import CallscopeApp
from tui.ui.screens.browser import BrowserScreen
from tui.ui.screens.link_result import LinkResultScreen
from tui.ui.widgets.account_view import AccountView

SIZE = (150, 45)


def use_transport(monkeypatch: pytest.MonkeyPatch, transport: httpx.AsyncBaseTransport) -> None:
    """Make every adapter the app creates talk through ``transport``."""
    real = tui.providers.adapter_for

    def adapter_for(account: Any, **kw: Any) -> Any:
        return real(account, transport=transport, **kw)

    monkeypatch.setattr(tui.providers, "adapter_for", adapter_for)


def screen_problems(app: CallscopeApp, where: str) -> list[str]:
    svg = app.export_screenshot()
    return [f"{where}: {p} in the screenshot" for p in forbidden_in(svg)]


def table_problems(view: AccountView, where: str) -> Iterator[str]:
    """Each visible line: nothing forbidden, full width, every cell exactly its column's width."""
    table = view.table
    width = table.size.width
    for y in range(table.size.height):
        strip = table.render_line(y)
        text = strip.text
        for problem in forbidden_in(text):
            yield f"{where} line {y}: {problem}"
        if cell_len(text) != width:
            yield f"{where} line {y}: {cell_len(text)} cells, not {width}"
        call = table.call_at(table.top + y - 1) if y else None
        if call is None or table.left:
            continue
        # every column ends exactly at its width: a separating space starts at that cell
        starts: dict[int, str] = {}
        position = 0
        for char in text:
            starts[position] = char
            position += cell_len(char)
        end = 0
        for column in table.columns:
            end += column.width
            if end >= table.content_width:  # cropped by the viewport, not by the column
                break
            if starts.get(end) != " ":
                yield f"{where} line {y}: column {column.key} is not {column.width} wide"
            end += 1


def is_hostile(call: Call) -> bool:
    values = [
        call.from_name,
        call.to_name,
        *(v for v in call.extras.values() if isinstance(v, str)),
    ]
    return any(v and ("[" in v or not is_clean(v)) for v in values)


def modal_problems(app: CallscopeApp, where: str) -> list[str]:
    """What the link-result modal (or the toast of a failed follow) shows, line by line."""
    screen = app.screen
    if not isinstance(screen, LinkResultScreen):
        return []
    texts = [str(w.render()) for w in screen.query("Label")]
    items = screen.query_one("#items", OptionList)
    texts += [str(items.get_option_at_index(i).prompt) for i in range(items.option_count)]
    return [f"{where}: {p}" for t in texts for p in forbidden_in(t)]


async def show_detail_tabs(pilot: Pilot[None], app: CallscopeApp, view: AccountView,
                           where: str, shots: tuple[str, ...] = ("tab-normalized",),
                           ) -> list[str]:  # fmt: skip
    """Each detail tab on screen (screenshots of ``shots``; they are slow), then the raw text
    itself (longer than the screen) and the link titles."""
    problems: list[str] = []
    for tab in ("tab-normalized", "tab-raw", "tab-links"):
        view.detail.active = tab
        await pilot.pause()
        if tab in shots:
            problems += screen_problems(app, f"{where} {tab}")
    links = view.detail.query_one("#links", OptionList)
    for index in range(links.option_count):
        prompt = str(links.get_option_at_index(index).prompt)
        problems += [f"{where} link title: {p}" for p in forbidden_in(prompt)]
    raw = view.detail.query_one("#raw").render()
    problems += [f"{where} raw text: {p}" for p in forbidden_in(str(getattr(raw, "code", raw)))]
    return problems


async def test_hostile_fields_of_every_provider_render_inert_in_the_table_and_detail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    planter = Planter()
    use_transport(monkeypatch, hostile_transport(planter))
    problems: list[str] = []
    literal_markup = 0
    async with Emulator(EmulatorConfig(calls=40, now=NOW)) as emu:
        app = make_app(tmp_path, accounts_of(emu, PROVIDERS, page_size=10))
        async with app.run_test(size=SIZE) as pilot:
            for number, provider in enumerate(PROVIDERS, 1):
                await pilot.press(str(number))
                view = await ready(pilot, app)
                assert view.account.provider == provider
                pager = view.pager
                assert pager is not None
                await wait_for(pilot, lambda p=pager: not p.loading)
                assert pager.loaded > 0, f"{provider}: no hostile row shown ({pager.error})"
                view.table.focus()
                for screen in range(3):  # scroll through the rows, page by page
                    await wait_for(pilot, lambda p=pager: not p.loading)
                    await pilot.pause()
                    problems += table_problems(view, f"{provider} table screen {screen}")
                    await pilot.press("pagedown")
                await pilot.press("home")
                await pilot.pause()
                svg = app.export_screenshot()
                problems += [f"{provider} table: {p} in the screenshot" for p in forbidden_in(svg)]
                literal_markup += svg.count("[bold")
                # the first row holds the 1 MB string; the detail must wrap or scroll it
                shots = ("tab-normalized", "tab-raw", "tab-links") if number == 1 else ()
                problems += await show_detail_tabs(pilot, app, view, f"{provider} row 0", shots)
                view.detail.active = "tab-normalized"
                await pilot.pause()
                scroller = view.detail.query_one("#tab-normalized VerticalScroll")
                assert scroller.max_scroll_y > 0 or scroller.virtual_size.height > 0
                await pilot.click("#normalized")  # clicking hostile text runs nothing
                assert app.is_running and isinstance(app.screen, BrowserScreen)
    COUNTS["hostile strings planted (browser, 5 providers)"] += planter.planted
    COUNTS["distinct hostile payloads"] = len(HOSTILE) + 1
    assert not problems, "\n".join(problems[:40])
    assert literal_markup > 0, "the markup text should appear literally"


async def test_hostile_links_help_and_link_results_stay_inert(tmp_path: Path) -> None:
    """The emulator's own hostile mode (caller names, campaigns), following every link."""
    problems: list[str] = []
    async with Emulator(EmulatorConfig(calls=40, now=NOW, hostile=True)) as emu:
        app = make_app(tmp_path, accounts_of(emu, PROVIDERS, page_size=20))
        async with app.run_test(size=SIZE) as pilot:
            for number, provider in enumerate(PROVIDERS, 1):
                await pilot.press(str(number))
                view = await ready(pilot, app)
                pager = view.pager
                assert pager is not None
                await wait_for(pilot, lambda p=pager: not p.loading)
                hostile_rows = [
                    i
                    for i in range(pager.loaded)
                    if (c := view.table.call_at(i)) is not None and is_hostile(c)
                ] or [0]  # Exotel plants nothing in hostile mode: its first row then
                for row in [r for r in hostile_rows if r < pager.loaded][:1]:
                    view.table.move_to(row)
                    await pilot.pause()
                    problems += table_problems(view, f"{provider} row {row}")
                    await pilot.press("enter")  # opens the detail at its Links tab
                    await pilot.pause()
                    problems += await show_detail_tabs(
                        pilot, app, view, f"{provider} row {row}", ()
                    )
                    links = view.detail.query_one("#links", OptionList)
                    for index in range(min(3, links.option_count)):
                        option = links.get_option_at_index(index)
                        if option.disabled:
                            continue
                        view.detail.active = "tab-links"
                        links.focus()
                        links.highlighted = index
                        await pilot.press("enter")
                        await wait_for(
                            pilot,
                            lambda: (
                                isinstance(app.screen, LinkResultScreen)
                                or not any(w.is_running for w in app.workers)
                            ),
                        )
                        await pilot.pause()
                        problems += modal_problems(app, f"{provider} link {option.id}")
                        if isinstance(app.screen, LinkResultScreen):
                            await pilot.press("escape")
                            await pilot.pause()
                        COUNTS["links followed with hostile data"] += 1
                view.table.focus()
            await pilot.press("enter")  # the last link result, on screen
            await pilot.pause()
            problems += screen_problems(app, "a link result or its toast")
            if isinstance(app.screen, LinkResultScreen):
                await pilot.press("escape")
            await pilot.press("question_mark")
            await pilot.pause()
            problems += screen_problems(app, "help screen")
            await pilot.press("escape")
            assert app.is_running
    assert not problems, "\n".join(problems[:40])


async def test_a_hostile_provider_error_message_is_shown_inert_for_every_provider(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    message = " ".join(HOSTILE[:10]) + " [@click=app.quit]"
    async with Emulator(EmulatorConfig(calls=20, now=NOW)) as emu:

        def rewrite(request: httpx.Request, upstream: httpx.Response) -> httpx.Response | None:
            if "login" in request.url.path or "oauth" in request.url.path:
                return None
            path = request.url.path
            provider = next(a.provider for a in emu.apis
                            if any(r.pattern.fullmatch(path) for r in a.routes))  # fmt: skip
            return hostile_error(emu, provider, message)

        use_transport(monkeypatch, httpx.MockTransport(forwarding_handler(rewrite)))
        app = make_app(tmp_path, accounts_of(emu, PROVIDERS))
        async with app.run_test(size=SIZE) as pilot:
            for number, provider in enumerate(PROVIDERS, 1):
                await pilot.press(str(number))
                view = await ready(pilot, app)
                assert view.pager is not None and view.pager.error is not None, provider
                await pilot.pause()
                svg = app.export_screenshot()  # the status line and the error toast
                assert not forbidden_in(svg), (provider, forbidden_in(svg))
                status = str(view.query_one(".status-line").render())
                assert not forbidden_in(status), provider
                assert "Refund due" in status, provider  # the provider's text, shown as text
                assert "[bold red]" in status or "[bold red]" in svg, provider
                assert app.is_running
                COUNTS["hostile error messages shown"] += 1
