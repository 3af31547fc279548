"""``callscope config locate|show|init|check``: where the config is, what it says, is it working.

``show`` prints every value with its origin (file, env var, default) and never a secret;
``init`` writes a commented starter file (as text: tomli-w cannot write comments) at mode 0600;
``check`` tries each account with a one-record request and exits with the worst failure's code.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import Any

from tui.commands import exits
from tui.commands.common import add_actions, add_command, config_arg, load_config, retries
from tui.core import errors, registry
from tui.core.account import Account
from tui.core.config import Config, config_path
from tui.core.sanitize import visible

MASK = "••••"
SHOW_TAIL_FROM = 16  # secrets at least this long show their last 2 characters (to tell them apart)

STARTER_TEMPLATE = """\
# callscope configuration (TOML). Written by `callscope config init`; keep it at mode 0600.
# Every key is optional. `callscope config show` prints what callscope reads and from where;
# `callscope config check` tries each account.
#
# Accounts refer to environment variables for their secrets (`password_env = "NAME"`) so
# this file holds none. A key `x` may be given directly or as `x_env = "VARIABLE"`.
# Uncomment the blocks you need (remove the leading "# ") and export the variables.
# Note: commands that save settings (`callscope preset save`, the browser's theme) rewrite this
# file with tomli-w, which keeps every key but drops these comments.

# theme = "textual-dark"
# utc = false                                   # show times in UTC instead of local time
# columns = ["time", "dir", "from", "to", "status", "dur", "price", "id"]

{accounts}# [presets]                                     # callscope preset save NAME --query …
# failed-today = "status:failed since:today"
"""


def starter() -> str:
    """The starter file: one commented ``[[accounts]]`` block per registered provider."""
    blocks = "\n".join(spec.sample for spec in registry.specs() if spec.sample)
    return STARTER_TEMPLATE.replace("{accounts}", blocks + "\n")


HELP = "locate, show, init or check the config file"
DESCRIPTION = "The config file: where it is, what it holds, a starter, a check."


def add_parser(sub: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    p = add_command(sub, parents, "config", HELP, DESCRIPTION)
    actions = add_actions(p, "config_action")
    locate = actions.add_parser("locate", parents=parents, help="print the config file's path")
    locate.set_defaults(run=run_locate)
    show = actions.add_parser(
        "show", parents=parents, help="every value and where it came from (secrets masked)"
    )
    show.set_defaults(run=run_show)
    init = actions.add_parser("init", parents=parents, help="write a commented starter file")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(run=run_init)
    check = actions.add_parser("check", parents=parents, help="try each account")
    check.add_argument("--retries", type=int, default=None, help=argparse.SUPPRESS)
    check.set_defaults(run=run_check)


def _path_origin(args: argparse.Namespace) -> str:
    if getattr(args, "config", None):
        return "--config"
    if os.environ.get("CALLSCOPE_CONFIG"):
        return "env CALLSCOPE_CONFIG"
    if os.environ.get("CALLSCOPE_CONFIG_DIR"):
        return "env CALLSCOPE_CONFIG_DIR"
    return "default"


def run_locate(args: argparse.Namespace) -> int:
    path = config_path(config_arg(args))
    sys.stdout.write(f"{path}\n")
    if not path.exists():
        print(
            "callscope: note: the file does not exist yet (callscope config init)", file=sys.stderr
        )
    return exits.OK


def mask(secret: str) -> str:
    """``••••`` plus, for a long secret, its last 2 characters; never more."""
    if not secret:
        return "(empty)"
    if len(secret) >= SHOW_TAIL_FROM:
        return MASK + secret[-2:]
    return MASK


def _account_rows(account: Account, config: Config, raw: dict[str, Any]) -> list[tuple[str, str]]:
    def origin(key: str) -> str:
        found = config.origins.get(f"accounts.{account.name}.{key}")
        if found:
            return found
        return "file" if key in raw else "default"

    rows = [
        ("provider", account.provider, "file" if raw else "env"),
        ("label", account.label, origin("label")),
        ("base_url", account.base_url, origin("base_url")),
        ("account", account.account, origin("account")),
        ("username", account.username, origin("username")),
        ("password", mask(account.password.get_secret_value()), origin("password")),
        ("zone", account.zone, origin("zone")),
    ]
    optional = [
        ("page_size", account.page_size, origin("page_size")),
        ("domain", account.domain, origin("domain")),
        ("colour", account.colour, "file" if "colour" in raw or "color" in raw else "default"),
        ("scope", account.scope, origin("scope")),
    ]
    rows += [(k, str(v), o) for k, v, o in optional if v is not None]
    return [(f"{key} = {value}", how) for key, value, how in rows]


def reviewed(args: argparse.Namespace) -> Config | None:
    """The config for ``show``/``check``: warnings include ``[keys]`` entries naming no key
    binding; a config with problems prints each on its own line (``None``: exit 2)."""
    from tui.ui.binding_ids import binding_ids  # imports the browser's modules: only here

    try:
        return load_config(args, bindings=binding_ids())
    except errors.ConfigError as exc:
        if not exc.problems:
            raise
        count = len(exc.problems)
        print(
            f"callscope: {visible(exc.message)}: {count} problem{'s' * (count > 1)}",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  {visible(str(problem))}", file=sys.stderr)
        for warning in exc.warnings:
            print(f"callscope: warning: {visible(warning)}", file=sys.stderr)
        return None


def run_show(args: argparse.Namespace) -> int:
    config = reviewed(args)
    if config is None:
        return exits.USAGE
    secrets = config.secrets()
    lines: list[tuple[str, str]] = [
        (f"path = {config.path}", _path_origin(args)),
        ("file exists" if config.path.exists() else "file does not exist", ""),
        (f"theme = {config.theme or '(default)'}", config.origins.get("theme", "default")),
        (f"utc = {str(config.utc).lower()}", "file" if "utc" in config.data else "default"),
        (
            f"columns = {','.join(config.columns) if config.columns else '(default)'}",
            "file" if config.columns else "default",
        ),
    ]
    for key, value in sorted(config.keys.items()):
        lines.append((f"keys.{key} = {value}", "file"))
    for name, query in sorted(config.presets.items()):
        lines.append((f"presets.{name} = {query}", "file"))
    raw_tables = config.data.get("accounts", [])
    tables = {
        str(t.get("name") or t.get("label") or ""): t for t in raw_tables if isinstance(t, dict)
    }
    if not config.accounts:
        lines.append(("accounts: none (the browser opens the demo)", ""))
    for account in config.accounts:
        raw = tables.get(account.name, {})
        lines.append((f"[account {account.name}]", "file" if raw else "env"))
        lines += [("  " + text, how) for text, how in _account_rows(account, config, raw)]
    width = max(len(visible(text)) for text, _ in lines)
    out = sys.stdout
    for text, how in lines:
        shown = visible(text)
        for secret in secrets:  # belt and braces: no secret reaches the screen by any path
            if len(secret) >= 4 and secret in shown:
                shown = shown.replace(secret, MASK)
        out.write(f"{shown:<{width}}  ({how})\n" if how else f"{shown}\n")
    return exits.OK


def run_init(args: argparse.Namespace) -> int:
    path = config_path(config_arg(args))
    if path.exists() and not args.force:
        raise exits.UsageError(f"{path} already exists (--force overwrites it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(starter())
    os.chmod(tmp, 0o600)  # also when umask or an old .tmp file said otherwise
    os.replace(tmp, path)
    sys.stdout.write(f"{path}\n")
    print(f"callscope: wrote a starter config (mode 0600); edit it: {path}", file=sys.stderr)
    return exits.OK


def run_check(args: argparse.Namespace) -> int:
    config = reviewed(args)
    if config is None:
        return exits.USAGE
    if not config.accounts:
        print(
            f"callscope: no accounts in {config.path} or the environment; nothing to check",
            file=sys.stderr,
        )
        return exits.OK
    results = asyncio.run(_check_all(config.accounts, retries(args)))
    worst = exits.OK
    width = max(len(visible(a.name)) for a in config.accounts)
    secrets = config.secrets()
    for account, failure in zip(config.accounts, results, strict=True):
        name = f"{visible(account.name):<{width}}"
        if failure is None:
            sys.stdout.write(f"{name}  OK     {account.provider}  {visible(account.base_url)}\n")
            continue
        code = exits.code_for(failure)
        worst = max(worst, code)
        line = exits.message_for(failure, secrets).removeprefix("callscope: ")
        sys.stdout.write(f"{name}  FAIL   {account.provider}  {line}\n")
    return worst


async def _check_all(
    accounts: list[Account], retry_count: int | None
) -> list[errors.CallscopeError | None]:
    from tui.core.http import RetryPolicy
    from tui.providers import adapter_for

    async def one(account: Account) -> errors.CallscopeError | None:
        kwargs: dict[str, Any] = {}
        if retry_count is not None:
            kwargs["retry"] = RetryPolicy(attempts=max(1, retry_count + 1))
        try:
            adapter = adapter_for(account, **kwargs)
        except errors.CallscopeError as exc:
            return exc
        try:
            await adapter.check()
        except errors.CallscopeError as exc:
            return exc
        finally:
            await adapter.aclose()
        return None

    return list(await asyncio.gather(*(one(account) for account in accounts)))
