"""The entries other than login (status, logout, the okx-auth binary) and Step 0.2.a's questions.

`okx_auth_request.action` picks the entry after `intake`; each entry is a short
path of its own and ends with a plain-words report. Removing the binary asks
first and runs `--force` only after an explicit yes.
"""

from __future__ import annotations

import re
from typing import Literal

from langgraph.types import Command, interrupt

from okx_auth_graph.gate import (
    NO_WORDS,
    YES_WORDS,
    is_cancel,
    latest_human_text,
    normalize_reply,
)
from okx_auth_graph.interrupts import ApiKeyRemedyPayload, ConfirmRemovePayload
from okx_auth_graph.nodes.common import (
    FINISH,
    closing,
    key_site,
    language_of,
    open_prompt,
    reply_message,
    say,
)
from okx_auth_graph.okx import (
    ENV_KEY_PROFILE,
    Site,
)
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, AuthUpdate, OkxAuthOutcome

_LONGEVITY_QUESTION = re.compile(
    r"how long|session (last|expir)|expire|stay (logged|signed) in|多久|多长时间|有效期|过期",
    re.IGNORECASE,
)

def asks_session_longevity(state: AuthState) -> bool:
    """Whether the user's message asks how long a session lasts."""
    text = latest_human_text(state["messages"])
    return text is not None and _LONGEVITY_QUESTION.search(text) is not None


def post_remove_question(state: AuthState) -> AuthUpdate:
    """Ask before removing the okx-auth binary."""
    return {"messages": [say(render("remove_question", language_of(state)))]}


def confirm_remove(
    state: AuthState,
) -> Command[Literal["remove_binary", "drop_api_key_profile", "confirm_remove", "__end__"]]:
    """Only an explicit yes removes; no (or cancel) changes nothing.

    Two things are ever removed, and both are asked first: the okx-auth binary
    (the `remove` entry) and an API-key profile (Step 0.2.a, option 2).
    """
    profile = state.get("profile_to_drop")
    payload: ConfirmRemovePayload = {
        "kind": "confirm_remove",
        "message": open_prompt(state["messages"]),
        "target": profile or "okx-auth",
    }
    reply = interrupt(payload)
    answer = reply_message(reply)
    language = language_of(state)
    word = normalize_reply(reply)
    if word in YES_WORDS:
        goto: Literal["remove_binary", "drop_api_key_profile"] = (
            "drop_api_key_profile" if profile else "remove_binary"
        )
        return Command(goto=goto, update={"messages": [answer]})
    if word in NO_WORDS or is_cancel(reply):
        if profile:
            kept = render("profile_kept", language, name=profile)
            ended = closing(answer, kept, {"status": "cancelled", "profile": profile})
            return Command(goto=FINISH, update=ended)
        ended = closing(answer, render("remove_declined", language), {"status": "cancelled"})
        return Command(goto=FINISH, update=ended)
    return Command(
        goto="confirm_remove",
        update={"messages": [answer, say(render("yes_or_no", language))]},
    )


_REMEDIES = {"1": "replace_api_key", "2": "switch_to_oauth"}


def ask_api_key_remedy(
    state: AuthState,
) -> Command[Literal["ask_api_key_remedy", "confirm_remove", "__end__"]]:
    """Step 0.2.a: wait for 1 (replace the key) or 2 (switch to OAuth); never pick.

    Option 1 is the user's own move: keys are typed into `okx config init`,
    never sent here (they would stay in the conversation and its
    checkpoints). Option 2 removes the keyed profile first (asked, with a
    backup), since the CLI refuses OAuth while any profile holds a key; a
    key from the environment cannot be removed from here, so that user is
    told how.
    """
    profile = state.get("api_key_profile") or "?"
    payload: ApiKeyRemedyPayload = {
        "kind": "api_key_remedy",
        "message": open_prompt(state["messages"]),
        "profile": profile,
        "options": list(_REMEDIES.values()),
    }
    reply = interrupt(payload)
    answer = reply_message(reply)
    language = language_of(state)
    choice = normalize_reply(reply)
    if is_cancel(reply):
        cancelled = render("login_cancelled", language)
        ended = closing(answer, cancelled, {"status": "cancelled", "profile": profile})
        return Command(goto=FINISH, update=ended)
    if choice not in _REMEDIES:
        return Command(
            goto="ask_api_key_remedy",
            update={"messages": [answer, say(render("one_or_two", language))]},
        )
    if choice == "2" and profile != ENV_KEY_PROFILE:
        question = render("remove_profile_question", language, name=profile)
        return Command(
            goto="confirm_remove",
            update={"messages": [answer, say(question)], "profile_to_drop": profile},
        )
    host = (key_site(state, profile) or Site.GLOBAL).web_host
    phrase = "remedy_replace" if choice == "1" else "remedy_oauth_env"
    text = render(phrase, language, name=profile, host=host)
    outcome: OkxAuthOutcome = {"status": "needs_user_action", "profile": profile, "message": text}
    ended = closing(answer, text, outcome)
    return Command(goto=FINISH, update=ended)
