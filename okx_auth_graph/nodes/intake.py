"""Request intake: fix the language, forget the previous request's findings."""

from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.gate import detect_language, latest_human_text
from okx_auth_graph.nodes.common import changed, context_of
from okx_auth_graph.nodes.requests import EntryNode, entry_for
from okx_auth_graph.routing import route_request
from okx_auth_graph.state import AuthState


def start(state: AuthState, runtime: Runtime[AuthContext]) -> Command[EntryNode]:
    """Begin a request: language from the input's latest human message (or context).

    Findings of an earlier request in the same thread are cleared so nothing
    stale (a site, a status) can satisfy a check; the thread's pending device
    code is kept so a reminder can repeat it. `okx_auth_request` picks the entry.
    The request's text also names where it goes after sign-in (`next_skill`).
    """
    said = latest_human_text(state["messages"])
    update = changed(
        state,
        language=context_of(runtime).language or detect_language(state["messages"]),
        next_skill=route_request(said) if said else None,
        okx_auth=None,
        config=None,
        config_failure=None,
        auth=None,
        status_failure=None,
        chosen_site=None,
        api_key_profile=None,
        failure=None,
        binary_repaired=False,
        recovery_handled=False,
        switch_site=False,
        profile_to_drop=None,
    )
    return Command(goto=entry_for(state), update=update)
