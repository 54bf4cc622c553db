"""The blocking login, `okx auth login --site S`: for a person at a terminal.

Unlike `--manual`, the CLI itself prints the link and code and then waits
until the browser approves, denies or the code expires. It answers in plain
text, so the result is read from its lines: "Logged in successfully!", "API
key already configured (profile: X)…" (the CLI's own guard: an API key wins),
or a non-zero exit with "Login failed: <reason>".

`BlockingLogin` is that call as a value: a graph step yields it, and whoever
drives the step runs it, with a `StreamingRunner` under `invoke` or an
`AsyncStreamingRunner` under `ainvoke` (`nodes/cli.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from okx_auth_graph.okx.commands import LoginClearance, admit, failure_of, home_secrets
from okx_auth_graph.okx.errors import OkxError, OkxFailure
from okx_auth_graph.okx.links import foreign_link, holds_foreign_link
from okx_auth_graph.okx.models import Site, checked_site
from okx_auth_graph.okx.redact import redact_text
from okx_auth_graph.okx.runner import (
    CliResult,
    LineCallback,
    OkxSettings,
    TickCallback,
    arun_okx_streaming,
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


class AsyncStreamingRunner(Protocol):
    """The async twin of `StreamingRunner`, like `arun_okx_streaming`."""

    async def __call__(
        self,
        args: Sequence[str],
        settings: OkxSettings,
        on_line: LineCallback,
        on_tick: TickCallback | None = None,
        tick_seconds: float = 1.0,
        /,
    ) -> CliResult:
        """Run the command on the event loop, handing each line and each quiet tick over live."""


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


def parse_interactive_login(result: CliResult, settings: OkxSettings) -> InteractiveLogin:
    """Read the CLI's lines; raise a classified `OkxError` for anything but success or guard."""
    if result.returncode != 0:
        raise OkxError(failure_of(result, settings))
    guard = _KEY_GUARD.search(result.stdout)
    if guard is not None:
        return InteractiveLogin("api_key_configured", guard.group("profile"))
    if _SUCCESS in result.stdout:
        return InteractiveLogin("logged_in")
    said = " ".join(result.stdout.split())
    detail = redact_text(said, home_secrets(settings))[-300:] or "no output"
    raise OkxError(OkxFailure(
        kind="malformed_output",
        detail=f"the login ended without a result: {detail}",
        command=list(result.command),
    ))


@dataclass(frozen=True)
class BlockingLogin:
    """The blocking login as one call, with its own budget: `blocking_login` makes it.

    `run` and `arun` are the same call on the two kinds of runner: each
    admits it only with the gate's clearance for its site, hands over the
    CLI's lines redacted (a line with a link to anywhere but OKX stops the CLI
    and is never shown), and reads the outcome. When the budget runs out the
    CLI is killed (with anything it spawned) and a `timeout` failure is
    raised: nothing keeps polling OKX behind the user.
    """

    clearance: LoginClearance
    """The gate's decision: the site the login runs on."""
    settings: OkxSettings
    """The run's settings with the login's budget as their timeout."""
    on_line: LineCallback
    """Gets each redacted line."""
    on_tick: TickCallback | None = None
    """Gets the elapsed seconds whenever the CLI has been quiet for a second."""

    @property
    def args(self) -> tuple[str, ...]:
        """`auth login --site <site>` on the cleared site."""
        return auth_login_interactive_args(self.clearance.site)

    def run(self, runner: StreamingRunner = run_okx_streaming) -> InteractiveLogin:
        """Run the login to its end; raise a classified `OkxError` for anything but success."""
        admit(self.args, self.clearance)
        return parse_interactive_login(
            runner(self.args, self.settings, self._forward, self.on_tick), self.settings
        )

    async def arun(self, runner: AsyncStreamingRunner = arun_okx_streaming) -> InteractiveLogin:
        """`run` on the event loop."""
        admit(self.args, self.clearance)
        return parse_interactive_login(
            await runner(self.args, self.settings, self._forward, self.on_tick), self.settings
        )

    def _forward(self, line: str) -> None:
        if holds_foreign_link(line):  # stops the CLI; the line is never shown
            raise foreign_link(self.args)
        self.on_line(redact_text(line))


def blocking_login(
    clearance: LoginClearance,
    settings: OkxSettings,
    on_line: LineCallback,
    on_tick: TickCallback | None = None,
    *,
    timeout: float = BLOCKING_LOGIN_TIMEOUT_SECONDS,
) -> BlockingLogin:
    """The blocking login on the site the gate cleared, with `timeout` as its budget."""
    return BlockingLogin(clearance, replace(settings, timeout=timeout), on_line, on_tick)
