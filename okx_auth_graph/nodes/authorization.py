"""Waiting for the user's "done" (never polling), and the retry question."""

from __future__ import annotations

from langgraph.graph import END
from langgraph.types import Command

from okx_auth_graph.nodes.common import changed, language_of
from okx_auth_graph.nodes.questions import Answer, QuestionSpec, answered, asked_again, closing
from okx_auth_graph.okx import chosen_site
from okx_auth_graph.prompts import render
from okx_auth_graph.replies import NO_WORDS, YES_WORDS, is_cancel, is_done_signal, normalize_reply
from okx_auth_graph.state import AuthState, OkxAuthOutcome


def _code_fields(state: AuthState) -> dict[str, object]:
    """This thread's login: site, link, code and lifetime (all None when it has none)."""
    pending = state.get("pending_login")
    device = pending["device"] if pending else None
    return {
        "site": pending["site"] if pending else None,
        "verification_uri": device["verification_uri"] if device else None,
        "user_code": device["user_code"] if device else None,
        "expires_in": device["expires_in"] if device else None,
    }


def _reminder(state: AuthState) -> str:
    """The link and code again, or that a login waits when this thread has no code."""
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


def _done_answer(state: AuthState, answer: Answer) -> Command[str]:
    """Done → the one check; cancel → stop waiting (the code stays valid); else a reminder.

    No CLI call happens here, whatever the reply.
    """
    if is_done_signal(answer.text):
        return Command(goto="verify", update=answered({"messages": answer.recorded}))
    if is_cancel(answer.text):
        pending, status = state.get("pending_login"), state.get("auth")
        site = pending["site"] if pending else (status["site"] if status else None)
        stopped = render("stopped_waiting", language_of(state))
        ended = closing(answer, stopped, {"status": "pending", "site": site})
        return Command(goto=END, update=ended)
    return Command(goto="await_authorization", update=asked_again(answer, _reminder(state)))


AUTHORIZATION_DONE = QuestionSpec(
    kind="authorization_done", fields=_code_fields, decide=_done_answer
)
"""Waiting for the user to say they authorized in the browser."""


def _retry_answer(state: AuthState, answer: Answer) -> Command[str]:
    """Log in again? yes → the checks again and a fresh menu (never an earlier site); no → end.

    Asked when a code expired or was refused and when the blocking login
    failed (yes → Step 0 again), and after a region restriction (yes → Step
    0.1 on what the preflight found: the live session is what the user wants
    to replace, so Step 0.3 sends them to the gate, which asks for the site).
    """
    language = language_of(state)
    word = normalize_reply(answer.text)
    switching = bool(state.get("switch_site"))
    if word in YES_WORDS:
        again = answered({"messages": answer.recorded, **changed(state, {"site_choice": None})})
        return Command(goto="site_check" if switching else "preflight", update=again)
    if is_cancel(answer.text):
        ended = closing(answer, render("login_cancelled", language), {"status": "cancelled"})
        return Command(goto=END, update=ended)
    if word in NO_WORDS and switching:
        status = state.get("auth")
        outcome: OkxAuthOutcome = {
            "status": status["status"] if status else "not_logged_in",
            "site": chosen_site(status) if status else None,
        }
        unchanged = closing(answer, render("site_unchanged", language), outcome)
        return Command(goto=END, update=unchanged)
    if word in NO_WORDS:
        declined = closing(answer, render("retry_declined", language), {"status": "not_logged_in"})
        return Command(goto=END, update=declined)
    return Command(goto="ask_retry", update=asked_again(answer, render("retry_unclear", language)))


RETRY_LOGIN = QuestionSpec(kind="retry_login", fields=lambda state: {}, decide=_retry_answer)
"""Log in again, after a failed code, a failed blocking login or a region restriction."""
