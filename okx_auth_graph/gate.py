"""The pre-login gate: the one rule the whole graph exists for, as pure functions.

`okx auth login` may run only when the exact site menu was posted, the
latest human message is a site choice given after it, and `--site` equals
that choice. No I/O, no LangGraph: exhaustively testable.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from okx_auth_graph.okx import GateViolation, LoginClearance, Site
from okx_auth_graph.prompts import site_menu
from okx_auth_graph.replies import parse_site_choice, text_of


def is_site_menu(message: AnyMessage) -> bool:
    """Whether a message is the exact Step 0.1 menu, posted by the assistant."""
    return isinstance(message, AIMessage) and text_of(message) == site_menu()


def gate_allows_login(messages: Sequence[AnyMessage], site: Site | None) -> bool:
    """The pre-login gate: the three conditions of the skill, right now.

    1. the exact menu was posted in this conversation;
    2. the latest human message is a site choice, given after the latest menu;
    3. the site about to be passed equals that choice.
    """
    if site is None:
        return False
    latest_human = next(
        (i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)),
        None,
    )
    if latest_human is None:
        return False
    menu_before = any(is_site_menu(m) for m in messages[:latest_human])
    latest_menu = max(
        (i for i, m in enumerate(messages) if is_site_menu(m)), default=-1
    )
    chosen = parse_site_choice(text_of(messages[latest_human]))
    return menu_before and latest_menu < latest_human and chosen == site


def login_clearance(messages: Sequence[AnyMessage], site: Site | None) -> LoginClearance:
    """The gate's decision for a login on `site` right now; `GateViolation` when it fails.

    The only maker of a `LoginClearance`: `okx auth login` runs with one or
    not at all. The graph's one way into a login is the gate's own edge, so a
    failure here is a bug (defence in depth), never a route back to the menu.
    """
    if site is None or not gate_allows_login(messages, site):
        raise GateViolation(f"the pre-login gate does not hold for --site {site!r}")
    return LoginClearance(site)
