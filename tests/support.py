"""Test helpers: drive the simulator and hold a conversation with the graph."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import psutil
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Durability

from okx_auth_graph import testing
from okx_auth_graph.context import AuthContext
from okx_auth_graph.graph import AuthGraph, build_auth_graph
from okx_sim.inprocess import (
    arun_in_process,
    arun_in_process_streaming,
    run_command,
    run_in_process,
    run_in_process_streaming,
)

IN_PROCESS_CLI = "okx-sim:in-process"
"""A `Simulator.path` (and `okx_cli`) that names no executable: the simulator answers in this
process (`okx_sim.inprocess`). Build a graph on it with `cli_options`; run as a command, it is
not found."""


def cli_options(okx_cli: str) -> dict[str, Any]:
    """`build_auth_graph`'s CLI arguments for a simulator path: its runners, or the executable.

    `IN_PROCESS_CLI` gives the in-process runners and their async twins (the
    unit tier: no process starts); anything else is an executable run as a
    subprocess per call.
    """
    if okx_cli == IN_PROCESS_CLI:
        return {
            "runner": run_in_process, "streaming_runner": run_in_process_streaming,
            "arunner": arun_in_process, "astreaming_runner": arun_in_process_streaming,
        }
    return {"okx_cli": okx_cli}


def simulator_executable() -> str:
    """`okx-sim` beside the running Python (the project's venv)."""
    found = shutil.which("okx-sim", path=str(Path(sys.executable).parent)) or shutil.which(
        "okx-sim"
    )
    assert found, "okx-sim is not installed in this environment"
    return found


@dataclass
class CallLog:
    """Reads the simulator's JSON-lines call log."""

    path: Path

    def entries(self) -> list[dict[str, Any]]:
        """Every logged invocation."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line]

    def argvs(self, *, include_browser: bool = False) -> list[list[str]]:
        """The argv of each okx call, without the simulator's own controls."""
        controls = {"browser", "clock", "session"}
        return [
            e["argv"] for e in self.entries()
            if include_browser or not (e["argv"] and e["argv"][0] in controls)
        ]

    def logins(self) -> list[list[str]]:
        """The argv of each `okx auth login` call, in order."""
        return [argv for argv in self.argvs() if argv[:2] == ["auth", "login"]]



def okx_sim_processes(home: Path) -> list[str]:
    """Command lines of live okx-sim processes whose HOME is `home` (a test wants none left)."""
    found = []
    for process in psutil.process_iter(["cmdline", "environ"]):
        try:
            cmdline = process.info["cmdline"] or []
            environ = process.info["environ"] or {}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if any("okx-sim" in part for part in cmdline) and environ.get("HOME") == str(home):
            found.append(" ".join(cmdline))
    return found


def keyed_config(
    api_key: str, secret_key: str, passphrase: str, *, site: str | None = "eea",
    demo: bool | None = None,
) -> str:
    """`~/.okx/config.toml` whose default profile, `main`, holds an API key (planted fakes).

    The `site` and `demo` lines are written only when given: a profile without a
    site is Step 0.1's case, and some configs name `demo` as `okx config init` does.
    """
    lines = [
        'default_profile = "main"', "", "[profiles.main]", f'api_key = "{api_key}"',
        f'secret_key = "{secret_key}"', f'passphrase = "{passphrase}"',
    ]
    if site is not None:
        lines.append(f'site = "{site}"')
    if demo is not None:
        lines.append(f"demo = {'true' if demo else 'false'}")
    return "\n".join(lines) + "\n"

@dataclass
class Simulator:
    """The simulator for one HOME: set up state, play the browser.

    `path` is the `okx-sim` executable, or `IN_PROCESS_CLI` for the simulator
    called in this process (the unit tier's, see `tests/conftest.py`).
    """

    path: str
    home: Path
    log: CallLog

    @property
    def in_process(self) -> bool:
        """Whether commands run in this process rather than as `okx-sim` processes."""
        return self.path == IN_PROCESS_CLI

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `okx-sim <args>` in this HOME (in this process when `in_process`)."""
        environ = {**os.environ, "HOME": str(self.home), **(env or {})}
        if self.in_process:
            done = run_command(args, environ, timeout=30)
            return subprocess.CompletedProcess(
                [self.path, *args], done.exit_code, _as_text(done.stdout), _as_text(done.stderr)
            )
        return subprocess.run(
            [self.path, *args], env=environ,
            capture_output=True, text=True, check=False, timeout=30,
        )

    def write_config(self, text: str) -> None:
        """Replace `~/.okx/config.toml`."""
        (self.home / ".okx" / "config.toml").write_text(text)

    def browser(self, action: str) -> None:
        """The user approves or denies in the browser."""
        done = self.run("browser", action)
        assert done.returncode == 0, done.stderr

    def start_pending_login(self, site: str = "global") -> dict[str, Any]:
        """A login started elsewhere (another session), now waiting."""
        done = self.run("auth", "login", "--manual", "--site", site)
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    def log_in(self, site: str = "global") -> None:
        """Reach `logged_in` outside the graph."""
        self.start_pending_login(site)
        self.browser("approve")


ThreadGraph = testing.ConversationGraph
"""A graph a conversation runs: the auth graph, or a parent that embeds it."""


def _as_text(output: bytes) -> str:
    """Output as `subprocess.run(text=True)` reads it: UTF-8, universal newlines."""
    return output.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def auth_graph_on(checkpointer: BaseCheckpointSaver[str], okx_cli: str) -> AuthGraph:
    """The auth graph itself, with `okx_cli` as its CLI: what a conversation runs by default.

    `okx_cli` is a simulator's `path`: `IN_PROCESS_CLI` builds on the in-process runners.
    """
    return build_auth_graph(checkpointer, **cli_options(okx_cli))


class Conversation(testing.Conversation):
    """The package's conversation driver on a simulator's HOME, with the suites' defaults.

    `build` builds the graph from the checkpointer and the simulator's path
    (the auth graph itself, or a parent that embeds it); the context is the
    simulator's HOME plus `context_overrides`.
    """

    default_durability: ClassVar[Durability] = "async"
    """LangGraph's default; the graph suite runs under each mode (`tests/graph/conftest.py`)."""
    default_api: ClassVar[Literal["sync", "async"]] = "sync"
    """Which API each turn runs on: `invoke` (and `stream`), or `ainvoke` (and `astream`) in an
    event loop of the turn's own; the graph suite runs under both (`tests/graph/conftest.py`)."""

    def __init__(
        self,
        sim: Simulator,
        context_overrides: dict[str, Any] | None = None,
        checkpointer: BaseCheckpointSaver[str] | None = None,
        thread_id: str = "thread-1",
        durability: Durability | None = None,
        build: Callable[[BaseCheckpointSaver[str], str], ThreadGraph] = auth_graph_on,
    ) -> None:
        self.sim = sim
        self.checkpointer = checkpointer if checkpointer is not None else InMemorySaver()
        super().__init__(
            build(self.checkpointer, sim.path),
            AuthContext(okx_home=str(sim.home), **(context_overrides or {})),
            thread_id=thread_id,
            durability=durability or self.default_durability,
        )

    def send(self, request: testing.Request) -> list[str]:
        """One turn on the API `default_api` names."""
        if self.default_api == "async":
            return asyncio.run(self.asend(request))
        return super().send(request)
