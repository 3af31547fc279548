"""Child process of ``throughput.py``: the baselines, reading every call from the emulator.

``python bench/_official_child.py twilio BASE_URL ACCOUNT USER PASSWORD LIMIT``: the official
``twilio`` package, its API domain's base URL pointed at the emulator, ``client.calls.stream()``
in pages of 1000 (Twilio's maximum, as callscope uses), each record serialized to NDJSON on
stdout like ``callscope list --format ndjson`` does.

``python bench/_official_child.py httpx-fonedynamics BASE_URL ACCOUNT USER PASSWORD LIMIT``: a
plain sequential httpx loop over Fone Dynamics' offset pages (``Results_Skip`` /
``Results_Count``), each raw record written as one JSON line.
"""

from __future__ import annotations

import json
import sys


def twilio(base_url: str, account: str, user: str, password: str, limit: int) -> int:
    from twilio.rest import Client

    client = Client(user, password, account)
    client.api.base_url = base_url
    out = sys.stdout
    n = 0
    for call in client.calls.stream(page_size=1000, limit=limit):
        out.write(json.dumps({"sid": call.sid, "from": call._from, "to": call.to,
                              "status": call.status, "start_time": str(call.start_time),
                              "duration": call.duration, "price": call.price}) + "\n")  # fmt: skip
        n += 1
    return n


def fonedynamics(base_url: str, account: str, user: str, password: str, limit: int) -> int:
    import httpx

    out = sys.stdout
    n = 0
    with httpx.Client(base_url=base_url, auth=(user, password), timeout=60) as client:
        skip = 0
        while n < limit:
            r = client.get(f"/v2/Accounts/{account}/Calls",
                           params={"Results_Skip": skip, "Results_Count": 200})  # fmt: skip
            r.raise_for_status()
            calls = r.json().get("Calls") or []
            for raw in calls:
                out.write(json.dumps(raw) + "\n")
            n += len(calls)
            skip += len(calls)
            if len(calls) < 200:
                break
    return n


def main() -> int:
    kind, base_url, account, user, password, limit = sys.argv[1:7]
    run = twilio if kind == "twilio" else fonedynamics
    count = run(base_url, account, user, password, int(limit))
    print(count, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
