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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from langchain_core.messages import HumanMessage
from langgraph.types import interrupt

from okx_auth_graph.gate import text_of
from okx_auth_graph.interrupts import InterruptPayload, Question, reply_text
from okx_auth_graph.nodes.common import language_of, say
from okx_auth_graph.state import AuthState, AuthUpdate, OkxAuthOutcome


@dataclass(frozen=True)
class Answer:
    """The user's answer to the open question."""

    text: str
    """What the user replied, as text (a resume's number or inbox response included)."""
    recorded: list[HumanMessage]
    """What the answering step appends: the reply on resume; nothing when it came as a
    message, which the input already added to the conversation."""


def wait_for_answer(state: AuthState, payload: InterruptPayload) -> Answer:
    """The reply typed as a new message, or else the interrupt's resume value.

    A human message after the question means the user answered it by
    writing (`intake` routed here because the question was still open); the
    question's own posts always come last otherwise.
    """
    latest = state["messages"][-1] if state["messages"] else None
    if isinstance(latest, HumanMessage) and state.get("open_question") == payload["kind"]:
        return Answer(text=text_of(latest), recorded=[])
    text = reply_text(interrupt(payload), language_of(state))
    return Answer(text=text, recorded=[HumanMessage(content=text)])


def asking(question: Question, update: Mapping[str, object] | None = None) -> AuthUpdate:
    """A step's update that posts `question`: the question stays open until it is answered."""
    return cast(AuthUpdate, {**(update or {}), "open_question": question})


def answered(update: Mapping[str, object]) -> AuthUpdate:
    """An answering step's update that closes the question (unless it asks the next one)."""
    return cast(AuthUpdate, {"open_question": None, **update})


def closing(answer: Answer, text: str, outcome: OkxAuthOutcome) -> AuthUpdate:
    """The last update of a run ended by a reply: the reply, the closing text, the outcome."""
    return answered({"messages": [*answer.recorded, say(text)], "okx_auth": outcome})
