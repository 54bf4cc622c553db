"""Small helpers the step modules share: posting, replies, settings, outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.runtime import Runtime

from okx_auth_graph.context import AuthContext
from okx_auth_graph.isolation import ServerSide, bounded
from okx_auth_graph.okx import Site, find_profile
from okx_auth_graph.prompts import Language, format_minutes, render
from okx_auth_graph.replies import text_of
from okx_auth_graph.state import AuthState, AuthUpdate, OkxAuthOutcome, PendingLogin


def context_of(runtime: Runtime[AuthContext]) -> AuthContext:
    """The run's context within the server's ceilings for its caller.

    A resume that carries no context gets the defaults, within the same ceilings.
    """
    context = runtime.context if isinstance(runtime.context, AuthContext) else AuthContext()
    return bounded(context, ServerSide.of(runtime).limits)


def language_of(state: AuthState) -> Language:
    """The language fixed at the start of this request."""
    return state.get("language", "en")


def key_site(state: AuthState, profile: str | None) -> Site | None:
    """The site a keyed profile carries in this request's config, if it names one."""
    config = state.get("config")
    found = find_profile(config, profile) if config and profile else None
    return found["site"] if found else None


def changed(state: AuthState, update: AuthUpdate) -> AuthUpdate:
    """`update` with only the values that differ from the state.

    Every channel a step writes gets a new version in each later checkpoint,
    so rewriting what is already there (a `None` over nothing, a `False` over
    `False`) costs space and time on every step for no change. An absent key
    counts as equal to any empty value. Not for `messages`, whose writes append.
    """
    kept = {
        key: value
        for key, value in update.items()
        if not (state.get(key) == value or (not value and not state.get(key)))
    }
    return cast(AuthUpdate, kept)


def login_template(state: AuthState, pending: PendingLogin) -> str:
    """The skill's login template, filled with all four fields."""
    return render(
        "login",
        language_of(state),
        site=pending["site"],
        verificationUri=pending["device"]["verification_uri"],
        userCode=pending["device"]["user_code"],
        **{"expiresIn/60": format_minutes(pending["device"]["expires_in"])},
    )


def say(text: str) -> AIMessage:
    """A message for the user (the graph speaks only through these)."""
    return AIMessage(content=text)


def open_prompt(messages: Sequence[AnyMessage]) -> str:
    """Everything posted since the user last spoke: the text an interrupt asks about."""
    texts: list[str] = []
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage) and text_of(message).strip():
            texts.append(text_of(message))  # a parent's tool-call message has no text
    return "\n\n".join(reversed(texts))


def with_next_skill(state: AuthState, outcome: OkxAuthOutcome) -> OkxAuthOutcome:
    """The outcome plus where the user's request goes next, when the request named a skill."""
    skill = state.get("next_skill")
    return {**outcome, "next_skill": skill} if skill else outcome
