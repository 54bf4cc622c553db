"""The blocking login, `okx auth login --site S`: for a person at a terminal.

Unlike `--manual`, the CLI itself prints the link and code and then waits
until the browser approves, denies or the code expires. It answers in plain
text, so the result is read from its lines: "Logged in successfully!", "API
key already configured (profile: X)…" (the CLI's own guard: an API key wins),
or a non-zero exit with "Login failed: <reason>".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from okx_auth_graph.okx.commands import LoginClearance, admit, failure_of
from okx_auth_graph.okx.errors import OkxError, OkxFailure
from okx_auth_graph.okx.links import foreign_link, holds_foreign_link
from okx_auth_graph.okx.models import Site, checked_site
from okx_auth_graph.okx.redact import redact_text
from okx_auth_graph.okx.runner import (
    CliResult,
    LineCallback,
    OkxSettings,
    TickCallback,
    run_okx_streaming,
)

DEVICE_CODE_LIFETIME_SECONDS = 600
"""How long OKX keeps a device code valid."""
LOGIN_MARGIN_SECONDS = 60
"""Extra wait beyond the code's lifetime, so the CLI reports the expiry itself."""
BLOCKING_LOGIN_TIMEOUT_SECONDS = float(DEVICE_CODE_LIFETIME_SECONDS + LOGIN_MARGIN_SECONDS)
"""The blocking login's budget: the code's lifetime plus the margin."""

_SUCCESS = "Logged in successfully!"
_KEY_GUARD = re.compile(r"API key already configured(?: \(profile: (?P<profile>[^)]*)\))?")


class StreamingRunner(Protocol):
    """Anything that runs a chatty okx command like `run_okx_streaming`."""

    def __call__(
        self,
        args: Sequence[str],
        settings: OkxSettings,
        on_line: LineCallback,
        on_tick: TickCallback | None = None,
        tick_seconds: float = 1.0,
        /,
    ) -> CliResult:
        """Run the command, handing each line and each quiet tick over live."""


@dataclass(frozen=True)
class InteractiveLogin:
    """How a blocking login that did not fail ended."""

    outcome: Literal["logged_in", "api_key_configured"]
    """Signed in, or the CLI's guard found an API key and skipped OAuth."""
    profile: str | None = None
    """The keyed profile the guard named, for `api_key_configured`."""


def auth_login_interactive_args(site: Site) -> tuple[str, ...]:
    """`auth login --site <site>`; the site can only be one of the three ids."""
    return ("auth", "login", "--site", checked_site(site))


def parse_interactive_login(result: CliResult) -> InteractiveLogin:
    """Read the CLI's lines; raise a classified `OkxError` for anything but success or guard."""
    if result.returncode != 0:
        raise OkxError(failure_of(result))
    guard = _KEY_GUARD.search(result.stdout)
    if guard is not None:
        return InteractiveLogin("api_key_configured", guard.group("profile"))
    if _SUCCESS in result.stdout:
        return InteractiveLogin("logged_in")
    detail = redact_text(" ".join(result.stdout.split()))[-300:] or "no output"
    raise OkxError(OkxFailure(
        kind="malformed_output",
        detail=f"the login ended without a result: {detail}",
        command=list(result.command),
    ))


def login_interactive(
    clearance: LoginClearance,
    settings: OkxSettings,
    on_line: LineCallback,
    on_tick: TickCallback | None = None,
    *,
    timeout: float = BLOCKING_LOGIN_TIMEOUT_SECONDS,
    runner: StreamingRunner = run_okx_streaming,
) -> InteractiveLogin:
    """Run the blocking login with its own budget, forwarding redacted lines as they come.

    When the budget runs out the CLI is killed (with anything it spawned) and
    a `timeout` failure is raised: nothing keeps polling OKX behind the user.
    It runs on the site the gate cleared, and only with that clearance.
    """
    budget = replace(settings, timeout=timeout)
    args = auth_login_interactive_args(clearance.site)
    admit(args, clearance)

    def forward(line: str) -> None:
        if holds_foreign_link(line):  # stops the CLI; the line is never shown
            raise foreign_link(args)
        on_line(redact_text(line))

    result = runner(args, budget, forward, on_tick)
    return parse_interactive_login(result)
