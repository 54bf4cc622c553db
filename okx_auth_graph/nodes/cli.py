"""Tool nodes: the only steps that run the okx CLI.

They never interrupt (a node that interrupts re-runs from its top on resume,
which would repeat a CLI call), and they turn every CLI failure into state, so
no exception leaves the graph. A "Failed to spawn okx-auth" answer from an
auth command is repaired once, as the skill prescribes: `auth install`, then
`auth install-status`, then the command again.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.gate import gate_allows_login
from okx_auth_graph.nodes.common import FINISH, Update, context_of, language_of, say
from okx_auth_graph.nodes.requests import asks_session_longevity
from okx_auth_graph.okx import (
    CliRunner,
    ErrorKind,
    LoginSkipped,
    OkxCommand,
    OkxError,
    auth_install,
    auth_install_status,
    auth_login_manual,
    auth_logout,
    auth_remove,
    auth_status,
    config_show,
    execute,
    failure_of,
    run_okx,
)
from okx_auth_graph.okx.runner import redact_argv
from okx_auth_graph.prompts import format_minutes, format_scopes, render
from okx_auth_graph.state import AuthState, OkxAuthOutcome, PendingLogin

T = TypeVar("T")


def login_template(state: AuthState, pending: PendingLogin) -> str:
    """The skill's login template, filled with all four fields."""
    return render(
        "login",
        language_of(state),
        site=pending.site.value,
        verificationUri=pending.device.verification_uri,
        userCode=pending.device.user_code,
        **{"expiresIn/60": format_minutes(pending.device.expires_in)},
    )


class CliSteps:
    """The tool nodes, sharing one process boundary (`runner`)."""

    def __init__(self, runner: CliRunner = run_okx) -> None:
        self._runner = runner

    def _run(self, command: OkxCommand[T], runtime: Runtime[AuthContext]) -> T:
        return execute(command, context_of(runtime).okx_settings(), self._runner)

    def _run_auth(
        self, command: OkxCommand[T], state: AuthState, runtime: Runtime[AuthContext]
    ) -> tuple[T, list[AIMessage]]:
        """Run an auth command, repairing a missing okx-auth binary once."""
        try:
            return self._run(command, runtime), []
        except OkxError as error:
            if error.kind is not ErrorKind.SPAWN_FAILED:
                raise
        self._run(auth_install(), runtime)
        self._run(auth_install_status(), runtime)
        return self._run(command, runtime), [say(render("binary_reinstalled", language_of(state)))]

    def preflight_config(self, state: AuthState, runtime: Runtime[AuthContext]) -> Update:
        """Step 0, first half: `okx config show --json`, redacted as it is parsed."""
        try:
            return {"config": self._run(config_show(), runtime), "config_failure": None}
        except OkxError as error:
            return {"config": None, "config_failure": error.failure}

    def preflight_status(self, state: AuthState, runtime: Runtime[AuthContext]) -> Update:
        """Step 0, second half: `okx auth status --json`."""
        try:
            status, notes = self._run_auth(auth_status(), state, runtime)
        except OkxError as error:
            return {"auth": None, "status_failure": error.failure}
        return {
            "auth": status,
            "status_failure": None,
            "messages": notes,
            "binary_repaired": bool(notes),
        }

    def login(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["post_menu", "await_authorization", "report_api_key", "report_failure"]]:
        """`okx auth login --manual --site S`, behind the pre-login gate (checked again here).

        A skipped answer means Step 0.2 was stale: re-read the config and stop
        with the API-key message, no retry.
        """
        site = state.get("chosen_site")
        if site is None or not gate_allows_login(state["messages"], site):
            return Command(goto="post_menu")
        try:
            answer, notes = self._run_auth(auth_login_manual(site), state, runtime)
            if isinstance(answer, LoginSkipped):
                config = self._run(config_show(), runtime)
                return Command(
                    goto="report_api_key",
                    update={
                        "config": config,
                        "api_key_profile": config.api_key_profile or answer.profile,
                        "messages": notes,
                    },
                )
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
    ) -> Command[
        Literal["report_logged_in", "await_authorization", "ask_retry", "report_failure"]
    ]:
        """After the user's done signal: exactly one `okx auth status --json`, then branch."""
        language = language_of(state)
        try:
            status, notes = self._run_auth(auth_status(), state, runtime)
        except OkxError as error:
            return Command(goto="report_failure", update={"failure": error.failure})
        if status.status == "logged_in":
            return Command(goto="report_logged_in", update={"auth": status, "messages": notes})
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
    ) -> Command[Literal["__end__", "report_failure", "check_site", "post_remove_question"]]:
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
            if command[:2] in (("auth", "login"), ("auth", "remove")):
                goto: Literal["check_site", "post_remove_question"] = (
                    "check_site" if command[1] == "login" else "post_remove_question"
                )
                return Command(goto=goto, update={"messages": [say(t) for t in repaired]})
            retried = self._runner(command, context_of(runtime).okx_settings())
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
