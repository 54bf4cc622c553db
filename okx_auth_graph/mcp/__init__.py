"""MCP beside the auth graph (extra `mcp`): OKX's own tools, and the graph as a server.

`okx_mcp_connection` builds the connection dict of OKX's server
(`@okx_ai/okx-trade-mcp`) for `MultiServerMCPClient`; the registry says which
of its tools need a signed-in account, which `OkxAuthMiddleware()` uses by
default. `okx-auth-graph mcp` serves the sign-in itself (`server.py`: the
tools; `requests.py`: one call, one request of the graph; `round_trips.py`:
one request over several calls, for 2026-07-28 clients; `elicitation.py`:
its questions as elicitations; `bearer.py`: the multi-user HTTP server's
tokens; `sdk.py`: what differs between mcp 1.x and 2.x). Those modules are
imported by path, not from here, so this package stays as light as it was.
"""

from okx_auth_graph.mcp.connection import SERVER_COMMAND, OkxMcpConnection, okx_mcp_connection
from okx_auth_graph.mcp.registry import SERVER_PACKAGE, TOOL_NAMES, needs_account, registry_name

__all__ = [
    "SERVER_COMMAND",
    "SERVER_PACKAGE",
    "TOOL_NAMES",
    "OkxMcpConnection",
    "needs_account",
    "okx_mcp_connection",
    "registry_name",
]
