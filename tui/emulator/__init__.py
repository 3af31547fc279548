"""A faithful local stand-in for the providers' call APIs: real HTTP on loopback.

The emulator imports only the standard library, ``h11`` and its own modules — never
``tui.core`` or ``tui.providers`` — so it cannot share a parsing mistake with the adapters.

Modules
-------
``server``       :class:`Emulator` (asyncio + h11, keep-alive), :class:`EmulatorThread`, config.
``wire``         :class:`Request` / :class:`Response` values and JSON/Basic-auth helpers.
``api``          :class:`ProviderAPI` (the provider-module interface), ``Route``, ``AccountSpec``.
``registry``     the provider API classes the server routes to (from the provider registry).
``dataset``      deterministic provider-neutral calls; ground truth for tests.
``dataset_records``  its record types (``CallRecord``, ``Core``) and the seeded draws of a record.
``laml`` (+ ``laml_query``, ``laml_render``)  Twilio and SignalWire.
``exotel`` (+ ``exotel_query``), ``fonedynamics`` (+ ``fonedynamics_data``),
``portsip`` (+ ``portsip_auth``, ``portsip_listing``, ``portsip_odata``, ``portsip_data``)
                 Exotel, Fone Dynamics, PortSIP.
``child``        the demo's emulator in a child process of the app.
``faults``       fault injection (rates, one-shots, spec strings, the JSON control API).
``media``, ``ids``, ``hostile``  recordings' audio, reversible sids, untrusted strings.
``cli``          ``callscope emulator`` / ``python -m tui.emulator``.

Base URLs (what a client is configured with; each mirrors the real provider's form)
----------------------------------------------------------------------------------
- twilio:     ``http://HOST:PORT`` — the client appends ``/2010-04-01/Accounts/…`` as it does
  to ``https://api.twilio.com``.
- signalwire: ``http://HOST:PORT/api/laml/2010-04-01`` — like
  ``https://{space}.signalwire.com/api/laml/2010-04-01``; the same routes also answer without
  ``/api/laml`` (the official SDK's form).
- exotel: ``http://HOST:PORT`` + ``/v1/Accounts/{sid}/…``, like ``https://api.exotel.com``.
- fonedynamics: ``http://HOST:PORT`` + ``/v2/…``, like ``https://api.fonedynamics.com``.
- portsip: ``http://HOST:PORT/api``, like ``https://{host}:8887/api``.

Adding a provider module
------------------------
1. Create ``tui/emulator/<provider>.py`` with a subclass of :class:`~tui.emulator.api.ProviderAPI`::

       class ExotelAPI(ProviderAPI):
           provider = "exotel"          # the id used everywhere
           base_path = ""               # origin + base_path = the account's base URL
           home_country = "IN"          # country of the account's own numbers in the dataset

           @classmethod
           def make_accounts(cls, seed: int, count: int) -> list[AccountSpec]:
               # deterministic ids/credentials; key = dataset key, e.g. f"exotel:{i}"
               ...

           def __init__(self, ctx: Context) -> None:
               super().__init__(ctx)     # ctx.dataset, ctx.accounts, ctx.origin(), ctx.media_auth
               self.routes = [route(r"/v1/Accounts/(?P<sid>[^/]+)/Calls\\.json", self.list_calls)]

           def list_calls(self, req: Request, m: re.Match[str]) -> Response: ...

           def error(self, status: int, message: str, code: int | str | None = None) -> Response:
               # the provider's own error body; used by handlers AND by injected faults
               return json_response({"RestException": {...}}, status)

   Optionally override ``unauthorized()`` (the 401 body used by the ``auth`` fault) and
   ``empty_page_loop(req)`` (an empty list page linking to itself, for the ``empty-loop`` fault).
2. Name the class in the provider's registration (``emulator="tui.emulator.x:XAPI"`` in its
   :class:`~tui.core.registry.ProviderSpec`, see ``tui/providers/README.md``); ``registry.py``
   serves every registered provider, in registration order. Routes are full-match regexes on
   the decoded path; the first API whose route matches owns the request (and its faults).
3. Handlers are synchronous and pure: read ``req.params`` / ``req.basic_auth()`` /
   ``req.bearer()``, read the dataset (``ds.count(key)``, ``ds.call(key, i)`` for whole records,
   the O(1) columns ``ds.status``/``ds.start``/``ds.end``/``ds.parties``/``ds.children_of``,
   ``ds.first_index_at_or_after(key, t)`` for time ranges), and return a :class:`Response`.
   Index 0 is the oldest call; walk ``range(hi - 1, lo - 1, -1)`` for newest first.
4. List pages are the hot path (clients ask for 1000 calls a page): render them from
   ``ds.core(key, i)`` / ``ds.cores(key, indexes)`` (every O(1) column at once, hashes shared)
   plus ``ds.extras(core)`` (caller name, answered-by, SIP code), not from ``ds.call`` — a
   whole record costs several times more. ``laml_render.CallsJson`` goes further and writes
   JSON text directly (``wire.json_items_response`` wraps it); a test pins its bytes to the
   reference dict renderer.
"""

from __future__ import annotations

from .dataset import CallRecord, Dataset
from .faults import FAULT_KINDS, Faults
from .server import EmulatedAccount, Emulator, EmulatorConfig, EmulatorThread

__all__ = [
    "FAULT_KINDS",
    "CallRecord",
    "Dataset",
    "EmulatedAccount",
    "Emulator",
    "EmulatorConfig",
    "EmulatorThread",
    "Faults",
]
