"""OKX's own agent tools (`@okx_ai/okx-trade-mcp`) beside the auth graph (extra `mcp`).

`okx_mcp_connection` builds the connection dict for `MultiServerMCPClient`;
the registry says which of the server's tools need a signed-in account, which
`OkxAuthMiddleware()` uses by default.
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
