"""The interface between the HTTP server and one emulated provider API.

A provider module subclasses :class:`ProviderAPI`, declares its ``provider`` id, ``base_path``
and ``routes``, implements ``make_accounts``/``error``, and is
named by its provider's registration (:mod:`tui.core.registry`). See the package docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from .dataset import Dataset
from .wire import Request, Response

Handler = Callable[[Request, "re.Match[str]"], Response]


@dataclass(frozen=True, slots=True)
class Route:
    """A path pattern (full match against the decoded path) and its handler."""

    pattern: re.Pattern[str]
    handler: Handler
    methods: frozenset[str] = frozenset({"GET"})


def route(pattern: str, handler: Handler, methods: Sequence[str] = ("GET",)) -> Route:
    return Route(re.compile(pattern), handler, frozenset(methods))


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """One emulated account: what a user pastes into the callscope config."""

    provider: str
    label: str
    account: str  # the id used in API paths (AccountSid, Project ID, …)
    username: str
    password: str
    key: str  # the dataset key of its calls
    home: str = "US"  # ISO country of its own numbers
    properties: tuple[str, ...] = ()  # Fone Dynamics: the sids of its properties


@dataclass(slots=True)
class Context:
    """What the server hands each provider API: the shared dataset, its accounts, options."""

    dataset: Dataset
    accounts: list[AccountSpec]
    origin: Callable[[], str]  # "http://127.0.0.1:PORT", known only once listening
    media_auth: bool = False  # Twilio's "Enforce HTTP Auth on Media URLs" account flag


class ProviderAPI:
    """Base class of a provider module. Subclasses fill in the class attributes and methods."""

    provider: ClassVar[str]
    base_path: ClassVar[str] = ""  # appended to the origin to form the account's base URL
    home_country: ClassVar[str] = "US"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.routes: list[Route] = []

    @classmethod
    def make_accounts(cls, seed: int, count: int) -> list[AccountSpec]:
        raise NotImplementedError

    def match(self, req: Request) -> Callable[[], Response] | None:
        """The bound handler for ``req`` if one of this API's routes claims it."""
        for r in self.routes:
            m = r.pattern.fullmatch(req.path)
            if m is not None:
                if req.method not in r.methods:
                    return lambda: self.error(405, "Method not allowed")
                return lambda r=r, m=m: r.handler(req, m)  # type: ignore[misc]
        return None

    def error(self, status: int, message: str, code: int | str | None = None) -> Response:
        """The provider's own error body for ``status`` (used by handlers and by faults)."""
        raise NotImplementedError

    def unauthorized(self) -> Response:
        return self.error(401, "Authentication failed")

    def empty_page_loop(self, req: Request) -> Response | None:
        """An empty list page whose next link is itself, if ``req`` is a list request."""
        return None
