"""The built-in providers, each registered once: what the config, the filter language, the CLI,
the browser and the emulator need to know of it (:class:`~tui.core.registry.ProviderSpec`).

This module is data: it imports only :mod:`tui.core.registry` (the emulator reads it too), and
names the adapter and the emulated API by import path, loaded when first used. Adding a provider:
``tui/providers/README.md``.
"""

from __future__ import annotations

from collections.abc import Mapping

from tui.core.registry import EnvAccount, ExtraField, PathId, ProviderSpec, register_builtin


def _first(env: Mapping[str, str], *names: str) -> str:
    return next((env[name] for name in names if env.get(name)), "")


def _signalwire_space(env: Mapping[str, str]) -> str | None:
    """``SIGNALWIRE_SPACE_URL`` (``example.signalwire.com``, with or without https://) or a bare
    space name, as the Compatibility API's base URL."""
    space = _first(env, "SIGNALWIRE_SPACE_URL", "SIGNALWIRE_SPACE")
    if not space:
        return None
    host = space.removeprefix("https://").rstrip("/")
    host = host if "." in host else f"{host}.signalwire.com"
    return f"https://{host}/api/laml/2010-04-01"


TWILIO = ProviderSpec(
    id="twilio",
    title="Twilio",
    adapter="tui.providers.twilio:TwilioAdapter",
    emulator="tui.emulator.laml:TwilioAPI",
    default_base_url="https://api.twilio.com",
    path_id=PathId("account SID (AC…)", api_key_prefix="SK"),
    env=EnvAccount(
        path_id=("TWILIO_ACCOUNT_SID",),
        user=("TWILIO_API_KEY", "TWILIO_ACCOUNT_SID"),
        secret=("TWILIO_API_SECRET", "TWILIO_AUTH_TOKEN"),
    ),
    colour="#f22f46",
    sample="""\
# [[accounts]]
# name = "twilio"
# provider = "twilio"
# account_env = "TWILIO_ACCOUNT_SID"            # AC… (the id in API paths)
# username_env = "TWILIO_ACCOUNT_SID"           # or an API key SID (SK…)
# password_env = "TWILIO_AUTH_TOKEN"            # or the API key's secret
""",
)

SIGNALWIRE = ProviderSpec(
    id="signalwire",
    title="SignalWire",
    adapter="tui.providers.signalwire:SignalWireAdapter",
    emulator="tui.emulator.laml:SignalWireAPI",
    default_base_url="https://{space}/api/laml/2010-04-01",
    path_id=PathId("project id"),
    env=EnvAccount(
        path_id=("SIGNALWIRE_PROJECT_ID",),
        user=("SIGNALWIRE_PROJECT_ID",),
        secret=("SIGNALWIRE_API_TOKEN", "SIGNALWIRE_TOKEN"),
        base_url=_signalwire_space,
        missing_base="SIGNALWIRE_SPACE_URL is not set: SignalWire account skipped",
    ),
    colour="#044ef4",
    sample="""\
# [[accounts]]
# name = "signalwire"
# provider = "signalwire"
# base_url = "https://example.signalwire.com/api/laml/2010-04-01"   # your space
# account_env = "SIGNALWIRE_PROJECT_ID"
# username_env = "SIGNALWIRE_PROJECT_ID"
# password_env = "SIGNALWIRE_API_TOKEN"
""",
)

EXOTEL = ProviderSpec(
    id="exotel",
    title="Exotel",
    adapter="tui.providers.exotel:ExotelAdapter",
    emulator="tui.emulator.exotel:ExotelAPI",
    default_base_url="https://api.exotel.com",
    path_id=PathId("account SID", username_is_id=False),  # the username is the API key
    env=EnvAccount(
        path_id=("EXOTEL_ACCOUNT_SID", "EXOTEL_SID"),
        user=("EXOTEL_API_KEY",),
        secret=("EXOTEL_API_TOKEN",),
    ),
    extras=(
        ExtraField(
            "exophone",
            "ExoPhone",
            # the adapter's E.164 form of the record's national PhoneNumberSid
            ("ExoPhone", "PhoneNumber"),
            "the ExoPhone (virtual number) of the call",
            match="number",
            aliases=("phonenumber",),
        ),
    ),
    colour="#1c9bd8",
    sample="""\
# [[accounts]]
# name = "exotel"
# provider = "exotel"
# base_url = "https://api.exotel.com"           # Mumbai cluster: https://api.in.exotel.com
# account_env = "EXOTEL_ACCOUNT_SID"
# username_env = "EXOTEL_API_KEY"
# password_env = "EXOTEL_API_TOKEN"
# zone = "Asia/Kolkata"                         # Exotel times carry no zone
""",
)


def _attribution(key: str, what: str) -> ExtraField:
    label, wire = f"Attribution {what}", f"Attribution_{what.title()}"
    return ExtraField(key, label, (wire,), f"marketing attribution {what}")


FONEDYNAMICS = ProviderSpec(
    id="fonedynamics",
    title="Fone Dynamics",
    adapter="tui.providers.fonedynamics:FoneDynamicsAdapter",
    emulator="tui.emulator.fonedynamics:FoneDynamicsAPI",
    default_base_url="https://api.fonedynamics.com",
    path_id=PathId("account or property SID"),
    env=EnvAccount(
        path_id=("FONEDYNAMICS_ACCOUNT_SID",),
        user=("FONEDYNAMICS_ACCOUNT_SID",),
        secret=("FONEDYNAMICS_TOKEN", "FONEDYNAMICS_AUTH_TOKEN"),
    ),
    extras=(
        _attribution("source", "source"),
        _attribution("medium", "medium"),
        _attribution("campaign", "campaign"),
        _attribution("content", "content"),
        ExtraField(
            "endpoint", "Endpoint", ("Endpoint",), "number the call was routed to", match="number"
        ),
        ExtraField(
            "keys",
            "IVR keys",
            ("Prompts_Keys",),
            "IVR path, 1>2 = key 1 then key 2; alternatives by comma",
            match="path",
            aliases=("prompts_keys",),
        ),
        ExtraField(
            "unique",
            "Caller",
            (),
            "unique = first-time callers, repeat = repeat callers",
            match="server",
            choices=("unique", "repeat"),
        ),
    ),
    colour="#f7941d",
    scopes=("account", "property"),  # what an account's sid names
    sample="""\
# [[accounts]]
# name = "fonedynamics"
# provider = "fonedynamics"
# account_env = "FONEDYNAMICS_ACCOUNT_SID"
# username_env = "FONEDYNAMICS_ACCOUNT_SID"
# password_env = "FONEDYNAMICS_TOKEN"
""",
)

PORTSIP = ProviderSpec(
    id="portsip",
    title="PortSIP",
    adapter="tui.providers.portsip:PortSipAdapter",
    emulator="tui.emulator.portsip:PortSipAPI",
    default_base_url="{url}",
    env=EnvAccount(
        path_id=(),
        user=("PORTSIP_USERNAME", "PORTSIP_USER"),
        secret=("PORTSIP_PASSWORD",),
        base_url=lambda env: env.get("PORTSIP_URL") or None,
        keys={"domain": "PORTSIP_DOMAIN"},
    ),
    extras=(
        ExtraField("trunk", "Trunk", ("trunk",), "SIP trunk name"),
        ExtraField(
            "reason",
            "End reason",
            (),
            "why the call ended, e.g. CANCELLED",
            attr="end_reason",
            aliases=("end_reason",),
        ),
    ),
    colour="#00a859",
    sample="""\
# [[accounts]]
# name = "portsip"
# provider = "portsip"
# base_url = "https://pbx.example.com:8887/api"
# username_env = "PORTSIP_USERNAME"
# password_env = "PORTSIP_PASSWORD"
# domain = "example.com"                        # the tenant's SIP domain
""",
)

register_builtin(TWILIO, SIGNALWIRE, EXOTEL, FONEDYNAMICS, PORTSIP)
