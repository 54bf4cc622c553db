"""Remove one profile from `~/.okx/config.toml`, losing nothing else.

Step 0.2.a's second option needs the broken API-key profile gone before an
OAuth login can mean anything: the CLI's guard refuses OAuth while any
profile holds a key. The CLI has no command to delete a profile, so the block
is cut out of the file text itself: every other byte stays as it was
(comments, order, spacing), a timestamped copy of the old file is kept beside
it, and the result is parsed back and compared before it replaces the file.
Nothing here ever returns or logs a value from the file.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from okx_auth_graph.okx.runner import OkxSettings

_HEADER = re.compile(r"^[ \t]*\[(?!\[)(?P<path>[^\]\n]*)\][ \t]*(?:#.*)?$")
_ARRAY_HEADER = re.compile(r"^[ \t]*\[\[")


class ProfileEditError(Exception):
    """The profile could not be removed safely; the file is unchanged."""


@dataclass(frozen=True)
class ProfileRemoval:
    """What removing a profile did."""

    config: Path
    """The edited config file."""
    backup: Path
    """The byte-identical copy of the file before the edit."""
    was_default: bool
    """Whether `default_profile` named the removed profile."""
    remaining: tuple[str, ...]
    """The profiles left, in file order."""


def config_path(settings: OkxSettings) -> Path:
    """`~/.okx/config.toml` for the user these settings run the CLI for."""
    home = settings.okx_home or os.environ.get("HOME") or str(Path.home())
    return Path(home) / ".okx" / "config.toml"


def _table_path(line: str) -> tuple[str, ...] | None:
    """The key path of a `[a."b".c]` header line, or None when the line is no header."""
    match = _HEADER.match(line.rstrip("\r\n"))
    if match is None:
        return None
    try:
        parsed: Any = tomllib.loads(f"[{match.group('path')}]\n")
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    while isinstance(parsed, dict) and len(parsed) == 1:
        key = next(iter(parsed))
        path.append(key)
        parsed = parsed[key]
    return tuple(path)


def without_profile(text: str, name: str) -> str:
    """The config text with `[profiles.<name>]` (and its sub-tables) cut out, all else kept.

    When the top-level `default_profile` names the removed profile and no
    other profile is left, that line goes too: it would name nothing.
    """
    kept: list[str] = []
    top_level: list[int] = []
    held: list[str] = []  # comments and blank lines at the end of the removed block
    inside = found = seen_table = False
    for line in text.splitlines(keepends=True):
        path = _table_path(line)
        if path is not None or _ARRAY_HEADER.match(line):
            seen_table = True
            inside = (path or ())[:2] == ("profiles", name)
            found = found or inside
            kept.extend(held)  # they introduce the next table, not the removed one
            held = []
        if inside:
            held = [*held, line] if _is_trivia(line) else []
            continue
        if not seen_table:
            top_level.append(len(kept))
        kept.append(line)
    kept.extend(held)
    if not found:
        raise ProfileEditError(f"no [profiles.{name}] block in the config")
    if not _profiles(_parse("".join(kept))):
        dangling = {i for i in top_level if _parses_to(kept[i], {"default_profile": name})}
        kept = [line for i, line in enumerate(kept) if i not in dangling]
    return "".join(kept)


def _is_trivia(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _parses_to(line: str, expected: dict[str, Any]) -> bool:
    try:
        return tomllib.loads(line) == expected
    except tomllib.TOMLDecodeError:
        return False


def _parse(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileEditError(f"the config file is not valid TOML ({exc})") from None


def _profiles(document: dict[str, Any]) -> dict[str, Any]:
    profiles = document.get("profiles", {})
    return profiles if isinstance(profiles, dict) else {}


def _expected_after(before: dict[str, Any], name: str) -> dict[str, Any]:
    """The document a correct edit leaves: the same, minus the profile (and a dangling default)."""
    profiles = {k: v for k, v in _profiles(before).items() if k != name}
    after = {k: v for k, v in before.items() if k != "profiles"}
    if after.get("default_profile") == name and not profiles:
        del after["default_profile"]
    return {**after, "profiles": profiles}


def remove_profile(settings: OkxSettings, name: str, now: datetime | None = None) -> ProfileRemoval:
    """Cut the profile out of the user's config, keeping a timestamped backup beside it.

    The new text must parse to exactly the old document minus that profile,
    or nothing is written. The file is replaced in one rename, with its mode
    kept (it holds secrets).
    """
    path = config_path(settings)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileEditError(f"cannot read {path} ({exc.strerror})") from None
    text = raw.decode("utf-8")
    before = _parse(text)
    new_text = without_profile(text, name)
    after = _parse(new_text)
    if {**after, "profiles": _profiles(after)} != _expected_after(before, name):
        raise ProfileEditError("the profile block could not be separated from the rest")
    mode = path.stat().st_mode & 0o777
    backup = _keep_backup(path, raw, mode, now or datetime.now())
    _write(path, new_text.encode("utf-8"), mode)
    remaining = tuple(_profiles(after))
    return ProfileRemoval(path, backup, before.get("default_profile") == name, remaining)


def _keep_backup(path: Path, raw: bytes, mode: int, now: datetime) -> Path:
    """Copy the old bytes to `config.toml.<timestamp>.bak`, never over an earlier backup."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    for attempt in range(1000):
        suffix = f".{attempt}" if attempt else ""
        backup = path.with_name(f"{path.name}.{stamp}{suffix}.bak")
        try:
            fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        return backup
    raise ProfileEditError(f"too many backups of {path.name} in one second")


def _write(path: Path, data: bytes, mode: int) -> None:
    """Replace `path` in one rename, so a crash leaves the old file or the new one."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
