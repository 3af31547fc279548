"""Fallback for ``throughput.py`` while ``callscope list`` does not exist: the same pipeline.

``python bench/_list_inprocess.py CONFIG ACCOUNT``: the adapter's source for the empty filter,
walked by :class:`Walker`, each ``Call.raw`` written as one NDJSON line to stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys


async def run(config_path: str, name: str) -> int:
    from tui.core import config as config_module
    from tui.core.filter import CallFilter
    from tui.core.walk import Walker
    from tui.providers import adapter_for

    config = config_module.load(config_path)
    account = next(a for a in config.accounts if a.name == name)
    adapter = adapter_for(account)
    source, _plan = adapter.source(CallFilter())
    out = sys.stdout
    n = 0
    try:
        async for admitted in Walker(source, None, adapter.title).pages():
            out.write("".join(json.dumps(c.raw) + "\n" for c in admitted.rows))
            n += len(admitted.rows)
    finally:
        await adapter.aclose()
    return n


def main() -> int:
    print(asyncio.run(run(sys.argv[1], sys.argv[2])), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
