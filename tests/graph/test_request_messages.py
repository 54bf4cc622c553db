"""The auth steps read only the request's own messages, whatever the conversation around them.

A parent hands a subgraph node its whole conversation. The auth graph keeps
the request's part of it (from the latest human message on) and what it
posts itself, so no step receives, stores or writes back the rest: a login
costs the same on the first message of a conversation and on the five
thousandth. Measured here by what each step of the auth graph is handed
(LangGraph's `tasks` stream shows every task's input) with a 5,000-message
parent, in both embeddings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, NotRequired, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    HumanMessage,
    MessageLikeRepresentation,
    RemoveMessage,
)
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import Messages, add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from typing_extensions import TypedDict

from okx_auth_graph import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.replies import text_of
from okx_auth_graph.skill import site_menu
from okx_auth_graph.state import AuthInput, OkxAuthOutcome, add_message_batches, request_messages
from okx_auth_graph.subgraph import awaiting_reply, build_auth_subgraph, relay_question
from tests.support import Simulator, cli_options

PRIOR = 5_000
"""The parent's conversation before the user asks to sign in."""
LOGIN_MESSAGES = 6
"""The request's own messages in a whole login: the request, the menu, "2", the
login text, "好了" and the success text."""


class AppState(TypedDict):
    """A chat app's state, as the docs' parent declares it."""

    messages: Annotated[list[AnyMessage], add_messages]
    okx_auth: NotRequired[OkxAuthOutcome | None]


App = CompiledStateGraph[AppState, AuthContext, AppState, AppState]


def history(count: int) -> list[AnyMessage]:
    """A long chat about something else, with ids as a parent's channel gives them."""
    return [
        (HumanMessage if index % 2 == 0 else AIMessage)(content=f"chat {index}", id=f"h{index}")
        for index in range(count)
    ]


def plain_node_app(okx_cli: str) -> App:
    """`build_auth_graph()` as a plain node: it interrupts inside, resumed through the parent."""
    builder = StateGraph(AppState, context_schema=AuthContext)
    builder.add_node("okx_auth", build_auth_graph(**cli_options(okx_cli)))
    builder.add_edge(START, "okx_auth")
    builder.add_edge("okx_auth", END)
    return builder.compile(checkpointer=InMemorySaver())


def relaying_app(okx_cli: str) -> App:
    """`build_auth_subgraph()` with `relay_question`, wired as docs/subgraph.md wires it."""
    builder = StateGraph(AppState, context_schema=AuthContext)
    builder.add_node("okx_auth", build_auth_subgraph(**cli_options(okx_cli)))
    builder.add_node("ask_user", relay_question)
    builder.add_edge(START, "okx_auth")
    builder.add_conditional_edges(
        "okx_auth", lambda state: "ask_user" if awaiting_reply(state.get("okx_auth")) else END,
        ["ask_user", END],
    )
    builder.add_edge("ask_user", "okx_auth")
    return builder.compile(checkpointer=InMemorySaver())


class Watched:
    """A parent app driven turn by turn, with the size of every auth step's input recorded."""

    def __init__(self, app: App, sim: Simulator) -> None:
        self.app = app
        self.config: RunnableConfig = {"configurable": {"thread_id": "chat"}}
        self.context = AuthContext(okx_home=str(sim.home))
        self.received: dict[str, int] = {}
        """The most messages any task of the auth graph was handed, per step name."""

    def turn(self, request: AppState | Command[Any]) -> None:
        events = cast(Iterator[tuple[tuple[str, ...], dict[str, Any]]], self.app.stream(
            request, self.config, context=self.context, stream_mode="tasks", subgraphs=True
        ))
        for namespace, data in events:
            inside = bool(namespace) and namespace[0].startswith("okx_auth")
            if inside and "input" in data and isinstance(data["input"], dict):
                handed = len(data["input"].get("messages", []))
                self.received[data["name"]] = max(self.received.get(data["name"], 0), handed)

    @property
    def messages(self) -> list[AnyMessage]:
        return list(self.app.get_state(self.config).values["messages"])

    def login(self, sim: Simulator) -> None:
        """A whole login: request, menu, "2", code, the browser's approval, "好了"."""
        self.turn({"messages": [HumanMessage("帮我登录 OKX")]})
        self.turn(Command(resume="2"))
        sim.run("browser", "approve")
        self.turn(Command(resume="好了"))


@pytest.mark.parametrize("embed", [plain_node_app, relaying_app], ids=["plain", "relayed"])
def test_no_auth_step_is_handed_the_parents_conversation(sim: Simulator, embed: Any) -> None:
    app = Watched(embed(sim.path), sim)
    app.app.update_state(app.config, {"messages": history(PRIOR)})

    app.login(sim)

    assert app.app.get_state(app.config).values["okx_auth"]["status"] == "logged_in"
    assert {"intake", "preflight", "ask_site", "login", "verify", "success"} <= set(app.received)
    assert max(app.received.values()) <= LOGIN_MESSAGES, app.received
    # The parent's conversation is intact and holds each of the login's messages once.
    messages = app.messages
    assert [m.id for m in messages[:PRIOR]] == [f"h{i}" for i in range(PRIOR)]
    assert len(messages) == PRIOR + LOGIN_MESSAGES
    assert site_menu() in [text_of(m) for m in messages[PRIOR:]]


def test_a_kept_subgraph_starts_each_request_with_its_own_messages(sim: Simulator) -> None:
    """`build_auth_subgraph` keeps its state in the parent's thread: not the last login's chat."""
    app = Watched(relaying_app(sim.path), sim)
    app.login(sim)
    sim.run("session", "expire")  # the session lapses: the next request logs in again
    app.received.clear()

    app.login(sim)

    assert app.app.get_state(app.config).values["okx_auth"]["status"] == "logged_in"
    # `intake` drops the last request's messages: it alone is handed them, with the new one.
    assert app.received.pop("intake") == LOGIN_MESSAGES + 1
    assert max(app.received.values()) <= LOGIN_MESSAGES, app.received
    assert len(app.messages) == 2 * LOGIN_MESSAGES


def test_a_standalone_thread_keeps_what_a_chat_client_sends(sim: Simulator) -> None:
    """The graph on its own holds its thread's conversation; an input starts at its latest
    human message (a client sends its new message; older ones are the client's)."""
    graph = build_auth_graph(InMemorySaver(), **cli_options(sim.path))
    config: RunnableConfig = {"configurable": {"thread_id": "t"}}
    context = AuthContext(okx_home=str(sim.home))
    earlier: list[AnyMessage] = [HumanMessage("hi", id="a"), AIMessage("hello", id="b")]

    first: AuthInput = {"messages": [*earlier, HumanMessage("登录", id="c")]}
    graph.invoke(first, config, context=context)
    graph.invoke(Command(resume="取消"), config, context=context)
    again: AuthInput = {"messages": [HumanMessage("log me in", id="d")]}
    graph.invoke(again, config, context=context)

    ids = [m.id for m in graph.get_state(config).values["messages"]]
    assert ids[0] == "c"
    assert "d" in ids
    assert not {"a", "b"} & set(ids)
    assert len(ids) == len(set(ids))


def test_request_messages_start_at_the_latest_human_message() -> None:
    said = [HumanMessage("a"), AIMessage("b"), HumanMessage("c"), AIMessage("d")]
    assert request_messages(said) == said[2:]
    assert request_messages([AIMessage("no one spoke")]) == []
    assert request_messages([]) == []


MESSAGE: st.SearchStrategy[MessageLikeRepresentation] = st.builds(
    lambda kind, key, text: (HumanMessage if kind else AIMessage)(content=text, id=f"m{key}"),
    st.booleans(), st.integers(0, 8), st.text(max_size=3),
)


@given(st.lists(MESSAGE, max_size=6), st.lists(st.lists(MESSAGE, max_size=4), max_size=6))
def test_one_pass_merge_equals_merging_write_by_write(
    start: list[MessageLikeRepresentation], batches: list[Messages]
) -> None:
    """Replaying a thread merges all its writes at once; the result is the write-by-write one."""
    current = add_messages([], start)
    one_by_one = current
    for batch in batches:
        one_by_one = add_messages(one_by_one, batch)
    assert add_message_batches(current, batches) == one_by_one


@given(st.lists(MESSAGE, max_size=6), st.lists(st.lists(st.text(max_size=3), max_size=3),
                                              max_size=4))
def test_posting_new_messages_appends_them_as_add_messages_does(
    start: list[MessageLikeRepresentation], posts: list[list[str]]
) -> None:
    """Messages without ids (what a step posts) are appended, each with a fresh id."""
    current = cast(list[AnyMessage], add_messages([], start))
    batches: list[Messages] = [
        cast(list[MessageLikeRepresentation], [AIMessage(content=text) for text in post])
        for post in posts
    ]
    merged = cast(list[AnyMessage], add_message_batches(cast(Messages, current), batches))

    assert merged[: len(current)] == current
    appended = merged[len(current):]
    assert [m.content for m in appended] == [text for post in posts for text in post]
    ids = [m.id for m in merged]
    assert None not in ids
    assert len(set(ids)) == len(ids)


def test_one_pass_merge_takes_single_messages_and_removals() -> None:
    first: list[MessageLikeRepresentation] = [AIMessage("x", id="1")]
    second = AIMessage("y", id="2")
    removal: list[MessageLikeRepresentation] = [RemoveMessage(id="1")]
    merged = add_message_batches(first, [second, removal])
    assert merged == [second]
