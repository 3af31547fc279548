"""The config loader: every value of the wrong type, every key it does not know and every
account it cannot use is reported with its key path, instead of passing silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from tui.core.account import Account, missing_id
from tui.core.config import load
from tui.core.errors import ConfigError
from tui.core.filter import CallFilter
from tui.providers import adapter_for

TWILIO = """
[[accounts]]
name = "work"
provider = "twilio"
account = "AC0123456789abcdef0123456789abcdef"
username = "AC0123456789abcdef0123456789abcdef"
password = "token"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def problems(path: Path, **kw: object) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load(path, environ={}, **kw)  # type: ignore[arg-type]
    found = {p.path: p.message for p in caught.value.problems}
    for key, message in found.items():
        assert f"{key}: {message}" in str(caught.value)  # the one line names each
    return found


def test_values_of_the_wrong_type_are_each_reported_with_their_path_and_expected_type(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        'utc = "yes"\ncolumns = 5\ntheme = 3\n'
        + TWILIO
        + 'page_size = "50"\ncolour = ["red"]\n'
        + '[keys]\n"table.down" = 5\n[presets]\nbusy = true\n',
    )
    found = problems(path)
    assert found == {
        "utc": 'expected true or false, got the string "yes"',
        "columns": "expected a list of strings, got the integer 5",
        "theme": "expected a string, got the integer 3",
        "accounts.work.page_size": 'expected a whole number ≥ 1, got the string "50"',
        "accounts.work.colour": "expected a string, got a list",
        'keys."table.down"': "expected a string (a key such as j or ctrl+s), got the integer 5",
        "presets.busy": "expected a string (a query), got true",
    }


def test_unknown_keys_are_warnings_naming_the_key_and_the_file_still_loads(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, 'them = "dark"\n' + TWILIO + 'zones = "UTC"\nlabel = "Work"\n')
    config = load(path, environ={})
    assert config.accounts[0].label == "Work"
    assert config.warnings == [
        "them: unknown key, ignored (did you mean theme?)",
        "accounts.work.zones: unknown key, ignored (did you mean zone?)",
    ]


def test_key_overrides_for_bindings_that_do_not_exist_are_warned_about(tmp_path: Path) -> None:
    path = write(tmp_path, TWILIO + '[keys]\n"table.dwn" = "n"\n"table.up" = "p"\n')
    assert load(path, environ={}).warnings == []  # without the ids nothing can be said
    config = load(path, environ={}, bindings={"table.up", "table.down"})
    assert config.keys == {"table.dwn": "n", "table.up": "p"}
    assert config.warnings == [
        'keys."table.dwn": no key binding has this id, ignored (did you mean table.down?)'
    ]


@pytest.mark.parametrize(
    ("table", "what"),
    [
        ('provider = "twilio"\nusername = "SK0123"\n', "account SID"),  # an API key is no id
        ('provider = "twilio"\n', "account SID"),
        ('provider = "exotel"\nusername = "api-key"\n', "account SID"),
        ('provider = "signalwire"\nbase_url = "https://x.signalwire.com/api/laml/2010-04-01"\n',
         "project id"),
        ('provider = "fonedynamics"\n', "account or property SID"),
    ],
)  # fmt: skip
def test_an_account_without_its_id_names_the_missing_key(
    tmp_path: Path, table: str, what: str
) -> None:
    path = write(tmp_path, f'[[accounts]]\nname = "work"\n{table}password = "x"\n')
    found = problems(path)
    assert list(found) == ["accounts.work.account"]
    assert found["accounts.work.account"].startswith(f"missing: the {what}")
    assert "set account or account_env" in found["accounts.work.account"]


def test_every_problem_of_the_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'utc = 1\n[[accounts]]\nname = "a"\nprovider = "nope"\n'
        '[[accounts]]\nname = "b"\nprovider = "twilio"\npassword_env = "UNSET_VAR"\n',
    )
    assert set(problems(path)) == {
        "utc",
        "accounts.a.provider",
        "accounts.b.password_env",
        "accounts.b.account",
    }


@pytest.mark.parametrize(
    ("provider", "username"),
    [("twilio", "SK0123"), ("signalwire", ""), ("exotel", "api-key"), ("fonedynamics", "")],
)
def test_an_adapter_for_an_account_without_its_id_raises_the_loaders_text_before_any_request(
    provider: str, username: str
) -> None:
    """Where the browser builds its pager (``adapter.source``), not inside a page fetch, where
    it used to become 'malformed response: unexpected ConfigError while reading a page'."""
    account = Account(name="work", provider=provider, base_url="http://127.0.0.1:9/api",
                      username=username, password=SecretStr("x"))  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        adapter_for(account).source(CallFilter())
    expected = missing_id("work", provider, "", username)
    assert expected is not None and caught.value.problems == (expected,)
    assert str(caught.value) == str(expected)
