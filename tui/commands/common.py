"""What every headless command shares: global options, the config, the account and its adapter.

``--config`` (env ``CALLSCOPE_CONFIG``) and ``--debug`` are accepted before or after the command.
:class:`Session` opens the chosen account — from the config (``--account``), or the demo
(``--provider``: the built-in emulator, as the browser's demo starts it) — and closes the
adapter and the emulator on exit.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from tui.commands.exits import UsageError
from tui.core import registry
from tui.core.account import Account
from tui.core.config import Config, load

if TYPE_CHECKING:
    from tui.emulator.server import EmulatorThread
    from tui.providers.base import Adapter

DEMO_CALLS = 100_000  # the browser's demo size
RETRIES_ENV = "CALLSCOPE_RETRIES"


def global_options() -> argparse.ArgumentParser:
    """A parent parser for the options every command takes (also after the command name).

    Defaults are suppressed so that a subcommand's parser does not overwrite a value given
    before the command name.
    """
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config file (default: env CALLSCOPE_CONFIG, else the platform config dir)",
    )
    parent.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an internal error",
    )
    return parent


def add_command(
    sub: Any, parents: Sequence[argparse.ArgumentParser], name: str, help: str, description: str
) -> argparse.ArgumentParser:
    """The parser of ``callscope NAME`` (it takes the global options ``parents`` too)."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, parents=parents, help=help, description=description
    )
    return parser


def add_call_command(
    sub: Any, parents: Sequence[argparse.ArgumentParser], name: str, help: str, description: str
) -> argparse.ArgumentParser:
    """:func:`add_command` of a command on one call: its ``id`` and the account options."""
    parser = add_command(sub, parents, name, help, description)
    parser.add_argument("id", help="the provider's call id")
    account_options(parser)
    return parser


def add_actions(parser: argparse.ArgumentParser, dest: str) -> Any:
    """A command's required ``ACTION`` subcommands (``config locate``); ``dest`` names the
    chosen one in the parsed arguments."""
    return parser.add_subparsers(dest=dest, metavar="ACTION", required=True)


def account_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("account")
    choice = group.add_mutually_exclusive_group()
    choice.add_argument("--account", "-a", metavar="NAME", help="an account of the config")
    choice.add_argument(
        "--provider",
        "-p",
        choices=registry.ids(),
        help="the demo: the built-in emulator of this provider (no account needed)",
    )
    group.add_argument("--demo-calls", type=int, default=DEMO_CALLS, help=argparse.SUPPRESS)
    # Hidden: the retry budget (tests make a 429 storm fail fast). Env CALLSCOPE_RETRIES too.
    group.add_argument("--retries", type=int, default=None, help=argparse.SUPPRESS)


def config_arg(args: argparse.Namespace) -> str | None:
    return getattr(args, "config", None) or os.environ.get("CALLSCOPE_CONFIG") or None


def load_config(args: argparse.Namespace, *, bindings: Collection[str] | None = None) -> Config:
    """The config (``--config`` / env / default); its warnings go to stderr. With
    ``bindings`` (every key binding id), ``[keys]`` entries naming none are warned about."""
    config = load(config_arg(args), bindings=bindings)
    for warning in config.warnings:
        print(f"callscope: warning: {warning}", file=sys.stderr)
    return config


def retries(args: argparse.Namespace) -> int | None:
    value = getattr(args, "retries", None)
    if value is None and os.environ.get(RETRIES_ENV):
        try:
            value = int(os.environ[RETRIES_ENV])
        except ValueError:
            raise UsageError(f"{RETRIES_ENV} must be a whole number") from None
    if value is not None and value < 0:
        raise UsageError("--retries must be >= 0")
    return value


def pick_account(config: Config, name: str | None) -> Account:
    """The account named ``name``, or the only one; a usage error otherwise."""
    names = ", ".join(a.name for a in config.accounts)
    if name:
        for account in config.accounts:
            if account.name == name:
                return account
        known = f" (accounts: {names})" if names else " (no account is configured)"
        raise UsageError(f"no account named {name!r}{known}")
    if len(config.accounts) == 1:
        return config.accounts[0]
    if not config.accounts:
        raise UsageError(
            "no account is configured: use --provider twilio (the demo), or callscope config init"
        )
    raise UsageError(f"several accounts are configured; choose one with --account ({names})")


class Session:
    """One account's adapter (and the demo emulator behind it, if any), closed on exit."""

    def __init__(self, args: argparse.Namespace, config: Config) -> None:
        self.args = args
        self.config = config
        self.emulator: EmulatorThread | None = None
        provider = getattr(args, "provider", None)
        if provider:
            self.account = self._demo_account(provider, getattr(args, "demo_calls", DEMO_CALLS))
        else:
            self.account = pick_account(config, getattr(args, "account", None))
        self._adapter: Adapter | None = None

    def _demo_account(self, provider: str, calls: int) -> Account:
        from pydantic import SecretStr

        from tui.emulator.server import EmulatorConfig, EmulatorThread

        now = datetime.now(UTC).replace(microsecond=0)
        thread = EmulatorThread(EmulatorConfig(calls=max(0, calls), now=now, providers=(provider,)))
        thread.start()
        self.emulator = thread
        emulated = thread.emulator.account(provider)
        return Account(
            name=f"demo-{provider}",
            provider=provider,
            label=emulated.label,
            base_url=emulated.base_url,
            account=emulated.account,
            username=emulated.username,
            password=SecretStr(emulated.password),
            demo=True,
        )

    @property
    def adapter(self) -> Adapter:
        if self._adapter is None:
            from tui.core.http import RetryPolicy
            from tui.providers import adapter_for

            kwargs: dict[str, Any] = {}
            count = retries(self.args)
            if count is not None:
                kwargs["retry"] = RetryPolicy(attempts=max(1, count + 1))
            self._adapter = adapter_for(self.account, **kwargs)
        return self._adapter

    def secrets(self) -> list[str]:
        return self.account.secrets() + self.config.secrets()

    async def aclose(self) -> None:
        if self._adapter is not None:
            await self._adapter.aclose()

    def close_emulator(self) -> None:
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close_emulator()


def run_async(session: Session, work: Callable[[], Awaitable[int]]) -> int:
    """Run ``work`` on a fresh event loop and close the adapter on the same loop."""
    import asyncio

    async def main() -> int:
        try:
            return await work()
        finally:
            await session.aclose()

    return asyncio.run(main())


def is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
