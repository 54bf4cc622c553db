"""Tokens for the server tests: HS256 ones minted with a test key, and an RS256 key pair.

The key is made per test session and lives only in the server's environment
and this process; nothing is written to disk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

HOUR = 3600


@dataclass(frozen=True)
class Minter:
    """Mints HS256 tokens the way a test identity provider would."""

    secret: str

    @classmethod
    def fresh(cls) -> Minter:
        """A random 256-bit key."""
        return cls(secrets.token_urlsafe(32))

    def token(self, sub: str, *, lifetime: float = HOUR, **claims: Any) -> str:
        """A token for `sub` expiring in `lifetime` seconds (negative: already expired)."""
        payload = {"sub": sub, "exp": int(time.time() + lifetime), **claims}
        return jwt.encode(payload, self.secret, algorithm="HS256")

    def header(self, sub: str, **claims: Any) -> dict[str, str]:
        """The Authorization header carrying a fresh token for `sub`."""
        return {"Authorization": f"Bearer {self.token(sub, **claims)}"}


@dataclass(frozen=True)
class KeyPair:
    """An RS256 key pair, as an identity provider holds the private half."""

    private_pem: str
    public_pem: str

    @classmethod
    def fresh(cls) -> KeyPair:
        """A new 2048-bit RSA key."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(private.decode(), public.decode())

    def token(self, sub: str, **claims: Any) -> str:
        """An RS256 token for `sub`, valid for an hour."""
        payload = {"sub": sub, "exp": int(time.time() + HOUR), **claims}
        return jwt.encode(payload, self.private_pem, algorithm="RS256")


def _part(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


def _claims(sub: str) -> str:
    return _part(json.dumps({"sub": sub, "exp": int(time.time()) + HOUR}).encode())


def _header(alg: str) -> str:
    return _part(json.dumps({"alg": alg, "typ": "JWT"}).encode())


def unsigned_token(sub: str) -> str:
    """A token with `alg: none`: claims anyone can write, no signature."""
    return f"{_header('none')}.{_claims(sub)}."


def hmac_token(sub: str, key: bytes) -> str:
    """An HS256 token keyed with `key`: with a server's *public* key, the algorithm-confusion
    forgery (PyJWT itself refuses to mint it, so it is built by hand)."""
    signing_input = f"{_header('HS256')}.{_claims(sub)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_part(signature)}"
