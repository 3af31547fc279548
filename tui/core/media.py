"""Recording media on disk: a safe file name, and a download written through a ``.part`` file so
that an interrupted one never leaves a file that looks complete (the CLI and the browser)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, Callable
from pathlib import Path

from tui.core.model import Recording

_SUFFIXES = {"audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav"}


def file_name(recording: Recording, content_type: str = "") -> str:
    """A safe file name from the recording id, with a suffix from the media type or URL."""
    safe = "".join(ch for ch in recording.id if ch.isascii() and (ch.isalnum() or ch in "-_."))
    safe = safe.lstrip(".")[:80] or "recording"
    suffix = _SUFFIXES.get(content_type.split(";")[0].strip().lower(), "")
    if not suffix:
        path = (recording.media_url or "").split("?")[0].lower()
        suffix = ".mp3" if path.endswith(".mp3") else ".wav"
    return safe if safe.endswith(suffix) else safe + suffix


async def save(
    chunks: AsyncIterable[bytes], path: Path, progress: Callable[[int], object] | None = None
) -> int:
    """Write ``chunks`` to ``path`` (through ``path.part``, renamed when whole) and return the
    byte count; ``progress`` gets the count so far after each chunk. On a failure or a cancel
    the ``.part`` file is removed and ``path`` is left as it was."""
    partial = path.with_name(path.name + ".part")
    done = 0
    try:
        with partial.open("wb") as handle:
            async for chunk in chunks:
                handle.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return done
