"""The graph reads as the skill: its nodes, its guarded edges, and the order they run in.

The drawing (`get_graph()`, what LangGraph Studio shows) must name Step 0's
preflight, Steps 0.1, 0.2, 0.3 and the pre-login gate as nodes, label each
rule's out-edges in the skill's words, and have no way into a login but
through the gate. The node order of real conversations (the `updates`
stream) shows the checks run in the skill's strict order and stop where the
skill says.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.types import Command

from okx_auth_graph import build_auth_graph
from tests.support import Conversation, Simulator, keyed_config

pytestmark = pytest.mark.usefixtures("durability")

GRAPH = build_auth_graph().get_graph()
EDGES = [
    (edge.source, edge.target, None if edge.data is None else str(edge.data))
    for edge in GRAPH.edges
]

KEYED_CONFIG = keyed_config("ak-shape-0001-abcd", "sk-shape-0002", "pp-shape-0003")


def sources_into(node: str) -> set[str]:
    """The nodes with an edge into `node`."""
    return {source for source, target, _ in EDGES if target == node}


def targets_of(node: str) -> set[str]:
    """The nodes `node` has an edge to."""
    return {target for source, target, _ in EDGES if source == node}


def labels_from(node: str) -> dict[str, str | None]:
    """Where each out-edge of `node` goes, and its label."""
    return {target: label for source, target, label in EDGES if source == node}


def test_the_skills_steps_are_nodes() -> None:
    skill = {
        "intake", "preflight", "site_check", "menu", "ask_site", "api_key_check",
        "api_key_stop", "oauth_check", "success", "pending_notice", "pre_login_gate",
        "login", "announce_login", "login_interactive", "await_authorization", "verify",
        "ask_retry",
    }
    entries = {
        "recover", "report_status", "logout", "install_binary", "report_install_status",
        "post_remove_question", "confirm_remove", "remove_binary", "repair_binary",
        "ask_api_key_remedy", "drop_api_key_profile", "report_failure",
    }
    assert set(GRAPH.nodes) == skill | entries | {"__start__", "__end__"}


def test_only_the_gate_leads_into_a_login() -> None:
    assert sources_into("login") == {"pre_login_gate"}
    assert sources_into("announce_login") == {"pre_login_gate"}
    assert targets_of("announce_login") == {"login_interactive"}
    assert sources_into("login_interactive") == {"announce_login"}


def test_the_checks_run_in_the_skills_order_and_only_site_check_is_a_way_in() -> None:
    assert sources_into("api_key_check") == {"site_check"}
    assert sources_into("oauth_check") == {"api_key_check"}
    assert sources_into("pre_login_gate") == {"oauth_check"}
    assert sources_into("site_check") == {
        "preflight", "ask_site", "recover", "repair_binary", "drop_api_key_profile", "ask_retry",
    }


def test_each_rule_is_labelled_in_the_skills_words() -> None:
    assert labels_from("site_check") == {
        "api_key_check": "0.1 site known → 0.2", "menu": "0.1 no site → menu",
    }
    assert labels_from("api_key_check") == {
        "api_key_stop": "0.2 API key → stop", "oauth_check": "0.2 no key → 0.3",
    }
    assert labels_from("oauth_check") == {
        "success": "logged_in → success",
        "pending_notice": "pending → wait",
        "pre_login_gate": "not_logged_in → gate",
        "report_failure": "no status → failure",
    }
    assert labels_from("pre_login_gate") == {
        "login": "gate holds → manual login",
        "announce_login": "gate holds → blocking login",
        "menu": "gate fails → menu",
    }
    assert labels_from("preflight") == {
        "report_failure": "Step 0 failed → report",
        "recover": "recover → route the error",
        "site_check": "Step 0 done → 0.1",
    }


def test_the_menu_is_posted_only_by_its_own_node_and_always_asked_next() -> None:
    """The menu's question is reached from the menu, or from intake with a reply typed to it."""
    assert targets_of("menu") == {"ask_site"}
    assert sources_into("ask_site") == {"menu", "intake"}


def test_intake_leads_back_to_every_question_for_a_reply_typed_as_a_message() -> None:
    assert labels_from("intake") == {
        "ask_site": "site_choice",
        "await_authorization": "authorization_done",
        "ask_retry": "retry_login",
        "confirm_remove": None,
        "ask_api_key_remedy": "api_key_remedy",
        "preflight": "login",  # and "recover": one edge in the drawing
        "report_status": "status",
        "logout": None,
        "install_binary": "install",
        "report_install_status": "install_status",
        "post_remove_question": "remove",
    }


def node_order(conv: Conversation, request: Any) -> list[str]:
    """The nodes one turn runs, in order (an interrupted node counts when it finishes)."""
    order: list[str] = []
    for update in conv.graph.stream(
        request, conv.config, context=conv.context, stream_mode="updates",
        durability=conv.durability,
    ):
        order.extend(name for name in update if name != "__interrupt__")
    return order


def opening(text: str) -> dict[str, Any]:
    return {"messages": [HumanMessage(content=text)]}


def test_a_first_login_runs_the_steps_in_the_skills_order(sim: Simulator) -> None:
    conv = Conversation(sim)
    first = node_order(conv, opening("log me in"))
    assert first == ["intake", "preflight", "site_check", "menu"]
    chosen = node_order(conv, Command(resume="2"))
    assert chosen == [
        "ask_site", "site_check", "api_key_check", "oauth_check", "pre_login_gate", "login",
    ]
    sim.browser("approve")
    done = node_order(conv, Command(resume="done"))
    assert done == ["await_authorization", "verify", "success"]
    state = conv.graph.get_state(conv.config)
    assert state.values["okx_auth"]["status"] == "logged_in"


def test_an_api_key_user_stops_at_step_0_2_before_the_gate(sim: Simulator) -> None:
    sim.write_config(KEYED_CONFIG)
    conv = Conversation(sim)
    order = node_order(conv, opening("log me in"))
    assert order == ["intake", "preflight", "site_check", "api_key_check", "api_key_stop"]
    assert conv.graph.get_state(conv.config).values["okx_auth"]["status"] == "api_key_configured"


def test_a_logged_in_user_stops_at_step_0_3_before_the_gate(sim: Simulator) -> None:
    sim.log_in("us")
    conv = Conversation(sim)
    order = node_order(conv, opening("log me in"))
    assert order == [
        "intake", "preflight", "site_check", "api_key_check", "oauth_check", "success",
    ]
    assert conv.graph.get_state(conv.config).values["okx_auth"]["status"] == "logged_in"


def test_a_pending_login_waits_without_reaching_the_gate(sim: Simulator) -> None:
    sim.start_pending_login("eea")
    conv = Conversation(sim)
    order = node_order(conv, opening("log me in"))
    assert order == [
        "intake", "preflight", "site_check", "api_key_check", "oauth_check", "pending_notice",
    ]
    assert conv.graph.get_state(conv.config).next == ("await_authorization",)
