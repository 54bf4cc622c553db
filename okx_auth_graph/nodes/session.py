"""The `status` and `logout` entries: one auth command each, reported in plain words."""

from __future__ import annotations

from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.keywords import asks_session_longevity
from okx_auth_graph.nodes.cli import Cli, CliPlan, reports_failure
from okx_auth_graph.nodes.common import language_of, say
from okx_auth_graph.okx import auth_logout, auth_status, chosen_site
from okx_auth_graph.prompts import format_scopes, render
from okx_auth_graph.replies import latest_human_text
from okx_auth_graph.state import AuthState, AuthUpdate, OkxAuthOutcome


class SessionSteps:
    """Reading and ending the OAuth session, on one process boundary."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli

    @reports_failure
    def report_status(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[Command[str]]:
        """The `status` entry: one `auth status --json`; status, site and scopes only."""
        language = language_of(state)
        status, notes = yield from self.cli.run_auth(auth_status(), state, runtime)
        site = chosen_site(status)
        texts = [render("status_report", language, status=status["status"], site=site or "-",
                        scopes=format_scopes(status["scopes"]) or "-")]
        asked = latest_human_text(state["messages"])
        if asked is not None and asks_session_longevity(asked):
            texts.append(render("session_longevity", language))
        outcome: OkxAuthOutcome = {
            "status": status["status"], "site": site, "scopes": list(status["scopes"]),
        }
        reported: AuthUpdate = {
            "messages": [*notes, *(say(t) for t in texts)], "okx_auth": outcome,
        }
        return Command(goto=END, update=reported)

    @reports_failure
    def logout(
        self, state: AuthState, runtime: Runtime[AuthContext]
    ) -> CliPlan[Command[str]]:
        """The `logout` entry: `okx auth logout`; the client registration is kept."""
        _, notes = yield from self.cli.run_auth(auth_logout(), state, runtime)
        logged_out: AuthUpdate = {
            "messages": [*notes, say(render("logged_out", language_of(state)))],
            "okx_auth": {"status": "not_logged_in"},
            "pending_login": None,
        }
        return Command(goto=END, update=logged_out)
