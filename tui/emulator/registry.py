"""The provider APIs the emulator serves, in routing order.

Add a provider by appending its :class:`~tui.emulator.api.ProviderAPI` subclass here. Order
matters only where paths overlap: Twilio (``AC…`` accounts) precedes SignalWire, which also
claims ``/2010-04-01/Accounts/{uuid}/…``.
"""

from __future__ import annotations

import importlib

from .api import ProviderAPI
from .laml import SignalWireAPI, TwilioAPI


def _optional(module: str, name: str) -> tuple[type[ProviderAPI], ...]:
    # Provider modules written in parallel register themselves once their file exists.
    try:
        found: type[ProviderAPI] = getattr(importlib.import_module(f"{__package__}.{module}"), name)
    except ModuleNotFoundError:
        return ()
    return (found,)


PROVIDER_APIS: tuple[type[ProviderAPI], ...] = (
    TwilioAPI,
    SignalWireAPI,
    *_optional("exotel", "ExotelAPI"),
    *_optional("fonedynamics", "FoneDynamicsAPI"),
    *_optional("portsip", "PortSipAPI"),
)

# Every provider id callscope knows, including those whose emulation is not written yet.
PROVIDER_IDS = ("twilio", "signalwire", "exotel", "fonedynamics", "portsip")
