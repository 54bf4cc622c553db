"""Request intake: a reply to the open question, or a new request (language, findings, entry)."""

from __future__ import annotations

from typing import cast, get_args, get_type_hints

from langgraph.runtime import Runtime
from langgraph.types import Overwrite

from okx_auth_graph.context import AuthContext
from okx_auth_graph.keywords import entry_asked, route_request
from okx_auth_graph.nodes.common import changed, context_of
from okx_auth_graph.replies import detect_language, latest_human_text
from okx_auth_graph.state import (
    AuthState,
    AuthUpdate,
    RequestAction,
    RequestFindings,
    request_messages,
)

FINDINGS: tuple[str, ...] = tuple(get_type_hints(RequestFindings))
"""Every per-request key; derived from the state's own grouping, so none is missed."""
NAMESPACE_SEPARATOR = "|"
"""What joins the levels of a checkpoint namespace (LangGraph's, one level per graph)."""


def intake(state: AuthState, runtime: Runtime[AuthContext]) -> AuthUpdate:
    """Begin a request, unless the new message answers the question the last run left open.

    An answer continues the request it belongs to, so nothing of it changes
    here (not even the language: "2" is no reason to switch to English).

    A new request fixes the language from the input's latest human message (or context).

    Findings of an earlier request in the same thread are cleared so nothing
    stale (a site, a status) can satisfy a check; the thread's pending device
    code is kept so a reminder can repeat it. The request's text also names
    where it goes after sign-in (`next_skill`).

    Inside a parent graph the conversation is the parent's: the auth graph
    keeps only the request's messages (`inside_a_parent`), so a subgraph that
    keeps its state from one call to the next starts each request with the
    request's own messages, and writes back only those.
    """
    if state.get("open_question"):
        return {}
    said = latest_human_text(state["messages"])
    cleared = cast(AuthUpdate, dict.fromkeys(FINDINGS))
    fresh: AuthUpdate = {
        "language": context_of(runtime).language or detect_language(state["messages"]),
        "next_skill": route_request(said) if said else None,
    }
    begun = changed(state, {**cleared, **fresh})
    if inside_a_parent(runtime):
        begun["messages"] = Overwrite(request_messages(state["messages"]))
    return begun


def inside_a_parent(runtime: Runtime[AuthContext]) -> bool:
    """Whether this step runs in a subgraph: its task's checkpoint namespace has a parent level.

    LangGraph names a task's namespace `node:task`, and a subgraph's tasks
    `parent_node:task|node:task`, one level per graph.
    """
    info = runtime.execution_info
    return info is not None and NAMESPACE_SEPARATOR in info.checkpoint_ns


def requested_entry(state: AuthState) -> str:
    """The open question a new message answers; else the entry the request asks for.

    A new message on a thread whose last run stopped at a question goes back
    to the step that asked it, which takes the message as the answer (as a
    resume would be): the label is the question's `kind`. With no question
    open, an explicit `okx_auth_request.action` wins; without one, the
    user's words pick it (`keywords.py`: log out, status, the binary's
    entries), and anything else is a login: the label is the action.
    """
    question = state.get("open_question")
    if question:
        return question
    request = state.get("okx_auth_request") or {}
    action = request.get("action") or entry_asked(latest_human_text(state["messages"]) or "")
    return action if action in get_args(RequestAction) else "login"
