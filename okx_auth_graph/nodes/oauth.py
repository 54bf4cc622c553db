"""Step 0.3 and the success reply: route on the OAuth status, behind the gate."""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.gate import gate_allows_login
from okx_auth_graph.nodes.cli import login_template
from okx_auth_graph.nodes.common import (
    FINISH,
    Update,
    chosen_site_of,
    context_of,
    language_of,
    say,
    with_next_skill,
)
from okx_auth_graph.okx import ErrorKind, OkxFailure
from okx_auth_graph.prompts import format_duration, format_scopes, render
from okx_auth_graph.state import AuthState


def check_oauth(
    state: AuthState, runtime: Runtime[AuthContext]
) -> Command[
    Literal[
        "report_logged_in", "post_pending", "login", "announce_login", "post_menu",
        "report_failure",
    ]
]:
    """logged_in → success; pending → wait, no new login; not_logged_in → the gate.

    A user who agreed to move to another site (after a region restriction)
    goes to the gate even with a live session: the new login replaces it.
    """
    status = state.get("auth")
    if status is None:
        failure = OkxFailure(kind=ErrorKind.UNKNOWN, detail="no auth status to check")
        return Command(goto="report_failure", update={"failure": failure})
    switching = bool(state.get("switch_site"))
    if status.status == "logged_in" and not switching:
        return Command(goto="report_logged_in")
    if status.status == "pending" and not switching:
        return Command(goto="post_pending")
    # The only edges into a login: the pre-login gate must hold right now.
    if gate_allows_login(state["messages"], chosen_site_of(state)):
        interactive = context_of(runtime).login_mode == "interactive"
        return Command(goto="announce_login" if interactive else "login")
    return Command(goto="post_menu")


def report_logged_in(state: AuthState) -> Command[Literal["__end__"]]:
    """The success template: site and scopes only (never expiresAt, ttl or profile)."""
    status = state.get("auth")
    site = status.site.value if status and status.site else ""
    scopes = list(status.scopes) if status else []
    text = render("success", language_of(state), site=site, scopes=format_scopes(scopes))
    return Command(
        goto=FINISH,
        update={
            "messages": [say(text)],
            "okx_auth": with_next_skill(
                state, {"status": "logged_in", "site": site or None, "scopes": scopes}
            ),
            "pending_login": None,
            "switch_site": False,
        },
    )


def post_pending(state: AuthState) -> Update:
    """A login already waits: repeat this thread's link and code, or say it waits."""
    language = language_of(state)
    pending = state.get("pending_login")
    status = state.get("auth")
    if pending is not None and status is not None and status.site in (None, pending.site):
        texts = [render("pending_with_code", language), login_template(state, pending)]
    else:
        texts = [render("pending_without_code", language)]
    return {"messages": [say(text) for text in texts]}


def announce_login(state: AuthState, runtime: Runtime[AuthContext]) -> Update:
    """Interactive mode: say first that the browser comes next, and how long we wait.

    The blocking login node cannot post while the CLI runs, so this is its own
    step; the lines the CLI prints then arrive as custom stream events.
    """
    site = chosen_site_of(state)
    language = language_of(state)
    wait = format_duration(context_of(runtime).login_timeout_seconds, language)
    text = render("browser_login_notice", language, site=site.value if site else "", duration=wait)
    return {"messages": [say(text)]}
