"""OKX's own MCP tools behind `OkxAuthMiddleware()`: the real okx-trade-mcp, through the adapters.

The server is `@okx_ai/okx-trade-mcp@1.2.9` from npm, loaded with
`langchain-mcp-adapters` into a `create_agent` agent with a scripted model.
Its REST calls go to a local stand-in for OKX (`OKX_API_BASE_URL`), never to
OKX. The auth graph's CLI is okx-sim in the same HOME, so both read one
`~/.okx/config.toml`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import BaseTool
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.interceptors import MCPToolCallRequest, MCPToolCallResult

from okx_auth_graph.mcp import TOOL_NAMES, okx_mcp_connection
from okx_auth_graph.middleware.policy import default_needs_account
from okx_auth_graph.prompts import render
from okx_auth_graph.replies import text_of
from okx_auth_graph.skill import site_menu
from tests.expected import FIRST_STEP_0
from tests.rest_standin import RestStandIn, serving
from tests.support import CallLog, Simulator, keyed_config

from .helpers import AgentThread, calls

KEY = "ak-mcp-0001-key9"
SECRET = "sk-mcp-secret-0002"  # noqa: S105 - planted fake
PASSPHRASE = "pp-mcp-phrase-0003"  # noqa: S105 - planted fake
KEYED_CONFIG = keyed_config(KEY, SECRET, PASSPHRASE)
INVALID_SIGN = {"code": "50113", "msg": "Invalid Sign", "data": []}
TOO_MANY = {"code": "50011", "msg": "Too Many Requests", "data": []}
TICKER = {"code": "0", "msg": "", "data": [{"instId": "BTC-USDT", "last": "64123.5"}]}


class CallCounter:
    """An adapters interceptor that counts how often each MCP tool really ran."""

    def __init__(self) -> None:
        self.names: list[str] = []

    async def __call__(
        self,
        request: MCPToolCallRequest,
        handler: Callable[[MCPToolCallRequest], Awaitable[MCPToolCallResult]],
    ) -> MCPToolCallResult:
        self.names.append(request.name)
        return await handler(request)


@pytest.fixture
def okx_rest() -> Iterator[RestStandIn]:
    """The stand-in for OKX; each test sets the answer it needs."""
    with serving(TICKER) as stand_in:
        yield stand_in


async def _tools(
    server: Path, sim: Simulator, okx: RestStandIn, counter: CallCounter, *, prefix: bool = False
) -> list[BaseTool]:
    connection = okx_mcp_connection(
        command=str(server), okx_home=str(sim.home), audit_log=False,
        env={"OKX_API_BASE_URL": okx.base_url},
    )
    client = MultiServerMCPClient(
        {"okx": connection},  # type: ignore[dict-item]  # our TypedDict is the stdio shape
        tool_interceptors=[counter], tool_name_prefix=prefix,
    )
    return await client.get_tools()


async def _keyed_balance(
    server: Path, sim: Simulator, okx: RestStandIn, answer: dict[str, Any]
) -> tuple[AgentThread, CallCounter]:
    """A keyed profile, OKX answering `answer`, and the model asking for the balance."""
    sim.write_config(KEYED_CONFIG)
    okx.body = answer
    counter = CallCounter()
    tools = await _tools(server, sim, okx, counter)
    thread = AgentThread(sim, [calls("account_get_balance"), "Noted."], tools)
    await thread.asay("What is my balance?")
    return thread, counter


def _seen_by_the_model(thread: AgentThread) -> str:
    return thread.model.seen_conversation()


def _everything(thread: AgentThread) -> str:
    """What the agent stored and what the model was shown, as one text."""
    state = thread.agent.get_state(thread.config)
    return "\n".join([repr(state.values), repr(thread.interrupts), _seen_by_the_model(thread)])


async def test_the_server_serves_exactly_the_registry(
    mcp_server: Path, sim: Simulator, okx_rest: RestStandIn
) -> None:
    tools = await _tools(mcp_server, sim, okx_rest, CallCounter())
    assert {tool.name for tool in tools} == TOOL_NAMES


async def test_the_public_rule_is_the_servers_capability_report(
    mcp_server: Path, sim: Simulator, okx_rest: RestStandIn
) -> None:
    tools = {tool.name: tool for tool in await _tools(mcp_server, sim, okx_rest, CallCounter())}
    content = await tools["system_get_capabilities"].ainvoke({})
    report = json.loads(content[0]["text"])
    availability = report["data"]["capabilities"]["moduleAvailability"]
    public = {module for module, state in availability.items() if state["status"] == "enabled"}
    assert public == {"market"}
    assert {state["status"] for state in availability.values()} == {"enabled", "requires_auth"}
    # Every tool named for a module that requires auth is gated; market and system are not.
    assert {name for name in TOOL_NAMES if not default_needs_account(name)} == {
        name for name in TOOL_NAMES if name.startswith(("market_", "system_"))
    }


@pytest.mark.parametrize("prefix", [False, True], ids=["plain", "server-prefix"])
async def test_no_credentials_the_balance_waits_for_the_site_menu(
    mcp_server: Path, sim: Simulator, call_log: CallLog, okx_rest: RestStandIn, prefix: bool
) -> None:
    counter = CallCounter()
    tools = await _tools(mcp_server, sim, okx_rest, counter, prefix=prefix)
    name = "okx_account_get_balance" if prefix else "account_get_balance"
    thread = AgentThread(sim, [calls(name), "Here it is."], tools)

    await thread.asay("What is my balance?")
    assert thread.interrupt_kinds == ["site_choice"]
    assert thread.interrupts[0]["message"] == site_menu()
    assert counter.names == []
    assert "Private endpoint requires API credentials" not in _seen_by_the_model(thread)
    assert call_log.logins() == []
    assert okx_rest.paths == []


async def test_market_data_needs_no_sign_in(
    mcp_server: Path, sim: Simulator, call_log: CallLog, okx_rest: RestStandIn
) -> None:
    counter = CallCounter()
    tools = await _tools(mcp_server, sim, okx_rest, counter)
    thread = AgentThread(sim, [calls("market_get_ticker", instId="BTC-USDT"), "64k."], tools)

    result = await thread.asay("BTC price?")
    assert thread.interrupt_kinds == []
    assert counter.names == ["market_get_ticker"]
    assert call_log.argvs() == []
    assert [path.split("?")[0] for path in okx_rest.paths] == ["/api/v5/market/ticker"]
    assert "64123.5" in _seen_by_the_model(thread)
    assert text_of(result["messages"][-1]) == "64k."


async def test_a_key_okx_refuses_gets_step_0_2_a(
    mcp_server: Path, sim: Simulator, call_log: CallLog, okx_rest: RestStandIn
) -> None:
    thread, counter = await _keyed_balance(mcp_server, sim, okx_rest, INVALID_SIGN)
    assert thread.interrupt_kinds == ["api_key_remedy"]
    assert thread.interrupts[0]["message"] == render(
        "api_key_remedy", "en", name="main", host="my.okx.com"
    )
    assert counter.names == ["account_get_balance"]
    assert okx_rest.headers[0]["OK-ACCESS-KEY"] == KEY  # the server really used the key
    assert call_log.logins() == []
    everything = _everything(thread)
    for secret in (KEY, SECRET, PASSPHRASE):
        assert secret not in everything
    assert "Invalid Sign" not in _seen_by_the_model(thread)


async def test_a_rate_limit_is_the_tools_answer_and_no_sign_in(
    mcp_server: Path, sim: Simulator, call_log: CallLog, okx_rest: RestStandIn
) -> None:
    thread, counter = await _keyed_balance(mcp_server, sim, okx_rest, TOO_MANY)
    assert thread.interrupt_kinds == []
    assert counter.names == ["account_get_balance"]
    tool_answer = next(m for m in thread.result["messages"] if isinstance(m, ToolMessage))
    assert "Too Many Requests" in text_of(tool_answer)
    # One preflight before the tool (Step 0: an API key is configured), no recovery after it.
    assert sorted(call_log.argvs()) == FIRST_STEP_0
    assert call_log.logins() == []


async def test_signed_in_by_oauth_the_tool_is_retried_once_then_explained(
    mcp_server: Path, sim: Simulator, call_log: CallLog, okx_rest: RestStandIn
) -> None:
    counter = CallCounter()
    tools = await _tools(mcp_server, sim, okx_rest, counter)
    thread = AgentThread(sim, [calls("account_get_balance"), "It did not work."], tools)

    await thread.asay("What is my balance?")
    assert thread.interrupt_kinds == ["site_choice"]
    await thread.areply("1")
    assert thread.interrupt_kinds == ["authorization_done"]
    sim.browser("approve")
    result = await thread.areply("done")

    # This server release only takes API keys: the OAuth session cannot help it.
    assert thread.interrupt_kinds == []
    assert counter.names == ["account_get_balance", "account_get_balance"]
    assert call_log.logins() == [["auth", "login", "--manual", "--site", "global"]]
    answer = json.loads(text_of(
        next(m for m in reversed(result["messages"]) if isinstance(m, ToolMessage))
    ))
    assert answer["error"] == "okx_tool_failed_after_sign_in"
    assert answer["okx_auth_status"] == "logged_in"
    assert "Private endpoint requires API credentials." in answer["message"]
    seen = _seen_by_the_model(thread)
    assert "OKX_API_KEY" not in seen
    assert "Configure" not in seen
    assert isinstance(result["messages"][-1], AIMessage)
    assert text_of(result["messages"][-1]) == "It did not work."


def test_the_connection_shape() -> None:
    connection = okx_mcp_connection(
        command="/opt/okx-trade-mcp", modules=("account", "market"), read_only=True,
        site="eea", okx_home="/homes/alice", audit_log=False,
    )
    assert connection == {
        "transport": "stdio",
        "command": "/opt/okx-trade-mcp",
        "args": ["--modules", "account,market", "--read-only", "--site", "eea", "--no-log"],
        "env": {"HOME": "/homes/alice"},
    }
    with pytest.raises(ValueError, match="at least one module"):
        okx_mcp_connection(modules=())
    with pytest.raises(ValueError, match="'mars' is not a valid Site"):
        okx_mcp_connection(site="mars")  # type: ignore[arg-type]


async def test_a_successful_private_tool_runs_once_without_a_recovery(
    mcp_server: Path, sim: Simulator, call_log: CallLog, okx_rest: RestStandIn
) -> None:
    # Every answer of the server carries its capability report, `requires_auth` included.
    balance = {"code": "0", "msg": "", "data": [{"details": [{"ccy": "USDT", "availBal": "7"}]}]}
    thread, counter = await _keyed_balance(mcp_server, sim, okx_rest, balance)
    assert thread.interrupt_kinds == []
    assert counter.names == ["account_get_balance"]
    assert sorted(call_log.argvs()) == FIRST_STEP_0
    assert '"availBal": "7"' in _seen_by_the_model(thread).replace('":"', '": "')
