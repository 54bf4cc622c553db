"""How `okx-sim` frames what it prints: the way the real CLI does, unless told otherwise.

The real CLI (`@okx_ai/okx-trade-cli`) prints every `--json` answer with
`JSON.stringify(data, null, 2)`, reports a thrown error as `Error:` /
`Hint:` / `Version:` lines on stderr with exit status 1, and, once its cache
`~/.okx/update-check.json` names a newer release, writes an update notice to
stderr in front of every call. The simulator does all three by default, so
everything tested against it meets the real framing; `OKX_SIM_JSON=compact`
prints single-line JSON instead (the other form a CLI may use).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from pathlib import Path

PACKAGE = "@okx_ai/okx-trade-cli"
"""The npm package the simulator stands in for; its name appears in the notice."""
JSON_STYLE_ENV = "OKX_SIM_JSON"
"""`pretty` (default, as the real CLI) or `compact` (one line per answer)."""
UPDATE_CHECK_FILE = "update-check.json"
"""The real CLI's cache of the newest version it has seen, under `~/.okx/`."""

_RELEASE = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:-(.+))?")


def json_is_compact(environ: Mapping[str, str]) -> bool:
    """Whether this invocation prints single-line JSON (`OKX_SIM_JSON=compact`)."""
    return environ.get(JSON_STYLE_ENV, "pretty").strip().lower() == "compact"


def plant_update_notice(okx_dir: Path, latest: str, *, checked_at: float | None = None) -> Path:
    """Write the CLI's update cache so that every later call prints the update notice.

    The file has the real CLI's format:
    `{"@okx_ai/okx-trade-cli": {"latestVersion": "<v>", "checkedAt": <ms>}}`.
    """
    okx_dir.mkdir(parents=True, exist_ok=True)
    path = okx_dir / UPDATE_CHECK_FILE
    checked = int((time.time() if checked_at is None else checked_at) * 1000)
    payload = {PACKAGE: {"latestVersion": latest, "checkedAt": checked}}
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def update_notice(okx_dir: Path, current: str) -> str | None:
    """The notice the real CLI writes when its cache names a newer version, else None.

    A missing or unreadable cache prints nothing, as in the real CLI.
    """
    try:
        cache = json.loads((okx_dir / UPDATE_CHECK_FILE).read_text(encoding="utf-8"))
        latest = cache[PACKAGE]["latestVersion"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(latest, str) or not is_newer(current, latest):
        return None
    return (
        f"\nUpdate available for {PACKAGE}: {current} \u2192 {latest}\n"
        f"Run: npm install -g {PACKAGE}\n\n"
    )


def is_newer(current: str, candidate: str) -> bool:
    """Whether `candidate` is a later release than `current` (a pre-release sorts first)."""
    return _release_key(candidate) > _release_key(current)


def _release_key(version: str) -> tuple[int, int, int, int]:
    found = _RELEASE.match(version.strip())
    if found is None:
        return (0, 0, 0, 0)
    major, minor, patch, pre = found.groups()
    return (int(major), int(minor), int(patch), 0 if pre else 1)


def error_lines(message: str, hint: str | None, version: str) -> str:
    """A thrown error as the real CLI reports it on stderr."""
    lines = [f"Error: {message.removeprefix('Error: ')}"]
    if hint:
        lines.append(f"Hint: {hint}")
    lines.append(f"Version: {PACKAGE}@{version}")
    return "\n".join(lines)
