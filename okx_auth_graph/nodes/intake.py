"""Request intake: fix the language, forget the previous request's findings, pick the entry."""

from __future__ import annotations

from typing import Literal, cast, get_type_hints

from langgraph.runtime import Runtime

from okx_auth_graph.context import AuthContext
from okx_auth_graph.gate import detect_language, latest_human_text
from okx_auth_graph.nodes.common import changed, context_of
from okx_auth_graph.routing import route_request
from okx_auth_graph.state import AuthState, AuthUpdate, RequestAction, RequestFindings

FINDINGS: tuple[str, ...] = tuple(get_type_hints(RequestFindings))
"""Every per-request key; derived from the state's own grouping, so none is missed."""


def intake(state: AuthState, runtime: Runtime[AuthContext]) -> AuthUpdate:
    """Begin a request: language from the input's latest human message (or context).

    Findings of an earlier request in the same thread are cleared so nothing
    stale (a site, a status) can satisfy a check; the thread's pending device
    code is kept so a reminder can repeat it. The request's text also names
    where it goes after sign-in (`next_skill`).
    """
    said = latest_human_text(state["messages"])
    cleared = cast(AuthUpdate, dict.fromkeys(FINDINGS))
    fresh: AuthUpdate = {
        "language": context_of(runtime).language or detect_language(state["messages"]),
        "next_skill": route_request(said) if said else None,
    }
    return changed(state, {**cleared, **fresh})


EntryRule = Literal[
    "login / recover → Step 0",
    "status request",
    "logout request",
    "install request",
    "install_status request",
    "remove request",
]
"""The request's entries, as the drawing labels them."""

_ENTRIES: dict[RequestAction, EntryRule] = {
    "login": "login / recover → Step 0",
    "recover": "login / recover → Step 0",
    "status": "status request",
    "logout": "logout request",
    "install": "install request",
    "install_status": "install_status request",
    "remove": "remove request",
}


def requested_entry(state: AuthState) -> EntryRule:
    """The entry `okx_auth_request.action` names; absent means `login`."""
    request = state.get("okx_auth_request") or {}
    return _ENTRIES.get(request.get("action", "login"), "login / recover → Step 0")
