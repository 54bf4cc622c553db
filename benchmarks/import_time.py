"""Item 6: the import cost of okx_auth_graph against LangGraph's own.

Each sample is a fresh interpreter (the same `sys.executable` for every
statement) that times its one import statement and exits; the parent times
the whole process too. Rounds visit the statements in a rotating order and
ratios are taken within a round, so a burst of load on the shared cores hits
both sides of a ratio alike.

Two pairs are compared. `import okx_auth_graph` against `import langgraph` is
the literal question; both are nearly free, because the package root is lazy
and `langgraph` is a namespace package that loads nothing. What an
application pays to build the graph is `from okx_auth_graph import
build_auth_graph` against `from langgraph.graph import StateGraph`, the
least any LangGraph graph imports.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass

from benchmarks.clis import BenchmarkError
from benchmarks.plan import Plan
from benchmarks.stats import Summary, ratios

IMPORT_GOAL = 1.2
"""okx_auth_graph at most 1.2× LangGraph."""

STATEMENTS = (
    "import langgraph",
    "import okx_auth_graph",
    "from langgraph.graph import StateGraph",
    "from okx_auth_graph import build_auth_graph",
)
PAIRS = (
    ("import okx_auth_graph", "import langgraph"),
    ("from okx_auth_graph import build_auth_graph", "from langgraph.graph import StateGraph"),
)
"""(ours, LangGraph's) statement pairs whose ratio the goal is about."""

_PROBE = "import time\n_t = time.perf_counter()\n{statement}\nprint(time.perf_counter() - _t)\n"


@dataclass(frozen=True)
class ImportTimes:
    """One statement's cost in fresh interpreters."""

    statement: str
    process: Summary
    """Seconds from spawning the interpreter to its exit."""
    import_only: Summary
    """Seconds of the import statement alone, measured inside the interpreter."""


@dataclass(frozen=True)
class ImportRatio:
    """Ours over LangGraph's, per round."""

    ours: str
    theirs: str
    process: Summary
    import_only: Summary


@dataclass(frozen=True)
class ImportResult:
    """Item 6."""

    statements: tuple[ImportTimes, ...]
    pairs: tuple[ImportRatio, ...]


def _sample(statement: str) -> tuple[float, float]:
    """(process seconds, import seconds) of one fresh interpreter."""
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(statement=statement)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    process = time.monotonic() - start
    if done.returncode != 0:
        raise BenchmarkError(f"{statement!r} failed:\n{done.stderr}")
    return process, float(done.stdout.strip())


def run(plan: Plan) -> ImportResult:
    """`plan.import_rounds` rounds of every statement, after the warm-up rounds."""
    samples: dict[str, list[tuple[float, float]]] = {s: [] for s in STATEMENTS}
    for index in range(plan.warm_up + plan.import_rounds):
        shift = index % len(STATEMENTS)
        for statement in STATEMENTS[shift:] + STATEMENTS[:shift]:
            sample = _sample(statement)
            if index >= plan.warm_up:
                samples[statement].append(sample)
    times = tuple(
        ImportTimes(
            statement=s,
            process=Summary.of(p for p, _ in samples[s]),
            import_only=Summary.of(i for _, i in samples[s]),
        )
        for s in STATEMENTS
    )
    pairs = tuple(
        ImportRatio(
            ours=ours,
            theirs=theirs,
            process=Summary.of(
                ratios([p for p, _ in samples[ours]], [p for p, _ in samples[theirs]])
            ),
            import_only=Summary.of(
                ratios([i for _, i in samples[ours]], [i for _, i in samples[theirs]])
            ),
        )
        for ours, theirs in PAIRS
    )
    return ImportResult(times, pairs)
