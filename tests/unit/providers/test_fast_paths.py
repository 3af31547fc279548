"""The adapters' normalization: hostile ids still give whole, linked calls."""

from __future__ import annotations

from typing import Any

import pytest

from tui.providers.fonedynamics import FoneDynamicsAdapter
from tui.providers.portsip import PortSipAdapter

from .test_fonedynamics import make_account as fd_account
from .test_portsip import make_account as portsip_account
from .test_twilio import adapter as twilio_adapter
from .test_twilio import fetched_call

TWILIO, _ = twilio_adapter()
FD = FoneDynamicsAdapter(fd_account())
FD_RECORD = {
    "CallSid": "CA8BA93B6CF98231AAEED1633DB2415F75",
    "DateStart": "1763639999",
    "From": "+61413836790",
    "To": "+61210998172",
    "Duration": 14,
    "Disposition": "Answered",
}
PORTSIP = PortSipAdapter(portsip_account())
PORTSIP_RECORD = {
    "id": "1175825618852382654",
    "caller": "16018133379",
    "callee": "107",
    "started_at": "2026-11-19T15:51:13.318341Z",
    "ended_at": "2026-11-19T15:52:15.561202Z",
    "direction": "INBOUND_CALL",
    "duration": 47,
}


# -- hostile ids: links are still built (a lone surrogate used to fail the whole record) ---------


@pytest.mark.parametrize(
    ("adapter", "raw", "key", "link"),
    [
        (TWILIO, fetched_call(), "sid", "children"),
        (FD, FD_RECORD, "CallSid", "self"),
        (PORTSIP, PORTSIP_RECORD, "id", "self"),
    ],
    ids=["twilio", "fonedynamics", "portsip"],
)
def test_an_id_with_a_lone_surrogate_is_kept_and_linked(
    adapter: Any, raw: Any, key: str, link: str
) -> None:
    call = adapter.safe_normalize({**raw, key: "lone \ud800 id"})
    assert call.id == "lone \ud800 id"
    assert "%ED%A0%80" in call.links[link]
    assert not any("could not normalize" in w for w in call.warnings)
