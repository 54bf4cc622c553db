"""Item 1: what the graph adds to each turn of a full manual login.

(a) Against the simulator called in-process, a turn is almost all graph:
its median time is the graph's cost per turn. (b) Against `okx-sim`
subprocesses, the overhead is `(total − CLI time) / CLI time`, where CLI time
is the time at least one call was running, as the runner measures it (spawn
to exit). The simulator's own log (`OKX_SIM_LOG`) is read too: its
start/end cover only the command's work inside the simulator, after the
interpreter has started, so the report shows how much of a call that is.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Durability

from benchmarks.clis import CALL_LOG_NAME, InProcessSim, SimProcesses, Simulator, new_home
from benchmarks.conversation import (
    DURABILITIES,
    Conversation,
    auth_graph,
    manual_login_steps,
    play,
)
from benchmarks.plan import Plan
from benchmarks.stats import Summary, covered_seconds, ratios

OVERHEAD_GOAL = 0.05
"""At most 5 % of the CLI time, with `okx-sim` subprocesses."""
TURN_NAMES = ("preflight → menu", "choice → login → code", "done → verify")


@dataclass(frozen=True)
class InProcessTurns:
    """Per-turn times of full logins against the in-process simulator."""

    durability: Durability
    turn: Summary
    """Seconds per turn, all turns."""
    by_turn: tuple[Summary, ...]
    """Seconds per turn, for each of the login's three turns (`TURN_NAMES`)."""
    cli_per_turn: Summary
    """Seconds per turn spent inside the simulator's command code."""


@dataclass(frozen=True)
class SubprocessLogins:
    """Whole logins against `okx-sim` subprocesses."""

    durability: Durability
    total: Summary
    """Seconds per login, summed over its three turns."""
    cli: Summary
    """Seconds per login during which a CLI call was running (runner: spawn to exit)."""
    inside_simulator: Summary
    """Seconds per login the simulator's log covers (its command code only)."""
    overhead: Summary
    """`(total − cli) / cli` per login."""
    calls_per_login: int
    """CLI calls of one login (every login makes the same)."""
    log_matches_runner: bool
    """Whether the simulator logged exactly the calls the runner made."""


@dataclass(frozen=True)
class OverheadResult:
    """Item 1, both parts, for each durability mode."""

    in_process: tuple[InProcessTurns, ...]
    in_process_exit_vs_async: Summary
    """Login time with durability "exit" over "async", paired per round."""
    subprocess: tuple[SubprocessLogins, ...]

    def subprocess_for(self, durability: Durability) -> SubprocessLogins:
        """The subprocess figures of one durability mode."""
        return next(r for r in self.subprocess if r.durability == durability)


def _logins(
    sim: Simulator, root: Path, rounds: int, plan: Plan, tag: str
) -> dict[Durability, list[Conversation]]:
    """`rounds` logins per durability, alternating which goes first, after the warm-up.

    Alternation puts both modes under the same load; the warm-up keeps
    first-call costs (lazy imports, caches) out of the figures.
    """
    graphs = {d: auth_graph(sim, InMemorySaver()) for d in DURABILITIES}
    done: dict[Durability, list[Conversation]] = {d: [] for d in DURABILITIES}
    for index in range(plan.warm_up + rounds):
        order = DURABILITIES if index % 2 == 0 else DURABILITIES[::-1]
        for durability in order:
            name = f"{tag}-{durability}-{index}"
            conv = Conversation(graphs[durability], sim, new_home(root, name), name, durability)
            play(conv, manual_login_steps(sim))
            if index >= plan.warm_up:
                done[durability].append(conv)
    return done


def _in_process(plan: Plan, root: Path) -> tuple[tuple[InProcessTurns, ...], Summary]:
    logins = _logins(InProcessSim(), root, plan.logins_in_process, plan, "inproc")
    results = []
    for durability, convs in logins.items():
        turns = [turn for conv in convs for turn in conv.turns]
        results.append(
            InProcessTurns(
                durability=durability,
                turn=Summary.of(t.seconds for t in turns),
                by_turn=tuple(
                    Summary.of(conv.turns[i].seconds for conv in convs)
                    for i in range(len(TURN_NAMES))
                ),
                cli_per_turn=Summary.of(
                    covered_seconds((c.start, c.end) for c in t.calls) for t in turns
                ),
            )
        )
    totals = {d: [sum(t.seconds for t in c.turns) for c in convs] for d, convs in logins.items()}
    return tuple(results), Summary.of(ratios(totals["exit"], totals["async"]))


def _simulator_log(home: Path) -> list[tuple[list[str], float, float]]:
    """(argv, start, end) of each call the simulator logged in this HOME."""
    lines = (home / CALL_LOG_NAME).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line]
    return [(list(r["argv"]), float(r["start"]), float(r["end"])) for r in records]


def _subprocess(plan: Plan, root: Path) -> tuple[SubprocessLogins, ...]:
    logins = _logins(SimProcesses(), root, plan.logins_subprocess, plan, "subproc")
    results = []
    for durability, convs in logins.items():
        totals, clis, insides, matches = [], [], [], []
        for conv in convs:
            total = sum(t.seconds for t in conv.turns)
            cli = covered_seconds((c.start, c.end) for c in conv.calls)
            logged = _simulator_log(conv.home)
            totals.append(total)
            clis.append(cli)
            insides.append(covered_seconds((start, end) for _, start, end in logged))
            matches.append(
                sorted(argv for argv, _, _ in logged)
                == sorted(list(c.argv) for c in conv.calls)
            )
        results.append(
            SubprocessLogins(
                durability=durability,
                total=Summary.of(totals),
                cli=Summary.of(clis),
                inside_simulator=Summary.of(insides),
                overhead=Summary.of((t - c) / c for t, c in zip(totals, clis, strict=True)),
                calls_per_login=len(convs[0].calls),
                log_matches_runner=all(matches),
            )
        )
    return tuple(results)


def run(plan: Plan) -> OverheadResult:
    """Measure both parts of item 1."""
    with tempfile.TemporaryDirectory(prefix="okx-bench-overhead-") as tmp:
        root = Path(tmp)
        in_process, exit_vs_async = _in_process(plan, root)
        return OverheadResult(in_process, exit_vs_async, _subprocess(plan, root))
