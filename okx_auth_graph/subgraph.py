"""The auth graph inside a parent graph whose chat shows what the sign-in asks, while it asks.

Added as a plain node (`parent.add_node("okx_auth", build_auth_graph())`), the
auth graph interrupts inside the subgraph: what it posts (the menu, the link
and code, a reminder) reaches the parent's `messages` only when the subgraph
ends, so a chat view of the parent's thread shows nothing while the user must
answer; and a reply the user types as a new message starts a fresh subgraph,
which asks again.

`build_auth_subgraph()` is the form a parent embeds instead. It keeps its own
state in the parent's thread from one call to the next, and it *returns* at
every question: the parent's `messages` then hold the question, and its
`okx_auth` is `{"status": "awaiting_reply", "question": <the interrupt
payload>, "language": ...}`. The parent does two things with that:

- after the subgraph, `awaiting_reply(outcome)` routes to a node that asks the
  user, `relay_question`: it interrupts with the same payload, so the
  parent's caller resumes exactly as it would the auth graph itself, and
  records the reply as a human message before going back into the subgraph;
- at the start of a run (a reply typed as a new message, by a chat box that
  only ever starts runs), `awaiting_reply(outcome)` sends the new message
  straight back into the subgraph, instead of treating it as a new request.

Either way the subgraph reads the reply as the answer to its open question:
the same transcript and the same CLI calls as a resume of the auth graph.
"""

from __future__ import annotations

from langchain_core.messages import AnyMessage, HumanMessage
from langgraph.types import interrupt
from typing_extensions import TypedDict

from okx_auth_graph.builder import AuthGraph, build_auth_graph
from okx_auth_graph.interrupts import reply_text
from okx_auth_graph.okx import (
    AsyncCliRunner,
    CliRunner,
    arun_okx,
    arun_okx_streaming,
    run_okx,
    run_okx_streaming,
)
from okx_auth_graph.okx.interactive import AsyncStreamingRunner, StreamingRunner
from okx_auth_graph.skill import Skill
from okx_auth_graph.state import OkxAuthOutcome


def build_auth_subgraph(
    *,
    runner: CliRunner = run_okx,
    streaming_runner: StreamingRunner = run_okx_streaming,
    arunner: AsyncCliRunner = arun_okx,
    astreaming_runner: AsyncStreamingRunner = arun_okx_streaming,
    okx_cli: str | None = None,
    name: str = "okx_auth",
    skill: str | Skill | None = None,
) -> AuthGraph:
    """The auth graph as a parent embeds it: its own state kept, ending the run at each question.

    The arguments are `build_auth_graph`'s, but for the two this sets. The parent compiles with a
    checkpointer (the subgraph's state lives in the parent's thread) and
    routes with `awaiting_reply` and `relay_question` (see the module).
    """
    return build_auth_graph(
        True,
        runner=runner,
        streaming_runner=streaming_runner,
        arunner=arunner,
        astreaming_runner=astreaming_runner,
        okx_cli=okx_cli,
        name=name,
        questions="return",
        skill=skill,
    )


def awaiting_reply(outcome: OkxAuthOutcome | None) -> bool:
    """Whether the sign-in stopped at a question the user has not answered yet."""
    return outcome is not None and outcome.get("status") == "awaiting_reply"


class RelayState(TypedDict):
    """The keys `relay_question` reads; a parent's state has them as the subgraph's contract."""

    messages: list[AnyMessage]
    """The conversation (the parent's own channel)."""
    okx_auth: OkxAuthOutcome | None
    """The subgraph's outcome: `awaiting_reply`, with the question."""


def relay_question(state: RelayState) -> dict[str, list[AnyMessage]]:
    """Ask the user the subgraph's question, and record the reply as their message.

    The interrupt carries the subgraph's own payload (`kind`, `message`, the
    question's fields and the agent-inbox fields), so a client answers it
    like any of the auth graph's interrupts: the reply as typed, a number,
    an inbox response, or `ignore` to cancel. The parent routes back into the
    subgraph next, which takes the recorded message as the answer.
    """
    outcome = state["okx_auth"] or {}
    question = outcome.get("question")
    if question is None:
        raise ValueError("relay_question runs only after the auth subgraph returned a question")
    reply = reply_text(interrupt(question), outcome.get("language") or "en")
    return {"messages": [HumanMessage(content=reply)]}
