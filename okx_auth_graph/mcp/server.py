"""`okx-auth-graph mcp`: the auth graph as an MCP server whose questions the user answers.

OKX's own MCP server (`okx-trade-mcp`) has no sign-in tools, so a model left
alone improvises the skill (and defaults the site). Here each tool runs the
same compiled auth graph (`build_auth_graph`, on an in-memory checkpointer,
one thread per MCP session) and the graph's questions go to the *user*
through elicitation: during the call (`okx_auth_graph.mcp.requests`), or,
to a client on the 2026-07-28 protocol, as the tool's `input_required`
result that the client answers by calling again (`round_trips`; mcp 2.x,
see `sdk`). No tool takes a site,
and a tool refuses arguments it does not declare: the model can start a
sign-in, never answer for the user.

Transports: stdio (the local user's HOME) and streamable HTTP on loopback
for the same single user; with `multi_user`, HTTP for several users, each
authenticated by the multi-user LangGraph server's bearer JWTs
(`okx_auth_graph.server.tokens`) and each request run in that identity's
HOME (`okx_auth_graph.isolation`, through the same `langgraph_auth_user`
LangGraph's server passes). The okx executable is the host's: `$OKX_CLI`,
else `okx` on PATH.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from uuid import uuid4

from langgraph.checkpoint.memory import InMemorySaver
from pydantic import Field

from okx_auth_graph.builder import AuthGraph, build_auth_graph
from okx_auth_graph.mcp.elicitation import (
    ClientAsks,
    ElicitAction,
    FormQuestion,
    LinkQuestion,
    request_params,
)
from okx_auth_graph.mcp.requests import QuestionNotShown, Reply, SessionThread, UserResult
from okx_auth_graph.mcp.round_trips import RoundTrips
from okx_auth_graph.mcp.sdk import (
    CallToolResult,
    ClientError,
    McpContext,
    Place,
    Server,
    ServerSession,
    TextContent,
    Tool,
    ToolAnnotations,
    ToolResult,
    answer_of,
    asks_mid_call,
    client_capabilities,
    get_access_token,
    input_required,
    make_server,
    run_server,
)
from okx_auth_graph.prompts import Language
from okx_auth_graph.state import RequestAction

SERVER_NAME = "okx-auth"
"""The server's name in the client's list."""

INSTRUCTIONS = (
    "OKX sign-in by the okx-cex-auth skill's rules. Call okx_auth_login when the user wants to "
    "sign in or an OKX tool fails for lack of credentials; okx_auth_status to check. The site "
    "and the authorization are the user's answers, asked through the client: never guess them."
)
"""What the server tells the model about its tools."""

LanguageArgument = Annotated[
    Language | None,
    Field(description="The user's language for the texts (zh or en); default: English."),
]


def _hints(hints: dict[str, bool]) -> ToolAnnotations:
    """Tool annotations by their names in the protocol (1.x's field names, 2.x's aliases)."""
    return ToolAnnotations.model_validate(hints)


@dataclass(frozen=True)
class ToolSpec:
    """One tool: the graph entry it runs, and what the client is told about it."""

    name: str
    """The tool's name."""
    action: RequestAction
    """The `okx_auth_request` action each call runs."""
    description: str
    """For the model."""
    annotations: ToolAnnotations
    """Hints for the client (read-only, destructive)."""


TOOLS = (
    ToolSpec("okx_auth_login", "login", (
        "Sign the user in to OKX (OAuth device flow). Takes no site: the user picks it from the "
        "skill's menu in the client, then opens the link and confirms there. Returns the "
        "skill's reply text, with the outcome (okx_auth) as structured content."
    ), _hints({"readOnlyHint": False, "destructiveHint": False, "openWorldHint": True})),
    ToolSpec("okx_auth_status", "status", (
        "Whether the user is signed in to OKX, on which site, with which scopes."
    ), _hints({"readOnlyHint": True, "openWorldHint": True})),
    ToolSpec("okx_auth_logout", "logout", (
        "Sign the user out of OKX (ends the OAuth session of okx-auth)."
    ), _hints({"readOnlyHint": False, "destructiveHint": True, "openWorldHint": True})),
    ToolSpec("okx_auth_install", "install", (
        "Install or update the okx-auth binary the okx CLI signs in with."
    ), _hints({"readOnlyHint": False, "destructiveHint": False, "openWorldHint": True})),
    ToolSpec("okx_auth_install_status", "install_status", (
        "Whether the okx-auth binary is installed and up to date."
    ), _hints({"readOnlyHint": True, "openWorldHint": True})),
    ToolSpec("okx_auth_remove", "remove", (
        "Remove the okx-auth binary; the user is asked to confirm first."
    ), _hints({"readOnlyHint": False, "destructiveHint": True, "openWorldHint": True})),
)
"""Every tool the server offers, one per graph entry."""


@dataclass(frozen=True)
class ClientAsker:
    """Asks the user of one tool call through its client (the `Asker` of `requests.py`)."""

    ctx: McpContext
    """The tool call's context: its session and request id."""

    @property
    def asks(self) -> ClientAsks:
        """The elicitation modes the client declared when it connected."""
        return ClientAsks.of(client_capabilities(self.ctx))

    async def form(self, question: FormQuestion) -> UserResult:
        """A form elicitation with the question's own schema."""
        try:
            result = await self.ctx.session.elicit_form(
                question.message, question.schema, related_request_id=self.ctx.request_id
            )
        except ClientError as error:
            raise QuestionNotShown(str(error)) from error
        return result.action, result.content

    async def link(self, question: LinkQuestion, elicitation_id: str) -> ElicitAction:
        """A URL elicitation of the verification link."""
        try:
            result = await self.ctx.elicit_url(question.message, question.url, elicitation_id)
        except ClientError as error:
            raise QuestionNotShown(str(error)) from error
        return result.action

    async def completed(self, elicitation_id: str) -> None:
        """`notifications/elicitation/complete` for the link."""
        await self.ctx.session.send_elicit_complete(elicitation_id, self.ctx.request_id)


Identify = Callable[[], str | None]
"""Who the current request's caller is: None for the local user."""


def local_user() -> None:
    """The single user of a stdio or loopback server: the process's own HOME."""


def token_subject() -> str:
    """The authenticated caller of the current HTTP request (the verified token's `sub`).

    FastMCP answers 401 before a tool runs without a valid token; should a
    request reach a tool without one all the same, it is refused here rather
    than run as the local user, in the server's own HOME.
    """
    token = get_access_token()
    if token is None or not token.subject:
        raise PermissionError("this server serves authenticated users only")
    return token.subject


class SessionThreads:
    """The auth graph's thread of each MCP session, and of each caller in it.

    A thread lives as long as its session: when the session is gone, its
    checkpoints are deleted. On a multi-user server a thread belongs to one
    caller, so a session id replayed with another user's token reaches a
    thread (and a HOME) of that user only.
    """

    def __init__(self, graph: AuthGraph, saver: InMemorySaver, identify: Identify) -> None:
        self.graph = graph
        self.saver = saver
        self.identify = identify
        self._threads: weakref.WeakKeyDictionary[ServerSession, dict[str | None, SessionThread]]
        self._threads = weakref.WeakKeyDictionary()

    def of(self, session: ServerSession) -> SessionThread:
        """The thread of this session's current caller, started on first use."""
        identity = self.identify()
        threads = self._threads.setdefault(session, {})
        if identity not in threads:
            thread_id = str(uuid4())
            threads[identity] = SessionThread(self.graph, thread_id, identity)
            weakref.finalize(session, self.saver.delete_thread, thread_id)
        return threads[identity]


def _strict(tool: Tool) -> Tool:
    """The tool, refusing any argument it does not declare (`site` above all).

    FastMCP drops unknown arguments silently; a model that sends a site must
    hear that it cannot, so the tool's argument model forbids extras and its
    input schema says `additionalProperties: false`.
    """
    arguments = tool.fn_metadata.arg_model
    arguments.model_config["extra"] = "forbid"
    arguments.model_rebuild(force=True)
    tool.parameters = arguments.model_json_schema(by_alias=True)
    return tool


def _tool(spec: ToolSpec, threads: SessionThreads, rounds: RoundTrips) -> Tool:
    async def call(ctx: McpContext, language: LanguageArgument = None) -> ToolResult:
        if asks_mid_call(ctx):
            asker = ClientAsker(ctx)
            reply = await threads.of(ctx.session).request(spec.action, asker, language)
            return _result(reply)
        state, answer = answer_of(ctx)
        step = await rounds.call(spec.action, threads.identify(), ClientAsker(ctx).asks,
                                 language, state, answer)
        if isinstance(step, Reply):
            return _result(step)
        thread_id, question = step
        return input_required(request_params(question), thread_id)

    return _strict(Tool.from_function(
        call, name=spec.name, description=spec.description, annotations=spec.annotations
    ))


def _result(reply: Reply) -> CallToolResult:
    """The tool's result: the reply's text, with the graph's outcome as structured content."""
    return CallToolResult.model_validate({
        "content": [TextContent(type="text", text=reply.text)],
        "structuredContent": dict(reply.outcome),
    })


@dataclass(frozen=True)
class HttpSettings:
    """Where the HTTP transport listens, and whether it serves several users."""

    host: str = "127.0.0.1"
    """The interface; loopback unless `multi_user`."""
    port: int = 8000
    """The port."""
    multi_user: bool = False
    """Bearer JWTs and per-identity HOMEs, as the multi-user LangGraph server."""

    @property
    def place(self) -> Place:
        """Interface and port."""
        return self.host, self.port


def build_server(
    http: HttpSettings | None = None,
    graph: Callable[[InMemorySaver], AuthGraph] = build_auth_graph,
) -> Server:
    """The MCP server: stdio when `http` is None.

    `graph` compiles the auth graph on the server's checkpointer; the default
    runs the host's okx executable (`$OKX_CLI`, else `okx` on PATH).
    """
    saver = InMemorySaver()
    compiled = graph(saver)
    multi_user = http is not None and http.multi_user
    threads = SessionThreads(compiled, saver, token_subject if multi_user else local_user)
    rounds = RoundTrips(compiled, saver)
    tools = [_tool(spec, threads, rounds) for spec in TOOLS]
    if http is None:
        return make_server(SERVER_NAME, INSTRUCTIONS, tools, None, None)
    if not http.multi_user:
        return make_server(SERVER_NAME, INSTRUCTIONS, tools, http.place, None)
    from okx_auth_graph.mcp.bearer import BearerIdentity, bearer_auth

    auth = (BearerIdentity(), bearer_auth(f"http://{http.host}:{http.port}/mcp"))
    return make_server(SERVER_NAME, INSTRUCTIONS, tools, http.place, auth)


def serve(http: HttpSettings | None = None) -> None:
    """Run the server until its client (stdio) or the process (HTTP) ends."""
    run_server(build_server(http), None if http is None else http.place)
