"""Steps 0.1 → 0.2 → 0.3: one decision, in the skill's strict order.

The three checks only read what the preflight found, so they are not steps
of their own: the step that reaches them (the preflight, the answer to the
menu, a repaired binary, a removed key profile) returns their decision as its
own `Command`. Every step costs a checkpoint, and a login is then a few
steps instead of a dozen, while the order and the pre-login gate still live
in one place that every path to a login goes through.
"""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime

from okx_auth_graph.context import AuthContext
from okx_auth_graph.gate import gate_allows_login
from okx_auth_graph.nodes.api_key import api_key_stop
from okx_auth_graph.nodes.common import (
    FINISH,
    Update,
    as_seen,
    chosen_site_of,
    context_of,
    merged,
    with_menu,
)
from okx_auth_graph.nodes.oauth import logged_in_stop, pending_notice
from okx_auth_graph.okx import ErrorKind, OkxFailure
from okx_auth_graph.state import AuthState

CheckNext = Literal[
    "ask_site", "login", "announce_login", "await_authorization", "report_failure", "__end__"
]
"""Where the checks can send a request: the menu's question, a login (manual or
blocking) behind the gate, the wait for a login already pending, a failure, or
the end (API key configured, already logged in)."""

Decision = tuple[CheckNext, Update]
"""Where the request goes next and what the deciding step writes (and posts) on the way."""


def site_already_chosen(state: AuthState) -> bool:
    """The skill's rule: a profile's site, or the status site when logged in or pending."""
    config, status = state.get("config"), state.get("auth")
    from_config = bool(config and config.selected_sites)
    from_status = status is not None and status.chosen_site is not None
    return from_config or from_status


def from_site_check(
    state: AuthState, runtime: Runtime[AuthContext], update: Update | None = None
) -> Decision:
    """Step 0.1 onwards, on the state as `update` leaves it: no chosen site → the menu.

    A `not_logged_in` status site is a placeholder and does not count.
    """
    update = update or {}
    seen = as_seen(state, update)
    if not site_already_chosen(seen):
        return "ask_site", with_menu(state, update)
    return _key_check(state, seen, runtime, update)


def from_key_check(
    state: AuthState, runtime: Runtime[AuthContext], update: Update | None = None
) -> Decision:
    """Step 0.2 onwards, on the state as `update` leaves it (after the menu's answer)."""
    update = update or {}
    return _key_check(state, as_seen(state, update), runtime, update)


def _key_check(
    state: AuthState, seen: AuthState, runtime: Runtime[AuthContext], update: Update
) -> Decision:
    """Step 0.2: any profile with an api_key (or `OKX_API_KEY`) stops here."""
    config = seen.get("config")
    profile = config.api_key_profile if config else None
    if profile is not None:
        return FINISH, merged(update, api_key_stop(seen, profile))
    return _oauth_check(state, seen, runtime, update)


def _oauth_check(
    state: AuthState, seen: AuthState, runtime: Runtime[AuthContext], update: Update
) -> Decision:
    """Step 0.3: logged_in → success; pending → wait, no new login; not_logged_in → the gate.

    A user who agreed to move to another site (after a region restriction)
    goes to the gate even with a live session: the new login replaces it.
    """
    status = seen.get("auth")
    if status is None:
        failure = OkxFailure(kind=ErrorKind.UNKNOWN, detail="no auth status to check")
        return "report_failure", merged(update, {"failure": failure})
    switching = bool(seen.get("switch_site"))
    if status.status == "logged_in" and not switching:
        return FINISH, merged(update, logged_in_stop(seen, status))
    if status.status == "pending" and not switching:
        return "await_authorization", merged(update, pending_notice(seen))
    # The only ways into a login: the pre-login gate must hold right now.
    if gate_allows_login(seen["messages"], chosen_site_of(seen)):
        interactive = context_of(runtime).login_mode == "interactive"
        return "announce_login" if interactive else "login", update
    return "ask_site", with_menu(state, update)
