"""The login flow's tool nodes: the two logins and the one done-check.

Each is a plan on the shared boundary (`nodes/cli.py`), run blocking under
`invoke` and on the event loop under `ainvoke`, whose wrapper turns a failed
call into state for the report step.
"""

from __future__ import annotations

import time
from contextlib import ExitStack

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.events import CliDoneEvent, CliLineEvent, CliProgressEvent
from okx_auth_graph.gate import login_clearance
from okx_auth_graph.nodes.cli import Cli, CliPlan, blocking, reports_failure
from okx_auth_graph.nodes.common import (
    context_of,
    language_of,
    login_template,
    say,
)
from okx_auth_graph.nodes.failure import failure_text
from okx_auth_graph.nodes.questions import asking
from okx_auth_graph.okx import (
    OkxError,
    api_key_profile,
    auth_login_manual,
    auth_status,
)
from okx_auth_graph.okx.errors import LOGIN_RETRY_KINDS
from okx_auth_graph.okx.interactive import (
    InteractiveLogin,
    auth_login_interactive_args,
    blocking_login,
)
from okx_auth_graph.okx.login_lock import LoginLedger, login_lock
from okx_auth_graph.prompts import format_duration, render
from okx_auth_graph.skill import Skill
from okx_auth_graph.state import AuthState, AuthUpdate, PendingLogin


class LoginFlow:
    """The login itself and its done-check, on one process boundary."""

    def __init__(self, cli: Cli, skill: Skill) -> None:
        self.cli = cli
        self.skill = skill

    @reports_failure
    def login(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[Command[str]]:
        """`okx auth login --manual --site S`, behind the pre-login gate (checked again here).

        It runs under the HOME's login lock: when another conversation of the
        same user started a login since Step 0, Step 0.3 is asked again and a
        pending login is waited for instead of replaced. A skipped answer
        means Step 0.2 was stale: re-read the config and stop with the API-key
        message, no retry.
        """
        clearance = login_clearance(state["messages"], state.get("site_choice"), self.skill)
        settings = yield from self.cli.settings(runtime)
        with (yield from login_lock(settings.okx_home, settings.timeout)) as ledger:
            raced = yield from self._started_elsewhere(state, ledger, runtime)
            if raced is not None:
                return Command(goto=raced[0], update=raced[1])
            answer, notes = yield from self.cli.run_auth(  # the CLI holds the lock too
                auth_login_manual(clearance), state, runtime, ledger.holds
            )
            if "status" in answer:  # `{"status": "skipped", ...}`: the CLI's API-key guard
                stale = yield from self._stale_key(answer["profile"], notes, runtime)
                return Command(goto="api_key_stop", update=stale)
            started = ledger.record_start()
        pending = PendingLogin(site=clearance.site, device=answer)
        shown = asking("authorization_done", {
            "pending_login": pending, "logins_seen": started,
            "messages": [*notes, say(login_template(state, pending))],
        })
        return Command(goto="await_authorization", update=shown)

    def _started_elsewhere(
        self, state: AuthState, ledger: LoginLedger, runtime: Runtime[AuthContext]
    ) -> CliPlan[tuple[str, AuthUpdate] | None]:
        """Step 0.3 again when the HOME started a login since this request looked; else None.

        Pending: that login is waited for (no new code). Logged in: the success
        template. Not logged in: None, and this step's own login goes ahead.
        """
        if ledger.started == (state.get("logins_seen") or 0):
            return None
        status = yield from self.cli.run(auth_status(), runtime)
        seen: AuthUpdate = {"auth": status, "logins_seen": ledger.started}
        if status["status"] == "pending":
            return "pending_notice", seen
        if status["status"] == "logged_in":
            return "success", seen
        return None

    def _stale_key(
        self, guarded: str | None, notes: list[AIMessage], runtime: Runtime[AuthContext]
    ) -> CliPlan[AuthUpdate]:
        """The CLI's own guard found a key that Step 0.2 did not: re-read the config to name it."""
        config = yield from self.cli.config(runtime)
        return {
            "config": config,
            "api_key_profile": api_key_profile(config) or guarded or "?",
            "messages": notes,
        }

    @reports_failure
    def verify(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[Command[str]]:
        """After the user's done signal: exactly one `okx auth status --json`, then branch."""
        language = language_of(state)
        status, notes = yield from self.cli.run_auth(auth_status(), state, runtime)
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
    ) -> CliPlan[Command[str]]:
        """`okx auth login --site S`, waiting for the browser, behind the same gate and lock.

        The CLI's lines and a heartbeat go out as custom stream events while it
        waits; the budget is the code's lifetime plus a margin, after which the
        CLI is killed. Success is verified once with `auth status`; the CLI's
        API-key guard means Step 0.2 was stale; a failed login offers a retry.
        The HOME's login lock covers Step 0.3's second look and the start, until
        the CLI prints its first line (its code is pending then), not the wait
        for the browser (minutes, while the CLI holds the pending login).
        """
        clearance = login_clearance(state["messages"], state.get("site_choice"), self.skill)
        settings = yield from self.cli.settings(runtime)
        held = ExitStack()
        ledger = held.enter_context((yield from login_lock(settings.okx_home, settings.timeout)))
        with held:
            raced = yield from self._started_elsewhere(state, ledger, runtime)
            if raced is not None:
                return Command(goto=raced[0], update=raced[1])
            count = ledger.record_start()
            held = held.pop_all()  # kept until the CLI shows its code: it is pending then
        context = context_of(runtime)
        command = "okx " + " ".join(auth_login_interactive_args(clearance.site))
        started = time.monotonic()
        write = runtime.stream_writer

        def on_line(line: str) -> None:
            held.close()
            write(CliLineEvent(kind="okx_cli_line", command=command, line=line))

        def on_tick(elapsed: float) -> None:
            write(CliProgressEvent(kind="okx_cli_progress", command=command,
                                   elapsed_seconds=round(elapsed, 1),
                                   timeout_seconds=context.login_timeout_seconds))

        def attempt() -> CliPlan[InteractiveLogin]:
            settings = yield from self.cli.settings(runtime)
            login = blocking_login(clearance, settings, on_line, on_tick,
                                   timeout=context.login_timeout_seconds)
            return (yield from blocking(login))

        language = language_of(state)
        timed_out = False
        try:
            login, notes = yield from self.cli.repairing(attempt, state, runtime)
        except OkxError as error:
            timed_out = error.kind == "timeout"
            if timed_out:
                wait = format_duration(context.login_timeout_seconds, language)
                text = render("login_wait_timeout", language, duration=wait)
            elif error.kind in LOGIN_RETRY_KINDS:
                text = failure_text(error.failure, state)
            else:
                raise
            retry = render("retry_question", language)
            asked = asking("retry_login", {
                "messages": [say(f"{text}\n{retry}")], "logins_seen": count,
            })
            return Command(goto="ask_retry", update=asked)
        finally:
            held.close()
            write(CliDoneEvent(kind="okx_cli_done", command=command,
                               elapsed_seconds=round(time.monotonic() - started, 1),
                               timed_out=timed_out))
        if login.outcome == "api_key_configured":
            stale = yield from self._stale_key(login.profile, notes, runtime)
            return Command(goto="api_key_stop", update={**stale, "logins_seen": count})
        return Command(goto="verify", update={"messages": notes, "logins_seen": count})
