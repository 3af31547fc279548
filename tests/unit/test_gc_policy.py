"""The app's garbage collection policy: full collections wait for the user to be idle."""

from __future__ import annotations

import gc

from tui.ui.gc_policy import BUSY_FACTOR, IDLE_AFTER, IdleCollector


def test_a_due_full_collection_waits_until_the_user_is_idle() -> None:
    now = [100.0]
    collector = IdleCollector(clock=lambda: now[0])
    saved = gc.get_threshold()
    was_enabled = gc.isenabled()
    try:
        collector.start()
        assert gc.isenabled() and gc.get_freeze_count() > 0
        assert gc.get_threshold() == (saved[0], saved[1], saved[2] * BUSY_FACTOR)
        assert not collector.check()  # nothing due yet
        for _ in range(saved[2]):  # as many younger collections as would start a full one
            gc.collect(1)
        collector.touched()
        now[0] += IDLE_AFTER / 2
        assert not collector.check()  # the user is typing: no pause now
        assert gc.get_count()[2] >= saved[2]
        now[0] += IDLE_AFTER
        assert collector.check()  # idle: the deferred collection runs
        assert gc.get_count()[2] == 0 and collector.collections == 1
        assert not collector.check()  # and is not due again
    finally:
        collector.stop()
        if not was_enabled:
            gc.disable()
    assert gc.get_threshold() == saved and gc.get_freeze_count() == 0
    assert not collector.check()  # stopped: never collects
