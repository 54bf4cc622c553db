"""An agent app with the auth graph as a subgraph in front of its okx tools.

The app answers "what is my balance?" (an account tool) and "BTC-USDT
price?" (market data). A request that needs the account goes through the
`okx_auth` node first, unless this thread is already signed in; when an okx
tool still fails with an auth error (a session that lapsed since), the app
routes into `okx_auth` again with the `recover` entry and retries the tool
once. Market data skips sign-in entirely.

`plan` stands in for a model: it picks the tool from keywords, so the app
runs offline (Studio, tests, notebooks). A real app would let its model emit
the tool call there; the wiring around it stays the same.

State contract with the subgraph: the parent shares `messages` (the auth
graph reads the conversation and appends what it posts), passes
`okx_auth_request` (None → the entry the user's words ask for, usually
login; `recover` with the error text) and reads
`okx_auth` (the outcome). It clears `okx_auth_request` once a sign-in ends.

The subgraph is `build_auth_subgraph()`: it returns at each question, so the
app's own `messages` show the menu, the link and code and every reminder
while the user must answer. `ask_user` relays the question as an interrupt;
a reply typed as a new message instead goes from `plan` straight back into
`okx_auth`, and the planned tool is kept for when the sign-in is done.

This module imports only the installed package, so `langgraph.json` can
serve it by path.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NotRequired, cast

from langchain_core.messages import AIMessage, AnyMessage, ToolMessage
from langchain_core.tools import BaseTool, tool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode, ToolRuntime
from langgraph.types import Command
from typing_extensions import TypedDict

from okx_auth_graph.context import AuthContext
from okx_auth_graph.isolation import run_settings
from okx_auth_graph.keywords import is_market_only, route_request
from okx_auth_graph.mcp import OkxMcpConnection
from okx_auth_graph.middleware.policy import (
    clean_okx_output,
    default_needs_account,
    is_signed_in,
    recovery_request,
)
from okx_auth_graph.okx import OkxCommand, OkxError, decode_rows, execute
from okx_auth_graph.replies import detect_language, latest_human_text, text_of
from okx_auth_graph.state import Language, OkxAuthOutcome, OkxAuthRequest
from okx_auth_graph.subgraph import awaiting_reply, build_auth_subgraph, relay_question
from okx_auth_graph.tools import failure_payload

DEFAULT_INSTRUMENT = "BTC-USDT"
"""The instrument a price question gets when it names none."""

_INSTRUMENT = re.compile(r"\b[A-Z0-9]{2,12}(?:-[A-Z0-9]{2,12}){1,3}\b")


def _okx_json(
    args: tuple[str, ...], runtime: ToolRuntime[AuthContext], okx_cli: str | None
) -> dict[str, Any]:
    """Run an okx data command; failures come back classified, never raised.

    The CLI prints OKX's `data` rows as a bare JSON array. The settings are
    the auth graph's own (`run_settings`): on a server that authenticates,
    the command runs in the caller's HOME, never in one the caller's context
    names.
    """
    command = OkxCommand(args, lambda out: decode_rows(out, " ".join(args)))
    try:
        rows = execute(command, run_settings(runtime, okx_cli))
    except OkxError as error:
        return failure_payload(error)
    return {"ok": True, "data": rows}


def make_tools(okx_cli: str | None = None) -> list[BaseTool]:
    """The app's okx tools, running `okx_cli` (None: `$OKX_CLI` at call time, else `okx`)."""

    @tool
    def okx_account_balance(runtime: ToolRuntime[AuthContext]) -> dict[str, Any]:
        """The user's OKX trading-account balance. Needs the user signed in."""
        return _okx_json(("account", "balance", "--json"), runtime, okx_cli)

    @tool
    def okx_market_ticker(inst_id: str, runtime: ToolRuntime[AuthContext]) -> dict[str, Any]:
        """The last price of an OKX instrument such as BTC-USDT. Public market data."""
        instrument = inst_id.strip().upper()
        if not _INSTRUMENT.fullmatch(instrument):  # only an id reaches the CLI's argv
            return {"ok": False, "error": "invalid_instrument",
                    "message": f"not an instrument id: {inst_id!r} (e.g. BTC-USDT)"}
        return _okx_json(("market", "ticker", instrument, "--json"), runtime, okx_cli)

    return [okx_account_balance, okx_market_ticker]


TOOLS: list[BaseTool] = make_tools()
"""The okx tools the app uses, with the executable from the environment."""
okx_account_balance, okx_market_ticker = TOOLS


@dataclass(frozen=True)
class ToolSet:
    """The okx tools the app calls, and which of them reads the balance or a price."""

    tools: list[BaseTool]
    """Everything the app's tool node may run."""
    balance: str
    """The tool that reads the account's balance (needs the user signed in)."""
    ticker: str
    """The tool that reads an instrument's last price (public)."""
    instrument_arg: str
    """The ticker tool's argument that names the instrument."""


def cli_tool_set(okx_cli: str | None = None) -> ToolSet:
    """The app's own tools around the okx CLI."""
    balance, ticker = make_tools(okx_cli)
    return ToolSet([balance, ticker], balance.name, ticker.name, "inst_id")


CLI_TOOL_SET = ToolSet(TOOLS, okx_account_balance.name, okx_market_ticker.name, "inst_id")
"""The default: the app's own CLI tools, with the executable from the environment."""
MCP_BALANCE, MCP_TICKER = "account_get_balance", "market_get_ticker"
"""The same two questions among OKX's own MCP tools."""


async def mcp_tool_set(connection: OkxMcpConnection) -> ToolSet:
    """OKX's own tools from `okx-trade-mcp` (extra `mcp`), in place of the CLI tools.

    `connection` is `okx_mcp_connection(...)` with the user's HOME: the server
    then reads the `~/.okx/` the sign-in sets up.
    """
    from langchain_mcp_adapters.client import MultiServerMCPClient
    from langchain_mcp_adapters.sessions import StdioConnection

    # The same keys as the adapters' stdio shape, which has more optional ones.
    client = MultiServerMCPClient({"okx": cast(StdioConnection, connection)})
    tools = [tool for tool in await client.get_tools() if tool.name in (MCP_BALANCE, MCP_TICKER)]
    return ToolSet(tools, MCP_BALANCE, MCP_TICKER, "instId")


class PlannedCall(TypedDict):
    """The okx tool a request needs, chosen when the request arrives."""

    name: str
    """Tool name."""
    args: dict[str, str]
    """Tool arguments."""


class TradingState(TypedDict):
    """The app's state; the first three keys are the auth subgraph's contract."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation, shared with the auth subgraph."""
    okx_auth_request: NotRequired[OkxAuthRequest | None]
    """What the next auth run does: None → what the user's words ask for (usually login),
    or `recover` from a tool's error."""
    okx_auth: NotRequired[OkxAuthOutcome | None]
    """How the latest auth run ended."""
    planned_call: NotRequired[PlannedCall | None]
    """The okx tool this request needs, if any."""
    recovered: NotRequired[bool]
    """Whether this request already went through `recover` (the retry happens once)."""
    language: NotRequired[Language]
    """The request's language, for the app's own answer."""


def plan_for(text: str, tool_set: ToolSet = CLI_TOOL_SET) -> PlannedCall | None:
    """The tool for a request: market data, the balance, or none (a plain sign-in)."""
    if is_market_only(text):
        found = _INSTRUMENT.search(text.upper())
        return {"name": tool_set.ticker,
                "args": {tool_set.instrument_arg: found.group(0) if found else DEFAULT_INSTRUMENT}}
    if route_request(text) == "portfolio":
        return {"name": tool_set.balance, "args": {}}
    return None


def _plan(
    state: TradingState, tool_set: ToolSet
) -> Command[Literal["okx_auth", "call_tool"]]:
    """Pick the tool, and sign in first unless it is market data or the thread is signed in.

    While the sign-in waits for an answer, a new message is that answer: it
    goes back to `okx_auth` and the tool planned before stays planned.
    """
    if awaiting_reply(state.get("okx_auth")):
        return Command(goto="okx_auth")
    planned = plan_for(latest_human_text(state["messages"]) or "", tool_set)
    update: dict[str, Any] = {
        "planned_call": planned,
        "recovered": False,
        "okx_auth_request": None,
        "language": detect_language(state["messages"]),
    }
    public = planned is not None and not default_needs_account(planned["name"])
    if public or (planned is not None and is_signed_in(state.get("okx_auth"))):
        return Command(goto="call_tool", update=update)
    return Command(goto="okx_auth", update=update)


def after_auth(state: TradingState) -> Command[Literal["ask_user", "call_tool", "__end__"]]:
    """A question → ask the user; else clear the request and go on to the tool when signed in.

    When the sign-in ends without credentials the auth graph has said why,
    so the run ends there.
    """
    if awaiting_reply(state.get("okx_auth")):
        return Command(goto="ask_user")
    update: dict[str, Any] = {"okx_auth_request": None}
    if is_signed_in(state.get("okx_auth")) and state.get("planned_call"):
        return Command(goto="call_tool", update=update)
    return Command(goto="__end__", update=update)


def call_tool(state: TradingState) -> dict[str, Any]:
    """Ask for the planned tool the way a model would: an AIMessage with a tool call."""
    planned = state.get("planned_call")
    calls = [{"name": planned["name"], "args": planned["args"],
              "id": f"call_{uuid.uuid4().hex[:12]}"}] if planned else []
    return {"messages": [AIMessage(content="", tool_calls=calls)]}


def _last_tool_message(messages: list[AnyMessage]) -> ToolMessage | None:
    for message in reversed(messages):
        if isinstance(message, ToolMessage):
            return message
    return None


def check_result(state: TradingState) -> Command[Literal["okx_auth", "answer"]]:
    """An auth error the first time → the auth graph's `recover` entry, then the tool again."""
    result = _last_tool_message(state["messages"])
    output = result.text if result is not None else ""
    request = recovery_request(output, recovered=bool(state.get("recovered")))
    if request is not None:
        return Command(goto="okx_auth", update={"okx_auth_request": request, "recovered": True})
    return Command(goto="answer")


_ANSWERS: dict[str, dict[Language, str]] = {
    "balance": {"en": "Your OKX balance: {availBal} {ccy} available.",
                "zh": "您的 OKX 余额:可用 {availBal} {ccy}。"},
    "empty_balance": {"en": "Your OKX account holds no assets yet.",
                      "zh": "您的 OKX 账户目前没有资产。"},
    "ticker": {"en": "{instId} last price: {last}", "zh": "{instId} 最新价:{last}"},
    "no_data": {"en": "OKX returned no data for this request.",
                "zh": "OKX 没有返回这次请求的数据。"},
    "failed": {"en": "The okx command failed: {message} ({action})",
               "zh": "okx 命令失败:{message}({action})"},
}


def answer_text(
    tool_name: str, output: dict[str, Any], language: Language, tool_set: ToolSet = CLI_TOOL_SET
) -> str:
    """The app's reply for a tool's output (what a model would write from it).

    The MCP server wraps OKX's answer (`{"data": {"endpoint": ..., "data": [...]}}`),
    the CLI tools do not; OKX's balance lists each currency under `details`,
    and the first one is shown (an account with none holds no assets).
    """
    if not output.get("ok"):
        fields = {"message": output.get("message", ""), "action": output.get("action", "")}
        return _ANSWERS["failed"][language].format(**fields)
    rows = output.get("data")
    listed = rows.get("data") if isinstance(rows, dict) else rows
    if not isinstance(listed, list) or not listed:
        return _ANSWERS["no_data"][language]
    row = listed[0]
    if tool_name != tool_set.balance:
        return _ANSWERS["ticker"][language].format(**row)
    if "details" not in row:
        return _ANSWERS["balance"][language].format(**row)
    if not row["details"]:
        return _ANSWERS["empty_balance"][language]
    return _ANSWERS["balance"][language].format(**row["details"][0])


def _answer(state: TradingState, tool_set: ToolSet) -> dict[str, Any]:
    """Reply from the tool's output, cleaned of what the user must never see."""
    result = _last_tool_message(state["messages"])
    output = json.loads(clean_okx_output(text_of(result))) if result is not None else {}
    name = result.name if result is not None and result.name else ""
    text = answer_text(name, output, state.get("language", "en"), tool_set)
    return {"messages": [AIMessage(content=text)], "planned_call": None}


class TradingSteps:
    """The two steps that depend on which tools the app calls."""

    def __init__(self, tool_set: ToolSet) -> None:
        self.tool_set = tool_set

    def plan(self, state: TradingState) -> Command[Literal["okx_auth", "call_tool"]]:
        """Pick the tool; sign in first unless it is market data or the thread is signed in."""
        return _plan(state, self.tool_set)

    def answer(self, state: TradingState) -> dict[str, Any]:
        """Reply from the tool's cleaned output."""
        return _answer(state, self.tool_set)


TradingGraph = CompiledStateGraph[TradingState, AuthContext, TradingState, TradingState]


def build_trading_graph(
    checkpointer: BaseCheckpointSaver[str] | None = None,
    *,
    okx_cli: str | None = None,
    tool_set: ToolSet | None = None,
) -> TradingGraph:
    """Assemble the app.

    A checkpointer is needed: the sign-in keeps its state in the thread between
    questions, and its questions are resumed; the server
    (`langgraph.json`) brings its own, so the module-level graph has none.
    `okx_cli` is the executable of the sign-in (and of the CLI tools).
    `tool_set` picks the tools: the app's CLI tools by default, or OKX's MCP
    tools (`await mcp_tool_set(okx_mcp_connection(...))`, run with `ainvoke`).
    """
    tools = tool_set or cli_tool_set(okx_cli)
    steps = TradingSteps(tools)
    builder = StateGraph(TradingState, context_schema=AuthContext)
    builder.add_node("plan", steps.plan)
    builder.add_node("okx_auth", build_auth_subgraph(okx_cli=okx_cli))
    builder.add_node("after_auth", after_auth)
    builder.add_node("ask_user", relay_question)
    builder.add_node("call_tool", call_tool)
    builder.add_node("tools", ToolNode(tools.tools))
    builder.add_node("check_result", check_result)
    builder.add_node("answer", steps.answer)

    # Every request is planned first; `plan` routes around sign-in when it can.
    builder.add_edge(START, "plan")
    # The auth subgraph's outcome decides whether the tool runs; a question it
    # stopped at is asked, and the reply goes back into it.
    builder.add_edge("okx_auth", "after_auth")
    builder.add_edge("ask_user", "okx_auth")
    # The tool call is executed ...
    builder.add_edge("call_tool", "tools")
    # ... and its result checked for an auth error (recover once) before the answer.
    builder.add_edge("tools", "check_result")
    builder.add_edge("answer", "__end__")
    return builder.compile(checkpointer=checkpointer)


graph = build_trading_graph()
"""The module-level graph `langgraph.json` serves as `trading_agent`."""
