"""SignalWire Compatibility (LaML) API call logs: the LaML adapter with SignalWire's dialect.

Base URL ``https://{space}.signalwire.com/api/laml/2010-04-01``; the adapter adds
``/Accounts/{project id}/Calls.json``. Basic auth with the project id and an API token (Voice
scope). Recordings come from the call's advertised URI, else ``Recordings.json?CallSid=``.
"""

from __future__ import annotations

from tui.providers.laml import SIGNALWIRE, LamlAdapter


class SignalWireAdapter(LamlAdapter, dialect=SIGNALWIRE):
    """The LaML adapter with SignalWire's dialect (all differences are data)."""
