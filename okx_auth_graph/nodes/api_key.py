"""Step 0.2: an API key wins; OAuth would be wasted (the CLI never falls back)."""

from __future__ import annotations

from typing import Literal

from langgraph.types import Command

from okx_auth_graph.nodes.common import FINISH, key_site, language_of, say, with_next_skill
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState


def check_api_key(state: AuthState) -> Command[Literal["report_api_key", "check_oauth"]]:
    """Any profile with an api_key (or `OKX_API_KEY` for the CLI) stops the procedure."""
    config = state.get("config")
    profile = config.api_key_profile if config else None
    if profile is not None:
        return Command(goto="report_api_key", update={"api_key_profile": profile})
    return Command(goto="check_oauth")


def report_api_key(state: AuthState) -> Command[Literal["__end__"]]:
    """Say which profile holds the key and end with `api_key_configured`; no login."""
    name = state.get("api_key_profile") or "?"
    keyed = key_site(state, name)
    site = keyed.value if keyed else None
    return Command(
        goto=FINISH,
        update={
            "messages": [say(render("api_key_configured", language_of(state), name=name))],
            "okx_auth": with_next_skill(
                state, {"status": "api_key_configured", "profile": name, "site": site}
            ),
        },
    )
