"""Step 0.3: the OAuth status decides; its outcomes' texts, and the blocking login's notice.

`oauth_check` reads `auth status`; its rule `oauth_status` is the router on
its out-edge. The success template is posted in one place (`success`),
reached from here and from the done-check; the notice of a login already
waiting in one place too (`pending_notice`).
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.common import (
    changed,
    context_of,
    language_of,
    login_template,
    say,
    with_next_skill,
)
from okx_auth_graph.nodes.questions import asking
from okx_auth_graph.okx import OkxFailure
from okx_auth_graph.prompts import format_duration, format_scopes, render
from okx_auth_graph.state import AuthState, AuthUpdate


def oauth_check(state: AuthState) -> AuthUpdate:
    """Step 0.3 reads `auth status --json`; with none to read, that failure ends the run.

    There is none when `auth status` failed while an API key hid the failure
    and the key's profile was then removed (Step 0.2.a, option 2).
    """
    if state.get("auth") is None:
        unchecked = OkxFailure(kind="unknown", detail="no auth status to check", command=[])
        return {"failure": unchecked}
    return {}


def oauth_status(state: AuthState) -> str:
    """logged_in → success; pending → wait, no new login; not_logged_in → the gate.

    A user who agreed to move to another site (after a region restriction)
    goes to the gate even with a live session: the new login replaces it.
    """
    status = state.get("auth")
    if status is None:
        return "no status → failure"
    if status["status"] == "not_logged_in" or state.get("switch_site"):
        return "not_logged_in → gate"
    if status["status"] == "logged_in":
        return "logged_in → success"
    return "pending → wait"


def success(state: AuthState) -> AuthUpdate:
    """The success template: site and scopes only (never expiresAt, ttl or profile)."""
    status = state.get("auth")
    site = (status["site"] if status else None) or ""
    scopes = list(status["scopes"]) if status else []
    text = render("success", language_of(state), site=site, scopes=format_scopes(scopes))
    return {
        "messages": [say(text)],
        "okx_auth": with_next_skill(
            state, {"status": "logged_in", "site": site or None, "scopes": scopes}
        ),
        **changed(state, {"pending_login": None, "switch_site": None}),
    }


def pending_notice(state: AuthState) -> AuthUpdate:
    """A login already waits: repeat this thread's link and code, or say it waits."""
    language = language_of(state)
    pending = state.get("pending_login")
    status = state.get("auth")
    if pending is not None and status is not None and status["site"] in (None, pending["site"]):
        texts = [render("pending_with_code", language), login_template(state, pending)]
    else:
        texts = [render("pending_without_code", language)]
    return asking("authorization_done", {"messages": [say(text) for text in texts]})


def announce_login(state: AuthState, runtime: Runtime[AuthContext]) -> AuthUpdate:
    """Interactive mode: say first that the browser comes next, and how long we wait.

    The blocking login node cannot post while the CLI runs, so this is its own
    step; the lines the CLI prints then arrive as custom stream events.
    """
    language = language_of(state)
    wait = format_duration(context_of(runtime).login_timeout_seconds, language)
    choice = state.get("site_choice")
    site = choice["site"] if choice else ""
    text = render("browser_login_notice", language, site=site, duration=wait)
    return {"messages": [say(text)]}
