"""``callscope list`` against the emulator: formats, filters, limits, --explain, --fail-empty."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import CALLS, Result, account_table, truth_ids, write_config
from tui.emulator import Emulator, EmulatorConfig, EmulatorThread


def test_csv_lists_every_call_with_numbers_and_prices_exactly_as_sent(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    r = run_cli(
        "list",
        "--config",
        str(config_file),
        "-a",
        "twilio",
        "--all",
        "--format",
        "csv",
        "--columns",
        "id,from,to,price,status",
    )
    assert r.code == 0, r.err
    assert r.err == ""
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert [row["id"] for row in rows] == truth_ids(emu)
    a = emu.account("twilio")
    records = list(emu.dataset.calls(a.key))
    for row, record in zip(rows, records, strict=True):
        assert row["from"] == record.from_  # +14155550100 stays as is: no quote prefix
        assert row["to"] == record.to
        expected = "" if record.price is None else f"-{record.price:.5f}"
        assert row["price"] == expected  # a negative price stays exactly as the provider sent it
    assert any(row["price"].startswith("-") for row in rows)
    assert any(row["from"].startswith("+") for row in rows)


def test_json_and_ndjson_hold_the_same_rows_and_parse_back(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    base = ("list", "--config", str(config_file), "-a", "signalwire", "--all", "--columns", "all")
    as_json = run_cli(*base, "--format", "json")
    as_ndjson = run_cli(*base, "--format", "ndjson")
    assert as_json.code == as_ndjson.code == 0
    array = json.loads(as_json.out)
    lines = [json.loads(line) for line in as_ndjson.out.splitlines()]
    assert array == lines
    assert [row["id"] for row in array] == truth_ids(emu, "signalwire")
    assert len(array) == CALLS
    assert all(isinstance(row["raw"], dict) for row in array)


def test_flags_and_query_combine_into_one_filter(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    r = run_cli(
        "list",
        "--config",
        str(config_file),
        "-a",
        "twilio",
        "--all",
        "-f",
        "ndjson",
        "--query",
        "dir:in",
        "--status",
        "completed,busy",
        "--min-duration",
        "10",
    )
    assert r.code == 0, r.err
    rows = [json.loads(line) for line in r.out.splitlines()]
    a = emu.account("twilio")
    sids = emu.api("twilio").sids[a.account]  # type: ignore[attr-defined]
    expected = [
        sids.call(c.index)
        for c in emu.dataset.calls(a.key)
        if c.direction == "inbound"
        and c.status in ("completed", "busy")
        and c.duration is not None
        and c.duration >= 10
    ]
    assert expected
    assert [row["id"] for row in rows] == expected


def test_a_bad_filter_term_exits_2_and_points_at_it(
    config_file: Path, run_cli: Callable[..., Result]
) -> None:
    r = run_cli(
        "list",
        "--config",
        str(config_file),
        "-a",
        "twilio",
        "--query",
        "dir:in",
        "--status",
        "bogus",
    )
    assert r.code == 2
    assert r.out == ""
    lines = r.err.splitlines()
    assert lines[0].startswith("callscope: bad filter: column 15: unknown status 'bogus'")
    assert lines[1] == "  dir:in status:bogus"
    assert lines[2] == "  " + " " * len("dir:in status:") + "^"


def test_an_unknown_column_or_account_is_a_usage_error(
    config_file: Path, run_cli: Callable[..., Result]
) -> None:
    r = run_cli("list", "--config", str(config_file), "-a", "twilio", "--columns", "id,nope")
    assert (r.code, r.out) == (2, "")
    assert "unknown column 'nope'" in r.err and len(r.err.splitlines()) == 1
    r = run_cli("list", "--config", str(config_file), "-a", "nobody")
    assert r.code == 2
    assert "no account named 'nobody'" in r.err
    r = run_cli("list", "--config", str(config_file))
    assert r.code == 2
    assert "choose one with --account" in r.err


def test_explain_prints_the_plan_without_any_request(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    before = {p: emu.faults.requests(p) for p in ("twilio", "exotel")}
    r = run_cli(
        "list",
        "--config",
        str(config_file),
        "-a",
        "twilio",
        "--explain",
        "--status",
        "failed",
        "--min-price",
        "0.05",
    )
    assert r.code == 0, r.err
    assert "server: status" in r.out
    assert "local" in r.out and "price" in r.out
    assert "Status=failed" in r.out
    r = run_cli("list", "--config", str(config_file), "-a", "exotel", "--explain", "--since=-70d")
    assert r.code == 0, r.err
    assert "split     3 queries" in r.out
    assert {p: emu.faults.requests(p) for p in ("twilio", "exotel")} == before


@pytest.mark.parametrize("provider", ["twilio", "exotel"])
def test_ids_are_fetched_directly_not_found_by_scanning_the_account(
    provider: str, emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    everything = run_cli("list", "--config", str(config_file), "-a", provider, "--all",
                         "--since", "-80d", "-f", "ndjson", "--columns", "id,status")  # fmt: skip
    rows = [json.loads(line) for line in everything.out.splitlines()]
    wanted = [rows[-1]["id"], rows[len(rows) // 2]["id"]]
    before = emu.faults.requests(provider)
    r = run_cli("list", "--config", str(config_file), "-a", provider, "--all", "-f", "ndjson",
                "--columns", "id", "--query", "id:" + ",".join([*wanted, "NO-SUCH-CALL"]))  # fmt: skip
    assert r.code == 0, r.err
    assert sorted(json.loads(line)["id"] for line in r.out.splitlines()) == sorted(wanted)
    assert emu.faults.requests(provider) - before == 3  # one per id, nothing scanned
    status = rows[-1]["status"]
    r = run_cli("list", "--config", str(config_file), "-a", provider, "--all", "-f", "ndjson",
                "--columns", "id", "--id", ",".join(wanted), "--status", status)  # fmt: skip
    want = [row["id"] for row in rows if row["id"] in wanted and row["status"] == status]
    # fetched by id: in id order, not list order (the ids may be any distance apart)
    assert sorted(json.loads(line)["id"] for line in r.out.splitlines()) == sorted(want)
    r = run_cli("list", "--config", str(config_file), "-a", provider, "--explain",
                "--id", wanted[0])  # fmt: skip
    assert "plan      server: id (fetched directly)" in r.out


def test_nothing_matched_exits_1_only_with_fail_empty(
    config_file: Path, run_cli: Callable[..., Result]
) -> None:
    args = (
        "list",
        "--config",
        str(config_file),
        "-a",
        "twilio",
        "-f",
        "csv",
        "--text",
        "no call says this",
    )
    r = run_cli(*args)
    assert r.code == 0
    assert r.out.splitlines() == [
        "id,parent_id,provider,account,time,direction,status,from,to,"
        "from_name,duration,price,currency,end_reason"
    ]
    r = run_cli(*args, "--fail-empty")
    assert r.code == 1
    assert r.err == "callscope: no call matched\n"
    r = run_cli(*args[:-2], "--format", "json", "--text", "nothing like it", "--fail-empty")
    assert (r.code, json.loads(r.out)) == (1, [])


def test_limit_n_prints_n_calls_and_no_notice_about_it(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    """-n 3 asked for three calls: three rows and nothing to explain on stderr."""
    for n in ("3", "30"):
        r = run_cli("list", "--config", str(config_file), "-a", "portsip", "-n", n)
        assert r.code == 0
        lines = r.out.splitlines()
        assert lines[0].split() == ["TIME", "DIR", "FROM", "TO", "STATUS", "DUR", "PRICE", "ID"]
        assert len(lines) == 1 + int(n)
        assert r.err == ""


def test_the_default_limit_of_a_table_in_a_terminal_says_that_it_stopped_there(
    emu: Emulator,
    config_file: Path,
    run_cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setattr("tui.commands.listing.is_tty", lambda stream: stream is sys.stdout)
    r = run_cli("list", "--config", str(config_file), "-a", "twilio")
    assert r.code == 0
    assert len(r.out.splitlines()) == 1 + 100
    assert r.err == (
        "callscope: stopped after 100 calls, the default for a table in a terminal "
        "(--all for every match, --limit N for another number)\n"
    )
    r = run_cli("list", "--config", str(config_file), "-a", "twilio", "--status", "failed")
    assert len(r.out.splitlines()) < 100 and r.err == ""  # all of them: nothing left out


def test_table_cells_are_aligned_and_truncated(
    config_file: Path, run_cli: Callable[..., Result]
) -> None:
    r = run_cli(
        "list",
        "--config",
        str(config_file),
        "-a",
        "twilio",
        "-n",
        "10",
        "--columns",
        "status,id,from",
    )
    assert r.code == 0
    lines = r.out.splitlines()
    start_of_id = lines[0].index("ID")
    start_of_from = lines[0].index("FROM")
    for line in lines[1:]:
        assert line[start_of_id - 2 : start_of_id] == "  "
        assert line[start_of_from - 2 : start_of_from] == "  "
        assert len(line[start_of_from:]) <= 18


def test_presets_feed_list_and_errors_point_into_the_whole_line(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    cfg = str(config_file)
    assert run_cli("preset", "save", "failed", "--config", cfg, "--status", "failed").code == 0
    r = run_cli(
        "list",
        "--config",
        cfg,
        "-a",
        "twilio",
        "--preset",
        "failed",
        "--all",
        "-f",
        "ndjson",
        "--columns",
        "status",
    )
    assert r.code == 0, r.err
    statuses = {json.loads(line)["status"] for line in r.out.splitlines()}
    assert statuses == {"failed"}
    r = run_cli("list", "--config", cfg, "-a", "twilio", "--preset", "failed", "-q", "dur:<x")
    assert r.code == 2
    assert r.err.splitlines()[1] == "  status:failed dur:<x"
    r = run_cli("list", "--config", cfg, "-a", "twilio", "--preset", "missing")
    assert r.code == 2 and "no preset named 'missing'" in r.err


def test_hostile_provider_text_never_reaches_output_raw(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    with EmulatorThread(EmulatorConfig(calls=40, hostile=True)) as hostile:
        cfg = write_config(tmp_path / "h.toml", [account_table(hostile.account("twilio"))])
        for fmt in ("table", "csv", "json", "ndjson"):
            r = run_cli("list", "--config", str(cfg), "--all", "-f", fmt, "--columns", "all")
            assert r.code == 0, r.err
            bad = [ch for ch in r.out if ch in "\x1b\x07\x00\x9b\u202e\u200b"]
            assert bad == [], fmt
        assert "\\x1b" in r.out  # shown as a visible escape instead


def test_ndjson_written_from_records_is_the_ndjson_of_their_calls(
    tmp_path: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing writes plain records' lines without building calls (LaML, Fone Dynamics): same bytes, hostile
    text included (those records take the usual path)."""
    from tui.commands import listing

    with EmulatorThread(EmulatorConfig(calls=120, hostile=True)) as hostile:
        names = ("twilio", "signalwire", "fonedynamics")
        accounts = [account_table(hostile.account(p)) for p in names]
        cfg = write_config(tmp_path / "h.toml", accounts)
        outs: dict[tuple[str, str, bool], str] = {}
        for render in (True, False):
            if not render:
                monkeypatch.setattr(listing, "_renderer", lambda adapter, writer: None)
            for name in names:
                for columns in ("id,time,from,to,name,dur,price,status,dir", "default"):
                    args = ["--columns", columns] if columns != "default" else []
                    r = run_cli("list", "--config", str(cfg), "-a", name, "--all", "-f",
                                "ndjson", "--page-size", "25", *args)  # fmt: skip
                    assert r.code == 0, r.err
                    outs[(name, columns, render)] = r.out
        for (name, columns, render), out in outs.items():
            if render:
                assert out == outs[(name, columns, False)], (name, columns)
                assert out.count("\n") == 120 or name == "fonedynamics", (name, out.count("\n"))


def test_limit_cuts_rendered_ndjson_lines_too(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    # Twilio NDJSON is written from pre-rendered lines, a path of its own: --limit must cut it
    # at the same call as the unlimited listing's 30th.
    args = ("list", "--config", str(config_file), "-a", "twilio", "--format", "ndjson")
    every = run_cli(*args, "--all").out.splitlines()
    r = run_cli(*args, "--limit", "30")
    assert r.code == 0
    lines = r.out.splitlines()
    assert len(lines) == 30 and lines == every[:30]
    assert all(json.loads(line)["id"] for line in lines)
    assert r.err == ""


def test_the_emulators_written_config_names_each_account_after_its_provider(
    emu: Emulator, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    from tui.emulator.cli import write_config as emulator_config

    cfg = tmp_path / "emu.toml"
    emulator_config(cfg, emu.accounts)
    for provider in ("twilio", "signalwire", "exotel", "fonedynamics", "portsip"):
        r = run_cli("list", "--config", str(cfg), "-a", provider, "--all", "--since", "-80d",
                    "-f", "ndjson", "--columns", "id")  # fmt: skip
        assert r.code == 0, r.err
        assert r.out.count("\n") > 10
    first = run_cli("list", "--config", str(cfg), "-a", "twilio", "-n", "5", "-f", "ndjson",
                    "--columns", "id")  # fmt: skip
    assert [json.loads(line)["id"] for line in first.out.splitlines()] == truth_ids(emu)[:5]
    shown = run_cli("config", "show", "--config", str(cfg))
    assert shown.code == 0 and shown.err == ""
    assert "label = Fone Dynamics (emulator)  " in shown.out  # no property sids in the label


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_column_names_of_an_export_can_be_passed_back_to_columns(
    fmt: str, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    """A user reads the header of an export and asks for some of those columns again."""
    args = ("list", "--config", str(config_file), "-a", "twilio", "-n", "5", "-f", fmt)
    for columns in ((), ("--columns", "all")):
        first = run_cli(*args, *columns)
        assert first.code == 0, first.err
        if fmt == "csv":
            names = first.out.splitlines()[0].split(",")
        else:
            names = list(json.loads(first.out)[0])
        again = run_cli(*args, "--columns", ",".join(names))
        assert again.code == 0, again.err
        assert again.out == first.out
    picked = run_cli(*args, "--columns", "id,duration,direction,end_reason")
    assert picked.code == 0, picked.err
    if fmt == "csv":
        assert picked.out.splitlines()[0] == "id,duration,direction,end_reason"
