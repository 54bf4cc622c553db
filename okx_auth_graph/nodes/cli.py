"""Tool nodes: the only steps that run the okx CLI.

They never interrupt (a node that interrupts re-runs from its top on resume,
which would repeat a CLI call), and they turn every CLI failure into state, so
no exception leaves the graph. A "Failed to spawn okx-auth" answer from an
auth command is repaired once, as the skill prescribes: `auth install`, then
`auth install-status`, then the command again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, TypeVar

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.events import CliDoneEvent, CliLineEvent, CliProgressEvent
from okx_auth_graph.gate import gate_allows_login
from okx_auth_graph.isolation import run_settings
from okx_auth_graph.nodes.api_key import api_key_stop
from okx_auth_graph.nodes.checks import CheckNext, from_site_check
from okx_auth_graph.nodes.common import (
    FINISH,
    Update,
    as_seen,
    changed,
    chosen_site_of,
    context_of,
    language_of,
    login_template,
    merged,
    say,
    with_menu,
)
from okx_auth_graph.nodes.failure import failure_text
from okx_auth_graph.nodes.oauth import logged_in_stop
from okx_auth_graph.nodes.requests import asks_session_longevity
from okx_auth_graph.nodes.triage import TriageNext, triage
from okx_auth_graph.okx import (
    CliRunner,
    ErrorKind,
    LoginSkipped,
    OkxCommand,
    OkxError,
    OkxSettings,
    auth_install,
    auth_install_status,
    auth_login_manual,
    auth_logout,
    auth_remove,
    auth_status,
    config_show,
    config_use,
    execute,
    failure_of,
    run_okx,
    run_okx_streaming,
)
from okx_auth_graph.okx.config_file import ProfileEditError, remove_profile
from okx_auth_graph.okx.interactive import (
    InteractiveLogin,
    StreamingRunner,
    auth_login_interactive_args,
    login_interactive,
)
from okx_auth_graph.okx.runner import redact_argv
from okx_auth_graph.prompts import format_duration, format_scopes, render
from okx_auth_graph.state import AuthState, OkxAuthOutcome, PendingLogin

T = TypeVar("T")


class CliSteps:
    """The tool nodes, sharing one process boundary (`runner`) and one executable."""

    def __init__(
        self,
        runner: CliRunner = run_okx,
        streaming_runner: StreamingRunner = run_okx_streaming,
        okx_cli: str | None = None,
    ) -> None:
        self._runner = runner
        self._streaming_runner = streaming_runner
        self._okx_cli = okx_cli

    def _settings(self, runtime: Runtime[AuthContext]) -> OkxSettings:
        """This run's CLI settings: the builder's executable, the caller's own HOME."""
        return run_settings(runtime, self._okx_cli)

    def _run(self, command: OkxCommand[T], runtime: Runtime[AuthContext]) -> T:
        return execute(command, self._settings(runtime), self._runner)

    def _repairing(
        self, call: Callable[[], T], state: AuthState, runtime: Runtime[AuthContext]
    ) -> tuple[T, list[AIMessage]]:
        """Make an auth call, repairing a missing okx-auth binary once and calling again."""
        try:
            return call(), []
        except OkxError as error:
            if error.kind is not ErrorKind.SPAWN_FAILED:
                raise
        self._run(auth_install(), runtime)
        self._run(auth_install_status(), runtime)
        return call(), [say(render("binary_reinstalled", language_of(state)))]

    def _run_auth(
        self, command: OkxCommand[T], state: AuthState, runtime: Runtime[AuthContext]
    ) -> tuple[T, list[AIMessage]]:
        """Run an auth command, repairing a missing okx-auth binary once."""
        return self._repairing(lambda: self._run(command, runtime), state, runtime)

    def _stale_key_stop(
        self,
        state: AuthState,
        guarded: str | None,
        notes: list[AIMessage],
        runtime: Runtime[AuthContext],
    ) -> Update:
        """The CLI's own guard found a key that Step 0.2 did not: re-read the config to name it.

        The request then ends with the API-key stop, as at Step 0.2; no retry.
        """
        config = self._run(config_show(), runtime)
        update: Update = {"config": config, "messages": notes}
        stop = api_key_stop(as_seen(state, update), config.api_key_profile or guarded or "?")
        return merged(update, stop)

    def preflight(self, state: AuthState, runtime: Runtime[AuthContext]) -> Command[TriageNext]:
        """Step 0: `okx config show --json` and `okx auth status --json` at once, then triage.

        The two calls run side by side (`config show` on a thread of its own,
        so conversations share nothing and never queue), and the step lasts
        as long as the slower one. What they found decides the next step right
        here (`nodes/triage.py`): a separate join step would cost a checkpoint
        and decide nothing more.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="okx-preflight") as side:
            config_half = side.submit(self._config_half, state, runtime)
            status_found = self._status_half(state, runtime)
        found = merged(config_half.result(), status_found)
        goto, update = triage(as_seen(state, found), runtime)
        return Command(goto=goto, update=merged(found, update))

    def _config_half(self, state: AuthState, runtime: Runtime[AuthContext]) -> Update:
        """`okx config show --json`, redacted as it is parsed."""
        try:
            return changed(state, config=self._run(config_show(), runtime), config_failure=None)
        except OkxError as error:
            return changed(state, config=None, config_failure=error.failure)

    def _status_half(self, state: AuthState, runtime: Runtime[AuthContext]) -> Update:
        """`okx auth status --json`, repairing a missing okx-auth binary once."""
        try:
            status, notes = self._run_auth(auth_status(), state, runtime)
        except OkxError as error:
            return changed(state, auth=None, status_failure=error.failure)
        found = changed(state, auth=status, status_failure=None, binary_repaired=bool(notes))
        return merged(found, {"messages": notes})

    def login(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["ask_site", "await_authorization", "report_failure", "__end__"]]:
        """`okx auth login --manual --site S`, behind the pre-login gate (checked again here).

        A skipped answer means Step 0.2 was stale: re-read the config and stop
        with the API-key message, no retry.
        """
        site = chosen_site_of(state)
        if site is None or not gate_allows_login(state["messages"], site):
            return Command(goto="ask_site", update=with_menu(state))
        try:
            answer, notes = self._run_auth(auth_login_manual(site), state, runtime)
            if isinstance(answer, LoginSkipped):
                stop = self._stale_key_stop(state, answer.profile, notes, runtime)
                return Command(goto=FINISH, update=stop)
        except OkxError as error:
            return Command(goto="report_failure", update={"failure": error.failure})
        pending = PendingLogin(site=site, device=answer)
        return Command(
            goto="await_authorization",
            update={
                "pending_login": pending,
                "messages": [*notes, say(login_template(state, pending))],
            },
        )

    def verify(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["await_authorization", "ask_retry", "report_failure", "__end__"]]:
        """After the user's done signal: exactly one `okx auth status --json`, then branch."""
        language = language_of(state)
        try:
            status, notes = self._run_auth(auth_status(), state, runtime)
        except OkxError as error:
            return Command(goto="report_failure", update={"failure": error.failure})
        if status.status == "logged_in":
            found = merged({"messages": notes}, changed(state, auth=status))
            return Command(goto=FINISH, update=merged(found, logged_in_stop(state, status)))
        if status.status == "pending":
            return Command(
                goto="await_authorization",
                update={"auth": status, "messages": [*notes, say(render("not_yet", language))]},
            )
        return Command(
            goto="ask_retry",
            update={
                "auth": status,
                "pending_login": None,
                "messages": [*notes, say(render("expired_ask_retry", language))],
            },
        )

    def report_status(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["__end__", "report_failure"]]:
        """The `status` entry: one `auth status --json`; status, site and scopes only."""
        language = language_of(state)
        try:
            status, notes = self._run_auth(auth_status(), state, runtime)
        except OkxError as error:
            return Command(goto="report_failure", update={"failure": error.failure})
        site = status.chosen_site.value if status.chosen_site else "-"
        texts = [render("status_report", language, status=status.status, site=site,
                        scopes=format_scopes(status.scopes) or "-")]
        if asks_session_longevity(state):
            texts.append(render("session_longevity", language))
        outcome: OkxAuthOutcome = {
            "status": status.status,
            "site": status.chosen_site.value if status.chosen_site else None,
            "scopes": list(status.scopes),
        }
        return Command(
            goto=FINISH,
            update={"messages": [*notes, *(say(t) for t in texts)], "okx_auth": outcome},
        )

    def logout(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["__end__", "report_failure"]]:
        """The `logout` entry: `okx auth logout`; the client registration is kept."""
        try:
            _, notes = self._run_auth(auth_logout(), state, runtime)
        except OkxError as error:
            return Command(goto="report_failure", update={"failure": error.failure})
        return Command(
            goto=FINISH,
            update={
                "messages": [*notes, say(render("logged_out", language_of(state)))],
                "okx_auth": {"status": "not_logged_in"},
                "pending_login": None,
            },
        )

    def install_binary(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["__end__", "report_failure"]]:
        """The `install` entry: `okx auth install --json`, reported in plain words."""
        try:
            result = self._run(auth_install(), runtime)
        except OkxError as error:
            return Command(goto="report_failure", update={"failure": error.failure})
        phrase = "binary_up_to_date" if result.status == "up_to_date" else "binary_installed"
        text = render(phrase, language_of(state), version=result.version or "?")
        return Command(goto=FINISH, update={"messages": [say(text)], "okx_auth": None})

    def report_install_status(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["__end__", "report_failure"]]:
        """The `install_status` entry: `okx auth install-status --json`, in plain words."""
        try:
            info = self._run(auth_install_status(), runtime)
        except OkxError as error:
            return Command(goto="report_failure", update={"failure": error.failure})
        language = language_of(state)
        version, latest = info.version or "?", info.latest or "?"
        if not info.installed:
            text = render("binary_status_missing", language)
        elif info.up_to_date is False:
            text = render("binary_status_outdated", language, version=version, latest=latest)
        else:
            text = render("binary_status_ok", language, version=version)
        return Command(goto=FINISH, update={"messages": [say(text)], "okx_auth": None})

    def remove_binary(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["__end__", "report_failure"]]:
        """After an explicit yes: `okx auth remove --force`."""
        try:
            self._run(auth_remove(force=True), runtime)
        except OkxError as error:
            return Command(goto="report_failure", update={"failure": error.failure})
        return Command(
            goto=FINISH,
            update={"messages": [say(render("removed", language_of(state)))], "okx_auth": None},
        )

    def repair_binary(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal[CheckNext, "post_remove_question"]]:
        """Recovery from "Failed to spawn okx-auth": install, check, retry the command once.

        The repair runs once per request (the preflight may have done it). A
        failed login or remove is not replayed: a login goes through the menu
        and the gate like any other, a removal is asked first.
        """
        request = state.get("okx_auth_request") or {}
        command = tuple(request.get("command") or ("auth", "status", "--json"))
        language = language_of(state)
        repaired = [] if state.get("binary_repaired") else [render("binary_reinstalled", language)]
        try:
            if repaired:
                self._run(auth_install(), runtime)
                self._run(auth_install_status(), runtime)
            said: Update = {"messages": [say(t) for t in repaired]} if repaired else {}
            if command[:2] == ("auth", "login"):
                goto, update = from_site_check(state, runtime, said)
                return Command(goto=goto, update=update)
            if command[:2] == ("auth", "remove"):
                return Command(goto="post_remove_question", update=said)
            retried = self._runner(command, self._settings(runtime))
        except OkxError as error:
            return Command(goto="report_failure", update={"failure": error.failure})
        if retried.returncode != 0:
            failure = failure_of(retried)
            return Command(goto="report_failure", update={"failure": failure})
        status = state.get("auth")
        texts = [*repaired,
                 render("retried_command", language, command=" ".join(redact_argv(command)))]
        outcome: OkxAuthOutcome = {"status": status.status if status else "not_logged_in"}
        return Command(
            goto=FINISH, update={"messages": [say(t) for t in texts], "okx_auth": outcome}
        )

    def login_interactive(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["ask_site", "verify", "ask_retry", "report_failure", "__end__"]]:
        """`okx auth login --site S`, waiting for the browser, behind the same gate.

        The CLI's lines and a heartbeat go out as custom stream events while it
        waits; the budget is the code's lifetime plus a margin, after which the
        CLI is killed. Success is verified once with `auth status`; the CLI's
        API-key guard means Step 0.2 was stale; a failed login offers a retry.
        """
        site = chosen_site_of(state)
        if site is None or not gate_allows_login(state["messages"], site):
            return Command(goto="ask_site", update=with_menu(state))
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
            return login_interactive(site, self._settings(runtime), on_line, on_tick,
                                     timeout=context.login_timeout_seconds,
                                     runner=self._streaming_runner)

        language = language_of(state)
        timed_out = False
        try:
            login, notes = self._repairing(attempt, state, runtime)
            if login.outcome == "api_key_configured":
                stop = self._stale_key_stop(state, login.profile, notes, runtime)
                return Command(goto=FINISH, update=stop)
        except OkxError as error:
            timed_out = error.kind is ErrorKind.TIMEOUT
            if timed_out:
                wait = format_duration(context.login_timeout_seconds, language)
                text = render("login_wait_timeout", language, duration=wait)
            elif error.kind in _LOGIN_ENDED:
                text = failure_text(error.failure, state)
            else:
                return Command(goto="report_failure", update={"failure": error.failure})
            retry = render("retry_question", language)
            return Command(goto="ask_retry", update={"messages": [say(f"{text}\n{retry}")]})
        finally:
            write(CliDoneEvent(kind="okx_cli_done", command=command,
                               elapsed_seconds=round(time.monotonic() - started, 1),
                               timed_out=timed_out))
        return Command(goto="verify", update={"messages": notes} if notes else None)

    def drop_api_key_profile(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[CheckNext]:
        """Step 0.2.a option 2, after a yes: remove the keyed profile, then OAuth from Step 0.

        The block is cut out of `~/.okx/config.toml` with a timestamped backup
        beside it. If it was the default and other profiles remain, the CLI's
        own `okx config use <other>` names a new default. The config is read
        again, so any other key still stops at Step 0.2.
        """
        name = state.get("profile_to_drop") or ""
        language = language_of(state)
        try:
            removal = remove_profile(self._settings(runtime), name)
        except OkxError as error:
            return Command(goto="report_failure", update={"failure": error.failure})
        except ProfileEditError as error:
            text = render("profile_edit_failed", language, detail=str(error), name=name)
            outcome: OkxAuthOutcome = {
                "status": "needs_user_action", "profile": name, "message": text,
            }
            return Command(goto=FINISH, update={"messages": [say(text)], "okx_auth": outcome})
        texts = [render("profile_removed", language, name=name, backup=str(removal.backup))]
        try:
            if removal.was_default and removal.remaining:
                other = removal.remaining[0]
                self._run(config_use(other), runtime)
                texts.append(render("default_switched", language, other=other))
            config = self._run(config_show(), runtime)
        except OkxError as error:
            return Command(goto="report_failure", update={
                "failure": error.failure, "messages": [say(t) for t in texts],
            })
        goto, update = from_site_check(state, runtime, {
            "messages": [say(t) for t in texts],
            "config": config,
            **changed(state, api_key_profile=None, profile_to_drop=None),
        })
        return Command(goto=goto, update=update)


#: Ways a blocking login ends that a new attempt can fix, so a retry is offered.
_LOGIN_ENDED = frozenset({
    ErrorKind.AUTHORIZATION_TIMED_OUT, ErrorKind.ACCESS_DENIED, ErrorKind.NETWORK_ERROR,
})
