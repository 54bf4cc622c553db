"""The one module that knows which major version of the `mcp` package runs the server.

`okx-auth-graph mcp` runs on the 1.x line the `mcp` extra resolves to
(`langchain-mcp-adapters` needs `mcp<2`) and on 2.x, installed on its own
with the `mcp-server` extra. What 2.x changed for this server:

- `FastMCP` is `MCPServer`, its `Context` takes two type parameters, and the
  HTTP interface and port are given to `run`, not to the server;
- the client's capabilities are read from the session itself;
- a client on the 2026-07-28 protocol has no channel for a request from the
  server in the middle of a tool call: the tool returns its question as an
  `InputRequiredResult`, and the client calls the tool again with the
  user's answer and the `request_state` it was given (sealed by the SDK,
  bound to the caller's token, expiring).

Every other line of the server is written once, against the names here.
mypy checks the 1.x branch (`always_false = ["MCP_2"]` in pyproject.toml);
the 2.x test venv checks the 2.x branch (`always_true = MCP_2`).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from typing import Any, TypeAlias

from okx_auth_graph.extras import needs_extra
from okx_auth_graph.mcp.elicitation import ElicitAction

with needs_extra("mcp-server"):
    MCP_2 = int(version("mcp").partition(".")[0]) >= 2
    """Whether the installed `mcp` is 2.x (else 1.x)."""

    from mcp.server.auth.middleware.auth_context import get_access_token
    from mcp.server.auth.provider import TokenVerifier
    from mcp.server.auth.settings import AuthSettings
    from mcp.server.session import ServerSession
    from mcp.types import CallToolResult, ClientCapabilities, TextContent, ToolAnnotations

    if MCP_2:
        from mcp.server.mcpserver import Context, MCPServer
        from mcp.server.mcpserver.tools import Tool
        from mcp.shared.exceptions import MCPError
        from mcp.types import (
            ElicitRequest,
            ElicitRequestFormParams,
            ElicitRequestURLParams,
            ElicitResult,
            InputRequiredResult,
        )
        from mcp.types.version import MODERN_PROTOCOL_VERSIONS

        Server: TypeAlias = MCPServer
        McpContext: TypeAlias = Context[Any, Any]
        ToolResult: TypeAlias = CallToolResult | InputRequiredResult
        ClientError: TypeAlias = MCPError
    else:
        from mcp.server.fastmcp import Context, FastMCP
        from mcp.server.fastmcp.tools import Tool
        from mcp.shared.exceptions import McpError

        Server: TypeAlias = FastMCP
        McpContext: TypeAlias = Context[ServerSession, Any, Any]
        ToolResult: TypeAlias = CallToolResult
        ClientError: TypeAlias = McpError
        """The error a request to the client raises when the client answers it with an error."""

__all__ = [
    "MCP_2",
    "QUESTION_KEY",
    "CallToolResult",
    "ClientError",
    "McpContext",
    "Place",
    "Server",
    "ServerSession",
    "TextContent",
    "Tool",
    "ToolAnnotations",
    "ToolResult",
    "answer_of",
    "asks_mid_call",
    "client_capabilities",
    "get_access_token",
    "input_required",
    "make_server",
    "run_server",
]

QUESTION_KEY = "okx_auth_question"
"""The key of the one question an `InputRequiredResult` carries (a request asks one at a time)."""


def client_capabilities(ctx: McpContext) -> ClientCapabilities | None:
    """What the client of this tool call declared it can do (None: nothing declared)."""
    if MCP_2:
        declared: ClientCapabilities | None = ctx.session.client_capabilities
        return declared
    params = ctx.session.client_params
    return params.capabilities if params is not None else None


def asks_mid_call(ctx: McpContext) -> bool:
    """Whether this call's client takes a request from the server while the tool runs.

    Always on 1.x; on 2.x not for a client on the 2026-07-28 protocol, which
    gets the question as the tool's result instead (`input_required`).
    """
    if MCP_2:
        return ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS
    return True


Place = tuple[str, int]
"""Where an HTTP server listens: interface and port."""


def make_server(name: str, instructions: str, tools: list[Tool], http: Place | None,
          auth: tuple[TokenVerifier, AuthSettings] | None) -> Server:
    """The server, listening at `http` (None: stdio), verifying tokens with `auth` (None: none)."""
    verifier, settings = auth if auth is not None else (None, None)
    if MCP_2:
        return Server(name, instructions=instructions, tools=tools, log_level="WARNING",
                      token_verifier=verifier, auth=settings)
    if http is None:
        return Server(name, instructions, tools=tools, log_level="WARNING",
                      token_verifier=verifier, auth=settings)
    host, port = http
    return Server(name, instructions, tools=tools, log_level="WARNING", host=host, port=port,
                  token_verifier=verifier, auth=settings)


def run_server(server: Server, http: Place | None) -> None:
    """Serve stdio (`http` None) or streamable HTTP until the client or the process ends."""
    if http is None:
        server.run("stdio")
    elif MCP_2:
        host, port = http
        server.run("streamable-http", host=host, port=port)
    else:
        server.run("streamable-http")


def input_required(request: Mapping[str, Any], state: str) -> ToolResult:
    """A 2.x tool result that asks the client `request` (an elicitation's params) and to call again.

    `request` is a form's `{"mode": "form", "message", "requestedSchema"}` or
    a link's `{"mode": "url", "message", "url"}`; `state` is
    this server's handle on the waiting request, echoed back by the client.
    """
    if MCP_2:
        params: ElicitRequestFormParams | ElicitRequestURLParams
        if request["mode"] == "url":
            params = ElicitRequestURLParams.model_validate(request)
        else:
            params = ElicitRequestFormParams.model_validate(request)
        return InputRequiredResult(input_requests={QUESTION_KEY: ElicitRequest(params=params)},
                                   request_state=state)
    raise RuntimeError("a 1.x client is asked during the call (asks_mid_call)")


def answer_of(ctx: McpContext) -> tuple[str | None, tuple[ElicitAction, dict[str, Any]] | None]:
    """This call's `request_state`, and the user's answer to the question (action, content).

    (None, None) on a first call; the answer is None when the client called
    again without one, or with something that is not an elicitation's result.
    """
    if MCP_2:
        response = (ctx.input_responses or {}).get(QUESTION_KEY)
        if not isinstance(response, ElicitResult):
            return ctx.request_state, None
        return ctx.request_state, (response.action, dict(response.content or {}))
    return None, None
