"""Typed payloads of every interrupt the graph raises, and the replies it accepts.

Each is a JSON dict with `kind` and `message` (the text the user must answer,
also posted to `messages`) plus the question's own fields, and the
agent-inbox fields that standard chat clients render and answer
(`action_request`, `config`, `description`; Agent Chat UI shows anything
else as a read-only table). The inbox fields are for people, the others for
programs: a client that acts on the question reads `kind` and the own fields,
never the panel's title or text. Resume with the reply as typed
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


class PanelArgs(TypedDict):
    """What Agent Chat UI's inbox panel lists under its title, one "Title Case key:" each.

    The panel prints every arg as its key in title case over its value, a
    string as markdown and anything else as raw JSON, and it stands 80% of
    the window high below the conversation, so the message it answers is
    scrolled out of view. So the one arg is the question itself, as it was
    posted: the menu's own lines, the login template's minutes and its link
    (which the markdown view makes a link), each line kept. The question's
    own fields stay out of it: as args they would read `["global","eea","us"]`
    and `600` and push the question off the screen.
    """

    message: str
    """The payload's `message`, its line breaks kept in markdown."""


class ActionRequest(TypedDict):
    """Agent-inbox: what is asked, as the panel shows it."""

    action: str
    """The panel's title: the question in a few words (`PANEL_TITLES`)."""
    args: PanelArgs
    """The question's text, under the title."""


class InboxConfig(TypedDict):
    """Agent-inbox: which answers a client may offer; only a typed response (and cancel)."""

    allow_respond: bool
    """Always true: the answer is the user's reply."""
    allow_accept: bool
    """Always false: there is no default to accept (a site is never defaulted)."""
    allow_edit: bool
    """Always false: nothing to edit."""
    allow_ignore: bool
    """Always true: every question may be dismissed, which cancels."""


class InboxFields(TypedDict):
    """The agent-inbox fields every payload carries (LangGraph's `HumanInterrupt` shape)."""

    action_request: ActionRequest
    """The panel's title and text."""
    config: InboxConfig
    """The answers a client may offer."""
    description: str
    """`message`, with line breaks a markdown renderer keeps."""


PANEL_TITLES: dict[Question, str] = {
    "site_choice": "Choose your OKX site",
    "authorization_done": "Authorize in your browser",
    "retry_login": "Log in again?",
    "confirm_remove": "Confirm the removal",
    "api_key_remedy": "Your API key was rejected",
}
"""Each question's panel title, in the English of the panel's own buttons around it."""


def inbox_fields(question: Question, message: str) -> InboxFields:
    """The agent-inbox view of a question, so standard chat clients can render and answer it."""
    text = markdown_lines(message)
    return {
        "action_request": {"action": PANEL_TITLES[question], "args": {"message": text}},
        "config": {
            "allow_respond": True,
            "allow_accept": False,
            "allow_edit": False,
            "allow_ignore": True,
        },
        "description": text,
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
    """The site ids a reply maps to, in the menu's order: the skill version's table
    (global, eea, us under 1.3.2; tr too under 1.3.9)."""


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
