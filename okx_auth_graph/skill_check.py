"""`okx-auth-graph check-skill`: what a published SKILL.md says that this package does not.

OKX ships new versions of the okx-cex-auth skill; this reads one (a SKILL.md
with its front matter, or a rendered page of it without, like the seed this
package was written from) and compares it, topic by topic, with the texts and
rules of one of the package's versions (`okx_auth_graph.skill`):

- the Supported Sites table, the Step 0.1 menu and which replies name a site
  (including every `--site <a|b|c>` list);
- the templates, line by line and character by character;
- the `auth status` values the status tables name;
- each row of the error table: the package must classify its message and
  prescribe its action;
- the `okx` commands and flags it tells an agent to run.

A difference is *normative* when it changes what the procedure must do or
say, and *of rendering* when only its presentation differs: full-width
punctuation (`：` for `:`), `1)` for `1.` in the menu, a quote block. Only
normative differences fail the check.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, get_args

from okx_auth_graph.okx.commands import AuthCommandName
from okx_auth_graph.okx.errors import action_of, classify_text
from okx_auth_graph.okx.models import AuthState
from okx_auth_graph.prompts import Language, template_text
from okx_auth_graph.skill import DEFAULT_SKILL, SKILLS, Skill, numbered_option

TEMPLATES: tuple[tuple[str, Language], ...] = (
    ("login", "zh"), ("login", "en"), ("success", "zh"), ("success", "en"),
)
"""The skill's templates the package posts verbatim."""
KNOWN_COMMANDS = frozenset(
    {f"auth {name}" for name in get_args(AuthCommandName)}
    | {"config show", "config use", "config init"}
)
"""The `okx` commands the package runs or tells a user to run."""
KNOWN_FLAGS = frozenset({"--json", "--manual", "--site", "--force"})
"""The flags of those commands the package knows."""

_RENDERED_SITE_ROW = re.compile(r"^([a-z]+)((?i:\1))([a-z0-9.-]+\.okx\.com)$")
"""A row of the sites table as a rendered page runs its cells together (`euEUeu.okx.com`):
the region is the id in capitals, which is where the cells part."""
_SITE_LIST = re.compile(r"--site <([a-z|]+)>")
_COMMAND = re.compile(r"(?:^|\b[Rr]un )okx ((?:config|auth) [a-z][a-z-]*)([^#\n]*)")
_FLAG = re.compile(r"--[a-z][a-z-]*")
_FRONT_VERSION = re.compile(r"""^version:\s*["']?([^"'\s]+)""", re.MULTILINE)
_SPLIT_PLACEHOLDER = "<expiresIn>/60"
"""The seed's Chinese template writes the minutes field so; the package writes it whole."""


@dataclass(frozen=True)
class Difference:
    """One thing the skill's text says otherwise than the package."""

    topic: str
    """What it is about: `sites`, `menu`, `replies`, `template login (zh)`, `status`,
    `errors`, `commands`."""
    message: str
    """What differs, with both sides."""
    line: int | None = None
    """The line of the skill's text it is on (1-based), when one."""


@dataclass(frozen=True)
class Report:
    """The check of one text against one version."""

    skill: str
    """The version compared with."""
    front_matter_version: str | None
    """The version the text's front matter declares, if it has front matter."""
    normative: list[Difference] = field(default_factory=list)
    """Differences in what the procedure must do or say: the check fails on any."""
    rendering: list[Difference] = field(default_factory=list)
    """Differences of presentation only."""

    @property
    def passed(self) -> bool:
        """Whether nothing normative differs."""
        return not self.normative

    def as_json(self) -> dict[str, Any]:
        """The report as plain data."""
        return {**asdict(self), "passed": self.passed}

    def as_text(self, source: str) -> str:
        """The report, a line per difference."""
        lines = [f"{source}: compared with okx-cex-auth {self.skill}"]
        for kind, found in (("normative", self.normative), ("rendering", self.rendering)):
            for difference in found:
                where = f"line {difference.line}: " if difference.line else ""
                lines.append(f"{kind:<10} {difference.topic:<20} {where}{difference.message}")
        lines.append(
            f"{len(self.normative)} normative difference(s), "
            f"{len(self.rendering)} of rendering: {'ok' if self.passed else 'FAILED'}"
        )
        return "\n".join(lines)


def _plain(text: str) -> str:
    """A line as it reads: full-width forms folded (NFKC), outer spaces dropped."""
    return unicodedata.normalize("NFKC", text).strip()


def _unquoted(line: str) -> str:
    """A line without its markdown quote marker, indentation or trailing spaces."""
    return re.sub(r"^\s*(?:>\s?)*", "", line).rstrip()


def _characters(theirs: str, ours: str) -> str:
    """Where two lines that read the same differ, character by character."""
    shown = [
        f"{a!r} U+{ord(a):04X} where the package has {b!r} U+{ord(b):04X}"
        for a, b in zip(theirs, ours, strict=False) if a != b
    ]
    return "; ".join(shown) or f"{theirs!r} where the package has {ours!r}"


class SkillText:
    """A SKILL.md (or a rendered page of one) as lines to search."""

    def __init__(self, text: str) -> None:
        self.front_matter_version: str | None = None
        body = text
        if text.startswith("---\n") and (end := text.find("\n---", 4)) != -1:
            found = _FRONT_VERSION.search(text[4:end])
            self.front_matter_version = found.group(1) if found else None
        self.raw = body.splitlines()
        self.lines = [_unquoted(line) for line in self.raw]

    def find(self, wanted: str, start: int = 0) -> int | None:
        """The index of the first line from `start` that begins as `wanted` reads.

        A heading's `#` marks and a table row's leading `|` do not count.
        """
        target = _plain(wanted)
        return next(
            (i for i in range(start, len(self.lines))
             if _plain(self.lines[i]).lstrip("#| ").startswith(target)),
            None,
        )

    def rows_after(self, header: int) -> Iterator[tuple[int, str]]:
        """The lines of a table below `header`: the first block of lines after it.

        The block ends at a blank line; markdown's separator row is left out.
        """
        started = False
        for index in range(header + 1, len(self.lines)):
            line = self.lines[index].strip()
            if not line:
                if started:
                    return
                continue
            started = True
            if not set(line) <= set("|-: "):
                yield index, line


def check(text: str, skill: Skill) -> Report:
    """Every difference between a skill's text and version `skill` of the package."""
    doc = SkillText(text)
    report = Report(skill.version, doc.front_matter_version)
    for checker in (_sites, _menu, _replies, _templates, _statuses, _errors, _commands):
        for difference, normative in checker(doc, skill):
            (report.normative if normative else report.rendering).append(difference)
    return report


def nearest(text: str) -> Skill:
    """The version a text is: its front matter's, when the package has it.

    Else the one with the fewest normative differences (the default on a tie).
    """
    declared = SkillText(text).front_matter_version
    if declared in SKILLS:
        return SKILLS[declared]
    ranked = sorted(SKILLS.values(), key=lambda s: (len(check(text, s).normative),
                                                    s is not DEFAULT_SKILL))
    return ranked[0]


Found = Iterator[tuple[Difference, bool]]
"""A checker's yield: a difference, and whether it is normative."""


def _sites(doc: SkillText, skill: Skill) -> Found:
    header = doc.find("Supported Sites")
    if header is None:
        yield Difference("sites", "no Supported Sites table"), True
        return
    listed: dict[str, tuple[str, str, int]] = {}
    for index, text in doc.rows_after(header):
        cells = [c.strip() for c in text.strip("|").split("|")] if "|" in text else None
        matched = _RENDERED_SITE_ROW.match(text) if cells is None else None
        row = cells if cells and len(cells) >= 3 else (list(matched.groups()) if matched else None)
        if row is not None and row[0].lower() != "site":
            listed[row[0]] = (row[1], row[2], index + 1)
    ours = {r.site: (r.name, r.host) for r in skill.sites}
    for site, (name, host, line) in listed.items():
        if site not in ours:
            yield Difference("sites", f"the skill lists {site} ({name}, {host}); "
                             f"{skill.version} does not", line), True
        elif ours[site] != (name, host):
            yield Difference("sites", f"{site} is {name}, {host} in the skill; "
                             f"{skill.version} has {ours[site][0]}, {ours[site][1]}", line), True
    for site in ours:
        if site not in listed:
            yield Difference("sites", f"{skill.version} lists {site}; the skill does not",
                             header + 1), True


@dataclass(frozen=True)
class MenuLine:
    """A numbered line of a menu: `  2. EEA (my.okx.com)`, or `> 2) EEA (my.okx.com)`."""

    number: str
    label: str
    text: str
    """The whole line as written (without its quote marker and indentation)."""
    line: int | None = None
    """Its line in the skill's text, for the skill's menu."""


def _menu_line(text: str, line: int | None = None) -> MenuLine | None:
    found = numbered_option(text)
    return MenuLine(found[0], found[1], text.strip(), line) if found else None


def _menu(doc: SkillText, skill: Skill) -> Found:
    first, *items = [line for line in skill.menu().splitlines() if line.strip()]
    start = doc.find(first)
    if start is None:
        yield Difference("menu", f"the Step 0.1 menu ({first!r}) is not in the skill"), True
        return
    if doc.lines[start].strip() != first:
        yield Difference("menu", _characters(doc.lines[start].strip(), first), start + 1), False
    theirs: list[MenuLine] = []
    for index in range(start + 1, len(doc.lines)):
        if not doc.lines[index].strip():
            if theirs:
                break
            continue
        found = _menu_line(doc.lines[index], index + 1)
        if found is None:
            break
        theirs.append(found)
    expected = [line for item in items if (line := _menu_line(item)) is not None]
    for position in range(max(len(expected), len(theirs))):
        ours = expected[position] if position < len(expected) else None
        said = theirs[position] if position < len(theirs) else None
        if said is None and ours is not None:
            yield Difference("menu", f"{skill.version}'s line {ours.number}. {ours.label} is "
                             "not in the skill's menu", start + 1), True
        elif said is not None and ours is None:
            yield Difference("menu", f"the skill's menu has {said.text!r}; {skill.version}'s "
                             f"has no line {said.number}", said.line), True
        elif said is not None and ours is not None and said.label != ours.label:
            normative = _plain(said.label) != _plain(ours.label)
            message = (f"{said.text!r} where {skill.version} has '{ours.number}. {ours.label}'"
                       if normative else _characters(said.label, ours.label))
            yield Difference("menu", message, said.line), normative
    if theirs and not theirs[0].text.startswith("1."):
        yield Difference("menu", f"lines numbered {theirs[0].text[:2]!r} where the package "
                         "writes '1.'", theirs[0].line), False
    first_line = theirs[0].line if theirs else None
    if first_line is not None and doc.raw[first_line - 1].lstrip().startswith(">"):
        yield Difference("menu", "the menu is a quote block; the package posts plain lines",
                         first_line), False


def _replies(doc: SkillText, skill: Skill) -> Found:
    numbers = {str(n) for n in range(1, len(skill.sites) + 1)}
    expected = numbers | set(skill.site_ids)
    for index, line in enumerate(doc.lines):
        if "Map the reply" in line or "was a site choice" in line:
            group = re.search(r"\(([^)]*)\)", _plain(line))
            said = set(re.findall(r"\d+|[a-z]+", group.group(1))) - {"or"} if group else set()
            if said and said != expected:
                yield Difference("replies", f"replies {sorted(said)}; {skill.version} maps "
                                 f"{sorted(expected)}", index + 1), True
        for listed in _SITE_LIST.findall(line):
            if set(listed.split("|")) != set(skill.site_ids):
                yield Difference("replies", f"--site <{listed}> where {skill.version} has "
                                 f"<{'|'.join(skill.site_ids)}>", index + 1), True


def _templates(doc: SkillText, skill: Skill) -> Found:
    for name, language in TEMPLATES:
        topic = f"template {name} ({language})"
        ours = template_text(name, language).splitlines()
        start = doc.find(ours[0])
        if start is None:
            yield Difference(topic, f"not in the skill (its first line: {ours[0]!r})"), True
            continue
        for offset, expected in enumerate(ours):
            index = start + offset
            theirs = doc.lines[index].strip() if index < len(doc.lines) else ""
            if _SPLIT_PLACEHOLDER in theirs:
                yield Difference(topic, f"the minutes field is written {_SPLIT_PLACEHOLDER!r}; "
                                 "the package writes '<expiresIn/60>'", index + 1), False
                theirs = theirs.replace(_SPLIT_PLACEHOLDER, "<expiresIn/60>")
            if theirs == expected:
                continue
            normative = _plain(theirs) != _plain(expected)
            message = (f"{theirs!r} where the package has {expected!r}" if normative
                       else _characters(theirs, expected))
            yield Difference(topic, message, index + 1), normative


def _statuses(doc: SkillText, skill: Skill) -> Found:
    known = set(get_args(AuthState))
    header = doc.find("status value")
    while header is not None:
        for index, line in doc.rows_after(header):
            status = re.match(r"^\|?\s*([a-z]+(?:_[a-z]+)*)", line)
            if status and status.group(1) not in known:
                yield Difference("status", f"auth status {status.group(1)!r} the package does "
                                 "not know", index + 1), True
        header = doc.find("status value", header + 1)


def _errors(doc: SkillText, skill: Skill) -> Found:
    header = doc.find("Error message")
    if header is None:
        yield Difference("errors", "no error table"), True
        return
    for index, line in doc.rows_after(header):
        cells = [c.strip() for c in line.strip("|").split("|")] if "|" in line else [line]
        kind = classify_text(cells[0])
        if kind == "unknown":
            yield Difference("errors", f"the package does not recognize {cells[0]!r}",
                             index + 1), True
        elif _plain(action_of(kind)) not in _plain(line):
            yield Difference("errors", f"for {kind} the skill says {cells[-1]!r}; the package "
                             f"says {action_of(kind)!r}", index + 1), True


def _commands(doc: SkillText, skill: Skill) -> Found:
    for index, line in enumerate(doc.lines):
        for command, rest in _COMMAND.findall(line.strip().strip("`")):
            if command not in KNOWN_COMMANDS:
                yield Difference("commands", f"okx {command} is a command the package does "
                                 "not know", index + 1), True
                continue
            for flag in _FLAG.findall(rest):
                if flag not in KNOWN_FLAGS:
                    yield Difference("commands", f"okx {command} {flag}: a flag the package "
                                     "does not know", index + 1), True
