"""Step 0.2's stop: an API key wins; OAuth would be wasted (the CLI never falls back)."""

from __future__ import annotations

from okx_auth_graph.nodes.common import Update, key_site, language_of, say, with_next_skill
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState


def api_key_stop(state: AuthState, name: str) -> Update:
    """Say which profile holds the key and end with `api_key_configured`; no login."""
    keyed = key_site(state, name)
    site = keyed.value if keyed else None
    return {
        "messages": [say(render("api_key_configured", language_of(state), name=name))],
        "okx_auth": with_next_skill(
            state, {"status": "api_key_configured", "profile": name, "site": site}
        ),
    }
