"""A parent that embeds `build_auth_subgraph()`: its chat holds each question while it waits.

The parent here is the smallest one the module documents: the subgraph,
then `relay_question` while `awaiting_reply`, and back. Its own `messages`
must show the menu, the link and code and the reminders as they are posted;
its interrupts must be the auth graph's own; a reply typed as a new message
must count as the resume would; and every rule of the skill must still hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal, NotRequired

import pytest
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from typing_extensions import TypedDict

from okx_auth_graph import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.gate import text_of
from okx_auth_graph.prompts import render, site_menu
from okx_auth_graph.state import OkxAuthOutcome
from okx_auth_graph.subgraph import awaiting_reply, build_auth_subgraph, relay_question
from tests.expected import CONFIG_SHOW, SCOPES, SITES, STATUS, inbox_payload
from tests.support import CallLog, Simulator


class Parent(TypedDict):
    """A parent's state: the conversation and the outcome, as the contract names them."""

    messages: Annotated[list[AnyMessage], add_messages]
    okx_auth: NotRequired[OkxAuthOutcome | None]


def after_sign_in(state: Parent) -> Literal["ask_user", "__end__"]:
    return "ask_user" if awaiting_reply(state.get("okx_auth")) else "__end__"


ParentGraph = CompiledStateGraph[Parent, AuthContext, Parent, Parent]


def build_parent(okx_cli: str, checkpointer: InMemorySaver | SqliteSaver) -> ParentGraph:
    builder = StateGraph(Parent, context_schema=AuthContext)
    builder.add_node("okx_auth", build_auth_subgraph(okx_cli=okx_cli))
    builder.add_node("ask_user", relay_question)
    builder.add_edge(START, "okx_auth")
    builder.add_conditional_edges("okx_auth", after_sign_in, ["ask_user", END])
    builder.add_edge("ask_user", "okx_auth")
    return builder.compile(checkpointer=checkpointer)


class Thread:
    """One parent thread, turn by turn."""

    def __init__(self, sim: Simulator, checkpointer: InMemorySaver | SqliteSaver) -> None:
        self.graph = build_parent(sim.path, checkpointer)
        self.config: RunnableConfig = {"configurable": {"thread_id": "parent"}}
        self.context = AuthContext(okx_home=str(sim.home))
        self.result: dict[str, Any] = {}

    def send(self, request: Parent | Command[Any]) -> dict[str, Any]:
        self.result = dict(self.graph.invoke(request, self.config, context=self.context))
        return self.result

    def say(self, text: str) -> dict[str, Any]:
        return self.send({"messages": [HumanMessage(text)]})

    @property
    def question(self) -> dict[str, Any] | None:
        interrupts = self.result.get("__interrupt__", [])
        return dict(interrupts[0].value) if interrupts else None

    @property
    def shown(self) -> list[str]:
        """What the parent's own thread holds now: what its chat view shows."""
        return [text_of(m) for m in self.graph.get_state(self.config).values["messages"]]


@pytest.fixture(params=["memory", "sqlite"])
def thread(request: pytest.FixtureRequest, sim: Simulator) -> Iterator[Thread]:
    if request.param == "memory":
        yield Thread(sim, InMemorySaver())
        return
    with SqliteSaver.from_conn_string(":memory:") as checkpointer:
        yield Thread(sim, checkpointer)


def test_each_question_is_in_the_parent_thread_while_it_waits(
    thread: Thread, sim: Simulator, call_log: CallLog
) -> None:
    thread.say("帮我登录 OKX")
    assert thread.shown == ["帮我登录 OKX", site_menu()]
    assert thread.question == inbox_payload(
        {"kind": "site_choice", "message": site_menu(), "choices": SITES}
    )
    assert thread.graph.get_state(thread.config).next == ("ask_user",)

    thread.send(Command(resume="2"))
    waiting = thread.question
    assert waiting is not None
    assert waiting["kind"] == "authorization_done"
    assert thread.shown[-2:] == ["2", waiting["message"]]
    assert waiting["user_code"] in waiting["message"]

    thread.send(Command(resume="还没"))
    assert thread.shown[-2] == "还没"
    assert waiting["user_code"] in thread.shown[-1]

    sim.browser("approve")
    result = thread.send(Command(resume="好了"))
    assert thread.question is None
    assert result["okx_auth"] == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert thread.shown[-2:] == ["好了", render("success", "zh", site="eea",
                                                scopes=", ".join(SCOPES))]
    argvs = call_log.argvs()
    assert sorted(argvs[:2]) == sorted([CONFIG_SHOW, STATUS])
    assert argvs[2:] == [["auth", "login", "--manual", "--site", "eea"], STATUS]


def test_typed_replies_continue_the_sign_in(
    thread: Thread, sim: Simulator, call_log: CallLog
) -> None:
    thread.say("log me in")
    thread.say("hello")  # no choice: the menu again, still waiting
    assert thread.shown[-3:] == ["hello", render("menu_not_a_choice", "en"), site_menu()]
    assert awaiting_reply(thread.result["okx_auth"])
    thread.say("us")
    assert thread.question is not None
    assert thread.question["kind"] == "authorization_done"
    sim.browser("approve")
    result = thread.say("done")
    assert result["okx_auth"]["status"] == "logged_in"
    assert result["okx_auth"]["site"] == "us"
    logins = [a for a in call_log.argvs() if a[:2] == ["auth", "login"]]
    assert logins == [["auth", "login", "--manual", "--site", "us"]]
    # A new request on the same thread starts afresh: nothing of the last one is reused.
    result = thread.say("log me in")
    assert result["okx_auth"]["status"] == "logged_in"
    assert thread.question is None
    assert [a for a in call_log.argvs() if a[:2] == ["auth", "login"]] == logins


@pytest.mark.parametrize(
    ("resume", "recorded"),
    [
        pytest.param(2, "2", id="number"),
        pytest.param([{"type": "response", "args": "2"}], "2", id="inbox-list"),
        pytest.param({"type": "response", "args": "eea"}, "eea", id="inbox-response"),
    ],
)
def test_every_resume_form_is_relayed(thread: Thread, resume: object, recorded: str) -> None:
    thread.say("log me in")
    thread.send(Command(resume=resume))
    assert thread.question is not None
    assert thread.question["kind"] == "authorization_done"
    assert thread.question["site"] == "eea"
    assert thread.shown[2] == recorded


def test_ignore_cancels_in_the_request_language(thread: Thread, call_log: CallLog) -> None:
    thread.say("帮我登录")
    result = thread.send(Command(resume={"type": "ignore"}))
    assert result["okx_auth"] == {"status": "cancelled"}
    assert thread.shown[-2:] == ["取消", render("login_cancelled", "zh")]
    assert [a for a in call_log.argvs() if a[:2] == ["auth", "login"]] == []


def test_the_gate_still_needs_the_menu_first(thread: Thread, call_log: CallLog) -> None:
    """"2" as the first message is a new request, not a choice: the menu, and no login."""
    thread.say("2")
    assert thread.shown == ["2", site_menu()]
    assert [a for a in call_log.argvs() if a[:2] == ["auth", "login"]] == []


def test_returning_at_questions_ends_each_run_without_an_interrupt(
    sim: Simulator, call_log: CallLog
) -> None:
    graph = build_auth_graph(InMemorySaver(), okx_cli=sim.path, questions="return")
    config: RunnableConfig = {"configurable": {"thread_id": "returning"}}
    context = AuthContext(okx_home=str(sim.home))
    result = graph.invoke({"messages": [HumanMessage("log me in")]}, config, context=context)
    assert "__interrupt__" not in result
    assert graph.get_state(config).next == ()
    assert result["okx_auth"] == {
        "status": "awaiting_reply",
        "question": inbox_payload({"kind": "site_choice", "message": site_menu(),
                                   "choices": SITES}),
        "language": "en",
    }
    result = graph.invoke({"messages": [HumanMessage("1")]}, config, context=context)
    assert result["okx_auth"]["question"]["kind"] == "authorization_done"
    assert isinstance(result["messages"][-1], AIMessage)
    assert [a for a in call_log.argvs() if a[:2] == ["auth", "login"]] == [
        ["auth", "login", "--manual", "--site", "global"]
    ]
