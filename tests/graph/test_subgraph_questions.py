"""A parent that embeds `build_auth_subgraph()`: its chat holds each question while it waits.

The parent here is the smallest one the module documents: the subgraph,
then `relay_question` while `awaiting_reply`, and back. Its own `messages`
must show the menu, the link and code and the reminders as they are posted;
its interrupts must be the auth graph's own; a reply typed as a new message
must count as the resume would; and every rule of the skill must still hold.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator
from typing import Annotated, Literal, NotRequired

import pytest
from langchain_core.messages import AnyMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from typing_extensions import TypedDict

from okx_auth_graph import build_auth_graph
from okx_auth_graph.builder import AuthGraph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.prompts import render
from okx_auth_graph.replies import text_of
from okx_auth_graph.skill import site_menu
from okx_auth_graph.state import OkxAuthOutcome
from okx_auth_graph.subgraph import awaiting_reply, build_auth_subgraph, relay_question
from tests.expected import (
    FIRST_STEP_0,
    NOT_A_CHOICE,
    SCOPES,
    SITES,
    STATUS,
    TR_MENU,
    inbox_payload,
)
from tests.support import CallLog, Conversation, Simulator, cli_options


class Parent(TypedDict):
    """A parent's state: the conversation and the outcome, as the contract names them."""

    messages: Annotated[list[AnyMessage], add_messages]
    okx_auth: NotRequired[OkxAuthOutcome | None]


def after_sign_in(state: Parent) -> Literal["ask_user", "__end__"]:
    return "ask_user" if awaiting_reply(state.get("okx_auth")) else "__end__"


ParentGraph = CompiledStateGraph[Parent, AuthContext, Parent, Parent]


def build_parent(
    checkpointer: BaseCheckpointSaver[str], okx_cli: str, skill: str | None = None
) -> ParentGraph:
    builder = StateGraph(Parent, context_schema=AuthContext)
    builder.add_node("okx_auth", build_auth_subgraph(skill=skill, **cli_options(okx_cli)))
    builder.add_node("ask_user", relay_question)
    builder.add_edge(START, "okx_auth")
    builder.add_conditional_edges("okx_auth", after_sign_in, ["ask_user", END])
    builder.add_edge("ask_user", "okx_auth")
    return builder.compile(checkpointer=checkpointer)


def shown(conv: Conversation) -> list[str]:
    """What the parent's own thread holds now: what its chat view shows."""
    return [text_of(m) for m in conv.graph.get_state(conv.config).values["messages"]]


@pytest.fixture(params=["memory", "sqlite"])
def thread(request: pytest.FixtureRequest, sim: Simulator) -> Iterator[Conversation]:
    if request.param == "memory":
        yield Conversation(sim, build=build_parent)
        return
    with SqliteSaver.from_conn_string(":memory:") as checkpointer:
        yield Conversation(sim, checkpointer=checkpointer, build=build_parent)


def test_each_question_is_in_the_parent_thread_while_it_waits(
    thread: Conversation, sim: Simulator, call_log: CallLog
) -> None:
    thread.start("帮我登录 OKX")
    assert shown(thread) == ["帮我登录 OKX", site_menu()]
    assert thread.interrupt == inbox_payload(
        {"kind": "site_choice", "message": site_menu(), "choices": SITES}
    )
    assert thread.graph.get_state(thread.config).next == ("ask_user",)

    thread.reply("2")
    waiting = thread.interrupt
    assert waiting is not None
    assert waiting["kind"] == "authorization_done"
    assert shown(thread)[-2:] == ["2", waiting["message"]]
    assert waiting["user_code"] in waiting["message"]

    thread.reply("还没")
    assert shown(thread)[-2] == "还没"
    assert waiting["user_code"] in shown(thread)[-1]

    sim.browser("approve")
    thread.reply("好了")
    assert thread.interrupt is None
    assert thread.result["okx_auth"] == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert shown(thread)[-2:] == ["好了", render("success", "zh", site="eea",
                                                scopes=", ".join(SCOPES))]
    argvs = call_log.argvs()
    assert sorted(argvs[:3]) == FIRST_STEP_0
    assert argvs[3:] == [["auth", "login", "--manual", "--site", "eea"], STATUS]


def test_typed_replies_continue_the_sign_in(
    thread: Conversation, sim: Simulator, call_log: CallLog
) -> None:
    thread.start("log me in")
    thread.start("hello")  # no choice: the menu again, still waiting
    assert shown(thread)[-3:] == ["hello", NOT_A_CHOICE["en"], site_menu()]
    assert awaiting_reply(thread.result["okx_auth"])
    thread.start("us")
    assert thread.interrupt is not None
    assert thread.interrupt["kind"] == "authorization_done"
    sim.browser("approve")
    thread.start("done")
    assert thread.result["okx_auth"]["status"] == "logged_in"
    assert thread.result["okx_auth"]["site"] == "us"
    logins = call_log.logins()
    assert logins == [["auth", "login", "--manual", "--site", "us"]]
    # A new request on the same thread starts afresh: nothing of the last one is reused.
    thread.start("log me in")
    assert thread.result["okx_auth"]["status"] == "logged_in"
    assert thread.interrupt is None
    assert call_log.logins() == logins


@pytest.mark.parametrize(
    ("resume", "recorded"),
    [
        pytest.param(2, "2", id="number"),
        pytest.param([{"type": "response", "args": "2"}], "2", id="inbox-list"),
        pytest.param({"type": "response", "args": "eea"}, "eea", id="inbox-response"),
    ],
)
def test_every_resume_form_is_relayed(thread: Conversation, resume: object, recorded: str) -> None:
    thread.start("log me in")
    thread.reply(resume)
    assert thread.interrupt is not None
    assert thread.interrupt["kind"] == "authorization_done"
    assert thread.interrupt["site"] == "eea"
    assert shown(thread)[2] == recorded


def test_ignore_cancels_in_the_request_language(thread: Conversation, call_log: CallLog) -> None:
    thread.start("帮我登录")
    thread.reply({"type": "ignore"})
    assert thread.result["okx_auth"] == {"status": "cancelled"}
    assert shown(thread)[-2:] == ["取消", render("login_cancelled", "zh")]
    assert call_log.logins() == []


def test_the_gate_still_needs_the_menu_first(thread: Conversation, call_log: CallLog) -> None:
    """"2" as the first message is a new request, not a choice: the menu, and no login."""
    thread.start("2")
    assert shown(thread) == ["2", site_menu()]
    assert call_log.logins() == []


def returning_auth_graph(checkpointer: BaseCheckpointSaver[str], okx_cli: str) -> AuthGraph:
    return build_auth_graph(checkpointer, **cli_options(okx_cli), questions="return")


def test_returning_at_questions_ends_each_run_without_an_interrupt(
    sim: Simulator, call_log: CallLog
) -> None:
    conv = Conversation(sim, build=returning_auth_graph)
    posted = conv.start("log me in")
    assert posted == [site_menu()]
    assert "__interrupt__" not in conv.result
    assert conv.graph.get_state(conv.config).next == ()
    assert conv.result["okx_auth"] == {
        "status": "awaiting_reply",
        "question": inbox_payload({"kind": "site_choice", "message": site_menu(),
                                   "choices": SITES}),
        "language": "en",
    }
    posted = conv.start("1")
    assert conv.result["okx_auth"]["question"]["kind"] == "authorization_done"
    assert posted == [conv.result["okx_auth"]["question"]["message"]]
    assert call_log.logins() == [
        ["auth", "login", "--manual", "--site", "global"]
    ]


def test_the_subgraph_builder_takes_every_option_of_the_graph_builder() -> None:
    """`build_auth_subgraph` forwards `build_auth_graph`'s options, with the same defaults,
    but for the two it sets itself (its own state; questions that end the run)."""
    graph = inspect.signature(build_auth_graph).parameters
    subgraph = inspect.signature(build_auth_subgraph).parameters
    fixed = {"checkpointer", "questions"}
    assert {name: (p.kind, p.default) for name, p in graph.items() if name not in fixed} == {
        name: (p.kind, p.default) for name, p in subgraph.items()
    }


def test_the_subgraph_follows_the_skill_version_it_is_given(sim: Simulator) -> None:
    thread = Conversation(sim, build=functools.partial(build_parent, skill="1.3.9"))
    thread.start("log me in")
    assert shown(thread) == ["log me in", TR_MENU]

