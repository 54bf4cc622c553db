"""Waiting for the user's "done" (never polling), and the retry question."""

from __future__ import annotations

from typing import Literal

from langgraph.types import Command

from okx_auth_graph.interrupts import AuthorizationDonePayload, RetryLoginPayload, inbox_fields
from okx_auth_graph.nodes.common import FINISH, changed, language_of, open_prompt, say
from okx_auth_graph.nodes.questions import INTERRUPTING, Waiting, answered, closing, left_open
from okx_auth_graph.okx import chosen_site
from okx_auth_graph.prompts import render
from okx_auth_graph.replies import NO_WORDS, YES_WORDS, is_cancel, is_done_signal, normalize_reply
from okx_auth_graph.state import AuthState, AuthUpdate, OkxAuthOutcome


def _reminder(state: AuthState) -> str:
    pending = state.get("pending_login")
    if pending is None:
        return render("pending_without_code", language_of(state))
    return render(
        "reminder",
        language_of(state),
        site=pending["site"],
        verificationUri=pending["device"]["verification_uri"],
        userCode=pending["device"]["user_code"],
    )


def await_authorization(
    state: AuthState, *, waiting: Waiting = INTERRUPTING
) -> Command[Literal["verify", "await_authorization", "__end__"]]:
    """Wait for a done signal; no CLI call happens here, whatever the reply."""
    pending = state.get("pending_login")
    message = open_prompt(state["messages"])
    code: dict[str, object] = {
        "site": pending["site"] if pending else None,
        "verification_uri": pending["device"]["verification_uri"] if pending else None,
        "user_code": pending["device"]["user_code"] if pending else None,
        "expires_in": pending["device"]["expires_in"] if pending else None,
    }
    payload: AuthorizationDonePayload = {
        "kind": "authorization_done",
        "message": message,
        "site": pending["site"] if pending else None,
        "verification_uri": pending["device"]["verification_uri"] if pending else None,
        "user_code": pending["device"]["user_code"] if pending else None,
        "expires_in": pending["device"]["expires_in"] if pending else None,
        **inbox_fields("authorization_done", message, code),
    }
    answer = waiting.answer(state, payload)
    if answer is None:
        return Command(goto=FINISH, update=left_open(state, payload))
    if is_done_signal(answer.text):
        return Command(goto="verify", update=answered({"messages": answer.recorded}))
    if is_cancel(answer.text):
        status = state.get("auth")
        site = pending["site"] if pending else (status["site"] if status else None)
        stopped = render("stopped_waiting", language_of(state))
        ended = closing(answer, stopped, {"status": "pending", "site": site})
        return Command(goto=FINISH, update=ended)
    reminded: AuthUpdate = {"messages": [*answer.recorded, say(_reminder(state))]}
    return Command(goto="await_authorization", update=reminded)


def ask_retry(
    state: AuthState, *, waiting: Waiting = INTERRUPTING
) -> Command[Literal["preflight", "site_check", "ask_retry", "__end__"]]:
    """Log in again? yes → the checks again and a fresh menu (never an earlier site); no → end.

    Asked when a code expired or was refused and when the blocking login
    failed (yes → Step 0 again), and after a region restriction (yes → Step
    0.1 on what the preflight found: the live session is what the user wants
    to replace, so Step 0.3 sends them to the gate, which asks for the site).
    """
    message = open_prompt(state["messages"])
    payload: RetryLoginPayload = {
        "kind": "retry_login",
        "message": message,
        **inbox_fields("retry_login", message, {}),
    }
    answer = waiting.answer(state, payload)
    if answer is None:
        return Command(goto=FINISH, update=left_open(state, payload))
    language = language_of(state)
    word = normalize_reply(answer.text)
    switching = bool(state.get("switch_site"))
    if word in YES_WORDS:
        again = answered({"messages": answer.recorded, **changed(state, {"chosen_site": None})})
        return Command(goto="site_check" if switching else "preflight", update=again)
    if is_cancel(answer.text):
        ended = closing(answer, render("login_cancelled", language), {"status": "cancelled"})
        return Command(goto=FINISH, update=ended)
    if word in NO_WORDS and switching:
        status = state.get("auth")
        site = chosen_site(status) if status else None
        outcome: OkxAuthOutcome = {
            "status": status["status"] if status else "not_logged_in", "site": site,
        }
        ended = closing(answer, render("site_unchanged", language), outcome)
        return Command(goto=FINISH, update=ended)
    if word in NO_WORDS:
        ended = closing(answer, render("retry_declined", language), {"status": "not_logged_in"})
        return Command(goto=FINISH, update=ended)
    unclear: AuthUpdate = {
        "messages": [*answer.recorded, say(render("retry_unclear", language))],
    }
    return Command(goto="ask_retry", update=unclear)
