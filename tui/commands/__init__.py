"""The headless commands of ``callscope``: list, show, recordings, preset and config.

They share the browser's filter language, adapters and emulator; :mod:`tui.cli` builds the
argument parser from each module's ``add_parser`` and runs the chosen one's ``run``. Data goes
to stdout, narration to stderr, and the exit code says what happened (:mod:`.exits`).
"""
