"""Step 0.3's outcomes: the success reply, a login already waiting, the blocking login's notice."""

from __future__ import annotations

from langgraph.runtime import Runtime

from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.common import (
    Update,
    changed,
    chosen_site_of,
    context_of,
    language_of,
    login_template,
    say,
    with_next_skill,
)
from okx_auth_graph.okx import AuthStatus
from okx_auth_graph.prompts import format_duration, format_scopes, render
from okx_auth_graph.state import AuthState


def logged_in_stop(state: AuthState, status: AuthStatus) -> Update:
    """The success template: site and scopes only (never expiresAt, ttl or profile)."""
    site = status.site.value if status.site else ""
    scopes = list(status.scopes)
    text = render("success", language_of(state), site=site, scopes=format_scopes(scopes))
    return {
        "messages": [say(text)],
        "okx_auth": with_next_skill(
            state, {"status": "logged_in", "site": site or None, "scopes": scopes}
        ),
        **changed(state, pending_login=None, switch_site=False),
    }


def pending_notice(state: AuthState) -> Update:
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
