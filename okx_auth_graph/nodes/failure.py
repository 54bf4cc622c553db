"""The end of a run that a CLI failure stopped: a clear message and a sane outcome."""

from __future__ import annotations

from okx_auth_graph.nodes.common import language_of, say
from okx_auth_graph.okx import OkxFailure
from okx_auth_graph.okx.errors import USER_ACTION_KINDS
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, AuthUpdate, OutcomeStatus


def outcome_status(failure: OkxFailure) -> OutcomeStatus:
    """`needs_user_action` when the user can fix it, else `error`."""
    return "needs_user_action" if failure["kind"] in USER_ACTION_KINDS else "error"


def failure_text(failure: OkxFailure, state: AuthState) -> str:
    """The failure in the user's language, with the next step.

    A phrase names the failed command (`<command>`) where the detail is the
    package's own English words (a timeout, unreadable output), and quotes
    the detail where it is the CLI's.
    """
    return render(
        f"failure_{failure['kind']}", language_of(state), detail=failure["detail"],
        command=" ".join(["okx", *failure["command"]]),
    )


def report_failure(state: AuthState) -> AuthUpdate:
    """Post the failure; the run ends here and the thread can go on with a new request."""
    failure = state.get("failure") or OkxFailure(
        kind="unknown", detail="unknown failure", command=[]
    )
    text = failure_text(failure, state)
    return {
        "messages": [say(text)],
        "okx_auth": {"status": outcome_status(failure), "message": text},
    }
