"""The okx-auth binary: install, install-status, remove (asked first), and the spawn repair.

The repair retries "the original command" as the skill says, but only as one
of the graph's own commands: the request's argv says which (`auth
status`, `auth logout`, the binary's own two), and is never run itself. A
login goes back to Step 0.1 and the gate, a removal is asked first, and any
other command (a config write, an order, a transfer, an unknown argv) is
left to the caller to retry once the sign-in side works.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.cli import Cli, CliPlan, reports_failure
from okx_auth_graph.nodes.common import language_of, say
from okx_auth_graph.okx import (
    AuthCommandName,
    AuthStatus,
    OkxCommand,
    auth_command_named,
    auth_install,
    auth_install_status,
    auth_logout,
    auth_remove,
    auth_status,
)
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, AuthUpdate, OkxAuthOutcome

_RETRIED: dict[AuthCommandName, Callable[[], OkxCommand[Any]]] = {
    "status": auth_status,
    "logout": auth_logout,
    "install": auth_install,
    "install-status": auth_install_status,
}
"""The failed commands the repair retries, each as the graph's own typed command."""


class BinarySteps:
    """The binary's entries, on one process boundary."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli

    @reports_failure
    def install_binary(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[Command[str]]:
        """The `install` entry: `okx auth install --json`, reported in plain words."""
        result = yield from self.cli.run(auth_install(), runtime)
        phrase = "binary_up_to_date" if result["status"] == "up_to_date" else "binary_installed"
        text = render(phrase, language_of(state), version=result["version"] or "?")
        return Command(goto=END, update={"messages": [say(text)], "okx_auth": None})

    @reports_failure
    def report_install_status(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[Command[str]]:
        """The `install_status` entry: `okx auth install-status --json`, in plain words."""
        info = yield from self.cli.run(auth_install_status(), runtime)
        language = language_of(state)
        version, latest = info["version"] or "?", info["latest"] or "?"
        if not info["installed"]:
            text = render("binary_status_missing", language)
        elif info["up_to_date"] is False:
            text = render("binary_status_outdated", language, version=version, latest=latest)
        else:
            text = render("binary_status_ok", language, version=version)
        return Command(goto=END, update={"messages": [say(text)], "okx_auth": None})

    @reports_failure
    def remove_binary(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[Command[str]]:
        """After an explicit yes: `okx auth remove --force`."""
        yield from self.cli.run(auth_remove(force=True), runtime)
        removed: AuthUpdate = {
            "messages": [say(render("removed", language_of(state)))], "okx_auth": None,
        }
        return Command(goto=END, update=removed)

    @reports_failure
    def repair_binary(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[Command[str]]:
        """Recovery from "Failed to spawn okx-auth": install, check, retry the command once.

        The repair runs once per request (the preflight may have done it). The
        request's command only names what to retry (absent: `auth status`):
        a login goes through Step 0.1 and the gate like any other, a removal
        is asked first, the other auth commands run as the graph builds them,
        and anything else is not run at all.
        """
        request = state.get("okx_auth_request") or {}
        failed = request.get("command")
        named = auth_command_named(failed) if failed else "status"
        language = language_of(state)
        factory = _RETRIED.get(named) if named else None
        retried = factory() if factory else None

        def retry() -> CliPlan[object]:
            """The failed command again, as the graph builds it; a login or a removal waits."""
            return (yield from self.cli.run(retried, runtime)) if retried is not None else None

        answer, repaired = yield from self.cli.repairing(
            retry, state, runtime, already_failed=not state.get("binary_repaired")
        )
        said: AuthUpdate = {"messages": repaired} if repaired else {}
        if named == "login":
            return Command(goto="site_check", update=said)
        if named == "remove":
            return Command(goto="post_remove_question", update=said)
        status = state.get("auth")
        if retried is None:
            text = render("retry_your_call", language)
        else:
            status = cast(AuthStatus, answer) if named == "status" else status
            text = render("retried_command", language, command=" ".join(retried.args))
        signed_out = named == "logout"
        outcome: OkxAuthOutcome = {
            "status": "not_logged_in" if signed_out or status is None else status["status"],
        }
        done: AuthUpdate = {"messages": [*repaired, say(text)], "okx_auth": outcome}
        return Command(goto=END, update=done)
