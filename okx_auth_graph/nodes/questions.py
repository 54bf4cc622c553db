"""Waiting for the user's answer to a question, however the answer arrives.

A client answers an interrupt in one of two ways: it resumes the thread
(`Command(resume=...)`, the way LangGraph's own clients do), or it sends the
reply as a new human message (a chat box that only ever starts runs, like
Agent Chat UI's). A new message on a thread with a pending interrupt starts
the graph again from `intake` and drops the pending task, so the graph keeps
the open question in its own state (`open_question`, written by the step
that posts the question): `intake` sends such a message back to the step
that asked, and that step takes it as the answer instead of interrupting.
Both ways leave the same conversation behind: the reply once, as a human
message, right after the question.

A graph built to return at questions (`build_auth_graph(questions="return")`,
the form a parent graph embeds) does not interrupt at all: a question with
no answer yet ends the run with `okx_auth = {"status": "awaiting_reply",
"question": <the interrupt payload>, "language": ...}`. The parent's state then holds the
posted question (its chat shows it), and its next message (typed, or a
parent's own resume turned into one) answers it the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Literal, TypeVar, cast

from langchain_core.messages import HumanMessage
from langgraph.types import interrupt

from okx_auth_graph.interrupts import InterruptPayload, Question, reply_text
from okx_auth_graph.nodes.common import language_of, say
from okx_auth_graph.replies import text_of
from okx_auth_graph.state import AuthState, AuthUpdate, OkxAuthOutcome

QuestionStyle = Literal["interrupt", "return"]
"""How a question without an answer waits: an interrupt, or the end of the run."""


@dataclass(frozen=True)
class Answer:
    """The user's answer to the open question."""

    text: str
    """What the user replied, as text (a resume's number or inbox response included)."""
    recorded: list[HumanMessage]
    """What the answering step appends: the reply on resume; nothing when it came as a
    message, which the input already added to the conversation."""


def _typed_answer(state: AuthState, question: Question) -> Answer | None:
    """The reply typed as a new message, if the latest message is the user's answer.

    A human message after the question means the user answered it by
    writing (`intake` routed here because the question was still open); the
    question's own posts always come last otherwise.
    """
    latest = state["messages"][-1] if state["messages"] else None
    if isinstance(latest, HumanMessage) and state.get("open_question") == question:
        return Answer(text=text_of(latest), recorded=[])
    return None


_Step = TypeVar("_Step", bound=Callable[..., object])


@dataclass(frozen=True)
class Waiting:
    """How the question steps wait for an answer; chosen when the graph is built."""

    style: QuestionStyle = "interrupt"
    """`interrupt`: resume (or a new message) answers; `return`: the run ends at the question."""

    def answer(self, state: AuthState, payload: InterruptPayload) -> Answer | None:
        """The typed reply, else the interrupt's resume value; None when the run must return."""
        typed = _typed_answer(state, payload["kind"])
        if typed is not None or self.style == "return":
            return typed
        text = reply_text(interrupt(payload), language_of(state))
        return Answer(text=text, recorded=[HumanMessage(content=text)])

    def bind(self, step: _Step) -> _Step:
        """`step`, waiting this way.

        LangGraph draws a step's routes from its return annotation
        (`Command[Literal[...]]`) and passes it arguments by its signature;
        the wrapper carries both of the step's own, so the bound step is drawn
        and called exactly as the step itself.
        """

        @wraps(step)
        def waiting(state: AuthState) -> object:
            return step(state, waiting=self)

        return cast(_Step, waiting)


INTERRUPTING = Waiting()
"""The default: each question interrupts the run."""


def left_open(state: AuthState, payload: InterruptPayload) -> AuthUpdate:
    """The update that ends a run at an unanswered question, with the `awaiting_reply` outcome.

    A parent shows and relays that question; `okx_auth_graph.subgraph.awaiting_reply`
    is the parent's test for it.
    """
    outcome: OkxAuthOutcome = {
        "status": "awaiting_reply", "question": payload, "language": language_of(state),
    }
    return {"okx_auth": outcome}


def asking(question: Question, update: Mapping[str, object] | None = None) -> AuthUpdate:
    """A step's update that posts `question`: the question stays open until it is answered."""
    return cast(AuthUpdate, {**(update or {}), "open_question": question})


def answered(update: Mapping[str, object]) -> AuthUpdate:
    """An answering step's update that closes the question (unless it asks the next one)."""
    return cast(AuthUpdate, {"open_question": None, **update})


def closing(answer: Answer, text: str, outcome: OkxAuthOutcome) -> AuthUpdate:
    """The last update of a run ended by a reply: the reply, the closing text, the outcome."""
    return answered({"messages": [*answer.recorded, say(text)], "okx_auth": outcome})
