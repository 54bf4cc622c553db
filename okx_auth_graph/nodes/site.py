"""Step 0.1's question: the menu was posted, and only a reply that is a choice goes on."""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from okx_auth_graph.context import AuthContext
from okx_auth_graph.gate import is_cancel, parse_site_choice
from okx_auth_graph.interrupts import SiteChoicePayload
from okx_auth_graph.nodes.checks import CheckNext, from_key_check
from okx_auth_graph.nodes.common import (
    finish,
    language_of,
    open_prompt,
    reply_message,
    say,
    with_menu,
)
from okx_auth_graph.okx import Site
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState


def ask_site(
    state: AuthState, runtime: Runtime[AuthContext]
) -> Command[Literal[CheckNext, "ask_site", "__end__"]]:
    """Wait for the site; only 1/2/3/global/eea/us count, anything else asks again.

    A choice goes straight on to Steps 0.2 and 0.3 (no CLI call happens here,
    so re-running this step on resume repeats nothing).
    """
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
        goto, update = from_key_check(state, runtime, {"messages": [answer], "chosen_site": site})
        return Command(goto=goto, update=update)
    if is_cancel(reply):
        return finish(answer, render("login_cancelled", language), {"status": "cancelled"})
    again = say(render("menu_not_a_choice", language))
    return Command(goto="ask_site", update=with_menu(state, {"messages": [answer, again]}))
