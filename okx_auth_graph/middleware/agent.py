"""LangChain agent middleware: the auth graph in front of an agent's okx account tools.

An agent built with `langchain.agents.create_agent` decides on its own when to
call an okx tool; this middleware makes sure the sign-in procedure runs first,
exactly as the graph encodes it, whatever the model believes about the login:

- after the model asks for an okx tool that needs an account (market data
  does not), the compiled auth graph runs once for that turn (the user's
  message), unless this thread already ended signed in. Its interrupts (site
  menu, link and code) reach the agent's caller and resume through it,
  because a graph run inside an agent node is that node's subgraph; what it
  says last (the success template, the API-key stop, a cancel) is posted to
  the conversation before the model runs again;
- when such a tool answers with an auth error (the package's classifier, which
  also reads the error objects of OKX's MCP server), the graph's `recover`
  entry runs, then the tool is retried once; if it still fails that way, the
  model reads a short, redacted account of it, not the tool's advice;
- an okx tool's output (the package's tools and OKX's MCP tools) loses
  `expiresAt`, `ttl`, `profile` and every secret (the HOME's configured
  credentials too) before it is stored, streamed or shown to the model;
- the system prompt gains the skill's rules on what never to say.

Install with the `agents` extra (it brings `langchain`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Collection, Generator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, NotRequired, TypeVar, cast

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.func import task
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.builder import AuthGraph, build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.extras import needs_extra
from okx_auth_graph.isolation import RunFacts, ServerSide, okx_settings
from okx_auth_graph.middleware.policy import (
    auth_error_kind,
    clean_okx_output,
    default_needs_account,
    is_okx_output,
    is_signed_in,
    recovery_request,
    scrub,
)
from okx_auth_graph.nodes.common import open_prompt
from okx_auth_graph.okx import OkxError
from okx_auth_graph.okx.commands import home_secrets
from okx_auth_graph.okx.errors import failure_detail
from okx_auth_graph.prompts import render
from okx_auth_graph.replies import text_of
from okx_auth_graph.state import AuthInput, OkxAuthOutcome, OkxAuthRequest

with needs_extra("agents"):
    from langchain.agents.middleware import (
        AgentMiddleware,
        AgentState,
        ModelRequest,
        ModelResponse,
        ToolCallRequest,
    )

ToolResult = ToolMessage | Command[Any]
ToolHandler = Callable[[ToolCallRequest], ToolResult]
AsyncToolHandler = Callable[[ToolCallRequest], Awaitable[ToolResult]]

POSTED_BY = "okx_sign_in"
"""The `name` of the assistant messages the sign-in posts itself (kept out of the model's input)."""

RULES = (
    "OKX sign-in rules:\n"
    "- Sign-in runs by itself before OKX account tools; never pick an OKX site for the user "
    "and never ask for API keys, secrets or passphrases in the chat.\n"
    "- Never quote when an OKX token or session expires (no expiresAt, ttl or durations).\n"
    "- If asked how long a session lasts, say exactly: "
    f'"{render("session_longevity", "en")}"'
)
"""The fragment added to the agent's system prompt."""


T = TypeVar("T")


def _latest(_current: T | None, new: T | None) -> T | None:
    """Reducer: parallel tool calls may each report a value; the last one stands."""
    return new


def _to_post(current: list[str] | None, new: list[str] | None) -> list[str]:
    """Reducer: closing texts wait here, in order, until posted; None clears them."""
    return [] if new is None else [*(current or []), *new]


class OkxAuthState(AgentState[Any]):
    """The agent state this middleware adds to: the latest auth outcome, and what to post."""

    okx_auth: NotRequired[Annotated[OkxAuthOutcome | None, _latest]]
    """How the most recent sign-in or recovery in this thread ended."""
    okx_auth_to_post: NotRequired[Annotated[list[str], _to_post]]
    """The closing texts of sign-ins that ended since the model last ran (the success
    template, the API-key stop, a cancel): posted to the conversation before it runs again."""
    okx_auth_turn: NotRequired[Annotated[str | None, _latest]]
    """The id of the user's message whose turn last ran a sign-in (or a recovery): a turn
    runs one, so a model that calls an account tool again after the user cancelled gets
    the not-signed-in answer, not the menu again."""


def _clean_content(
    content: str | list[str | dict[str, Any]], secrets: Sequence[str]
) -> str | list[str | dict[str, Any]]:
    if isinstance(content, str):
        return clean_okx_output(content, secrets)
    blocks: list[str | dict[str, Any]] = []
    for block in content:
        if isinstance(block, str):
            blocks.append(clean_okx_output(block, secrets))
        elif isinstance(block.get("text"), str):
            blocks.append({**block, "text": clean_okx_output(block["text"], secrets)})
        else:
            blocks.append(block)
    return blocks


def clean_tool_message(message: ToolMessage, secrets: Sequence[str] = ()) -> ToolMessage:
    """A copy of an okx tool's message whose content and MCP artifact are safe to keep.

    `secrets`: credential values to mask wherever they stand (the HOME's configured ones).
    """
    update: dict[str, Any] = {"content": _clean_content(message.content, secrets)}
    if message.artifact is not None:
        update["artifact"] = scrub(message.artifact, secrets)
    return message.model_copy(update=update)


def _clean_result(result: ToolResult, secrets: Sequence[str]) -> ToolResult:
    return clean_tool_message(result, secrets) if isinstance(result, ToolMessage) else result


def _latest_human(messages: Sequence[AnyMessage]) -> list[AnyMessage]:
    """The auth graph's input: the user's latest message (it sets the language)."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return [message]
    return []


def _turn_of(messages: Sequence[AnyMessage]) -> str | None:
    """The turn these messages are in: the id of the user's latest message."""
    latest = _latest_human(messages)
    return latest[0].id if latest else None


def _closing_text(result: dict[str, Any]) -> list[str]:
    """What a finished auth run posted after the user last answered it.

    The user has not seen it (the run's questions reached them as
    interrupts), so the conversation gets it.
    """
    text = open_prompt(result.get("messages", []))
    return [text] if text else []


def _outcome_of(result: dict[str, Any]) -> OkxAuthOutcome:
    """The run's outcome, with the last text it posted when it did not sign in."""
    found: OkxAuthOutcome | None = result.get("okx_auth")
    outcome: OkxAuthOutcome = found or {"status": "error"}
    if is_signed_in(outcome) or outcome.get("message"):
        return outcome
    posted = [text_of(m) for m in result.get("messages", []) if isinstance(m, AIMessage)]
    return {**outcome, "message": posted[-1]} if posted else outcome


def _not_signed_in(request: ToolCallRequest, outcome: OkxAuthOutcome | None) -> ToolMessage:
    """What the model reads instead of the tool's output when sign-in did not finish."""
    status = outcome.get("status", "error") if outcome else "not_logged_in"
    payload = {
        "ok": False,
        "error": "okx_sign_in_required",
        "okx_auth_status": status,
        "message": (outcome.get("message") if outcome else None)
        or f"The user is not signed in to OKX ({status}); the tool did not run.",
    }
    return ToolMessage(
        content=clean_okx_output(json.dumps(payload, ensure_ascii=False)),
        tool_call_id=request.tool_call["id"] or "",
        name=request.tool_call["name"],
        status="error",
    )


def _still_failing(request: ToolCallRequest, retried: ToolMessage,
                   outcome: OkxAuthOutcome, secrets: Sequence[str]) -> ToolMessage:
    """What the model reads when a tool still reports an auth error after a completed sign-in.

    A second recovery would only loop, and the tool's own advice (for OKX's
    MCP server: put API keys in environment variables) is not what the
    procedure does, so the model gets the facts and the instruction to stop.
    """
    name = request.tool_call["name"]
    payload = {
        "ok": False,
        "error": "okx_tool_failed_after_sign_in",
        "okx_auth_status": outcome.get("status"),
        "message": (
            f"The user is signed in to OKX, but {name} still failed: "
            f"{failure_detail(retried.text, secrets)} Signing in again will not fix it; do not "
            "retry it, and never ask the user for API keys, secrets or passphrases in the chat."
        ),
    }
    return ToolMessage(
        content=clean_okx_output(json.dumps(payload, ensure_ascii=False)),
        tool_call_id=request.tool_call["id"] or "",
        name=name,
        status="error",
    )


def _retried(
    request: ToolCallRequest, result: ToolResult, recovery: dict[str, Any],
    secrets: Sequence[str],
) -> ToolResult:
    """The retry after a completed sign-in: its cleaned answer, or the stop if it still fails."""
    outcome, closing = _outcome_of(recovery), _closing_text(recovery)
    turn = _turn_of(request.state["messages"])
    if isinstance(result, ToolMessage) and auth_error_kind(result.text) is not None:
        still = _still_failing(request, result, outcome, secrets)
        return _with_outcome(still, outcome, closing, turn)
    return _with_outcome(_clean_result(result, secrets), outcome, closing, turn)


def _with_outcome(
    result: ToolResult, outcome: OkxAuthOutcome, closing: list[str], turn: str | None
) -> ToolResult:
    """Report the recovery's outcome (its closing text, to post; its turn) beside the result."""
    if isinstance(result, ToolMessage):
        return Command(update={
            "messages": [result], "okx_auth": outcome, "okx_auth_to_post": closing,
            "okx_auth_turn": turn,
        })
    return result


@task
def okx_tool_first_attempt(handler: ToolHandler, request: ToolCallRequest) -> ToolResult:
    """Run the tool as a LangGraph task, so its result is checkpointed.

    A recovery that interrupts makes the whole tool node run again on resume;
    the task's saved result stands in for the first call then, so the tool
    runs once before the recovery and once after, never in between. What the
    task returns is saved and streamed, and what it is given is streamed too
    (`tasks`, `debug`), so `handler` is the cleaning one (`_cleaning`): the raw
    output, secrets and token lifetimes included, and the HOME's credentials
    it is cleaned of never reach either.
    """
    return handler(request)


@task
async def aokx_tool_first_attempt(
    handler: AsyncToolHandler, request: ToolCallRequest
) -> ToolResult:
    """Async twin of `okx_tool_first_attempt`."""
    return await handler(request)


def _cleaning(handler: ToolHandler, secrets: Sequence[str]) -> ToolHandler:
    """The tool's handler, its result cleaned; `secrets` stay in the closure, out of any repr."""
    return lambda request: _clean_result(handler(request), secrets)


def _acleaning(handler: AsyncToolHandler, secrets: Sequence[str]) -> AsyncToolHandler:
    """`_cleaning` for an async handler."""
    async def cleaned(request: ToolCallRequest) -> ToolResult:
        return _clean_result(await handler(request), secrets)
    return cleaned


@dataclass(frozen=True)
class SignIn:
    """A step of a plan: run the auth graph on this input."""

    auth_input: AuthInput


RUN_TOOL = "run the tool"
"""A step of a plan: call the tool (again)."""
FIRST_ATTEMPT = "the tool's checkpointed first attempt"
"""A step of a plan: call the tool as a LangGraph task (see `okx_tool_first_attempt`)."""
Step = SignIn | str
R = TypeVar("R")
Plan = Generator[Step, Any, R]
"""A hook's decision: it yields the steps to run and returns the hook's result."""


def _auth_input_of(step: Step) -> AuthInput:
    if not isinstance(step, SignIn):
        raise TypeError(f"a sign-in plan yields only SignIn steps, not {step!r}")
    return step.auth_input


def _run(plan: Plan[R], perform: Callable[[Step], Any]) -> R:
    """Drive a plan, running each step as it comes."""
    try:
        step = next(plan)
        while True:
            step = plan.send(perform(step))
    except StopIteration as done:
        return cast(R, done.value)


async def _arun(plan: Plan[R], perform: Callable[[Step], Awaitable[Any]]) -> R:
    """Drive a plan on the event loop, awaiting each step."""
    try:
        step = next(plan)
        while True:
            step = plan.send(await perform(step))
    except StopIteration as done:
        return cast(R, done.value)


def _with_rules(system: SystemMessage | None) -> SystemMessage:
    if system is None:
        return SystemMessage(content=RULES)
    if isinstance(system.content, str):
        return SystemMessage(content=f"{system.content}\n\n{RULES}")
    return SystemMessage(content=[*system.content, {"type": "text", "text": RULES}])


class OkxAuthMiddleware(AgentMiddleware[OkxAuthState, Any, Any]):
    """Sign the user in before okx account tools run, and again when a session lapses.

    Needs a checkpointer on the agent: sign-in waits for the user through
    interrupts. Resume with `Command(resume="<the user's reply>")`. The agent's
    context is used for the CLI when it is an `AuthContext`; otherwise
    `context` is. Parallel account-tool calls that each fail with an auth
    error each run a recovery, so resume their interrupts by id.
    """

    state_schema = OkxAuthState

    def __init__(
        self,
        *,
        auth_graph: AuthGraph | None = None,
        account_tools: Collection[str] | Callable[[str], bool] | None = None,
        context: AuthContext | None = None,
    ) -> None:
        """Configure which tools need an account and how to reach the CLI.

        Args:
            auth_graph: The compiled auth graph to run; built without a
                checkpointer by default, so it uses the agent's.
            account_tools: Names of the tools that need a signed-in account,
                or a predicate on the name. Default (`default_needs_account`):
                OKX's MCP tools except its market and system tools, with or
                without a server-name prefix, and `okx_` tools other than the
                auth tools and market data.
            context: CLI settings when the agent's context is not an
                `AuthContext`.
        """
        super().__init__()
        self.auth_graph = auth_graph or build_auth_graph()
        if account_tools is None:
            self._needs_account: Callable[[str], bool] = default_needs_account
        elif callable(account_tools):
            self._needs_account = account_tools
        else:
            self._needs_account = frozenset(account_tools).__contains__
        self._context = context or AuthContext()

    def is_okx_tool(self, name: str) -> bool:
        """Whether the tool's output comes from okx and must be cleaned."""
        return is_okx_output(name) or self._needs_account(name)

    def _context_for(self, agent_context: object) -> AuthContext:
        return agent_context if isinstance(agent_context, AuthContext) else self._context

    def _home_secrets(self, run: RunFacts) -> tuple[str, ...]:
        """The credentials configured in the HOME the okx CLI runs in for this run.

        A tool's words may echo them where no `name: value` pattern catches
        them (an error quoting the key), so every okx output is masked of them.
        """
        try:
            settings = okx_settings(self._context_for(run.context), ServerSide.of(run))
        except OkxError:  # an identity without a HOME of its own: none to read
            return ()
        return home_secrets(settings)

    def _sign_in_due(self, state: OkxAuthState) -> bool:
        """Whether the model just asked for an account tool, not signed in, in a fresh turn."""
        last = state["messages"][-1] if state["messages"] else None
        if not isinstance(last, AIMessage) or is_signed_in(state.get("okx_auth")):
            return False
        if state.get("okx_auth_turn") == _turn_of(state["messages"]):
            return False
        return any(self._needs_account(call["name"]) for call in last.tool_calls)

    @staticmethod
    def _auth_input(
        messages: Sequence[AnyMessage], request: OkxAuthRequest | None
    ) -> AuthInput:
        return {"messages": _latest_human(messages), "okx_auth_request": request}

    def _sign_in_plan(self, state: OkxAuthState) -> Plan[dict[str, Any] | None]:
        """After the model: the sign-in, once, for a turn whose tool calls need an account."""
        if not self._sign_in_due(state):
            return None
        result = yield SignIn(self._auth_input(state["messages"], None))
        return {"okx_auth": _outcome_of(result), "okx_auth_to_post": _closing_text(result),
                "okx_auth_turn": _turn_of(state["messages"])}

    def _tool_call_plan(
        self, request: ToolCallRequest, secrets: Sequence[str]
    ) -> Plan[ToolResult]:
        """Around an okx tool: clean its output; on an auth error, recover and retry once.

        The decision alone, as a generator: it yields what must run (the tool,
        its checkpointed first attempt, already cleaned, the auth graph) and
        gets the result back, so the sync and async hooks below are only the
        shells that run those steps.
        """
        name = request.tool_call["name"]
        if not self._needs_account(name):
            result = yield RUN_TOOL
            return _clean_result(result, secrets) if self.is_okx_tool(name) else result
        if not is_signed_in(request.state.get("okx_auth")):
            return _not_signed_in(request, request.state.get("okx_auth"))
        first: ToolResult = yield FIRST_ATTEMPT
        recover = (
            recovery_request(first.text, recovered=False) if isinstance(first, ToolMessage)
            else None
        )
        if recover is None:
            return first
        recovery = yield SignIn(self._auth_input(request.state["messages"], recover))
        outcome = _outcome_of(recovery)
        if not is_signed_in(outcome):
            return _with_outcome(_not_signed_in(request, outcome), outcome,
                                 _closing_text(recovery), _turn_of(request.state["messages"]))
        return _retried(request, (yield RUN_TOOL), recovery, secrets)

    def before_model(
        self, state: OkxAuthState, runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """Post what finished sign-ins said last, before the model answers.

        The success template (or the API-key stop, a cancel, a failure) is the
        user's to read, word for word, as the skill wants it; posted here,
        after every tool's result, it never comes between a tool call and its
        result, and the model then goes on with the user's request.
        """
        posts = state.get("okx_auth_to_post") or []
        if not posts:
            return None
        return {
            "messages": [AIMessage(content=text, name=POSTED_BY) for text in posts],
            "okx_auth_to_post": None,
        }

    async def abefore_model(
        self, state: OkxAuthState, runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """`before_model` on the event loop (it does no I/O)."""
        return self.before_model(state, runtime)

    def after_model(
        self, state: OkxAuthState, runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """Run the sign-in once for a turn whose tool calls need an account."""
        context = self._context_for(runtime.context)
        return _run(self._sign_in_plan(state), lambda step: self._sign_in(step, context))

    async def aafter_model(
        self, state: OkxAuthState, runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """`after_model` on the event loop."""
        context = self._context_for(runtime.context)
        return await _arun(self._sign_in_plan(state), lambda step: self._asign_in(step, context))

    def wrap_tool_call(self, request: ToolCallRequest, handler: ToolHandler) -> ToolResult:
        """Clean okx output; for account tools, recover from an auth error and retry once."""
        context = self._context_for(request.runtime.context)
        secrets = (
            self._home_secrets(request.runtime)
            if self.is_okx_tool(request.tool_call["name"]) else ()
        )

        def perform(step: Step) -> Any:
            if isinstance(step, SignIn):
                return self._sign_in(step, context)
            if step is FIRST_ATTEMPT:
                return okx_tool_first_attempt(_cleaning(handler, secrets), request).result()
            return handler(request)

        return _run(self._tool_call_plan(request, secrets), perform)

    async def awrap_tool_call(
        self, request: ToolCallRequest, handler: AsyncToolHandler
    ) -> ToolResult:
        """`wrap_tool_call` on the event loop."""
        context = self._context_for(request.runtime.context)
        secrets = (  # a file read: off the event loop
            await asyncio.to_thread(self._home_secrets, request.runtime)
            if self.is_okx_tool(request.tool_call["name"]) else ()
        )

        async def perform(step: Step) -> Any:
            if isinstance(step, SignIn):
                return await self._asign_in(step, context)
            if step is FIRST_ATTEMPT:
                return await aokx_tool_first_attempt(_acleaning(handler, secrets), request)
            return await handler(request)

        return await _arun(self._tool_call_plan(request, secrets), perform)

    def _sign_in(self, step: Step, context: AuthContext) -> dict[str, Any]:
        """Run the auth graph for a `SignIn` step (the only step a sign-in plan yields)."""
        return dict(self.auth_graph.invoke(_auth_input_of(step), context=context))

    async def _asign_in(self, step: Step, context: AuthContext) -> dict[str, Any]:
        """`_sign_in` on the event loop."""
        return dict(await self.auth_graph.ainvoke(_auth_input_of(step), context=context))

    def _model_request(self, request: ModelRequest[Any]) -> ModelRequest[Any]:
        """The request with the rules added, every okx tool output cleaned, no sign-in post.

        Tool results are cleaned (of the HOME's credentials too) when they
        are stored; this catches the ones that never passed through here
        (history from before the middleware, a tool that returns a
        `Command`). What `before_model` posted is the user's to read: the
        model has the same facts in the tool results, and a request that
        ended with an assistant message would read as text to continue.
        """
        messages: list[AnyMessage] = [
            clean_tool_message(m)
            if isinstance(m, ToolMessage) and m.name and self.is_okx_tool(m.name)
            else m
            for m in request.messages
            if not (isinstance(m, AIMessage) and m.name == POSTED_BY)
        ]
        return request.override(
            system_message=_with_rules(request.system_message), messages=messages
        )

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> ModelResponse[Any]:
        """Show the model the rules and only cleaned okx output."""
        return handler(self._model_request(request))

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> ModelResponse[Any]:
        """Async twin of `wrap_model_call`."""
        return await handler(self._model_request(request))


__all__ = ["POSTED_BY", "RULES", "OkxAuthMiddleware", "OkxAuthState", "clean_tool_message"]
