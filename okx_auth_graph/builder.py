"""The okx-cex-auth procedure as a LangGraph state graph.

Each step of the skill is a node; what the skill asks an agent to remember is
an edge that does not exist (no path from the menu to `login` except through
the gate, no CLI call while waiting for "done"). The graph is assembled at
the bottom, one comment per edge.
"""

from __future__ import annotations

from typing import Any, Self, cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from okx_auth_graph.context import AuthContext
from okx_auth_graph.nodes.authorization import ask_retry, await_authorization
from okx_auth_graph.nodes.cli import CliSteps
from okx_auth_graph.nodes.failure import report_failure
from okx_auth_graph.nodes.intake import start
from okx_auth_graph.nodes.oauth import announce_login
from okx_auth_graph.nodes.requests import (
    ask_api_key_remedy,
    confirm_remove,
    post_remove_question,
)
from okx_auth_graph.nodes.site import ask_site
from okx_auth_graph.okx import CliRunner, run_okx, run_okx_streaming
from okx_auth_graph.okx.interactive import StreamingRunner
from okx_auth_graph.state import AuthInput, AuthOutput, AuthState


class AuthGraph(CompiledStateGraph[AuthState, AuthContext, AuthInput, AuthOutput]):
    """The compiled auth graph; a copy keeps the list of types its state may load.

    LangGraph builds that list at compile time for strict checkpoint loading
    (`LANGGRAPH_STRICT_MSGPACK=true`), but `copy()` (and so `with_config()`)
    drops it. A LangGraph server copies the graph for every run, so without
    this the stored models would come back as plain dicts on the first resume.
    """

    def copy(self, update: dict[str, Any] | None = None) -> Self:
        """A copy that still loads the graph's own state types under strict loading."""
        copied = super().copy(update)
        copied._serde_allowlist = self._serde_allowlist
        return copied


def build_auth_graph(
    checkpointer: BaseCheckpointSaver[str] | None = None,
    *,
    runner: CliRunner = run_okx,
    streaming_runner: StreamingRunner = run_okx_streaming,
    okx_cli: str | None = None,
    name: str = "okx_auth",
) -> AuthGraph:
    """Compile the auth graph.

    Without a checkpointer it is ready to be a subgraph
    (`parent.add_node("okx_auth", build_auth_graph())`) and inherits the
    parent's. `runner` is the process boundary for the CLI (and
    `streaming_runner` for the blocking login); the defaults run the real
    executable. `okx_cli` names that executable (a path or a name on PATH);
    None means `$OKX_CLI` as it is when each call starts, else `okx`. It is
    chosen here, by whoever builds the graph, because a run's context comes
    from whoever calls it.
    """
    cli = CliSteps(runner, streaming_runner, okx_cli)
    builder = StateGraph(
        AuthState, context_schema=AuthContext, input_schema=AuthInput, output_schema=AuthOutput
    )
    builder.add_node("start", start)
    builder.add_node("preflight", cli.preflight)
    builder.add_node("ask_site", ask_site)
    builder.add_node("login", cli.login)
    builder.add_node("announce_login", announce_login)
    builder.add_node("login_interactive", cli.login_interactive)
    builder.add_node("await_authorization", await_authorization)
    builder.add_node("verify", cli.verify)
    builder.add_node("ask_retry", ask_retry)
    builder.add_node("report_status", cli.report_status)
    builder.add_node("logout", cli.logout)
    builder.add_node("install_binary", cli.install_binary)
    builder.add_node("report_install_status", cli.report_install_status)
    builder.add_node("post_remove_question", post_remove_question)
    builder.add_node("confirm_remove", confirm_remove)
    builder.add_node("remove_binary", cli.remove_binary)
    builder.add_node("repair_binary", cli.repair_binary)
    builder.add_node("ask_api_key_remedy", ask_api_key_remedy)
    builder.add_node("drop_api_key_profile", cli.drop_api_key_profile)
    builder.add_node("report_failure", report_failure)

    # A request begins by fixing its language, clearing stale findings and
    # picking its entry (login and recover go to the Step 0 preflight, whose
    # two commands run in parallel).
    builder.add_edge(START, "start")
    # The blocking login is announced before the CLI takes over the wait.
    builder.add_edge("announce_login", "login_interactive")
    # Removing the binary is always asked first.
    builder.add_edge("post_remove_question", "confirm_remove")
    # Every other edge is a typed Command from the node that decides it. Steps
    # 0.1 → 0.2 → 0.3 are one decision (`nodes/checks.py`) that each node
    # reaching them returns, with the text it posts: the preflight, the menu's
    # answer, the binary repair and the removal of a keyed profile.
    compiled = builder.compile(checkpointer=checkpointer, name=name)
    compiled.__class__ = AuthGraph  # same object, plus the allowlist-keeping copy()
    return cast(AuthGraph, compiled)
