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


def error_line(text: str) -> str | None:
    """The message of a failed call's `Error:` line, if it printed one."""
    return _error_in(without_notice(text).split("\n"))


def _error_in(lines: list[str]) -> str | None:
    """The message of the first `Error:` line among `lines`, if any."""
    return next((found.group("message") for line in lines
                 if (found := _ERROR_LINE.match(line))), None)


def error_message(text: str) -> str:
    """What a failed call said: its `Error:` line's message, else its text minus the notice.

    The `Hint:` the CLI adds is dropped on purpose: for a missing or rejected
    key it tells the reader to put keys in environment variables, which is
    not what the sign-in procedure does next.
    """
    lines = without_notice(text).split("\n")
    found = _error_in(lines)
    if found is not None:
        return found
    return "\n".join(line for line in lines if not _TRAILER.match(line)).strip()


def hints(text: str) -> list[str]:
    """The advice of a failed call's `Hint:` lines.

    The CLI prints no OKX error code, so for some failures (a region
    restriction) its fixed advice is the only place the cause is named.
    """
    lines = without_notice(text).split("\n")
    return [found.group("hint") for line in lines if (found := _HINT_LINE.match(line))]


def decode_json(text: str) -> object:
    """The JSON answer a command or tool printed, compact or pretty, among stray lines or not.

    The whole output is tried first; failing that, the last complete object
    or array that starts a line, so a notice or a warning before or after it
    does not matter. None when there is no such answer.
    """
    cleaned = clean(text)
    try:
        return json.loads(cleaned)
    except (ValueError, RecursionError):  # JSONDecodeError, and over-long integers
        return _last_value(cleaned)


def decode_object(text: str, what: str) -> dict[str, Any]:
    """The JSON object a command printed (`decode_json`); else `MalformedOutput`, named."""
    value = decode_json(text)
    if not isinstance(value, dict):
        raise MalformedOutput(what, len(text.encode()))
    return value


def decode_rows(text: str, what: str) -> list[Any]:
    """The JSON array a data command printed; else `MalformedOutput`, named.

    `account balance --json` and the like print OKX's `data` rows bare.
    """
    value = decode_json(text)
    if not isinstance(value, list):
        raise MalformedOutput(what, len(text.encode()))
    return value


_LINE_START = re.compile(r"^[{\[]", re.MULTILINE)
"""A `{` or `[` at the start of a line: where a printed answer may begin."""


def _last_value(text: str) -> object:
    """The last top-level object or array that begins a line and decodes whole, else None.

    Candidates start at column 0, as both the compact and the pretty form do;
    an indented `{` is part of an enclosing answer, not an answer of its own.
    Each decoded answer is skipped over, so values nested in it never count.
    """
    found: object = None
    position = 0
    while (start := _LINE_START.search(text, position)) is not None:
        try:
            found, position = _DECODER.raw_decode(text, start.start())
        except (ValueError, RecursionError):
            position = start.start() + 1
    return found
