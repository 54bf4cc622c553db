"""Bearer JWT verification: the server's key and algorithm, `exp` required, `aud` all or
nothing, `iss` if set; a key too weak to verify anything stops the server at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jwt
import pytest

from benchmarks.dev_server import DevServerError, dev_server
from okx_auth_graph.isolation import HOMES_ENV
from okx_auth_graph.server.tokens import (
    AUDIENCE_ENV,
    ISSUER_ENV,
    MIN_SECRET_BYTES,
    PUBLIC_KEY_ENV,
    SECRET_ENV,
    TokenRefused,
    UnusableKeys,
    identity_of_request,
    require_usable_keys,
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


def test_a_token_for_some_audience_is_refused_by_a_server_that_names_none() -> None:
    for aud in ("some-other-service", ["okx-auth"], "", []):
        elsewhere = MINTER.token("alice", aud=aud)
        assert refusal(f"Bearer {elsewhere}", HS256) == (
            f"the token names an audience (aud) and this server sets no {AUDIENCE_ENV}"
        )


def test_a_server_that_names_an_audience_refuses_a_token_without_aud() -> None:
    env = {**HS256, AUDIENCE_ENV: "okx-auth"}
    assert refusal(f"Bearer {MINTER.token('alice')}", env) == (
        'the token is not valid here: Token is missing the "aud" claim'
    )


@pytest.mark.parametrize("aud", ["okx-auth", ["okx-auth"], ["some-other-service", "okx-auth"]])
def test_a_token_whose_aud_names_the_servers_audience_is_accepted(aud: str | list[str]) -> None:
    env = {**HS256, AUDIENCE_ENV: "okx-auth"}
    assert identity_of_request(f"Bearer {MINTER.token('alice', aud=aud)}", env) == "alice"


def test_a_token_whose_aud_names_only_other_services_is_refused() -> None:
    env = {**HS256, AUDIENCE_ENV: "okx-auth"}
    elsewhere = MINTER.token("alice", aud=["some-other-service", "okx-auth-staging"])
    assert refusal(f"Bearer {elsewhere}", env) == (
        "the token is not valid here: Audience doesn't match"
    )


def short_secret_says(size: int) -> str:
    return (f"{SECRET_ENV} is {size} bytes; an HS256 key needs at least 32 (generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))')")


@pytest.mark.parametrize(
    ("secret", "size"),
    [("k", 1), ("k" * 31, 31), ("é" * 15 + "k", 31)],  # the last: 16 characters, 31 bytes
)
def test_an_hs256_secret_under_32_bytes_verifies_nothing(secret: str, size: int) -> None:
    env = {SECRET_ENV: secret}
    made_with_it = hmac_token("alice", secret.encode())  # by hand: PyJWT warns on short keys
    for token in (MINTER.token("alice"), made_with_it):
        assert refusal(f"Bearer {token}", env) == short_secret_says(size)
    with pytest.raises(UnusableKeys) as unusable:
        require_usable_keys(env)
    assert str(unusable.value) == short_secret_says(size)


@pytest.mark.parametrize("secret", ["k" * 32, "é" * 16, "€" * 11])  # 32, 32 and 33 bytes
def test_an_hs256_secret_of_32_bytes_or_more_is_a_key(secret: str) -> None:
    assert len(secret.encode()) >= MIN_SECRET_BYTES
    env = {SECRET_ENV: secret}
    require_usable_keys(env)
    assert identity_of_request(f"Bearer {Minter(secret).token('alice')}", env) == "alice"


@pytest.mark.parametrize(
    ("env", "says"),
    [({}, "neither"), ({SECRET_ENV: MINTER.secret, PUBLIC_KEY_ENV: "p"}, "both")],
)
def test_no_key_or_two_keys_are_unusable_too(env: dict[str, str], says: str) -> None:
    with pytest.raises(UnusableKeys, match=says):
        require_usable_keys(env)


@pytest.mark.integration  # starts the multi-user server
@pytest.mark.parametrize(
    ("keys", "says"),
    [({SECRET_ENV: "s" * 16}, short_secret_says(16)),
     ({}, f"the server sets neither {SECRET_ENV} nor {PUBLIC_KEY_ENV}")],
    ids=["16-byte secret", "no key"],
)
def test_the_multiuser_server_does_not_start_without_a_usable_key(
    tmp_path: Path, keys: dict[str, str], says: str
) -> None:
    """The real `langgraph dev` of the README (it stops in a few seconds): the reason is in
    its output, and no request is ever answered."""
    env = {HOMES_ENV: str(tmp_path / "homes"), **keys}
    with (pytest.raises(DevServerError) as failed,
          dev_server(tmp_path, env, config="langgraph.multiuser.json")):
        pytest.fail("the server started")
    output = str(failed.value)
    assert output.startswith("langgraph dev exited with"), output[-2000:]
    assert f"UnusableKeys: {says}" in output, output[-2000:]
