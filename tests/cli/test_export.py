"""``tui.core.export``: formula injection neutralized, numbers kept, secrets and escapes gone."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.export import Exporter, neutralize_formula, parse_columns
from tui.core.model import Status, build_call

SECRET = "s3cr3t-auth-token-value"


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil")',
        "@SUM(1+1)",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "\tTAB",
        "\rCR",
        " =1+1",
        "+",
        "-",
        "+1 415 555",
        "＝1+1",
        "-A1",
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralized(cell: str) -> None:
    assert neutralize_formula(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell",
    [
        "+14155550100",
        "-0.200",
        "-0.01500",
        "+1",
        "-.5",
        "12",
        "",
        "client:alice",
        "sip:user@example.org",
        "a=b",
        "Refund +1",
    ],
)
def test_numbers_prices_and_plain_text_stay_exactly_as_they_are(cell: str) -> None:
    assert neutralize_formula(cell) == cell


def hostile_call() -> object:
    return build_call(
        provider="twilio",
        account="prod",
        id="CA1",
        from_number="+14155550100",
        to_number='=HYPERLINK("http://evil.example","x")',
        from_name="@SUM(A1:A9)",
        end_reason="\x1b]52;c;aGk=\x07 clip",
        price=Decimal("-0.200"),
        currency="USD",
        duration=12,
        extras={"note": f"https://u:{SECRET}@example.com", "\x1bkey": "-1+1"},
        raw={"sid": "CA1", "auth": SECRET, "bidi": "a\u202eb"},
    )


def test_csv_export_neutralizes_formulas_and_keeps_numbers_and_prices() -> None:
    out = io.StringIO()
    with Exporter(out, "csv", ["from", "to", "name", "price", "dur", "reason"]) as exporter:
        exporter.write(hostile_call())  # type: ignore[arg-type]
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["from", "to", "from_name", "price", "duration", "end_reason"]
    assert rows[1] == [
        "+14155550100",
        '\'=HYPERLINK("http://evil.example","x")',
        "'@SUM(A1:A9)",
        "-0.200",
        "12",
        "\\x1b]52;c;aGk=\\x07 clip",
    ]


@pytest.mark.parametrize("fmt", ["csv", "json", "ndjson"])
def test_no_export_holds_a_secret_or_an_escape_byte(fmt: str) -> None:
    out = io.StringIO()
    with Exporter(out, fmt, parse_columns("all"), secrets=[SECRET]) as exporter:  # type: ignore[arg-type]
        exporter.write(hostile_call())  # type: ignore[arg-type]
    text = out.getvalue()
    assert SECRET not in text
    assert not any(ch in text for ch in "\x1b\x07\u202e")
    assert "••••••" in text


def test_json_is_one_array_written_incrementally_and_keeps_exact_prices() -> None:
    out = io.StringIO()
    exporter = Exporter(out, "json", ["id", "price", "dur"])
    assert out.getvalue() == ""
    exporter.write(hostile_call())  # type: ignore[arg-type]
    assert out.getvalue().startswith("[\n {")  # the first row is out before the export ends
    exporter.write(hostile_call())  # type: ignore[arg-type]
    exporter.close()
    assert json.loads(out.getvalue()) == [{"id": "CA1", "price": "-0.200", "duration": 12}] * 2


def test_an_empty_export_is_still_a_valid_document() -> None:
    for fmt, expected in (("json", "[]\n"), ("ndjson", ""), ("csv", "id,from\r\n")):
        out = io.StringIO()
        Exporter(out, fmt, ["id", "from"]).close()  # type: ignore[arg-type]
        assert out.getvalue() == expected


def test_unknown_columns_are_named() -> None:
    with pytest.raises(ValueError, match="unknown column 'nope'"):
        parse_columns("id,nope")


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_json_lines_match_the_sanitized_row_for_clean_and_hostile_calls(fmt: str) -> None:
    clean = build_call(provider="twilio", account="prod", id="CA2", from_number="+14155550100",
                       price=Decimal("-0.200"), duration=3, to_name=f"x{SECRET}y")  # fmt: skip
    out = io.StringIO()
    with Exporter(out, fmt, "all", secrets=[SECRET]) as exporter:  # type: ignore[arg-type]
        for call in (clean, hostile_call(), clean):
            exporter.write(call)  # type: ignore[arg-type]
        expected = [exporter.row(c) for c in (clean, hostile_call(), clean)]  # type: ignore[arg-type]
    text = out.getvalue()
    rows = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines()]
    assert rows == expected
    assert SECRET not in text and "\x1b" not in text
    assert rows[0]["to_name"] == "x••••••y"


NOW = datetime(2026, 11, 20, 11, 59, tzinfo=UTC)
LOCAL = datetime(2026, 11, 20, 11, 59, tzinfo=timezone(timedelta(hours=5, minutes=30)))
_TEXTS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        ["José Álvarez", "a\u202eb", "\x85nel", "\u200bzw", "\x7f", 'q"uote', "back\\slash",
         "\ud800", f"x{SECRET}y", "ok", "+14155550100", "東京"]
    ),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            _TEXTS, _TEXTS, _TEXTS, st.one_of(st.none(), st.integers(-(2**70), 2**70)),
            st.one_of(st.none(), st.sampled_from([Decimal("-0.200"), Decimal("1E+3"), Decimal("0")])),
            st.dictionaries(st.text(max_size=4), st.one_of(_TEXTS, st.floats(), st.booleans()), max_size=3),
        ),
        max_size=6,
    ),
    st.sampled_from([None, "all", "id,from,extras,raw,dur,price", "time,id,time,ended,warnings"]),
)  # fmt: skip
def test_ndjson_lines_are_byte_for_byte_the_encoded_sanitized_row(
    calls: list[tuple[Any, ...]], columns: str | None
) -> None:
    built = [
        build_call(provider="twilio", account="prod", id=f"CA{n}", from_number=a, to_number=b,
                   from_name=c, duration=d, price=p, extras=e, raw={"k": a, "e": e},
                   started_at=[None, NOW, NOW.replace(microsecond=5), LOCAL][n % 4],
                   created_at=[NOW, None][n % 2], ended_at=[None, LOCAL][n % 2],
                   status=[Status.COMPLETED, Status.UNKNOWN][n % 2], warnings=("w",) * (n % 2))
        for n, (a, b, c, d, p, e) in enumerate(calls)
    ]  # fmt: skip
    one, batch = io.StringIO(), io.StringIO()
    with Exporter(one, "ndjson", columns, secrets=[SECRET]) as by_one:
        for call in built:
            by_one.write(call)
    with Exporter(batch, "ndjson", columns, secrets=[SECRET]) as by_page:
        assert by_page.write_all(built) == len(built)
    expected = "".join(json.dumps(by_one.row(c), ensure_ascii=False) + "\n" for c in built)
    assert one.getvalue() == expected
    assert batch.getvalue() == expected


LEAN_FIELDS = frozenset(
    {"provider", "account", "id", "parent_id", "from_number", "to_number", "from_name",
     "to_name", "created_at", "started_at", "answered_at", "duration", "price", "currency",
     "direction", "direction_raw", "status", "status_raw", "answered_by", "end_reason"}
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(_TEXTS, _TEXTS, _TEXTS, st.one_of(st.none(), st.integers(-(2**70), 2**70)),
                  st.one_of(st.none(), st.sampled_from([Decimal("-0.200"), Decimal("1E+3")]))),
        max_size=6,
    ),
    st.sampled_from([None, "id,from,dur,price", "time,id,time,status,dir", "ended", "all"]),
)  # fmt: skip
def test_a_line_from_some_fields_is_the_calls_line_or_none(
    calls: list[tuple[Any, ...]], columns: str | None
) -> None:
    built = [
        build_call(provider="twilio", account="prod", id=f"CA{n}", from_number=a, to_number=b,
                   from_name=c, duration=d, price=p,
                   started_at=[None, NOW, NOW.replace(microsecond=5), LOCAL][n % 4],
                   created_at=[NOW, None][n % 2], status=[Status.COMPLETED, Status.UNKNOWN][n % 2])
        for n, (a, b, c, d, p) in enumerate(calls)
    ]  # fmt: skip
    exporter = Exporter(io.StringIO(), "ndjson", columns, secrets=[SECRET])
    line = exporter.fields_line(LEAN_FIELDS)
    if columns in ("ended", "all"):  # they read fields the dict does not hold
        assert line is None
        return
    assert line is not None
    for call in built:
        fields = {k: v for k, v in call.__dict__.items() if k in LEAN_FIELDS}
        text = line(fields)
        assert text is None or text == exporter.json_line(call)
        if (
            all(
                v is None or (type(v) is str and v.isascii() and v.isalnum())
                for v in (call.from_number, call.to_number, call.from_name)
            )
            and call.time is not LOCAL
        ):
            assert text is not None  # plain values take the fast path
    assert Exporter(io.StringIO(), "csv", columns).fields_line(LEAN_FIELDS) is None
