"""The example app on OKX's own MCP tools: the real okx-trade-mcp, OKX answered by a stand-in.

The app's sign-in is the same auth subgraph (okx-sim as its CLI, in the same
HOME the MCP server reads); only the tool node changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.examples.trading_agent import (
    MCP_BALANCE,
    MCP_TICKER,
    ToolSet,
    TradingGraph,
    TradingState,
    build_trading_graph,
    mcp_tool_set,
    plan_for,
)
from okx_auth_graph.mcp import okx_mcp_connection
from okx_auth_graph.replies import text_of
from okx_auth_graph.skill import site_menu
from tests.expected import FIRST_STEP_0
from tests.rest_standin import BALANCE, serving
from tests.support import CallLog, Simulator, keyed_config

KEYED = keyed_config("ak-app-0001", "sk-app-0002", "pp-app-0003")
TICKER = {"code": "0", "msg": "", "data": [{"instId": "BTC-USDT", "last": "64123.5"}]}


@dataclass
class McpApp:
    """The example app on OKX's MCP tools, for one thread."""

    graph: TradingGraph
    context: AuthContext
    config: RunnableConfig = field(default_factory=lambda: RunnableConfig(
        configurable={"thread_id": "app-mcp"}))

    async def send(self, request: TradingState | Command[Any]) -> dict[str, Any]:
        return dict(await self.graph.ainvoke(request, self.config, context=self.context))


async def _ask(
    server: Path, sim: Simulator, answer: dict[str, Any], text: str
) -> tuple[McpApp, dict[str, Any]]:
    """Ask the app `text` while OKX (the stand-in) answers `answer`."""
    with serving(answer) as okx:
        connection = okx_mcp_connection(command=str(server), okx_home=str(sim.home),
                                        audit_log=False, env={"OKX_API_BASE_URL": okx.base_url})
        graph = build_trading_graph(InMemorySaver(), okx_cli=sim.path,
                                    tool_set=await mcp_tool_set(connection))
        app = McpApp(graph, AuthContext(okx_home=str(sim.home)))
        return app, await app.send({"messages": [HumanMessage(text)]})


def test_the_plan_names_the_mcp_tools() -> None:
    tools = ToolSet([], MCP_BALANCE, MCP_TICKER, "instId")
    assert plan_for("BTC-USDT price?", tools) == {"name": MCP_TICKER,
                                                  "args": {"instId": "BTC-USDT"}}
    assert plan_for("what's my balance?", tools) == {"name": MCP_BALANCE, "args": {}}


async def test_a_price_through_the_mcp_server_needs_no_sign_in(
    mcp_server: Path, sim: Simulator, call_log: CallLog
) -> None:
    _, result = await _ask(mcp_server, sim, TICKER, "BTC-USDT price?")
    assert text_of(result["messages"][-1]) == "BTC-USDT last price: 64123.5"
    assert call_log.argvs() == []


async def test_the_balance_through_the_mcp_server_with_a_key(
    mcp_server: Path, sim: Simulator, call_log: CallLog
) -> None:
    sim.write_config(KEYED)
    _, result = await _ask(mcp_server, sim, BALANCE, "what's my balance?")
    assert text_of(result["messages"][-1]) == "Your OKX balance: 1000 USDT available."
    # A successful answer is not mistaken for a sign-in case: one preflight, no recovery.
    assert sorted(call_log.argvs()) == FIRST_STEP_0
    assert result["okx_auth"]["status"] == "api_key_configured"
    assert not call_log.logins()


async def test_the_balance_without_credentials_asks_for_the_site_first(
    mcp_server: Path, sim: Simulator, call_log: CallLog
) -> None:
    app, result = await _ask(mcp_server, sim, BALANCE, "what's my balance?")
    assert [i.value["kind"] for i in result["__interrupt__"]] == ["site_choice"]
    assert result["__interrupt__"][0].value["message"] == site_menu()
    assert not call_log.logins()
    resumed = await app.send(Command(resume="nope"))  # not a choice: the menu again
    assert [i.value["kind"] for i in resumed["__interrupt__"]] == ["site_choice"]
