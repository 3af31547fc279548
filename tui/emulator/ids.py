"""Cheap deterministic integer hashing and reversible resource ids.

Every emulated record is a pure function of (seed, account, index); these helpers turn those
inputs into 64-bit hashes and into sids that encode the index, so a sid in a URL maps back to its
record in O(1) and a forged sid is detected (its check half does not match).
"""

from __future__ import annotations

import hashlib

MASK64 = (1 << 64) - 1
_ODD = 0x9E3779B97F4A7C15
_ODD_INVERSE = pow(_ODD, -1, 1 << 64)


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a fast, well-distributed 64-bit integer hash."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def stable_hash(*parts: object) -> int:
    """A 64-bit hash of strings/ints that, unlike ``hash()``, is stable across processes."""
    text = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def hex_id(*parts: object, length: int = 32) -> str:
    """A deterministic lowercase hex string (for account sids, tokens …)."""
    text = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return hashlib.blake2b(text, digest_size=(length + 1) // 2).hexdigest()[:length]


def as_uuid(hex32: str) -> str:
    """Format 32 hex digits as an 8-4-4-4-12 UUID string."""
    h = hex32
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class SidCodec:
    """Encodes an integer (< 2**64) into 32 hex digits and back, with a keyed integrity check.

    The first 16 digits are a keyed hash of the value, the last 16 the value XOR a keyed mask:
    decoding recomputes the check, so random or edited sids are rejected instead of aliasing
    another record.
    """

    __slots__ = ("_check", "_mask")

    def __init__(self, *key: object) -> None:
        self._mask = stable_hash("mask", *key)
        self._check = stable_hash("check", *key)

    def encode(self, value: int) -> str:
        check = mix64(self._check ^ value)
        # Multiplying by an odd constant is a bijection mod 2**64; it scatters neighbouring
        # indexes so consecutive sids do not look sequential.
        return f"{check:016x}{((value ^ self._mask) * _ODD) & MASK64:016x}"

    def decode(self, hex32: str) -> int | None:
        h = hex32.replace("-", "").lower()
        if len(h) != 32:
            return None
        try:
            check = int(h[:16], 16)
            value = ((int(h[16:], 16) * _ODD_INVERSE) & MASK64) ^ self._mask
        except ValueError:
            return None
        if mix64(self._check ^ value) != check:
            return None
        return value
