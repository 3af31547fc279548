"""An account: one set of credentials at one provider, as the config or the demo defines it."""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr

PROVIDERS = ("twilio", "signalwire", "exotel", "fonedynamics", "portsip")


class Account(BaseModel):
    """Where and how to reach one provider account.

    ``account`` is the id used in URL paths (Twilio/SignalWire account or project id, Exotel
    account sid, Fone Dynamics account or property sid, unused by PortSIP). ``username`` and
    ``password`` are the credentials (Twilio: SID or API key + token/secret; PortSIP: the login
    user and password). Secrets are ``SecretStr`` so they never print by accident.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    provider: str
    label: str = ""
    base_url: str
    account: str = ""
    username: str = ""
    password: SecretStr = SecretStr("")
    colour: str | None = None
    zone: str = "UTC"  # zone of zone-less provider times (Exotel)
    page_size: int | None = None
    scope: str = "account"  # Fone Dynamics: "account" or "property"
    domain: str | None = None  # PortSIP tenant SIP domain
    options: dict[str, Any] = Field(default_factory=dict)
    demo: bool = False

    @property
    def title(self) -> str:
        return self.label or self.name

    @property
    def tz(self) -> tzinfo:
        try:
            return ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            return UTC

    def secrets(self) -> list[str]:
        """Every secret value of this account (for redaction of anything shown or written)."""
        found = [self.password.get_secret_value()]
        return [s for s in found if s]
