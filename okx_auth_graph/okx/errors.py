"""One classifier from a failed okx call to a typed error carrying the skill's action.

Every row of the skill's Error Reference table is an `ErrorKind`, plus the
failures an agent meets around it (API-key rejections, no usable credentials,
a CLI too old for `auth`, no CLI, a hang, rate limits, output that is not
JSON). Matching is case-insensitive on the message the CLI really prints (its
`Error:` line, not the update notice, `Hint:` or `Version:` around it) and on
the `type`/`code`/`message` of the error objects OKX's MCP server returns;
unknown failures keep their redacted message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from okx_auth_graph.okx.framing import MalformedOutput, decode_object, error_message
from okx_auth_graph.okx.redact import redact_text

OAUTH_CLI_VERSION = "1.3.1-beta.17"
"""The first okx CLI the skill names with the `okx auth` commands (OAuth sign-in)."""
INSTALL_COMMAND = f'npm install -g "@okx_ai/okx-trade-cli@>={OAUTH_CLI_VERSION}"'
"""Installs (or upgrades to) the newest okx CLI that has `okx auth`.

Not the bare package nor `@latest`: the npm registry serves 1.2.4 under
both, which has no `okx auth`, so advising them after "too old" would go
round in a loop. The version range asks for what OAuth needs and nothing
less; the quotes keep a shell from reading `>` as a redirection. The
registry may serve no such version yet: npm then answers "No matching version found".
"""
API_KEY_INSTALL_COMMAND = "npm install -g @okx_ai/okx-trade-cli"
"""Whatever version the registry serves: enough for an API key (`okx config init`), not OAuth."""


class ErrorKind(StrEnum):
    """What went wrong, in the terms the auth procedure branches on."""

    NO_CONFIG = "no_config"
    SESSION_EXPIRED = "session_expired"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHORIZATION_TIMED_OUT = "authorization_timed_out"
    ACCESS_DENIED = "access_denied"
    REGION_RESTRICTED = "region_restricted"
    NETWORK_ERROR = "network_error"
    RATE_LIMITED = "rate_limited"
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
    ErrorKind.RATE_LIMITED: "Wait a moment and retry",
    ErrorKind.SPAWN_FAILED: "Run okx auth install",
    ErrorKind.INSTALL_CDN_FAILED: "Check network and retry okx auth install",
    ErrorKind.API_KEY_REJECTED: (
        "Replace the API key, or remove the API-key profile and switch to OAuth"
    ),
    ErrorKind.CLI_TOO_OLD: (
        f"Install okx CLI {OAUTH_CLI_VERSION} or later, the first with okx auth: "
        f"{INSTALL_COMMAND} (the npm registry may not serve it yet; "
        "an API key works with this CLI: okx config init)"
    ),
    ErrorKind.CLI_NOT_FOUND: (
        f"Install okx CLI {OAUTH_CLI_VERSION} or later, the first with okx auth: "
        f"{INSTALL_COMMAND} (the npm registry may not serve it yet; then "
        f"{API_KEY_INSTALL_COMMAND} and an API key: okx config init)"
    ),
    ErrorKind.HOME_UNAVAILABLE: "Ask the server's operator to give this user a private HOME",
    ErrorKind.TIMEOUT: "Retry; check the network if it keeps happening",
    ErrorKind.MALFORMED_OUTPUT: f"Retry; if it keeps happening, upgrade: {INSTALL_COMMAND}",
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
            # No credentials the CLI can use at all: the sign-in procedure from Step 0.
            ErrorKind.NOT_AUTHENTICATED,
            r"private endpoint requires api credentials|invalid private api credentials state",
        ),
        (
            ErrorKind.API_KEY_REJECTED,
            r"invalid sign|invalid api[-_ ]?key|invalid ok-access-key|\b5011[123]\b"
            r"|authenticationerror|http 401 from okx"
            r"|\b401\b.*unauthori[sz]ed|unauthori[sz]ed.*\b401\b",
        ),
        (
            ErrorKind.NOT_AUTHENTICATED,
            r"run okx auth login first|not authenticated|requires_auth|token expired"
            r"|token not found|storagenotfounderror|未认证|需要登录",
        ),
        (ErrorKind.RATE_LIMITED, r"rate limit|too many requests|\b50011\b"),
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


_TOOL_ERROR_TYPES: Mapping[str, ErrorKind] = {
    "ratelimiterror": ErrorKind.RATE_LIMITED,
    "networkerror": ErrorKind.NETWORK_ERROR,
}
"""MCP error types that decide the kind whatever their message says."""
_API_KEY_CODES = frozenset({"50111", "50112", "50113"})
"""OKX's codes for a key it refuses (the CLI and MCP server call them `AuthenticationError`)."""


def _match(message: str) -> ErrorKind:
    """The first pattern the message matches, on whitespace-normalized text."""
    flat = " ".join(message.split())
    for kind, pattern in _PATTERNS:
        if pattern.search(flat):
            return kind
    return ErrorKind.UNKNOWN


def _json_answer(text: str) -> dict[str, Any] | None:
    """The JSON object a tool answered, if its output is one."""
    try:
        return decode_object(text, "tool output")
    except MalformedOutput:
        return None


def tool_error_object(text: str) -> dict[str, Any] | None:
    """The `{"error": true, "type": ..., "message": ...}` object a tool answered, if any.

    OKX's MCP server returns a failed tool call as that object (pretty JSON,
    with `tool`, `suggestion`, `code` and more beside it).
    """
    value = _json_answer(text)
    return value if value is not None and value.get("error") is True else None


def classify_tool_error(error: Mapping[str, Any]) -> ErrorKind:
    """Classify an MCP error object on its `type`, `code` and `message` fields only.

    A rate limit or a network failure is what its type says, even when its
    message mentions a status code; an OKX key code means a rejected key;
    otherwise the message decides, and an `AuthenticationError` that names
    nothing more specific is a rejected key.
    """
    kind_of_type = str(error.get("type") or "").lower()
    if kind_of_type in _TOOL_ERROR_TYPES:
        return _TOOL_ERROR_TYPES[kind_of_type]
    code = str(error.get("code") or "")
    if code in _API_KEY_CODES:
        return ErrorKind.API_KEY_REJECTED
    kind = _match(f"{code} {error.get('message') or ''}")
    if kind is ErrorKind.UNKNOWN and kind_of_type == "authenticationerror":
        return ErrorKind.API_KEY_REJECTED
    return kind


def classify_text(text: str) -> ErrorKind:
    """Map what a failed okx call or tool said to an error kind.

    An MCP error object is read by its fields; CLI text by its `Error:` line
    (the update notice, `Hint:` and `Version:` never decide).
    """
    answer = _json_answer(text)
    if answer is not None and answer.get("error") is True:
        return classify_tool_error(answer)
    if answer is not None and answer.get("ok") is True:
        # A successful answer reports no failure, whatever it mentions (OKX's MCP
        # server adds its capability report, `requires_auth` and all, to every answer).
        return ErrorKind.UNKNOWN
    return _match(error_message(text))


def failure_detail(text: str) -> str:
    """The redacted, shortened message of a failure, as a user may read it.

    Never the CLI's `Hint:` (which for key errors says to set keys in
    environment variables) and never the whole MCP object (its `suggestion`
    says the same): only the message itself.
    """
    error = tool_error_object(text)
    message = str(error.get("message") or "") if error is not None else error_message(text)
    return redact_text(" ".join(message.split()))[:_DETAIL_LIMIT]


def classify(call: FailedCall) -> OkxFailure:
    """Classify a non-zero exit (or an error printed on stdout) of an okx command.

    stderr is read first, then stdout (some CLI errors land there, behind a
    warning or the update notice on stderr). The kept detail is the redacted,
    shortened message.
    """
    kind = classify_text(call.stderr)
    source = call.stderr
    if kind is ErrorKind.UNKNOWN and call.stdout.strip():
        stdout_kind = classify_text(call.stdout)
        if stdout_kind is not ErrorKind.UNKNOWN or not failure_detail(call.stderr):
            kind, source = stdout_kind, call.stdout
    detail = failure_detail(source)
    return OkxFailure(kind=kind, detail=detail or f"exit code {call.returncode}",
                      command=call.command)
