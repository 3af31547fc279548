"""The provider registry: each provider is registered once, as a :class:`ProviderSpec`, and
everything else (config, filter language, CLI, browser, emulator) discovers it here.

The built-in providers are declared in :data:`BUILTIN_CATALOG` (``tui.providers.catalog``),
imported on first use; a test or a plugin adds one with :func:`register`. This module names no
provider and imports only the standard library, so the emulator may read it too (it shares no
parsing code with the client side: the spec names the adapter and the emulated API by their
import paths, and each side loads only its own).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

BUILTIN_CATALOG = "tui.providers.catalog"  # registers the built-in providers when imported


@dataclass(frozen=True)
class ExtraField:
    """A provider-specific filter field: its query key, label, and how a call is checked.

    ``extras_keys`` are the ``Call.extras`` keys it reads (first present wins); ``attr`` reads a
    ``Call`` attribute instead (``end_reason``). ``match`` says how a value compares: ``text``
    (case-insensitive equality), ``number`` (number pattern, prefix with ``*``), ``path`` (an
    IVR path ``1>2``: a call's path starting with it), or ``server`` (no local evidence: the
    provider decides).
    """

    key: str
    label: str
    extras_keys: tuple[str, ...]
    help: str
    match: str = "text"
    providers: tuple[str, ...] = ()  # filled in by the registry: the providers declaring it
    choices: tuple[str, ...] = ()
    attr: str = ""
    aliases: tuple[str, ...] = ()  # other spellings accepted in a query (the wire name …)

    @property
    def numbers(self) -> bool:
        return self.match == "number"


@dataclass(frozen=True)
class PathId:
    """The id a provider's URL paths need (``…/Accounts/{id}/Calls``) and where it may come from."""

    what: str  # "the {what} of this account"
    username_is_id: bool = True  # the username doubles as the id when ``account`` is not given
    api_key_prefix: str = ""  # … unless it starts with this: an API key, never the id


@dataclass(frozen=True)
class EnvAccount:
    """How an account is defined by the provider's customary environment variables.

    ``base_url`` reads the environment into the account's base URL; ``None`` skips the
    provider, with ``missing_base`` as the warning (none if empty).
    """

    path_id: tuple[str, ...]
    user: tuple[str, ...]
    secret: tuple[str, ...]
    base_url: Callable[[Mapping[str, str]], str | None] | None = None
    missing_base: str = ""
    keys: Mapping[str, str] = field(default_factory=dict)  # account key → variable (domain …)


@dataclass(frozen=True)
class ProviderSpec:
    """Everything callscope needs to know to offer one provider."""

    id: str  # the config's ``provider = "…"``
    title: str  # display name
    adapter: str | type  # "module:Class" of its :class:`~tui.providers.base.Adapter`, or the class
    emulator: str | type = ""  # "module:Class" of its emulated API (tui.emulator.api.ProviderAPI)
    default_base_url: str = ""  # a ``{placeholder}`` means the config must give one
    path_id: PathId | None = None  # None: its paths carry no account id
    env: EnvAccount | None = None
    extras: tuple[ExtraField, ...] = ()
    colour: str = ""  # the tab's colour when the account names none
    scopes: tuple[str, ...] = ()  # what an account's id may name (``scope = "…"``), if it varies
    sample: str = ""  # its commented ``[[accounts]]`` block for ``config init``


_specs: dict[str, ProviderSpec] = {}
_loaded = False
_extras: tuple[ExtraField, ...] | None = None  # extra_fields(), until the next registration


def _ensure_builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        importlib.import_module(BUILTIN_CATALOG)


def register(spec: ProviderSpec) -> ProviderSpec:
    """Add (or replace) a provider; returns the spec for use as a decorator-free one-liner."""
    _ensure_builtins()
    register_builtin(spec)
    return spec


def register_builtin(*specs: ProviderSpec) -> None:
    """The catalog's registration (no recursion into loading the catalog)."""
    global _extras
    for spec in specs:
        _specs[spec.id] = spec
    _extras = None


def unregister(provider: str) -> None:
    global _extras
    _specs.pop(provider, None)
    _extras = None


def specs() -> tuple[ProviderSpec, ...]:
    """Every registered provider, in registration order (the emulator routes in this order)."""
    _ensure_builtins()
    return tuple(_specs.values())


def ids() -> tuple[str, ...]:
    return tuple(spec.id for spec in specs())


def spec_of(provider: str) -> ProviderSpec | None:
    _ensure_builtins()
    return _specs.get(provider)


def extra_fields() -> tuple[ExtraField, ...]:
    """Every provider's extra filter fields, in registration order; a key several providers
    declare is one field naming them all."""
    global _extras
    if _extras is None:
        merged: dict[str, ExtraField] = {}
        for spec in specs():
            for extra in spec.extras:
                have = merged.get(extra.key, extra)
                merged[extra.key] = replace(have, providers=(*have.providers, spec.id))
        _extras = tuple(merged.values())
    return _extras


def extra_field(key: str) -> ExtraField | None:
    return next((extra for extra in extra_fields() if extra.key == key), None)


def load(target: str | type) -> Any:
    """The object a spec names: ``"module:Name"`` imported, or the object itself."""
    if not isinstance(target, str):
        return target
    module_name, _, name = target.partition(":")
    return getattr(importlib.import_module(module_name), name)
