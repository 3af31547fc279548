"""Small, valid, deterministic audio files standing in for call recordings."""

from __future__ import annotations

import math
import struct
from functools import lru_cache

_RATE = 8000


@lru_cache(maxsize=256)
def wav(seed: int, seconds: float = 0.5) -> bytes:
    """A mono 16-bit 8 kHz PCM WAV: a short tone whose pitch depends on ``seed``."""
    n = int(_RATE * seconds)
    freq = 300 + seed % 600
    samples = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * t / _RATE))) for t in range(n)
    )
    header = b"RIFF" + struct.pack("<I", 36 + len(samples)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, _RATE, _RATE * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(samples)) + samples


@lru_cache(maxsize=1)
def mp3(frames: int = 20) -> bytes:
    """Silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, no padding: 417 bytes each)."""
    header = bytes((0xFF, 0xFB, 0x90, 0x64))
    return (header + bytes(417 - 4)) * frames
