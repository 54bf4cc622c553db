"""What the preflight's findings decide: stop, recover from the caller's error, or Step 0.1.

Pure: it reads the two preflight results (and the request) and returns where
the request goes and what is posted on the way. The preflight step returns
this decision itself, so no step of its own is spent on it.
"""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime

from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.checks import CheckNext, from_site_check
from okx_auth_graph.nodes.common import FINISH, Update, key_site, language_of, say
from okx_auth_graph.nodes.failure import failure_text
from okx_auth_graph.okx import ErrorKind, OkxFailure, Site, classify_text
from okx_auth_graph.okx.errors import RELOGIN_KINDS, failure_detail
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState

TriageNext = Literal[CheckNext, "repair_binary", "ask_api_key_remedy", "ask_retry"]
"""Where a request goes after the preflight: the checks' destinations, or a recovery's."""


def preflight_blocker(state: AuthState) -> OkxFailure | None:
    """The preflight failure that stops the procedure, if any.

    Without the config nothing can be checked. A failed `auth status` stops
    too, unless an API key is configured: API keys work even on a CLI that
    has no `auth` commands, and Step 0.2 will stop there anyway.
    """
    config, config_failure = state.get("config"), state.get("config_failure")
    if config is None:
        return config_failure or OkxFailure(kind=ErrorKind.UNKNOWN, detail="no config")
    status_failure = state.get("status_failure")
    if status_failure is not None and config.api_key_profile is None:
        return status_failure
    return None


def recovery_failure(state: AuthState) -> OkxFailure | None:
    """For a `recover` request: the classified error that brought the user here."""
    request = state.get("okx_auth_request") or {}
    if request.get("action") != "recover" or state.get("recovery_handled"):
        return None
    error = request.get("error") or ""
    return OkxFailure(
        kind=classify_text(error),
        detail=failure_detail(error),
        command=tuple(request.get("command") or ()),
    )


def triage(state: AuthState, runtime: Runtime[AuthContext]) -> tuple[TriageNext, Update]:
    """After the preflight: stop on a blocking failure, else route a recovery, else Step 0.1.

    `state` already holds both preflight results. A login request goes on to
    Steps 0.1 → 0.3. A `recover` request routes on its classified error:
    errors a new login fixes go through the normal flow (menu and gate
    included); a rejected API key gets the skill's two options (Step 0.2.a);
    a missing okx-auth binary is repaired; a region restriction names the
    current site and offers a login on another; the rest are reported with
    the skill's action. A recovery is routed once per request, so a retry
    later in the same request goes through the plain login flow.
    """
    blocker = preflight_blocker(state)
    if blocker is not None:
        return "report_failure", {"failure": blocker}
    recovery = recovery_failure(state)
    if recovery is None:
        return from_site_check(state, runtime)
    language = language_of(state)
    config = state.get("config")
    key_profile = config.api_key_profile if config else None
    kind = recovery.kind
    handled: Update = {"recovery_handled": True}
    if kind in RELOGIN_KINDS or (kind is ErrorKind.API_KEY_REJECTED and key_profile is None):
        explained = {**handled, "messages": [say(failure_text(recovery, state))]}
        return from_site_check(state, runtime, explained)
    if kind is ErrorKind.SPAWN_FAILED:
        return "repair_binary", handled
    if kind is ErrorKind.API_KEY_REJECTED and key_profile is not None:
        host = (key_site(state, key_profile) or Site.GLOBAL).web_host
        text = render("api_key_remedy", language, name=key_profile, host=host)
        remedy = {**handled, "messages": [say(text)], "api_key_profile": key_profile}
        return "ask_api_key_remedy", remedy
    if kind is ErrorKind.REGION_RESTRICTED:
        return _region_restricted(state, recovery, key_profile)
    return "report_failure", {**handled, "failure": recovery}


def _region_restricted(
    state: AuthState, recovery: OkxFailure, key_profile: str | None
) -> tuple[TriageNext, Update]:
    """Name the current site; an OAuth user may log in on another, a key user is told how."""
    language = language_of(state)
    status = state.get("auth")
    known = key_site(state, key_profile) or (status.chosen_site if status else None)
    site = known.value if known else None
    where = (render("current_site", language, site=site) if site
             else render("current_site_unknown", language))
    if key_profile is None:
        offer = render("offer_other_site", language)
        text = "\n".join((failure_text(recovery, state), where, offer))
        return "ask_retry", {"messages": [say(text)], "recovery_handled": True, "switch_site": True}
    text = "\n".join((failure_text(recovery, state), where, render("key_site_hint", language)))
    return FINISH, {
        "messages": [say(text)],
        "recovery_handled": True,
        "okx_auth": {"status": "needs_user_action", "site": site, "message": text},
    }
