"""The okx-auth binary: install, install-status, remove (asked first), and the spawn repair."""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.cli import Cli, reports_failure
from okx_auth_graph.nodes.common import FINISH, language_of, say
from okx_auth_graph.okx import (
    OkxError,
    auth_install,
    auth_install_status,
    auth_remove,
    failure_of,
)
from okx_auth_graph.okx.runner import redact_argv
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, AuthUpdate, OkxAuthOutcome


class BinarySteps:
    """The binary's entries, on one process boundary."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli

    @reports_failure
    def install_binary(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["__end__", "report_failure"]]:
        """The `install` entry: `okx auth install --json`, reported in plain words."""
        result = self.cli.run(auth_install(), runtime)
        phrase = "binary_up_to_date" if result["status"] == "up_to_date" else "binary_installed"
        text = render(phrase, language_of(state), version=result["version"] or "?")
        return Command(goto=FINISH, update={"messages": [say(text)], "okx_auth": None})

    @reports_failure
    def report_install_status(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["__end__", "report_failure"]]:
        """The `install_status` entry: `okx auth install-status --json`, in plain words."""
        info = self.cli.run(auth_install_status(), runtime)
        language = language_of(state)
        version, latest = info["version"] or "?", info["latest"] or "?"
        if not info["installed"]:
            text = render("binary_status_missing", language)
        elif info["up_to_date"] is False:
            text = render("binary_status_outdated", language, version=version, latest=latest)
        else:
            text = render("binary_status_ok", language, version=version)
        return Command(goto=FINISH, update={"messages": [say(text)], "okx_auth": None})

    @reports_failure
    def remove_binary(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["__end__", "report_failure"]]:
        """After an explicit yes: `okx auth remove --force`."""
        self.cli.run(auth_remove(force=True), runtime)
        removed: AuthUpdate = {
            "messages": [say(render("removed", language_of(state)))], "okx_auth": None,
        }
        return Command(goto=FINISH, update=removed)

    @reports_failure
    def repair_binary(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> Command[Literal["site_check", "post_remove_question", "report_failure", "__end__"]]:
        """Recovery from "Failed to spawn okx-auth": install, check, retry the command once.

        The repair runs once per request (the preflight may have done it). A
        failed login or remove is not replayed: a login goes through Step 0.1
        and the gate like any other, a removal is asked first.
        """
        request = state.get("okx_auth_request") or {}
        command = tuple(request.get("command") or ("auth", "status", "--json"))
        language = language_of(state)
        repaired = [] if state.get("binary_repaired") else [render("binary_reinstalled", language)]
        if repaired:
            self.cli.reinstall(runtime)
        said: AuthUpdate = {"messages": [say(t) for t in repaired]} if repaired else {}
        if command[:2] == ("auth", "login"):
            return Command(goto="site_check", update=said)
        if command[:2] == ("auth", "remove"):
            return Command(goto="post_remove_question", update=said)
        retried = self.cli.run_argv(command, runtime)
        if retried.returncode != 0:
            raise OkxError(failure_of(retried))
        status = state.get("auth")
        texts = [*repaired,
                 render("retried_command", language, command=" ".join(redact_argv(command)))]
        outcome: OkxAuthOutcome = {"status": status["status"] if status else "not_logged_in"}
        done: AuthUpdate = {"messages": [say(t) for t in texts], "okx_auth": outcome}
        return Command(goto=FINISH, update=done)
