"""Typed payloads of every interrupt the graph raises.

Each is a JSON dict with at least `kind` and `message` (the text the user must
answer, also posted to `messages`). Resume with `Command(resume="<reply>")`.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict


class SiteChoicePayload(TypedDict):
    """Step 0.1: the user must pick a site; nothing is ever defaulted."""

    kind: Literal["site_choice"]
    """Always `site_choice`."""
    message: str
    """The menu (and why it is shown again, when it is)."""
    choices: list[str]
    """The site ids a reply maps to: global, eea, us."""


class AuthorizationDonePayload(TypedDict):
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


class RetryLoginPayload(TypedDict):
    """The code expired or was refused: log in again? (yes → the menu again)."""

    kind: Literal["retry_login"]
    """Always `retry_login`."""
    message: str
    """The question."""


class ConfirmRemovePayload(TypedDict):
    """Something is about to be removed; only an explicit yes goes ahead."""

    kind: Literal["confirm_remove"]
    """Always `confirm_remove`."""
    message: str
    """The question, naming what would be removed."""
    target: str
    """What would be removed: `okx-auth` (the binary) or a profile name."""


class ApiKeyRemedyPayload(TypedDict):
    """Step 0.2.a: the API key was rejected; the user picks one of two remedies."""

    kind: Literal["api_key_remedy"]
    """Always `api_key_remedy`."""
    message: str
    """The two options, neutrally, in the skill's order."""
    profile: str
    """The profile whose key was rejected."""
    options: list[str]
    """`replace_api_key` (reply 1) and `switch_to_oauth` (reply 2)."""
