"""An account: one set of credentials at one provider, as the config or the demo defines it."""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from tui.core import registry
from tui.core.config_schema import key_path
from tui.core.errors import ConfigError, ConfigProblem
from tui.core.registry import PathId


def _rule(provider: str) -> PathId | None:
    spec = registry.spec_of(provider)
    return None if spec is None else spec.path_id


def path_id(provider: str, account: str, username: str) -> str:
    """The id for ``provider``'s URL paths from the config's ``account`` and ``username``
    (empty when the provider needs one and neither gives it)."""
    rule = _rule(provider)
    if account or rule is None:
        return account or username
    if not rule.username_is_id:
        return ""
    if rule.api_key_prefix and username.startswith(rule.api_key_prefix):
        return ""
    return username


def missing_id(name: str, provider: str, account: str, username: str) -> ConfigProblem | None:
    """The problem of an account whose provider needs a path id that the config does not give;
    the same text wherever it is found (config loader, adapter)."""
    rule = _rule(provider)
    if rule is None or path_id(provider, account, username):
        return None
    why = ""
    if rule.api_key_prefix and username.startswith(rule.api_key_prefix):
        why = f" (the username {rule.api_key_prefix}… is an API key, not the id)"
    return ConfigProblem(
        key_path("accounts", name, "account"),
        f"missing: the {rule.what} of this {provider} account; set account or account_env{why}",
    )


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

    def require_id(self) -> str:
        """The id for URL paths; :class:`ConfigError` naming the missing key when there is none."""
        problem = missing_id(self.name, self.provider, self.account, self.username)
        if problem is not None:
            raise ConfigError(problems=[problem])
        return path_id(self.provider, self.account, self.username)

    def secrets(self) -> list[str]:
        """Every secret value of this account (for redaction of anything shown or written)."""
        found = [self.password.get_secret_value()]
        return [s for s in found if s]
