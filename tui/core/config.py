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
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, ValidationError

from tui.core import registry
from tui.core.account import Account, missing_id, path_id
from tui.core.config_schema import (
    ACCOUNT_KEYS,
    ENV_KEYS,
    ENV_SUFFIX,
    STRING,
    check_account,
    check_bindings,
    check_top,
    described,
    key_path,
)
from tui.core.errors import ConfigError, ConfigProblem

FILE_NAME = "config.toml"
SECRET_KEYS = ("password", "token", "secret", "auth_token", "api_token")


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

    def secrets(self) -> list[str]:
        found: list[str] = []
        for account in self.accounts:
            found.extend(account.secrets())
        return found


def load(
    explicit: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    bindings: Collection[str] | None = None,
) -> Config:
    """Read the config file (if any) and the environment.

    Raises :class:`ConfigError` when the file cannot be used: unreadable or not TOML, or with
    ``problems`` listing every value of the wrong type, unknown provider, account without the
    id its provider needs, unset ``*_env`` variable and repeated account name. Keys nobody reads
    (and, when ``bindings`` — every key binding id — is given, ``[keys]`` entries naming no
    binding) are ignored with a line in :attr:`Config.warnings`.
    """
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
    problems, warnings = check_top(data)
    config.warnings += warnings
    bad = {problem.path for problem in problems}
    config.theme = _opt_str(data.get("theme")) if "theme" not in bad else None
    config.origins["theme"] = "file" if config.theme else "default"
    config.utc = data.get("utc") is True
    columns = data.get("columns")
    if "columns" not in bad and isinstance(columns, list):
        config.columns = list(columns)
    for table, target in (("keys", config.keys), ("presets", config.presets)):
        entries = data.get(table)
        if isinstance(entries, dict):
            target.update((str(k), v) for k, v in entries.items() if isinstance(v, str))
    if bindings is not None:
        config.warnings += check_bindings(config.keys, bindings)
    raw_accounts = data.get("accounts", [])
    names: set[str] = set()
    for number, raw in enumerate(raw_accounts if isinstance(raw_accounts, list) else [], 1):
        if not isinstance(raw, dict):
            continue  # check_top reported it
        account = _account_from_table(raw, number, env, config, problems)
        if account is None:
            continue
        if account.name in names:
            again = "a second account with this name (names must differ)"
            problems.append(ConfigProblem(key_path("accounts", account.name), again))
        names.add(account.name)
        config.accounts.append(account)
    if problems:
        raise ConfigError(str(path), problems=problems, warnings=config.warnings)
    if not raw_accounts:
        config.accounts.extend(_accounts_from_env(env, config))
    return config


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _account_from_table(
    raw: dict[str, Any],
    number: int,
    env: Mapping[str, str],
    config: Config,
    problems: list[ConfigProblem],
) -> Account | None:
    """One ``[[accounts]]`` table as an Account; what is wrong with it goes to ``problems``."""
    name = raw.get("name") or raw.get("label")
    if not isinstance(name, str):
        name = f"{str(raw.get('provider', 'account')).lower()}-{number}"
    found, warnings = check_account(raw, name)
    config.warnings += warnings
    problems += found
    bad = {problem.path for problem in found}

    def path(key: str) -> str:
        return key_path("accounts", name, key)

    def problem(key: str, message: str) -> None:
        bad.add(path(key))
        problems.append(ConfigProblem(path(key), message))

    values: dict[str, str] = {}
    for key, kind in ACCOUNT_KEYS.items():
        env_key = key + ENV_SUFFIX
        if kind is not STRING or key == "name" or {path(key), path(env_key)} & bad:
            continue
        if key in ENV_KEYS and raw.get(env_key):
            variable = raw[env_key]
            if variable not in env:
                problem(env_key, f"the environment variable {variable} is not set")
                continue
            values[key] = env[variable]
            config.origins[f"accounts.{name}.{key}"] = f"env {variable}"
        elif key in raw:
            values[key] = raw[key]
            config.origins[f"accounts.{name}.{key}"] = "file"
    provider = values.get("provider", "").lower()
    spec = registry.spec_of(provider)
    if spec is None:
        got = described(raw.get("provider", ""))
        problem("provider", f"expected one of {', '.join(registry.ids())}, got {got}")
        return None
    zone = values.get("zone", "UTC")
    if not _known_zone(zone):
        problem("zone", f"unknown time zone {zone!r} (expected a name such as Asia/Kolkata)")
    scope = values.get("scope", "account")
    if spec.scopes and scope not in spec.scopes:
        problem("scope", f"expected one of {', '.join(spec.scopes)}, got {described(scope)}")
    account, username = values.get("account", ""), values.get("username", "")
    missing = missing_id(name, provider, account, username)
    if missing is not None and path("account_env") not in bad:
        problems.append(missing)
    base_url = values.get("base_url") or spec.default_base_url
    if "{" in base_url and path("base_url_env") not in bad:
        problem("base_url", f"missing: a {provider} account needs its base_url (or base_url_env)")
    try:
        return Account(
            name=name,
            provider=provider,
            label=values.get("label") or name,
            base_url=base_url,
            account=path_id(provider, account, username),
            username=username,
            password=SecretStr(values.get("password", "")),
            colour=_opt_str(values.get("colour") or values.get("color")),
            zone=zone,
            page_size=raw.get("page_size") if path("page_size") not in bad else None,
            scope=scope,
            domain=_opt_str(values.get("domain")),
            options={k: values[k] for k in ("login",) if k in values},
        )
    except (ValidationError, ValueError, TypeError) as exc:
        problems.append(ConfigProblem(key_path("accounts", name), str(exc)))
        return None


def _known_zone(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _first(env: Mapping[str, str], names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in names:
        if env.get(name):
            return name, env[name]
    return None


def _accounts_from_env(env: Mapping[str, str], config: Config) -> list[Account]:
    """Accounts from the providers' customary environment variables (no config file)."""
    found: list[Account] = []
    for spec in registry.specs():
        rule = spec.env
        if rule is None:
            continue
        provider = spec.id
        user = _first(env, rule.user)
        secret = _first(env, rule.secret)
        if user is None or secret is None:
            continue
        path_id_var = _first(env, rule.path_id)
        base_url = spec.default_base_url
        if rule.base_url is not None:
            read = rule.base_url(env)
            if not read:
                if rule.missing_base:
                    config.warnings.append(rule.missing_base)
                continue
            base_url = read
        name = f"{provider}-env"
        given = path_id_var[1] if path_id_var else ""
        if missing_id(name, provider, given, user[1]) is not None:
            what = spec.path_id.what if spec.path_id else "account id"
            config.warnings.append(
                f"{rule.path_id[0]} is not set: {provider} account skipped (its "
                f"{what} is the id in the API's paths)"
            )
            continue
        config.origins[f"accounts.{name}.username"] = f"env {user[0]}"
        config.origins[f"accounts.{name}.password"] = f"env {secret[0]}"
        extra: dict[str, Any] = {key: env[var] for key, var in rule.keys.items() if env.get(var)}
        found.append(
            Account(
                name=name,
                provider=provider,
                label=f"{provider} (env)",
                base_url=base_url,
                account=path_id(provider, given, user[1]),
                username=user[1],
                password=SecretStr(secret[1]),
                **extra,
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
