"""The TOML writer and the in-place config edits, checked without subprocesses."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okx_sim.config import ConfigError, ProfileUpdate, save_profile, use_profile
from okx_sim.paths import SimPaths
from okx_sim.toml_writer import render_document, render_value

scalars = st.one_of(
    st.text(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
)
tables: st.SearchStrategy[dict[str, Any]] = st.recursive(
    st.dictionaries(st.text(min_size=1), scalars | st.lists(scalars), max_size=4),
    lambda children: st.dictionaries(st.text(min_size=1), children, min_size=1, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(st.text(min_size=1), tables | scalars, max_size=4))
def test_rendered_documents_parse_back_to_the_same_data(document: dict[str, Any]) -> None:
    assert tomllib.loads(render_document(document)) == document


def test_strings_with_control_characters_round_trip() -> None:
    value = 'quote " backslash \\ tab \t newline \n del \x7f nul \x00 é'
    assert tomllib.loads(f"v = {render_value(value)}")["v"] == value


def test_unsupported_values_are_refused() -> None:
    with pytest.raises(TypeError):
        render_value(object())


def update(name: str) -> ProfileUpdate:
    # Fake credentials: the tests only check where they land in the file.
    return ProfileUpdate(
        name=name,
        api_key="k",
        secret_key="s",  # noqa: S106
        passphrase="p",  # noqa: S106
        site="eea",
        demo=True,
    )


def test_exotic_layout_falls_back_to_a_full_rewrite(tmp_path: Path) -> None:
    paths = SimPaths(tmp_path)
    paths.okx_dir.mkdir()
    paths.config.write_text('profiles.a.api_key = "dotted"\nprofiles.a.site = "us"\n')
    save_profile(paths, update("a"))
    config = tomllib.loads(paths.config.read_text())
    assert config == {
        "default_profile": "a",
        "profiles": {
            "a": {"api_key": "k", "secret_key": "s", "passphrase": "p", "site": "eea", "demo": True}
        },
    }


def test_nested_profile_tables_survive(tmp_path: Path) -> None:
    paths = SimPaths(tmp_path)
    paths.okx_dir.mkdir()
    original = '[profiles.a]\napi_key = "old"\n\n[profiles.a.extra]\nnote = "keep"\n'
    paths.config.write_text(original)
    save_profile(paths, update("a"))
    config = tomllib.loads(paths.config.read_text())
    assert config["profiles"]["a"]["extra"] == {"note": "keep"}
    assert config["profiles"]["a"]["api_key"] == "k"
    assert paths.config.read_text().endswith('[profiles.a.extra]\nnote = "keep"\n')


def test_a_non_table_profiles_key_is_an_error(tmp_path: Path) -> None:
    paths = SimPaths(tmp_path)
    paths.okx_dir.mkdir()
    paths.config.write_text('profiles = "nope"\n')
    with pytest.raises(ConfigError, match="not a table"):
        save_profile(paths, update("a"))


def test_default_profile_inside_a_table_is_not_the_top_level_key(tmp_path: Path) -> None:
    paths = SimPaths(tmp_path)
    paths.okx_dir.mkdir()
    paths.config.write_text('[profiles.a]\ndefault_profile = "inner"\n')
    use_profile(paths, "a")
    config = tomllib.loads(paths.config.read_text())
    assert config["default_profile"] == "a"
    assert config["profiles"]["a"]["default_profile"] == "inner"
