"""Request intake: fix the language, forget the previous request's findings."""

from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.gate import detect_language
from okx_auth_graph.nodes.common import Update, context_of
from okx_auth_graph.nodes.requests import EntryNode, entry_for
from okx_auth_graph.state import AuthState


def start(state: AuthState, runtime: Runtime[AuthContext]) -> Command[EntryNode]:
    """Begin a request: language from the input's latest human message (or context).

    Findings of an earlier request in the same thread are cleared so nothing
    stale (a site, a status) can satisfy a check; the thread's pending device
    code is kept so a reminder can repeat it. `okx_auth_request` picks the entry.
    """
    forced = context_of(runtime).language
    update = {
        "language": forced or detect_language(state["messages"]),
        "okx_auth": None,
        "config": None,
        "config_failure": None,
        "auth": None,
        "status_failure": None,
        "chosen_site": None,
        "api_key_profile": None,
        "failure": None,
        "binary_repaired": False,
    }
    return Command(goto=entry_for(state), update=update)


def preflight(state: AuthState) -> Update:
    """Step 0: fan out to `config show` and `auth status`, which run in parallel."""
    return {}
