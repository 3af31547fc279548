"""Hardening suite helpers: the fault matrix and the counts the closing note reports.

Tests record outcomes into :data:`MATRIX` (provider × fault → outcome) and bump :data:`COUNTS`
(faults tried, hostile strings tried, leaks found); ``pytest_terminal_summary`` prints both, so
every run of ``pytest tests/hardening`` ends with the table.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

PROVIDERS = ("twilio", "signalwire", "exotel", "fonedynamics", "portsip")

MATRIX: dict[str, dict[str, str]] = {}  # surface ("browser"/"cli") → "provider|fault" → outcome
COUNTS: Counter[str] = Counter()


def record(surface: str, provider: str, fault: str, outcome: str) -> None:
    MATRIX.setdefault(surface, {})[f"{provider}|{fault}"] = outcome


def _table(cells: dict[str, str]) -> list[str]:
    providers = [p for p in PROVIDERS if any(k.startswith(p + "|") for k in cells)]
    faults: list[str] = []
    for key in cells:
        fault = key.split("|", 1)[1]
        if fault not in faults:
            faults.append(fault)
    width = max([len(f) for f in faults] + [5])
    col = max([len(v) for v in cells.values()] + [len(p) for p in providers]) + 2
    lines = ["fault".ljust(width) + "  " + "".join(p.ljust(col) for p in providers)]
    for fault in faults:
        row = fault.ljust(width) + "  "
        row += "".join(cells.get(f"{p}|{fault}", "-").ljust(col) for p in providers)
        lines.append(row.rstrip())
    return lines


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not MATRIX and not COUNTS:
        return
    tr = terminalreporter
    for surface, cells in MATRIX.items():
        tr.write_sep("=", f"fault matrix ({surface}): provider × fault → outcome")
        for line in _table(cells):
            tr.write_line(line)
    if COUNTS:
        tr.write_sep("=", "hardening counts")
        for name in sorted(COUNTS):
            tr.write_line(f"{name}: {COUNTS[name]:,}")
