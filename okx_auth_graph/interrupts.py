"""Typed payloads of every interrupt the graph raises, and the replies it accepts.

Each is a JSON dict with `kind` and `message` (the text the user must answer,
also posted to `messages`) plus the question's own fields, and the
agent-inbox fields that standard chat clients render and answer
(`action_request`, `config`, `description`; Agent Chat UI shows anything
else as a read-only table). Resume with the reply as typed
(`Command(resume="2")`), a number, an inbox response
(`{"type": "response", "args": "2"}`) or a list of those; an inbox
`{"type": "ignore"}` cancels. A reply sent as a new human message instead
counts the same (see `nodes/questions.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from typing_extensions import TypedDict

from okx_auth_graph.okx.models import Site
from okx_auth_graph.prompts import Language, markdown_lines

Question = Literal[
    "site_choice", "authorization_done", "retry_login", "confirm_remove", "api_key_remedy"
]
"""The questions the graph asks; each is the `kind` of its interrupt."""


class ActionRequest(TypedDict):
    """Agent-inbox: what is asked, and the question's fields."""

    action: Question
    """The interrupt's `kind`."""
    args: dict[str, object]
    """The question's own fields (choices, link and code, target, ...)."""


class InboxConfig(TypedDict):
    """Agent-inbox: which answers a client may offer; only a typed response (and cancel)."""

    allow_respond: bool
    """Always true: the answer is the user's reply."""
    allow_accept: bool
    """Always false: there is no default to accept (a site is never defaulted)."""
    allow_edit: bool
    """Always false: nothing to edit."""
    allow_ignore: bool
    """Whether the question may be dismissed, which cancels."""


class InboxFields(TypedDict):
    """The agent-inbox fields every payload carries (LangGraph's `HumanInterrupt` shape)."""

    action_request: ActionRequest
    """The question and its fields."""
    config: InboxConfig
    """The answers a client may offer."""
    description: str
    """`message`, with line breaks a markdown renderer keeps."""


def inbox_fields(
    question: Question, message: str, args: Mapping[str, object], *, cancellable: bool = True
) -> InboxFields:
    """The agent-inbox view of a question, so standard chat clients can render and answer it."""
    return {
        "action_request": {"action": question, "args": dict(args)},
        "config": {
            "allow_respond": True,
            "allow_accept": False,
            "allow_edit": False,
            "allow_ignore": cancellable,
        },
        "description": markdown_lines(message),
    }


_CANCEL: dict[Language, str] = {"zh": "取消", "en": "cancel"}


def reply_text(resume: object, language: Language) -> str:
    """A resume value as the reply the user typed.

    Text stays as it is; a number becomes its digits; an inbox response is
    its `args`; a list is its first item (Agent Chat UI sends a list of one);
    an inbox `ignore` is the cancel word of the request's language. Any other
    shape is no answer (the empty reply), which asks again.
    """
    if isinstance(resume, str):
        return resume
    if isinstance(resume, int | float) and not isinstance(resume, bool):
        return str(resume)
    if isinstance(resume, list):
        return reply_text(resume[0], language) if resume else ""
    if isinstance(resume, Mapping):
        if resume.get("type") == "ignore":
            return _CANCEL[language]
        if resume.get("type") == "response":
            return reply_text(resume.get("args"), language)
    return ""


class SiteChoicePayload(InboxFields):
    """Step 0.1: the user must pick a site; nothing is ever defaulted."""

    kind: Literal["site_choice"]
    """Always `site_choice`."""
    message: str
    """The menu (and why it is shown again, when it is)."""
    choices: list[Site]
    """The site ids a reply maps to: global, eea, us."""


class AuthorizationDonePayload(InboxFields):
    """Waiting for the user to say they authorized in the browser (no polling)."""

    kind: Literal["authorization_done"]
    """Always `authorization_done`."""
    message: str
    """The login template, a reminder, or the pending notice."""
    site: str | None
    """The login's site, when this thread started it."""
    verification_uri: str | None
    """Where to authorize, when known."""
    user_code: str | None
    """The code to enter, when known."""
    expires_in: int | None
    """The code's lifetime in seconds, when known."""


class RetryLoginPayload(InboxFields):
    """The code expired or was refused: log in again? (yes → the menu again)."""

    kind: Literal["retry_login"]
    """Always `retry_login`."""
    message: str
    """The question."""


class ConfirmRemovePayload(InboxFields):
    """Something is about to be removed; only an explicit yes goes ahead."""

    kind: Literal["confirm_remove"]
    """Always `confirm_remove`."""
    message: str
    """The question, naming what would be removed."""
    target: str
    """What would be removed: `okx-auth` (the binary) or a profile name."""


class ApiKeyRemedyPayload(InboxFields):
    """Step 0.2.a: the API key was rejected; the user picks one of two remedies."""

    kind: Literal["api_key_remedy"]
    """Always `api_key_remedy`."""
    message: str
    """The two options, neutrally, in the skill's order."""
    profile: str
    """The profile whose key was rejected."""
    options: list[str]
    """`replace_api_key` (reply 1) and `switch_to_oauth` (reply 2)."""


InterruptPayload = (
    SiteChoicePayload
    | AuthorizationDonePayload
    | RetryLoginPayload
    | ConfirmRemovePayload
    | ApiKeyRemedyPayload
)
"""Any of the graph's interrupt payloads."""
