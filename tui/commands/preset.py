"""``callscope preset save|list|delete``: named filters under ``[presets]`` in the config file.

A preset is a query line; ``callscope list --preset NAME`` (and the browser) starts from it.
The file is rewritten with tomli-w, which keeps every key but drops comments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from tui.commands import exits
from tui.commands.common import add_actions, add_command, load_config
from tui.commands.filters import add_filter_flags, query_text
from tui.core.config import Config, save
from tui.core.query import parse_query
from tui.core.sanitize import visible

HELP = "save, list or delete named filters"
DESCRIPTION = "Named filters (query lines) stored under [presets] in the config file."


def add_parser(sub: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    p = add_command(sub, parents, "preset", HELP, DESCRIPTION)
    actions = add_actions(p, "preset_action")
    save_p = actions.add_parser(
        "save", parents=parents, help="save a filter: --query and/or filter flags"
    )
    save_p.add_argument("name", help="the preset's name")
    add_filter_flags(save_p)
    save_p.set_defaults(run=run_save)
    list_p = actions.add_parser("list", parents=parents, help="every preset and its query")
    list_p.set_defaults(run=run_list)
    delete_p = actions.add_parser("delete", parents=parents, help="delete a preset")
    delete_p.add_argument("name")
    delete_p.set_defaults(run=run_delete)


def _write(config: Config, presets: dict[str, str]) -> None:
    had_comments = config.path.exists() and any(
        line.lstrip().startswith("#")
        for line in config.path.read_text(encoding="utf-8").splitlines()
    )
    save(config, {"presets": presets or None})
    if had_comments:
        print(
            f"callscope: note: {config.path} was rewritten; tomli-w cannot keep its comments",
            file=sys.stderr,
        )


def run_save(args: argparse.Namespace) -> int:
    config = load_config(args)
    name = args.name.strip()
    if not name:
        raise exits.UsageError("a preset needs a name")
    text = query_text(args.query, args=args)
    if not text:
        raise exits.UsageError("nothing to save: give --query or filter flags")
    parse_query(text)  # a bad term fails here (exit 2, caret), not when the preset is used
    presets = dict(config.presets)
    replaced = name in presets
    presets[name] = text
    _write(config, presets)
    verb = "replaced" if replaced else "saved"
    print(f"callscope: preset {visible(name)!r} {verb}: {visible(text)}", file=sys.stderr)
    return exits.OK


def run_list(args: argparse.Namespace) -> int:
    config = load_config(args)
    if not config.presets:
        print("callscope: no presets saved (callscope preset save NAME --query …)", file=sys.stderr)
        return exits.OK
    width = max(len(visible(name)) for name in config.presets)
    for name in sorted(config.presets):
        sys.stdout.write(f"{visible(name):<{width}}  {visible(config.presets[name])}\n")
    return exits.OK


def run_delete(args: argparse.Namespace) -> int:
    config = load_config(args)
    if args.name not in config.presets:
        known = ", ".join(sorted(config.presets)) or "none saved"
        raise exits.UsageError(f"no preset named {args.name!r} (presets: {known})")
    presets = {k: v for k, v in config.presets.items() if k != args.name}
    _write(config, presets)
    print(f"callscope: preset {visible(args.name)!r} deleted", file=sys.stderr)
    return exits.OK
