"""The multi-user MCP server's authentication: the multi-user LangGraph server's own.

The same bearer JWTs (`okx_auth_graph.server.tokens`: HS256 or RS256 keys,
`exp`, `aud`, `iss`, all read from the same environment) and the same
per-identity HOMEs (`$OKX_AUTH_HOMES/<sub>`, which `okx_auth_graph.isolation`
applies to each request once the caller's identity reaches the graph).
Extra `server` (PyJWT).
"""

from __future__ import annotations

import os

from pydantic import AnyHttpUrl

from okx_auth_graph.extras import needs_extra
from okx_auth_graph.isolation import HOMES_ENV
from okx_auth_graph.server.tokens import ISSUER_ENV, TokenRefused, Verifier, keys_problem

with needs_extra("mcp-server"):
    from mcp.server.auth.provider import AccessToken
    from mcp.server.auth.settings import AuthSettings


class BearerIdentity:
    """FastMCP's `TokenVerifier` on our JWTs: the identity is the token's `sub`."""

    async def verify_token(self, token: str) -> AccessToken | None:
        """The token's identity, or None (the request answers 401) when it is refused."""
        try:
            identity = Verifier.from_environment().identity(token)
        except TokenRefused:
            return None
        return AccessToken(token=token, client_id=identity, scopes=[], subject=identity)


def multi_user_problem() -> str | None:
    """Why this environment cannot serve several users (no secrets), or None when it can.

    Checked before the server starts, as the LangGraph server's auth module
    does, so a misconfigured server stops with the reason instead of
    refusing every request.
    """
    if (problem := keys_problem()) is not None:
        return problem
    if not os.environ.get(HOMES_ENV):
        return f"{HOMES_ENV} is not set: the folder each user's own HOME is made in"
    return None


def bearer_auth(resource_url: str) -> AuthSettings:
    """FastMCP's settings for a resource server that verifies the tokens itself.

    `BearerIdentity` checks audience and issuer; FastMCP publishes the
    protected-resource metadata, naming `OKX_AUTH_JWT_ISSUER` (else this
    server) as the authorization server.
    """
    url = AnyHttpUrl(resource_url)
    issuer = os.environ.get(ISSUER_ENV)
    return AuthSettings(issuer_url=AnyHttpUrl(issuer) if issuer else url,
                        resource_server_url=url, validate_token_resource=False)
