"""Package bugs these tests found, as the reasons of their strict xfail markers.

Each marker is strict: once the package is fixed the test passes, the run
fails on the unexpected pass, and the marker and its entry here are deleted.
"""

from __future__ import annotations

POSTGRES_SITE_LOADS_AS_STR = (
    "package bug: PostgresSaver stores str-valued channels inline in its JSONB, so "
    "`chosen_site` (a StrEnum) loads back as a plain str; the gate's `chosen is site` "
    "then fails and a run resumed before `login` posts the site menu a second time"
)
"""A run that starts from a stored checkpoint with a site chosen (a crash before
or inside `auth login`, an `interrupt_before=["login"]`) asks for the site again."""
