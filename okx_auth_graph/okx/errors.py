"""One classifier from a failed okx call to a typed error carrying the skill's action.

Every row of the skill's Error Reference table is an `ErrorKind`, plus the
failures an agent meets around it (API-key rejections, a CLI too old for
`auth`, no CLI, a hang, output that is not JSON). Matching is case-insensitive
on the text the CLI really prints; unknown failures keep their redacted text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from okx_auth_graph.okx.redact import redact_text

INSTALL_COMMAND = "npm install -g @okx_ai/okx-trade-cli"
UPGRADE_COMMAND = "npm install -g @okx_ai/okx-trade-cli@latest"


class ErrorKind(StrEnum):
    """What went wrong, in the terms the auth procedure branches on."""

    NO_CONFIG = "no_config"
    SESSION_EXPIRED = "session_expired"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHORIZATION_TIMED_OUT = "authorization_timed_out"
    ACCESS_DENIED = "access_denied"
    REGION_RESTRICTED = "region_restricted"
    NETWORK_ERROR = "network_error"
    SPAWN_FAILED = "spawn_failed"
    INSTALL_CDN_FAILED = "install_cdn_failed"
    API_KEY_REJECTED = "api_key_rejected"
    CLI_TOO_OLD = "cli_too_old"
    CLI_NOT_FOUND = "cli_not_found"
    HOME_UNAVAILABLE = "home_unavailable"
    TIMEOUT = "timeout"
    MALFORMED_OUTPUT = "malformed_output"
    UNKNOWN = "unknown"

    @property
    def action(self) -> str:
        """The skill's action for this failure (English; the graph localizes)."""
        return _ACTIONS[self]

    @property
    def needs_login(self) -> bool:
        """Whether the remedy is the normal login flow from Step 0."""
        return self in (ErrorKind.SESSION_EXPIRED, ErrorKind.NOT_AUTHENTICATED)


RELOGIN_KINDS = frozenset({
    ErrorKind.SESSION_EXPIRED, ErrorKind.NOT_AUTHENTICATED,
    ErrorKind.AUTHORIZATION_TIMED_OUT, ErrorKind.ACCESS_DENIED,
})
"""Failures a new login answers: the normal flow from Step 0, menu and gate included."""


_ACTIONS: dict[ErrorKind, str] = {
    ErrorKind.NO_CONFIG: "Run okx config init",
    ErrorKind.SESSION_EXPIRED: "Run okx auth login --manual",
    ErrorKind.NOT_AUTHENTICATED: "Run okx auth login --manual",
    ErrorKind.AUTHORIZATION_TIMED_OUT: "Run okx auth login --manual again",
    ErrorKind.ACCESS_DENIED: "Run okx auth login --manual and ask to approve",
    ErrorKind.REGION_RESTRICTED: (
        "Check okx auth status --json for current site; re-login with --site if needed"
    ),
    ErrorKind.NETWORK_ERROR: "Check network and retry",
    ErrorKind.SPAWN_FAILED: "Run okx auth install",
    ErrorKind.INSTALL_CDN_FAILED: "Check network and retry okx auth install",
    ErrorKind.API_KEY_REJECTED: (
        "Replace the API key, or remove the API-key profile and switch to OAuth"
    ),
    ErrorKind.CLI_TOO_OLD: f"Upgrade the okx CLI: {UPGRADE_COMMAND}",
    ErrorKind.CLI_NOT_FOUND: f"Install the okx CLI: {INSTALL_COMMAND}",
    ErrorKind.HOME_UNAVAILABLE: "Ask the server's operator to give this user a private HOME",
    ErrorKind.TIMEOUT: "Retry; check the network if it keeps happening",
    ErrorKind.MALFORMED_OUTPUT: "Retry; upgrade the okx CLI if it keeps happening",
    ErrorKind.UNKNOWN: "Show the error and ask the user how to go on",
}

# Order matters: the first match wins, most specific first.
_PATTERNS: tuple[tuple[ErrorKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (ErrorKind.SPAWN_FAILED, r"failed to spawn okx-auth"),
        (ErrorKind.INSTALL_CDN_FAILED, r"all cdn sources failed"),
        (ErrorKind.CLI_TOO_OLD, r"unknown command:?\s*auth\b|unknown option '--manual'"),
        (ErrorKind.NO_CONFIG, r"no config found"),
        (ErrorKind.SESSION_EXPIRED, r"session expired|会话过期"),
        (ErrorKind.AUTHORIZATION_TIMED_OUT, r"authorization timed out"),
        (ErrorKind.ACCESS_DENIED, r"access denied"),
        (ErrorKind.REGION_RESTRICTED, r"\b51155\b|\b51734\b|region restrict"),
        (
            ErrorKind.API_KEY_REJECTED,
            r"invalid sign|invalid api[-_ ]?key|invalid ok-access-key|\b5011[123]\b"
            r"|\b401\b.*unauthori[sz]ed|unauthori[sz]ed.*\b401\b",
        ),
        (
            ErrorKind.NOT_AUTHENTICATED,
            r"run okx auth login first|not authenticated|requires_auth|token expired"
            r"|token not found|storagenotfounderror|未认证|需要登录",
        ),
        (ErrorKind.NETWORK_ERROR, r"network error|enotfound|econnrefused|etimedout"),
    )
)


class OkxFailure(BaseModel):
    """A classified failure, small and serializable so it can live in graph state."""

    model_config = ConfigDict(frozen=True)

    kind: ErrorKind
    """What went wrong."""
    detail: str
    """Redacted, shortened text of what the CLI said."""
    command: tuple[str, ...] = ()
    """The okx arguments that failed (no executable path)."""

    @property
    def action(self) -> str:
        """The skill's action for this failure."""
        return self.kind.action


class OkxError(Exception):
    """Raised by the okx layer; its text is always redacted."""

    def __init__(self, failure: OkxFailure) -> None:
        super().__init__(f"okx {' '.join(failure.command)}: {failure.kind}: {failure.detail}")
        self.failure = failure

    @property
    def kind(self) -> ErrorKind:
        """Shortcut to the failure's kind."""
        return self.failure.kind


@dataclass(frozen=True)
class FailedCall:
    """What a failed call left behind, as the classifier's input."""

    command: tuple[str, ...]
    returncode: int | None
    stdout: str = ""
    stderr: str = ""


_DETAIL_LIMIT = 500


def classify_text(text: str) -> ErrorKind:
    """Map error text (for instance an okx tool's output) to an error kind."""
    for kind, pattern in _PATTERNS:
        if pattern.search(text):
            return kind
    return ErrorKind.UNKNOWN


def classify(call: FailedCall) -> OkxFailure:
    """Classify a non-zero exit (or an error printed on stdout) of an okx command.

    stderr is searched first, then stdout (some CLI errors land there, behind
    a warning on stderr); whitespace is normalized so wrapped messages match.
    The kept detail is redacted and shortened.
    """
    stderr, stdout = " ".join(call.stderr.split()), " ".join(call.stdout.split())
    kind = classify_text(stderr)
    if kind is ErrorKind.UNKNOWN and stdout:
        kind = classify_text(stdout)
    detail = redact_text(stderr or stdout)[:_DETAIL_LIMIT]
    return OkxFailure(kind=kind, detail=detail or f"exit code {call.returncode}",
                      command=call.command)
