"""What the fragments of the README and the docs leave to the reader, bound as a reader would.

A fragment (a ```py block) names its placeholders in the sentence above it
("Placeholders: `model` (any chat model), ..."); `test_readme.py` binds
exactly those, each with the function of the same name here, and nothing
else. The functions run inside the fragment's own process
(`readme_runner.py` loads this file by path), so they import only the
installed package and what it depends on. `facts` carries what only the
test knows: where its PostgreSQL and OKX's MCP server are.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolCall, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import Field

from okx_auth_graph import build_auth_graph
from okx_auth_graph.builder import AuthGraph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.mcp import OkxMcpConnection, okx_mcp_connection
from okx_auth_graph.middleware import OkxAuthMiddleware
from okx_auth_graph.state import AuthInput

Facts = Mapping[str, str]
"""`postgres_url`: a fresh database; `okx_trade_mcp`: OKX's MCP server, installed."""


class BalanceAsker(BaseChatModel):
    """A chat model that asks for the balance tool it was given, then says it was answered.

    What a real model does with "What is my balance?": one call of the
    account tool, and a reply once the tool's answer is in.
    """

    tool_names: list[str] = Field(default_factory=list)
    """The tools `bind_tools` handed it."""

    @property
    def _llm_type(self) -> str:
        return "readme-balance-asker"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        names = [tool.name for tool in tools if isinstance(tool, BaseTool)]
        return self.model_copy(update={"tool_names": names})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if isinstance(messages[-1], ToolMessage):
            reply = AIMessage(content="The balance tool answered.")
        else:
            balance = next(name for name in self.tool_names if "balance" in name)
            call = ToolCall(name=balance, args={}, id="call-balance")
            reply = AIMessage(content="", tool_calls=[call])
        return ChatResult(generations=[ChatGeneration(message=reply)])


def model(facts: Facts) -> BaseChatModel:
    """"any chat model": one that asks for the balance."""
    return BalanceAsker()


def okx_account_balance(facts: Facts) -> BaseTool:
    """"your okx tools": the example app's, which run `$OKX_CLI` (else `okx`)."""
    from okx_auth_graph.examples.trading_agent import okx_account_balance as balance

    return balance


def okx_market_ticker(facts: Facts) -> BaseTool:
    """The example app's market-data tool."""
    from okx_auth_graph.examples.trading_agent import okx_market_ticker as ticker

    return ticker


def home(facts: Facts) -> str:
    """The user's HOME, as the block above the MCP fragment sets it."""
    return os.path.expanduser("~/okx-users/42")


def connection(facts: Facts) -> OkxMcpConnection:
    """The block above's connection, to the MCP server the test installed."""
    return okx_mcp_connection(
        command=facts["okx_trade_mcp"], okx_home=home(facts), modules=("account", "market")
    )


def middleware(facts: Facts) -> OkxAuthMiddleware:
    """The block above's middleware."""
    return OkxAuthMiddleware()


def headers(facts: Facts) -> dict[str, str]:
    """alice's, minted as the token block does, with the secret the server was started with."""
    import time

    import jwt

    claims = {"sub": "alice", "exp": int(time.time()) + 3600}
    token = jwt.encode(claims, os.environ["OKX_AUTH_JWT_SECRET"], algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def url(facts: Facts) -> str:
    """A fresh database of the test's PostgreSQL."""
    return facts["postgres_url"]


def request(facts: Facts) -> AuthInput:
    """The graph's input: a user asking to sign in."""
    return {"messages": [HumanMessage("帮我登录 OKX")]}


@functools.cache
def _stopped_thread() -> tuple[AuthGraph, RunnableConfig, AuthContext]:
    """A thread that stopped at the site menu, as a crashed server leaves one.

    Its user has a new HOME, as in the README's "Use it", so the thread stops
    at the menu however often the fragment runs (a HOME kept from an earlier
    run would hold that run's pending login).
    """
    stopped = build_auth_graph(InMemorySaver(), okx_cli="okx-sim")
    config: RunnableConfig = {"configurable": {"thread_id": "user-42"}}
    context = AuthContext(okx_home=tempfile.mkdtemp())
    stopped.invoke({"messages": [HumanMessage("帮我登录 OKX")]}, config, context=context)
    return stopped, config, context


def graph(facts: Facts) -> AuthGraph:
    """The thread's graph."""
    return _stopped_thread()[0]


def config(facts: Facts) -> RunnableConfig:
    """The thread's config."""
    return _stopped_thread()[1]


def context(facts: Facts) -> AuthContext:
    """The thread's context."""
    return _stopped_thread()[2]


def reply(facts: Facts) -> str:
    """The user's answer to the menu."""
    return "2"
