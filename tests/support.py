"""Test helpers: drive the simulator and hold a conversation with the graph."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, Durability

from okx_auth_graph.context import AuthContext
from okx_auth_graph.graph import AuthGraph, build_auth_graph
from okx_auth_graph.replies import text_of


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
    """The simulator for one HOME: set up state, play the browser."""

    path: str
    home: Path
    log: CallLog

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `okx-sim <args>` in this HOME."""
        return subprocess.run(
            [self.path, *args],
            env={**os.environ, "HOME": str(self.home), **(env or {})},
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


ThreadGraph = CompiledStateGraph[Any, AuthContext, Any, Any]
"""A graph a conversation runs: the auth graph, or a parent that embeds it."""


def auth_graph_on(checkpointer: BaseCheckpointSaver[str], okx_cli: str) -> AuthGraph:
    """The auth graph itself, with `okx_cli` as its CLI: what a conversation runs by default."""
    return build_auth_graph(checkpointer, okx_cli=okx_cli)


@dataclass
class Conversation:
    """A thread with the auth graph (or a graph around it), advanced one user turn at a time."""

    sim: Simulator
    context_overrides: dict[str, Any] = field(default_factory=dict)
    checkpointer: BaseCheckpointSaver[str] = field(default_factory=InMemorySaver)
    thread_id: str = "thread-1"
    durability: Durability | None = None
    """When each step's checkpoint is written; None → `default_durability`."""
    build: Callable[[BaseCheckpointSaver[str], str], ThreadGraph] = auth_graph_on
    """Builds the graph from the checkpointer and the simulator's path."""
    graph: ThreadGraph = field(init=False)
    result: dict[str, Any] = field(init=False, default_factory=dict)
    _seen: int = field(init=False, default=0)

    default_durability: ClassVar[Durability] = "async"
    """LangGraph's default; the graph suite runs under each mode (`tests/graph/conftest.py`)."""

    def __post_init__(self) -> None:
        self.graph = self.build(self.checkpointer, self.sim.path)
        self.durability = self.durability or self.default_durability

    @property
    def config(self) -> RunnableConfig:
        """The thread's run config."""
        return {"configurable": {"thread_id": self.thread_id}}

    @property
    def context(self) -> AuthContext:
        """The context each call passes (HOME, overrides)."""
        return AuthContext(okx_home=str(self.sim.home), **self.context_overrides)

    def _invoke(self, request: Any) -> list[str]:
        self.result = dict(
            self.graph.invoke(request, self.config, context=self.context,
                              durability=self.durability)
        )
        messages: list[AnyMessage] = self.result["messages"]
        new = [text_of(m) for m in messages[self._seen:] if isinstance(m, AIMessage)]
        self._seen = len(messages)
        return new

    def start(self, text: str, **extra: Any) -> list[str]:
        """Send a user message; returns the texts the graph posted."""
        return self._invoke({"messages": [HumanMessage(content=text)], **extra})

    def reply(self, text: object) -> list[str]:
        """Answer the open interrupt; returns the texts the graph posted."""
        return self._invoke(Command(resume=text))

    @property
    def interrupt(self) -> dict[str, Any] | None:
        """The open interrupt's payload, or None when the run ended."""
        pending = self.result.get("__interrupt__") or []
        assert len(pending) <= 1
        return dict(pending[0].value) if pending else None

    @property
    def outcome(self) -> dict[str, Any] | None:
        """`okx_auth` of the finished run."""
        value = self.result.get("okx_auth")
        return dict(value) if value else None

    @property
    def messages(self) -> list[AnyMessage]:
        """The whole conversation so far."""
        return list(self.result["messages"])

    def human_texts(self) -> list[str]:
        """What the user said, in order."""
        return [text_of(m) for m in self.messages if isinstance(m, HumanMessage)]
