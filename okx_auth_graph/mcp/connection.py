"""How to start OKX's MCP server for one user, as a `MultiServerMCPClient` connection.

The server reads its credentials from `~/.okx/config.toml` (or `OKX_API_KEY`
and friends), the same files the auth graph's CLI calls read and write. So a
user's MCP session must run with that user's HOME: then what the sign-in
procedure sets up is what the tools use. One connection (one server process
per session) per user; an app serving many users builds one client per user,
with the HOME the auth graph uses for that user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, NotRequired, TypedDict

from okx_auth_graph.okx import Site, checked_site

SERVER_COMMAND = "okx-trade-mcp"
"""The server's executable as npm installs it (`npm install -g @okx_ai/okx-trade-mcp`)."""


class OkxMcpConnection(TypedDict):
    """A stdio connection in the shape `langchain_mcp_adapters` expects."""

    transport: Literal["stdio"]
    """The server talks MCP over its standard streams."""
    command: str
    """The server's executable."""
    args: list[str]
    """Its command-line options (modules, read-only, site, logging)."""
    env: NotRequired[dict[str, str]]
    """Added to the client's default environment: HOME and any extra settings."""


def okx_mcp_connection(
    *,
    command: str = SERVER_COMMAND,
    modules: Sequence[str] = ("all",),
    read_only: bool = False,
    site: Site | None = None,
    okx_home: str | None = None,
    audit_log: bool = True,
    env: Mapping[str, str] | None = None,
) -> OkxMcpConnection:
    """The connection for one user's okx-trade-mcp session.

    Args:
        command: The server's executable (a path, or a name on PATH).
        modules: Server modules to load (`market`, `account`, `spot`, …, or `all`).
        read_only: Expose only the server's read and query tools.
        site: The OKX site; None leaves it to the profile or `OKX_SITE`.
        okx_home: The user's HOME, the same the auth graph's `okx_home` is, so
            both see one `~/.okx/`. None keeps the client's HOME.
        audit_log: The server's own log of tool calls under `~/.okx/`.
        env: More environment for the server (for example `OKX_API_BASE_URL`).
    """
    if not modules:
        raise ValueError("okx_mcp_connection needs at least one module (or 'all')")
    args = ["--modules", ",".join(modules)]
    if read_only:
        args.append("--read-only")
    if site is not None:
        args += ["--site", checked_site(site)]
    if not audit_log:
        args.append("--no-log")
    connection: OkxMcpConnection = {"transport": "stdio", "command": command, "args": args}
    extra = dict(env or {})
    if okx_home is not None:
        extra["HOME"] = okx_home
    if extra:
        connection["env"] = extra
    return connection
