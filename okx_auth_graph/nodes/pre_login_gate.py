"""The pre-login gate: the only way into a login, manual or blocking.

`pre_login_gate` decides nothing by itself: its rule `GateRule.holds` is the
router on its out-edge, and it is the one edge in the graph that leads to
`login` or `announce_login`. The login nodes check the same rule again
before they run the CLI (defence in depth).
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from okx_auth_graph.context import AuthContext
from okx_auth_graph.gate import gate_allows_login
from okx_auth_graph.nodes.common import context_of
from okx_auth_graph.skill import Skill
from okx_auth_graph.state import AuthState, AuthUpdate


def pre_login_gate(state: AuthState) -> AuthUpdate:
    """Stand before every login; reached only from Step 0.3 (not logged in, or moving site)."""
    return {}


class GateRule:
    """The gate's rule for one version of the skill (its menu and its sites)."""

    def __init__(self, skill: Skill) -> None:
        self.skill = skill

    def holds(self, state: AuthState, runtime: Runtime[AuthContext]) -> str:
        """The menu was posted, the latest human message is a choice after it, `--site` equals it.

        Anything else posts the menu again. When it holds, the run's login mode
        picks the device flow in the chat or the blocking login in a terminal.
        """
        if not gate_allows_login(state["messages"], state.get("site_choice"), self.skill):
            return "gate fails → menu"
        if context_of(runtime).login_mode == "interactive":
            return "gate holds → blocking login"
        return "gate holds → manual login"
