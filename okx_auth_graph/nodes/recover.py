"""A `recover` request's error, routed once: what the user must know, and where it leads.

Step 0 runs first (`nodes/preflight.py`, whose router sends an unrouted
`recover` request here). The `recover` step posts what the user must know
and goes where the error leads; a retry later in the same request goes
through the plain login flow.
"""

from __future__ import annotations

from langgraph.graph import END
from langgraph.types import Command

from okx_auth_graph.nodes.common import key_site, language_of, say
from okx_auth_graph.nodes.failure import failure_text
from okx_auth_graph.nodes.questions import asking
from okx_auth_graph.okx import (
    OkxFailure,
    api_key_profile,
    chosen_site,
    classify_text,
    web_host,
)
from okx_auth_graph.okx.errors import RELOGIN_KINDS, failure_detail
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, AuthUpdate


def recovery_failure(state: AuthState) -> OkxFailure | None:
    """For a `recover` request not yet routed: the classified error that brought the user here."""
    request = state.get("okx_auth_request") or {}
    if request.get("action") != "recover" or state.get("recovery_handled"):
        return None
    error = request.get("error") or ""
    return OkxFailure(
        kind=classify_text(error),
        detail=failure_detail(error),
        command=list(request.get("command") or []),
    )


def recover(state: AuthState) -> Command[str]:
    """Route the caller's classified error; it writes what it posts and routes at once.

    Errors a new login fixes go through the normal flow from Step 0.1 (menu
    and gate included); a rejected API key gets the skill's two options
    (Step 0.2.a); a missing okx-auth binary is repaired; a region restriction
    names the current site and offers a login on another; the rest are
    reported with the skill's action.
    """
    recovery = recovery_failure(state) or OkxFailure(kind="unknown", detail="no error", command=[])
    language = language_of(state)
    config = state.get("config")
    key_profile = api_key_profile(config) if config else None
    kind = recovery["kind"]
    if kind in RELOGIN_KINDS or (kind == "api_key_rejected" and key_profile is None):
        # With no key configured, the refused credential was the session: say so, not "the key".
        told = recovery if kind in RELOGIN_KINDS else OkxFailure(
            kind="not_authenticated", detail=recovery["detail"], command=recovery["command"]
        )
        explained: AuthUpdate = {
            "recovery_handled": True, "messages": [say(failure_text(told, state))],
        }
        return Command(goto="site_check", update=explained)
    if kind == "spawn_failed":
        return Command(goto="repair_binary", update={"recovery_handled": True})
    if kind == "api_key_rejected" and key_profile is not None:
        host = web_host(key_site(state, key_profile) or "global")
        text = render("api_key_remedy", language, name=key_profile, host=host)
        remedy = asking("api_key_remedy", {
            "recovery_handled": True, "messages": [say(text)], "api_key_profile": key_profile,
        })
        return Command(goto="ask_api_key_remedy", update=remedy)
    if kind == "region_restricted":
        return _region_restricted(state, recovery, key_profile)
    return Command(goto="report_failure", update={"recovery_handled": True, "failure": recovery})


def _region_restricted(
    state: AuthState, recovery: OkxFailure, key_profile: str | None
) -> Command[str]:
    """Name the current site; an OAuth user may log in on another, a key user is told how."""
    language = language_of(state)
    status = state.get("auth")
    site = key_site(state, key_profile) or (chosen_site(status) if status else None)
    where = (render("current_site", language, site=site) if site
             else render("current_site_unknown", language))
    if key_profile is None:
        offer = render("offer_other_site", language)
        text = "\n".join((failure_text(recovery, state), where, offer))
        asked = asking("retry_login", {
            "messages": [say(text)], "recovery_handled": True, "switch_site": True,
        })
        return Command(goto="ask_retry", update=asked)
    text = "\n".join((failure_text(recovery, state), where, render("key_site_hint", language)))
    told: AuthUpdate = {
        "messages": [say(text)],
        "recovery_handled": True,
        "okx_auth": {"status": "needs_user_action", "site": site, "message": text},
    }
    return Command(goto=END, update=told)
