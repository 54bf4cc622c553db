"""The CLI's version against a skill's: OKX's shared preflight, step 3 ("version drift").

The other OKX skills run a shared preflight before they send a user to this
one, and its third step compares `okx --version` with the calling skill's
`metadata.version`: a pre-release CLI (`1.3.1-beta.17`) is skipped, since its
stable release has not shipped; a stable CLI ahead of the skill earns one
warning per session that the skill may not document its newer commands. The
rule is here, as pure functions of the two version texts, and nowhere else:
the preflight step asks `cli_ahead`, the `okx --version` command checks its
output with `parse_version`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z][0-9A-Za-z.-]*))?(?: \([^()\n]*\))?")
"""`X.Y.Z` with an optional pre-release suffix (`-beta.17`, `-rc.1`, `-sim`), and the build
the real CLI names after it in parentheses (`1.2.4 (88fac29)`, its commit)."""


class Version(NamedTuple):
    """A version as the CLI prints it: the release's three numbers, and its pre-release tag."""

    release: tuple[int, int, int]
    """Major, minor, patch: what a stable version is ordered by."""
    prerelease: str | None
    """The suffix after `-`, or None for a stable version."""


def parse_version(text: str) -> Version | None:
    """The version a text spells (outer whitespace and a build in parentheses ignored).

    None for anything else.
    """
    found = _VERSION.fullmatch(text.strip())
    if found is None:
        return None
    major, minor, patch, prerelease = found.groups()
    return Version((int(major), int(minor), int(patch)), prerelease)


def cli_ahead(cli_version: str, skill_version: str) -> bool:
    """Whether the shared preflight warns: a stable CLI version above the skill's.

    A pre-release CLI is skipped (the shared preflight's own rule), and so is
    a version either side cannot be read from: the check may only ever add a
    warning, never guess one.
    """
    cli, skill = parse_version(cli_version), parse_version(skill_version)
    if cli is None or skill is None or cli.prerelease is not None:
        return False
    return cli.release > skill.release
