"""Every text the graph posts, and the one function that renders them.

The skill's templates (menu, login, success) are files copied character for
character from the skill; `<field>` marks a substitution. The graph's own
phrases, for the cases the skill leaves to the agent, live in `phrases.py`.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

from okx_auth_graph.prompts.phrases import PHRASES

Language = Literal["zh", "en"]

_PLACEHOLDER = re.compile(r"<([A-Za-z][A-Za-z/0-9]*)>")
_TEMPLATE_FILES = ("site_menu", "login", "success")


@cache
def template_text(name: str, language: Language) -> str:
    """A template file as the skill prints it, its `<field>` marks unfilled.

    Only the Chinese site menu exists, so a template without a file in
    `language` is the Chinese one.
    """
    folder = resources.files(__package__)
    for lang in (language, "zh"):
        source = folder / f"{name}.{lang}.txt"
        if source.is_file():
            return source.read_text(encoding="utf-8").removesuffix("\n")
    raise KeyError(f"no template {name!r}")


def render(template: str, language: Language, **fields: str) -> str:
    """Fill a template or phrase; a missing field is a bug, so it raises KeyError.

    Only the Chinese site menu exists (the skill posts it verbatim in every
    conversation), so a template without an English file falls back to zh.
    Chat views render messages as markdown, so the text comes back with its
    line breaks kept there (`markdown_lines`); every visible character is the
    template's.
    """
    text = (
        template_text(template, language) if template in _TEMPLATE_FILES
        else PHRASES[template][language]
    )
    return markdown_lines(_PLACEHOLDER.sub(lambda m: fields[m.group(1)], text))


_SOFT_BREAK = re.compile(r"(?<=\S)\n(?=[^\n])(?![ \t]*(?:\d+[.)]|[-*+])[ \t])")
"""A line break between two lines of one paragraph (not before a list item)."""


def markdown_lines(text: str) -> str:
    """The text with every line break inside a paragraph made a markdown hard break.

    Markdown joins consecutive lines into one (the login template's site,
    link and code would run together); two spaces before the break keep each
    line on its own without changing a visible character. Blank lines and
    list items already break, so the site menu comes back unchanged.
    """
    return _SOFT_BREAK.sub("  \n", text)


def format_minutes(seconds: int) -> str:
    """Minutes with at most one decimal and no trailing zero: 600 → 10, 90 → 1.5."""
    return f"{seconds / 60:.1f}".rstrip("0").rstrip(".")


def format_duration(seconds: float, language: Language) -> str:
    """A wait in words: minutes from a minute up (`11 minutes`), seconds below (`2.5 秒`)."""
    if seconds >= 60:
        amount, unit = format_minutes(int(seconds)), {"zh": " 分钟", "en": " minutes"}
    else:
        amount, unit = f"{seconds:.1f}".rstrip("0").rstrip("."), {"zh": " 秒", "en": " seconds"}
    return f"{amount}{unit[language]}"


def format_scopes(scopes: tuple[str, ...] | list[str]) -> str:
    """Scopes as the success template shows them."""
    return ", ".join(scopes)


__all__ = [
    "Language", "format_minutes", "format_scopes", "markdown_lines", "render", "template_text",
]
