"""Entry point of the ``callscope`` command: the browser by default, headless subcommands else.

``callscope [--config PATH] [--demo] [--utc]`` opens the browser; ``callscope emulator …`` runs
the emulator (listed in ``--help`` with the others); ``list``, ``show``, ``recordings``,
``preset`` and ``config`` are the headless commands of :mod:`tui.commands`. Failures end
here: one line on stderr and an exit code (:mod:`tui.commands.exits`), never a traceback
unless ``--debug`` asks for it.
"""

from __future__ import annotations

import argparse
import os
import sys

COMMANDS = ("list", "show", "recordings", "preset", "config")
EMULATOR = "emulator"  # not parsed here: the emulator has its own parser (tui.emulator.cli)


def _command_of(args: list[str]) -> str | None:
    """The headless command named in ``args`` (global options may come first), else None."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "--config":
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg if arg in (*COMMANDS, EMULATOR) else None
    return None


def build_parser() -> argparse.ArgumentParser:
    from tui.commands import config, listing, preset, recordings, show
    from tui.commands.common import global_options

    parents = [global_options()]
    parser = argparse.ArgumentParser(
        prog="callscope",
        parents=parents,
        description="Call records of Twilio, SignalWire, Exotel, Fone Dynamics and PortSIP. "
        "Without a command: the terminal browser (options --demo: the demo even when accounts "
        "are configured; --utc: times in UTC).",
        epilog="exit codes: 0 ok, 1 nothing matched (--fail-empty), 2 usage or filter error, "
        "3 auth, 4 not found, 5 rate limited, 6 network/server, 7 malformed response",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (listing, show, recordings, preset, config):
        module.add_parser(sub, parents)
    # Listed for --help only: main() hands "emulator …" to the emulator before parsing.
    sub.add_parser(
        EMULATOR,
        help="serve the five providers' APIs on loopback (callscope emulator --help)",
        add_help=False,
    )
    return parser


def headless(args: list[str]) -> int:
    """Run one headless command; every failure becomes one stderr line and an exit code."""
    from tui.commands import exits
    from tui.commands.filters import join_dash_values
    from tui.core.errors import CallscopeError

    debug = "--debug" in args
    try:
        namespace = build_parser().parse_args(join_dash_values(args))
        code: int = namespace.run(namespace)
        sys.stdout.flush()
        return code
    except CallscopeError as exc:
        return exits.report(exc)
    except BrokenPipeError:
        # The reader went away (``| head``): not an error. Point stdout at /dev/null so the
        # interpreter's final flush does not complain either.
        _silence_stdout()
        return exits.OK
    except KeyboardInterrupt:
        print("callscope: interrupted", file=sys.stderr)
        return exits.INTERRUPTED
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2, already printed)
        return exc.code if isinstance(exc.code, int) else exits.USAGE
    except Exception as exc:
        if debug:
            import traceback

            traceback.print_exc()
        from tui.core.sanitize import visible

        detail = visible(f"{type(exc).__name__}: {exc}", limit=300)
        hint = "" if debug else " (--debug shows the traceback)"
        print(f"callscope: internal error: {detail}{hint}", file=sys.stderr)
        return exits.INTERNAL


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (tests): nothing will flush into a closed pipe


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = _command_of(args)
    if command == EMULATOR:
        from tui.emulator.cli import main as emulator_main

        return int(emulator_main(args[args.index(EMULATOR) + 1 :]))
    if command is not None:
        return headless(args)
    if "-h" in args or "--help" in args:  # the help that lists the commands, browser included
        return headless(args)
    from tui.ui.app import run

    return int(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
