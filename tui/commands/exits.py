"""Exit codes as an API, and the one line on stderr that explains each failure.

Scripts branch on the code; people read the line. Every failure the CLI can meet is mapped here
(and only here) from the typed error tree of :mod:`tui.core.errors`.
"""

from __future__ import annotations

import sys
from typing import TextIO

from tui.core import errors
from tui.core.sanitize import redact, visible

OK = 0
EMPTY = 1  # nothing matched (only with --fail-empty)
USAGE = 2  # bad option, filter, column, preset or config
AUTH = 3  # credentials rejected or lacking permission
NOT_FOUND = 4  # unknown call id
RATE_LIMITED = 5  # still rate limited after the retries
NETWORK = 6  # network failure or server error after the retries
MALFORMED = 7  # the provider's answer is unreadable (incl. paging loops)
INTERNAL = 70  # a bug in callscope (EX_SOFTWARE); --debug shows the traceback
INTERRUPTED = 130

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (OK, "success"),
    (EMPTY, "nothing matched (only with --fail-empty)"),
    (USAGE, "usage error: bad option, filter term, column, preset or config"),
    (AUTH, "authentication failed or forbidden"),
    (NOT_FOUND, "no call with that id"),
    (RATE_LIMITED, "still rate limited after the retries"),
    (NETWORK, "network failure or provider server error after the retries"),
    (MALFORMED, "malformed provider response (including paging loops)"),
    (INTERNAL, "internal error (a bug; --debug shows the traceback)"),
)

# The CLI's words for what to do about an error (tui.core.errors.Action).
_HINTS: dict[errors.Action, str] = {
    errors.Action.CONFIG: "check the config file (callscope config locate / config show)",
    errors.Action.CREDENTIALS: "check the account's credentials (callscope config check)",
    errors.Action.PERMISSION: "the credentials lack permission for call logs; check the key's "
    "scope or role",
    errors.Action.ID: "check the id and the account",
    errors.Action.FILTER: "the provider refused this query; change the filter",
    errors.Action.NARROW: "narrow the filter so the provider's limits are respected",
    errors.Action.WAIT: "wait for the rate limit to pass",
    errors.Action.LATER: "the provider is having trouble; try again later",
    errors.Action.CONNECTION: "check the connection to the provider, then try again",
    errors.Action.REPORT: "try again; report it if it stays",
    errors.Action.COMPLETE: "the rows written before this line are complete up to there",
}


class UsageError(errors.CallscopeError):
    """A command line that cannot be run as given (unknown account, preset, column …)."""


def code_for(exc: BaseException) -> int:
    """The exit code of a failure."""
    if isinstance(exc, errors.QueryError | errors.ConfigError | UsageError):
        return USAGE
    if isinstance(exc, errors.BadRequestError | errors.QueryRefusedError):
        return USAGE
    if isinstance(exc, errors.AuthError | errors.ForbiddenError):
        return AUTH
    if isinstance(exc, errors.NotFoundError):
        return NOT_FOUND
    if isinstance(exc, errors.RateLimitedError):
        return RATE_LIMITED
    if isinstance(exc, errors.MalformedResponseError):
        return MALFORMED
    if isinstance(exc, errors.ProviderError):
        return NETWORK
    return INTERNAL


def hint_for(exc: errors.CallscopeError) -> str:
    """What to do, in the CLI's words (empty when a retry is all there is to it)."""
    return _HINTS.get(exc.action, "")


def message_for(exc: errors.CallscopeError, secrets: list[str] | None = None) -> str:
    """``callscope: Twilio: rate limited (HTTP 429, code 20429): … — wait for …`` (one line)."""
    text = str(exc)
    hint = hint_for(exc)
    if hint and not isinstance(exc, errors.QueryError):
        text += f" — {hint}"
    return "callscope: " + redact(visible(text, limit=600), secrets or [])


def report(exc: errors.CallscopeError, *, secrets: list[str] | None = None) -> int:
    """Print the failure (and, for a query, the query with a caret) and return its exit code."""
    err: TextIO = sys.stderr
    if isinstance(exc, errors.QueryError):
        print(f"callscope: bad filter: {visible(str(exc), limit=600)}", file=err)
        if exc.query:
            shown = visible(exc.query)
            caret = len(visible(exc.query[: exc.column]))
            print(f"  {shown}", file=err)
            print("  " + " " * caret + "^", file=err)
    else:
        print(message_for(exc, secrets), file=err)
    return code_for(exc)
