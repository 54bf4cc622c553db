"""The classifier: every row of the skill's Error Reference table, and its neighbours."""

from __future__ import annotations

import json

import pytest

from okx_auth_graph.okx import (
    API_KEY_INSTALL_COMMAND,
    INSTALL_COMMAND,
    ErrorKind,
    FailedCall,
    OkxError,
    OkxFailure,
    classify,
    classify_text,
    redact_text,
)

COMMAND = ("auth", "status", "--json")

# (text the CLI prints, the kind it must classify as)
CLASSIFICATION_TABLE: list[tuple[str, ErrorKind]] = [
    ("No config found. Run okx config init first.", ErrorKind.NO_CONFIG),
    ("Session expired — run okx auth login again", ErrorKind.SESSION_EXPIRED),
    ("Error: Not authenticated. Run okx auth login first.", ErrorKind.NOT_AUTHENTICATED),
    ("requires_auth", ErrorKind.NOT_AUTHENTICATED),
    ("token expired", ErrorKind.NOT_AUTHENTICATED),
    ("StorageNotFoundError", ErrorKind.NOT_AUTHENTICATED),
    ("Login failed: Authorization timed out", ErrorKind.AUTHORIZATION_TIMED_OUT),
    ("Login failed: Access denied", ErrorKind.ACCESS_DENIED),
    (
        "Error 51155: this instrument is not available in your region",
        ErrorKind.REGION_RESTRICTED,
    ),
    ("51734", ErrorKind.REGION_RESTRICTED),
    ("Network error during login", ErrorKind.NETWORK_ERROR),
    ("Error: Failed to spawn okx-auth: spawn /x/okx-auth ENOENT", ErrorKind.SPAWN_FAILED),
    ("Installation failed: All CDN sources failed", ErrorKind.INSTALL_CDN_FAILED),
    ("401 Unauthorized", ErrorKind.API_KEY_REJECTED),
    ("Invalid Sign", ErrorKind.API_KEY_REJECTED),
    ("Invalid API-KEY", ErrorKind.API_KEY_REJECTED),
    ("Invalid OK-ACCESS-KEY", ErrorKind.API_KEY_REJECTED),
    ("50111", ErrorKind.API_KEY_REJECTED),
    ("50112", ErrorKind.API_KEY_REJECTED),
    ("50113", ErrorKind.API_KEY_REJECTED),
    ("Error: Private endpoint requires API credentials.", ErrorKind.NOT_AUTHENTICATED),
    ("Invalid private API credentials state", ErrorKind.NOT_AUTHENTICATED),
    ("AuthenticationError: key refused", ErrorKind.API_KEY_REJECTED),
    ("Error: HTTP 401 from OKX: <html>nope</html>", ErrorKind.API_KEY_REJECTED),
    ("Error: Rate limit reached. Please throttle requests", ErrorKind.RATE_LIMITED),
    ("Unknown command: auth status", ErrorKind.CLI_TOO_OLD),
    (
        "Error: Unknown option '--manual'. To specify a positional argument starting with "
        "a '-', place it at the end of the command after '--', as in '-- \"--manual\"",
        ErrorKind.CLI_TOO_OLD,
    ),
]

# Kinds the runner or the parser produce, never the text classifier.
NOT_FROM_TEXT = {
    ErrorKind.CLI_NOT_FOUND,
    ErrorKind.HOME_UNAVAILABLE,
    ErrorKind.TIMEOUT,
    ErrorKind.MALFORMED_OUTPUT,
    ErrorKind.UNKNOWN,
}

ROW_IDS = [kind.value + "-" + str(i) for i, (_, kind) in enumerate(CLASSIFICATION_TABLE)]


def test_table_covers_every_text_kind() -> None:
    assert {kind for _, kind in CLASSIFICATION_TABLE} == set(ErrorKind) - NOT_FROM_TEXT


@pytest.mark.parametrize(("text", "kind"), CLASSIFICATION_TABLE, ids=ROW_IDS)
def test_classify_text(text: str, kind: ErrorKind) -> None:
    assert classify_text(text) is kind


@pytest.mark.parametrize(("text", "kind"), CLASSIFICATION_TABLE, ids=ROW_IDS)
@pytest.mark.parametrize("variant", ["upper", "lower", "swapcase"])
def test_classify_text_ignores_case(text: str, kind: ErrorKind, variant: str) -> None:
    assert classify_text(getattr(text, variant)()) is kind


@pytest.mark.parametrize(("text", "kind"), CLASSIFICATION_TABLE, ids=ROW_IDS)
def test_classify_failed_call_from_stderr(text: str, kind: ErrorKind) -> None:
    failure = classify(FailedCall(COMMAND, 1, stdout="", stderr=f"{text}\n"))
    assert failure.kind is kind
    assert failure.command == COMMAND
    # The kept detail is the message itself, without the CLI's `Error:` label.
    assert failure.detail == " ".join(text.split()).removeprefix("Error: ")
    assert failure.action == kind.action


@pytest.mark.parametrize(("text", "kind"), CLASSIFICATION_TABLE, ids=ROW_IDS)
def test_classify_failed_call_from_stdout_when_stderr_empty(text: str, kind: ErrorKind) -> None:
    failure = classify(FailedCall(COMMAND, 1, stdout=text, stderr="  \n"))
    assert failure.kind is kind


@pytest.mark.parametrize(("text", "kind"), CLASSIFICATION_TABLE, ids=ROW_IDS)
def test_text_inside_a_longer_message(text: str, kind: ErrorKind) -> None:
    noisy = f"okx: something happened\n{text}\nHint: see the docs\nVersion: 1.3.0"
    assert classify_text(noisy) is kind


def test_chinese_auth_messages() -> None:
    assert classify_text("会话过期,请重新登录") is ErrorKind.SESSION_EXPIRED
    assert classify_text("未认证") is ErrorKind.NOT_AUTHENTICATED
    assert classify_text("需要登录") is ErrorKind.NOT_AUTHENTICATED


def test_real_cli_1_2_4_stderr_is_too_old() -> None:
    stderr = (
        "Error: Unknown option '--manual'. To specify a positional argument starting with a "
        "'-', place it at the end of the command after '--', as in '-- \"--manual\"\n"
        "Hint: Unexpected server error. Check tool arguments and retry. If it persists, "
        "inspect server logs.\nVersion: @okx_ai/okx-trade-cli@1.2.4\n"
    )
    failure = classify(FailedCall(("auth", "login", "--manual", "--site", "us"), 1, "", stderr))
    assert failure.kind is ErrorKind.CLI_TOO_OLD
    assert INSTALL_COMMAND in failure.action


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
    assert classify_text(text) is ErrorKind.UNKNOWN
    failure = classify(FailedCall(COMMAND, 2, stdout="", stderr=text))
    assert failure.kind is ErrorKind.UNKNOWN
    assert failure.detail == text.removeprefix("Error: ")
    assert failure.action == ErrorKind.UNKNOWN.action


def test_stderr_wins_over_stdout() -> None:
    failure = classify(
        FailedCall(COMMAND, 1, stdout="Login failed: Access denied", stderr="Invalid Sign")
    )
    assert failure.kind is ErrorKind.API_KEY_REJECTED
    assert "Access denied" not in failure.detail


def test_empty_output_names_the_exit_code() -> None:
    failure = classify(FailedCall(COMMAND, 7, stdout="", stderr=""))
    assert failure.kind is ErrorKind.UNKNOWN
    assert failure.detail == "exit code 7"


def test_detail_is_whitespace_normalized_and_shortened() -> None:
    stderr = "Network error during login\n\n  retrying\t in  5s " * 100
    failure = classify(FailedCall(COMMAND, 1, stderr=stderr))
    assert failure.kind is ErrorKind.NETWORK_ERROR
    assert len(failure.detail) == 500
    assert failure.detail.startswith("Network error during login retrying in 5s Network")


def test_secret_echoed_in_stderr_is_redacted() -> None:
    failure = classify(FailedCall(COMMAND, 1, stderr="api_key=ABCDEFGH1234 rejected"))
    assert "ABCDEFGH1234" not in failure.detail
    assert "***1234" in failure.detail
    assert "ABCDEFGH1234" not in str(OkxError(failure))
    assert "ABCDEFGH1234" not in failure.model_dump_json()


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
    assert secret not in failure.detail
    # API keys keep their last four characters; secrets, passphrases and tokens keep none.
    is_api_key = "API-KEY" in text
    assert ("***" + secret[-4:] in failure.detail) is is_api_key
    assert "***" in failure.detail


def test_environment_secrets_are_scrubbed_even_unlabelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OKX_SECRET_KEY", "ENVSECRETVALUE99")
    monkeypatch.setenv("OKX_PASSPHRASE", "EnvPassphrase42")
    failure = classify(
        FailedCall(COMMAND, 1, stderr="signing with ENVSECRETVALUE99 and EnvPassphrase42 failed")
    )
    assert "ENVSECRETVALUE99" not in failure.detail
    assert "EnvPassphrase42" not in failure.detail
    assert failure.detail == "signing with ***UE99 and ***se42 failed"


def test_redact_text_with_explicit_secrets() -> None:
    assert redact_text("key is abcdefghij here", ["abcdefghij"]) == "key is ***ghij here"
    assert redact_text("nothing secret", ["abc"]) == "nothing secret"


@pytest.mark.parametrize("kind", list(ErrorKind))
def test_every_kind_has_an_action(kind: ErrorKind) -> None:
    assert kind.action.strip()
    assert OkxFailure(kind=kind, detail="x").action == kind.action


@pytest.mark.parametrize("kind", list(ErrorKind))
def test_needs_login_exactly_for_session_and_auth(kind: ErrorKind) -> None:
    expected = kind in (ErrorKind.SESSION_EXPIRED, ErrorKind.NOT_AUTHENTICATED)
    assert kind.needs_login is expected


@pytest.mark.parametrize(
    ("kind", "action"),
    [
        (ErrorKind.NO_CONFIG, "Run okx config init"),
        (ErrorKind.SESSION_EXPIRED, "Run okx auth login --manual"),
        (ErrorKind.AUTHORIZATION_TIMED_OUT, "Run okx auth login --manual again"),
        (ErrorKind.ACCESS_DENIED, "Run okx auth login --manual and ask to approve"),
        (
            ErrorKind.REGION_RESTRICTED,
            "Check okx auth status --json for current site; re-login with --site if needed",
        ),
        (ErrorKind.NETWORK_ERROR, "Check network and retry"),
        (ErrorKind.SPAWN_FAILED, "Run okx auth install"),
        (ErrorKind.INSTALL_CDN_FAILED, "Check network and retry okx auth install"),
    ],
)
def test_actions_are_the_skill_table_verbatim(kind: ErrorKind, action: str) -> None:
    assert kind.action == action


def test_install_commands_in_actions_ask_for_a_cli_with_auth() -> None:
    # The bare package and @latest are the registry's 1.2.4, without `okx auth`: advising
    # either after "too old" would loop. The range asks for the first version with it.
    assert INSTALL_COMMAND == 'npm install -g "@okx_ai/okx-trade-cli@>=1.3.1-beta.17"'
    assert API_KEY_INSTALL_COMMAND == "npm install -g @okx_ai/okx-trade-cli"
    for kind in (ErrorKind.CLI_TOO_OLD, ErrorKind.CLI_NOT_FOUND):
        assert INSTALL_COMMAND in kind.action
        assert "may not serve it yet" in kind.action
        assert "okx config init" in kind.action
        assert "@latest" not in kind.action
    assert API_KEY_INSTALL_COMMAND in ErrorKind.CLI_NOT_FOUND.action  # for the API key


def test_okx_error_text_and_kind() -> None:
    failure = OkxFailure(kind=ErrorKind.SESSION_EXPIRED, detail="Session expired", command=COMMAND)
    error = OkxError(failure)
    assert error.kind is ErrorKind.SESSION_EXPIRED
    assert error.failure is failure
    assert str(error) == "okx auth status --json: session_expired: Session expired"


def test_failure_round_trips_through_json() -> None:
    failure = classify(FailedCall(COMMAND, 1, stderr="Invalid Sign"))
    assert OkxFailure.model_validate_json(failure.model_dump_json()) == failure


def test_redaction_keeps_json_and_toml_valid() -> None:
    """A masked value keeps its quotes, so redacted JSON still parses."""
    text = '{"api_key": "ak-quoted-0001-wxyz", "secret_key": "sk-quoted", "site": "eea"}'
    redacted = redact_text(text)
    assert json.loads(redacted) == {"api_key": "***wxyz", "secret_key": "***", "site": "eea"}
    assert redact_text("passphrase = 'pp-quoted'") == "passphrase = '***'"
    assert redact_text("api_key=ak-bare-0001-abcd") == "api_key=***abcd"
