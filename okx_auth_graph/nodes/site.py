"""Step 0.1: is a site already chosen? If not, the menu, and a reply that is a choice."""

from __future__ import annotations

from typing import Literal

from langgraph.types import Command, interrupt

from okx_auth_graph.gate import is_cancel, parse_site_choice
from okx_auth_graph.interrupts import SiteChoicePayload
from okx_auth_graph.nodes.common import Update, finish, language_of, open_prompt, reply_message, say
from okx_auth_graph.okx import ErrorKind, OkxFailure, Site
from okx_auth_graph.prompts import render, site_menu
from okx_auth_graph.state import AuthState


def preflight_blocker(state: AuthState) -> OkxFailure | None:
    """The preflight failure that stops the procedure, if any.

    Without the config nothing can be checked. A failed `auth status` stops
    too, unless an API key is configured: API keys work even on a CLI that
    has no `auth` commands, and Step 0.2 will stop there anyway.
    """
    config, config_failure = state.get("config"), state.get("config_failure")
    if config is None:
        return config_failure or OkxFailure(kind=ErrorKind.UNKNOWN, detail="no config")
    status_failure = state.get("status_failure")
    if status_failure is not None and config.api_key_profile is None:
        return status_failure
    return None


def site_already_chosen(state: AuthState) -> bool:
    """The skill's rule: a profile's site, or the status site when logged in or pending."""
    config, status = state.get("config"), state.get("auth")
    from_config = bool(config and config.selected_sites)
    from_status = status is not None and status.chosen_site is not None
    return from_config or from_status


def check_site(state: AuthState) -> Command[Literal["post_menu", "check_api_key"]]:
    """Step 0.1: a chosen site skips the menu (a `not_logged_in` site is a placeholder)."""
    return Command(goto="check_api_key" if site_already_chosen(state) else "post_menu")


def post_menu(state: AuthState) -> Update:
    """Post the exact Chinese menu (in every conversation, as the skill says)."""
    return {"messages": [say(site_menu())]}


def ask_site(state: AuthState) -> Command[Literal["ask_site", "check_api_key", "__end__"]]:
    """Wait for the site; only 1/2/3/global/eea/us count, anything else asks again."""
    payload: SiteChoicePayload = {
        "kind": "site_choice",
        "message": open_prompt(state["messages"]),
        "choices": [site.value for site in Site],
    }
    reply = interrupt(payload)
    language = language_of(state)
    answer = reply_message(reply)
    site = parse_site_choice(reply)
    if site is not None:
        return Command(goto="check_api_key", update={"messages": [answer], "chosen_site": site})
    if is_cancel(reply):
        return finish(answer, render("login_cancelled", language), {"status": "cancelled"})
    return Command(
        goto="ask_site",
        update={
            "messages": [answer, say(render("menu_not_a_choice", language)), say(site_menu())],
            "chosen_site": None,
        },
    )
