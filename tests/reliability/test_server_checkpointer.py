"""The PostgreSQL checkpointer a LangGraph server is pointed at (`okx_auth_graph.server`).

A server wraps a custom checkpointer without handing it the graph's list of
loadable types, so under strict loading its rows must be readable by the
saver alone: the state is plain data, so they are. This test writes a thread
through the factory's saver and reads it back through the saver only, as the
server does after a restart.
"""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig

from okx_auth_graph.context import AuthContext
from okx_auth_graph.graph import build_auth_graph
from okx_auth_graph.okx import OkxSettings, config_show, execute
from okx_auth_graph.server import URL_ENV, postgres_checkpointer
from tests.reliability.report import Figure
from tests.reliability.script import OPENING
from tests.support import Simulator

CONFIG: RunnableConfig = {"configurable": {"thread_id": "server-user"}}


async def test_a_restarted_server_loads_the_stored_values(
    postgres_url: str, sim: Simulator, monkeypatch: pytest.MonkeyPatch, figure: Figure
) -> None:
    monkeypatch.setenv(URL_ENV, postgres_url)
    context = AuthContext(okx_home=str(sim.home))
    async with postgres_checkpointer() as saver:
        graph = build_auth_graph(saver, okx_cli=sim.path)
        await graph.ainvoke({"messages": [HumanMessage(OPENING)]}, CONFIG, context=context)

    async with postgres_checkpointer() as restarted:  # a new pool, as after a restart
        stored = await restarted.aget_tuple(CONFIG)
    assert stored is not None
    config = stored.checkpoint["channel_values"]["config"]
    settings = OkxSettings(okx_cli=sim.path, okx_home=str(sim.home))
    assert config == execute(config_show(settings), settings)
    figure("postgres via okx_auth_graph.server: the stored config loads back equal, "
           "with no list of types")


async def test_a_missing_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    with pytest.raises(RuntimeError, match=URL_ENV):
        async with postgres_checkpointer():
            pass
