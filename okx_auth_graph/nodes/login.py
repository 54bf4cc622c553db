"""The login flow's tool nodes: Step 0's preflight, the two logins, the one done-check.

Each runs the CLI through the shared boundary (`nodes/cli.py`), whose wrapper
turns a failed call into state for the report step.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.events import CliDoneEvent, CliLineEvent, CliProgressEvent
from okx_auth_graph.gate import gate_allows_login
from okx_auth_graph.nodes.cli import Cli, reports_failure
from okx_auth_graph.nodes.common import (
    changed,
    context_of,
    language_of,
    login_template,
    say,
)
from okx_auth_graph.nodes.failure import failure_text
from okx_auth_graph.nodes.questions import asking
from okx_auth_graph.nodes.recover import preflight_blocker
from okx_auth_graph.okx import (
    ErrorKind,
    OkxError,
    api_key_profile,
    auth_login_manual,
    auth_status,
    config_show,
)
from okx_auth_graph.okx.interactive import (
    InteractiveLogin,
    auth_login_interactive_args,
    login_interactive,
)
from okx_auth_graph.prompts import format_duration, render
from okx_auth_graph.state import AuthState, AuthUpdate, PendingLogin

#: Ways a blocking login ends that a new attempt can fix, so a retry is offered.
_LOGIN_ENDED: frozenset[ErrorKind] = frozenset({
    "authorization_timed_out", "access_denied", "network_error",
})


class LoginFlow:
    """Step 0 and the login itself, on one process boundary."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli

    def preflight(self, state: AuthState, runtime: Runtime[AuthContext]) -> AuthUpdate:
        """Step 0: `okx config show --json` and `okx auth status --json` at once.

        The two calls run side by side (`config show` on a thread of its own,
        so conversations share nothing and never queue), and the step lasts
        as long as the slower one. A failure of either is a finding, not an
        error: the router after this step (`preflight_outcome`) decides, and
        the failure that stops the procedure is noted as `failure`.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="okx-preflight") as side:
            config_half = side.submit(self._config_half, runtime)
            status_half, notes = self._status_half(state, runtime)
        config = config_half.result()
        blocker = preflight_blocker(
            config.get("config"), config.get("config_failure"), status_half.get("status_failure")
        )
        return {
            **changed(state, {**config, **status_half, "failure": blocker}),
            **({"messages": notes} if notes else {}),
        }

    def _config_half(self, runtime: Runtime[AuthContext]) -> AuthUpdate:
        """`okx config show --json`, redacted as it is parsed."""
        try:
            return {"config": self.cli.run(config_show(), runtime), "config_failure": None}
        except OkxError as error:
            return {"config": None, "config_failure": error.failure}

    def _status_half(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> tuple[AuthUpdate, list[AIMessage]]:
        """`okx auth status --json`, repairing a missing okx-auth binary once."""
        try:
            status, notes = self.cli.run_auth(auth_status(), state, runtime)
        except OkxError as error:
            return {"auth": None, "status_failure": error.failure}, []
        found: AuthUpdate = {"auth": status, "status_failure": None, "binary_repaired": bool(notes)}
        return found, notes

    @reports_failure
    def login(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["menu", "await_authorization", "api_key_stop", "report_failure"]]:
        """`okx auth login --manual --site S`, behind the pre-login gate (checked again here).

        A skipped answer means Step 0.2 was stale: re-read the config and stop
        with the API-key message, no retry.
        """
        site = state.get("chosen_site")
        if site is None or not gate_allows_login(state["messages"], site):
            return Command(goto="menu")
        answer, notes = self.cli.run_auth(auth_login_manual(site), state, runtime)
        if "status" in answer:  # `{"status": "skipped", ...}`: the CLI's API-key guard
            stale = self._stale_key(answer["profile"], notes, runtime)
            return Command(goto="api_key_stop", update=stale)
        pending = PendingLogin(site=site, device=answer)
        shown = asking("authorization_done", {
            "pending_login": pending, "messages": [*notes, say(login_template(state, pending))],
        })
        return Command(goto="await_authorization", update=shown)

    def _stale_key(
        self, guarded: str | None, notes: list[AIMessage], runtime: Runtime[AuthContext]
    ) -> AuthUpdate:
        """The CLI's own guard found a key that Step 0.2 did not: re-read the config to name it."""
        config = self.cli.run(config_show(), runtime)
        return {
            "config": config,
            "api_key_profile": api_key_profile(config) or guarded or "?",
            "messages": notes,
        }

    @reports_failure
    def verify(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["success", "await_authorization", "ask_retry", "report_failure"]]:
        """After the user's done signal: exactly one `okx auth status --json`, then branch."""
        language = language_of(state)
        status, notes = self.cli.run_auth(auth_status(), state, runtime)
        if status["status"] == "logged_in":
            return Command(goto="success", update={"auth": status, "messages": notes})
        if status["status"] == "pending":
            not_yet = asking("authorization_done", {
                "auth": status, "messages": [*notes, say(render("not_yet", language))],
            })
            return Command(goto="await_authorization", update=not_yet)
        expired = asking("retry_login", {
            "auth": status,
            "pending_login": None,
            "messages": [*notes, say(render("expired_ask_retry", language))],
        })
        return Command(goto="ask_retry", update=expired)

    @reports_failure
    def login_interactive(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["menu", "verify", "ask_retry", "api_key_stop", "report_failure"]]:
        """`okx auth login --site S`, waiting for the browser, behind the same gate.

        The CLI's lines and a heartbeat go out as custom stream events while it
        waits; the budget is the code's lifetime plus a margin, after which the
        CLI is killed. Success is verified once with `auth status`; the CLI's
        API-key guard means Step 0.2 was stale; a failed login offers a retry.
        """
        site = state.get("chosen_site")
        if site is None or not gate_allows_login(state["messages"], site):
            return Command(goto="menu")
        context = context_of(runtime)
        command = "okx " + " ".join(auth_login_interactive_args(site))
        started = time.monotonic()
        write = runtime.stream_writer

        def on_line(line: str) -> None:
            write(CliLineEvent(kind="okx_cli_line", command=command, line=line))

        def on_tick(elapsed: float) -> None:
            write(CliProgressEvent(kind="okx_cli_progress", command=command,
                                   elapsed_seconds=round(elapsed, 1),
                                   timeout_seconds=context.login_timeout_seconds))

        def attempt() -> InteractiveLogin:
            return login_interactive(site, self.cli.settings(runtime), on_line, on_tick,
                                     timeout=context.login_timeout_seconds,
                                     runner=self.cli.streaming_runner)

        language = language_of(state)
        timed_out = False
        try:
            login, notes = self.cli.repairing(attempt, state, runtime)
        except OkxError as error:
            timed_out = error.kind == "timeout"
            if timed_out:
                wait = format_duration(context.login_timeout_seconds, language)
                text = render("login_wait_timeout", language, duration=wait)
            elif error.kind in _LOGIN_ENDED:
                text = failure_text(error.failure, state)
            else:
                raise
            retry = render("retry_question", language)
            asked = asking("retry_login", {"messages": [say(f"{text}\n{retry}")]})
            return Command(goto="ask_retry", update=asked)
        finally:
            write(CliDoneEvent(kind="okx_cli_done", command=command,
                               elapsed_seconds=round(time.monotonic() - started, 1),
                               timed_out=timed_out))
        if login.outcome == "api_key_configured":
            stale = self._stale_key(login.profile, notes, runtime)
            return Command(goto="api_key_stop", update=stale)
        return Command(goto="verify", update={"messages": notes} if notes else None)
