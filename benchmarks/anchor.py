"""Item 1c: the graph's own time per login against the real okx CLI's, side by side.

The goal is anchored on the program users run: `@okx_ai/okx-trade-cli` from
npm. Each round times, in the same process and one right after the other,
(1) the real CLI making the five calls of a manual login as the graph makes
them, and (2) the graph's own time for one whole login, for each
checkpointer and durability: the login against the in-process simulator,
minus the time spent inside the simulator's command code. The ratio is taken
within each round.

The five calls: Step 0's side by side (`config show --json` ∥
`auth status --json` ∥ `--version`, the shared preflight's drift check the
graph runs in a thread's first Step 0), then the login, then the one `auth
status --json` after "done". CLI 1.2.4 has no `auth login`, so `config show --json` stands
in for it: a real call of the same program, whose start-up is most of any
call's time. `auth status` answers `Unknown command` on 1.2.4, which it still
starts up to say.

Beside each, a **bare graph**: as many super-steps as a login, in the same
three turns and on the same checkpointer and durability, each a node that
does nothing but what LangGraph does for any step, with the same two
questions and the same messages posted. It is what the graph's shape costs
before any of the package's work: its floor.
"""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, Durability, interrupt
from typing_extensions import TypedDict

from benchmarks.clis import InProcessSim, RealCli, clean_environment, new_home
from benchmarks.conversation import DURABILITIES, Conversation, auth_graph, manual_login_steps, play
from benchmarks.plan import Plan
from benchmarks.stats import Summary, covered_seconds, ratios
from okx_auth_graph.builder import AuthGraph
from okx_auth_graph.okx import OkxSettings, run_okx
from okx_auth_graph.state import MESSAGES

Saver = Literal["memory", "sqlite"]
ANCHOR_GOALS: dict[Saver, float] = {"memory": 0.02, "sqlite": 0.04}
"""The graph's time at most 2 % (InMemorySaver) and 4 % (SqliteSaver) of the real
CLI's login time, with LangGraph's default durability (`async`)."""
CONFIG_SHOW = ("config", "show", "--json")
STATUS = ("auth", "status", "--json")
VERSION = ("--version",)
LOGIN_STAND_IN = CONFIG_SHOW
"""1.2.4 has no `auth login`: a real call of the same program in its place."""


@dataclass(frozen=True)
class GraphTime:
    """The graph's own time per login with one checkpointer and durability."""

    saver: Saver
    durability: Durability
    seconds: Summary
    """Seconds per login, the simulator's command code taken out."""
    ratio: Summary
    """Over the real CLI's login time of the same round."""
    bare: Summary
    """Seconds per login of the bare graph (as many steps, nothing in them)."""
    bare_ratio: Summary
    """The bare graph's time over the real CLI's login time of the same round."""


@dataclass(frozen=True)
class AnchorResult:
    """Item 1c: the real CLI's login time and the graph's, round by round."""

    real_cli: Summary
    """Seconds the real CLI takes for the login's five calls (first spawn to last exit)."""
    calls: int
    """CLI calls timed per login."""
    graph: tuple[GraphTime, ...]

    def get(self, saver: Saver, durability: Durability) -> GraphTime:
        """The figures of one checkpointer and durability."""
        return next(g for g in self.graph if (g.saver, g.durability) == (saver, durability))


def _real_login(cli: RealCli, home: Path) -> float:
    """The five calls of a manual login, as the graph makes them; first spawn to last exit."""
    settings = OkxSettings(okx_cli=cli.okx_cli, okx_home=str(home))
    before = len(cli.recorder.calls(home))
    with ThreadPoolExecutor(max_workers=2) as side:
        beside = [side.submit(cli.runner, argv, settings) for argv in (CONFIG_SHOW, VERSION)]
        cli.runner(STATUS, settings)
        for call in beside:
            call.result()
    cli.runner(LOGIN_STAND_IN, settings)
    cli.runner(STATUS, settings)
    calls = cli.recorder.calls(home)[before:]
    return max(c.end for c in calls) - min(c.start for c in calls)


def _graph_login(graph: AuthGraph, sim: InProcessSim, home: Path, name: str,
                 durability: Durability) -> float:
    """One whole login's time in the graph: all three turns minus the simulator's work."""
    conv = play(Conversation(graph, sim, home, name, durability), manual_login_steps(sim))
    total = sum(turn.seconds for turn in conv.turns)
    return total - sum(
        covered_seconds((c.start, c.end) for c in turn.calls) for turn in conv.turns
    )


class BareState(TypedDict):
    """The bare graph's state: a conversation in the auth graph's channel."""

    messages: Annotated[list[AnyMessage], MESSAGES]


BareGraph = CompiledStateGraph[BareState, None, BareState, BareState]
BARE_TURNS: tuple[tuple[str, ...], ...] = (
    ("intake", "preflight", "site_check", "menu", "ask_site"),
    ("site_check_again", "api_key_check", "oauth_check", "pre_login_gate", "login",
     "await_authorization"),
    ("verify", "success"),
)
"""The login's super-steps, turn by turn (a question's step runs again when resumed)."""
_POSTS = {"menu": "menu", "login": "login text", "success": "success text"}


def _bare_step(name: str) -> Any:
    """A step that only posts what the login's step of that name posts (if anything)."""

    def step(state: BareState) -> dict[str, list[AnyMessage]]:
        return {"messages": [AIMessage(content=_POSTS[name])]} if name in _POSTS else {}

    return step


def _bare_question(state: BareState) -> dict[str, list[AnyMessage]]:
    return {"messages": [HumanMessage(content=str(interrupt({"kind": "question"})))]}


def bare_graph(saver: BaseCheckpointSaver[str]) -> BareGraph:
    """As many steps as a login, in the same turns, doing nothing of the package's."""
    builder = StateGraph(BareState)
    order = [name for turn in BARE_TURNS for name in turn]
    for name in order:
        is_question = name in ("ask_site", "await_authorization")
        builder.add_node(name, _bare_question if is_question else _bare_step(name))
    builder.add_edge(START, order[0])
    for before, after in itertools.pairwise(order):
        builder.add_edge(before, after)
    builder.add_edge(order[-1], END)
    return builder.compile(checkpointer=saver)


def _bare_login(graph: BareGraph, name: str, durability: Durability) -> float:
    """One login's three turns through the bare graph."""
    config: Any = {"configurable": {"thread_id": name}}
    start = time.monotonic()
    graph.invoke({"messages": [HumanMessage(content="登录")]}, config, durability=durability)
    graph.invoke(Command(resume="2"), config, durability=durability)
    graph.invoke(Command(resume="好了"), config, durability=durability)
    return time.monotonic() - start


def _saver(kind: Saver, root: Path) -> BaseCheckpointSaver[str]:
    if kind == "memory":
        return InMemorySaver()
    return SqliteSaver(sqlite3.connect(root / f"anchor-{time.monotonic_ns()}.sqlite",
                                       check_same_thread=False))


def run(plan: Plan, executable: Path) -> AnchorResult:
    """`plan.anchor_rounds` rounds after the warm-up, each: real CLI, then every graph setup."""
    real = RealCli(executable)
    sim = InProcessSim()
    setups = [(s, d) for s in ANCHOR_GOALS for d in DURABILITIES]
    with tempfile.TemporaryDirectory(prefix="okx-bench-anchor-") as tmp:
        root = Path(tmp)
        graphs = {setup: auth_graph(sim, _saver(setup[0], root)) for setup in setups}
        bares = {setup: bare_graph(_saver(setup[0], root)) for setup in setups}
        cli_times: list[float] = []
        graph_times: dict[tuple[Saver, Durability], list[float]] = {s: [] for s in setups}
        bare_times: dict[tuple[Saver, Durability], list[float]] = {s: [] for s in setups}
        for index in range(plan.warm_up + plan.anchor_rounds):
            home = new_home(root, f"real-{index}")
            run_okx(CONFIG_SHOW, OkxSettings(okx_cli=real.okx_cli, okx_home=str(home)),
                    clean_environment(home))  # the day's update check, unmeasured
            cli_time = _real_login(real, home)
            measured = {
                setup: _graph_login(graphs[setup], sim, new_home(root, f"g-{index}-{n}"),
                                    f"anchor-{index}-{n}", setup[1])
                for n, setup in enumerate(setups if index % 2 == 0 else setups[::-1])
            }
            bare = {
                setup: _bare_login(bares[setup], f"bare-{index}-{n}", setup[1])
                for n, setup in enumerate(setups)
            }
            if index >= plan.warm_up:
                cli_times.append(cli_time)
                for setup, seconds in measured.items():
                    graph_times[setup].append(seconds)
                    bare_times[setup].append(bare[setup])
    return AnchorResult(
        real_cli=Summary.of(cli_times),
        calls=5,
        graph=tuple(
            GraphTime(saver=s, durability=d, seconds=Summary.of(graph_times[(s, d)]),
                      ratio=Summary.of(ratios(graph_times[(s, d)], cli_times)),
                      bare=Summary.of(bare_times[(s, d)]),
                      bare_ratio=Summary.of(ratios(bare_times[(s, d)], cli_times)))
            for s, d in setups
        ),
    )
