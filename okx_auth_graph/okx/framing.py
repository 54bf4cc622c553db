"""What the okx CLI meant, however it framed it: JSON on stdout, `Error:` lines on stderr.

The real CLI prints every `--json` answer through `JSON.stringify(data, null, 2)`
(an object over many lines), a newer release may print it on one line, and
once the CLI knows of a newer version of itself every call first writes an
update notice to stderr. Errors arrive as `Error: …` / `Hint: …` /
`Version: …` lines. The parsers and the classifier read through this module,
so none of them depends on one framing.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BOM = "\ufeff"
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
"""Colour and cursor codes (CSI), and terminal titles or links (OSC)."""

_NOTICE_LINES = re.compile(
    r"^\s*(?:update available for \S+:.*|run: npm install -g \S+\s*)$", re.IGNORECASE
)
"""The CLI's update notice, written in front of every call's own output."""
_TRAILER = re.compile(r"^\s*(?:hint|version|traceid):", re.IGNORECASE)
"""Lines after an `Error:` line: the CLI's advice, its version and OKX's trace id."""
_ERROR_LINE = re.compile(r"^\s*error:\s*(?P<message>.*\S)", re.IGNORECASE)
_HINT_LINE = re.compile(r"^\s*hint:\s*(?P<hint>.*\S)", re.IGNORECASE)

_DECODER = json.JSONDecoder()


class MalformedOutput(ValueError):
    """The CLI exited cleanly but printed something that is not the expected JSON.

    The text itself is never kept: `config show --json` prints secrets.
    """

    def __init__(self, what: str, size: int) -> None:
        super().__init__(f"unexpected output from `okx {what}` ({size} bytes)")
        self.what = what
        self.size = size


def clean(text: str) -> str:
    """The text without a byte-order mark, terminal codes or carriage returns."""
    text = _ANSI.sub("", text.removeprefix(_BOM))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def without_notice(text: str) -> str:
    """The text without the CLI's update notice (which may precede any output)."""
    return "\n".join(line for line in clean(text).split("\n") if not _NOTICE_LINES.match(line))


def error_message(text: str) -> str:
    """What a failed call said: its `Error:` line's message, else its text minus the notice.

    The `Hint:` the CLI adds is dropped on purpose: for a missing or rejected
    key it tells the reader to put keys in environment variables, which is
    not what the sign-in procedure does next.
    """
    lines = without_notice(text).split("\n")
    for line in lines:
        found = _ERROR_LINE.match(line)
        if found:
            return found.group("message")
    return "\n".join(line for line in lines if not _TRAILER.match(line)).strip()


def hints(text: str) -> list[str]:
    """The advice of a failed call's `Hint:` lines.

    The CLI prints no OKX error code, so for some failures (a region
    restriction) its fixed advice is the only place the cause is named.
    """
    lines = without_notice(text).split("\n")
    return [found.group("hint") for line in lines if (found := _HINT_LINE.match(line))]


def decode_object(text: str, what: str) -> dict[str, Any]:
    """The JSON object a command printed, compact or pretty, among stray lines or not.

    The whole output is tried first; failing that, the last complete object
    that starts a line, so a notice or a warning before or after it does not
    matter. Anything else raises `MalformedOutput` naming the command.
    """
    cleaned = clean(text)
    try:
        value = json.loads(cleaned)
    except (ValueError, RecursionError):  # JSONDecodeError, and over-long integers
        value = _last_object(cleaned)
    if not isinstance(value, dict):
        raise MalformedOutput(what, len(text.encode()))
    return value


def decode_rows(text: str, what: str) -> list[Any]:
    """The JSON array a data command printed (`account balance --json`: OKX's `data`, bare).

    Anything else raises `MalformedOutput` naming the command.
    """
    try:
        value = json.loads(clean(text))
    except (ValueError, RecursionError):  # JSONDecodeError, and over-long integers
        value = None
    if not isinstance(value, list):
        raise MalformedOutput(what, len(text.encode()))
    return value


def _last_object(text: str) -> object:
    """The last top-level `{…}` that begins a line and decodes whole, else None.

    Candidates start at column 0, as both the compact and the pretty form do;
    an indented `{` is part of an enclosing object, not an answer of its own.
    Each decoded object is skipped over, so objects nested in it never count.
    """
    found: object = None
    position = 0
    while (start := _next_line_brace(text, position)) >= 0:
        try:
            found, position = _DECODER.raw_decode(text, start)
        except (ValueError, RecursionError):
            position = start + 1
    return found


def _next_line_brace(text: str, position: int) -> int:
    """Index of the next `{` at the start of a line at or after `position`, or -1."""
    if position == 0 and text.startswith("{"):
        return 0
    index = text.find("\n{", max(position - 1, 0))
    return index + 1 if index >= 0 else -1
