"""The auth graph as a subgraph: interrupts surface to the parent, resume through it.

A parent app shares `messages` and reads `okx_auth`; it compiles with its own
checkpointer and adds `build_auth_graph()` (no checkpointer) as a node.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, NotRequired

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from typing_extensions import TypedDict

from okx_auth_graph import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.prompts import format_minutes, render
from okx_auth_graph.replies import text_of
from okx_auth_graph.skill import site_menu
from okx_auth_graph.state import OkxAuthOutcome
from tests.expected import FIRST_STEP_0, SITES, inbox_payload
from tests.support import CallLog, Simulator, cli_options

SCOPES = ["live:read", "live:trade"]
EEA_URI = "https://my.okx.com/account/oauth/device"


class ParentState(TypedDict):
    """An agent app's state: the conversation, the auth outcome, and its own key."""

    messages: Annotated[list[AnyMessage], add_messages]
    okx_auth: NotRequired[OkxAuthOutcome | None]
    next_step_saw: NotRequired[str | None]


def after_auth(state: ParentState) -> dict[str, Any]:
    """The parent's next node: it can read the outcome the subgraph left."""
    outcome = state.get("okx_auth") or {}
    return {"next_step_saw": outcome.get("status")}


ParentGraph = CompiledStateGraph[ParentState, AuthContext, ParentState, ParentState]


def build_parent(okx_cli: str) -> ParentGraph:
    builder = StateGraph(ParentState, context_schema=AuthContext)
    builder.add_node("okx_auth", build_auth_graph(**cli_options(okx_cli)))
    builder.add_node("after_auth", after_auth)
    builder.add_edge(START, "okx_auth")
    builder.add_edge("okx_auth", "after_auth")
    builder.add_edge("after_auth", END)
    return builder.compile(checkpointer=InMemorySaver())


def interrupt_values(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(i.value) for i in result.get("__interrupt__", [])]


def sim_user_code(sim: Simulator) -> str:
    state = json.loads((sim.home / ".okx" / "okx-sim-state.json").read_text())
    return str(state["pending"]["user_code"])


def test_whole_login_through_a_parent_graph(sim: Simulator, call_log: CallLog) -> None:
    parent = build_parent(sim.path)
    config: RunnableConfig = {"configurable": {"thread_id": "parent-1"}}
    context = AuthContext(okx_home=str(sim.home))

    result = dict(parent.invoke({"messages": [HumanMessage("log me in")]}, config,
                                context=context))
    assert interrupt_values(result) == [
        inbox_payload({"kind": "site_choice", "message": site_menu(), "choices": SITES})
    ]
    snapshot = parent.get_state(config)
    assert snapshot.next == ("okx_auth",)
    assert [i.value["kind"] for i in snapshot.interrupts] == ["site_choice"]
    assert "next_step_saw" not in result

    result = dict(parent.invoke(Command(resume="2"), config, context=context))
    code = sim_user_code(sim)
    login_text = render("login", "en", site="eea", verificationUri=EEA_URI, userCode=code,
                        **{"expiresIn/60": format_minutes(600)})
    assert interrupt_values(result) == [inbox_payload({
        "kind": "authorization_done",
        "message": login_text,
        "site": "eea",
        "verification_uri": EEA_URI,
        "user_code": code,
        "expires_in": 600,
    })]
    assert parent.get_state(config).next == ("okx_auth",)

    sim.browser("approve")
    result = dict(parent.invoke(Command(resume="done"), config, context=context))
    success = render("success", "en", site="eea", scopes=", ".join(SCOPES))
    assert "__interrupt__" not in result
    assert result["okx_auth"] == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert result["next_step_saw"] == "logged_in"
    messages: list[AnyMessage] = result["messages"]
    assert [(type(m), text_of(m)) for m in messages] == [
        (HumanMessage, "log me in"),
        (AIMessage, site_menu()),
        (HumanMessage, "2"),
        (AIMessage, login_text),
        (HumanMessage, "done"),
        (AIMessage, success),
    ]
    # The subgraph's private findings stay inside it.
    assert set(result) == {"messages", "okx_auth", "next_step_saw"}
    assert parent.get_state(config).next == ()
    argvs = call_log.argvs()
    assert sorted(argvs[:3]) == FIRST_STEP_0
    assert argvs[3:] == [["auth", "login", "--manual", "--site", "eea"],
                         ["auth", "status", "--json"]]


async def test_api_key_stop_through_a_parent_graph_async(
    sim: Simulator, call_log: CallLog
) -> None:
    sim.write_config(
        'default_profile = "main"\n\n[profiles.main]\napi_key = "ak-parent-graph-5678"\n'
        'secret_key = "sk-parent"\npassphrase = "pp-parent"\nsite = "us"\n'
    )
    parent = build_parent(sim.path)
    config: RunnableConfig = {"configurable": {"thread_id": "parent-2"}}
    context = AuthContext(okx_home=str(sim.home))

    result = dict(await parent.ainvoke({"messages": [HumanMessage("帮我登录")]}, config,
                                       context=context))
    assert "__interrupt__" not in result
    assert result["okx_auth"] == {"status": "api_key_configured", "profile": "main", "site": "us"}
    assert result["next_step_saw"] == "api_key_configured"
    assert [text_of(m) for m in result["messages"]] == [
        "帮我登录", "已配置 API key (profile: main)",
    ]
    assert sorted(call_log.argvs()) == FIRST_STEP_0
