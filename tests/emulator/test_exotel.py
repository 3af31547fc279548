"""Exotel v1 Calls API: shapes, filters, limits, cursors, errors and auth as documented."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from tui.emulator import CallRecord, EmulatedAccount, Emulator
from tui.emulator.dataset import ENDED_STATUSES
from tui.emulator.exotel import ExotelAPI, national
from tui.emulator.exotel_query import ACCOUNT_TZ, PENDING_SECONDS, Columns, to_inr

FIXTURES = Path(__file__).parents[1] / "fixtures/providers/exotel/examples"
DAY = 86400
TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(calls=600, accounts_per_provider=2, providers=("exotel",)) as e:
        yield e


def _api(emu: Emulator) -> ExotelAPI:
    api = emu.api("exotel")
    assert isinstance(api, ExotelAPI)
    return api


def _url(a: EmulatedAccount, suffix: str = ".json") -> str:
    return f"{a.base_url}/v1/Accounts/{a.account}/Calls{suffix}"


def _client(a: EmulatedAccount) -> httpx.AsyncClient:
    return httpx.AsyncClient(auth=(a.username, a.password))


def _ist(ts: int) -> str:
    return datetime.fromtimestamp(ts, ACCOUNT_TZ).strftime("%Y-%m-%d %H:%M:%S")


# -- ground truth from the dataset's full records (independent of the emulator's columns) ------
def _direction(c: CallRecord) -> str:
    if c.is_child:
        return "outbound-dial"
    return "inbound" if c.direction == "inbound" else "outbound-api"


def _exophone(emu: Emulator, c: CallRecord) -> str:
    p = emu.dataset.call(c.account, c.parent_index) if c.parent_index is not None else c
    return p.to if p.direction == "inbound" else p.from_


def _ended(emu: Emulator, c: CallRecord) -> bool:
    return c.end is not None and c.end + PENDING_SECONDS <= emu.dataset.now


def _duration(emu: Emulator, c: CallRecord) -> int | None:
    return c.end - c.start if _ended(emu, c) and c.end and c.start else None


def _price(emu: Emulator, c: CallRecord) -> Decimal | None:
    return to_inr(c.price) if _ended(emu, c) else None


def truth(
    emu: Emulator,
    a: EmulatedAccount,
    pred: Callable[[CallRecord], bool] = lambda c: True,
    window: tuple[int, int] | None = None,
    asc: bool = False,
) -> list[str]:
    now = emu.dataset.now
    lo, hi = window or (now - 31 * DAY, now)
    spec = _api(emu).by_account[a.account]
    return [
        _api(emu).call_sid(spec, c.index)
        for c in emu.dataset.calls(a.key, newest_first=not asc)
        if c.status in ENDED_STATUSES and lo <= c.created <= hi and pred(c)
    ]


async def walk(c: httpx.AsyncClient, a: EmulatedAccount, params: dict[str, Any]) -> list[str]:
    """Follow NextPageUri verbatim until a page comes back empty; every page must link on."""
    r = await c.get(_url(a), params=params)
    assert r.status_code == 200, r.text
    sids: list[str] = []
    for _ in range(1000):
        body = r.json()
        assert body["Metadata"]["Total"] == body["Metadata"]["Total"]  # present
        if not body["Calls"]:
            assert body["Metadata"]["NextPageUri"] is None
            assert body["Metadata"]["PrevPageUri"] is None
            break
        sids += [x["Sid"] for x in body["Calls"]]
        r = await c.get(a.base_url + body["Metadata"]["NextPageUri"])
        assert r.status_code == 200, r.text
    assert len(sids) == len(set(sids)), "a record came twice"
    return sids


# -- envelope and records ----------------------------------------------------------------------
async def test_bulk_envelope_and_record_shape_follow_the_docs(emu: Emulator) -> None:
    a = emu.account("exotel")
    single_keys = set(_fixture("call_details.details_true.docs_example.json")["Call"]) - {"Details"}
    bulk = _fixture("calls_bulk.docs_example.json")
    async with _client(a) as c:
        r = await c.get(_url(a), params={"PageSize": 20})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == set(bulk) == {"Metadata", "Calls"}
    assert set(body["Metadata"]) == set(bulk["Metadata"])
    meta = body["Metadata"]
    assert meta["PageSize"] == 20 and len(body["Calls"]) == 20
    assert meta["Total"] == len(truth(emu, a))
    assert meta["FirstPageUri"].startswith(f"/v1/Accounts/{a.account}/Calls.json?")
    assert "After=" in meta["NextPageUri"] and "Before=" in meta["PrevPageUri"]
    for call in body["Calls"]:
        assert set(call) == single_keys
        assert set(bulk["Calls"][0]) <= set(call)
        assert re.fullmatch(r"[0-9a-f]{32}", call["Sid"])
        assert call["AccountSid"] == a.account
        assert call["Status"] in ENDED_STATUSES  # finished calls only
        assert call["Direction"] in ("inbound", "outbound-dial", "outbound-api")
        for k in ("DateCreated", "DateUpdated", "StartTime"):
            assert TIME.fullmatch(call[k])
        assert call["Duration"] is None or re.fullmatch(r"\d+", call["Duration"])
        assert call["Price"] is None or re.fullmatch(r"\d+\.\d{3}", call["Price"])
        assert call["RecordingUrl"] is None or call["RecordingUrl"].endswith(".mp3")
    completed = [x for x in body["Calls"] if x["Status"] == "completed"]
    assert completed and all(isinstance(x["Price"], str) for x in completed)
    # Indian numbers are written nationally, like the docs' "0XXXXX38847".
    assert any(re.fullmatch(r"0\d{10}", x["PhoneNumberSid"]) for x in body["Calls"])


async def test_single_call_with_details_matches_the_docs_example(emu: Emulator) -> None:
    a = emu.account("exotel")
    fixture = _fixture("call_details.details_true.docs_example.json")
    async with _client(a) as c:
        listed = (await c.get(_url(a), params={"PageSize": 30, "Status": "completed"})).json()
        item = listed["Calls"][-1]
        plain = await c.get(_url(a, "") + f"/{item['Sid']}.json")
        detailed = await c.get(_url(a, "") + f"/{item['Sid']}.json", params={"details": "true"})
    assert plain.status_code == 200 and plain.json() == {"Call": item}
    call = detailed.json()["Call"]
    assert set(detailed.json()) == set(fixture)
    assert set(call) == set(fixture["Call"])
    d = call["Details"]
    assert set(d) == set(fixture["Call"]["Details"])
    assert isinstance(d["ConversationDuration"], int)
    assert d["Leg1Status"] == d["Leg2Status"] == "completed"
    assert [leg["Leg"]["Id"] for leg in d["Legs"]] == [1, 2]
    assert all(
        set(leg) == {"Leg"} and set(leg["Leg"]) == {"Id", "OnCallDuration"} for leg in d["Legs"]
    )
    assert d["Legs"][0]["Leg"]["OnCallDuration"] == int(call["Duration"])


async def test_times_are_in_the_account_zone(emu: Emulator) -> None:
    a = emu.account("exotel")
    api = _api(emu)
    spec = api.by_account[a.account]
    async with _client(a) as c:
        call = (await c.get(_url(a), params={"PageSize": 1})).json()["Calls"][0]
    rec = next(r for r in emu.dataset.calls(a.key) if api.call_sid(spec, r.index) == call["Sid"])
    assert call["DateCreated"] == _ist(rec.created)
    assert call["StartTime"] == _ist(rec.start or 0)
    assert ExotelAPI.zone == "Asia/Kolkata"


# -- paging ------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 7, 100])
async def test_walk_equals_ground_truth_newest_first(emu: Emulator, size: int) -> None:
    a = emu.account("exotel")
    async with _client(a) as c:
        assert await walk(c, a, {"PageSize": size}) == truth(emu, a)


async def test_walk_oldest_first_with_sort_by(emu: Emulator) -> None:
    a = emu.account("exotel")
    async with _client(a) as c:
        got = await walk(c, a, {"PageSize": 9, "SortBy": "DateCreated:asc"})
        explicit = await walk(c, a, {"PageSize": 9, "SortBy": "DateCreated:desc"})
    assert got == truth(emu, a, asc=True)
    assert explicit == truth(emu, a)


@pytest.mark.parametrize("sort", ["DateCreated:desc", "DateCreated:asc"])
async def test_prev_page_uri_leads_back(emu: Emulator, sort: str) -> None:
    a = emu.account("exotel")
    async with _client(a) as c:
        p0 = (await c.get(_url(a), params={"PageSize": 5, "SortBy": sort})).json()
        p1 = (await c.get(a.base_url + p0["Metadata"]["NextPageUri"])).json()
        p2 = (await c.get(a.base_url + p1["Metadata"]["NextPageUri"])).json()
        back1 = (await c.get(a.base_url + p2["Metadata"]["PrevPageUri"])).json()
        back0 = (await c.get(a.base_url + back1["Metadata"]["PrevPageUri"])).json()
        before_first = (await c.get(a.base_url + p0["Metadata"]["PrevPageUri"])).json()
    assert back1["Calls"] == p1["Calls"] and back0["Calls"] == p0["Calls"]
    assert before_first["Calls"] == [] and before_first["Metadata"]["NextPageUri"] is None


async def test_next_page_uri_keeps_the_filters_url_encoded(emu: Emulator) -> None:
    a = emu.account("exotel")
    dc = "gte:2026-11-01 00:00:00;lte:2026-11-20 00:00:00"
    async with _client(a) as c:
        r = await c.get(_url(a), params={"DateCreated": dc, "Status": "completed", "PageSize": 3})
    nxt = r.json()["Metadata"]["NextPageUri"]
    assert "DateCreated=gte%3A2026-11-01%2000%3A00%3A00%3Blte%3A" in nxt
    assert "Status=completed" in nxt and "PageSize=3" in nxt and " " not in nxt


# -- filters against ground truth ---------------------------------------------------------------
async def _check(
    emu: Emulator,
    params: dict[str, Any],
    pred: Callable[[CallRecord], bool],
    empty: bool = False,
    **kw: Any,
) -> None:
    a = emu.account("exotel")
    expected = truth(emu, a, pred, **kw)
    assert bool(expected) != empty, "the filter must select something (or nothing, if empty)"
    async with _client(a) as c:
        first = (await c.get(_url(a), params={**params, "PageSize": 4})).json()
        got = await walk(c, a, {**params, "PageSize": 4})
    assert got == expected
    assert first["Metadata"]["Total"] == len(expected)


async def test_filter_status(emu: Emulator) -> None:
    await _check(emu, {"Status": "busy"}, lambda c: c.status == "busy")
    wanted = {"failed", "no-answer", "busy", "canceled"}
    await _check(emu, {"Status": ",".join(sorted(wanted))}, lambda c: c.status in wanted)
    await _check(emu, {"Status": "ringing,in-progress"}, lambda c: False, empty=True)


async def test_filter_direction(emu: Emulator) -> None:
    for d in ("inbound", "outbound-dial", "outbound-api"):
        await _check(emu, {"Direction": d}, lambda c, d=d: _direction(c) == d)  # type: ignore[misc]
    await _check(
        emu, {"Direction": "outbound-dial,inbound"}, lambda c: _direction(c) != "outbound-api"
    )


async def test_filter_numbers(emu: Emulator) -> None:
    a = emu.account("exotel")
    recs = [c for c in emu.dataset.calls(a.key) if c.status in ENDED_STATUSES]
    tos = sorted({c.to for c in recs[:40] if c.to.startswith("+")})[:3]
    froms = sorted({c.from_ for c in recs[:40] if c.from_.startswith("+")})[:5]
    phones = sorted({_exophone(emu, c) for c in recs})[:2]
    assert tos and froms and phones
    await _check(emu, {"To": ",".join(tos)}, lambda c: c.to in tos)
    await _check(emu, {"From": ",".join(froms)}, lambda c: c.from_ in froms)
    await _check(emu, {"PhoneNumber": phones[0]}, lambda c: _exophone(emu, c) == phones[0])
    await _check(
        emu,
        {"PhoneNumber": ",".join(phones), "From": ",".join(froms)},
        lambda c: _exophone(emu, c) in phones and c.from_ in froms,
    )


async def test_filter_duration_and_price(emu: Emulator) -> None:
    def dur(lo: int | None, hi: int | None) -> Callable[[CallRecord], bool]:
        def pred(c: CallRecord) -> bool:
            d = _duration(emu, c)
            return d is not None and (lo is None or d >= lo) and (hi is None or d <= hi)

        return pred

    await _check(emu, {"Duration": "gte:10s;lte:45s"}, dur(10, 45))
    await _check(emu, {"Duration": "gte:120s"}, dur(120, None))
    some = next(d for c in emu.dataset.calls(emu.account("exotel").key) if (d := _duration(emu, c)))
    await _check(emu, {"Duration": f"eq:{some}s"}, dur(some, some))

    def price(lo: str | None, hi: str | None) -> Callable[[CallRecord], bool]:
        def pred(c: CallRecord) -> bool:
            p = _price(emu, c)
            return (
                p is not None
                and (lo is None or p >= Decimal(lo))
                and (hi is None or p <= Decimal(hi))
            )

        return pred

    await _check(emu, {"Price": "gte:0.10;lte:2.0"}, price("0.10", "2.0"))
    await _check(emu, {"Price": "eq:1.0790"}, price("1.079", "1.079"))
    await _check(emu, {"Price": "gte:5", "Status": "completed"}, price("5", None))


async def test_filter_date_created_and_sid(emu: Emulator) -> None:
    now = emu.dataset.now
    lo, hi = now - 60 * DAY, now - 40 * DAY
    dc = f"gte:{_ist(lo)};lte:{_ist(hi)}"
    await _check(emu, {"DateCreated": dc}, lambda c: True, window=(lo, hi))
    await _check(
        emu, {"DateCreated": f"lte:{_ist(hi)}"}, lambda c: True, window=(hi - 31 * DAY, hi)
    )
    await _check(
        emu,
        {"DateCreated": f"gte:{_ist(now - 3 * DAY)}"},
        lambda c: True,
        window=(now - 3 * DAY, now),
    )
    a = emu.account("exotel")
    recent = truth(emu, a)[3:8]
    old = truth(emu, a, window=(lo, hi))[:2]
    async with _client(a) as c:
        r = await c.get(_url(a), params={"Sid": ",".join([*old, *recent, "0" * 32])})
        with_dc = await c.get(_url(a), params={"Sid": ",".join(old), "DateCreated": dc})
    # Without DateCreated only the last 31 days are searched (seed 003).
    assert [x["Sid"] for x in r.json()["Calls"]] == recent
    assert [x["Sid"] for x in with_dc.json()["Calls"]] == old


async def test_live_calls_are_not_listed_but_can_be_fetched(emu: Emulator) -> None:
    a = emu.account("exotel")
    ds, api = emu.dataset, _api(emu)
    live = ds.count(a.key) - 1
    assert ds.status(a.key, live) not in ENDED_STATUSES
    sid = api.call_sid(api.by_account[a.account], live)
    async with _client(a) as c:
        listed = await walk(c, a, {"PageSize": 100})
        one = await c.get(_url(a, "") + f"/{sid}.json", params={"details": "true"})
    assert sid not in listed
    call = one.json()["Call"]
    assert call["Status"] == ds.status(a.key, live)
    assert call["EndTime"] is None and call["Duration"] is None and call["Price"] is None


def test_cheap_columns_agree_with_the_records() -> None:
    from tui.emulator.dataset import Dataset

    ds = Dataset(seed=3, calls=3000)
    ds.add_account("exotel:0", home="IN")
    cols = Columns(ds, "exotel:0")
    for c in ds.calls("exotel:0"):
        i = c.index
        assert cols.status(i) == c.status
        if i < ds.live_from("exotel:0"):
            assert cols.direction(i) == _direction(c)
            parent = ds.call(c.account, c.parent_index) if c.parent_index is not None else c
            assert cols.exophone(i) == (
                parent.to if parent.direction == "inbound" else parent.from_
            )
            ended = c.end is not None and c.end + PENDING_SECONDS <= ds.now
            assert cols.duration(i) == (c.end - c.start if ended and c.end and c.start else None)
            assert cols.price(i) == (to_inr(c.price) if ended else None)
    assert cols.count_statuses(0, 3000, frozenset({"busy"})) == sum(
        1 for c in ds.calls("exotel:0") if c.status == "busy"
    )


async def test_big_dataset_pending_fields_and_speed() -> None:
    import time

    async with Emulator(calls=1_000_000, providers=("exotel",)) as emu:
        a = emu.account("exotel")
        async with _client(a) as c:
            dc = "gte:2026-11-01 00:00:00;lte:2026-11-10 00:00:00"
            cases: list[dict[str, Any]] = [{"PageSize": 100}, {"PageSize": 100, "DateCreated": dc}]
            for params in cases:
                t = time.perf_counter()
                r = await c.get(_url(a), params=params)
                assert r.status_code == 200 and time.perf_counter() - t < 0.5
            body = (await c.get(_url(a), params={"PageSize": 100})).json()
    newest = body["Calls"][0]
    # Duration, Price and EndTime are filled ~5 minutes after the call ends [doc].
    assert newest["Status"] in ENDED_STATUSES
    assert newest["Duration"] is None and newest["EndTime"] is None and newest["Price"] is None
    assert any(x["Duration"] is not None for x in body["Calls"])


# -- limits and errors ---------------------------------------------------------------------------
BAD_PARAMS: list[dict[str, Any]] = [
    {"PageSize": "0"},
    {"PageSize": "101"},
    {"PageSize": "lots"},
    {"Sid": ",".join(f"{i:032x}" for i in range(101))},
    {"To": ",".join(f"+9198765432{i:02d}" for i in range(6))},
    {"From": ",".join(f"+9198765432{i:02d}" for i in range(6))},
    {"PhoneNumber": ",".join(f"+9198765432{i:02d}" for i in range(6))},
    {"To": "09876543210"},
    {"From": "+91 98765"},
    {"DateCreated": "gte:2026-09-01 00:00:00;lte:2026-10-15 00:00:00"},
    {"DateCreated": "gte:2026-04-01 00:00:00;lte:2026-04-20 00:00:00"},
    {"DateCreated": "gte:2026-11-01"},
    {"DateCreated": "gt:2026-11-01 00:00:00"},
    {"DateCreated": "gte:2026-11-10 00:00:00;lte:2026-11-01 00:00:00"},
    {"Duration": "gte:10"},
    {"Duration": "between:10s"},
    {"Duration": "eq:10s;gte:5s"},
    {"Price": "gte:cheap"},
    {"Status": "done"},
    {"SortBy": "Duration:asc"},
    {"After": "bm9wZQ"},
    {"Before": "0" * 22},
    {"RecordingUrlValidity": "4"},
    {"RecordingUrlValidity": "61"},
    {"RecordingUrlValidity": "soon"},
]


@pytest.mark.parametrize("params", BAD_PARAMS)
async def test_each_limit_is_a_400_rest_exception(emu: Emulator, params: dict[str, Any]) -> None:
    a = emu.account("exotel")
    async with _client(a) as c:
        r = await c.get(_url(a), params=params)
    assert r.status_code == 400, params
    body = r.json()
    assert set(body) == {"RestException"}
    assert set(body["RestException"]) == {"Status", "Message", "Code"}
    assert body["RestException"]["Status"] == 400 and body["RestException"]["Message"]


async def test_documented_messages(emu: Emulator) -> None:
    a = emu.account("exotel")
    async with _client(a) as c:
        twilio_style = await c.get(_url(a), params={"StartTime>": "2026-11-01"})
        twilio_plain = await c.get(_url(a), params={"StartTime": "2026-11-01"})
        direction = await c.get(_url(a), params={"Direction": "outbound"})
        both = await c.get(_url(a), params={"PageSize": 2})
        meta = both.json()["Metadata"]
        after = meta["NextPageUri"].split("After=")[1]
        before = meta["PrevPageUri"].split("Before=")[1]
        mixed = await c.get(_url(a), params={"After": after, "Before": before})
    assert twilio_style.status_code == twilio_plain.status_code == 400
    assert twilio_style.json()["RestException"]["Message"] == "Invalid parameter"
    msg = direction.json()["RestException"]["Message"]
    assert all(d in msg for d in ("inbound", "outbound-dial", "outbound-api"))
    assert mixed.status_code == 400


async def test_limits_at_the_edge_are_accepted(emu: Emulator) -> None:
    a = emu.account("exotel")
    now = emu.dataset.now
    async with _client(a) as c:
        for params in (
            {"PageSize": "100"},
            {"PageSize": "1"},
            {"Sid": ",".join(f"{i:032x}" for i in range(100))},
            {"To": ",".join(f"+9198765432{i:02d}" for i in range(5))},
            {"DateCreated": f"gte:{_ist(now - 31 * DAY)};lte:{_ist(now)}"},
            {"DateCreated": f"gte:{_ist(now - 183 * DAY)};lte:{_ist(now - 160 * DAY)}"},
            {"Duration": "eq:30s"},
            {"Price": "eq:0.300030"},
            {"RecordingUrlValidity": "5"},
            {"RecordingUrlValidity": "60"},
            {"SortBy": "DateCreated:asc"},
            {"unknown": "ignored"},
        ):
            r = await c.get(_url(a), params=params)
            assert r.status_code == 200, (params, r.text)


async def test_unknown_call_is_a_404_rest_exception(emu: Emulator) -> None:
    a = emu.account("exotel")
    async with _client(a) as c:
        for sid in ("0" * 32, "nope", "b6cfaf5f5cef3ca0fc937749ef96d245"):
            r = await c.get(_url(a, "") + f"/{sid}.json")
            assert r.status_code == 404
            assert r.json()["RestException"]["Status"] == 404
        bad_validity = await c.get(
            _url(a, "") + f"/{'0' * 32}.json", params={"RecordingUrlValidity": 90}
        )
    assert bad_validity.status_code == 400


# -- auth ----------------------------------------------------------------------------------------
async def test_wrong_or_missing_credentials_give_the_documented_401(emu: Emulator) -> None:
    a, other = emu.account("exotel"), emu.account("exotel", 1)
    unauthorized = _fixture("error_401_unauthorized.docs_example.json")
    invalid_sid = _fixture("error_401_invalid_account_sid.docs_example.json")
    async with httpx.AsyncClient() as c:
        missing = await c.get(_url(a))
        wrong = await c.get(_url(a), auth=(a.username, "nope"))
        unknown = await c.get(_url(a), auth=("who", a.password))
        foreign = await c.get(_url(a), auth=(other.username, other.password))
        one = await c.get(_url(a, "") + f"/{'0' * 32}.json", auth=(a.username, "x"))
    for r in (missing, wrong, unknown, one):
        assert r.status_code == 401 and r.json() == unauthorized
    assert foreign.status_code == 401 and foreign.json() == invalid_sid


async def test_credentials_in_the_url_userinfo(emu: Emulator) -> None:
    a = emu.account("exotel")
    host = a.base_url.removeprefix("http://")
    async with httpx.AsyncClient() as c:
        r = await c.get(
            f"http://{a.username}:{a.password}@{host}/v1/Accounts/{a.account}/Calls.json"
        )
    assert r.status_code == 200 and r.json()["Calls"]


# -- XML -----------------------------------------------------------------------------------------
async def test_xml_without_the_json_suffix(emu: Emulator) -> None:
    a = emu.account("exotel")
    async with _client(a) as c:
        listing = await c.get(_url(a, ""), params={"PageSize": 3})
        sid = (await c.get(_url(a), params={"PageSize": 1, "Status": "completed"})).json()["Calls"][
            0
        ]["Sid"]
        one = await c.get(_url(a, "") + f"/{sid}", params={"details": "true"})
        err = await c.get(_url(a, ""), params={"PageSize": 500})
    async with httpx.AsyncClient() as anon:
        denied = await anon.get(_url(a, ""))
    assert listing.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(listing.content)
    assert root.tag == "TwilioResponse"
    assert len(root.findall("Calls/Call")) == 3
    assert root.findtext("Metadata/PageSize") == "3"
    assert (root.findtext("Metadata/NextPageUri") or "").startswith(
        f"/v1/Accounts/{a.account}/Calls?"
    )
    call = ElementTree.fromstring(one.content).find("Call")
    assert call is not None and call.findtext("Sid") == sid
    assert [x.findtext("Id") for x in call.findall("Details/Legs/Leg")] == ["1", "2"]
    assert err.status_code == 400
    assert ElementTree.fromstring(err.content).findtext("RestException/Status") == "400"
    assert denied.status_code == 401
    assert ElementTree.fromstring(denied.content).findtext("RestException/Code") == "UNAUTHORIZED"


# -- recordings ----------------------------------------------------------------------------------
async def test_recordings_plain_and_presigned(emu: Emulator) -> None:
    a = emu.account("exotel")
    async with _client(a) as c:
        body = (await c.get(_url(a), params={"PageSize": 100, "RecordingUrlValidity": 15})).json()
    with_rec = [x for x in body["Calls"] if x["RecordingUrl"]]
    without = [x for x in body["Calls"] if not x["RecordingUrl"]]
    assert with_rec and without
    assert all(x["PreSignedRecordingUrl"] is None for x in without)
    x = with_rec[0]
    assert x["Status"] == "completed"
    assert x["RecordingUrl"].startswith(a.base_url + "/exotelrecordings/")
    signed = x["PreSignedRecordingUrl"]
    assert signed.startswith(x["RecordingUrl"] + "?") and "X-Amz-Expires=900" in signed
    async with httpx.AsyncClient() as anon:
        plain = await anon.get(x["RecordingUrl"])
        pre = await anon.get(signed)
        forged = await anon.get(signed[:-1] + ("0" if signed[-1] != "0" else "1"))
        missing = await anon.get(x["RecordingUrl"].replace(x["Sid"], without[0]["Sid"]))
    assert plain.status_code == 200 and plain.headers["content-type"] == "audio/mpeg"
    assert plain.content[:2] == b"\xff\xfb"
    assert pre.status_code == 200 and pre.content == plain.content
    assert forged.status_code == 403 and b"SignatureDoesNotMatch" in forged.content
    assert missing.status_code == 404 and b"NoSuchKey" in missing.content


# -- faults and determinism ----------------------------------------------------------------------
async def test_fault_hooks_use_the_exotel_shapes(emu: Emulator) -> None:
    a = emu.account("exotel")
    async with _client(a) as c:
        emu.faults.once("exotel", "empty-loop")
        loop = await c.get(_url(a), params={"PageSize": 5})
        emu.faults.once("exotel", "503")
        unavailable = await c.get(_url(a))
        emu.faults.once("exotel", "auth")
        auth = await c.get(_url(a))
        emu.faults.once("exotel", "429")
        limited = await c.get(_url(a))
    body = loop.json()
    assert body["Calls"] == [] and a.base_url + body["Metadata"]["NextPageUri"] == str(
        loop.request.url
    )
    assert unavailable.status_code == 503 and unavailable.json()["RestException"]["Status"] == 503
    assert auth.status_code == 401 and auth.json() == _fixture(
        "error_401_unauthorized.docs_example.json"
    )
    assert limited.status_code == 429 and limited.json()["RestException"]["Code"]
    assert emu.errors == []


async def test_determinism_across_runs() -> None:
    pages = []
    for _ in range(2):
        async with Emulator(calls=300, seed=7, providers=("exotel",)) as emu:
            a = emu.account("exotel")
            async with _client(a) as c:
                r = await c.get(_url(a), params={"PageSize": 50, "Status": "completed,busy"})
            pages.append(r.text.replace(emu.origin, "ORIGIN"))
    assert pages[0] == pages[1]
    assert json.loads(pages[0])["Calls"]


def test_national_format() -> None:
    assert national("+919876543210") == "09876543210"
    assert national("+14155550100") == "+14155550100"
    assert national("sip:alice@pbx.example.com") == "sip:alice@pbx.example.com"
    assert (datetime(2026, 1, 1, tzinfo=ACCOUNT_TZ).utcoffset() or timedelta()) == timedelta(
        hours=5, minutes=30
    )
