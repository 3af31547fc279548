"""Every key binding id of the browser: the ``id=`` of each ``Binding`` in the classes of
``tui/ui``, read from their ``BINDINGS`` (for checking the config's ``[keys]``)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from textual.binding import Binding

import tui.ui

# Modules that are scripts, not parts of the browser (they import nothing with bindings).
SKIPPED = frozenset({"tui.ui.screenshots"})


@cache
def binding_ids() -> frozenset[str]:
    """The ids a ``[keys]`` entry may name (imports every module of ``tui.ui`` once)."""
    found: set[str] = set()
    for info in pkgutil.walk_packages(tui.ui.__path__, tui.ui.__name__ + "."):
        if info.name in SKIPPED or info.name == __name__:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            for binding in vars(value).get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    found.add(binding.id)
    return frozenset(found)
