"""The one error hierarchy of callscope: every failure a user can meet, with a message to act on.

::

    CallscopeError
    ├── QueryError                 the query line does not parse (carries the column)
    ├── ConfigError                the config file or an account is unusable
    └── ProviderError              anything a provider (or the way to it) did wrong
        ├── AuthError              401: bad or missing credentials
        ├── ForbiddenError         403: the credentials lack a permission
        ├── NotFoundError          404 / the provider's "not found" code
        ├── BadRequestError        400/422: the provider refused the query
        ├── QueryRefusedError      callscope refuses to send a query a provider limit would truncate
        ├── RateLimitedError       429 after the retry budget (carries retry_after)
        ├── ServerError            5xx after the retry budget
        ├── NetworkError           connect/read timeout, reset, DNS: nothing usable came back
        └── MalformedResponseError a body that is not what the provider documents
            └── PagingLoopError    a page repeating itself or an empty page linking onwards

Adapters translate at one boundary (``tui.core.http``); nothing below it escapes as a raw httpx
or json exception. ``str(err)`` is one line fit for a status bar or stderr. What to do about it is
machine-readable: ``err.action`` (an :class:`Action`) and ``err.retryable``; each front end words
its own advice (the browser names its keys, the CLI its commands). Messages never include
credentials: they are built from provider-sent text only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar


class Action(StrEnum):
    """What the user can do about an error (each front end says it in its own words)."""

    NONE = "none"  # nothing to suggest
    FILTER = "filter"  # change the filter or the query
    NARROW = "narrow"  # narrow the filter to within the provider's limits
    CONFIG = "config"  # fix the config file
    CREDENTIALS = "credentials"  # check the account's credentials
    PERMISSION = "permission"  # the credentials lack a permission (key scope, role)
    ID = "id"  # check the id and the account
    RETRY = "retry"  # try again
    WAIT = "wait"  # wait for the rate limit, then try again
    CONNECTION = "connection"  # check the connection, then try again
    LATER = "later"  # the provider is having trouble: try again later
    REPORT = "report"  # try again; report it if it stays
    COMPLETE = "complete"  # what was loaded is complete up to the failure


class CallscopeError(Exception):
    """Base of every error callscope raises on purpose."""

    action: ClassVar[Action] = Action.NONE
    retryable: ClassVar[bool] = False  # the same request may succeed if tried again


class QueryError(CallscopeError):
    """The query line is not valid; ``column`` is the 0-based offset of the offending term."""

    action = Action.FILTER

    def __init__(self, message: str, *, column: int, expected: str = "", query: str = "") -> None:
        self.message = message
        self.column = column
        self.expected = expected
        self.query = query
        text = f"column {column + 1}: {message}"
        if expected:
            text += f" (expected {expected})"
        super().__init__(text)


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in the config: its key path as TOML spells it (``utc``,
    ``keys."table.down"``, ``accounts.work.page_size``) and what is wrong there."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ConfigError(CallscopeError):
    """The configuration cannot be used as it is.

    ``problems`` lists each problem found (all of them, when the loader raises); ``str()`` is
    one line: ``where: path: message; path: message``. ``warnings`` are the loader's notes on
    what it would have ignored (unknown keys), found along the way.
    """

    action = Action.CONFIG

    def __init__(
        self,
        message: str = "",
        *,
        problems: Sequence[ConfigProblem] = (),
        warnings: Sequence[str] = (),
    ) -> None:
        self.message = message
        self.problems = tuple(problems)
        self.warnings = tuple(warnings)
        listed = "; ".join(str(problem) for problem in self.problems)
        super().__init__(": ".join(part for part in (message, listed) if part))


class ProviderError(CallscopeError):
    """A provider, or the network to it, failed. Carries the provider's own code and message."""

    kind = "provider error"
    action = Action.RETRY
    retryable = True

    def __init__(
        self,
        message: str = "",
        *,
        provider: str = "",
        status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
        url: str | None = None,
    ) -> None:
        self.message = message
        self.provider = provider
        self.status = status
        self.code = code
        self.detail = detail
        self.url = url
        super().__init__(self.summary())

    def headline(self) -> str:
        """What failed, without the provider's words: ``Twilio: rate limited (HTTP 429, code
        20429)``."""
        head = f"{self.provider}: {self.kind}" if self.provider else self.kind
        bits = []
        if self.status is not None:
            bits.append(f"HTTP {self.status}")
        if self.code:
            bits.append(f"code {self.code}")
        if bits:
            head += f" ({', '.join(bits)})"
        return head

    def summary(self) -> str:
        """One line: ``Twilio: rate limited (HTTP 429, code 20429): Too many requests``."""
        head = self.headline()
        if self.message:
            head += f": {self.message}"
        return head


class AuthError(ProviderError):
    kind = "authentication failed"
    action = Action.CREDENTIALS
    retryable = False


class ForbiddenError(ProviderError):
    kind = "forbidden"
    action = Action.PERMISSION
    retryable = False


class NotFoundError(ProviderError):
    kind = "not found"
    action = Action.ID
    retryable = False


class BadRequestError(ProviderError):
    kind = "request refused"
    action = Action.FILTER
    retryable = False


class QueryRefusedError(ProviderError):
    kind = "query refused"
    action = Action.NARROW
    retryable = False


class RateLimitedError(ProviderError):
    kind = "rate limited"
    action = Action.WAIT

    def __init__(
        self, message: str = "", *, retry_after: float | None = None, **kw: object
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]

    def summary(self) -> str:
        text = super().summary()
        if self.retry_after is not None:
            text += f" (retry after {self.retry_after:g} s)"
        return text


class ServerError(ProviderError):
    kind = "server error"
    action = Action.LATER


class NetworkError(ProviderError):
    kind = "network error"
    action = Action.CONNECTION


class MalformedResponseError(ProviderError):
    kind = "malformed response"
    action = Action.REPORT


class PagingLoopError(MalformedResponseError):
    kind = "paging loop"
    action = Action.COMPLETE
    retryable = False
