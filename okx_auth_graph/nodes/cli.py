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
from okx_auth_graph.nodes.common import Update, context_of, language_of, say
from okx_auth_graph.okx import (
    CliRunner,
    ErrorKind,
    LoginSkipped,
    OkxCommand,
    OkxError,
    auth_install,
    auth_install_status,
    auth_login_manual,
    auth_status,
    config_show,
    execute,
    run_okx,
)
from okx_auth_graph.prompts import format_minutes, render
from okx_auth_graph.state import AuthState, PendingLogin

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
        return {"auth": status, "status_failure": None, "messages": notes}

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
