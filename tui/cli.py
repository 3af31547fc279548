"""Entry point of the ``callscope`` command: the browser by default, headless subcommands else."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "emulator":
        from tui.emulator.cli import main as emulator_main

        return int(emulator_main(args[1:]))
    from tui.ui.app import run

    return int(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
