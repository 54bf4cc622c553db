"""The entries other than login: status, logout, the okx-auth binary, recovery triage.

`okx_auth_request.action` picks the entry in `start`; each entry is a short
path of its own and ends with a plain-words report. Removing the binary asks
first and runs `--force` only after an explicit yes.
"""

from __future__ import annotations

import re
from typing import Literal

from langgraph.types import Command, interrupt

from okx_auth_graph.gate import NO_WORDS, YES_WORDS, is_cancel, normalize_reply, text_of
from okx_auth_graph.interrupts import ApiKeyRemedyPayload, ConfirmRemovePayload
from okx_auth_graph.nodes.common import (
    FINISH,
    Update,
    finish,
    language_of,
    open_prompt,
    reply_message,
    say,
)
from okx_auth_graph.nodes.failure import failure_text
from okx_auth_graph.nodes.site import preflight_blocker
from okx_auth_graph.okx import ErrorKind, OkxFailure, Site, classify_text, redact_text
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, OkxAuthOutcome, RequestAction

_LONGEVITY_QUESTION = re.compile(
    r"how long|session (last|expir)|expire|stay (logged|signed) in|多久|多长时间|有效期|过期",
    re.IGNORECASE,
)

EntryNode = Literal[
    "preflight", "report_status", "logout", "install_binary", "report_install_status",
    "post_remove_question",
]
_ENTRIES: dict[RequestAction, EntryNode] = {
    "login": "preflight",
    "recover": "preflight",
    "status": "report_status",
    "logout": "logout",
    "install": "install_binary",
    "install_status": "report_install_status",
    "remove": "post_remove_question",
}


def entry_for(state: AuthState) -> EntryNode:
    """The first node of the requested entry (absent request → login)."""
    request = state.get("okx_auth_request") or {}
    return _ENTRIES.get(request.get("action", "login"), "preflight")


def asks_session_longevity(state: AuthState) -> bool:
    """Whether the user's message asks how long a session lasts."""
    for message in reversed(state["messages"]):
        if message.type == "human":
            return bool(_LONGEVITY_QUESTION.search(text_of(message)))
    return False


def recovery_failure(state: AuthState) -> OkxFailure | None:
    """For a `recover` request: the classified error that brought the user here."""
    request = state.get("okx_auth_request") or {}
    if request.get("action") != "recover":
        return None
    error = request.get("error") or ""
    return OkxFailure(
        kind=classify_text(error),
        detail=redact_text(" ".join(error.split()))[:500],
        command=tuple(request.get("command") or ()),
    )


#: Recovery kinds the normal login flow (menu and gate included) answers.
RELOGIN_KINDS = frozenset({
    ErrorKind.SESSION_EXPIRED, ErrorKind.NOT_AUTHENTICATED,
    ErrorKind.AUTHORIZATION_TIMED_OUT, ErrorKind.ACCESS_DENIED,
})


def post_remove_question(state: AuthState) -> Update:
    """Ask before removing the okx-auth binary."""
    return {"messages": [say(render("remove_question", language_of(state)))]}


def confirm_remove(
    state: AuthState,
) -> Command[Literal["remove_binary", "confirm_remove", "__end__"]]:
    """Only an explicit yes removes; no (or cancel) leaves the binary alone."""
    payload: ConfirmRemovePayload = {
        "kind": "confirm_remove",
        "message": open_prompt(state["messages"]),
        "target": "okx-auth",
    }
    reply = interrupt(payload)
    answer = reply_message(reply)
    language = language_of(state)
    word = normalize_reply(reply)
    if word in YES_WORDS:
        return Command(goto="remove_binary", update={"messages": [answer]})
    if word in NO_WORDS or is_cancel(reply):
        return finish(answer, render("remove_declined", language), {"status": "cancelled"})
    return Command(
        goto="confirm_remove",
        update={"messages": [answer, say(render("yes_or_no", language))]},
    )


def triage(
    state: AuthState,
) -> Command[
    Literal["check_site", "report_failure", "repair_binary", "ask_api_key_remedy", "__end__"]
]:
    """Join of the preflight: stop on a blocking failure, else route a recovery.

    A login request goes on to Step 0.1. A `recover` request routes on its
    classified error: errors a new login fixes go through the normal flow
    (menu and gate included); a rejected API key gets the skill's two options
    (Step 0.2.a); a missing okx-auth binary is repaired; the rest are reported
    with the skill's action.
    """
    blocker = preflight_blocker(state)
    if blocker is not None:
        return Command(goto="report_failure", update={"failure": blocker})
    recovery = recovery_failure(state)
    if recovery is None:
        return Command(goto="check_site")
    language = language_of(state)
    config = state.get("config")
    key_profile = config.api_key_profile if config else None
    kind = recovery.kind
    if kind in RELOGIN_KINDS or (kind is ErrorKind.API_KEY_REJECTED and key_profile is None):
        return Command(goto="check_site", update={"messages": [say(failure_text(recovery, state))]})
    if kind is ErrorKind.SPAWN_FAILED:
        return Command(goto="repair_binary")
    if kind is ErrorKind.API_KEY_REJECTED and key_profile is not None:
        profile = config.profile(key_profile) if config else None
        host = (profile.site if profile and profile.site else Site.GLOBAL).web_host
        text = render("api_key_remedy", language, name=key_profile, host=host)
        return Command(
            goto="ask_api_key_remedy",
            update={"messages": [say(text)], "api_key_profile": key_profile},
        )
    if kind is ErrorKind.REGION_RESTRICTED:
        status = state.get("auth")
        keyed = config.profile(key_profile) if config and key_profile else None
        known = (status.chosen_site if status else None) or (keyed.site if keyed else None)
        site = known.value if known else None
        where = (render("current_site", language, site=site) if site
                 else render("current_site_unknown", language))
        text = failure_text(recovery, state) + "\n" + where
        return Command(
            goto=FINISH,
            update={
                "messages": [say(text)],
                "okx_auth": {"status": "needs_user_action", "site": site, "message": text},
            },
        )
    return Command(goto="report_failure", update={"failure": recovery})


_REMEDIES = {"1": "replace_api_key", "2": "switch_to_oauth"}


def ask_api_key_remedy(
    state: AuthState,
) -> Command[Literal["ask_api_key_remedy", "__end__"]]:
    """Step 0.2.a: wait for 1 (replace the key) or 2 (switch to OAuth); never pick.

    Either way the next move is the user's own, outside the chat: keys are
    typed into `okx config init`, never sent here (they would stay in the
    conversation and its checkpoints), and the keyed profile must go before an
    OAuth login can mean anything.
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
        return finish(answer, cancelled, {"status": "cancelled", "profile": profile})
    if choice not in _REMEDIES:
        return Command(
            goto="ask_api_key_remedy",
            update={"messages": [answer, say(render("one_or_two", language))]},
        )
    config = state.get("config")
    keyed = config.profile(profile) if config else None
    host = (keyed.site if keyed and keyed.site else Site.GLOBAL).web_host
    phrase = "remedy_replace" if choice == "1" else "remedy_oauth"
    text = render(phrase, language, name=profile, host=host)
    outcome: OkxAuthOutcome = {"status": "needs_user_action", "profile": profile, "message": text}
    return finish(answer, text, outcome)
