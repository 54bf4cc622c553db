"""The real CLI's `~/.okx/config.toml`: read it, and edit it without disturbing it.

Users hand-edit this file (the skill tells them to delete a broken profile
block), so an update touches only what it must: the one `[profiles.<name>]`
section and the `default_profile` line. Every edit is checked by parsing the
result; if the text edit would not produce exactly the intended data (an
exotic layout), the whole file is rewritten from the parsed data instead.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from okx_sim.paths import SimPaths
from okx_sim.storage import exclusive_lock, write_atomically
from okx_sim.toml_writer import (
    render_document,
    render_key_values,
    render_table_header,
    render_value,
)

ENV_API_KEY = "OKX_API_KEY"
"""The environment variable the real CLI reads an API key from."""

_DEFAULT_PROFILE_LINE = re.compile(r"^[ \t]*default_profile[ \t]*=.*$", re.MULTILINE)


class ConfigError(Exception):
    """The config file cannot be read or updated; the message is printed as is."""


def read_config(paths: SimPaths) -> dict[str, Any] | None:
    """The parsed config, or None when the file does not exist."""
    try:
        text = paths.config.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return _parse(text, paths)


def profiles_of(config: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The `[profiles.*]` tables, ignoring anything that is not a table."""
    profiles = (config or {}).get("profiles", {})
    if not isinstance(profiles, dict):
        return {}
    return {name: table for name, table in profiles.items() if isinstance(table, dict)}


def api_key_source(config: Mapping[str, Any] | None, environ: Mapping[str, str]) -> str | None:
    """Name whatever API key the CLI would use instead of OAuth, if any.

    The real CLI prefers the default profile's key, then any keyed profile,
    then `OKX_API_KEY`; the environment variable is reported as
    `env:OKX_API_KEY`.
    """
    keyed = [name for name, table in profiles_of(config).items() if _has_api_key(table)]
    default = (config or {}).get("default_profile")
    if default in keyed:
        return str(default)
    if keyed:
        return keyed[0]
    if environ.get(ENV_API_KEY):
        return f"env:{ENV_API_KEY}"
    return None


@dataclass(frozen=True)
class ProfileUpdate:
    """The values `config init` writes into one profile."""

    name: str
    api_key: str
    secret_key: str
    passphrase: str
    site: str
    demo: bool

    def values(self) -> dict[str, Any]:
        """The profile keys in the order the real CLI writes them."""
        return {
            "api_key": self.api_key,
            "secret_key": self.secret_key,
            "passphrase": self.passphrase,
            "site": self.site,
            "demo": self.demo,
        }


def save_profile(paths: SimPaths, update: ProfileUpdate) -> None:
    """Write one profile, keeping every other profile and key of the file.

    The profile's keys not set by `config init` (e.g. `base_url`) are kept,
    and `default_profile` is set only when the file has none yet.
    """
    with exclusive_lock(paths.lock):
        text = _read_text(paths)
        data = _parse(text, paths)
        expected = copy.deepcopy(data)
        profiles = expected.setdefault("profiles", {})
        old_profile = profiles.get(update.name, {}) if isinstance(profiles, dict) else None
        if not isinstance(old_profile, dict):
            raise ConfigError(f"Error: {paths.config} has a `profiles` entry that is not a table")
        kept = {key: value for key, value in old_profile.items() if key not in update.values()}
        profile = profiles[update.name] = {**update.values(), **kept}
        new_text = _replace_profile_section(text, update.name, profile)
        if "default_profile" not in data:
            expected["default_profile"] = update.name
            new_text = _set_default_profile_line(new_text, update.name)
        write_atomically(paths.config, _verified(new_text, expected, paths))


def use_profile(paths: SimPaths, name: str) -> None:
    """Make `name` the default profile; it must already exist."""
    with exclusive_lock(paths.lock):
        text = _read_text(paths)
        data = _parse(text, paths)
        if name not in profiles_of(data):
            raise ConfigError(f'Profile "{name}" not found in {paths.config}')
        expected = {**data, "default_profile": name}
        new_text = _set_default_profile_line(text, name)
        write_atomically(paths.config, _verified(new_text, expected, paths))


def _has_api_key(profile: Mapping[str, Any]) -> bool:
    """A profile counts as keyed when its api_key is a non-empty string."""
    api_key = profile.get("api_key")
    return isinstance(api_key, str) and api_key != ""


def _read_text(paths: SimPaths) -> str:
    """The raw file, or an empty document when there is none yet."""
    try:
        return paths.config.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _parse(text: str, paths: SimPaths) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into a printable `ConfigError`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"Error: Failed to parse {paths.config}: {error}") from error


def _verified(new_text: str, expected: dict[str, Any], paths: SimPaths) -> str:
    """`new_text` if it parses to `expected`, else `expected` rendered afresh."""
    try:
        if tomllib.loads(new_text) == expected:
            return new_text
    except tomllib.TOMLDecodeError:
        pass
    try:
        return render_document(expected)
    except TypeError as error:
        raise ConfigError(f"Error: Cannot rewrite {paths.config}: {error}") from error


def _header_path(line: str) -> tuple[str, ...] | None:
    """The table path of a `[a.b]` header line, or None for any other line."""
    if not line.lstrip().startswith("[") or line.lstrip().startswith("[["):
        return None
    try:
        node: Any = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    while isinstance(node, dict) and len(node) == 1:
        key, node = next(iter(node.items()))
        path.append(key)
    return tuple(path) if path else None


def _replace_profile_section(text: str, name: str, profile: Mapping[str, Any]) -> str:
    """Swap the body of `[profiles.<name>]` in place, or append a new section.

    The section ends at the next table header; its trailing blank lines and
    comments before that header are kept so the neighbours' layout survives.
    """
    lines = text.splitlines(keepends=True)
    body = render_key_values(profile)
    header_index = next(
        (i for i, line in enumerate(lines) if _header_path(line) == ("profiles", name)), None
    )
    if header_index is None:
        separator = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
        return text + separator + render_table_header(("profiles", name)) + body
    end = next(
        (i for i in range(header_index + 1, len(lines)) if _starts_table(lines[i])), len(lines)
    )
    tail_start = end
    while tail_start > header_index + 1 and _is_blank_or_comment(lines[tail_start - 1]):
        tail_start -= 1
    before = "".join(lines[: header_index + 1])
    return before + body + "".join(lines[tail_start:])


def _starts_table(line: str) -> bool:
    """Whether a line opens a new section (`[table]` or `[[array-of-tables]]`)."""
    return _header_path(line) is not None or line.lstrip().startswith("[[")


def _is_blank_or_comment(line: str) -> bool:
    """Lines that belong to the layout between sections rather than to a table."""
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _set_default_profile_line(text: str, name: str) -> str:
    """Rewrite the top-level `default_profile` line, or add it at the top.

    Only the part before the first table header is searched: a
    `default_profile` key inside a table is a different key.
    """
    line = f"default_profile = {render_value(name)}"
    lines = text.splitlines(keepends=True)
    first_table = next(
        (i for i, text_line in enumerate(lines) if _starts_table(text_line)), len(lines)
    )
    preamble = "".join(lines[:first_table])
    rest = "".join(lines[first_table:])
    if _DEFAULT_PROFILE_LINE.search(preamble):
        return _DEFAULT_PROFILE_LINE.sub(lambda _match: line, preamble, count=1) + rest
    separator = "\n" if rest and not preamble else ""
    return line + "\n" + separator + preamble + rest
