"""Item 2: Step 0's commands in parallel (as the graph runs them) against in series.

The parallel side is the graph's own first turn: the time from the first
call's spawn to the last call's exit. Its Step 0 runs `okx --version` beside
the two commands (the shared preflight's drift check, once per thread), so
the serial side runs the same three commands one after the other through the
same runner. Rounds alternate which
side goes first, and each ratio is taken within a round, so both sides meet
the same load on this shared machine. Each side runs in a HOME of its own
where the CLI has already run once, as on any day a user has used it.

The CPU time the calls use in series shows what parallelism can win at
best: on `n` cores calls that need `c` seconds of CPU take at least `c / n`
seconds, and never less than the longest call alone. A CLI whose start-up
keeps more than one core busy (node does) cannot halve its time on two cores.
"""

from __future__ import annotations

import os
import resource
import tempfile
from dataclasses import dataclass
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from benchmarks.clis import (
    BenchmarkError,
    OkxCli,
    RealCli,
    SimProcesses,
    clean_environment,
    new_home,
)
from benchmarks.conversation import Conversation, auth_graph
from benchmarks.plan import Plan
from benchmarks.stats import Summary, ratios
from okx_auth_graph.okx import OkxSettings, run_okx

PREFLIGHT_GOAL = 0.6
"""Parallel wall time at most 0.6 of the serial one."""
PREFLIGHT_ARGV = (("config", "show", "--json"), ("auth", "status", "--json"), ("--version",))
"""The calls of a thread's first Step 0, the graph's first turn."""


@dataclass(frozen=True)
class PreflightCli:
    """Parallel and serial preflight times against one CLI."""

    label: str
    parallel: Summary
    """Seconds from the first spawn to the last exit, in the graph's first turn."""
    series: Summary
    """Seconds for the same calls one after the other."""
    series_cpu: Summary
    """CPU seconds (user + system) the calls used, in series."""
    best_ratio: Summary
    """About the lowest parallel/serial ratio this machine's cores allow, per round."""
    ratio: Summary
    """Parallel over serial, per round."""


@dataclass(frozen=True)
class PreflightResult:
    """Item 2 for `okx-sim` and the real CLI."""

    clis: tuple[PreflightCli, ...]
    real_cli_version: str
    """The npm package version actually measured."""


def _used_home(cli: OkxCli, root: Path, name: str) -> Path:
    """A new HOME in which the CLI already ran once today (unmeasured, unrecorded).

    The real CLI asks the npm registry for a newer version of itself at most
    once a day per HOME (`~/.okx/update-check.json`) and stays alive until
    the answer is in. In a brand-new HOME every call would make that request
    (network time, not the CLI's work) and the parallel calls would all
    make it; a user's HOME has the day's check behind it after their first
    call, so the timed calls are the everyday ones.
    """
    home = new_home(root, name)
    settings = OkxSettings(okx_cli=cli.okx_cli, okx_home=str(home))
    run_okx(PREFLIGHT_ARGV[0], settings, clean_environment(home))
    return home


def _parallel(cli: OkxCli, home: Path, name: str) -> float:
    conv = Conversation(auth_graph(cli, InMemorySaver()), cli, home, name)
    turn = conv.say("log me in")
    if sorted(c.argv for c in turn.calls) != sorted(PREFLIGHT_ARGV):
        raise BenchmarkError(f"the first turn ran {[c.argv for c in turn.calls]}")
    return max(c.end for c in turn.calls) - min(c.start for c in turn.calls)


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the CLI processes it waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class _Serial:
    wall: float
    cpu: float
    longest_call: float

    def best_ratio(self, cores: int) -> float:
        """The parallel/serial ratio if the calls shared the cores perfectly."""
        return max(self.longest_call, self.cpu / cores) / self.wall


def _series(cli: OkxCli, home: Path) -> _Serial:
    settings = OkxSettings(okx_cli=cli.okx_cli, okx_home=str(home))
    cpu_before = _children_cpu()
    for argv in PREFLIGHT_ARGV:
        cli.runner(argv, settings)
    cpu = _children_cpu() - cpu_before
    calls = cli.recorder.calls(home)
    return _Serial(
        wall=calls[-1].end - calls[0].start,
        cpu=cpu,
        longest_call=max(c.end - c.start for c in calls),
    )


def _measure(cli: OkxCli, plan: Plan, root: Path) -> PreflightCli:
    """`plan.preflight_rounds` pairs after the warm-up pairs (cold disk caches, first spawns)."""
    parallel: list[float] = []
    series: list[_Serial] = []
    for index in range(plan.warm_up + plan.preflight_rounds):
        graph_home = _used_home(cli, root, f"parallel-{index}")
        serial_home = _used_home(cli, root, f"series-{index}")
        if index % 2 == 0:
            p = _parallel(cli, graph_home, f"parallel-{index}")
            s = _series(cli, serial_home)
        else:
            s = _series(cli, serial_home)
            p = _parallel(cli, graph_home, f"parallel-{index}")
        if index >= plan.warm_up:
            parallel.append(p)
            series.append(s)
    cores = os.cpu_count() or 1
    return PreflightCli(
        label=cli.label,
        parallel=Summary.of(parallel),
        series=Summary.of(s.wall for s in series),
        series_cpu=Summary.of(s.cpu for s in series),
        best_ratio=Summary.of(s.best_ratio(cores) for s in series),
        ratio=Summary.of(ratios(parallel, [s.wall for s in series])),
    )


def run(plan: Plan, executable: Path, version: str) -> PreflightResult:
    """Measure item 2 against `okx-sim`, then against the npm CLI installed for the run."""
    with tempfile.TemporaryDirectory(prefix="okx-bench-preflight-") as tmp:
        root = Path(tmp)
        clis: list[OkxCli] = [SimProcesses(), RealCli(executable)]
        return PreflightResult(
            clis=tuple(
                _measure(cli, plan, root / f"homes-{index}")
                for index, cli in enumerate(clis)
            ),
            real_cli_version=version,
        )
