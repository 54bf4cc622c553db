"""Item 8: what a login inside a long conversation costs beyond what any node would.

An agent's conversation runs for days; the sign-in is one step in it. Any
node of a LangGraph parent pays something for a long conversation (each
checkpoint of the parent stores its `messages` channel when it changes), so
the figure that matters is not the auth graph's cost at N prior messages but
how much faster it grows with N than a **trivial stand-in** in the same
place: a node that asks the same two questions (interrupts of the same
`kind`s) and posts the same five messages (the menu, the reply "2", the login
text, the reply "好了", the success text) in the same turns, and reads
nothing. Both run in the same parent, on the same checkpointer, side by side
in each round.

Two embeddings, each with its stand-in:

- **plain node**: `parent.add_node("okx_auth", build_auth_graph(...))`, no
  checkpointer of its own; the replies resume the subgraph's interrupts
  (`Command(resume=...)`). The stand-in is one node that interrupts twice
  and returns the five messages at the end, which is when the auth graph's
  messages reach the parent too.
- **parent app**: `build_auth_subgraph(...)` with `relay_question` and
  `awaiting_reply`, wired as docs/subgraph.md's example; the replies resume
  `relay_question`'s interrupt. The stand-in returns
  `okx_auth = {"status": "awaiting_reply", "question": ...}` at each question
  as the subgraph does, so `relay_question` runs the same way for both.

The conversation's N prior messages are written before the login
(`update_state`), outside every figure. A login's **CPU** is this process's
CPU time (`time.process_time`, every thread) inside the three `invoke`s; the
simulator runs in-process (its work is the same for both sides and cancels
in the marginal cost), so no CLI process is counted or left out. **Stored**
is what the checkpointer holds after the login minus what it held before.
The **marginal** cost at N is the cost at N minus the cost at the smallest N
of the same round; the ratio divides the auth graph's by the stand-in's,
within each round.
"""

from __future__ import annotations

import gc
import itertools
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired, Protocol, TypeAlias

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import interrupt
from typing_extensions import TypedDict

from benchmarks.clis import BenchmarkError, InProcessSim, new_home
from benchmarks.conversation import Conversation, manual_login_steps, play
from benchmarks.plan import Plan
from benchmarks.savers import SAVERS, Saver, Store
from benchmarks.stats import Summary
from okx_auth_graph.builder import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.state import OkxAuthOutcome
from okx_auth_graph.subgraph import awaiting_reply, build_auth_subgraph, relay_question

Embedding = Literal["plain node", "parent app"]
EMBEDDINGS: tuple[Embedding, ...] = ("plain node", "parent app")
Side = Literal["auth graph", "stand-in"]
SIDES: tuple[Side, ...] = ("auth graph", "stand-in")
CPU_GOAL = 1.3
"""The auth graph's marginal CPU at most 1.3× the stand-in's."""
BYTES_GOAL = 1.2
"""The auth graph's marginal stored bytes at most 1.2× the stand-in's."""
GOAL_SIZES: dict[Embedding, int] = {"plain node": 5_000, "parent app": 10_000}
"""Where the issue states each embedding's goal (the same bound at both)."""
POSTED = 6
"""Messages a login adds to the parent's conversation: the request and the five posted."""

MENU = (
    "您需要选择要连接的 OKX 站点:\n\n  1. Global (www.okx.com)\n  2. EEA (my.okx.com)\n"
    "  3. US (app.okx.com)\n\n请回复 1、2 或 3。"
)
LOGIN_TEXT = (
    "请在浏览器中打开下面的链接并输入验证码完成授权:\n\n站点:eea  \n"
    "链接:https://my.okx.com/account/oauth/device?user_code=ABCD-EFGH  \n"
    "验证码:ABCD-EFGH  \n该验证码 10 分钟内有效。完成后回复“好了”。"
)
SUCCESS_TEXT = "登录成功。  \n站点:eea  \n权限:live:read,live:trade  \n现在可以继续你的操作了。"
_USER_LINE = (
    "Message {i}: what did BTC-USDT do since this morning, and should I move my limit order?"
)
_ASSISTANT_LINE = (
    "Reply {i}: BTC-USDT traded between 97,120 and 98,460 since 08:00 UTC, with volume "
    "about 12% above its seven-day average. Your limit buy at 96,800 sits below today's low; "
    "if you want it filled on a small dip, 97,300 has been touched three times today. "
    "Moving it is a trade, so I would ask you to confirm the new price before placing it. "
    "Funding on the perpetual is 0.008% per eight hours, unchanged since yesterday."
)


class ParentState(TypedDict):
    """A chat application's state: its conversation and the sign-in's outcome."""

    messages: Annotated[list[AnyMessage], add_messages]
    okx_auth: NotRequired[OkxAuthOutcome | None]


ParentGraph: TypeAlias = CompiledStateGraph[ParentState, AuthContext, ParentState, ParentState]


class StandIn(Protocol):
    """A node function of the parent, as LangGraph calls it (the state by name)."""

    def __call__(self, state: ParentState) -> dict[str, Any]:
        """The node's update."""
        ...


Node: TypeAlias = StandIn | CompiledStateGraph[Any, Any, Any, Any]


def history(count: int) -> list[AnyMessage]:
    """`count` prior chat messages, the user's and the assistant's in turn, of a chat's length.

    Plain trading talk: nothing in them looks like a sign-in, a menu or a
    reply to one, so the auth graph takes the same path at every N.
    """
    return [
        HumanMessage(content=_USER_LINE.format(i=i))
        if i % 2 == 0
        else AIMessage(content=_ASSISTANT_LINE.format(i=i))
        for i in range(count)
    ]


def stand_in_node(state: ParentState) -> dict[str, Any]:
    """The plain node's stand-in: two questions, then the five messages and `logged_in`.

    A node that interrupts is rerun from its start on every resume, so both
    questions are asked in order; it reads nothing of the state.
    """
    choice = interrupt({"kind": "site_choice", "message": MENU})
    done = interrupt({"kind": "authorization_done", "message": LOGIN_TEXT})
    return {
        "messages": [
            AIMessage(content=MENU),
            HumanMessage(content=str(choice)),
            AIMessage(content=LOGIN_TEXT),
            HumanMessage(content=str(done)),
            AIMessage(content=SUCCESS_TEXT),
        ],
        "okx_auth": {"status": "logged_in", "site": "eea"},
    }


def stand_in_returning(state: ParentState) -> dict[str, Any]:
    """The parent app's stand-in: returns at each question, as `build_auth_subgraph` does.

    It reads only `okx_auth` (which question it left open); `relay_question`
    asks it and records the reply, as for the subgraph.
    """
    outcome = state.get("okx_auth")
    question = dict(outcome.get("question") or {}) if outcome and awaiting_reply(outcome) else {}
    asked = question.get("kind")
    if asked is None:
        return _awaiting("site_choice", MENU)
    if asked == "site_choice":
        return _awaiting("authorization_done", LOGIN_TEXT)
    return {
        "messages": [AIMessage(content=SUCCESS_TEXT)],
        "okx_auth": {"status": "logged_in", "site": "eea"},
    }


def _awaiting(kind: str, text: str) -> dict[str, Any]:
    question = {"kind": kind, "message": text}
    return {
        "messages": [AIMessage(content=text)],
        "okx_auth": {"status": "awaiting_reply", "question": question, "language": "zh"},
    }


def _after_auth(state: ParentState) -> str:
    """docs/subgraph.md's route: relay an open question, else end."""
    return "ask_user" if awaiting_reply(state.get("okx_auth")) else END


def parent_graph(embedding: Embedding, node: Node, store: Store) -> ParentGraph:
    """The parent with `node` as `okx_auth`, wired as `embedding` says, on `store`'s saver."""
    builder = StateGraph(ParentState, context_schema=AuthContext)
    builder.add_node("okx_auth", node)
    builder.add_edge(START, "okx_auth")
    if embedding == "plain node":
        builder.add_edge("okx_auth", END)
    else:
        builder.add_node("ask_user", relay_question)
        builder.add_conditional_edges("okx_auth", _after_auth, ["ask_user", END])
        builder.add_edge("ask_user", "okx_auth")
    return builder.compile(checkpointer=store.saver)


def node_for(embedding: Embedding, side: Side, sim: InProcessSim) -> Node:
    """The `okx_auth` node: the package's graph in the embedding's form, or its stand-in."""
    if side == "stand-in":
        return stand_in_node if embedding == "plain node" else stand_in_returning
    if embedding == "plain node":
        return build_auth_graph(runner=sim.runner, okx_cli=sim.okx_cli)
    return build_auth_subgraph(runner=sim.runner, okx_cli=sim.okx_cli)


@dataclass(frozen=True)
class Login:
    """One measured login: CPU in its three turns and the bytes it stored."""

    cpu: float
    stored: int


def measure_login(
    embedding: Embedding,
    side: Side,
    node: Node,
    sim: InProcessSim,
    store: Store,
    home: Path,
    messages: int,
) -> Login:
    """One whole manual login in a parent whose thread already holds `messages` messages.

    The stand-in starts no login in the simulator, so its user has nothing
    to approve in the browser; that step is outside every figure anyway.

    Raises:
        BenchmarkError: The login took another path than menu → code →
            `logged_in`, or the parent's conversation did not gain exactly the
            request and the five posted messages (the two sides would not be
            doing the same work).
    """
    graph = parent_graph(embedding, node, store)
    conv = Conversation(graph, sim, home, f"thread-{home.name}")
    graph.update_state(conv.driver.config, {"messages": history(messages)}, as_node="okx_auth")
    conv.driver.catch_up()
    gc.collect()  # the history's garbage is not the login's
    before = store.stored_bytes()
    asking = None if embedding == "plain node" else "awaiting_reply"
    ask, choose, approve, confirm = manual_login_steps(sim, asking=asking)
    play(conv, [ask, choose, approve, confirm] if side == "auth graph" else [ask, choose, confirm])
    stored = store.stored_bytes() - before
    posted = len(conv.driver.messages) - messages
    if posted != POSTED:
        raise BenchmarkError(f"{embedding}: the login added {posted} messages, not {POSTED}")
    return Login(cpu=sum(turn.cpu for turn in conv.turns), stored=stored)


def marginal_ratios(
    auth_base: Sequence[float],
    auth_at: Sequence[float],
    stand_in_base: Sequence[float],
    stand_in_at: Sequence[float],
) -> list[float]:
    """Per round, the auth graph's growth from the base size over the stand-in's.

    All four sequences hold one value per round, measured in that round.
    A round where the stand-in did not grow (noise at a small N) gives
    infinity: no finite ratio bounds growth against none.
    """
    rounds = len(auth_base)
    if not rounds or any(len(s) != rounds for s in (auth_at, stand_in_base, stand_in_at)):
        raise ValueError("marginal ratios need one value per round on every side")
    result = []
    for a0, a1, s0, s1 in zip(auth_base, auth_at, stand_in_base, stand_in_at, strict=True):
        grown = s1 - s0
        result.append((a1 - a0) / grown if grown > 0 else math.inf)
    return result


Series = dict[tuple[int, Side], list[float]]
"""One quantity of one embedding and checkpointer: its values per (size, side), one per round."""


@dataclass(frozen=True)
class Growth:
    """How much one quantity grew from the base size to a larger one, each side and their ratio."""

    auth: Summary
    """The auth graph's login: cost at N minus cost at the base, per round."""
    stand_in: Summary
    """The trivial node's, the same way."""
    ratio: Summary
    """`marginal_ratios` of the two, per round."""

    @classmethod
    def of(cls, series: Series, base: int, size: int) -> Growth:
        """The growth from `base` to `size` messages, round by round."""
        def grown(side: Side) -> Summary:
            return Summary.of(
                at - before
                for before, at in zip(series[(base, side)], series[(size, side)], strict=True)
            )

        return cls(
            auth=grown("auth graph"),
            stand_in=grown("stand-in"),
            ratio=Summary.of(marginal_ratios(
                series[(base, "auth graph")], series[(size, "auth graph")],
                series[(base, "stand-in")], series[(size, "stand-in")],
            )),
        )


@dataclass(frozen=True)
class Point:
    """Both sides at one size: per-login CPU seconds and stored bytes over the rounds."""

    embedding: Embedding
    saver: Saver
    messages: int
    auth_cpu: Summary
    stand_in_cpu: Summary
    auth_bytes: Summary
    stand_in_bytes: Summary


@dataclass(frozen=True)
class Marginal:
    """From the smallest size to `messages`: how CPU and stored bytes grew."""

    embedding: Embedding
    saver: Saver
    base: int
    messages: int
    cpu: Growth
    """Seconds."""
    stored: Growth
    """Bytes."""

    @property
    def met(self) -> bool:
        """Whether both ratios are within the goals."""
        return self.cpu.ratio.median <= CPU_GOAL and self.stored.ratio.median <= BYTES_GOAL


@dataclass(frozen=True)
class EmbeddingResult:
    """Item 8: every embedding and checkpointer at every size."""

    points: tuple[Point, ...]
    marginals: tuple[Marginal, ...]

    def marginal(self, embedding: Embedding, saver: Saver, messages: int) -> Marginal:
        """The growth from the smallest size to `messages`."""
        wanted = (embedding, saver, messages)
        return next(m for m in self.marginals if (m.embedding, m.saver, m.messages) == wanted)

    def goal_size(self, embedding: Embedding) -> int:
        """The size the goal is judged at: the issue's, or the largest measured."""
        sizes = sorted({m.messages for m in self.marginals})
        wanted = GOAL_SIZES[embedding]
        return wanted if wanted in sizes else sizes[-1]


Key = tuple[Embedding, Saver, int, Side]


def summarise(sizes: Sequence[int], logins: dict[Key, list[Login]]) -> EmbeddingResult:
    """Every embedding and checkpointer: each size's costs, and the growth from the first size."""
    base, *larger = sizes
    points: list[Point] = []
    marginals: list[Marginal] = []
    for embedding, saver in itertools.product(EMBEDDINGS, SAVERS):
        measured = {(n, side): logins[(embedding, saver, n, side)] for n in sizes for side in SIDES}
        cpu: Series = {key: [x.cpu for x in done] for key, done in measured.items()}
        stored: Series = {key: [float(x.stored) for x in done] for key, done in measured.items()}
        points.extend(
            Point(embedding, saver, n, Summary.of(cpu[(n, "auth graph")]),
                  Summary.of(cpu[(n, "stand-in")]), Summary.of(stored[(n, "auth graph")]),
                  Summary.of(stored[(n, "stand-in")]))
            for n in sizes
        )
        marginals.extend(
            Marginal(embedding, saver, base, n, Growth.of(cpu, base, n), Growth.of(stored, base, n))
            for n in larger
        )
    return EmbeddingResult(tuple(points), tuple(marginals))


def run(plan: Plan) -> EmbeddingResult:
    """Every embedding, checkpointer, size and side, `plan.embedding_rounds` times.

    A round measures every combination once, the two sides of each
    back to back in alternating order, so both meet the same load; the
    warm-up rounds run the smallest size only (imports, first compiles).
    Every login gets a fresh checkpointer, thread and HOME.
    """
    if len(plan.embedding_sizes) < 2:
        raise ValueError("a marginal cost needs a base size and at least one more")
    sim = InProcessSim()
    logins: dict[Key, list[Login]] = {}
    names = itertools.count()
    with tempfile.TemporaryDirectory(prefix="okx-bench-embedding-") as tmp:
        root = Path(tmp)
        for index in range(plan.warm_up + plan.embedding_rounds):
            measured = index >= plan.warm_up
            sizes = plan.embedding_sizes if measured else plan.embedding_sizes[:1]
            sides = SIDES if index % 2 == 0 else SIDES[::-1]
            for embedding, saver, n, side in itertools.product(EMBEDDINGS, SAVERS, sizes, sides):
                with Store(saver, root) as store:
                    login = measure_login(
                        embedding, side, node_for(embedding, side, sim), sim, store,
                        new_home(root, f"u{next(names)}"), n,
                    )
                if measured:
                    logins.setdefault((embedding, saver, n, side), []).append(login)
    return summarise(plan.embedding_sizes, logins)
