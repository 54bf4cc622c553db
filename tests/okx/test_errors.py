"""The classifier: every row of the skill's Error Reference table, and its neighbours."""

from __future__ import annotations

import json

import pytest

from okx_auth_graph.okx import (
    API_KEY_INSTALL_COMMAND,
    ERROR_KINDS,
    INSTALL_COMMAND,
    ErrorKind,
    FailedCall,
    OkxError,
    OkxFailure,
    action_of,
    classify,
    classify_text,
    redact_text,
)
from okx_auth_graph.okx.errors import (
    ERROR_TABLE,
    LOGIN_RETRY_KINDS,
    RECOVER_KINDS,
    RELOGIN_KINDS,
    USER_ACTION_KINDS,
    failure_detail,
)
from okx_auth_graph.prompts import render

COMMAND = ("auth", "status", "--json")

# (text the CLI prints, the kind it must classify as)
CLASSIFICATION_TABLE: list[tuple[str, ErrorKind]] = [
    ("No config found. Run okx config init first.", "no_config"),
    ("Session expired — run okx auth login again", "session_expired"),
    ("Error: Not authenticated. Run okx auth login first.", "not_authenticated"),
    ("requires_auth", "not_authenticated"),
    ("token expired", "not_authenticated"),
    ("StorageNotFoundError", "not_authenticated"),
    ("Login failed: Authorization timed out", "authorization_timed_out"),
    ("Login failed: Access denied", "access_denied"),
    (
        "Error 51155: this instrument is not available in your region",
        "region_restricted",
    ),
    ("51734", "region_restricted"),
    # The real CLI's `NetworkError`s: no connection, DNS, timeout; an answer that is not JSON.
    ("Error: Failed to call OKX endpoint GET /api/v5/account/balance.", "network_error"),
    ("Error: OKX returned non-JSON response for GET /api/v5/account/balance.", "network_error"),
    ("Network error during login", "network_error"),
    ("Error: Failed to spawn okx-auth: spawn /x/okx-auth ENOENT", "spawn_failed"),
    ("Installation failed: All CDN sources failed", "install_cdn_failed"),
    ("401 Unauthorized", "api_key_rejected"),
    ("Invalid Sign", "api_key_rejected"),
    ("Invalid API-KEY", "api_key_rejected"),
    ("Invalid OK-ACCESS-KEY", "api_key_rejected"),
    ("50111", "api_key_rejected"),
    ("50112", "api_key_rejected"),
    ("50113", "api_key_rejected"),
    ("Error: Private endpoint requires API credentials.", "not_authenticated"),
    ("Invalid private API credentials state", "not_authenticated"),
    ("AuthenticationError: key refused", "api_key_rejected"),
    ("Error: HTTP 401 from OKX: <html>nope</html>", "api_key_rejected"),
    ("Error: Rate limit reached. Please throttle requests", "rate_limited"),
    ("Unknown command: auth status", "cli_too_old"),
    (
        "Error: Unknown option '--manual'. To specify a positional argument starting with "
        "a '-', place it at the end of the command after '--', as in '-- \"--manual\"",
        "cli_too_old",
    ),
]

# Kinds the runner or the parser produce, never the text classifier.
NOT_FROM_TEXT = {
    "cli_not_found",
    "foreign_link",
    "home_unavailable",
    "timeout",
    "malformed_output",
    "unknown",
}

ROW_IDS = [kind + "-" + str(i) for i, (_, kind) in enumerate(CLASSIFICATION_TABLE)]


def test_table_covers_every_text_kind() -> None:
    assert {kind for _, kind in CLASSIFICATION_TABLE} == set(ERROR_KINDS) - NOT_FROM_TEXT


@pytest.mark.parametrize(("text", "kind"), CLASSIFICATION_TABLE, ids=ROW_IDS)
def test_classify_text(text: str, kind: ErrorKind) -> None:
    assert classify_text(text) == kind


@pytest.mark.parametrize(("text", "kind"), CLASSIFICATION_TABLE, ids=ROW_IDS)
@pytest.mark.parametrize("variant", ["upper", "lower", "swapcase"])
def test_classify_text_ignores_case(text: str, kind: ErrorKind, variant: str) -> None:
    assert classify_text(getattr(text, variant)()) == kind


@pytest.mark.parametrize(("text", "kind"), CLASSIFICATION_TABLE, ids=ROW_IDS)
def test_classify_failed_call_from_stderr(text: str, kind: ErrorKind) -> None:
    failure = classify(FailedCall(COMMAND, 1, stdout="", stderr=f"{text}\n"))
    assert failure["kind"] == kind
    assert failure["command"] == list(COMMAND)
    # The kept detail is the message itself, without the CLI's `Error:` label.
    assert failure["detail"] == " ".join(text.split()).removeprefix("Error: ")
    assert action_of(failure["kind"]) == action_of(kind)


@pytest.mark.parametrize(("text", "kind"), CLASSIFICATION_TABLE, ids=ROW_IDS)
def test_classify_failed_call_from_stdout_when_stderr_empty(text: str, kind: ErrorKind) -> None:
    failure = classify(FailedCall(COMMAND, 1, stdout=text, stderr="  \n"))
    assert failure["kind"] == kind


@pytest.mark.parametrize(("text", "kind"), CLASSIFICATION_TABLE, ids=ROW_IDS)
def test_text_inside_a_longer_message(text: str, kind: ErrorKind) -> None:
    noisy = f"okx: something happened\n{text}\nHint: see the docs\nVersion: 1.3.0"
    assert classify_text(noisy) == kind


_NETWORK_HINT = "Hint: Please check network connectivity and retry the request in a few seconds."
_REGION_ADVICE = (
    "(site: eea). Verify your site setting matches your account registration region. "
    "Available sites: global, eea, us. Do not retry."
)


@pytest.mark.parametrize(
    ("message", "hint", "kind"),
    [
        # 51155 and 51734: the real CLI (1.2.4) prints no OKX code, its fixed `Hint:` names them.
        (
            "You can't trade this pair or borrow this crypto due to local compliance "
            "restrictions.",
            f"Hint: Feature unavailable in your region {_REGION_ADVICE}",
            "region_restricted",
        ),
        (
            "This feature is not supported for your KYC country or region.",
            f"Hint: Feature not supported for your KYC country {_REGION_ADVICE}",
            "region_restricted",
        ),
        ("Failed to call OKX endpoint GET /api/v5/account/balance.", _NETWORK_HINT,
         "network_error"),
        # A hint decides only when the error line names nothing, never over it.
        ("Invalid Sign", f"Hint: Feature unavailable in your region {_REGION_ADVICE}",
         "api_key_rejected"),
        ("HTTP 502 from OKX: <html>502 Bad Gateway</html>",
         "Hint: Verify endpoint path and request parameters.", "unknown"),
    ],
    ids=["51155", "51734", "network", "key-error-line-wins", "other-hint"],
)
def test_the_real_clis_errors_with_their_hints(message: str, hint: str, kind: ErrorKind) -> None:
    stderr = f"Error: {message}\n{hint}\nVersion: @okx_ai/okx-trade-cli@1.2.4\n"
    for notice in ("", "Update available for @okx_ai/okx-trade-cli: 1.2.4 → 99.0.0\n"):
        failure = classify(FailedCall(COMMAND, 1, stdout="", stderr=notice + stderr))
        assert failure["kind"] == kind
        assert failure["detail"] == message  # the advice is never kept


def test_chinese_auth_messages() -> None:
    assert classify_text("会话过期,请重新登录") == "session_expired"
    assert classify_text("未认证") == "not_authenticated"
    assert classify_text("需要登录") == "not_authenticated"


def test_real_cli_1_2_4_stderr_is_too_old() -> None:
    stderr = (
        "Error: Unknown option '--manual'. To specify a positional argument starting with a "
        "'-', place it at the end of the command after '--', as in '-- \"--manual\"\n"
        "Hint: Unexpected server error. Check tool arguments and retry. If it persists, "
        "inspect server logs.\nVersion: @okx_ai/okx-trade-cli@1.2.4\n"
    )
    failure = classify(FailedCall(("auth", "login", "--manual", "--site", "us"), 1, "", stderr))
    assert failure["kind"] == "cli_too_old"
    assert INSTALL_COMMAND in action_of(failure["kind"])


@pytest.mark.parametrize(
    "text",
    [
        "Something completely different went wrong",
        "Error: ENOSPC: no space left on device",
        "Unknown command: market ticker",
        "HTTP 500 Internal Server Error",
    ],
)
def test_unknown_text_keeps_its_text(text: str) -> None:
    assert classify_text(text) == "unknown"
    failure = classify(FailedCall(COMMAND, 2, stdout="", stderr=text))
    assert failure["kind"] == "unknown"
    assert failure["detail"] == text.removeprefix("Error: ")
    assert action_of(failure["kind"]) == action_of("unknown")


def test_stderr_wins_over_stdout() -> None:
    failure = classify(
        FailedCall(COMMAND, 1, stdout="Login failed: Access denied", stderr="Invalid Sign")
    )
    assert failure["kind"] == "api_key_rejected"
    assert "Access denied" not in failure["detail"]


def test_empty_output_names_the_exit_code() -> None:
    failure = classify(FailedCall(COMMAND, 7, stdout="", stderr=""))
    assert failure["kind"] == "unknown"
    assert failure["detail"] == "exit code 7"


def test_detail_is_whitespace_normalized_and_shortened() -> None:
    stderr = "Network error during login\n\n  retrying\t in  5s " * 100
    failure = classify(FailedCall(COMMAND, 1, stderr=stderr))
    assert failure["kind"] == "network_error"
    assert len(failure["detail"]) == 500
    assert failure["detail"].startswith("Network error during login retrying in 5s Network")


def test_secret_echoed_in_stderr_is_redacted() -> None:
    failure = classify(FailedCall(COMMAND, 1, stderr="api_key=ABCDEFGH1234 rejected"))
    assert "ABCDEFGH1234" not in failure["detail"]
    assert "***1234" in failure["detail"]
    assert "ABCDEFGH1234" not in str(OkxError(failure))
    assert "ABCDEFGH1234" not in json.dumps(failure)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('{"secret_key": "SECRETVALUE0001", "code": "50113"}', "SECRETVALUE0001"),
        ("passphrase: 'my-passphrase-99' rejected", "my-passphrase-99"),
        ("Invalid API-KEY: 0f9e8d7c-6b5a-4321", "0f9e8d7c-6b5a-4321"),
        ("header OK-ACCESS-PASSPHRASE=hunter2hunter2 refused", "hunter2hunter2"),
        ("refresh_token=eyJhbGciOiJIUzI1NiJ9.payload expired", "eyJhbGciOiJIUzI1NiJ9.payload"),
    ],
)
def test_labelled_secrets_are_masked(text: str, secret: str) -> None:
    failure = classify(FailedCall(COMMAND, 1, stderr=text))
    assert secret not in failure["detail"]
    # API keys keep their last four characters; secrets, passphrases and tokens keep none.
    is_api_key = "API-KEY" in text
    assert ("***" + secret[-4:] in failure["detail"]) is is_api_key
    assert "***" in failure["detail"]


def test_environment_secrets_are_scrubbed_even_unlabelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OKX_SECRET_KEY", "ENVSECRETVALUE99")
    monkeypatch.setenv("OKX_PASSPHRASE", "EnvPassphrase42")
    failure = classify(
        FailedCall(COMMAND, 1, stderr="signing with ENVSECRETVALUE99 and EnvPassphrase42 failed")
    )
    assert "ENVSECRETVALUE99" not in failure["detail"]
    assert "EnvPassphrase42" not in failure["detail"]
    assert failure["detail"] == "signing with *** and *** failed"  # nothing of a value alone


def test_redact_text_with_explicit_secrets() -> None:
    assert redact_text("key is abcdefghij here", ["abcdefghij"]) == "key is *** here"
    assert redact_text("api_key=abcdefghij", ["abcdefghij"]) == "api_key=***ghij"  # named
    assert redact_text("nothing secret", ["abc"]) == "nothing secret"


@pytest.mark.parametrize("kind", list(ERROR_KINDS))
def test_every_kind_has_an_action(kind: ErrorKind) -> None:
    assert action_of(kind).strip()


def test_one_table_describes_every_kind_and_every_set_comes_from_it() -> None:
    assert list(ERROR_TABLE) == list(ERROR_KINDS)
    # A new login answers the session errors and a refused or expired code.
    assert {"session_expired", "not_authenticated"} < RELOGIN_KINDS
    assert {
        "session_expired", "not_authenticated", "authorization_timed_out", "access_denied",
    } == RELOGIN_KINDS
    assert RELOGIN_KINDS | {"api_key_rejected", "spawn_failed",
                                             "region_restricted"} == RECOVER_KINDS
    assert {"authorization_timed_out", "access_denied", "network_error"} == LOGIN_RETRY_KINDS
    assert set(ERROR_KINDS) - USER_ACTION_KINDS == {"timeout", "malformed_output", "unknown"}


@pytest.mark.parametrize("kind", list(ERROR_KINDS))
def test_every_kind_has_its_words_in_both_languages(kind: ErrorKind) -> None:
    for language in ("zh", "en"):  # the fields `failure_text` fills
        assert render(f"failure_{kind}", language, detail="d", command="okx c").strip()


@pytest.mark.parametrize(
    ("kind", "action"),
    [
        ("no_config", "Run okx config init"),
        ("session_expired", "Run okx auth login --manual"),
        ("authorization_timed_out", "Run okx auth login --manual again"),
        ("access_denied", "Run okx auth login --manual and ask to approve"),
        (
            "region_restricted",
            "Check okx auth status --json for current site; re-login with --site if needed",
        ),
        ("network_error", "Check network and retry"),
        ("spawn_failed", "Run okx auth install"),
        ("install_cdn_failed", "Check network and retry okx auth install"),
    ],
)
def test_actions_are_the_skill_table_verbatim(kind: ErrorKind, action: str) -> None:
    assert action_of(kind) == action


def test_install_commands_in_actions_ask_for_a_cli_with_auth() -> None:
    # The bare package and @latest are the registry's 1.2.4, without `okx auth`: advising
    # either after "too old" would loop. The range asks for the first version with it.
    assert INSTALL_COMMAND == 'npm install -g "@okx_ai/okx-trade-cli@>=1.3.1-beta.17"'
    assert API_KEY_INSTALL_COMMAND == "npm install -g @okx_ai/okx-trade-cli"
    for kind in ("cli_too_old", "cli_not_found"):
        assert INSTALL_COMMAND in action_of(kind)
        assert "may not serve it yet" in action_of(kind)
        assert "okx config init" in action_of(kind)
        assert "@latest" not in action_of(kind)
    assert API_KEY_INSTALL_COMMAND in action_of("cli_not_found")  # for the API key


def test_okx_error_text_and_kind() -> None:
    failure = OkxFailure(kind="session_expired", detail="Session expired", command=list(COMMAND))
    error = OkxError(failure)
    assert error.kind == "session_expired"
    assert error.failure is failure
    assert str(error) == "okx auth status --json: session_expired: Session expired"


def test_failure_round_trips_through_json() -> None:
    """Plain data: what a checkpoint stores of a failure loads back equal, with no class."""
    failure = classify(FailedCall(COMMAND, 1, stderr="Invalid Sign"))
    assert json.loads(json.dumps(failure)) == failure


def test_redaction_keeps_json_and_toml_valid() -> None:
    """A masked value keeps its quotes, so redacted JSON still parses."""
    text = '{"api_key": "ak-quoted-0001-wxyz", "secret_key": "sk-quoted", "site": "eea"}'
    redacted = redact_text(text)
    assert json.loads(redacted) == {"api_key": "***wxyz", "secret_key": "***", "site": "eea"}
    assert redact_text("passphrase = 'pp-quoted'") == "passphrase = '***'"
    assert redact_text("api_key=ak-bare-0001-abcd") == "api_key=***abcd"


def test_the_packages_own_failure_payload_keeps_its_kind_and_message_not_its_advice() -> None:
    """A tool's `failure_payload` handed back (to `recover`, to the middleware's retry)."""
    payload = json.dumps({
        "ok": False, "error": "api_key_rejected",
        "action": "Replace the API key, or remove the API-key profile and switch to OAuth",
        "message": "HTTP 401 from OKX: Unauthorized",
    })
    assert classify_text(payload) == "api_key_rejected"
    assert failure_detail(payload) == "HTTP 401 from OKX: Unauthorized"
    # The kind it names stands, whatever words its message has.
    named = json.dumps({"ok": False, "error": "session_expired", "message": "HTTP 401 from OKX"})
    assert classify_text(named) == "session_expired"
    assert classify_text(json.dumps({"ok": False, "message": "Session expired"})) == (
        "session_expired"
    )
