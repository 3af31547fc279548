"""``callscope config`` and ``callscope preset``: the file, its values and origins, secrets."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Result, account_table, write_config
from tui.commands.config import starter
from tui.core.config import load
from tui.emulator import Emulator


def test_config_locate_prints_the_path_from_the_option_or_the_env(
    tmp_path: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    r = run_cli("config", "locate", "--config", str(tmp_path / "x.toml"))
    assert (r.code, r.out) == (0, f"{tmp_path / 'x.toml'}\n")
    monkeypatch.setenv("CALLSCOPE_CONFIG", str(tmp_path / "env.toml"))
    r = run_cli("config", "locate")
    assert r.out == f"{tmp_path / 'env.toml'}\n"


def test_config_init_writes_a_private_commented_starter_and_never_overwrites(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    path = tmp_path / "sub" / "config.toml"
    r = run_cli("config", "init", "--config", str(path))
    assert r.code == 0, r.err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert text == starter()
    assert tomllib.loads(text) == {}  # everything is a comment until the user uncomments it
    for provider in ("twilio", "signalwire", "exotel", "fonedynamics", "portsip"):
        assert f'# provider = "{provider}"' in text
    assert 'password_env = "TWILIO_AUTH_TOKEN"' in text
    path.write_text("theme = 'mine'\n", encoding="utf-8")
    r = run_cli("config", "init", "--config", str(path))
    assert r.code == 2 and "--force" in r.err
    assert path.read_text(encoding="utf-8") == "theme = 'mine'\n"
    os.chmod(path, 0o644)
    assert run_cli("config", "init", "--config", str(path), "--force").code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_uncommented_starter_account_reads_its_secrets_from_the_env(tmp_path: Path) -> None:
    block = starter().split("# [[accounts]]\n")[1].split("\n\n")[0]
    text = "[[accounts]]\n" + "\n".join(line[2:] for line in block.splitlines())
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    env = {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "t" * 32}
    config = load(path, environ=env)
    assert config.accounts[0].provider == "twilio"
    assert config.accounts[0].password.get_secret_value() == "t" * 32


def test_config_show_masks_secrets_and_says_where_values_came_from(
    emu: Emulator, tmp_path: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    a = emu.account("twilio")
    b = emu.account("exotel")
    table = account_table(a)
    del table["password"]
    table["password_env"] = "MY_TWILIO_TOKEN"
    monkeypatch.setenv("MY_TWILIO_TOKEN", a.password)
    cfg = write_config(tmp_path / "c.toml", [table, account_table(b)])
    r = run_cli("config", "show", "--config", str(cfg))
    assert r.code == 0, r.err
    assert a.password not in r.out and b.password not in r.out
    assert a.password[-4:] not in r.out
    assert "(env MY_TWILIO_TOKEN)" in r.out
    assert f"base_url = {a.base_url}" in r.out
    assert "zone = UTC" in r.out and "(default)" in r.out
    assert "(--config)" in r.out


def test_a_world_readable_config_is_warned_about(
    config_file: Path, run_cli: Callable[..., Result]
) -> None:
    os.chmod(config_file, 0o644)
    r = run_cli("config", "show", "--config", str(config_file))
    assert r.code == 0
    assert f"callscope: warning: {config_file} is readable by other users" in r.err


def test_config_check_reports_each_account_and_exits_with_the_worst(
    emu: Emulator, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    good = [account_table(a) for a in emu.accounts]
    bad = account_table(emu.account("twilio"), name="bad", password="not-the-token")
    cfg = write_config(tmp_path / "c.toml", [*good, bad])
    r = run_cli("config", "check", "--config", str(cfg))
    assert r.code == 3
    lines = dict(line.split(None, 1) for line in r.out.splitlines())
    assert set(lines) == {a.provider for a in emu.accounts} | {"bad"}
    for a in emu.accounts:
        assert lines[a.provider].startswith("OK"), lines[a.provider]
    assert lines["bad"].startswith("FAIL   twilio  Twilio: authentication failed")
    assert "not-the-token" not in r.out
    cfg = write_config(tmp_path / "ok.toml", good)
    assert run_cli("config", "check", "--config", str(cfg)).code == 0


def test_presets_save_list_replace_and_delete_keeping_other_keys(
    config_file: Path, run_cli: Callable[..., Result]
) -> None:
    cfg = str(config_file)
    r = run_cli("preset", "save", "slow", "--config", cfg, "-q", "dur:>60", "--dir", "in")
    assert r.code == 0, r.err
    assert run_cli("preset", "save", "bad", "--config", cfg, "--dir", "sideways").code == 2
    run_cli("preset", "save", "failed", "--config", cfg, "--status", "failed")
    r = run_cli("preset", "list", "--config", cfg)
    assert r.out.splitlines() == ["failed  status:failed", "slow    dur:>60 dir:in"]
    r = run_cli("preset", "save", "slow", "--config", cfg, "-q", "dur:>120")
    assert "replaced" in r.err
    assert run_cli("preset", "delete", "failed", "--config", cfg).code == 0
    assert run_cli("preset", "delete", "failed", "--config", cfg).code == 2
    data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    assert data["presets"] == {"slow": "dur:>120"}
    assert len(data["accounts"]) == 5  # the rest of the file survives the rewrite
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600


WRONG_TYPES = """\
utc = "yes"
columns = 5
them = "dark"

[[accounts]]
name = "work"
provider = "twilio"
account = "AC0123456789abcdef0123456789abcdef"
password = "x"
page_size = "50"
colr = "red"

[keys]
"table.down" = 5
"table.dwn" = "n"
"""


@pytest.mark.parametrize("action", ["show", "check"])
def test_config_show_and_check_name_each_value_of_the_wrong_type_and_each_unknown_key(
    action: str, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(WRONG_TYPES, encoding="utf-8")
    cfg.chmod(0o600)
    r = run_cli("config", action, "--config", str(cfg))
    assert r.code == 2 and r.out == ""
    assert r.err.splitlines() == [
        f"callscope: {cfg}: 4 problems",
        '  utc: expected true or false, got the string "yes"',
        "  columns: expected a list of strings, got the integer 5",
        '  keys."table.down": expected a string (a key such as j or ctrl+s), got the integer 5',
        '  accounts.work.page_size: expected a whole number ≥ 1, got the string "50"',
        "callscope: warning: them: unknown key, ignored (did you mean theme?)",
        'callscope: warning: keys."table.dwn": no key binding has this id, ignored'
        " (did you mean table.down?)",
        "callscope: warning: accounts.work.colr: unknown key, ignored (did you mean color?)",
    ]


def test_config_show_warns_of_a_key_override_for_a_binding_that_does_not_exist(
    config_file: Path, run_cli: Callable[..., Result]
) -> None:
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text + '\n[keys]\n"table.down" = "n"\n"tabel.up" = "p"\n', "utf-8")
    r = run_cli("config", "show", "--config", str(config_file))
    assert r.code == 0, r.err
    assert "keys.table.down = n" in r.out
    assert r.err == (
        'callscope: warning: keys."tabel.up": no key binding has this id, ignored'
        " (did you mean table.up?)\n"
    )


def test_an_account_without_its_id_is_named_with_the_missing_key(
    emu: Emulator, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    table = account_table(emu.account("twilio"), name="work")
    del table["account"]
    table["username"] = "SK" + "0" * 32  # an API key: the path still needs the account SID
    cfg = write_config(tmp_path / "c.toml", [table])
    r = run_cli("list", "--config", str(cfg), "-a", "work")
    assert r.code == 2 and r.out == ""
    assert r.err.startswith(
        f"callscope: {cfg}: accounts.work.account: missing: the account SID (AC…) of this "
        "twilio account; set account or account_env (the username SK… is an API key, not the id)"
    )
    assert len(r.err.splitlines()) == 1
