"""Provider adapters, one module per provider; ``adapter_for`` picks one by ``account.provider``
from the registry (:mod:`tui.core.registry`; the built-ins are in :mod:`tui.providers.catalog`).

Modules are imported on first use so that start-up only pays for the providers configured.

Two environment variables tune the HTTP of every adapter made here (tests, and users on
networks slower or faster than the defaults): ``CALLSCOPE_HTTP_TIMEOUT`` (seconds; the read
timeout, and the connect timeout capped at it) and ``CALLSCOPE_RETRY_BUDGET`` (seconds of
waiting between retries in all; retry delays are scaled down so retries still happen within
it). Explicit ``timeout=`` / ``retry=`` arguments win.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from tui.core import registry

if TYPE_CHECKING:
    from tui.core.account import Account
    from tui.providers.base import Adapter


def adapter_class(provider: str) -> type[Adapter]:
    """The adapter class the registry names for ``provider`` (imported on first use)."""
    spec = registry.spec_of(provider)
    if spec is None:
        from tui.core.errors import ConfigError

        raise ConfigError(f"unknown provider {provider!r} (known: {', '.join(registry.ids())})")
    cls: type[Adapter] = registry.load(spec.adapter)
    return cls


def _env_seconds(name: str) -> float | None:
    from tui.core.errors import ConfigError

    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {value!r}") from None
    if not seconds > 0 or seconds == float("inf"):
        raise ConfigError(f"{name} must be a positive number of seconds, got {value!r}")
    return seconds


def http_overrides() -> dict[str, Any]:
    """``timeout``/``retry`` adapter kwargs from CALLSCOPE_HTTP_TIMEOUT / CALLSCOPE_RETRY_BUDGET."""
    import httpx

    from tui.core.http import RetryPolicy

    out: dict[str, Any] = {}
    timeout = _env_seconds("CALLSCOPE_HTTP_TIMEOUT")
    if timeout is not None:
        out["timeout"] = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    budget = _env_seconds("CALLSCOPE_RETRY_BUDGET")
    if budget is not None:
        default = RetryPolicy()
        scale = min(1.0, budget / default.budget)
        out["retry"] = RetryPolicy(
            base_delay=default.base_delay * scale,
            max_delay=default.max_delay * scale,
            budget=budget,
        )
    return out


def adapter_for(account: Account, **kwargs: Any) -> Adapter:
    """A ready adapter for ``account`` (kwargs: transport, retry, sleep, timeout)."""
    return adapter_class(account.provider)(account, **{**http_overrides(), **kwargs})
