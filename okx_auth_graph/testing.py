"""Hold a conversation with a compiled auth graph, one user turn at a time.

The auth graph talks through LangGraph's public contract only: a user message
(with an optional `okx_auth_request`) starts a request, every question is an
interrupt, an answer resumes it, and the run ends with `okx_auth`. Driving
that by hand means the same bookkeeping in every test, demo and benchmark: the
thread's config, passing the context again on every call, telling the texts a
turn posted from the ones already shown, digging the question out of
`__interrupt__`. `Conversation` does it once, so a test reads like the
conversation it checks:

    conv = Conversation(build_auth_graph(InMemorySaver()), AuthContext(okx_home=home))
    assert conv.start("log me in") == [menu_text]
    assert conv.interrupt["kind"] == "site_choice"
    conv.reply("2")  # ... the user approves in the browser ...
    conv.reply("done")
    assert conv.outcome["status"] == "logged_in"

It drives the auth graph itself or any graph that embeds it (a parent whose
context is `AuthContext`), on any checkpointer. It imports nothing beyond what
the package itself needs, so an application can use it in its own tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple, TypeAlias

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, Durability, StateSnapshot, StreamMode

from okx_auth_graph.context import AuthContext
from okx_auth_graph.replies import text_of
from okx_auth_graph.state import OkxAuthRequest

__all__ = [
    "Answers",
    "Conversation",
    "ConversationGraph",
    "Request",
    "StreamEvent",
    "transcript_entry",
]

ConversationGraph: TypeAlias = CompiledStateGraph[Any, AuthContext, Any, Any]
"""A graph a conversation runs: the auth graph, or an application's graph embedding it."""

Request: TypeAlias = Mapping[str, Any] | Command[Any] | None
"""One run's input: new state values (a message), a resume, or None (continue a cut-off run)."""

Answers = Literal["resume", "message"]
"""How the user answers a question: resuming the interrupt (what an agent's tool
call or a client with an answer button does), or typing a new message (what a
plain chat box does; the graph takes it as the answer to the open question)."""


class StreamEvent(NamedTuple):
    """One streamed event of a run, whatever the stream modes: where, which mode, what."""

    namespace: tuple[str, ...]
    """The graph that emitted it: `()` for the top graph, else the subgraph's path."""
    mode: str
    """The stream mode (`values`, `updates`, `custom`, ...)."""
    data: Any
    """The payload LangGraph streamed for that mode."""


def transcript_entry(speaker: str, text: str) -> str:
    """`speaker:` and the text indented below it: how every transcript here reads.

    Each line loses its trailing spaces: the posted texts end lines inside a
    paragraph with markdown's hard break (two spaces), which a chat view
    renders and a terminal would only carry along as invisible trailing blanks.
    """
    body = "\n    ".join(line.rstrip() for line in text.split("\n"))
    return f"{speaker}:\n    {body}"


def speaker_of(message: AnyMessage) -> str:
    """`user` for what the person typed, `assistant` for everything else."""
    return "user" if isinstance(message, HumanMessage) else "assistant"


class Conversation:
    """One thread with a compiled graph, advanced one user turn at a time.

    Every turn passes the same thread id and the current `context` (an
    attribute, so a test may swap it between turns, as a request arriving in
    another process would bring its own). A turn is a plain `invoke`, which is
    cheapest; with `stream_modes` it is streamed instead (subgraphs included)
    and every event is kept in `events`, for a test that searches them.
    `asend` runs a turn on the async API instead (`ainvoke`, or `astream`),
    as a server would; the turn's input is built the same way for both
    (`message`, `answer`, `request_for`).

    The readings (`interrupt`, `outcome`, `messages`) come from the last run's
    output, or from the thread's checkpoint after a streamed run, so reading
    them costs nothing once a turn has returned.
    """

    def __init__(
        self,
        graph: ConversationGraph,
        context: AuthContext | None = None,
        *,
        thread_id: str = "conversation",
        durability: Durability | None = None,
        answers: Answers = "resume",
        stream_modes: Sequence[StreamMode] = (),
        config: RunnableConfig | None = None,
    ) -> None:
        """Bind a compiled graph (with its checkpointer) to one thread.

        Args:
            graph: The compiled graph; it needs a checkpointer to keep the thread.
            context: What every run passes (the user's HOME, language, login
                mode); None → `AuthContext()`, the process's own HOME.
            thread_id: The thread this conversation lives in.
            durability: When each step's checkpoint is written; None →
                LangGraph's default (`async`).
            answers: How `reply` answers a question (see `Answers`).
            stream_modes: Stream each turn in these modes and keep the events.
            config: Run config every call carries (callbacks, metadata); the
                thread id is added to its `configurable`.
        """
        self.graph = graph
        self.context = context if context is not None else AuthContext()
        self.thread_id = thread_id
        self.durability = durability
        self.answers: Answers = answers
        self.stream_modes: tuple[StreamMode, ...] = tuple(stream_modes)
        self.base_config: RunnableConfig = config or {}
        self.result: dict[str, Any] = {}
        """The last run's output (after a streamed run: the thread's values and `__interrupt__`)."""
        self.events: list[StreamEvent] = []
        """Every event of the streamed turns, in order."""
        self.questions: list[dict[str, Any]] = []
        """The payload of every question that was open after a turn, in order."""
        self.new_messages: list[AnyMessage] = []
        """The messages the last turn added: the user's and the graph's."""
        self._seen = 0

    # ------------------------------------------------------------ the thread

    @property
    def config(self) -> RunnableConfig:
        """The run config of every call: `config` plus this thread's id."""
        configurable = {**self.base_config.get("configurable", {}), "thread_id": self.thread_id}
        return {**self.base_config, "configurable": configurable}

    @property
    def snapshot(self) -> StateSnapshot:
        """The thread as its checkpointer holds it now (read on every access)."""
        return self.graph.get_state(self.config)

    @property
    def values(self) -> dict[str, Any]:
        """The thread's whole current state, read from the checkpointer."""
        return dict(self.snapshot.values)

    def catch_up(self) -> StateSnapshot:
        """Read the thread as it stands, and count its messages as already shown.

        For a conversation picked up in a new process: the next turn then
        returns only what it posts itself, and the readings reflect the thread.
        """
        snapshot = self.snapshot
        self.result = self._result_of(snapshot)
        self._seen = len(self.result.get("messages", []))
        return snapshot

    # ------------------------------------------------------------ the user's turns

    def start(
        self, text: str, request: OkxAuthRequest | None = None, **values: Any
    ) -> list[str]:
        """Send a user message that starts a request; returns the texts the graph posted.

        Args:
            text: What the user types.
            request: The entry to run (`okx_auth_request`); None → the entry the
                user's words ask for (usually login).
            values: More input values, for a graph around the auth graph.
        """
        return self.send(self.message(text, request, **values))

    def reply(self, answer: object) -> list[str]:
        """Answer the open question as `answers` says; returns the texts the graph posted.

        Resuming passes `answer` as it is (a typed answer may be a dict);
        answering by message needs text.
        """
        return self.send(self.answer(answer))

    def answer(self, answer: object) -> Request:
        """The input `reply` sends for an answer to the open question."""
        if self.answers == "message":
            if not isinstance(answer, str):
                raise TypeError(f"a message answer is text, not {type(answer).__name__}")
            return self.message(answer)
        return Command(resume=answer)

    def say(self, text: str) -> list[str]:
        """What a chat box does with a typed line: answer the open question, else start a request.

        Returns the texts the graph posted.
        """
        return self.send(self.request_for(text))

    def request_for(self, text: str) -> Request:
        """The input `say` sends for a typed line (for a caller that streams the turn itself).

        With a question open it is the answer (a resume, or a message when
        `answers` says so); without one, a new request.
        """
        if self.interrupt is not None and self.answers == "resume":
            return Command(resume=text)
        return self.message(text)

    def message(
        self, text: str, request: OkxAuthRequest | None = None, **values: Any
    ) -> dict[str, Any]:
        """The input of a new user message, as `start` sends it."""
        item: dict[str, Any] = {"messages": [HumanMessage(content=text)], **values}
        if request is not None:
            item["okx_auth_request"] = request
        return item

    def send(self, request: Request) -> list[str]:
        """Run one turn with any input; returns the texts the graph posted during it."""
        if self.stream_modes:
            self.events.extend(self.stream(request))
        else:
            self.record(self.run_graph(request))
        return self.posted()

    async def asend(self, request: Request) -> list[str]:
        """`send` on the graph's async API: `ainvoke`, or `astream` with `stream_modes`."""
        if self.stream_modes:
            self.events.extend([event async for event in self.astream(request)])
        else:
            self.record(await self.arun_graph(request))
        return self.posted()

    def posted(self) -> list[str]:
        """The texts the graph posted during the last turn."""
        return [text_of(m) for m in self.new_messages if isinstance(m, AIMessage)]

    def run_graph(self, request: Request) -> dict[str, Any]:
        """The turn's one `invoke`, nothing else: the seam a benchmark times."""
        return dict(
            self.graph.invoke(
                request, self.config, context=self.context, durability=self.durability
            )
        )

    async def arun_graph(self, request: Request) -> dict[str, Any]:
        """The turn's one `ainvoke`: `run_graph` on the async API."""
        return dict(
            await self.graph.ainvoke(
                request, self.config, context=self.context, durability=self.durability
            )
        )

    def stream(
        self, request: Request, modes: Sequence[StreamMode] | None = None
    ) -> Iterator[StreamEvent]:
        """Run one turn streamed, yielding each event as it comes (for a live view).

        Once the run is done the conversation reads the thread, as after
        `send`. A consumer that stops early leaves the turn unrecorded.

        Args:
            request: The turn's input.
            modes: The stream modes; None → `stream_modes`, else `values`.
        """
        for namespace, mode, data in self.graph.stream(
            request, self.config, context=self.context, stream_mode=self._modes(modes),
            subgraphs=True, durability=self.durability,
        ):
            yield StreamEvent(tuple(namespace), str(mode), data)
        self.record(self._result_of(self.snapshot))

    async def astream(
        self, request: Request, modes: Sequence[StreamMode] | None = None
    ) -> AsyncIterator[StreamEvent]:
        """`stream` on the graph's async API (`astream`)."""
        async for namespace, mode, data in self.graph.astream(
            request, self.config, context=self.context, stream_mode=self._modes(modes),
            subgraphs=True, durability=self.durability,
        ):
            yield StreamEvent(tuple(namespace), str(mode), data)
        self.record(self._result_of(await self.graph.aget_state(self.config)))

    def _modes(self, modes: Sequence[StreamMode] | None) -> list[StreamMode]:
        """The stream modes of a streamed turn: `modes`, else `stream_modes`, else `values`."""
        return list(modes or self.stream_modes or ("values",))

    def record(self, result: Mapping[str, Any]) -> None:
        """Take a finished run's output as the conversation's new reading."""
        self.result = dict(result)
        messages: list[AnyMessage] = list(self.result.get("messages", []))
        self.new_messages = messages[self._seen:]
        self._seen = len(messages)
        if self.interrupt is not None:
            self.questions.append(self.interrupt)

    @staticmethod
    def _result_of(snapshot: StateSnapshot) -> dict[str, Any]:
        """A snapshot in the shape `invoke` returns: its values and any open question."""
        result = dict(snapshot.values)
        if snapshot.interrupts:
            result["__interrupt__"] = list(snapshot.interrupts)
        return result

    # ------------------------------------------------------------ what it reads

    @property
    def interrupt(self) -> dict[str, Any] | None:
        """The open question's payload, or None when the last run ended.

        Raises:
            RuntimeError: More than one question is open (parallel branches),
                which the auth graph never does.
        """
        pending = self.result.get("__interrupt__") or []
        if len(pending) > 1:
            raise RuntimeError(f"more than one question is open: {pending}")
        return dict(pending[0].value) if pending else None

    @property
    def outcome(self) -> dict[str, Any] | None:
        """`okx_auth` after the last run: the request's outcome, None while it runs."""
        value = self.result.get("okx_auth")
        return dict(value) if value else None

    @property
    def messages(self) -> list[AnyMessage]:
        """The whole conversation so far."""
        return list(self.result.get("messages", []))

    def ai_texts(self) -> list[str]:
        """Everything the graph posted in this thread, in order."""
        return [text_of(m) for m in self.messages if isinstance(m, AIMessage)]

    def human_texts(self) -> list[str]:
        """Everything the user said in this thread, in order."""
        return [text_of(m) for m in self.messages if isinstance(m, HumanMessage)]

    def transcript(self, messages: Sequence[AnyMessage] | None = None) -> list[str]:
        """The messages as transcript entries (`user:`/`assistant:`); None → the whole thread."""
        shown = self.messages if messages is None else messages
        return [transcript_entry(speaker_of(m), text_of(m)) for m in shown]
