"""The rules on the checks' out-edges, called directly, and the update helpers.

The graph tests show each branch through whole conversations; these pin the
pure routers every path shares (Step 0.1's site, 0.2's key, 0.3's status, the
pre-login gate, the preflight's outcome, the request's entry) and the
per-request reset that keeps one request's findings out of the next.
"""

from __future__ import annotations

from typing import Any, Literal, cast, get_type_hints

import pytest
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.runtime import Runtime

from okx_auth_graph.builder import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.api_key import api_key_check, api_key_configured
from okx_auth_graph.nodes.common import changed, say
from okx_auth_graph.nodes.intake import FINDINGS, intake, requested_entry
from okx_auth_graph.nodes.oauth import oauth_status
from okx_auth_graph.nodes.pre_login_gate import GateRule
from okx_auth_graph.nodes.preflight import preflight_outcome
from okx_auth_graph.nodes.site import SiteSteps, site_selected
from okx_auth_graph.okx import ConfigView, OkxFailure
from okx_auth_graph.skill import DEFAULT_SKILL, site_menu
from okx_auth_graph.state import AuthState, AuthUpdate, RequestFindings, SiteChoice
from tests.views import config, profile, status

GATE = GateRule(DEFAULT_SKILL)
RUNTIME: Runtime[AuthContext] = Runtime(context=AuthContext())
INTERACTIVE: Runtime[AuthContext] = Runtime(context=AuthContext(login_mode="interactive"))
KEYED = config(profile("main", site="eea", api_key_masked="***abcd"))
SITED = config(profile("oauth", site="us"))
EMPTY = config()
Status = Literal["logged_in", "pending", "not_logged_in"]
CHOSE_US: SiteChoice = {"site": "us", "menu_id": "menu-1", "reply_id": "reply-1"}


def state(found: ConfigView, auth: Status, *said: AnyMessage, **extra: Any) -> AuthState:
    """A request's state right after the preflight, in English."""
    messages: list[AnyMessage] = [HumanMessage(content="log me in"), *said]
    values = {
        "messages": messages, "language": "en", "config": found,
        "auth": status(auth, "global" if auth != "not_logged_in" else None), **extra,
    }
    return cast(AuthState, values)


def after(current: AuthState, update: AuthUpdate) -> AuthState:
    """The state a step's update leaves (no messages in these updates)."""
    return cast(AuthState, {**current, **update})


def test_a_not_logged_in_status_site_is_a_placeholder_so_0_1_posts_the_menu() -> None:
    placeholder = state(EMPTY, "not_logged_in")
    placeholder["auth"] = status("not_logged_in", "global")
    assert site_selected(placeholder) == "0.1 no site → menu"


@pytest.mark.parametrize(
    ("current", "known"),
    [
        (state(SITED, "not_logged_in"), True),
        (state(EMPTY, "logged_in"), True),
        (state(EMPTY, "pending"), True),
        (state(EMPTY, "not_logged_in", site_choice=CHOSE_US), True),
        (state(EMPTY, "not_logged_in"), False),
    ],
    ids=["profile-site", "logged-in-site", "pending-site", "menu-reply", "none"],
)
def test_site_known_from_a_profile_a_live_status_or_the_menus_reply(
    current: AuthState, known: bool
) -> None:
    expected = "0.1 site known → 0.2" if known else "0.1 no site → menu"
    assert site_selected(current) == expected


def test_a_keyed_profile_without_a_site_still_gets_the_menu_first() -> None:
    """0.1 comes before 0.2."""
    keyed_without_site = config(profile("k", api_key_masked="***abcd"))
    assert site_selected(state(keyed_without_site, "not_logged_in")) == "0.1 no site → menu"


def test_step_0_2_notes_the_keyed_profile_and_stops_on_it() -> None:
    keyed = state(KEYED, "logged_in")
    noted = api_key_check(keyed)
    assert noted == {"api_key_profile": "main"}
    assert api_key_configured(after(keyed, noted)) == "0.2 API key → stop"
    plain = state(SITED, "logged_in")
    assert api_key_check(plain) == {}
    assert api_key_configured(plain) == "0.2 no key → 0.3"


@pytest.mark.parametrize(
    ("status", "rule"),
    [
        ("logged_in", "logged_in → success"),
        ("pending", "pending → wait"),
        ("not_logged_in", "not_logged_in → gate"),
    ],
)
def test_step_0_3_follows_the_status(status: Status, rule: str) -> None:
    assert oauth_status(state(SITED, status)) == rule


def test_moving_site_sends_a_live_session_to_the_gate_and_no_status_is_a_failure() -> None:
    assert oauth_status(state(SITED, "logged_in", switch_site=True)) == "not_logged_in → gate"
    assert oauth_status(state(SITED, "pending", switch_site=True)) == "not_logged_in → gate"
    missing = state(KEYED, "logged_in")
    missing["auth"] = None
    assert oauth_status(missing) == "no status → failure"


def test_the_gate_holds_only_for_the_reply_to_the_latest_menu() -> None:
    asked = AIMessage(content=site_menu(), id="menu-2")
    reply = HumanMessage(content="2", id="reply-2")
    chose: SiteChoice = {"site": "eea", "menu_id": "menu-2", "reply_id": "reply-2"}
    answered = state(EMPTY, "not_logged_in", asked, reply, site_choice=chose)
    assert GATE.holds(answered, RUNTIME) == "gate holds → manual login"
    assert GATE.holds(answered, INTERACTIVE) == "gate holds → blocking login"
    other_menu = {**answered, "site_choice": {**chose, "menu_id": "another-menu"}}
    assert GATE.holds(cast(AuthState, other_menu), RUNTIME) == "gate fails → menu"
    config_site_only = state(SITED, "not_logged_in", site_choice=CHOSE_US)
    assert GATE.holds(config_site_only, RUNTIME) == "gate fails → menu"
    menu_again = state(EMPTY, "not_logged_in", asked, reply, say(site_menu()), site_choice=chose)
    assert GATE.holds(menu_again, RUNTIME) == "gate fails → menu"
    no_choice = state(EMPTY, "not_logged_in", asked, reply)
    assert GATE.holds(no_choice, RUNTIME) == "gate fails → menu"


def test_the_preflight_reports_a_blocker_routes_a_recovery_or_goes_to_0_1() -> None:
    failure = OkxFailure(kind="cli_not_found", detail="no okx", command=[])
    assert preflight_outcome(state(EMPTY, "not_logged_in", failure=failure)) == (
        "Step 0 failed → report"
    )
    recover = {"action": "recover", "error": "Session expired"}
    asked = state(EMPTY, "not_logged_in", okx_auth_request=recover)
    assert preflight_outcome(asked) == "recover → route the error"
    routed = state(EMPTY, "not_logged_in", okx_auth_request=recover, recovery_handled=True)
    assert preflight_outcome(routed) == "Step 0 done → 0.1"


INTAKE_EDGES = build_auth_graph().builder.branches["intake"]["requested_entry"].ends or {}
"""Intake's path map, as `builder.py` writes it: label → first step."""


def entered_at(state_: AuthState) -> str:
    """The step a request (or a reply) enters the graph at."""
    return INTAKE_EDGES[requested_entry(state_)]


@pytest.mark.parametrize(
    ("request_", "entry"),
    [
        (None, "preflight"),
        ({"action": "recover", "error": "x"}, "preflight"),
        ({"action": "status"}, "report_status"),
        ({"action": "remove"}, "post_remove_question"),
        ({"action": "teleport"}, "preflight"),
    ],
)
def test_the_request_picks_its_entry(request_: Any, entry: str) -> None:
    assert entered_at(state(EMPTY, "not_logged_in", okx_auth_request=request_)) == entry


def test_the_menu_forgets_an_earlier_choice() -> None:
    posted = SiteSteps(DEFAULT_SKILL).menu(state(EMPTY, "not_logged_in", site_choice=CHOSE_US))
    assert posted.get("messages") == [AIMessage(content=site_menu())]
    assert posted.get("site_choice", "kept") is None
    assert "site_choice" not in SiteSteps(DEFAULT_SKILL).menu(state(EMPTY, "not_logged_in"))


def test_intake_clears_every_finding_of_the_previous_request() -> None:
    """A finding added to `RequestFindings` is cleared too: the reset is derived from it."""
    stale = cast(AuthState, {
        **state(KEYED, "logged_in"), **dict.fromkeys(FINDINGS, "stale"), "open_question": None,
    })
    update = intake(stale, RUNTIME)
    cleared = {key: update.get(key, "kept") for key in FINDINGS if key != "open_question"}
    assert cleared == {key: None for key in FINDINGS if key != "open_question"}
    assert "open_question" not in update  # no question was open: nothing to write


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("site_choice", "ask_site"),
        ("authorization_done", "await_authorization"),
        ("retry_login", "ask_retry"),
        ("confirm_remove", "confirm_remove"),
        ("api_key_remedy", "ask_api_key_remedy"),
    ],
)
def test_a_message_on_an_open_question_is_its_answer(question: str, entry: str) -> None:
    """Intake keeps the request (findings, language) and sends the message to the question."""
    open_ = cast(AuthState, {
        **state(KEYED, "logged_in", site_choice=CHOSE_US), "language": "zh",
        "open_question": question, "okx_auth_request": {"action": "status"},
    })
    assert intake(open_, RUNTIME) == {}
    assert entered_at(open_) == entry


def test_every_state_key_is_a_finding_or_one_the_thread_keeps_on_purpose() -> None:
    """A key added to the state outside `RequestFindings` must be named here, on purpose."""
    kept = {
        "messages", "okx_auth_request", "language", "pending_login", "next_skill",
        "cli_version_checked",
    }
    assert set(get_type_hints(AuthState)) - set(FINDINGS) == kept
    assert set(FINDINGS) == set(get_type_hints(RequestFindings))


def test_an_update_may_name_every_state_key_and_no_other() -> None:
    assert set(get_type_hints(AuthUpdate)) == set(get_type_hints(AuthState))


def test_changed_keeps_only_real_changes() -> None:
    current = state(EMPTY, "not_logged_in", switch_site=True)
    unchanged: AuthUpdate = {"config": EMPTY, "failure": None, "recovery_handled": False}
    assert changed(current, unchanged) == {}
    assert changed(current, {"switch_site": False, "site_choice": CHOSE_US}) == {
        "switch_site": False, "site_choice": CHOSE_US,
    }
