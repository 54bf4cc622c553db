"""Parsing does not care how the JSON is framed; classification reads the CLI's `Error:` line.

The real CLI prints `JSON.stringify(data, null, 2)`, a newer one may print a
single line, and an update notice may precede anything. Every JSON shape the
skill names must parse to the same model in every framing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okx_auth_graph.okx import ErrorKind, FailedCall, classify, classify_text
from okx_auth_graph.okx.framing import (
    MalformedOutput,
    clean,
    decode_object,
    decode_rows,
    error_message,
    without_notice,
)
from okx_auth_graph.okx.models import (
    parse_auth_status,
    parse_config_show,
    parse_install,
    parse_install_status,
    parse_login_manual,
)

from .helpers import PLANTED_API_KEY, PLANTED_PASSPHRASE, PLANTED_SECRET_KEY

NOTICE = (
    "\nUpdate available for @okx_ai/okx-trade-cli: 1.2.4 → 1.3.2\n"
    "Run: npm install -g @okx_ai/okx-trade-cli\n\n"
)
"""What the real CLI writes in front of every call once it knows of a newer version."""

_sites = st.sampled_from(["global", "eea", "us"])
_words = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_profiles = st.dictionaries(
    st.text("abcdefghijklmnopqrstuvwxyz-_", min_size=1, max_size=8),
    st.fixed_dictionaries(
        {},
        optional={
            "site": _sites,
            "demo": st.booleans(),
            "api_key": st.just(PLANTED_API_KEY),
            "secret_key": st.just(PLANTED_SECRET_KEY),
            "passphrase": st.just(PLANTED_PASSPHRASE),
            "base_url": st.just("http://127.0.0.1:9"),
        },
    ),
    max_size=3,
)

Parser = Callable[[str], object]
SHAPES: dict[str, tuple[Parser, st.SearchStrategy[dict[str, Any]]]] = {
    "config show": (
        parse_config_show,
        st.fixed_dictionaries(
            {"profiles": _profiles}, optional={"default_profile": st.text(max_size=8)}
        ),
    ),
    "auth status": (
        parse_auth_status,
        st.fixed_dictionaries(
            {"status": st.sampled_from(["logged_in", "pending", "not_logged_in"])},
            optional={
                "site": _sites,
                "scopes": st.lists(st.sampled_from(["live:read", "live:trade"]), max_size=2),
                "expiresAt": st.just("2026-04-11T20:30:00+00:00"),
                "ttl": st.integers(0, 7200),
                "profile": st.just("oauth"),
            },
        ),
    ),
    "login device code": (
        parse_login_manual,
        st.fixed_dictionaries({
            "verificationUri": st.just("https://www.okx.com/account/oauth/device"),
            "userCode": st.from_regex(r"[A-Z0-9]{4}-[A-Z0-9]{4}", fullmatch=True),
            "expiresIn": st.integers(1, 3600),
        }),
    ),
    "login skipped": (
        parse_login_manual,
        st.fixed_dictionaries({
            "status": st.just("skipped"),
            "reason": st.just("api_key_configured"),
            "profile": st.text("abcdefgh", min_size=1, max_size=6),
        }),
    ),
    "install": (
        parse_install,
        st.fixed_dictionaries(
            {}, optional={"status": st.sampled_from(["installed", "up_to_date"]),
                          "version": st.just("0.4.1"), "message": _words},
        ),
    ),
    "install-status": (
        parse_install_status,
        st.fixed_dictionaries(
            {}, optional={"installed": st.booleans(), "version": st.just("0.4.1"),
                          "latest": st.just("0.4.2"), "upToDate": st.booleans()},
        ),
    ),
}

_noise_line = st.sampled_from([
    NOTICE.strip("\n"),
    "warning: config file permissions are too open",
    "(node:123) ExperimentalWarning: something",
    "}",
    "{ not json",
    "Done.",
    "",
])
_noise = st.lists(_noise_line, max_size=3).map(lambda lines: "".join(f"{line}\n" for line in lines))


def _pretty(payload: dict[str, Any]) -> str:
    """What the real CLI prints: `JSON.stringify(data, null, 2)` and a newline."""
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _compact(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False) + "\n"


@pytest.mark.parametrize("shape", list(SHAPES))
@given(data=st.data())
def test_every_framing_parses_to_the_same_model(shape: str, data: st.DataObject) -> None:
    parse, payloads = SHAPES[shape]
    payload = data.draw(payloads)
    expected = parse(_compact(payload))
    before, after = data.draw(_noise), data.draw(_noise)
    framings = {
        "pretty": _pretty(payload),
        "pretty among noise": before + _pretty(payload) + after,
        "compact among noise": before + _compact(payload) + after,
        "crlf": _pretty(payload).replace("\n", "\r\n"),
        "bom": "\ufeff" + _pretty(payload),
        "ansi": "\x1b[32m" + _pretty(payload) + "\x1b[0m",
    }
    for name, text in framings.items():
        assert parse(text) == expected, name


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        NOTICE,
        '{\n  "profiles": {\n    "main": {\n',
        '[{"profiles": {}}]',
        '  {"profiles": {}} but indented after a word: x {"profiles": {}}',
        "Error: could not sign request",
    ],
    ids=["empty", "blank", "notice-only", "truncated", "array", "no-line-start", "error-text"],
)
def test_anything_else_is_malformed_and_names_the_command(text: str) -> None:
    with pytest.raises(MalformedOutput) as caught:
        decode_object(text, "config show --json")
    assert "`okx config show --json`" in str(caught.value)
    assert caught.value.what == "config show --json"


def test_malformed_output_never_holds_the_text() -> None:
    text = f'{{\n  "profiles": {{\n    "main": {{\n      "secret_key": "{PLANTED_SECRET_KEY}",\n'
    with pytest.raises(MalformedOutput) as caught:
        parse_config_show(text)
    assert PLANTED_SECRET_KEY not in str(caught.value)
    assert PLANTED_SECRET_KEY not in repr(caught.value.args)


def test_the_last_complete_object_wins() -> None:
    text = '{"status":"pending"}\nnotice\n{\n  "status": "logged_in",\n  "site": "us"\n}\n'
    assert decode_object(text, "auth status --json") == {"status": "logged_in", "site": "us"}


def test_nested_objects_never_count_as_answers() -> None:
    # A truncated pretty answer: the complete object nested in it is indented, so no answer.
    inner = {"verificationUri": "x", "userCode": "A", "expiresIn": 9}
    text = _pretty({"items": [inner], "more": True}).rsplit('"more"', 1)[0]
    assert json.dumps(inner, indent=2).replace("\n", "\n    ") in text
    with pytest.raises(MalformedOutput):
        decode_object(text, "auth login --manual")


def test_clean_drops_bom_ansi_and_carriage_returns() -> None:
    assert clean("\ufeff\x1b[1;31mred\x1b[0m\r\nnext\rlast") == "red\nnext\nlast"
    assert clean("\x1b]8;;https://x\x07link\x1b]8;;\x07") == "link"


def test_without_notice_keeps_everything_else() -> None:
    assert without_notice(NOTICE + "Error: boom\nHint: h\n").strip() == "Error: boom\nHint: h"


# ---------------------------------------------------------------- what the real CLI says

REAL_NO_CREDENTIALS = (
    "Error: Private endpoint requires API credentials.\n"
    "Hint: Configure OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE.\n"
    "Version: @okx_ai/okx-trade-cli@1.2.4\n"
)
REAL_INVALID_SIGN = (
    "Error: Invalid Sign\n"
    "Hint: Check API key, secret, passphrase and permissions.\n"
    "Version: @okx_ai/okx-trade-cli@1.2.4\n"
)
REAL_HTTP_401 = (
    "Error: HTTP 401 from OKX: Invalid Sign\n"
    "Hint: Retry later or verify endpoint parameters.\n"
    "Version: @okx_ai/okx-trade-cli@1.2.4\n"
)


@pytest.mark.parametrize(
    ("stderr", "kind", "message"),
    [
        (REAL_NO_CREDENTIALS, "not_authenticated",
         "Private endpoint requires API credentials."),
        (REAL_INVALID_SIGN, "api_key_rejected", "Invalid Sign"),
        (REAL_HTTP_401, "api_key_rejected", "HTTP 401 from OKX: Invalid Sign"),
        ("Unknown command: auth status\n", "cli_too_old", "Unknown command: auth status"),
    ],
    ids=["no-credentials", "invalid-sign", "http-401", "too-old"],
)
@pytest.mark.parametrize("notice", [False, True], ids=["plain", "behind-notice"])
def test_real_cli_errors_classify_behind_the_notice(
    stderr: str, kind: ErrorKind, message: str, notice: bool
) -> None:
    text = (NOTICE if notice else "") + stderr
    failure = classify(FailedCall(("account", "balance"), 1, "", text))
    assert failure["kind"] == kind
    assert failure["detail"] == message
    # The CLI's hint to put keys in environment variables never reaches a reader.
    assert "OKX_API_KEY" not in failure["detail"]
    assert "Hint" not in failure["detail"]
    assert "Version" not in failure["detail"]
    assert "Update available" not in failure["detail"]


def test_the_hint_and_the_notice_never_decide() -> None:
    # A hint that names a sign-in case does not make an unrelated error one.
    stderr = (
        NOTICE + "Error: disk full\nHint: Run okx auth login first\nVersion: x 401 Unauthorized\n"
    )
    assert classify_text(stderr) == "unknown"
    assert error_message(stderr) == "disk full"


def _mcp_error(**fields: object) -> str:
    """A failed tool call as OKX's MCP server returns it (pretty JSON)."""
    base: dict[str, object] = {
        "tool": "account_get_balance",
        "error": True,
        "serverVersion": "1.2.9",
        "timestamp": "2026-12-01T08:00:00.000Z",
        "capabilities": {"modules": ["account"]},
    }
    return json.dumps({**base, **fields}, indent=2)


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"type": "ConfigError", "message": "Private endpoint requires API credentials.",
          "suggestion": "Configure OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE."},
         "not_authenticated"),
        ({"type": "AuthenticationError", "code": "50113", "message": "Invalid Sign",
          "suggestion": "Check API key, secret, passphrase and permissions."},
         "api_key_rejected"),
        ({"type": "AuthenticationError", "message": "credentials refused"},
         "api_key_rejected"),
        ({"type": "OkxApiError", "code": "50111", "message": "request failed"},
         "api_key_rejected"),
        ({"type": "RateLimitError", "code": "50011", "message": "HTTP 401 from OKX: slow down"},
         "rate_limited"),
        ({"type": "NetworkError", "message": "Invalid Sign? fetch failed"},
         "network_error"),
        ({"type": "OkxApiError", "code": "51155", "message": "Not available in your region"},
         "region_restricted"),
        ({"type": "ValidationError", "message": "instId is required",
          "suggestion": "Run okx auth login first"},
         "unknown"),
    ],
    ids=["config", "auth-code", "auth-type", "okx-code", "rate-limit", "network", "region",
         "validation"],
)
def test_mcp_error_objects_classify_on_their_fields(
    fields: dict[str, object], kind: ErrorKind
) -> None:
    text = _mcp_error(**fields)
    assert classify_text(text) == kind
    failure = classify(FailedCall(("mcp",), 1, text, ""))
    assert failure["detail"] == fields["message"]
    assert "suggestion" not in failure["detail"]


def test_a_successful_mcp_answer_is_no_failure_whatever_it_mentions() -> None:
    answer = json.dumps({
        "tool": "account_get_balance", "ok": True, "data": {"data": [{"details": []}]},
        "capabilities": {"hasAuth": True, "moduleAvailability": {
            "spot": {"status": "requires_auth", "reasonCode": "AUTH_MISSING"},
        }},
    }, indent=2)
    assert classify_text(answer) == "unknown"


def test_rows_among_stray_lines_decode_as_an_object_does() -> None:
    """A data command's bare array, a notice before it or a warning after it."""
    rows = '[\n  {\n    "ccy": "USDT"\n  }\n]'
    for text in (rows, f"Update available for x: 1 → 2\n{rows}", f"{rows}\nwarning: slow\n"):
        assert decode_rows(text, "account balance --json") == [{"ccy": "USDT"}]
    with pytest.raises(MalformedOutput):
        decode_rows('{"data": []}', "account balance --json")
