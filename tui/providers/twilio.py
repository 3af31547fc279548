"""Twilio Programmable Voice (2010-04-01) call logs: the LaML adapter with Twilio's dialect.

Base URL ``https://api.twilio.com``; the adapter adds ``/2010-04-01/Accounts/{AC…}/Calls.json``.
Basic auth with the account SID and auth token, or an API key (``SK…``) and its secret, in which
case ``account.account`` holds the ``AC…`` SID used in paths.
"""

from __future__ import annotations

from tui.providers.laml import TWILIO, LamlAdapter


class TwilioAdapter(LamlAdapter, dialect=TWILIO):
    """The LaML adapter with Twilio's dialect (all differences are data)."""
