"""What an agent may see of an okx tool's output, and which failures mean "sign in again".

Shared by the LangChain middleware and by apps that wire the auth graph into
their own graph (`okx_auth_graph/examples/trading_agent.py`), so both recover from the same
errors and hide the same fields. Needs neither LangChain nor a model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from okx_auth_graph.keywords import is_market_only
from okx_auth_graph.mcp.registry import needs_account as mcp_needs_account
from okx_auth_graph.mcp.registry import registry_name
from okx_auth_graph.okx import ErrorKind, mask_key, redact_text
from okx_auth_graph.okx.errors import RECOVER_KINDS, tool_output_failure
from okx_auth_graph.okx.redact import is_credential_name, is_key_name
from okx_auth_graph.state import OkxAuthOutcome, OkxAuthRequest
from okx_auth_graph.tools import make_okx_tools

SIGNED_IN = frozenset({"logged_in", "api_key_configured"})
"""Outcomes after which the CLI holds credentials an account tool can use."""

AUTH_ERROR_KINDS: frozenset[ErrorKind] = RECOVER_KINDS
"""Tool failures the auth graph's `recover` entry answers (`okx.errors.ERROR_TABLE`)."""

HIDDEN_FIELDS = frozenset({"expiresAt", "expires_at", "ttl", "profile"})
"""Fields the skill forbids showing: token lifetimes mislead, `profile` is internal."""

AUTH_TOOL_NAMES = frozenset(tool.name for tool in make_okx_tools())
"""The package's own auth tools: they are the procedure's steps, not account tools."""

_HIDDEN_PAIR = re.compile(
    r"""["']?\b(?:expiresAt|expires_at|ttl|profile)\b["']?\s*[:=]\s*"""
    r"""(?:"[^"]*"|'[^']*'|[^\s,;)}]+)[,;]?[ \t]*""",
)


def is_signed_in(outcome: OkxAuthOutcome | None) -> bool:
    """Whether an auth outcome leaves the CLI with usable credentials."""
    return outcome is not None and outcome.get("status") in SIGNED_IN


def auth_error_kind(text: str) -> ErrorKind | None:
    """The auth error an okx tool's output reports, or None for anything else.

    Data a tool answered is never read for error words (`tool_output_failure`):
    a memo that says "401" does not make a successful call fail and run again.
    """
    kind = tool_output_failure(text)
    return kind if kind in AUTH_ERROR_KINDS else None


def recovery_request(tool_output: str, *, recovered: bool) -> OkxAuthRequest | None:
    """After an okx tool answered: the auth graph's `recover` request, or None to go on.

    The one rule an app and the middleware share: an auth error is recovered
    from once per call (`recovered` says it already was), then the caller
    retries its tool itself. The request names no `command`: the graph never
    runs a caller's command, and its binary repair re-checks `auth status`.
    """
    if recovered or auth_error_kind(tool_output) is None:
        return None
    return {"action": "recover", "error": tool_output}


def default_needs_account(name: str) -> bool:
    """Whether a tool is an okx account tool, judged by its name.

    A tool of OKX's MCP server (with or without a client's `<server>_`
    prefix) needs one unless the server's registry calls it public (its
    market module and its `system_*` tools). Any other `okx_` tool needs an
    account unless it is one of the auth tools or its name speaks only of
    market data (`okx_market_ticker`). Every other tool passes untouched.
    """
    from_registry = mcp_needs_account(name)
    if from_registry is not None:
        return from_registry
    if not name.startswith("okx_") or name in AUTH_TOOL_NAMES:
        return False
    return not is_market_only(name.replace("_", " "))


def is_okx_output(name: str) -> bool:
    """Whether a tool's output comes from okx (the package's tools or OKX's MCP server)."""
    return name.startswith("okx_") or registry_name(name) is not None


def scrub(value: object, secrets: Iterable[str] = ()) -> object:
    """Drop hidden and credential fields, mask API keys, clean free text; JSON stays JSON.

    Which names are credentials is the okx layer's rule (`is_credential_name`,
    the same one that masks `name: value` in text). A string inside JSON is
    free text like any other (an error message may say `expiresAt: ...`), so it
    is cleaned as `_clean_text` cleans text, known `secrets` masked too.
    """
    if isinstance(value, dict):
        return {
            key: mask_key(item) if is_key_name(key) and isinstance(item, str)
            else scrub(item, secrets)
            for key, item in value.items()
            if key not in HIDDEN_FIELDS and not (is_credential_name(key) and not is_key_name(key))
        }
    if isinstance(value, list):
        return [scrub(item, secrets) for item in value]
    return _clean_text(value, secrets) if isinstance(value, str) else value


def _clean_text(text: str, secrets: Iterable[str]) -> str:
    """Free text without `name: value` pairs of the hidden fields, and redacted."""
    return redact_text(_HIDDEN_PAIR.sub("", text), secrets)


def clean_okx_output(text: str, secrets: Iterable[str] = ()) -> str:
    """An okx tool's output without token lifetimes, `profile` or secrets.

    JSON loses the fields outright (and stays valid JSON); other text loses
    `name: value` pairs of the hidden fields. Every string then passes the
    package's redaction, which masks any credential left in free text, and
    every one of `secrets` (the HOME's configured credentials) wherever it stands.
    """
    try:
        value = json.loads(text)
    except ValueError:
        return _clean_text(text, secrets)
    return json.dumps(scrub(value, secrets), ensure_ascii=False)


__all__ = [
    "AUTH_ERROR_KINDS",
    "AUTH_TOOL_NAMES",
    "HIDDEN_FIELDS",
    "SIGNED_IN",
    "auth_error_kind",
    "clean_okx_output",
    "default_needs_account",
    "is_okx_output",
    "is_signed_in",
    "recovery_request",
    "scrub",
]
