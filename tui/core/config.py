"""Configuration: accounts, presets, theme and key overrides, from TOML and environment variables.

The file lives in the platform config dir (``platformdirs``), or where ``--config`` /
``CALLSCOPE_CONFIG`` says; ``CALLSCOPE_CONFIG_DIR`` moves the whole directory (tests, CI).
It is read with ``tomllib`` and written with ``tomli-w`` at mode 0600. Accounts hold secrets
directly or name the environment variables that hold them (``password_env = "TWILIO_AUTH_TOKEN"``);
with no file, the providers' usual environment variables define accounts too. :attr:`Config.origins`
says where every value came from (file, env var, default) for ``config show``.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError

from tui.core.account import PROVIDERS, Account
from tui.core.errors import ConfigError

FILE_NAME = "config.toml"
SECRET_KEYS = ("password", "token", "secret", "auth_token", "api_token")

# provider → (default base URL, env vars for: the path id, the user, the secret)
ENV_ACCOUNTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "twilio": (
        "https://api.twilio.com",
        ("TWILIO_ACCOUNT_SID",),
        ("TWILIO_API_KEY", "TWILIO_ACCOUNT_SID"),
        ("TWILIO_API_SECRET", "TWILIO_AUTH_TOKEN"),
    ),
    "signalwire": (
        "https://{space}/api/laml/2010-04-01",
        ("SIGNALWIRE_PROJECT_ID",),
        ("SIGNALWIRE_PROJECT_ID",),
        ("SIGNALWIRE_API_TOKEN", "SIGNALWIRE_TOKEN"),
    ),
    "exotel": (
        "https://api.exotel.com",
        ("EXOTEL_ACCOUNT_SID", "EXOTEL_SID"),
        ("EXOTEL_API_KEY",),
        ("EXOTEL_API_TOKEN",),
    ),
    "fonedynamics": (
        "https://api.fonedynamics.com",
        ("FONEDYNAMICS_ACCOUNT_SID",),
        ("FONEDYNAMICS_ACCOUNT_SID",),
        ("FONEDYNAMICS_TOKEN", "FONEDYNAMICS_AUTH_TOKEN"),
    ),
    "portsip": (
        "{url}",
        ("PORTSIP_URL",),
        ("PORTSIP_USERNAME", "PORTSIP_USER"),
        ("PORTSIP_PASSWORD",),
    ),
}


def config_dir() -> Path:
    override = os.environ.get("CALLSCOPE_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("callscope", appauthor=False))


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the config file is: ``--config``, then ``CALLSCOPE_CONFIG``, then the config dir."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("CALLSCOPE_CONFIG")
    if env:
        return Path(env).expanduser()
    return config_dir() / FILE_NAME


@dataclass
class Config:
    """Everything read from the config file and the environment."""

    path: Path
    accounts: list[Account] = field(default_factory=list)
    presets: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    columns: list[str] | None = None
    utc: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # the file as read (to write back)
    origins: dict[str, str] = field(
        default_factory=dict
    )  # "accounts.prod.password" → "env TWILIO_AUTH_TOKEN"
    warnings: list[str] = field(default_factory=list)

    @property
    def is_demo(self) -> bool:
        return not self.accounts

    def secrets(self) -> list[str]:
        found: list[str] = []
        for account in self.accounts:
            found.extend(account.secrets())
        return found


def load(
    explicit: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> Config:
    """Read the config file (if any) and the environment; raises :class:`ConfigError`."""
    env = os.environ if environ is None else environ
    path = config_path(explicit)
    config = Config(path=path)
    if path.exists():
        try:
            mode = path.stat().st_mode
            if mode & (stat.S_IRGRP | stat.S_IROTH):
                config.warnings.append(f"{path} is readable by other users; run: chmod 600 {path}")
            config.data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from None
    elif explicit:
        raise ConfigError(f"no config file at {path}")
    data = config.data
    config.theme = _opt_str(data.get("theme"))
    config.origins["theme"] = "file" if config.theme else "default"
    config.utc = bool(data.get("utc", False))
    columns = data.get("columns")
    if isinstance(columns, list):
        config.columns = [str(c) for c in columns]
    keys = data.get("keys", {})
    if isinstance(keys, dict):
        config.keys = {str(k): str(v) for k, v in keys.items()}
    presets = data.get("presets", {})
    if isinstance(presets, dict):
        config.presets = {str(k): str(v) for k, v in presets.items()}
    raw_accounts = data.get("accounts", [])
    if not isinstance(raw_accounts, list):
        raise ConfigError(f"{path}: 'accounts' must be a list of [[accounts]] tables")
    names: set[str] = set()
    for number, raw in enumerate(raw_accounts, 1):
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: account #{number} is not a table")
        account = _account_from_table(raw, number, env, config)
        if account.name in names:
            raise ConfigError(f"{path}: two accounts are named {account.name!r}")
        names.add(account.name)
        config.accounts.append(account)
    if not raw_accounts:
        config.accounts.extend(_accounts_from_env(env, config))
    return config


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _account_from_table(
    raw: dict[str, Any], number: int, env: Mapping[str, str], config: Config
) -> Account:
    provider = str(raw.get("provider", "")).lower()
    if provider not in PROVIDERS:
        raise ConfigError(
            f"account #{number}: provider must be one of {', '.join(PROVIDERS)} (got {provider!r})"
        )
    name = str(raw.get("name") or raw.get("label") or f"{provider}-{number}")
    values: dict[str, Any] = {}
    for key in ("username", "password", "account", "base_url"):
        env_name = raw.get(f"{key}_env")
        if env_name:
            if str(env_name) not in env:
                raise ConfigError(f"account {name!r}: environment variable {env_name} is not set")
            values[key] = env[str(env_name)]
            config.origins[f"accounts.{name}.{key}"] = f"env {env_name}"
        elif key in raw:
            values[key] = str(raw[key])
            config.origins[f"accounts.{name}.{key}"] = "file"
    base_url = values.get("base_url") or ENV_ACCOUNTS[provider][0]
    if "{" in base_url:
        raise ConfigError(f"account {name!r}: base_url is required for {provider}")
    try:
        return Account(
            name=name,
            provider=provider,
            label=str(raw.get("label") or name),
            base_url=base_url,
            account=values.get("account") or values.get("username", ""),
            username=values.get("username", ""),
            password=SecretStr(values.get("password", "")),
            colour=_opt_str(raw.get("colour") or raw.get("color")),
            zone=str(raw.get("zone", "UTC")),
            page_size=int(raw["page_size"]) if "page_size" in raw else None,
            scope=str(raw.get("scope", "account")),
            domain=_opt_str(raw.get("domain")),
            options={k: v for k, v in raw.items() if k in ("login",)},
        )
    except (ValidationError, ValueError, TypeError) as exc:
        raise ConfigError(f"account {name!r}: {exc}") from None


def _first(env: Mapping[str, str], names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in names:
        if env.get(name):
            return name, env[name]
    return None


def _accounts_from_env(env: Mapping[str, str], config: Config) -> list[Account]:
    """Accounts from the providers' customary environment variables (no config file)."""
    found: list[Account] = []
    for provider, (base, path_vars, user_vars, secret_vars) in ENV_ACCOUNTS.items():
        user = _first(env, user_vars)
        secret = _first(env, secret_vars)
        if user is None or secret is None:
            continue
        path_id = _first(env, path_vars)
        base_url = base
        if provider == "signalwire":
            space = env.get("SIGNALWIRE_SPACE_URL") or env.get("SIGNALWIRE_SPACE")
            if not space:
                config.warnings.append(
                    "SIGNALWIRE_SPACE_URL is not set: SignalWire account skipped"
                )
                continue
            space = space.removeprefix("https://").rstrip("/")
            base_url = base.format(space=space if "." in space else f"{space}.signalwire.com")
            base_url = "https://" + base_url.removeprefix("https://")
        if provider == "portsip":
            base_url = env.get("PORTSIP_URL", "")
            if not base_url:
                continue
        name = f"{provider}-env"
        config.origins[f"accounts.{name}.username"] = f"env {user[0]}"
        config.origins[f"accounts.{name}.password"] = f"env {secret[0]}"
        found.append(
            Account(
                name=name,
                provider=provider,
                label=f"{provider} (env)",
                base_url=base_url,
                account=(path_id[1] if path_id and provider != "portsip" else user[1]),
                username=user[1],
                password=SecretStr(secret[1]),
                domain=env.get("PORTSIP_DOMAIN") if provider == "portsip" else None,
            )
        )
    return found


def save(config: Config, updates: Mapping[str, Any]) -> None:
    """Write ``updates`` (top-level keys) into the config file with tomli-w, mode 0600.

    tomli-w cannot keep comments: a file written here loses them (the README says so).
    """
    import tomli_w

    data = dict(config.data)
    for key, value in updates.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    config.path.parent.mkdir(parents=True, exist_ok=True)
    text = tomli_w.dumps(data)
    tmp = config.path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, config.path)
    config.data = data
