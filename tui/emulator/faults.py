"""Fault injection: per provider, per request, deterministic.

A :class:`Faults` registry decides, for each request to a provider, how long to wait and which
fault (if any) replaces or damages the normal answer; the server carries the decision out. Faults
come from rates (seeded, so a sequential client sees the same faults on every run), from one-shot
triggers ("the 3rd request to twilio gets a 503") and from a spec string such as
``twilio:429=0.1,latency=100±20;exotel:500=0.05;*:latency=50``.

Fault kinds (:data:`FAULT_KINDS`):

- ``500``, ``503``: the provider's error body with that status.
- ``429``: the provider's 429 body with ``Retry-After: 1``; ``429-no-retry-after`` without it.
- ``auth``: the provider's 401 (credentials rejected mid-walk).
- ``slow``: the body trickles out in pieces over about a second.
- ``truncate``: ``Content-Length`` promises the whole body, half is sent, the connection closes.
- ``malformed``: a 200 whose JSON body is cut short.
- ``html``: a 502 HTML error page (``text/html``), like a proxy in front of the API.
- ``reset``: the connection is aborted without any response.
- ``connect-timeout``: the request is read but never answered (the server stalls).
- ``read-timeout``: the status line and headers are sent, then the body never comes.
- ``empty-loop``: an empty list page whose next link points to itself.
- ``repeat``: the previous successful answer of this provider, again.
- ``huge``: the normal answer padded (with JSON whitespace) to 5 MB.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from .ids import stable_hash

FAULT_KINDS = (
    "500",
    "503",
    "429",
    "429-no-retry-after",
    "auth",
    "slow",
    "truncate",
    "malformed",
    "html",
    "reset",
    "connect-timeout",
    "read-timeout",
    "empty-loop",
    "repeat",
    "huge",
)
HUGE_BYTES = 5 * 1024 * 1024
ALL = "*"

_LATENCY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:(?:±|\+-|\+/-)\s*(\d+(?:\.\d+)?))?\s*")


def parse_latency(text: str) -> tuple[float, float]:
    """``"100"`` or ``"100±20"`` (also ``100+-20``) → (mean ms, jitter ms)."""
    m = _LATENCY.fullmatch(text)
    if m is None:
        raise ValueError(f"latency must look like 100 or 100±20, got {text!r}")
    return float(m.group(1)), float(m.group(2) or 0)


@dataclass(frozen=True, slots=True)
class Decision:
    delay: float  # seconds to wait before answering
    kind: str | None  # a FAULT_KINDS entry, or None for a normal answer


@dataclass(slots=True)
class _ProviderFaults:
    rng: random.Random
    rates: dict[str, float] = field(default_factory=dict)
    latency: tuple[float, float] = (0.0, 0.0)
    pending: list[tuple[int, str]] = field(default_factory=list)  # (request number, kind)
    requests: int = 0


class Faults:
    """The fault registry of one emulator. Thread-safe enough for tests poking from outside."""

    def __init__(self, seed: int = 1) -> None:
        self._seed = seed
        self._by_provider: dict[str, _ProviderFaults] = {}

    def _get(self, provider: str) -> _ProviderFaults:
        pf = self._by_provider.get(provider)
        if pf is None:
            pf = _ProviderFaults(random.Random(stable_hash(self._seed, "faults", provider)))
            self._by_provider[provider] = pf
        return pf

    def set(
        self,
        provider: str,
        rates: dict[str, float] | None = None,
        latency: str | float | tuple[float, float] | None = None,
    ) -> None:
        """Set fault rates (probability per request, 0..1) and/or latency for ``provider``.

        ``provider="*"`` applies to every provider without its own setting of that item.
        """
        pf = self._get(provider)
        if rates is not None:
            for kind, rate in rates.items():
                _check_kind(kind)
                if not 0.0 <= float(rate) <= 1.0:
                    raise ValueError(f"rate of {kind} must be within 0..1, got {rate}")
            pf.rates = {k: float(v) for k, v in rates.items() if float(v) > 0}
        if latency is not None:
            if isinstance(latency, str):
                pf.latency = parse_latency(latency)
            elif isinstance(latency, tuple):
                pf.latency = (float(latency[0]), float(latency[1]))
            else:
                pf.latency = (float(latency), 0.0)

    def once(self, provider: str, fault: str, after: int = 0) -> None:
        """Serve ``fault`` once, to request number ``after + 1`` counted from now."""
        _check_kind(fault)
        pf = self._get(provider)
        pf.pending.append((pf.requests + after + 1, fault))

    def clear(self, provider: str | None = None) -> None:
        """Remove every fault (of one provider, or all); request counters are kept."""
        targets = [provider] if provider else list(self._by_provider)
        for p in targets:
            pf = self._by_provider.get(p)
            if pf is not None:
                pf.rates, pf.latency, pf.pending = {}, (0.0, 0.0), []

    def requests(self, provider: str) -> int:
        """How many requests ``provider`` has received (faulted or not)."""
        pf = self._by_provider.get(provider)
        return 0 if pf is None else pf.requests

    def apply_spec(self, spec: str) -> None:
        """Apply a spec: ``provider:item,item;provider:item`` where an item is ``KIND=RATE``,
        ``latency=MS[±JITTER]``, ``KIND@N`` (once, after N requests) or ``auth-after=N``."""
        for part in filter(None, (p.strip() for p in spec.split(";"))):
            provider, sep, items = part.partition(":")
            if not sep or not provider.strip():
                raise ValueError(f"fault spec part {part!r} must look like provider:item,item")
            provider = provider.strip()
            rates = dict(self._get(provider).rates)
            for item in filter(None, (i.strip() for i in items.split(","))):
                if "@" in item:
                    kind, _, n = item.partition("@")
                    self.once(provider, kind.strip(), int(n))
                    continue
                key, eq, value = item.partition("=")
                key = key.strip()
                if not eq:
                    raise ValueError(f"fault spec item {item!r} needs a value")
                if key == "latency":
                    self.set(provider, latency=value)
                elif key == "auth-after":
                    self.once(provider, "auth", int(value))
                else:
                    _check_kind(key)
                    rates[key] = float(value)
            self.set(provider, rates=rates)

    def decide(self, provider: str) -> Decision:
        """Count a request to ``provider`` and decide its delay and fault."""
        pf = self._get(provider)
        pf.requests += 1
        star = self._by_provider.get(ALL)
        kind: str | None = None
        for i, (n, k) in enumerate(pf.pending):
            if n == pf.requests:
                kind = k
                del pf.pending[i]
                break
        rates = pf.rates or (star.rates if star else {})
        if kind is None and rates:
            roll = pf.rng.random()
            acc = 0.0
            for k in sorted(rates):
                acc += rates[k]
                if roll < acc:
                    kind = k
                    break
        mean, jitter = pf.latency if pf.latency != (0.0, 0.0) or star is None else star.latency
        delay = mean + (pf.rng.uniform(-jitter, jitter) if jitter else 0.0)
        return Decision(max(0.0, delay) / 1000.0, kind)

    def snapshot(self) -> dict[str, Any]:
        return {
            p: {
                "rates": dict(pf.rates),
                "latency": list(pf.latency),
                "pending": [list(x) for x in pf.pending],
                "requests": pf.requests,
            }
            for p, pf in self._by_provider.items()
        }

    def control(self, command: dict[str, Any]) -> dict[str, Any]:
        """The JSON control API (``POST /_emulator/faults``).

        ``{"spec": "twilio:503=0.1"}``, ``{"provider": "twilio", "rates": {"503": 0.1},
        "latency": "100±20"}``, ``{"provider": "twilio", "once": "503", "after": 2}`` or
        ``{"clear": true, "provider": "twilio"}`` (provider optional). Answers the snapshot.
        """
        if command.get("clear"):
            self.clear(command.get("provider"))
        if "spec" in command:
            self.apply_spec(str(command["spec"]))
        provider = command.get("provider")
        if provider and ("rates" in command or "latency" in command):
            self.set(str(provider), rates=command.get("rates"), latency=command.get("latency"))
        if provider and "once" in command:
            self.once(str(provider), str(command["once"]), int(command.get("after", 0)))
        return self.snapshot()


def _check_kind(kind: str) -> None:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
