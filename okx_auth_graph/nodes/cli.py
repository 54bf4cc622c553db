"""The process boundary the tool nodes share, and the one place a CLI failure becomes state.

Tool nodes are the only steps that run the okx CLI. They never interrupt (a
node that interrupts re-runs from its top on resume, which would repeat a CLI
call), and no exception of theirs leaves the graph: `reports_failure` turns an
`OkxError` into the `failure` the report step posts, as `ToolNode` does with
`handle_tool_errors`. A "Failed to spawn okx-auth" answer from an auth command
is repaired once, as the skill prescribes: `auth install`, then
`auth install-status`, then the command again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.isolation import run_settings
from okx_auth_graph.nodes.common import language_of, say
from okx_auth_graph.okx import (
    CliRunner,
    ConfigView,
    OkxCommand,
    OkxError,
    OkxSettings,
    auth_install,
    auth_install_status,
    config_show,
    execute,
    run_okx,
    run_okx_streaming,
)
from okx_auth_graph.okx.interactive import StreamingRunner
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, AuthUpdate

T = TypeVar("T")
P = ParamSpec("P")


def reports_failure(step: Callable[P, Command[str]]) -> Callable[P, Command[str]]:
    """Wrap a tool node so a failed CLI call ends in `report_failure`, with the failure as state.

    `builder.py` adds each such node with `report_failure` among its
    `destinations`, so the drawing shows the edge this wrapper takes.
    """

    @functools.wraps(step)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> Command[str]:
        try:
            return step(*args, **kwargs)
        except OkxError as error:
            update: AuthUpdate = {"failure": error.failure}
            return Command(goto="report_failure", update=update)

    return guarded


class Cli:
    """One process boundary and one executable for every tool node.

    `runner` (and `streaming_runner` for the blocking login) is the process
    boundary; the executable is chosen by whoever builds the graph, never by a run.
    """

    def __init__(
        self,
        runner: CliRunner = run_okx,
        streaming_runner: StreamingRunner = run_okx_streaming,
        okx_cli: str | None = None,
    ) -> None:
        self.runner = runner
        self.streaming_runner = streaming_runner
        self.okx_cli = okx_cli

    def settings(self, runtime: Runtime[AuthContext]) -> OkxSettings:
        """This run's CLI settings: the builder's executable, the caller's own HOME."""
        return run_settings(runtime, self.okx_cli)

    def run(self, command: OkxCommand[T], runtime: Runtime[AuthContext]) -> T:
        """Run one okx command with this run's settings, parsed (and redacted) as it returns."""
        return execute(command, self.settings(runtime), self.runner)

    def config(self, runtime: Runtime[AuthContext]) -> ConfigView:
        """`okx config show --json` with this run's settings (and the API key they pass on)."""
        settings = self.settings(runtime)
        return execute(config_show(settings), settings, self.runner)

    def repairing(
        self,
        call: Callable[[], T],
        state: AuthState,
        runtime: Runtime[AuthContext],
        *,
        already_failed: bool = False,
    ) -> tuple[T, list[AIMessage]]:
        """Make an auth call, repairing a missing okx-auth binary once and calling again.

        The one repair path: the graph's own calls come here, and so does a
        caller's command that could not spawn okx-auth (`already_failed`: its
        first attempt happened elsewhere, so the repair comes first).
        """
        if not already_failed:
            try:
                return call(), []
            except OkxError as error:
                if error.kind != "spawn_failed":
                    raise
        self.reinstall(runtime)
        return call(), [say(render("binary_reinstalled", language_of(state)))]

    def run_auth(
        self, command: OkxCommand[T], state: AuthState, runtime: Runtime[AuthContext]
    ) -> tuple[T, list[AIMessage]]:
        """Run an auth command, repairing a missing okx-auth binary once."""
        return self.repairing(lambda: self.run(command, runtime), state, runtime)

    def reinstall(self, runtime: Runtime[AuthContext]) -> None:
        """The skill's repair: `auth install`, then `auth install-status`."""
        self.run(auth_install(), runtime)
        self.run(auth_install_status(), runtime)
