"""Bearer JWT verification: the server's key and algorithm, `exp` required, `aud`/`iss` if set."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from okx_auth_graph.server.tokens import (
    AUDIENCE_ENV,
    ISSUER_ENV,
    PUBLIC_KEY_ENV,
    SECRET_ENV,
    TokenRefused,
    identity_of_request,
)
from tests.server.tokens import KeyPair, Minter, hmac_token, unsigned_token

MINTER = Minter.fresh()
HS256 = {SECRET_ENV: MINTER.secret}


@pytest.fixture(scope="module")
def pair() -> KeyPair:
    return KeyPair.fresh()


def refusal(authorization: str | None, env: dict[str, str]) -> str:
    with pytest.raises(TokenRefused) as refused:
        identity_of_request(authorization, env)
    return str(refused.value)


def test_a_valid_hs256_token_names_its_subject() -> None:
    assert identity_of_request(f"Bearer {MINTER.token('alice')}", HS256) == "alice"
    assert identity_of_request(f"bearer  {MINTER.token('bob')} ", HS256) == "bob"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic YWxpY2U6cHc=", "alice"])
def test_no_bearer_token_is_refused(header: str | None) -> None:
    assert refusal(header, HS256) == "send Authorization: Bearer <token>"


def test_a_token_signed_with_another_key_is_refused() -> None:
    forged = Minter.fresh().token("alice")
    assert "Signature verification failed" in refusal(f"Bearer {forged}", HS256)


def test_an_expired_token_is_refused() -> None:
    expired = MINTER.token("alice", lifetime=-120)
    assert refusal(f"Bearer {expired}", HS256) == "the token has expired"


def test_a_token_without_exp_is_refused() -> None:
    endless = jwt.encode({"sub": "alice"}, MINTER.secret, algorithm="HS256")
    assert '"exp"' in refusal(f"Bearer {endless}", HS256)


def test_an_unsigned_token_is_refused() -> None:
    assert "not valid here" in refusal(f"Bearer {unsigned_token('alice')}", HS256)


def test_a_token_without_a_subject_is_refused() -> None:
    anonymous = jwt.encode({"exp": 2**40}, MINTER.secret, algorithm="HS256")
    assert '"sub"' in refusal(f"Bearer {anonymous}", HS256)


def test_a_valid_rs256_token_names_its_subject(pair: KeyPair) -> None:
    env = {PUBLIC_KEY_ENV: pair.public_pem}
    assert identity_of_request(f"Bearer {pair.token('carol')}", env) == "carol"


def test_an_hs256_token_made_with_the_public_key_is_refused(pair: KeyPair) -> None:
    env = {PUBLIC_KEY_ENV: pair.public_pem}
    confused = hmac_token("mallory", pair.public_pem.encode())
    assert "not valid here" in refusal(f"Bearer {confused}", env)
    assert "not valid here" in refusal(f"Bearer {MINTER.token('mallory')}", env)
    assert "not valid here" in refusal(f"Bearer {unsigned_token('mallory')}", env)


def test_audience_and_issuer_are_checked_when_the_server_names_them() -> None:
    env = {**HS256, AUDIENCE_ENV: "okx-auth", ISSUER_ENV: "https://id.example"}
    good = MINTER.token("alice", aud="okx-auth", iss="https://id.example")
    assert identity_of_request(f"Bearer {good}", env) == "alice"
    wrong: list[dict[str, Any]] = [{"aud": "other", "iss": "https://id.example"},
                                   {"aud": "okx-auth", "iss": "https://elsewhere.example"},
                                   {"iss": "https://id.example"}]
    for claims in wrong:
        assert "not valid here" in refusal(f"Bearer {MINTER.token('alice', **claims)}", env)


@pytest.mark.parametrize(
    ("env", "says"),
    [({}, "neither"), ({SECRET_ENV: "k", PUBLIC_KEY_ENV: "p"}, "both")],
)
def test_a_server_without_exactly_one_key_refuses_everyone(env: dict[str, str], says: str) -> None:
    assert says in refusal(f"Bearer {MINTER.token('alice')}", env)
