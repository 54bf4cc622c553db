"""Step 0.3 and the success reply: route on the OAuth status, behind the gate."""

from __future__ import annotations

from typing import Literal

from langgraph.types import Command

from okx_auth_graph.gate import gate_allows_login
from okx_auth_graph.nodes.cli import login_template
from okx_auth_graph.nodes.common import FINISH, Update, language_of, say
from okx_auth_graph.okx import ErrorKind, OkxFailure
from okx_auth_graph.prompts import format_scopes, render
from okx_auth_graph.state import AuthState


def check_oauth(
    state: AuthState,
) -> Command[Literal["report_logged_in", "post_pending", "login", "post_menu", "report_failure"]]:
    """logged_in → success; pending → wait, no new login; not_logged_in → the gate."""
    status = state.get("auth")
    if status is None:
        failure = OkxFailure(kind=ErrorKind.UNKNOWN, detail="no auth status to check")
        return Command(goto="report_failure", update={"failure": failure})
    if status.status == "logged_in":
        return Command(goto="report_logged_in")
    if status.status == "pending":
        return Command(goto="post_pending")
    # The only edge into `login`: the pre-login gate must hold right now.
    if gate_allows_login(state["messages"], state.get("chosen_site")):
        return Command(goto="login")
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
            "okx_auth": {"status": "logged_in", "site": site or None, "scopes": scopes},
            "pending_login": None,
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
