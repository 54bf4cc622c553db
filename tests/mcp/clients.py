"""The MCP client side of the server tests: a scripted user, and sessions over stdio and HTTP.

The client is the `mcp` package's own `ClientSession`; the user behind it
answers each elicitation with the next step of a script and remembers what
was asked. `FormOnlySession` is a client that declares form elicitation but
not URL mode (as clients written before URL mode do).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.context import RequestContext

from tests.apps.conftest import SCRIPT
from tests.mcp.answers import Answer
from tests.mcp.servers import HttpServer


@dataclass
class User:
    """The person behind the client: answers from a script, in order; remembers each question."""

    script: list[Answer]
    """The answers still to give."""
    asked: list[types.ElicitRequestParams] = field(default_factory=list)
    """Every elicitation shown, in order."""
    completed: list[str] = field(default_factory=list)
    """The `elicitationId` of every `notifications/elicitation/complete`, in order."""

    async def notice(self, message: Any) -> None:
        """The client's message handler: keeps the completion notices."""
        if isinstance(message, types.ServerNotification) and isinstance(
            message.root, types.ElicitCompleteNotification
        ):
            self.completed.append(message.root.params.elicitationId)

    async def __call__(
        self, context: RequestContext[ClientSession, Any], params: types.ElicitRequestParams
    ) -> types.ElicitResult | types.ErrorData:
        self.asked.append(params)
        assert self.script, f"asked more than the script answers: {params}"
        return await self.script.pop(0)(params)

    async def on_elicitation(
        self, mcp_context: RequestContext[ClientSession, Any],
        params: types.ElicitRequestParams, context: Any,
    ) -> types.ElicitResult:
        """The same user behind `langchain_mcp_adapters`' `Callbacks(on_elicitation=...)`."""
        answer = await self(mcp_context, params)
        assert isinstance(answer, types.ElicitResult)
        return answer


class FormOnlySession(ClientSession):
    """A client that declares form elicitation only (no URL mode)."""

    async def send_request(self, request: types.ClientRequest, *args: Any, **kwargs: Any) -> Any:
        """Initialize with `elicitation: {form: {}}`; everything else as `ClientSession`."""
        if isinstance(request.root, types.InitializeRequest):
            request.root.params.capabilities.elicitation = types.ElicitationCapability(
                form=types.FormElicitationCapability()
            )
        return await super().send_request(request, *args, **kwargs)


@asynccontextmanager
async def over_stdio(
    env: Mapping[str, str], user: User | None, session: type[ClientSession] = ClientSession
) -> AsyncIterator[ClientSession]:
    """`okx-auth-graph mcp` spawned by the client; `user` None: a client without elicitation."""
    params = StdioServerParameters(command=SCRIPT, args=["mcp"], env=dict(env))
    async with stdio_client(params) as (read, write), session(
        read, write, elicitation_callback=user, message_handler=user.notice if user else None
    ) as client:
        await client.initialize()
        yield client


@asynccontextmanager
async def over_http(
    server: HttpServer, user: User | None, headers: Mapping[str, str] | None = None
) -> AsyncIterator[ClientSession]:
    """A client session with the HTTP server, sending `headers` (a bearer token)."""
    timeout = httpx.Timeout(30, read=300)
    async with httpx.AsyncClient(headers=dict(headers or {}), timeout=timeout) as http, \
            streamable_http_client(server.url, http_client=http) as (read, write, _), \
            ClientSession(read, write, elicitation_callback=user,
                          message_handler=user.notice if user else None) as client:
        await client.initialize()
        yield client


def reply_text(result: types.CallToolResult) -> str:
    """The tool result's text."""
    (content,) = result.content
    assert isinstance(content, types.TextContent)
    return content.text
