"""Bearer tokens of the multi-user server: a JWT whose `sub` is the caller's identity.

The server, not the token, picks the algorithm: HS256 when `OKX_AUTH_JWT_SECRET`
holds the shared key, RS256 when `OKX_AUTH_JWT_PUBLIC_KEY` holds an identity
provider's PEM public key (one of the two, never both). A token signed any
other way (`alg: none`, HS256 made with the public key as the secret) fails
verification like a forged signature. An HS256 secret shorter than 32 bytes
(its UTF-8 encoding) is no key at all: it verifies nothing, and the auth
module refuses to let the server start with it (`require_usable_keys`).

`exp` is required. `aud` is all or nothing: with `OKX_AUTH_JWT_AUDIENCE` set,
a token must carry an `aud` naming it (a string, or a list holding it);
without it, a token that carries any `aud` was minted for some other service
and is refused. `iss` must equal `OKX_AUTH_JWT_ISSUER` when that is set. The
keys are read from the environment at each call (a few dictionary look-ups),
so verification does no I/O and can run on the server's event loop.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from okx_auth_graph.extras import needs_extra

with needs_extra("server"):
    import jwt

SECRET_ENV = "OKX_AUTH_JWT_SECRET"  # noqa: S105 - the variable's name, not a secret
"""The HS256 key shared with whoever mints the tokens."""
PUBLIC_KEY_ENV = "OKX_AUTH_JWT_PUBLIC_KEY"
"""An identity provider's RS256 public key, PEM text."""
AUDIENCE_ENV = "OKX_AUTH_JWT_AUDIENCE"
"""When set, a token's `aud` must name it; when not, a token must carry no `aud`."""
ISSUER_ENV = "OKX_AUTH_JWT_ISSUER"
"""When set, a token's `iss` must equal it."""

MIN_SECRET_BYTES = 32
"""The shortest HS256 key accepted: as long as the SHA-256 output (RFC 7518, section 3.2)."""

LEEWAY_SECONDS = 30
"""Clock skew forgiven on `exp` and `nbf` between the token's minter and this server."""


class TokenRefused(Exception):
    """The request carries no token this server accepts; the message says why (no secrets)."""


class UnusableKeys(RuntimeError):
    """The server's environment holds no key that could verify a token: it must not start."""


def keys_problem(env: Mapping[str, str] | None = None) -> str | None:
    """Why the environment's keys cannot verify any token (no secrets), or None when they can."""
    env = os.environ if env is None else env
    secret, public_key = env.get(SECRET_ENV), env.get(PUBLIC_KEY_ENV)
    if secret and public_key:
        return f"the server sets both {SECRET_ENV} and {PUBLIC_KEY_ENV}"
    if not (secret or public_key):
        return f"the server sets neither {SECRET_ENV} nor {PUBLIC_KEY_ENV}"
    if secret and (size := len(secret.encode())) < MIN_SECRET_BYTES:
        return (
            f"{SECRET_ENV} is {size} bytes; an HS256 key needs at least {MIN_SECRET_BYTES} "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return None


def require_usable_keys(env: Mapping[str, str] | None = None) -> None:
    """`UnusableKeys` unless the environment configures exactly one usable key.

    The auth module calls it when the LangGraph server loads it, so a
    misconfigured server stops at start-up with the reason in its log
    instead of answering every request 401.
    """
    problem = keys_problem(env)
    if problem is not None:
        raise UnusableKeys(problem)


@dataclass(frozen=True)
class Verifier:
    """One way to check a token, as the server's environment configures it."""

    key: str
    """The HS256 secret or the RS256 public key."""
    algorithm: str
    """`HS256` or `RS256`: the only algorithm accepted."""
    audience: str | None = None
    """Required `aud`, if any."""
    issuer: str | None = None
    """Required `iss`, if any."""

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Verifier:
        """The verifier the environment describes, or a refusal naming what to set."""
        env = os.environ if env is None else env
        problem = keys_problem(env)
        if problem is not None:
            raise TokenRefused(problem)
        secret, public_key = env.get(SECRET_ENV), env.get(PUBLIC_KEY_ENV)
        return cls(
            key=secret or public_key or "",
            algorithm="HS256" if secret else "RS256",
            audience=env.get(AUDIENCE_ENV) or None,
            issuer=env.get(ISSUER_ENV) or None,
        )

    def identity(self, token: str) -> str:
        """The token's `sub` once signature, algorithm, `exp`, `aud` and `iss` hold."""
        required = ["exp", "sub", "aud"] if self.audience is not None else ["exp", "sub"]
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                # Without an audience of its own the server checks `aud` below:
                # PyJWT would let an empty one (`""`, `[]`) through.
                options={"require": required, "verify_aud": self.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRefused("the token has expired") from None
        except jwt.InvalidTokenError as error:
            raise TokenRefused(f"the token is not valid here: {error}") from None
        if self.audience is None and "aud" in claims:
            raise TokenRefused(
                f"the token names an audience (aud) and this server sets no {AUDIENCE_ENV}"
            )
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise TokenRefused("the token's sub claim is not a user id")
        return subject


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRefused("send Authorization: Bearer <token>")
    return token.strip()


def authorization_of(headers: Mapping[str, str] | Mapping[bytes, bytes] | None) -> str | None:
    """The `Authorization` header of a request's headers, whichever way the engine hands them.

    `langgraph dev` passes the raw ASGI headers (bytes names and values,
    lower-case); Aegra passes a dict of decoded strings. Header names are
    matched without regard to case; bytes are decoded as Latin-1, HTTP's own
    charset, so no byte can make the lookup fail.
    """
    for name, value in (headers or {}).items():
        text = name.decode("latin-1") if isinstance(name, bytes) else name
        if text.lower() == "authorization":
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


def identity_of_request(
    authorization: str | None, env: Mapping[str, str] | None = None
) -> str:
    """The caller's identity from its Authorization header, or `TokenRefused`."""
    return Verifier.from_environment(env).identity(bearer_token(authorization))
