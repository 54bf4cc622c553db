"""Every question the graph asks, made by one factory, however the answer arrives.

A question is data (`QuestionSpec`): its `kind`, the fields its interrupt
carries, and `decide`, which reads the reply and says where each answer
goes. `question_node` turns one into a node. The five questions are one
`QuestionSpec` each, kept with the step they belong to: `SITE_CHOICE`
(`site.py`), `AUTHORIZATION_DONE` and `RETRY_LOGIN` (`authorization.py`),
`CONFIRM_REMOVE` and `API_KEY_REMEDY` (`requests.py`); `builder.py` makes a
node of each, and a test holds that every `Question` kind has exactly one.

An answer arrives in one of three ways, and all three meet in `_answer`
before any `decide` sees it:

- a **resume** (`Command(resume=...)`, the way LangGraph's own clients answer
  an interrupt): the reply is recorded as a human message right after the
  question;
- a **new human message** (a chat box that only ever starts runs, like
  Agent Chat UI's): it starts the graph again from `intake`, and drops the
  pending interrupt, so the graph keeps the open question in its own state
  (`open_question`, written by the step that posts the question) and
  `intake` sends the message back to the question, which takes it as the
  answer instead of interrupting;
- a **parent relaying it** (`build_auth_graph(questions="return")`, the form a
  parent graph embeds): a question with no answer yet does not interrupt but
  ends the run with `okx_auth = {"status": "awaiting_reply", "question": <the
  interrupt payload>, "language": ...}`; the parent shows it and records the
  reply as a human message, which then arrives as above.

Each way leaves the same conversation behind: the reply once, as a human
message, right after the question.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol, cast
from uuid import uuid4

from langchain_core.messages import HumanMessage
from langgraph.graph import END
from langgraph.types import Command, interrupt

from okx_auth_graph.interrupts import InterruptPayload, Question, inbox_fields, reply_text
from okx_auth_graph.nodes.common import language_of, open_prompt, say
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
    message_id: str
    """The id of the user's message that holds the reply (recorded here, or typed)."""


@dataclass(frozen=True)
class QuestionSpec:
    """One question: what its interrupt carries, and where each answer goes."""

    kind: Question
    """The interrupt's `kind`, and the `open_question` that a typed reply answers."""
    fields: Callable[[AuthState], dict[str, object]]
    """The question's own payload fields (choices, link and code, target, ...)."""
    decide: Callable[[AuthState, Answer], Command[str]]
    """The answer's effect: what is posted and which step is next."""


def _answer(state: AuthState, payload: InterruptPayload, style: QuestionStyle) -> Answer | None:
    """The reply, however it came; None when the run must return at the question.

    A human message after the question means the user answered it by writing
    (`intake` routed here because the question was still open); the
    question's own posts always come last otherwise.
    """
    latest = state["messages"][-1] if state["messages"] else None
    if isinstance(latest, HumanMessage) and state.get("open_question") == payload["kind"]:
        return Answer(text=text_of(latest), recorded=[], message_id=latest.id or "")
    if style == "return":
        return None
    text = reply_text(interrupt(payload), language_of(state))
    reply = HumanMessage(content=text, id=str(uuid4()))
    return Answer(text=text, recorded=[reply], message_id=reply.id or "")


class QuestionNode(Protocol):
    """A question step, as LangGraph calls a node: with the state, by name."""

    def __call__(self, state: AuthState) -> Command[str]:
        """Ask, or take the answer and go where it leads."""
        ...


def question_node(spec: QuestionSpec, style: QuestionStyle) -> QuestionNode:
    """The node that asks `spec`'s question and goes where its answer leads.

    It asks about everything posted since the user last spoke (the menu, the
    login template, a reminder). No CLI call happens in a question node, so
    re-running it from its top on resume repeats nothing.
    """

    def ask(state: AuthState) -> Command[str]:
        message, fields = open_prompt(state["messages"]), spec.fields(state)
        payload = cast(InterruptPayload, {
            "kind": spec.kind, "message": message, **fields,
            **inbox_fields(spec.kind, message),
        })
        answer = _answer(state, payload, style)
        if answer is None:
            return Command(goto=END, update=_left_open(state, payload))
        return spec.decide(state, answer)

    ask.__name__ = ask.__qualname__ = f"ask_{spec.kind}"
    return ask


def _left_open(state: AuthState, payload: InterruptPayload) -> AuthUpdate:
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


def asked_again(answer: Answer, text: str) -> AuthUpdate:
    """The update of a reply that answers nothing: the reply, and why the question comes again."""
    return {"messages": [*answer.recorded, say(text)]}
