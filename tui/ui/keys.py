"""Keys in one burst behave as if typed slowly: the app routes a key only once the one before it
has been handled.

Textual routes a key as it arrives at the app: priority bindings run at once, anything else is
posted to the focused widget's queue and handled later, bubbling up to the app (where the plain
bindings run). When several keys arrive in one read (SSH coalesces keystrokes; pastes of
commands, ``tmux send-keys``), the second key is routed while the first still sits in a queue:
it goes to the widget that *had* the focus, and a priority binding (Enter in the filter line)
runs before the characters typed ahead of it have reached the line.

:class:`KeySequencer` holds a key that arrives while another is in flight and releases it when
the one before is done. "Done" is observed with a fence: a message posted to the key's target
right behind the key, bubbling up the same chain of queues to the app. Queues are first in,
first out, so when the fence reaches the app every node of that chain has handled the key.
It then runs a second lap, so that what the key's handlers posted along the chain (the filter
line's ``Submitted``, a focus change queued on the app) is handled before the next key too.
A fence that cannot arrive (its widget was removed) is covered by a watchdog. A key typed on
its own gets its fence after the frame that shows it (it then costs that frame nothing); one
that arrives while keys are held gets it at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.timer import Timer

LAPS = 2  # fence laps per key: the key itself, then what its handlers posted along the chain
WATCHDOG = 0.5  # seconds after which a held key goes on even if its fence never came back


class KeysFence(Message):
    """Follows a key through the queues it went through (see the module docstring)."""

    def __init__(self, token: int, target: MessagePump, laps: int) -> None:
        super().__init__()
        self.token = token
        self.target = target
        self.laps = laps


class KeySequencer:
    """Serializes the app's fresh key and paste events (one in flight at a time)."""

    def __init__(self, app: App[Any], route: Callable[[events.Event], Awaitable[None]]) -> None:
        self.app = app
        self.route = route  # the app's own routing of an event (Textual's App.on_event)
        self.held: deque[events.Event] = deque()
        self.token = 0  # the fence of the key in flight; 0: none in flight
        self._issued = 0
        self._watchdog: Timer | None = None
        self._deferred: int | None = None  # the key whose fence waits for the next frame
        self._deferred_at: tuple[MessagePump, int] = (app, LAPS)

    @staticmethod
    def applies_to(event: events.Event) -> bool:
        return isinstance(event, events.Key | events.Paste) and not event.is_forwarded

    async def arrive(self, event: events.Event) -> None:
        """A fresh key or paste from the terminal: route it now, or after the one in flight."""
        if self.token:
            if self._deferred is not None:  # the key in flight has no fence yet: now it has
                self._deferred = None
                self._fence(*self._deferred_at)
            self.held.append(event)
            if self._watchdog is None:
                self._watchdog = self.app.set_timer(WATCHDOG, self._overdue, name="keys watchdog")
            return
        await self._send(event)

    async def _send(self, event: events.Event) -> None:
        app = self.app
        target: MessagePump = app.focused or app.screen
        await self.route(event)
        self._issued += 1
        self.token = self._issued
        if self.held:
            self._fence(target, LAPS)  # within a burst: the next key waits for this fence
        else:
            # A key on its own: its fence follows the frame that shows the key, so that the
            # fence's messages cost that frame nothing. A key arriving before then sends it.
            self._deferred = self.token
            self._deferred_at = (target, LAPS)
            self.app.call_after_refresh(self._late_fence, self.token)

    def _late_fence(self, token: int) -> None:
        if self._deferred == token:
            self._deferred = None
            self._fence(*self._deferred_at)

    def _fence(self, target: MessagePump, laps: int) -> None:
        fence = KeysFence(self.token, target, laps)
        attached = getattr(target, "is_attached", True)
        if not (attached and target.post_message(fence)):
            self.app.post_message(fence)  # the target is gone: the app's queue is the only lap

    async def fence_arrived(self, fence: KeysFence) -> None:
        """A fence reached the app: another lap, or the next held key."""
        if fence.token != self.token:
            return  # a fence the watchdog gave up on
        if fence.laps > 1:
            self._fence(fence.target, fence.laps - 1)
            return
        await self._release()

    async def _release(self) -> None:
        self.token = 0
        if self._watchdog is not None:
            self._watchdog.stop()
            self._watchdog = None
        if self.held:
            await self._send(self.held.popleft())
            if self.held and self._watchdog is None:
                self._watchdog = self.app.set_timer(WATCHDOG, self._overdue, name="keys watchdog")

    async def _overdue(self) -> None:
        self._watchdog = None
        if self.token:
            await self._release()
