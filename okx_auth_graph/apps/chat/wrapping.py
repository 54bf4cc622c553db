"""Fitting the transcript to the terminal: lines broken between words, measured in columns.

Left to itself a terminal wraps a long line at its last column, through the
middle of a word, a URL or the device code; a URL cut in two no longer opens,
and a code cut in two is misread. So on a terminal the chat breaks its lines
itself, before they reach the edge:

- at spaces;
- in Chinese text, which has no spaces, between two CJK characters (or a CJK
  character and what follows it), but never before closing punctuation
  (`,` `。` `)` …) nor after opening punctuation (`(` `「` …);
- never inside a run of other characters: a Latin word, a number, a URL, a
  path, the user code. One wider than the line gets a line of its own, and
  only then does the terminal cut it.

Width is display width: a CJK character takes two columns. A wrapped line
keeps the indentation of the line it came from, and a list item's (`1. `)
continuation lines align with its text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_NO_BREAK_BEFORE = frozenset(",.:;!?%)]}、，。：；！？）】」』》〉”’…")
"""Closing punctuation: it stays on the line of what it closes."""
_NO_BREAK_AFTER = frozenset("([{（【「『《〈“‘")
"""Opening punctuation: it stays on the line of what it opens."""
_HANGING = re.compile(r" *(?:\d+\. +|[-*] +)?")
"""A line's indentation, with its list marker if it has one."""
_SPACES = re.compile(r"( +)")


def _char_width(char: str) -> int:
    """Columns one character takes: two for wide (CJK) ones, none for combining marks."""
    if unicodedata.combining(char):
        return 0
    return 2 if _is_wide(char) else 1


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal."""
    return sum(_char_width(char) for char in text)


def wrap(text: str, width: int) -> str:
    """`text` with every line wider than `width` columns broken as the module says.

    A line that fits is kept byte for byte (trailing spaces included); so is
    all of `text` when `width` is below one.
    """
    if width < 1:
        return text
    return "\n".join(
        wrapped for line in text.split("\n") for wrapped in _wrap_line(line, width)
    )


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _wrap_line(line: str, width: int) -> Iterator[str]:
    if display_width(line.rstrip(" ")) <= width:
        yield line
        return
    lead = _HANGING.match(line)
    prefix = lead.group() if lead else ""
    hang = " " * display_width(prefix)
    current, has_text = prefix, False
    for gap, piece in _pieces(line[len(prefix):]):
        joined = f"{current}{gap if has_text else ''}{piece}"
        if has_text and display_width(joined) > width:
            yield current
            current = f"{hang}{piece}"
        else:
            current = joined
        has_text = True
    yield current


def _pieces(body: str) -> Iterator[tuple[str, str]]:
    """The unbreakable pieces of `body`, each with the spaces before it ("" for none)."""
    gap = ""
    for part in _SPACES.split(body):
        if not part:
            continue
        if part.startswith(" "):
            gap = part
            continue
        for index, chunk in enumerate(_chunks(part)):
            yield (gap if index == 0 else ""), chunk
        gap = ""


def _chunks(word: str) -> Iterator[str]:
    """A word without spaces, cut where CJK text allows a break."""
    start = 0
    for index in range(1, len(word)):
        if _may_break(word[max(index - 2, 0):index], word[index]):
            yield word[start:index]
            start = index
    yield word[start:]


def _may_break(before: str, after: str) -> bool:
    """Whether a line may end with `before` (its last one or two characters) and go on with `after`.

    Next to a CJK character, yes, unless that separates punctuation from
    what it closes or opens. After a CJK label's colon or comma too (`链接:`
    then a URL), so the URL can start a line whole; a colon inside a Latin
    run (`https:`) follows no CJK character, so nothing there breaks.
    """
    last = before[-1]
    if after in _NO_BREAK_BEFORE or last in _NO_BREAK_AFTER:
        return False
    closes_cjk = last in _NO_BREAK_BEFORE and len(before) == 2 and _is_wide(before[0])
    return _is_wide(last) or _is_wide(after) or closes_cjk
