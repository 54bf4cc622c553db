"""A copied graph (what a LangGraph server runs) still loads its own state strictly.

The suite runs with `LANGGRAPH_STRICT_MSGPACK=true`; a copy that lost the
list of loadable types would read the stored models back as plain dicts and
fail on the first resume.
"""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.graph import AuthGraph, graph
from okx_auth_graph.okx import ConfigView
from tests.support import Simulator


def test_a_copy_with_another_checkpointer_resumes(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_CLI", sim.path)  # the served graph's executable, read at call time
    copied = graph.copy(update={"checkpointer": InMemorySaver()})
    configured = copied.with_config({"tags": ["server-run"]})
    assert isinstance(configured, AuthGraph)
    config: RunnableConfig = {"configurable": {"thread_id": "copied"}}
    context = AuthContext(okx_home=str(sim.home))

    configured.invoke({"messages": [HumanMessage("log me in")]}, config, context=context)
    assert isinstance(configured.get_state(config).values["config"], ConfigView)
    result = configured.invoke(Command(resume="2"), config, context=context)
    assert result["__interrupt__"][0].value["kind"] == "authorization_done"
