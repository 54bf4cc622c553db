"""A scripted chat model and an agent wired with the middleware, for the tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from langchain.agents import create_agent
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolCall
from langchain_core.outputs import ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import Field

from okx_auth_graph.context import AuthContext
from okx_auth_graph.middleware import OkxAuthMiddleware
from tests.support import Simulator

_ids = itertools.count(1)


class ScriptedChatModel(GenericFakeChatModel):
    """Answers from a script and remembers every prompt it was given."""

    received: list[list[BaseMessage]] = Field(default_factory=list)
    """Each call's messages, system prompt first, as the provider would get them."""

    def bind_tools(
        self, tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.received.append(list(messages))
        return super()._generate(messages, stop, run_manager, **kwargs)

    def seen_conversation(self) -> str:
        """Every message the model was shown except the system prompt, as one string."""
        return "\n".join(
            str(m.content) for call in self.received for m in call
            if not isinstance(m, SystemMessage)
        )


def calls(*names: str, **args: Any) -> AIMessage:
    """A model turn that calls these tools (each with `args`)."""
    tool_calls = [ToolCall(name=name, args=dict(args), id=f"call-{next(_ids)}")
                  for name in names]
    return AIMessage(content="", tool_calls=tool_calls)


Agent = CompiledStateGraph[Any, AuthContext, Any, Any]


class AgentThread:
    """One thread with a `create_agent` agent that uses the middleware."""

    def __init__(
        self,
        sim: Simulator,
        script: Sequence[AIMessage | str],
        tools: Sequence[BaseTool],
        middleware: OkxAuthMiddleware | None = None,
        system_prompt: str | None = None,
    ) -> None:
        self.model = ScriptedChatModel(messages=iter(script))
        self.agent: Agent = create_agent(
            self.model, list(tools), system_prompt=system_prompt,
            middleware=[middleware or OkxAuthMiddleware()], context_schema=AuthContext,
            checkpointer=InMemorySaver(),
        )
        self.config: RunnableConfig = {"configurable": {"thread_id": "agent-1"}}
        self.context = AuthContext(okx_home=str(sim.home))
        self.result: dict[str, Any] = {}

    def say(self, text: str) -> dict[str, Any]:
        return self.send({"messages": [HumanMessage(text)]})

    def reply(self, text: str) -> dict[str, Any]:
        return self.send(Command(resume=text))

    def send(self, request: dict[str, Any] | Command[Any]) -> dict[str, Any]:
        self.result = dict(self.agent.invoke(request, self.config, context=self.context))
        return self.result

    async def asay(self, text: str) -> dict[str, Any]:
        return await self.asend({"messages": [HumanMessage(text)]})

    async def areply(self, text: str) -> dict[str, Any]:
        return await self.asend(Command(resume=text))

    async def asend(self, request: dict[str, Any] | Command[Any]) -> dict[str, Any]:
        self.result = dict(
            await self.agent.ainvoke(request, self.config, context=self.context)
        )
        return self.result

    @property
    def interrupts(self) -> list[dict[str, Any]]:
        return [dict(i.value) for i in self.result.get("__interrupt__", [])]

    @property
    def interrupt_kinds(self) -> list[str]:
        return [i["kind"] for i in self.interrupts]
