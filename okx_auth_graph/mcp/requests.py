"""One tool call = one request of the auth graph, its questions asked through the client.

Each MCP session has a thread of the auth graph (`SessionThread`). A tool
call starts a request on it with `okx_auth_request={"action": ...}` and runs
the compiled graph with `ainvoke`; each time the graph stops at a question
(an interrupt), the question goes to the user as an elicitation
(`okx_auth_graph.mcp.elicitation`) and the user's answer comes back as
`Command(resume=...)`. Nothing here decides anything the graph decides: the
menu, the gate, the one `auth status` after "done" and every text are the
graph's.

A client that cannot ask a question stops the request there: the question
is closed with the cancel answer (no CLI call on that path) and the tool
says why the sign-in cannot go on from the model's word. A request also
begins by closing any question a broken-off call left open, so a new call
is never taken as the answer to an old question, and a question no answer
comes back to within `WAIT_SECONDS` is closed the same way, so the
session's next call never waits behind it for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast
from uuid import uuid4

from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from okx_auth_graph.builder import AuthGraph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.mcp.elicitation import (
    CANCEL,
    ClientAsks,
    ElicitAction,
    Elicitation,
    FormQuestion,
    LinkQuestion,
    asks_for_done,
    elicitation_for,
    resume_for,
)
from okx_auth_graph.nodes.common import open_prompt
from okx_auth_graph.prompts import Language, render
from okx_auth_graph.state import AuthInput, OkxAuthOutcome, RequestAction

MAX_QUESTIONS = 20
"""Questions one tool call may ask. A person answers a handful; a client that answers every
form by itself with a value the graph rejects would otherwise be asked forever."""

WAIT_SECONDS = 900.0
"""How long a question waits for the user's answer: the device code's ten minutes and some.
A question left longer is closed as cancelled (on 2026-07-28, the request is forgotten)."""

UserResult = tuple[ElicitAction, dict[str, Any] | None]
"""What the user did with an elicitation: the action and, for an accepted form, its content."""

T = TypeVar("T")


class QuestionNotShown(Exception):
    """An `Asker`'s client failed to put a question to the user (it answered with an error)."""


class Asker(Protocol):
    """The user's side of one tool call: what the client can ask, and asking it.

    `form` and `link` raise `QuestionNotShown` when the client fails to ask.
    """

    @property
    def asks(self) -> ClientAsks:
        """The elicitation modes the client declared."""
        ...

    async def form(self, question: FormQuestion) -> UserResult:
        """Ask with a form; the user's action and, on accept, the form's content."""
        ...

    async def link(self, question: LinkQuestion, elicitation_id: str) -> ElicitAction:
        """Ask the user to open the link (accept: they consent to; not that they are done)."""
        ...

    async def completed(self, elicitation_id: str) -> None:
        """Tell the client that the interaction behind a link is over."""
        ...


@dataclass(frozen=True)
class McpUser:
    """An authenticated caller, in the shape LangGraph reads as `runtime.server_info.user`.

    Passed as `configurable["langgraph_auth_user"]`, as LangGraph's own server
    does, so `okx_auth_graph.isolation` puts every CLI call of the request in
    that identity's HOME, exactly as on the multi-user LangGraph server.
    """

    identity: str
    """The token's `sub`."""


@dataclass
class Asked:
    """What the user did with this request's links so far."""

    opened: set[str] = field(default_factory=set)
    """Links the user accepted to open: not offered again, the "done" form is asked instead."""
    link_ids: list[str] = field(default_factory=list)
    """The accepted link elicitations, each completed for the client when the request ends."""


@dataclass(frozen=True)
class Reply:
    """What a tool call returns: the text the graph posted last, and its outcome."""

    text: str
    """The request's closing text (the success template, the API-key stop, a failure...)."""
    outcome: OkxAuthOutcome
    """The graph's `okx_auth`."""


Step = Reply | Elicitation
"""Where a request stands after a run: ended (its reply), or at a question (how to ask it)."""


@dataclass
class SessionThread:
    """The auth graph's thread of one MCP session (of one caller, on an HTTP server)."""

    graph: AuthGraph
    """The compiled auth graph, on the server's checkpointer."""
    thread_id: str
    """This session's thread."""
    identity: str | None = None
    """The authenticated caller; None for the local user (stdio, single-user HTTP)."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """One request at a time: a second call waits for the first to end."""

    @property
    def config(self) -> RunnableConfig:
        """The run config: the thread, and the caller as LangGraph's server names one."""
        configurable: dict[str, Any] = {"thread_id": self.thread_id}
        if self.identity is not None:
            configurable["langgraph_auth_user"] = McpUser(self.identity)
        return {"configurable": configurable}

    async def request(
        self, action: RequestAction, asker: Asker, language: Language | None = None
    ) -> Reply:
        """Run one request to its end, asking the user each question the graph asks.

        A link the user opened is over for the client once the request ends
        (`notifications/elicitation/complete`), however it ended.
        """
        async with self.lock:
            context = AuthContext(language=language)
            asked = Asked()
            try:
                step = await self.begin(action, asker.asks, context)
                for _ in range(MAX_QUESTIONS):
                    if isinstance(step, Reply):
                        return step
                    step = await self._ask(step, asker, context, asked)
                return await self.give_up(context)
            finally:
                for elicitation_id in asked.link_ids:
                    await asker.completed(elicitation_id)

    async def begin(self, action: RequestAction, asks: ClientAsks, context: AuthContext) -> Step:
        """Start a request (closing any question left open); its first question or its reply."""
        await self._close_open_question(context)
        started: AuthInput = {
            "messages": [HumanMessage(content=f"okx_auth_{action}", id=str(uuid4()))],
            "okx_auth_request": {"action": action},
        }
        return await self._step(await self._run(started, context), asks, context, Asked())

    async def answer(
        self, question: Elicitation, result: UserResult, asks: ClientAsks, context: AuthContext,
        asked: Asked,
    ) -> Step:
        """Resume the question with the user's result; the next question or the reply.

        An accepted link is not an answer (MCP: the user consented to open
        it): the same question is asked next as the form whose ticked box is
        the user's "done", or, for a client without forms, the wait stops
        there (the code stays valid), so no `auth status` runs on an accept.
        """
        if not isinstance(question, LinkQuestion):
            return await self._resume(resume_for(question, *result), asks, context, asked)
        if result[0] == "accept":
            asked.opened.add(question.url)
            done_form = await self.waiting(asks, context, asked) if asks.form else None
            if done_form is not None:
                return done_form
        return await self._resume(CANCEL, asks, context, asked)

    async def waiting(self, asks: ClientAsks, context: AuthContext, asked: Asked) -> Step | None:
        """The question the thread waits on, asked as a fresh run would ask it; None: none waits."""
        snapshot = await self.graph.aget_state(self.config)
        if not snapshot.interrupts:
            return None
        payload = dict(snapshot.interrupts[0].value)
        return await self._ask_or_stop(payload, asks, context, _language_of(snapshot.values), asked)

    async def give_up(self, context: AuthContext) -> Reply:
        """End a request that asked more than `MAX_QUESTIONS`: its question closed as cancelled."""
        return _reply(await self._run(Command(resume=CANCEL), context))

    async def _resume(
        self, answer: object, asks: ClientAsks, context: AuthContext, asked: Asked
    ) -> Step:
        """Resume the graph with `answer`; where the run then left the request."""
        return await self._step(await self._run(Command(resume=answer), context), asks, context,
                                asked)

    async def _step(
        self, result: dict[str, Any], asks: ClientAsks, context: AuthContext, asked: Asked
    ) -> Step:
        """Where a run left the request: its reply, or the question to ask (asked how)."""
        payload = _question(result)
        if payload is None:
            return _reply(result)
        return await self._ask_or_stop(payload, asks, context, await self._language(), asked)

    async def _ask_or_stop(
        self, payload: dict[str, Any], asks: ClientAsks, context: AuthContext, language: Language,
        asked: Asked,
    ) -> Step:
        """How to ask the question of `payload`; the stop when this client cannot ask it."""
        elicitation = elicitation_for(payload, asks, language, asked.opened)
        if elicitation is None:
            return await self._cannot_ask(context, language, payload)
        return elicitation

    async def _ask(
        self, elicitation: Elicitation, asker: Asker, context: AuthContext, asked: Asked
    ) -> Step:
        """Ask once, then resume with the answer."""
        try:
            if isinstance(elicitation, FormQuestion):
                result = await _in_time(asker.form(elicitation), ("cancel", None))
                return await self.answer(elicitation, result, asker.asks, context, asked)
            elicitation_id = str(uuid4())
            action = await _in_time(asker.link(elicitation, elicitation_id), "cancel")
        except QuestionNotShown:
            return await self._not_shown(elicitation, context)
        if action == "accept":
            asked.link_ids.append(elicitation_id)
        return await self.answer(elicitation, (action, None), asker.asks, context, asked)

    async def _not_shown(self, elicitation: Elicitation, context: AuthContext) -> Reply:
        """The client failed to ask: the question is closed as dismissed, and the tool says so.

        In the request's language, and with the link and code when the
        question was the link's, so the user can still authorize from the
        tool's text and say "done" in the chat (the next call checks once).
        """
        language = await self._language()
        ended = _reply(await self._run(Command(resume=CANCEL), context))
        shown = [elicitation.message] if asks_for_done(elicitation) else []
        text = "\n\n".join([render("mcp_not_shown", language), *shown, ended.text])
        return Reply(text=text, outcome=ended.outcome)

    async def _run(self, request: AuthInput | Command[Any], context: AuthContext) -> dict[str, Any]:
        result = await self.graph.ainvoke(request, self.config, context=context)
        return cast(dict[str, Any], result)

    async def _language(self) -> Language:
        """The request's language, as the graph fixed it when the request began."""
        return _language_of((await self.graph.aget_state(self.config)).values)

    async def _close_open_question(self, context: AuthContext) -> None:
        """Cancel a question an earlier call left open (its client went away mid-question)."""
        if (await self.graph.aget_state(self.config)).interrupts:
            await self._run(Command(resume=CANCEL), context)

    async def _cannot_ask(
        self, context: AuthContext, language: Language, payload: dict[str, Any]
    ) -> Reply:
        """Close the question unanswered and say why the sign-in stops here.

        The local user is told to sign in from a terminal, with the sites the
        menu offered when that is the question (the graph's skill's own), else
        a site to choose; an authenticated caller, whose CLI runs in a HOME of
        the server's, to use a client that can ask.
        """
        await self._run(Command(resume=CANCEL), context)
        if self.identity is not None:
            text = render("mcp_cannot_ask_server", language)
        else:
            choices = payload.get("choices")
            sites = f"<{'|'.join(map(str, choices))}>" if choices else "<site>"
            text = render("mcp_cannot_ask", language, sites=sites)
        return Reply(text=text, outcome={"status": "needs_user_action", "message": text})


async def _in_time(asked: Awaitable[T], silence: T) -> T:
    """The user's answer, or `silence` when none came within `WAIT_SECONDS`.

    A client may drop a question without a word (no result, no
    cancellation); the session's lock would then be held for good.
    """
    try:
        return await asyncio.wait_for(asked, WAIT_SECONDS)
    except TimeoutError:
        return silence


def _language_of(values: dict[str, Any]) -> Language:
    """The language a request's state holds (English until the graph fixed one)."""
    return cast(Language, values.get("language") or "en")


def _question(result: dict[str, Any]) -> dict[str, Any] | None:
    """The payload of the question the run stopped at, if it stopped at one."""
    pending = result.get("__interrupt__") or []
    return dict(pending[0].value) if pending else None


def _reply(result: dict[str, Any]) -> Reply:
    """The run's closing text (all it posted since the user last spoke) and its outcome."""
    outcome = cast(OkxAuthOutcome, result.get("okx_auth") or {})
    return Reply(text=open_prompt(result["messages"]), outcome=outcome)
