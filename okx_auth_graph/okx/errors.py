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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from typing_extensions import TypedDict

from okx_auth_graph.okx.framing import (
    MalformedOutput,
    decode_json,
    decode_object,
    error_line,
    error_message,
    hints,
)
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


ErrorKind = Literal[
    "no_config",
    "session_expired",
    "not_authenticated",
    "authorization_timed_out",
    "access_denied",
    "region_restricted",
    "network_error",
    "rate_limited",
    "spawn_failed",
    "install_cdn_failed",
    "api_key_rejected",
    "cli_too_old",
    "cli_not_found",
    "home_unavailable",
    "timeout",
    "malformed_output",
    "foreign_link",
    "unknown",
]
"""What went wrong, in the terms the auth procedure branches on (a plain id, so a
failure stored in the graph's state is plain data)."""

ERROR_KINDS: tuple[ErrorKind, ...] = get_args(ErrorKind)
"""Every error kind."""

@dataclass(frozen=True)
class ErrorRule:
    """What the procedure does about one kind of failure; `ERROR_TABLE` holds one per kind.

    Every set of kinds the package branches on is derived from this table,
    so a kind is described once. The user's words for each kind are the
    bilingual `failure_<kind>` phrases (`okx_auth_graph.prompts`).
    """

    action: str
    """The skill's action, in English (tools and agents read it)."""
    relogin: bool = False
    """A new login answers it: the normal flow from Step 0, menu and gate included."""
    recovered: bool = False
    """Besides the relogin kinds, the `recover` entry answers it (the skill's auth errors)."""
    login_retry: bool = False
    """A blocking login that ends this way offers the user another try."""
    unexpected: bool = False
    """Nothing the user can do about it: the outcome is `error`, not `needs_user_action`."""


_UPGRADE = (
    f"Install okx CLI {OAUTH_CLI_VERSION} or later, the first with okx auth: {INSTALL_COMMAND}"
)

ERROR_TABLE: Mapping[ErrorKind, ErrorRule] = {
    "no_config": ErrorRule("Run okx config init"),
    "session_expired": ErrorRule("Run okx auth login --manual", relogin=True),
    "not_authenticated": ErrorRule("Run okx auth login --manual", relogin=True),
    "authorization_timed_out": ErrorRule(
        "Run okx auth login --manual again", relogin=True, login_retry=True
    ),
    "access_denied": ErrorRule(
        "Run okx auth login --manual and ask to approve", relogin=True, login_retry=True
    ),
    "region_restricted": ErrorRule(
        "Check okx auth status --json for current site; re-login with --site if needed",
        recovered=True,
    ),
    "network_error": ErrorRule("Check network and retry", login_retry=True),
    "rate_limited": ErrorRule("Wait a moment and retry"),
    "spawn_failed": ErrorRule("Run okx auth install", recovered=True),
    "install_cdn_failed": ErrorRule("Check network and retry okx auth install"),
    "api_key_rejected": ErrorRule(
        "Replace the API key, or remove the API-key profile and switch to OAuth", recovered=True
    ),
    "cli_too_old": ErrorRule(
        f"{_UPGRADE} (the npm registry may not serve it yet; "
        "an API key works with this CLI: okx config init)"
    ),
    "cli_not_found": ErrorRule(
        f"{_UPGRADE} (the npm registry may not serve it yet; then "
        f"{API_KEY_INSTALL_COMMAND} and an API key: okx config init)"
    ),
    "home_unavailable": ErrorRule("Ask the server's operator to give this user a private HOME"),
    "timeout": ErrorRule("Retry; check the network if it keeps happening", unexpected=True),
    "malformed_output": ErrorRule(
        f"Retry; if it keeps happening, upgrade: {INSTALL_COMMAND}", unexpected=True
    ),
    "foreign_link": ErrorRule(
        f"Do not open the link; reinstall the okx CLI ({INSTALL_COMMAND}), run okx auth install, "
        "and check that OKX_AUTH_BIN, if set, names the okx-auth binary the CLI installed"
    ),
    "unknown": ErrorRule("Show the error and ask the user how to go on", unexpected=True),
}
"""Every error kind, what the skill says to do about it, and how the procedure treats it."""


def _kinds(rule: Callable[[ErrorRule], bool]) -> frozenset[ErrorKind]:
    return frozenset(kind for kind, entry in ERROR_TABLE.items() if rule(entry))


RELOGIN_KINDS = _kinds(lambda rule: rule.relogin)
"""Failures a new login answers: the normal flow from Step 0, menu and gate included."""
RECOVER_KINDS = _kinds(lambda rule: rule.relogin or rule.recovered)
"""Tool failures the auth graph's `recover` entry answers (the skill's auth error table)."""
LOGIN_RETRY_KINDS = _kinds(lambda rule: rule.login_retry)
"""Ways a blocking login ends that a new attempt can fix, so a retry is offered."""
USER_ACTION_KINDS = _kinds(lambda rule: not rule.unexpected)
"""Failures the user can act on (`needs_user_action`); the rest are `error`."""


def action_of(kind: ErrorKind) -> str:
    """The skill's action for this failure (English; the graph localizes)."""
    return ERROR_TABLE[kind].action


# Order matters: the first match wins, most specific first.
_PATTERN_TEXTS: tuple[tuple[ErrorKind, str], ...] = (
    ("spawn_failed", r"failed to spawn okx-auth"),
    ("install_cdn_failed", r"all cdn sources failed"),
    ("cli_too_old", r"unknown command:?\s*auth\b|unknown option '--manual'"),
    ("no_config", r"no config found"),
    ("session_expired", r"session expired|会话过期"),
    ("authorization_timed_out", r"authorization timed out"),
    ("access_denied", r"access denied"),
    ("region_restricted", r"\b51155\b|\b51734\b|region restrict"),
    (
        # No credentials the CLI can use at all: the sign-in procedure from Step 0.
        "not_authenticated",
        r"private endpoint requires api credentials|invalid private api credentials state",
    ),
    (
        "api_key_rejected",
        r"invalid sign|invalid api[-_ ]?key|invalid ok-access-key|\b5011[123]\b"
        r"|authenticationerror|http 401 from okx"
        r"|\b401\b.*unauthori[sz]ed|unauthori[sz]ed.*\b401\b",
    ),
    (
        "not_authenticated",
        r"run okx auth login first|not authenticated|requires_auth|token expired"
        r"|token not found|storagenotfounderror|未认证|需要登录",
    ),
    ("rate_limited", r"rate limit|too many requests|\b50011\b"),
    (
        # The CLI's own `NetworkError`s: no answer from OKX, or an answer that is not JSON.
        "network_error",
        r"network error|enotfound|econnrefused|etimedout|failed to call okx endpoint"
        r"|returned non-json response",
    ),
)
_PATTERNS: tuple[tuple[ErrorKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _PATTERN_TEXTS
)
_HINT_PATTERNS: tuple[tuple[ErrorKind, re.Pattern[str]], ...] = (
    (
        # The CLI's advice for OKX's 51155 and 51734, whose codes it does not print.
        "region_restricted",
        re.compile(r"unavailable in your region|not supported for your kyc country", re.I),
    ),
)
"""Causes only the CLI's `Hint:` names; read when its `Error:` line names none of the above."""


class OkxFailure(TypedDict):
    """A classified failure: plain data, so it can live in the graph's state."""

    kind: ErrorKind
    """What went wrong."""
    detail: str
    """Redacted, shortened text of what the CLI said."""
    command: list[str]
    """The okx arguments that failed (no executable path); empty when no command ran."""


class OkxError(Exception):
    """Raised by the okx layer; its text is always redacted."""

    def __init__(self, failure: OkxFailure) -> None:
        command = " ".join(failure["command"])
        super().__init__(f"okx {command}: {failure['kind']}: {failure['detail']}")
        self.failure = failure

    @property
    def kind(self) -> ErrorKind:
        """Shortcut to the failure's kind."""
        return self.failure["kind"]


@dataclass(frozen=True)
class FailedCall:
    """What a failed call left behind, as the classifier's input."""

    command: tuple[str, ...]
    returncode: int | None
    stdout: str = ""
    stderr: str = ""
    secrets: tuple[str, ...] = ()
    """Credential values the call's text may echo (its HOME's config): masked in the detail."""


_DETAIL_LIMIT = 500


_TOOL_ERROR_TYPES: Mapping[str, ErrorKind] = {
    "ratelimiterror": "rate_limited",
    "networkerror": "network_error",
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
    return "unknown"


def _json_answer(text: str) -> dict[str, Any] | None:
    """The JSON object a tool answered, if its output is one."""
    try:
        return decode_object(text, "tool output")
    except MalformedOutput:
        return None


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
        return "api_key_rejected"
    kind = _match(f"{code} {error.get('message') or ''}")
    if kind == "unknown" and kind_of_type == "authenticationerror":
        return "api_key_rejected"
    return kind


def classify_text(text: str) -> ErrorKind:
    """Map what a failed okx call or tool said to an error kind.

    An MCP error object is read by its fields; CLI text by its `Error:` line,
    then by the few `Hint:`s that name a cause the line does not (`_HINT_PATTERNS`;
    the update notice and `Version:` never decide).
    """
    answer = _json_answer(text)
    reported = _reported_failure(answer) if answer is not None else None
    if reported is not None:
        return reported[0]
    if answer is not None and answer.get("ok") is True:
        # A successful answer reports no failure, whatever it mentions (OKX's MCP
        # server adds its capability report, `requires_auth` and all, to every answer).
        return "unknown"
    kind = _match(error_message(text))
    if kind != "unknown":
        return kind
    advice = " ".join(hints(text))
    return next((kind for kind, pattern in _HINT_PATTERNS if pattern.search(advice)), "unknown")


def failure_detail(text: str, secrets: Iterable[str] = ()) -> str:
    """The redacted, shortened message of a failure, as a user may read it.

    Never the CLI's `Hint:` (which for key errors says to set keys in
    environment variables) and never the whole MCP object (its `suggestion`
    says the same): only the message itself.
    """
    answer = _json_answer(text)
    reported = _reported_failure(answer) if answer is not None else None
    message = reported[1] if reported is not None else error_message(text)
    return redact_text(" ".join(message.split()), secrets)[:_DETAIL_LIMIT]


def _reported_failure(answer: Mapping[str, Any]) -> tuple[ErrorKind, str] | None:
    """The kind and message of a JSON answer that reports a failure, else None.

    Two shapes do: OKX's MCP error object (`{"error": true, "type", "code",
    "message"}`), and `{"ok": false, "message", ...}`, the package's own
    tools' among them (`tools.failure_payload`, whose `error` is the kind it
    already classified). Their advice (`suggestion`, `action`) is never the message.
    """
    message = str(answer.get("message") or "")
    if answer.get("error") is True:
        return classify_tool_error(answer), message
    if answer.get("ok") is not False:
        return None
    named = answer.get("error")
    kind = cast(ErrorKind, named) if named in ERROR_KINDS else _match(f"{named or ''} {message}")
    return kind, message


def tool_output_failure(text: str) -> ErrorKind | None:
    """The failure a tool's output reports, or None when the output is an answer.

    A tool that succeeds answers JSON data, and data may say anything (a
    memo reading "401 Unauthorized", a bot tagged "token expired"): JSON
    that is not one of the failure shapes (`_reported_failure`) is an answer
    and is never read for error words, whatever stray lines are around it
    (`decode_json`). Text with an `Error:` line, and any other text, is what
    a CLI printed, and is classified as such.
    """
    value = None if error_line(text) is not None else decode_json(text)
    if isinstance(value, dict):
        reported = _reported_failure(value)
        return reported[0] if reported is not None else None
    if isinstance(value, list):
        return None
    kind = classify_text(text)
    return None if kind == "unknown" else kind


def classify(call: FailedCall) -> OkxFailure:
    """Classify a non-zero exit (or an error printed on stdout) of an okx command.

    stderr is read first, then stdout (some CLI errors land there, behind a
    warning or the update notice on stderr). The kept detail is the redacted,
    shortened message.
    """
    kind = classify_text(call.stderr)
    source = call.stderr
    if kind == "unknown" and call.stdout.strip():
        stdout_kind = classify_text(call.stdout)
        if stdout_kind != "unknown" or not failure_detail(call.stderr):
            kind, source = stdout_kind, call.stdout
    detail = failure_detail(source, call.secrets)
    return OkxFailure(kind=kind, detail=detail or f"exit code {call.returncode}",
                      command=list(call.command))
