"""When Python's cyclic garbage collector may pause the app.

A full collection walks every object the app holds: ~100-160 ms with tens of thousands of rows
loaded, long enough that a key pressed meanwhile feels stuck (``bench/keys.py`` caught a 117 ms
key this way). While the app runs, :class:`IdleCollector`:

- freezes what start-up built (modules, widgets, styles: it lives as long as the app), so a full
  collection no longer walks it (~160 -> ~80 ms after 50k Twilio rows);
- makes automatic full collections ten times rarer, and runs the deferred one itself once the
  user has not touched a key or the mouse for :data:`IDLE_AFTER` seconds, when a pause is not
  felt. Memory stays bounded: a user who never stops typing still gets the (rarer) automatic ones.

:meth:`IdleCollector.stop` puts everything back (a process may run more than one app: tests).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

IDLE_AFTER = 1.0  # seconds without input before a deferred full collection may run
CHECK_EVERY = 1.0  # seconds between checks
BUSY_FACTOR = 10  # automatic full collections this many times rarer while the app runs


class IdleCollector:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.last_input = clock()
        self._saved: tuple[int, int, int] | None = None
        self.collections = 0  # full collections run by :meth:`check`

    def start(self) -> None:
        """Freeze what is alive now and defer full collections (once; the collector on)."""
        if self._saved is not None:
            return
        gc.freeze()
        self._saved = gc.get_threshold()
        first, second, third = self._saved
        gc.set_threshold(first, second, third * BUSY_FACTOR)
        gc.enable()

    def touched(self) -> None:
        """The user pressed a key or used the mouse."""
        self.last_input = self._clock()

    def check(self) -> bool:
        """Run the deferred full collection if it is due and the user is idle; True if run."""
        if self._saved is None:
            return False
        due = gc.get_count()[2] >= self._saved[2]  # as many as would have started one
        if due and self._clock() - self.last_input >= IDLE_AFTER:
            gc.collect()
            self.collections += 1
            return True
        return False

    def stop(self) -> None:
        """Thresholds as they were, nothing frozen."""
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        self._saved = None
        gc.unfreeze()
