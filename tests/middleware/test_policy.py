"""The tool-output policy: which tools need an account, what is hidden, what is an auth error."""

from __future__ import annotations

import json

import pytest

from okx_auth_graph.middleware.policy import (
    auth_error_kind,
    clean_okx_output,
    default_needs_account,
    is_signed_in,
    recovery_request,
)
from okx_auth_graph.okx import ErrorKind
from okx_auth_graph.state import OkxAuthOutcome


@pytest.mark.parametrize(
    ("name", "needs"),
    [
        ("okx_account_balance", True),
        ("okx_place_order", True),
        ("okx_positions", True),
        ("okx_earn_subscribe", True),
        ("okx_market_ticker", False),
        ("okx_market_orderbook", False),
        ("okx_candles", False),
        ("okx_auth_status", False),
        ("okx_config_show", False),
        ("okx_auth_logout", False),
        ("get_weather", False),
    ],
)
def test_default_needs_account_by_name(name: str, needs: bool) -> None:
    assert default_needs_account(name) is needs


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Error: Session expired — run okx auth login again", "session_expired"),
        ("Error: Not authenticated. Run okx auth login first.", "not_authenticated"),
        ('{"ok": false, "message": "token expired"}', "not_authenticated"),
        ("Failed to spawn okx-auth: ENOENT", "spawn_failed"),
        ("code 50113: Invalid Sign", "api_key_rejected"),
        ("51155: region restricted", "region_restricted"),
        ("network error: ECONNREFUSED", None),
        ('{"data": [{"ccy": "USDT", "availBal": "1000"}]}', None),
        # Data is an answer, whatever words it holds; only failure shapes are read.
        ('[{"billId": "1", "memo": "401 Unauthorized"}]', None),
        ('{"data": [{"tag": "token expired bot"}]}', None),
        ('{"ok": false, "error": "session_expired", "action": "Run okx auth login --manual", '
         '"message": "Session expired"}', "session_expired"),
        # ...with stray lines around it, as a CLI may print them: still data.
        ('Update available for @okx_ai/okx-trade-cli: 1.2.4 → 99.0.0\n'
         '[\n  {\n    "memo": "401 Unauthorized"\n  }\n]', None),
        ('{\n  "data": [{"tag": "token expired bot"}]\n}\nwarning: slow network', None),
        # An error line is an error, whatever JSON follows it.
        ('Error: Session expired — run okx auth login again\n{"traceId": "x"}',
         "session_expired"),
    ],
)
def test_auth_errors_are_the_recoverable_ones(text: str, kind: ErrorKind | None) -> None:
    assert auth_error_kind(text) == kind


def test_json_output_loses_lifetimes_profile_and_secrets_and_stays_json() -> None:
    raw = json.dumps({
        "status": "logged_in", "site": "eea", "profile": "oauth", "ttl": 3600,
        "expiresAt": "2026-04-11T20:30:00+00:00", "scopes": ["live:read"],
        "profiles": [{"api_key": "ak-abcdefgh-1234", "secret_key": "sk-x", "passphrase": "pp",
                      "note": "secret_key=sk-inline-value"}],
    })
    assert json.loads(clean_okx_output(raw)) == {
        "status": "logged_in", "site": "eea", "scopes": ["live:read"],
        "profiles": [{"api_key": "***1234", "note": "secret_key=***"}],
    }


def test_text_inside_json_loses_lifetime_pairs_too() -> None:
    raw = json.dumps({"error": {"message": "Session expired (expiresAt: 1799999999, ttl=600, "
                                           "profile: main) Bearer eyJhbGciOi.eyJzdWIi.c2ln"}})
    assert json.loads(clean_okx_output(raw)) == {
        "error": {"message": "Session expired () Bearer ***"}
    }


def test_text_output_loses_lifetime_pairs() -> None:
    text = "Logged in (site: eea) expiresAt: 2026-04-11T20:30:00Z, ttl=3600 profile: oauth done"
    assert clean_okx_output(text) == "Logged in (site: eea) done"


@pytest.mark.parametrize(
    "name",
    ["secret", "api_secret", "client_secret", "password", "OK-ACCESS-SIGN",
     "OK-ACCESS-PASSPHRASE", "id_token", "accessToken", "secretKey", "token"],
)
def test_every_credential_field_is_dropped_from_json(name: str) -> None:
    raw = json.dumps({"data": [{name: "s3cr3t-value", "ccy": "USDT"}], "OK-ACCESS-KEY": "ak-12345"})
    assert json.loads(clean_okx_output(raw)) == {
        "data": [{"ccy": "USDT"}], "OK-ACCESS-KEY": "***2345",
    }


def test_known_secrets_are_masked_wherever_they_stand() -> None:
    text = "key ak-configured-9876 refused, secret sk-configured in use"
    assert clean_okx_output(text, ("ak-configured-9876", "sk-configured")) == (
        "key *** refused, secret *** in use"  # a value alone keeps nothing of itself
    )
    raw = json.dumps({"message": "bad key ak-configured-9876"})
    assert json.loads(clean_okx_output(raw, ("ak-configured-9876",))) == {
        "message": "bad key ***"
    }


def test_text_output_masks_credentials() -> None:
    assert clean_okx_output("passphrase: hunter22 ok") == "passphrase: *** ok"


@pytest.mark.parametrize(
    ("outcome", "signed_in"),
    [
        ({"status": "logged_in"}, True),
        ({"status": "api_key_configured", "profile": "main"}, True),
        ({"status": "pending"}, False),
        ({"status": "cancelled"}, False),
        (None, False),
    ],
)
def test_signed_in_outcomes(outcome: OkxAuthOutcome | None, signed_in: bool) -> None:
    assert is_signed_in(outcome) is signed_in


@pytest.mark.parametrize(
    ("output", "recovered", "expected"),
    [
        ("Error: Session expired — run okx auth login again", False, True),
        ('{"tool": "account_get_balance", "error": true, "type": "AuthenticationError", '
         '"message": "Invalid Sign", "code": "50113"}', False, True),
        ("Error: Session expired — run okx auth login again", True, False),
        ("Error: rate limit exceeded", False, False),
        ('{"ok": true, "data": []}', False, False),
    ],
)
def test_an_auth_error_is_recovered_from_once_and_names_no_command(
    output: str, recovered: bool, expected: bool
) -> None:
    request = recovery_request(output, recovered=recovered)
    if expected:
        assert request == {"action": "recover", "error": output}
    else:
        assert request is None
