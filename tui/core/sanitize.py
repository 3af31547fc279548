"""Make untrusted provider text safe to show or write: control characters become visible.

Provider strings can hold ANSI/OSC escape sequences, C0/C1 controls, bidi overrides, zero-width
characters, lone surrogates and megabytes of text. :func:`visible` turns every such character
into a visible escape (``\\x1b``, ``\\u202e``) so nothing reaches the terminal raw and nothing
reorders or hides text; Rich/Textual markup needs no escaping as long as callers build
``Text``/``Content`` objects from the result (never markup strings).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# C0 (except nothing: even tab and newline are shown escaped in one-line cells), DEL, C1.
_CONTROL = "\x00-\x1f\x7f-\x9f"
# Bidi embeddings/overrides/isolates, zero-width and invisible formatting characters, BOM.
_INVISIBLE = "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
_SURROGATES = "\ud800-\udfff"
_UNSAFE = re.compile(f"[{_CONTROL}{_INVISIBLE}{_SURROGATES}]")
_UNSAFE_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}{_SURROGATES}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: str, *, limit: int | None = None, multiline: bool = False) -> str:
    """``text`` with every control/invisible character shown as an escape, optionally cut.

    ``multiline`` keeps ``\\n`` and ``\\t`` (for wrapped detail views); ``limit`` cuts the
    result to that many characters with an ellipsis and a note of what was left out.
    """
    if limit is not None and len(text) > limit:
        rest = len(text) - limit
        text = text[:limit]
        suffix = f"… (+{rest:,} chars)"
    else:
        suffix = ""
    if text.isascii() and text.isprintable():
        # The common case, without the regex: printable ASCII holds no control (C0, DEL),
        # no C1, no invisible and no surrogate character.
        return text + suffix if suffix else text
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE
    return pattern.sub(_escape, text) + suffix


def is_clean(text: str) -> bool:
    """True if ``text`` holds nothing :func:`visible` would escape."""
    return (text.isascii() and text.isprintable()) or _UNSAFE.search(text) is None


def strip_combining_storm(text: str, limit: int = 4) -> str:
    """Cap runs of combining marks (\"Zalgo\" text) that would smear over neighbouring cells."""
    out: list[str] = []
    run = 0
    for char in text:
        if unicodedata.combining(char):
            run += 1
            if run > limit:
                continue
        else:
            run = 0
        out.append(char)
    return "".join(out)


def cell(text: str | None, *, limit: int = 512) -> str:
    """A one-line table cell: visible, capped, combining storms tamed."""
    if not text:
        return ""
    if len(text) <= limit and text.isascii() and text.isprintable():
        return text  # the common case: nothing to escape, no combining marks
    return strip_combining_storm(visible(text, limit=limit))


def redactable(secrets: Iterable[str]) -> list[str]:
    """The secrets :func:`redact` replaces (4+ characters), longest first: compute once per
    writer and pass to :func:`redact_sorted` for each value."""
    return sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)


def redact_sorted(text: str, ordered: list[str], mask: str = "••••••") -> str:
    """:func:`redact` with the secrets already prepared by :func:`redactable`."""
    for secret in ordered:
        if secret in text:
            text = text.replace(secret, mask)
    return text


def redact(text: str, secrets: list[str], mask: str = "••••••") -> str:
    """Replace every occurrence of each secret (of 4+ characters) by ``mask``."""
    return redact_sorted(text, redactable(secrets), mask)
