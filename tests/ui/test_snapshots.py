"""SVG snapshots of the main screens: the demo data, a fixed clock, UTC (pytest-textual-snapshot).

The scenarios are the ones that regenerate screenshots/ (tui/ui/screenshots.py), so the README's
pictures and these snapshots show the same screens. Update after an intended change with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tui.ui.screenshots import SCENARIOS, demo_app, size_of


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_screen_matches_its_snapshot(name: str, snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(demo_app(tmp_path), terminal_size=size_of(name), run_before=SCENARIOS[name])
