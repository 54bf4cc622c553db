"""Cutting one profile out of `~/.okx/config.toml`: nothing else may change.

Every layout here is checked two ways: the exact text left (only the
profile's header and keys are gone) and, for generated files, that the file
parses to the old document minus that profile.
"""

from __future__ import annotations

import os
import stat
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okx_auth_graph.okx import OkxSettings
from okx_auth_graph.okx.config_file import (
    ProfileEditError,
    config_path,
    remove_profile,
    without_profile,
)
from okx_sim.toml_writer import render_key, render_value

NOON = datetime(2026, 11, 24, 12, 0, 0)


@pytest.mark.parametrize(
    ("before", "name", "after"),
    [
        (  # the block and its keys; comments before the next table stay with it
            '[profiles.a]\nk = 1\n\n# about b\n[profiles.b]\nk = 2\n',
            "a",
            '\n# about b\n[profiles.b]\nk = 2\n',
        ),
        (  # the last block, and a comment inside it that precedes a key
            'x = 1\n[profiles.a]\nk = 1\n[profiles.b]\n# note\nk = 2\n',
            "b",
            'x = 1\n[profiles.a]\nk = 1\n',
        ),
        (  # a quoted name and its sub-table
            '[profiles."my acct"]\nk = 1\n[profiles."my acct".extra]\nz = 0\n[other]\ny = 2\n',
            "my acct",
            '[other]\ny = 2\n',
        ),
        (  # a dangling default goes when no profile is left; other top-level keys stay
            'default_profile = "a"\ntheme = "dark"\n\n[profiles.a]\nk = 1\n',
            "a",
            'theme = "dark"\n\n',
        ),
        (  # a default naming a remaining profile stays
            'default_profile = "b"\n[profiles.a]\nk = 1\n[profiles.b]\nk = 2\n',
            "a",
            'default_profile = "b"\n[profiles.b]\nk = 2\n',
        ),
        (  # Windows line endings survive
            '[profiles.a]\r\nk = 1\r\n[profiles.b]\r\nk = 2\r\n',
            "a",
            '[profiles.b]\r\nk = 2\r\n',
        ),
        (  # a table whose name merely starts with the profile's is not it
            '[profiles.ab]\nk = 1\n[profiles.a]\nk = 2\n',
            "a",
            '[profiles.ab]\nk = 1\n',
        ),
    ],
)
def test_removes_exactly_the_profile(before: str, name: str, after: str) -> None:
    assert without_profile(before, name) == after


def test_a_missing_profile_is_an_error() -> None:
    with pytest.raises(ProfileEditError, match=r"no \[profiles.c\] block"):
        without_profile('[profiles.a]\nk = 1\n', "c")


def write_config(home: Path, text: str, mode: int = 0o600) -> Path:
    path = home / ".okx" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_keeps_a_byte_identical_backup_and_the_mode(tmp_path: Path) -> None:
    text = '# mine\ndefault_profile = "b"\n[profiles.a]\napi_key = "k"\n[profiles.b]\nsite = "us"\n'
    path = write_config(tmp_path, text)
    removal = remove_profile(OkxSettings(okx_home=str(tmp_path)), "a", NOON)

    assert removal.backup == path.with_name("config.toml.20261124-120000.bak")
    assert removal.backup.read_bytes() == text.encode()
    assert path.read_text() == '# mine\ndefault_profile = "b"\n[profiles.b]\nsite = "us"\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(removal.backup.stat().st_mode) == 0o600
    assert (removal.was_default, removal.remaining) == (False, ("b",))


def test_never_overwrites_an_earlier_backup(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[profiles.a]\nk = 1\n[profiles.b]\nk = 2\n[profiles.c]\nk = 3\n')
    first = remove_profile(OkxSettings(okx_home=str(tmp_path)), "a", NOON)
    second = remove_profile(OkxSettings(okx_home=str(tmp_path)), "b", NOON)
    assert first.backup != second.backup
    assert "[profiles.a]" in first.backup.read_text()
    assert "[profiles.a]" not in second.backup.read_text()
    assert path.read_text() == "[profiles.c]\nk = 3\n"


def test_reports_a_removed_default(tmp_path: Path) -> None:
    write_config(tmp_path, 'default_profile = "a"\n[profiles.a]\nk = 1\n[profiles.b]\nk = 2\n')
    removal = remove_profile(OkxSettings(okx_home=str(tmp_path)), "a", NOON)
    assert (removal.was_default, removal.remaining) == (True, ("b",))


@pytest.mark.parametrize(
    "text",
    [
        '[profiles.a]\nk = """\n[profiles.b]\n"""\n',  # a header-like line inside a string
        "[profiles.a\nk = 1\n",  # not TOML at all
    ],
)
def test_refuses_what_it_cannot_cut_safely_and_changes_nothing(tmp_path: Path, text: str) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ProfileEditError):
        remove_profile(OkxSettings(okx_home=str(tmp_path)), "a", NOON)
    assert path.read_text() == text
    assert list(path.parent.glob("*.bak")) == []


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileEditError, match="cannot read"):
        remove_profile(OkxSettings(okx_home=str(tmp_path)), "a", NOON)


def test_the_path_follows_okx_home_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "env-home"))
    assert config_path(OkxSettings(okx_home="/u/1")) == Path("/u/1/.okx/config.toml")
    assert config_path(OkxSettings()) == tmp_path / "env-home" / ".okx" / "config.toml"
    assert os.environ["HOME"] == str(tmp_path / "env-home")


_names = st.text(alphabet="abcdefgh_-", min_size=1, max_size=6)
_values = st.one_of(st.integers(-5, 5), st.booleans(), st.text(alphabet="xyz [] #=", max_size=8))
_tables = st.dictionaries(st.sampled_from(["site", "demo", "api_key", "n"]), _values, max_size=3)


@settings(max_examples=150, deadline=None)
@given(
    profiles=st.dictionaries(_names, _tables, min_size=1, max_size=4),
    comments=st.lists(st.sampled_from(["", "# note", "   ", "# [profiles.x]"]), max_size=3),
    data=st.data(),
)
def test_any_generated_config_loses_only_the_profile(
    profiles: dict[str, dict[str, object]], comments: list[str], data: st.DataObject
) -> None:
    """Whatever the layout, the result parses to the old document minus the profile."""
    chunks = ['title = "mine"\n']
    for name, table in profiles.items():
        chunks.extend(f"{line}\n" for line in comments)
        chunks.append(f"[profiles.{render_key(name)}]\n")
        chunks.extend(f"{key} = {render_value(value)}\n" for key, value in table.items())
    text = "".join(chunks)
    name = data.draw(st.sampled_from(sorted(profiles)))

    after = tomllib.loads(without_profile(text, name))
    expected = {k: v for k, v in profiles.items() if k != name}
    assert after.get("profiles", {}) == expected
    assert after["title"] == "mine"
