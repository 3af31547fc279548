"""The provider APIs the emulator serves, in routing order: those the provider registry
(:mod:`tui.core.registry`) names, each loaded from its ``emulator`` import path.

The registry is plain data (it imports only the standard library), so reading it shares no
parsing code with the client side. Order matters only where paths overlap: Twilio (``AC…``
accounts) is registered before SignalWire, which also claims ``/2010-04-01/Accounts/{uuid}/…``.
"""

from __future__ import annotations

import tui.core.registry as registry

from .api import ProviderAPI


def provider_apis() -> tuple[type[ProviderAPI], ...]:
    """Every registered provider's emulated API (a provider with none is not served)."""
    apis: list[type[ProviderAPI]] = []
    for spec in registry.specs():
        if spec.emulator:
            apis.append(registry.load(spec.emulator))
    return tuple(apis)
