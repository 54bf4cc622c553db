"""The questions of the entries other than login: removing something, and Step 0.2.a's remedy.

Removing the okx-auth binary (or a keyed profile) asks first and runs only
after an explicit yes; Step 0.2.a offers its two options neutrally and waits.
The entries' own steps live with what they run: `session.py` (status,
logout) and `binary.py` (install, install-status, remove, the repair).
"""

from __future__ import annotations

from langgraph.graph import END
from langgraph.types import Command

from okx_auth_graph.nodes.common import key_site, language_of, say
from okx_auth_graph.nodes.questions import (
    Answer,
    QuestionSpec,
    answered,
    asked_again,
    asking,
    closing,
)
from okx_auth_graph.okx import ENV_KEY_PROFILE, web_host
from okx_auth_graph.prompts import render
from okx_auth_graph.replies import NO_WORDS, YES_WORDS, is_cancel, normalize_reply
from okx_auth_graph.state import AuthState, AuthUpdate, OkxAuthOutcome


def post_remove_question(state: AuthState) -> AuthUpdate:
    """Ask before removing the okx-auth binary."""
    question = render("remove_question", language_of(state))
    return asking("confirm_remove", {"messages": [say(question)]})


def _removal_fields(state: AuthState) -> dict[str, object]:
    """What would be removed: a keyed profile (Step 0.2.a) or the okx-auth binary."""
    return {"target": state.get("profile_to_drop") or "okx-auth"}


def _removal_answer(state: AuthState, answer: Answer) -> Command[str]:
    """Only an explicit yes removes; no (or cancel) changes nothing.

    Two things are ever removed, and both are asked first: the okx-auth binary
    (the `remove` entry) and an API-key profile (Step 0.2.a, option 2).
    """
    profile = state.get("profile_to_drop")
    language = language_of(state)
    word = normalize_reply(answer.text)
    if word in YES_WORDS:
        goto = "drop_api_key_profile" if profile else "remove_binary"
        return Command(goto=goto, update=answered({"messages": answer.recorded}))
    if word in NO_WORDS or is_cancel(answer.text):
        if profile:
            kept = render("profile_kept", language, name=profile)
            ended = closing(answer, kept, {"status": "cancelled", "profile": profile})
            return Command(goto=END, update=ended)
        ended = closing(answer, render("remove_declined", language), {"status": "cancelled"})
        return Command(goto=END, update=ended)
    return Command(goto="confirm_remove", update=asked_again(answer, render("yes_or_no", language)))


CONFIRM_REMOVE = QuestionSpec(kind="confirm_remove", fields=_removal_fields, decide=_removal_answer)
"""Removing something: only an explicit yes goes ahead."""

_REMEDIES = {"1": "replace_api_key", "2": "switch_to_oauth"}


def _remedy_fields(state: AuthState) -> dict[str, object]:
    """The profile whose key was rejected, and the two options in the skill's order."""
    return {"profile": state.get("api_key_profile") or "?", "options": list(_REMEDIES.values())}


def _remedy_answer(state: AuthState, answer: Answer) -> Command[str]:
    """Step 0.2.a: 1 (replace the key) or 2 (switch to OAuth); never picked for the user.

    Option 1 is the user's own move: keys are typed into `okx config init`,
    never sent here (they would stay in the conversation and its
    checkpoints). Option 2 removes the keyed profile first (asked, with a
    backup), since the CLI refuses OAuth while any profile holds a key; a
    key from the environment cannot be removed from here, so that user is
    told how.
    """
    profile = state.get("api_key_profile") or "?"
    language = language_of(state)
    choice = normalize_reply(answer.text)
    if is_cancel(answer.text):
        cancelled = render("login_cancelled", language)
        ended = closing(answer, cancelled, {"status": "cancelled", "profile": profile})
        return Command(goto=END, update=ended)
    if choice not in _REMEDIES:
        return Command(
            goto="ask_api_key_remedy", update=asked_again(answer, render("one_or_two", language))
        )
    if choice == "2" and profile != ENV_KEY_PROFILE:
        question = render("remove_profile_question", language, name=profile)
        asked = asking("confirm_remove", {
            "messages": [*answer.recorded, say(question)], "profile_to_drop": profile,
        })
        return Command(goto="confirm_remove", update=asked)
    host = web_host(key_site(state, profile) or "global")
    phrase = "remedy_replace" if choice == "1" else "remedy_oauth_env"
    text = render(phrase, language, name=profile, host=host)
    outcome: OkxAuthOutcome = {"status": "needs_user_action", "profile": profile, "message": text}
    return Command(goto=END, update=closing(answer, text, outcome))


API_KEY_REMEDY = QuestionSpec(kind="api_key_remedy", fields=_remedy_fields, decide=_remedy_answer)
"""Step 0.2.a: the API key was rejected; the user picks one of two remedies."""
