"""Step 0.2: an API key wins; OAuth would be wasted (the CLI never falls back).

`api_key_check` notes which profile holds the key; its rule `api_key_configured`
is the router on its out-edge. The stop's text is posted in one place
(`api_key_stop`), reached from here and from a login the CLI's own guard
skipped (Step 0.2 was stale).
"""

from __future__ import annotations

from okx_auth_graph.nodes.common import changed, key_site, language_of, say, with_next_skill
from okx_auth_graph.okx import api_key_profile
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, AuthUpdate


def api_key_check(state: AuthState) -> AuthUpdate:
    """Step 0.2: does any profile have an api_key (or is `OKX_API_KEY` set)? Note which."""
    config = state.get("config")
    return changed(state, {"api_key_profile": api_key_profile(config) if config else None})


def api_key_configured(state: AuthState) -> str:
    """A keyed profile stops the procedure; without one, Step 0.3."""
    return "0.2 API key → stop" if state.get("api_key_profile") else "0.2 no key → 0.3"


def api_key_stop(state: AuthState) -> AuthUpdate:
    """Say which profile holds the key and end with `api_key_configured`; no login."""
    name = state.get("api_key_profile") or "?"
    site = key_site(state, name)
    return {
        "messages": [say(render("api_key_configured", language_of(state), name=name))],
        "okx_auth": with_next_skill(
            state, {"status": "api_key_configured", "profile": name, "site": site}
        ),
    }
