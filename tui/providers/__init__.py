"""Provider adapters, one module per provider; ``adapter_for`` picks one by ``account.provider``.

Modules are imported on first use so that start-up only pays for the providers configured.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tui.core.errors import ConfigError

if TYPE_CHECKING:
    from tui.core.account import Account
    from tui.providers.base import Adapter

# provider id → "module:Class"
REGISTRY: dict[str, str] = {
    "twilio": "tui.providers.twilio:TwilioAdapter",
    "signalwire": "tui.providers.signalwire:SignalWireAdapter",
    "exotel": "tui.providers.exotel:ExotelAdapter",
    "fonedynamics": "tui.providers.fonedynamics:FoneDynamicsAdapter",
    "portsip": "tui.providers.portsip:PortSipAdapter",
}


def adapter_class(provider: str) -> type[Adapter]:
    target = REGISTRY.get(provider)
    if target is None:
        raise ConfigError(f"unknown provider {provider!r} (known: {', '.join(REGISTRY)})")
    module_name, _, class_name = target.partition(":")
    cls: type[Adapter] = getattr(importlib.import_module(module_name), class_name)
    return cls


def adapter_for(account: Account, **kwargs: Any) -> Adapter:
    """A ready adapter for ``account`` (kwargs: transport, retry, sleep, timeout)."""
    return adapter_class(account.provider)(account, **kwargs)
