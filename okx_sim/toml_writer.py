"""A small TOML writer for the shapes the okx config file uses.

The standard library reads TOML (`tomllib`) but cannot write it, and the
simulator must stay dependency-free. The config is a top-level table of
scalars plus nested tables, so that is what this renders; anything else is a
`TypeError` rather than a silently wrong file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def render_key(key: str) -> str:
    """A key bare when TOML allows it, else as a quoted basic string."""
    return key if _BARE_KEY.fullmatch(key) else render_value(key)


def render_value(value: Any) -> str:
    """One TOML value: string, boolean, integer, float or array of those."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # JSON's escapes are a subset of TOML's basic-string escapes; only DEL,
        # which JSON leaves raw and TOML forbids, needs one more. Non-ASCII
        # stays literal so hand-written values survive a rewrite unchanged.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(render_value(item) for item in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} to the okx config")


def render_key_values(table: Mapping[str, Any]) -> str:
    """The `key = value` lines of a table's scalars, in the table's order."""
    return "".join(
        f"{render_key(key)} = {render_value(value)}\n"
        for key, value in table.items()
        if not isinstance(value, Mapping)
    )


def render_document(document: Mapping[str, Any]) -> str:
    """A whole TOML document: top-level scalars first, then every table."""
    parts = [render_key_values(document)]
    parts.extend(_render_tables(document, ()))
    return "\n".join(part for part in parts if part)


def render_table_header(path: tuple[str, ...]) -> str:
    """`[a.b]` for a table path, quoting each part as needed."""
    return "[" + ".".join(render_key(part) for part in path) + "]\n"


def _render_tables(table: Mapping[str, Any], path: tuple[str, ...]) -> list[str]:
    """Each nested table as its own `[header]` section, depth first."""
    sections: list[str] = []
    for key, value in table.items():
        if isinstance(value, Mapping):
            sub_path = (*path, key)
            has_scalars = any(not isinstance(item, Mapping) for item in value.values())
            if has_scalars or not value:
                sections.append(render_table_header(sub_path) + render_key_values(value))
            sections.extend(_render_tables(value, sub_path))
    return sections
