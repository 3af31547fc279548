"""Theme files (TOML) → Textual ``Theme`` objects: the shipped ``themes/`` and the user's own."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.theme import Theme

THEME_KEYS = ("primary", "secondary", "accent", "warning", "error", "success", "foreground",
              "background", "surface", "panel", "boost")  # fmt: skip
DEFAULT_THEME = "callscope-dark"


def shipped_themes_dir() -> Path:
    """``themes/`` beside the package (a source checkout or an editable install)."""
    return Path(__file__).resolve().parents[2] / "themes"


def load_theme(path: Path) -> Theme:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    name = str(data.get("name") or path.stem)
    colours: dict[str, str] = {key: str(data[key]) for key in THEME_KEYS if key in data}
    variables = {str(k): str(v) for k, v in dict(data.get("variables", {})).items()}
    return Theme(name=name, dark=bool(data.get("dark", True)), variables=variables, **colours)  # type: ignore[arg-type]


def load_themes(*folders: Path) -> tuple[list[Theme], list[str]]:
    """Every theme in ``folders`` (later folders win by name), and a warning per broken file."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_theme(path)
            except (OSError, tomllib.TOMLDecodeError, ValueError, TypeError) as exc:
                problems.append(f"theme {path.name}: {exc}")
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems
