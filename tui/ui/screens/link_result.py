"""What following a link gave: recordings, log entries, or calls (parent, legs as a small tree)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, ProgressBar, Tree
from textual.widgets.option_list import Option

from tui.core import errors
from tui.core.media import file_name, save
from tui.core.normalize import format_duration
from tui.core.sanitize import cell, redact, visible
from tui.ui.columns import format_time
from tui.ui.screens.prompts import SaveAsScreen

if TYPE_CHECKING:
    from tui.core.account import Account
    from tui.core.http import ProviderHttp
    from tui.core.model import Call
    from tui.providers.base import LinkResult


KEYS_HINT = (
    "↑↓ move · Enter open the call / download the recording (also w) · u copy media URL"
    " · x cancel download · Esc close"
)


def downloads_dir() -> Path:
    """Where a download is offered to go: the platform's downloads folder if it exists, else
    ~/Downloads if it exists, else the working directory."""
    import platformdirs

    for folder in (Path(platformdirs.user_downloads_dir()), Path.home() / "Downloads"):
        if folder.is_dir():
            return folder
    return Path.cwd()


def call_line(call: Call) -> Text:
    text = Text(cell(call.id, limit=40), style="bold")
    text.append(f"  {call.status.value:<11} ")
    text.append(f"{cell(call.from_number, limit=30)} → {cell(call.to_number, limit=30)}  ")
    text.append(format_time(call.time, True) + " UTC", style="dim")
    return text


class LinkResultScreen(ModalScreen[None]):
    """A modal list of the link's items; Enter opens a call, ``w`` downloads a recording."""

    HELP_TITLE = "Link result"  # the section of its keys in the help (?)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="link.close"),
        Binding("w", "download", "Download recording", id="link.download"),
        Binding("u", "copy_url", "Copy media URL", id="link.copy_url"),
        Binding("x", "cancel_download", "Cancel download", id="link.cancel"),
    ]

    DEFAULT_CSS = """
    LinkResultScreen { align: center middle; }
    LinkResultScreen > Vertical {
        width: 90%; height: 80%; border: thick $primary; background: $surface; padding: 0 1;
    }
    LinkResultScreen OptionList { height: 1fr; }
    LinkResultScreen Tree { height: auto; max-height: 12; }
    LinkResultScreen ProgressBar { display: none; }
    LinkResultScreen ProgressBar.-active { display: block; }
    LinkResultScreen #download-status { display: none; }
    LinkResultScreen #download-status.-shown { display: block; }
    """

    def __init__(
        self,
        call: Call,
        link: str,
        result: LinkResult,
        *,
        http: ProviderHttp,
        account: Account,
        show_call: Callable[[Call], None],
    ) -> None:
        """``http`` is the account's client (URLs, downloads), ``account`` names the secrets a
        copied URL must not carry, and ``show_call`` opens a listed call where it came from."""
        super().__init__()
        self.http = http
        self.account = account
        self.show_call = show_call
        self.call = call
        self.link = link
        self.result = result

    def compose(self) -> ComposeResult:
        result = self.result
        with Vertical():
            count = len(result.calls) + len(result.recordings) + len(result.entries)
            yield Label(
                Text(
                    f"{self.link} of {cell(self.call.id, limit=40)} — {count} item(s)", style="bold"
                )
            )
            if result.note:
                yield Label(Text(visible(result.note, limit=300), style="dim"))
            if result.kind == "calls" and self.link in ("children", "parent"):
                yield self._tree()
            options: list[Option] = []
            for index, call in enumerate(result.calls):
                options.append(Option(call_line(call), id=f"call-{index}"))
            for index, rec in enumerate(result.recordings):
                line = Text(cell(rec.id, limit=40), style="bold")
                line.append(f"  {format_duration(rec.duration):>8}  ")
                line.append(f"{rec.channels or '?'} ch  {cell(rec.status, limit=12):<11} ")
                line.append(cell(self._shown_url(rec.media_url), limit=120), style="underline")
                options.append(Option(line, id=f"rec-{index}"))
            for index, entry in enumerate(result.entries):
                line = Text(format_time(entry.time, True) + "  ", style="dim")
                line.append(f"{cell(entry.level, limit=10):<8} ", style="bold")
                line.append(cell(entry.title, limit=200))
                if entry.detail:
                    line.append("  " + cell(entry.detail, limit=300), style="dim")
                options.append(Option(line, id=f"entry-{index}"))
            if not options:
                options.append(Option(Text("Nothing here.", style="dim"), disabled=True))
            yield OptionList(*options, id="items")
            yield ProgressBar(total=100, id="download")
            yield Label("", id="download-status")
            yield Label(Text(KEYS_HINT, style="dim"), id="keys-hint")

    def on_mount(self) -> None:
        self.query_one("#items", OptionList).focus()

    def _shown_url(self, url: str | None) -> str:
        """A URL on the account's own origin shows as its path (shorter, and port-free)."""
        if not url:
            return ""
        target = self.http.url(url)
        if self.http.is_own(target):
            return target.raw_path.decode("ascii", "replace")
        return url

    def _tree(self) -> Tree[str]:
        if self.link == "parent":
            root_call = self.result.calls[0] if self.result.calls else None
            tree: Tree[str] = Tree(call_line(root_call) if root_call else Text("(parent)"))
            tree.root.add_leaf(call_line(self.call))
        else:
            tree = Tree(call_line(self.call))
            for child in self.result.calls:
                tree.root.add_leaf(call_line(child))
        tree.root.expand()
        return tree

    def _selected_recording(self) -> Any:
        items = self.query_one("#items", OptionList)
        option = items.highlighted_option if items.highlighted is not None else None
        if option is not None and option.id and option.id.startswith("rec-"):
            return self.result.recordings[int(option.id[4:])]
        return self.result.recordings[0] if self.result.recordings else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("call-"):
            call = self.result.calls[int(option_id[5:])]
            self.show_call(call)
            self.dismiss()
        elif option_id.startswith("rec-"):
            self.action_download()

    def action_copy_url(self) -> None:
        rec = self._selected_recording()
        if rec is not None and rec.media_url:
            url = self.http.public_url(rec.media_url)
            self.app.copy_to_clipboard(redact(url, self.account.secrets()))

    def action_download(self) -> None:
        """Ask where to save the highlighted recording, then download it there."""
        rec = self._selected_recording()
        if rec is None or not rec.media_url:
            self.notify("No recording media here", severity="warning")
            return
        name = file_name(rec)
        self.app.push_screen(
            SaveAsScreen(str(downloads_dir() / name)), partial(self._save_to, rec.media_url, name)
        )

    def _save_to(self, url: str, name: str, path: str | None) -> None:
        if path is None:
            return
        target = Path(path).expanduser()
        if target.is_dir() or path.endswith(("/", "\\")):
            target /= name
        self.download(url, target.resolve())

    def _tell(
        self, message: str, title: str | None = None, severity: SeverityLevel = "information"
    ) -> None:
        """Say how the download goes under the list and, with a ``title``, in a notification."""
        status = self.query_one("#download-status", Label)
        status.update(Text(message, style="bold red" if severity == "error" else ""))
        status.add_class("-shown")
        if title is not None:
            self.notify(message, title=title, severity=severity, markup=False)

    def action_cancel_download(self) -> None:
        if not self.workers.cancel_group(self, "download"):
            self.notify("No download to cancel", timeout=2)

    @work(group="download", exclusive=True, exit_on_error=False, description="download a recording")
    async def download(self, url: str, target: Path) -> None:
        """Stream ``url`` into ``target`` (absolute); a cancel or a failure removes the partial
        file (see :func:`tui.core.media.save`)."""
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.add_class("-active")
        self._tell(f"Downloading to {target}…")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            async with self.http.stream(url) as response:
                total = int(response.headers.get("content-length") or 0) or None
                bar.update(total=total, progress=0)
                done = await save(response.aiter_bytes(), target, lambda n: bar.update(progress=n))
        except asyncio.CancelledError:
            self._tell("Download cancelled; the partial file was removed", title="Recording")
            raise
        except errors.CallscopeError as exc:
            message = f"Download failed: {visible(str(exc), limit=300)}"
            self._tell(message, title="Recording", severity="error")
            return
        except OSError as exc:
            message = f"Cannot write {target}: {exc.strerror or exc}"
            self._tell(message, title="Recording", severity="error")
            return
        finally:
            bar.remove_class("-active")
        self._tell(f"Saved {done:,} bytes to {target}", title="Recording downloaded")
