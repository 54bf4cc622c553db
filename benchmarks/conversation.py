"""One conversation with the auth graph, turn by turn, timed and with its CLI calls.

A benchmark drives the same graph the package ships (`build_auth_graph`
with a recording runner) exactly as a chat application would, through the
package's conversation driver (`okx_auth_graph.testing`): a user message, then
`Command(resume=...)` (or a new message) for each interrupt, passing the
context again on every turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import BaseCallbackHandler
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Durability

from benchmarks.clis import BenchmarkError, Call, OkxCli, Simulator
from okx_auth_graph import testing
from okx_auth_graph.builder import AuthGraph, build_auth_graph
from okx_auth_graph.context import AuthContext

DURABILITIES: tuple[Durability, ...] = ("async", "exit")
"""LangGraph's default (a checkpoint after every step, written in the
background) and the cheapest mode that still persists every turn (one
checkpoint when the run stops at an interrupt or the end). Measured side by
side because the choice is the caller's, made at `invoke`."""
Answers = testing.Answers
"""How a scripted user answers the graph's questions."""


def auth_graph(cli: OkxCli, checkpointer: BaseCheckpointSaver[str]) -> AuthGraph:
    """The package's graph, running the CLI through `cli`'s recording runner."""
    return build_auth_graph(
        checkpointer, runner=cli.runner, arunner=cli.arunner, okx_cli=cli.okx_cli
    )


@dataclass(frozen=True)
class Turn:
    """One `invoke`: how long it took, which CLI calls it made, where it stopped."""

    start: float
    """`time.monotonic()` when `invoke` was called."""
    end: float
    """`time.monotonic()` when it returned."""
    calls: tuple[Call, ...]
    """The CLI calls this turn made, in the order they finished."""
    cpu: float
    """This process's CPU time (`time.process_time`) during `invoke`, every thread's.

    With the simulator in-process the CLI's work is in it too; with CLI
    subprocesses it is the graph's side alone."""
    interrupt: str | None
    """The open interrupt's kind, or None when the run ended."""
    status: str | None
    """`okx_auth["status"]` when the run ended with an outcome."""

    @property
    def seconds(self) -> float:
        """Wall time of the turn."""
        return self.end - self.start


class _TimedConversation(testing.Conversation):
    """The package's driver, noting when its last `invoke` started and returned."""

    window: tuple[float, float] = (0.0, 0.0)
    cpu: float = 0.0

    def run_graph(self, request: testing.Request) -> dict[str, Any]:
        start, cpu = time.monotonic(), time.process_time()
        try:
            return super().run_graph(request)
        finally:
            self.window = (start, time.monotonic())
            self.cpu = time.process_time() - cpu


class Conversation:
    """A thread with the graph for one user (one HOME), each turn timed with its CLI calls.

    The turns run through the package's conversation driver; only the `invoke`
    itself is timed, not the driver's reading of the result.
    """

    def __init__(
        self,
        graph: testing.ConversationGraph,
        cli: OkxCli,
        home: Path,
        thread_id: str,
        durability: Durability = "async",
        callbacks: Sequence[BaseCallbackHandler] = (),
        answers: Answers = "resume",
    ) -> None:
        """A conversation whose every turn passes `callbacks` and answers as `answers` says."""
        self.cli = cli
        self.home = home
        self.thread_id = thread_id
        self.turns: list[Turn] = []
        self.driver = _TimedConversation(
            graph, AuthContext(okx_home=str(home)), thread_id=thread_id,
            durability=durability, answers=answers, config={"callbacks": list(callbacks)},
        )

    def say(self, text: str) -> Turn:
        """The user starts a request."""
        return self._turn(lambda: self.driver.start(text))

    def reply(self, text: str) -> Turn:
        """The user answers the open question: a resume, or a message (a chat box's way)."""
        return self._turn(lambda: self.driver.reply(text))

    @property
    def calls(self) -> list[Call]:
        """Every CLI call of the whole conversation."""
        return [call for turn in self.turns for call in turn.calls]

    def _turn(self, act: Callable[[], object]) -> Turn:
        before = len(self.cli.recorder.calls(self.home))
        act()
        start, end = self.driver.window
        question = self.driver.interrupt
        outcome = self.driver.outcome or {}
        turn = Turn(
            start=start,
            end=end,
            calls=tuple(self.cli.recorder.calls(self.home)[before:]),
            cpu=self.driver.cpu,
            interrupt=str(question["kind"]) if question else None,
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


def manual_login_steps(
    sim: Simulator, language: Language = "zh", asking: str | None = None
) -> list[Step]:
    """The whole manual login: request → menu → choice → code → browser → done → verified.

    `asking` is the status `okx_auth` holds while a question is open: None
    for the auth graph itself, `awaiting_reply` for a parent embedding
    `build_auth_subgraph`, which returns at each question.
    """
    request, choice, done = _LOGIN_WORDS[language]

    def ask(conv: Conversation) -> None:
        expect(conv.say(request), "site_choice", asking)

    def choose(conv: Conversation) -> None:
        expect(conv.reply(choice), "authorization_done", asking)

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
