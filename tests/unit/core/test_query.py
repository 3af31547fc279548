"""The query language: examples, errors that point at the column, canonical round-trip."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.errors import QueryError
from tui.core.filter import CallFilter, NumberPattern, NumRange, TimeBound, extra_fields
from tui.core.model import Call, Direction, Status
from tui.core.query import format_query, parse_query

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_the_documented_example_parses_to_the_intended_filter() -> None:
    flt = parse_query('status:failed,busy dir:in to:+4420* since:-2h dur:<5 price:>=0.05 "refund"')
    assert flt.statuses == {Status.FAILED, Status.BUSY}
    assert flt.directions == {Direction.INBOUND}
    assert flt.to_numbers == (NumberPattern("+4420", prefix=True),)
    assert flt.since == TimeBound("-2h")
    assert flt.since.resolve(NOW) == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert flt.duration == NumRange(high=Decimal(5), high_inclusive=False)
    assert flt.price == NumRange(low=Decimal("0.05"))
    assert flt.text == ("refund",)


def test_canonical_text_is_stable() -> None:
    text = "dir:in status:busy,failed since:2h dur:10..60 dur:<=30 id:CA1,CA2 keys:1>2 hello"
    assert format_query(parse_query(text)) == (
        "status:busy,failed dir:in since:-2h dur:10..30 id:CA1,CA2 keys:1>2 hello"
    )


@pytest.mark.parametrize(
    ("query", "column", "fragment"),
    [
        ("status:failed colour:red", 14, "unknown field 'colour'"),
        ("status:failed,bogus", 14, "unknown status 'bogus'"),
        ("dir:sideways", 4, "unknown direction"),
        ("since:-2x", 6, "not a time"),
        ("dur:<abc", 4, "not a dur range"),
        ('to:+44 "unclosed', 7, "unterminated quote"),
        ("price:", 6, "missing a value"),
        ("unique:sometimes", 7, "unknown unique"),
        ("since:-1h since:-2h", 16, "given twice"),
    ],
)
def test_parse_errors_name_the_column_and_what_was_expected(
    query: str, column: int, fragment: str
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.column == column
    assert fragment in caught.value.message
    assert caught.value.expected


def test_relative_times_and_keywords_resolve_against_now() -> None:
    assert parse_query("since:today").since.resolve(NOW) == datetime(2026, 11, 20, tzinfo=UTC)  # type: ignore[union-attr]
    assert parse_query("until:yesterday").until.resolve(NOW) == datetime(2026, 11, 19, tzinfo=UTC)  # type: ignore[union-attr]
    assert parse_query("since:-7d").since.resolve(NOW) == datetime(2026, 11, 13, 12, tzinfo=UTC)  # type: ignore[union-attr]
    assert parse_query("since:2026-11-01T10:00+01:00").since == TimeBound("2026-11-01T09:00:00Z")


def _call(**kw: object) -> Call:
    base: dict[str, object] = {"provider": "twilio", "account": "a", "id": "CA1"}
    base.update(kw)
    return Call(**base)  # type: ignore[arg-type]


def test_matches_applies_every_field_locally() -> None:
    call = _call(
        status=Status.FAILED, direction=Direction.INBOUND, from_number="+14155550100",
        to_number="+442071234567", started_at=datetime(2026, 11, 20, 11, 0, tzinfo=UTC),
        duration=3, price=Decimal("-0.07"), from_name="Refund desk",
    )  # fmt: skip
    assert parse_query(
        'status:failed dir:in to:+4420* since:-2h dur:<5 price:>=0.05 "refund"'
    ).matches(call, NOW)
    assert not parse_query("status:busy").matches(call, NOW)
    assert not parse_query("since:-30m").matches(call, NOW)
    assert not parse_query("price:>0.07").matches(call, NOW)
    assert parse_query("from:(415)*").matches(call, NOW) is False
    assert parse_query("from:+1415*").matches(call, NOW)
    assert not parse_query('"nowhere"').matches(call, NOW)


# -- round trip ---------------------------------------------------------------------------

_text = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() == s or True)
_numbers = st.builds(
    NumberPattern,
    st.text(min_size=1, max_size=10).filter(lambda s: not s.endswith("*")),
    st.booleans(),
)
_decimals = st.decimals(
    min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False
)


@st.composite
def _ranges(draw: st.DrawFn) -> NumRange | None:
    low = draw(st.none() | _decimals)
    high = draw(st.none() | _decimals)
    if low is None and high is None:
        return None
    return NumRange(low, high, draw(st.booleans()), draw(st.booleans()))


_times = st.sampled_from(
    ["-15m", "-2h", "-7d", "today", "yesterday", "now", "2026-11-01"]
) | st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda d: TimeBound.at(d).text)


@st.composite
def filters(draw: st.DrawFn) -> CallFilter:
    extras = draw(
        st.lists(
            st.tuples(
                st.sampled_from([e.key for e in extra_fields() if not e.choices]),
                st.lists(_text, min_size=1, max_size=3).map(tuple),
            ),
            max_size=3,
        )
    )
    if draw(st.booleans()):
        extras.append(("unique", (draw(st.sampled_from(["unique", "repeat"])),)))
    return CallFilter(
        statuses=frozenset(draw(st.sets(st.sampled_from(list(Status))))),
        directions=frozenset(draw(st.sets(st.sampled_from(list(Direction))))),
        from_numbers=tuple(draw(st.lists(_numbers, max_size=3))),
        to_numbers=tuple(draw(st.lists(_numbers, max_size=3))),
        since=draw(st.none() | _times.map(TimeBound)),
        until=draw(st.none() | _times.map(TimeBound)),
        duration=draw(_ranges()),
        price=draw(_ranges()),
        parent_id=draw(st.none() | _text),
        ids=tuple(draw(st.lists(_text, max_size=3))),
        text=tuple(draw(st.lists(_text, max_size=3))),
        extras=tuple(extras),
    )


@settings(max_examples=400, deadline=None)
@given(filters())
def test_printed_filters_parse_back_to_the_same_filter(flt: CallFilter) -> None:
    text = format_query(flt)
    assert parse_query(text) == flt, text


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_raises_a_query_error(text: str) -> None:
    try:
        parse_query(text)
    except QueryError as exc:
        assert 0 <= exc.column <= len(text)
