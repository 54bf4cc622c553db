"""The Step 0.1 → 0.2 → 0.3 decision and the update helpers, called directly.

The graph tests show each branch through whole conversations; these pin the
decision function every path shares: its order, the gate in front of the
login, and that it judges the state as the calling step's update leaves it.
"""

from __future__ import annotations

from typing import Any, Literal, cast

import pytest
from langchain_core.messages import AnyMessage, HumanMessage
from langgraph.runtime import Runtime

from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.checks import from_key_check, from_site_check
from okx_auth_graph.nodes.common import as_seen, changed, merged, say
from okx_auth_graph.okx import AuthStatus, ConfigView, Site
from okx_auth_graph.okx.models import ProfileView
from okx_auth_graph.prompts import site_menu
from okx_auth_graph.state import AuthState

RUNTIME: Runtime[AuthContext] = Runtime(context=AuthContext())
KEYED = ConfigView(profiles=(ProfileView(name="main", site=Site.EEA, api_key_masked="***abcd"),))
SITED = ConfigView(profiles=(ProfileView(name="oauth", site=Site.US),))
EMPTY = ConfigView()
Status = Literal["logged_in", "pending", "not_logged_in"]


def state(config: ConfigView, status: Status, *said: AnyMessage, **extra: Any) -> AuthState:
    """A request's state right after the preflight, in English."""
    messages: list[AnyMessage] = [HumanMessage(content="log me in"), *said]
    site = Site.GLOBAL if status != "not_logged_in" else None
    values = {
        "messages": messages, "language": "en", "config": config,
        "auth": AuthStatus(status=status, site=site), **extra,
    }
    return cast(AuthState, values)


def texts(update: dict[str, Any]) -> list[str]:
    return [str(m.content) for m in update.get("messages", [])]


def test_no_site_means_the_menu_even_with_a_key_configured() -> None:
    """0.1 comes before 0.2: a keyed profile without a site still gets the menu first."""
    keyed_without_site = ConfigView(profiles=(ProfileView(name="k", api_key_masked="***abcd"),))
    goto, update = from_site_check(state(keyed_without_site, "not_logged_in"), RUNTIME)
    assert goto == "ask_site"
    assert texts(update) == [site_menu()]


def test_a_key_stops_before_the_oauth_status_is_looked_at() -> None:
    goto, update = from_site_check(state(KEYED, "logged_in"), RUNTIME)
    assert goto == "__end__"
    assert update["okx_auth"] == {"status": "api_key_configured", "profile": "main", "site": "eea"}


@pytest.mark.parametrize(
    ("status", "goto", "outcome"),
    [("logged_in", "__end__", "logged_in"), ("pending", "await_authorization", None)],
)
def test_a_live_or_pending_session_never_reaches_the_login(
    status: Status, goto: str, outcome: str | None
) -> None:
    decided, update = from_site_check(state(SITED, status), RUNTIME)
    assert decided == goto
    assert (update.get("okx_auth") or {}).get("status") == outcome


def test_a_site_from_the_config_is_no_menu_answer_so_the_gate_posts_the_menu() -> None:
    """The profile's site skips 0.1, but only a reply to the menu opens the gate."""
    goto, update = from_site_check(state(SITED, "not_logged_in"), RUNTIME)
    assert (goto, texts(update)) == ("ask_site", [site_menu()])


def test_the_reply_to_the_menu_opens_the_gate_for_that_site_only() -> None:
    menu_posted = state(EMPTY, "not_logged_in", say(site_menu()))
    answer = {"messages": [HumanMessage(content="2")], "chosen_site": Site.EEA}
    assert from_key_check(menu_posted, RUNTIME, answer) == ("login", answer)
    interactive: Runtime[AuthContext] = Runtime(context=AuthContext(login_mode="interactive"))
    assert from_key_check(menu_posted, interactive, answer)[0] == "announce_login"
    elsewhere = {"messages": [HumanMessage(content="2")], "chosen_site": Site.US}
    assert from_key_check(menu_posted, RUNTIME, elsewhere)[0] == "ask_site"


def test_the_calling_steps_update_comes_first_and_is_kept() -> None:
    before = {"messages": [say("note")], "recovery_handled": True}
    goto, update = from_site_check(state(EMPTY, "not_logged_in"), RUNTIME, before)
    assert goto == "ask_site"
    assert update["recovery_handled"] is True
    assert texts(update) == ["note", site_menu()]


def test_changed_keeps_only_real_changes() -> None:
    current = state(EMPTY, "not_logged_in", switch_site=True)
    assert changed(current, config=EMPTY, failure=None, recovery_handled=False) == {}
    assert changed(current, switch_site=False, chosen_site=Site.US) == {
        "switch_site": False, "chosen_site": Site.US,
    }


def test_merged_and_as_seen_append_messages_in_order() -> None:
    first, then = {"messages": [say("a")], "language": "en"}, {"messages": [say("b")]}
    assert texts(merged(first, then)) == ["a", "b"]
    assert merged({"language": "en"}, {}) == {"language": "en"}
    seen = as_seen(state(EMPTY, "not_logged_in"), merged(first, then))
    assert [str(m.content) for m in seen["messages"]] == ["log me in", "a", "b"]
