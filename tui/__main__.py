"""``python -m tui`` is the ``callscope`` command."""

from tui.cli import main

raise SystemExit(main())
