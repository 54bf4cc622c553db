"""Item 1c: the graph's own time per login against the real okx CLI's, side by side.

The goal is anchored on the program users run: `@okx_ai/okx-trade-cli` from
npm. Each round times, in the same process and one right after the other,
(1) the real CLI making the four calls of a manual login as the graph makes
them, and (2) the graph's own time for one whole login, for each
checkpointer and durability: the login against the in-process simulator,
minus the time spent inside the simulator's command code. The ratio is taken
within each round.

The four calls: Step 0's pair side by side (`config show --json` ∥
`auth status --json`), then the login, then the one `auth status --json`
after "done". CLI 1.2.4 has no `auth login`, so `config show --json` stands
in for it: a real call of the same program, whose start-up is most of any
call's time. `auth status` answers `Unknown command` on 1.2.4, which it still
starts up to say.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Durability

from benchmarks.clis import InProcessSim, RealCli, clean_environment, new_home
from benchmarks.conversation import DURABILITIES, Conversation, auth_graph, manual_login_steps, play
from benchmarks.plan import Plan
from benchmarks.stats import Summary, covered_seconds, ratios
from okx_auth_graph.builder import AuthGraph
from okx_auth_graph.okx import OkxSettings, run_okx

Saver = Literal["memory", "sqlite"]
ANCHOR_GOALS: dict[Saver, float] = {"memory": 0.02, "sqlite": 0.04}
"""The graph's time at most 2 % (InMemorySaver) and 4 % (SqliteSaver) of the real
CLI's login time, with LangGraph's default durability (`async`)."""
CONFIG_SHOW = ("config", "show", "--json")
STATUS = ("auth", "status", "--json")
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


@dataclass(frozen=True)
class AnchorResult:
    """Item 1c: the real CLI's login time and the graph's, round by round."""

    real_cli: Summary
    """Seconds the real CLI takes for the login's four calls (first spawn to last exit)."""
    calls: int
    """CLI calls timed per login."""
    graph: tuple[GraphTime, ...]

    def get(self, saver: Saver, durability: Durability) -> GraphTime:
        """The figures of one checkpointer and durability."""
        return next(g for g in self.graph if (g.saver, g.durability) == (saver, durability))


def _real_login(cli: RealCli, home: Path) -> float:
    """The four calls of a manual login, as the graph makes them; first spawn to last exit."""
    settings = OkxSettings(okx_cli=cli.okx_cli, okx_home=str(home))
    before = len(cli.recorder.calls(home))
    with ThreadPoolExecutor(max_workers=1) as side:
        config = side.submit(cli.runner, CONFIG_SHOW, settings)
        cli.runner(STATUS, settings)
        config.result()
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
        cli_times: list[float] = []
        graph_times: dict[tuple[Saver, Durability], list[float]] = {s: [] for s in setups}
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
            if index >= plan.warm_up:
                cli_times.append(cli_time)
                for setup, seconds in measured.items():
                    graph_times[setup].append(seconds)
    return AnchorResult(
        real_cli=Summary.of(cli_times),
        calls=4,
        graph=tuple(
            GraphTime(saver=s, durability=d, seconds=Summary.of(graph_times[(s, d)]),
                      ratio=Summary.of(ratios(graph_times[(s, d)], cli_times)))
            for s, d in setups
        ),
    )
