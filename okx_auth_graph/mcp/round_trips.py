"""One request over several tool calls: for clients that take each question as the tool's result.

On the 2026-07-28 protocol (mcp 2.x) a tool call has no channel for a
request from the server: the tool returns the question (`input_required`,
with a `request_state`) and the client calls the tool again with the user's
answer and that state. The auth graph already stops at each question on a
checkpointer, so a call-back resumes it where it stopped: the state names
the request's thread and the question asked now (sealed by the SDK and bound
to the caller's token; the thread is also checked to be this caller's here),
so a call-back replayed with an earlier question's state answers nothing of
the request (it starts one of its own); the question is read back from the
thread, never from the call. The steps are the same as a
mid-call request's (`SessionThread`): no rule is written twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from uuid import uuid4

from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph.builder import AuthGraph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.mcp.elicitation import ClientAsks, Elicitation
from okx_auth_graph.mcp.requests import (
    MAX_QUESTIONS,
    WAIT_SECONDS,
    Asked,
    Reply,
    SessionThread,
    Step,
    UserResult,
)
from okx_auth_graph.prompts import Language
from okx_auth_graph.state import RequestAction

_QUESTION = "#"
"""Between a request's thread id and the number of its question, in a state."""


@dataclass
class Waiting:
    """A request stopped at a question, waiting for the client to call back."""

    thread: SessionThread
    """The request's thread."""
    action: RequestAction
    """The entry the request runs: only a call of that tool answers it."""
    asked: int = 1
    """Questions asked so far (at most `MAX_QUESTIONS`)."""
    since: float = field(default_factory=time.monotonic)
    """When the question was last asked."""
    links: Asked = field(default_factory=Asked)
    """The links the user opened in this request (no elicitation ids on this protocol)."""

    @property
    def state(self) -> str:
        """The state of the question asked now: a call-back with an earlier one answers nothing."""
        return f"{self.thread.thread_id}{_QUESTION}{self.asked}"


@dataclass
class RoundTrips:
    """The requests of one server waiting on their callers' answers."""

    graph: AuthGraph
    """The compiled auth graph, on the server's checkpointer."""
    saver: InMemorySaver
    """That checkpointer: a request's thread is deleted when it ends or is forgotten."""
    waiting: dict[str, Waiting] = field(default_factory=dict)
    """The requests stopped at a question, by the state of that question."""

    async def call(
        self, action: RequestAction, identity: str | None, asks: ClientAsks,
        language: Language | None, state: str | None, result: UserResult | None,
    ) -> Reply | tuple[str, Elicitation]:
        """One tool call: the request's reply, or (its state, the question to ask next).

        A call without a state this caller was given, through this tool,
        starts a request (so an expired or foreign state only ever reaches the
        menu again, and a read-only tool's call never answers another tool's
        question, such as a removal's yes); a call-back without an answer is
        asked the same question again.
        """
        self._forget_stale()
        context = AuthContext(language=language)
        held = self.waiting.pop(state, None) if state is not None else None
        if held is not None and (held.thread.identity, held.action) != (identity, action):
            self.waiting[held.state] = held
            held = None
        if held is None:
            held = Waiting(SessionThread(self.graph, str(uuid4()), identity), action)
            async with held.thread.lock:
                step = await held.thread.begin(action, asks, context)
        else:
            step = await self._resume(held, action, asks, context, result)
        if isinstance(step, Reply):
            self.saver.delete_thread(held.thread.thread_id)
            return step
        held.since = time.monotonic()
        self.waiting[held.state] = held
        return held.state, step

    async def _resume(
        self, held: Waiting, action: RequestAction, asks: ClientAsks, context: AuthContext,
        result: UserResult | None,
    ) -> Step:
        """The call-back of a waiting request: its answer taken, or its question asked again."""
        async with held.thread.lock:
            asked = await held.thread.waiting(asks, context, held.links)
            if asked is None:
                return await held.thread.begin(action, asks, context)
            if result is None or isinstance(asked, Reply):
                return asked
            if held.asked >= MAX_QUESTIONS:
                return await held.thread.give_up(context)
            held.asked += 1
            return await held.thread.answer(asked, result, asks, context, held.links)

    def _forget_stale(self) -> None:
        """Delete the threads of requests whose client never called back."""
        cutoff = time.monotonic() - WAIT_SECONDS
        for state, held in list(self.waiting.items()):
            if held.since < cutoff:
                del self.waiting[state]
                self.saver.delete_thread(held.thread.thread_id)
