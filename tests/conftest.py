"""Shared test helpers: where the providers' official example payloads live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "providers"


def load_fixture(relative: str) -> Any:
    """Load ``tests/fixtures/providers/<relative>`` (copied from shared/reference/fixtures)."""
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


@pytest.fixture
def fixture_json() -> Any:
    return load_fixture
