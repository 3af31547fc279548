"""What each key of the config file must hold, and the problems a file's data has.

Every problem is named by its key path as TOML spells it (``utc``, ``keys."table.down"``,
``accounts.work.page_size``) and says what was expected and what was found. A value of the
wrong type is a hard problem (the loader raises :class:`~tui.core.errors.ConfigError` with all
of them); a key callscope does not know is a soft one (a warning: it is ignored).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from tui.core.errors import ConfigProblem


@dataclass(frozen=True)
class Kind:
    """A type a key accepts: its description (``expected …``) and its test."""

    expected: str
    accepts: Callable[[Any], bool]


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


STRING = Kind("a string", lambda v: isinstance(v, str))
BOOLEAN = Kind("true or false", lambda v: isinstance(v, bool))
WHOLE = Kind("a whole number ≥ 1", _whole)
STRINGS = Kind(
    "a list of strings", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)
)
TABLE = Kind("a table", lambda v: isinstance(v, dict))
TABLES = Kind(
    "a list of [[accounts]] tables",
    lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
)
KEY_NAME = Kind("a string (a key such as j or ctrl+s)", STRING.accepts)
QUERY = Kind("a string (a query)", STRING.accepts)

TOP_KEYS: dict[str, Kind] = {
    "theme": STRING,
    "utc": BOOLEAN,
    "columns": STRINGS,
    "keys": TABLE,
    "presets": TABLE,
    "accounts": TABLES,
}
# Account keys. Those in ENV_KEYS may instead be given as ``<key>_env = "VARIABLE"``.
ACCOUNT_KEYS: dict[str, Kind] = {
    "name": STRING,
    "provider": STRING,
    "label": STRING,
    "base_url": STRING,
    "account": STRING,
    "username": STRING,
    "password": STRING,
    "zone": STRING,
    "scope": STRING,
    "domain": STRING,
    "login": STRING,
    "colour": STRING,
    "color": STRING,
    "page_size": WHOLE,
}
ENV_KEYS = ("label", "base_url", "account", "username", "password", "zone", "scope", "domain")
ENV_SUFFIX = "_env"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def key_path(*parts: str) -> str:
    """Dotted key path, each part quoted as TOML would need it: ``keys."table.down"``."""
    return ".".join(p if _BARE_KEY.fullmatch(p) else _quoted(p) for p in parts)


def _quoted(part: str) -> str:
    return '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'


def described(value: Any) -> str:
    """A TOML value in words: ``the string "yes"``, ``the integer 5``, ``a list``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f'the string "{shown}"'
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value:g}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime | date | time):
        return f"the date/time {value.isoformat()}"
    return type(value).__name__


def wrong_type(path: str, kind: Kind, value: Any) -> ConfigProblem:
    return ConfigProblem(path, f"expected {kind.expected}, got {described(value)}")


def unknown(path: str, word: str, known: Iterable[str], what: str = "unknown key") -> str:
    """The warning for a key (or binding id) nobody reads, with the likeliest meant one."""
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"{path}: {what}, ignored" + (f" (did you mean {close[0]}?)" if close else "")


def check_top(data: Mapping[str, Any]) -> tuple[list[ConfigProblem], list[str]]:
    """Types of the top-level keys and of ``[keys]``/``[presets]`` entries; unknown keys."""
    hard: list[ConfigProblem] = []
    soft: list[str] = []
    for key, value in data.items():
        kind = TOP_KEYS.get(key)
        if kind is None:
            soft.append(unknown(key_path(key), key, TOP_KEYS))
        elif not kind.accepts(value):
            hard.append(wrong_type(key_path(key), kind, value))
    for table, kind in (("keys", KEY_NAME), ("presets", QUERY)):
        entries = data.get(table)
        if isinstance(entries, dict):
            hard += [
                wrong_type(key_path(table, str(k)), kind, v)
                for k, v in entries.items()
                if not kind.accepts(v)
            ]
    return hard, soft


def check_account(raw: Mapping[str, Any], name: str) -> tuple[list[ConfigProblem], list[str]]:
    """Types and unknown keys of one ``[[accounts]]`` table (named ``name`` in paths)."""
    hard: list[ConfigProblem] = []
    soft: list[str] = []
    env_keys = {key + ENV_SUFFIX for key in ENV_KEYS}
    known = [*ACCOUNT_KEYS, *sorted(env_keys)]
    for key, value in raw.items():
        path = key_path("accounts", name, key)
        kind = STRING if key in env_keys else ACCOUNT_KEYS.get(key)
        if kind is None:
            soft.append(unknown(path, key, known))
        elif not kind.accepts(value):
            hard.append(wrong_type(path, kind, value))
    return hard, soft


def check_bindings(keys: Mapping[str, Any], bindings: Collection[str]) -> list[str]:
    """Warnings for ``[keys]`` entries whose binding id no widget has."""
    return [
        unknown(key_path("keys", key), key, bindings, "no key binding has this id")
        for key in keys
        if key not in bindings
    ]
