"""The entries other than login: status, logout, the okx-auth binary, recovery triage.

`okx_auth_request.action` picks the entry in `start`; each entry is a short
path of its own and ends with a plain-words report. Removing the binary asks
first and runs `--force` only after an explicit yes.
"""

from __future__ import annotations

import re
from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from okx_auth_graph.context import AuthContext
from okx_auth_graph.gate import (
    NO_WORDS,
    YES_WORDS,
    is_cancel,
    latest_human_text,
    normalize_reply,
)
from okx_auth_graph.interrupts import ApiKeyRemedyPayload, ConfirmRemovePayload
from okx_auth_graph.nodes.checks import CheckNext, from_site_check, preflight_blocker
from okx_auth_graph.nodes.common import (
    FINISH,
    Update,
    finish,
    key_site,
    language_of,
    open_prompt,
    reply_message,
    say,
)
from okx_auth_graph.nodes.failure import failure_text
from okx_auth_graph.okx import (
    ENV_KEY_PROFILE,
    ErrorKind,
    OkxFailure,
    Site,
    classify_text,
    redact_text,
)
from okx_auth_graph.okx.errors import RELOGIN_KINDS
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, OkxAuthOutcome, RequestAction

_LONGEVITY_QUESTION = re.compile(
    r"how long|session (last|expir)|expire|stay (logged|signed) in|多久|多长时间|有效期|过期",
    re.IGNORECASE,
)

PREFLIGHT: tuple[Literal["preflight_config"], Literal["preflight_status"]] = (
    "preflight_config", "preflight_status"
)
"""Step 0's two halves, started together so they run in parallel (`triage` joins them)."""

EntryNode = Literal[
    "preflight_config", "preflight_status", "report_status", "logout", "install_binary",
    "report_install_status", "post_remove_question",
]
_ENTRIES: dict[RequestAction, tuple[EntryNode, ...]] = {
    "login": PREFLIGHT,
    "recover": PREFLIGHT,
    "status": ("report_status",),
    "logout": ("logout",),
    "install": ("install_binary",),
    "install_status": ("report_install_status",),
    "remove": ("post_remove_question",),
}


def entry_for(state: AuthState) -> list[EntryNode]:
    """The first node(s) of the requested entry (absent request → login)."""
    request = state.get("okx_auth_request") or {}
    return list(_ENTRIES.get(request.get("action", "login"), PREFLIGHT))


def asks_session_longevity(state: AuthState) -> bool:
    """Whether the user's message asks how long a session lasts."""
    text = latest_human_text(state["messages"])
    return text is not None and _LONGEVITY_QUESTION.search(text) is not None


def recovery_failure(state: AuthState) -> OkxFailure | None:
    """For a `recover` request: the classified error that brought the user here."""
    request = state.get("okx_auth_request") or {}
    if request.get("action") != "recover" or state.get("recovery_handled"):
        return None
    error = request.get("error") or ""
    return OkxFailure(
        kind=classify_text(error),
        detail=redact_text(" ".join(error.split()))[:500],
        command=tuple(request.get("command") or ()),
    )


def post_remove_question(state: AuthState) -> Update:
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
            return finish(answer, kept, {"status": "cancelled", "profile": profile})
        return finish(answer, render("remove_declined", language), {"status": "cancelled"})
    return Command(
        goto="confirm_remove",
        update={"messages": [answer, say(render("yes_or_no", language))]},
    )


TriageNext = Literal[CheckNext, "repair_binary", "ask_api_key_remedy", "ask_retry"]


def triage(state: AuthState, runtime: Runtime[AuthContext]) -> Command[TriageNext]:
    """Join of the preflight: stop on a blocking failure, else route a recovery.

    A login request goes on to Steps 0.1 → 0.3. A `recover` request routes on its
    classified error: errors a new login fixes go through the normal flow
    (menu and gate included); a rejected API key gets the skill's two options
    (Step 0.2.a); a missing okx-auth binary is repaired; a region restriction
    names the current site and offers a login on another; the rest are
    reported with the skill's action. A recovery is routed once per request,
    so a retry later in the same request goes through the plain login flow.
    """
    blocker = preflight_blocker(state)
    if blocker is not None:
        return Command(goto="report_failure", update={"failure": blocker})
    recovery = recovery_failure(state)
    if recovery is None:
        goto, update = from_site_check(state, runtime)
        return Command(goto=goto, update=update)
    language = language_of(state)
    config = state.get("config")
    key_profile = config.api_key_profile if config else None
    kind = recovery.kind
    handled: Update = {"recovery_handled": True}
    if kind in RELOGIN_KINDS or (kind is ErrorKind.API_KEY_REJECTED and key_profile is None):
        explained = {**handled, "messages": [say(failure_text(recovery, state))]}
        goto, update = from_site_check(state, runtime, explained)
        return Command(goto=goto, update=update)
    if kind is ErrorKind.SPAWN_FAILED:
        return Command(goto="repair_binary", update=handled)
    if kind is ErrorKind.API_KEY_REJECTED and key_profile is not None:
        host = (key_site(state, key_profile) or Site.GLOBAL).web_host
        text = render("api_key_remedy", language, name=key_profile, host=host)
        return Command(
            goto="ask_api_key_remedy",
            update={**handled, "messages": [say(text)], "api_key_profile": key_profile},
        )
    if kind is ErrorKind.REGION_RESTRICTED:
        return _region_restricted(state, recovery, key_profile)
    return Command(goto="report_failure", update={**handled, "failure": recovery})


def _region_restricted(
    state: AuthState, recovery: OkxFailure, key_profile: str | None
) -> Command[TriageNext]:
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
        return Command(
            goto="ask_retry",
            update={"messages": [say(text)], "recovery_handled": True, "switch_site": True},
        )
    text = "\n".join((failure_text(recovery, state), where, render("key_site_hint", language)))
    return Command(
        goto=FINISH,
        update={
            "messages": [say(text)],
            "recovery_handled": True,
            "okx_auth": {"status": "needs_user_action", "site": site, "message": text},
        },
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
        return finish(answer, cancelled, {"status": "cancelled", "profile": profile})
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
    return finish(answer, text, outcome)
