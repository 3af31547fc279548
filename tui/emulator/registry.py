"""The provider APIs the emulator serves, in routing order.

Add a provider by appending its :class:`~tui.emulator.api.ProviderAPI` subclass here. Order
matters only where paths overlap: Twilio (``AC…`` accounts) precedes SignalWire, which also
claims ``/2010-04-01/Accounts/{uuid}/…``.
"""

from __future__ import annotations

from .api import ProviderAPI
from .exotel import ExotelAPI
from .fonedynamics import FoneDynamicsAPI
from .laml import SignalWireAPI, TwilioAPI
from .portsip import PortSipAPI

PROVIDER_APIS: tuple[type[ProviderAPI], ...] = (
    TwilioAPI,
    SignalWireAPI,
    ExotelAPI,
    FoneDynamicsAPI,
    PortSipAPI,
)
