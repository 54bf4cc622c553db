"""One conversation with the auth graph, turn by turn, timed and with its CLI calls.

A benchmark drives the same graph the package ships (`build_auth_graph`
with a recording runner) exactly as a chat application would: a user
message, then `Command(resume=...)` for each interrupt, passing the context
again on every turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, Durability

from benchmarks.clis import BenchmarkError, Call, OkxCli, Simulator
from okx_auth_graph.builder import AuthGraph, build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.state import AuthInput

DURABILITIES: tuple[Durability, ...] = ("async", "exit")
Answers = Literal["resume", "message"]
"""How a scripted user answers the graph's questions."""
"""LangGraph's default (a checkpoint after every step, written in the
background) and the cheapest mode that still persists every turn (one
checkpoint when the run stops at an interrupt or the end). Measured side by
side because the choice is the caller's, made at `invoke`."""


def auth_graph(cli: OkxCli, checkpointer: BaseCheckpointSaver[str]) -> AuthGraph:
    """The package's graph, running the CLI through `cli`'s recording runner."""
    return build_auth_graph(checkpointer, runner=cli.runner, okx_cli=cli.okx_cli)


@dataclass(frozen=True)
class Turn:
    """One `invoke`: how long it took, which CLI calls it made, where it stopped."""

    start: float
    """`time.monotonic()` when `invoke` was called."""
    end: float
    """`time.monotonic()` when it returned."""
    calls: tuple[Call, ...]
    """The CLI calls this turn made, in the order they finished."""
    interrupt: str | None
    """The open interrupt's kind, or None when the run ended."""
    status: str | None
    """`okx_auth["status"]` when the run ended with an outcome."""

    @property
    def seconds(self) -> float:
        """Wall time of the turn."""
        return self.end - self.start


@dataclass
class Conversation:
    """A thread with the graph for one user (one HOME)."""

    graph: AuthGraph
    cli: OkxCli
    home: Path
    thread_id: str
    durability: Durability = "async"
    callbacks: Sequence[BaseCallbackHandler] = ()
    """Callback handlers passed on every turn (the model-cost benchmark counts with one)."""
    answers: Answers = "resume"
    """How the user answers a question: resuming the interrupt, or a new message."""
    turns: list[Turn] = field(default_factory=list)

    @property
    def context(self) -> AuthContext:
        """The context every turn passes: this user's HOME."""
        return AuthContext(okx_home=str(self.home))

    def say(self, text: str) -> Turn:
        """The user starts a request."""
        return self._invoke({"messages": [HumanMessage(content=text)]})

    def reply(self, text: str) -> Turn:
        """The user answers the open question: a resume, or a message (a chat box's way)."""
        if self.answers == "message":
            return self.say(text)
        return self._invoke(Command(resume=text))

    @property
    def calls(self) -> list[Call]:
        """Every CLI call of the whole conversation."""
        return [call for turn in self.turns for call in turn.calls]

    def _invoke(self, request: AuthInput | Command[str]) -> Turn:
        config: RunnableConfig = {
            "configurable": {"thread_id": self.thread_id},
            "callbacks": list(self.callbacks),
        }
        before = len(self.cli.recorder.calls(self.home))
        start = time.monotonic()
        result: dict[str, Any] = self.graph.invoke(
            request, config, context=self.context, durability=self.durability
        )
        end = time.monotonic()
        pending = result.get("__interrupt__") or []
        outcome = result.get("okx_auth") or {}
        turn = Turn(
            start=start,
            end=end,
            calls=tuple(self.cli.recorder.calls(self.home)[before:]),
            interrupt=str(pending[0].value["kind"]) if pending else None,
            status=outcome.get("status"),
        )
        self.turns.append(turn)
        return turn


Step = Callable[[Conversation], None]
"""One move of a scripted conversation: a user turn or the user acting elsewhere."""

Language = Literal["zh", "en"]
_LOGIN_WORDS: dict[Language, tuple[str, str, str]] = {
    "zh": ("帮我登录 OKX", "2", "好了"),
    "en": ("Please log me in to OKX", "us", "done"),
}


def expect(turn: Turn, interrupt: str | None, status: str | None = None) -> None:
    """Stop the benchmark when the graph took another path than the script assumes.

    A benchmark that silently timed a failure path would report numbers for
    the wrong thing.
    """
    if (turn.interrupt, turn.status) != (interrupt, status):
        raise BenchmarkError(
            f"expected interrupt {interrupt!r} / status {status!r}, "
            f"got {turn.interrupt!r} / {turn.status!r}"
        )


def manual_login_steps(sim: Simulator, language: Language = "zh") -> list[Step]:
    """The whole manual login: request → menu → choice → code → browser → done → verified."""
    request, choice, done = _LOGIN_WORDS[language]

    def ask(conv: Conversation) -> None:
        expect(conv.say(request), "site_choice")

    def choose(conv: Conversation) -> None:
        expect(conv.reply(choice), "authorization_done")

    def approve(conv: Conversation) -> None:
        sim.control(conv.home, "browser", "approve")

    def confirm(conv: Conversation) -> None:
        expect(conv.reply(done), None, "logged_in")

    return [ask, choose, approve, confirm]


def play(conv: Conversation, steps: Sequence[Step]) -> Conversation:
    """Run a scripted conversation to its end."""
    for step in steps:
        step(conv)
    return conv
