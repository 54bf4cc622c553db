"""Item 9: login after login on one thread, each one as cheap as the first.

A user's conversation with an agent can outlive many sessions: each time the
session lapses the next account request signs in again, on the same thread,
whose history holds every earlier sign-in. The standalone auth graph
(`build_auth_graph(checkpointer)`) runs `plan.thread_logins` whole manual
logins there one after another; after each, the simulator ends the session
server-side (`okx-sim session expire`), so the next request finds the user
signed out and logs in again.

A login's **CPU** is this process's CPU time (`time.process_time`, every
thread) inside its three `invoke`s, less the simulator's (it runs in-process,
and its own state grows over the first logins: `InProcessSim.cpu_seconds`,
as item 1 takes the simulator's command code out); **stored** is
what the checkpointer holds after it minus before. The growth compares the
median of the last `WINDOW` logins with the median of the first `WINDOW` on
the same thread (medians of five rather than single logins: one login is a
few milliseconds, which one scheduler hiccup can double).

Beside it, on a thread of its own, a stand-in graph that holds the same
conversation in the same channel (`MESSAGES`) and does nothing else: it asks
the same two questions and posts the same messages per login (section 8's
stand-in node, as the whole graph). What LangGraph does with a thread's
conversation on every turn (load it, hand it back) grows the same in both;
the difference between the two growths is the auth graph's own.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from typing_extensions import TypedDict

from benchmarks.clis import InProcessSim, new_home
from benchmarks.conversation import Conversation, auth_graph, manual_login_steps, play
from benchmarks.embedding import SIDES, Side, stand_in_node
from benchmarks.plan import Plan
from benchmarks.savers import SAVERS, Saver, Store
from benchmarks.stats import Summary
from okx_auth_graph.context import AuthContext
from okx_auth_graph.state import MESSAGES, OkxAuthOutcome
from okx_auth_graph.testing import ConversationGraph

GROWTH_GOAL = 1.3
"""The last logins at most 1.3× the first."""
WINDOW = 5
"""Logins in each of the two windows compared (the first ones, the last ones)."""
SHOWN_LOGINS = (1, 10, 25, 50, 100)
"""Login numbers the report lists (those the plan reaches)."""
EXPIRE_SESSION = ("session", "expire")
"""The simulator's control that ends the session, as a lapsed refresh token would."""
TURNS = 3
"""`invoke`s per login: the request, the site choice, "done"."""


class ThreadState(TypedDict):
    """The stand-in's state: the thread's conversation in the auth graph's channel."""

    messages: Annotated[list[AnyMessage], MESSAGES]
    okx_auth: NotRequired[OkxAuthOutcome | None]


StandInThread = CompiledStateGraph[ThreadState, AuthContext, ThreadState, ThreadState]


def _begin(state: ThreadState) -> dict[str, None]:
    """A new request has no outcome yet (as the auth graph's intake clears the last one)."""
    return {"okx_auth": None}


def stand_in_thread(saver: BaseCheckpointSaver[str]) -> StandInThread:
    """A graph that holds the thread's conversation as the auth graph does, and only asks."""
    builder = StateGraph(ThreadState, context_schema=AuthContext)
    builder.add_node("begin", _begin)
    builder.add_node("okx_auth", stand_in_node, input_schema=ThreadState)
    builder.add_edge(START, "begin")
    builder.add_edge("begin", "okx_auth")
    builder.add_edge("okx_auth", END)
    return builder.compile(checkpointer=saver)


@dataclass(frozen=True)
class ThreadLogins:
    """Every login of one thread, in order."""

    cpu: tuple[float, ...]
    """CPU seconds of each login's three turns."""
    stored: tuple[int, ...]
    """Bytes each login added to the checkpointer."""

    def growth(self, window: int = WINDOW) -> float:
        """Median CPU of the last `window` logins over that of the first `window`."""
        if len(self.cpu) < window:
            raise ValueError(f"growth needs at least {window} logins, not {len(self.cpu)}")
        return statistics.median(self.cpu[-window:]) / statistics.median(self.cpu[:window])


def logins_on_one_thread(
    sim: InProcessSim, store: Store, home: Path, logins: int, side: Side = "auth graph"
) -> ThreadLogins:
    """`logins` whole manual logins on one thread, the session expired after each.

    Raises:
        BenchmarkError: A login did not go menu → code → `logged_in` (for
            one, when the session was still valid and the graph said so).
    """
    graph: ConversationGraph = (
        auth_graph(sim, store.saver) if side == "auth graph" else stand_in_thread(store.saver)
    )
    conv = Conversation(graph, sim, home, f"thread-{home.name}")
    ask, choose, approve, confirm = manual_login_steps(sim)
    # The stand-in starts no login: there is nothing to approve, no session to end.
    signs_in = side == "auth graph"
    steps = [ask, choose, approve, confirm] if signs_in else [ask, choose, confirm]
    cpu, stored = [], []
    for _ in range(logins):
        gc.collect()  # the previous login's garbage is not this one's
        before, simulated = store.stored_bytes(), sim.cpu_seconds
        play(conv, steps)
        # The simulator's own bookkeeping runs in this process too; it is not the graph's.
        cpu.append(sum(turn.cpu for turn in conv.turns[-TURNS:]) - (sim.cpu_seconds - simulated))
        stored.append(store.stored_bytes() - before)
        if signs_in:
            sim.control(home, *EXPIRE_SESSION)
    return ThreadLogins(tuple(cpu), tuple(stored))


@dataclass(frozen=True)
class ThreadRun:
    """One checkpointer: the rounds' threads, summarised per login number and as growth."""

    saver: Saver
    logins: int
    """Logins per thread."""
    per_login: tuple[tuple[int, Summary, Summary], ...]
    """(login number, CPU seconds, stored bytes) over the threads, at `SHOWN_LOGINS`."""
    first: Summary
    """Per thread, the median CPU of its first `WINDOW` logins."""
    last: Summary
    """Per thread, the median CPU of its last `WINDOW` logins."""
    growth: Summary
    """Per thread, `last / first`."""
    stand_in_first: Summary
    """The stand-in's thread beside each: the median CPU of its first `WINDOW` logins."""
    stand_in_last: Summary
    """The same, its last `WINDOW` logins."""
    beyond_stand_in: Summary
    """Per pair of threads, the auth graph's growth per login (`per_login_growth`) over the
    stand-in's: 1 when the auth graph adds nothing that grows with the thread."""

    @property
    def met(self) -> bool:
        """Whether the last logins cost at most `GROWTH_GOAL` times the first."""
        return self.growth.median <= GROWTH_GOAL


@dataclass(frozen=True)
class LongThreadResult:
    """Item 9, each checkpointer."""

    runs: tuple[ThreadRun, ...]

    def get(self, saver: Saver) -> ThreadRun:
        """The run of one checkpointer."""
        return next(r for r in self.runs if r.saver == saver)


def per_login_growth(thread: ThreadLogins) -> float:
    """How much each login costs more than the one before: the least-squares slope of the
    thread's CPU per login against its number.

    Fitted to every login rather than read from the two ends: a whole copy of
    the conversation lands every few logins, at a different beat in each graph,
    and a window of five logins at either end catches one or not.
    """
    return statistics.linear_regression(range(len(thread.cpu)), thread.cpu).slope


def summarise(
    saver: Saver, threads: Sequence[ThreadLogins], stand_ins: Sequence[ThreadLogins]
) -> ThreadRun:
    """One checkpointer's threads (and the stand-in's beside them) as the report shows them."""
    logins = len(threads[0].cpu)
    shown = [n for n in SHOWN_LOGINS if n <= logins]

    def ends(thread: ThreadLogins) -> tuple[float, float]:
        return statistics.median(thread.cpu[:WINDOW]), statistics.median(thread.cpu[-WINDOW:])

    def beyond(auth: ThreadLogins, stand_in: ThreadLogins) -> float:
        grown = per_login_growth(stand_in)
        return per_login_growth(auth) / grown if grown > 0 else float("inf")

    return ThreadRun(
        saver=saver,
        logins=logins,
        per_login=tuple(
            (n, Summary.of(t.cpu[n - 1] for t in threads),
             Summary.of(t.stored[n - 1] for t in threads))
            for n in shown
        ),
        first=Summary.of(ends(t)[0] for t in threads),
        last=Summary.of(ends(t)[1] for t in threads),
        growth=Summary.of(t.growth() for t in threads),
        stand_in_first=Summary.of(ends(t)[0] for t in stand_ins),
        stand_in_last=Summary.of(ends(t)[1] for t in stand_ins),
        beyond_stand_in=Summary.of(beyond(a, b) for a, b in zip(threads, stand_ins, strict=True)),
    )


def run(plan: Plan) -> LongThreadResult:
    """`plan.thread_rounds` threads per checkpointer and side, each a fresh saver, thread and HOME.

    The warm-up rounds are threads of `WINDOW` logins, unmeasured. The
    checkpointers and the sides alternate which goes first from round to round.
    """
    if plan.thread_logins < WINDOW:
        raise ValueError(f"a thread needs at least {WINDOW} logins to compare its ends")
    sim = InProcessSim()
    threads: dict[tuple[Saver, Side], list[ThreadLogins]] = {
        (saver, side): [] for saver in SAVERS for side in SIDES
    }
    with tempfile.TemporaryDirectory(prefix="okx-bench-thread-") as tmp:
        root = Path(tmp)
        for index in range(plan.warm_up + plan.thread_rounds):
            measured = index >= plan.warm_up
            for saver in SAVERS if index % 2 == 0 else SAVERS[::-1]:
                for side in SIDES if index % 2 == 0 else SIDES[::-1]:
                    with Store(saver, root) as store:
                        home = new_home(root, f"{saver}-{side.replace(' ', '-')}-{index}")
                        done = logins_on_one_thread(
                            sim, store, home, plan.thread_logins if measured else WINDOW, side
                        )
                    if measured:
                        threads[saver, side].append(done)
    return LongThreadResult(tuple(
        summarise(saver, threads[saver, "auth graph"], threads[saver, "stand-in"])
        for saver in SAVERS
    ))
