"""``python -m tui.emulator``: run the emulator command."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
