"""The versions of the okx-cex-auth skill this package implements, as data.

What changes from one version of the skill to the next is its table of sites:
the Step 0.1 menu lists them, a reply names one by its number or its id, the
pre-login gate accepts only those, and `okx auth login --site` takes one of
them. Each version is one `Skill` here, and every one of those rules reads
the version it is given; nothing else branches on a version.

Which version a graph follows is chosen by whoever builds it
(`build_auth_graph(skill=...)`), else by the host's `OKX_AUTH_SKILL`
variable, else `1.3.2` (the spec this package was written from). A run's
context or a caller's request never chooses it.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

from okx_auth_graph.okx import Site, web_host
from okx_auth_graph.prompts import Language, render

SKILL_ENV = "OKX_AUTH_SKILL"
"""The host's variable that names the skill version when the builder does not."""

_NUMBERED_OPTION = re.compile(r"^\s*(\d+)[.)]\s+(\S.*?)\s*$")


@dataclass(frozen=True)
class SiteRow:
    """One line of the skill's Supported Sites table."""

    site: Site
    """The id `--site` takes and a reply may name."""
    name: str
    """How the menu names it (`Global`, `EEA`, ...)."""

    @property
    def host(self) -> str:
        """The site's web host, which the menu shows beside its name."""
        return web_host(self.site)


@dataclass(frozen=True)
class Skill:
    """One published version of the skill: its sites, in the menu's order."""

    version: str
    """The skill's own version (its front matter's `metadata.version`).

    It is also the CLI version the shared preflight's drift check compares
    `okx --version` with (`okx.version.cli_ahead`): OKX's rule names the
    skill's `metadata.version`, not the CLI its install step pins, and the
    two are the same in every version here (1.3.9 installs
    `@okx_ai/okx-trade-cli@1.3.9`), so no second field could say otherwise.
    """
    sites: tuple[SiteRow, ...]
    """The Supported Sites table; line N of the menu is `sites[N-1]`."""

    @property
    def site_ids(self) -> tuple[Site, ...]:
        """The ids, in the menu's order: what `--site` accepts under this version."""
        return tuple(row.site for row in self.sites)

    @functools.cache  # noqa: B019 - a handful of versions, each kept for the process anyway
    def menu(self) -> str:
        """The exact Chinese Step 0.1 menu, one numbered line per site.

        Rendered once per version: the gate compares every assistant message
        it reads back with it.
        """
        lines = [f"  {number}. {row.name} ({row.host})" for number, row in self._numbered()]
        return render("site_menu", "zh", sites="\n".join(lines))

    def choice(self, reply: object) -> Site | None:
        """The site a reply names: exactly a menu number or a site id.

        Case and outer spaces are ignored; anything else names none (nothing
        is guessed, nothing defaulted).
        """
        if not isinstance(reply, str):
            return None
        said = reply.strip().lower()
        return next(
            (row.site for number, row in self._numbered() if said in (str(number), row.site)),
            None,
        )

    def choices_hint(self, language: Language) -> str:
        """The phrase that says which replies count, after one that did not."""
        numbers = [str(number) for number, _ in self._numbered()]
        joined = "、".join(numbers) if language == "zh" else _english_list(numbers)
        return render("menu_not_a_choice", language, numbers=joined,
                      ids=" / ".join(self.site_ids))

    def _numbered(self) -> list[tuple[int, SiteRow]]:
        return list(enumerate(self.sites, start=1))


def numbered_option(line: str) -> tuple[str, str] | None:
    """A line of a numbered choice, `  2. EEA (my.okx.com)`, as `("2", "EEA (my.okx.com)")`.

    The skill numbers the options of its questions so (the Step 0.1 menu,
    Step 0.2.a's two ways on); a rendering may write `2)` for `2.`. The
    package's own messages are read back with it (an MCP form titles each
    option with its line) and so is a published skill's text.
    """
    matched = _NUMBERED_OPTION.match(line)
    return (matched.group(1), matched.group(2)) if matched else None


def _english_list(words: list[str]) -> str:
    """`1, 2 or 3`."""
    return f"{', '.join(words[:-1])} or {words[-1]}" if len(words) > 1 else "".join(words)


_THREE_SITES = (SiteRow("global", "Global"), SiteRow("eea", "EEA"), SiteRow("us", "US"))

SKILLS: dict[str, Skill] = {
    "1.3.2": Skill("1.3.2", _THREE_SITES),
    "1.3.9": Skill("1.3.9", (*_THREE_SITES, SiteRow("tr", "TR"))),
}
"""Every version this package implements, by its version string."""
DEFAULT_SKILL = SKILLS["1.3.2"]
"""The version of the spec this package was written from."""


def skill_named(version: str | Skill | None = None) -> Skill:
    """The skill a graph follows: the builder's choice, else `$OKX_AUTH_SKILL`, else the default.

    Raises:
        ValueError: The version is not one this package implements.
    """
    if isinstance(version, Skill):
        return version
    wanted = version or os.environ.get(SKILL_ENV) or DEFAULT_SKILL.version
    found = SKILLS.get(wanted.strip())
    if found is None:
        known = ", ".join(SKILLS)
        raise ValueError(f"unknown okx-cex-auth skill version {wanted!r}; known: {known}")
    return found


def site_menu(skill: Skill = DEFAULT_SKILL) -> str:
    """The exact Step 0.1 menu of a version (the default's, unless told)."""
    return skill.menu()
