"""The unchanged graph on every checkpointer it ships extras for: memory, SQLite, Postgres.

Each test plays the same login (menu, choice, device flow, done) and expects
the same texts, outcome and okx calls on every store. For the durable stores
each user turn opens a new connection and compiles a new graph, as a server
that keeps nothing between requests would: everything the next turn needs
must come back out of the store, through strict msgpack loading.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.graph import AuthGraph, build_auth_graph
from okx_auth_graph.replies import text_of
from okx_auth_graph.state import AuthInput
from tests.expected import SEED_MENU
from tests.reliability.driver import User, thread_config
from tests.reliability.report import Figure
from tests.reliability.script import (
    BEFORE_THE_CHECK,
    CHOICE,
    LOGIN,
    OPENING,
    OUTCOME,
    UNBROKEN_CALLS,
    expected_texts,
    in_preflight_order,
    login_text,
    shown_code,
)
from tests.reliability.stores import kind_of, open_async_saver, open_saver
from tests.support import CallLog, Simulator

STORES = ["memory", "sqlite", "postgres"]
THREAD = "checkpointer-user"
CONFIG = thread_config(THREAD)
Request = AuthInput | Command[Any] | None


class Turns:
    """Opens the store for each user turn: the same in-memory saver, or a new connection."""

    def __init__(self, store: str) -> None:
        self.store = store
        self.memory = InMemorySaver()
        self.connections = 0

    def describe(self) -> str:
        """How the turns reached the store, for the figure."""
        if self.store == "memory":
            return "full login, one in-process saver throughout"
        return f"full login, {self.connections} requests each on a new connection"

    @contextmanager
    def saver(self) -> Iterator[BaseCheckpointSaver[str]]:
        """The store for one turn (a new connection unless it lives in this process)."""
        if self.store == "memory":
            yield self.memory
            return
        self.connections += 1
        with open_saver(self.store) as saver:
            yield saver

    @asynccontextmanager
    async def async_saver(self) -> AsyncIterator[BaseCheckpointSaver[str]]:
        """The asyncio twin of `saver`."""
        if self.store == "memory":
            yield self.memory
            return
        self.connections += 1
        async with open_async_saver(self.store) as saver:
            yield saver


def opening() -> AuthInput:
    """The first request of the conversation."""
    return {"messages": [HumanMessage(content=OPENING)]}


def texts_of(values: dict[str, Any]) -> list[str]:
    """What the assistant posted in the thread."""
    return [text_of(m) for m in values["messages"] if isinstance(m, AIMessage)]


def reply_to(result: dict[str, Any], user: User) -> Request:
    """The user's next request: the answer to the open question, or None when done."""
    questions = result.get("__interrupt__") or []
    return Command(resume=user.answer(questions[0].value)) if questions else None


def graph_of(saver: BaseCheckpointSaver[str], sim: Simulator) -> AuthGraph:
    """The auth graph on `saver`, running this test's simulator."""
    return build_auth_graph(saver, okx_cli=sim.path)


def context_for(sim: Simulator) -> AuthContext:
    """This test's HOME (the graph is built with its CLI)."""
    return AuthContext(okx_home=str(sim.home))


@pytest.mark.parametrize("store", STORES, indirect=True)
def test_full_login_on_each_checkpointer(
    store: str, sim: Simulator, call_log: CallLog, figure: Figure
) -> None:
    turns, context = Turns(store), context_for(sim)
    user = User(sim.path, context)
    request: Request = opening()
    while request is not None:
        with turns.saver() as saver:
            result = graph_of(saver, sim).invoke(request, CONFIG, context=context)
            waiting = graph_of(saver, sim).get_state(CONFIG).values.get("pending_login")
            # A login waiting for "done" comes back whole: the site and code the user was shown.
            if waiting is not None:
                shown = result["__interrupt__"][0].value
                assert waiting == {"site": shown["site"], "device": {
                    key: shown[key] for key in ("verification_uri", "user_code", "expires_in")
                }}
        request = reply_to(result, user)

    requests = turns.describe()
    with turns.saver() as saver:
        values = graph_of(saver, sim).get_state(CONFIG).values
        stored = len(list(saver.list(CONFIG)))
    assert values["okx_auth"] == OUTCOME
    assert texts_of(values) == expected_texts(shown_code(texts_of(values)))
    assert in_preflight_order(call_log.argvs()) == UNBROKEN_CALLS
    figure(f"{kind_of(store)}, sync: {requests}; {stored} checkpoints; "
           f"okx calls {len(call_log.argvs())}; logged_in")


@pytest.mark.parametrize("store", STORES, indirect=True)
async def test_full_login_on_each_async_checkpointer(
    store: str, sim: Simulator, call_log: CallLog, figure: Figure
) -> None:
    turns, context = Turns(store), context_for(sim)
    user = User(sim.path, context)
    request: Request = opening()
    while request is not None:
        async with turns.async_saver() as saver:
            result = await graph_of(saver, sim).ainvoke(request, CONFIG, context=context)
        questions = result.get("__interrupt__") or []
        request = (
            Command(resume=await asyncio.to_thread(user.answer, questions[0].value))
            if questions else None
        )

    requests = turns.describe()
    async with turns.async_saver() as saver:
        values = (await graph_of(saver, sim).aget_state(CONFIG)).values
        stored = len([c async for c in saver.alist(CONFIG)])
    assert values["okx_auth"] == OUTCOME
    assert texts_of(values) == expected_texts(shown_code(texts_of(values)))
    assert in_preflight_order(call_log.argvs()) == UNBROKEN_CALLS
    figure(f"{kind_of(store)}, async: {requests}; {stored} checkpoints; "
           f"okx calls {len(call_log.argvs())}; logged_in")


@pytest.mark.parametrize(
    "store",
    [
        "memory",
        "sqlite",
        "postgres",
    ],
    indirect=True,
)
def test_run_paused_before_login_logs_in_without_a_second_menu(
    store: str, sim: Simulator, call_log: CallLog, figure: Figure
) -> None:
    """A parent that reviews logins (`interrupt_before=["login"]`) or a crash between the
    site choice and the login leaves this checkpoint; the next run starts from the store."""
    turns, context = Turns(store), context_for(sim)
    with turns.saver() as saver:
        graph_of(saver, sim).invoke(opening(), CONFIG, context=context)
    with turns.saver() as saver:
        graph_of(saver, sim).invoke(
            Command(resume=CHOICE), CONFIG, context=context, interrupt_before=["login"]
        )
        assert graph_of(saver, sim).get_state(CONFIG).next == ("login",)

    with turns.saver() as saver:
        graph = graph_of(saver, sim)
        assert graph.get_state(CONFIG).values["site_choice"]["site"] == "eea"
        result = graph.invoke(None, CONFIG, context=context)

    question = result["__interrupt__"][0].value
    texts = texts_of(result)
    assert question["kind"] == "authorization_done"
    assert texts == [SEED_MENU, login_text(question["user_code"])]
    assert in_preflight_order(call_log.argvs()) == BEFORE_THE_CHECK
    figure(
        f"{kind_of(store)}: resumed from a checkpoint before login; menus posted "
        f"{texts.count(SEED_MENU)}, auth login x{call_log.argvs().count(LOGIN)}"
    )
