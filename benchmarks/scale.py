"""Item 5: many conversations at once, each through a whole login, per checkpointer.

All conversations are open at the same time: every one gets its first turn,
then every one its second, and so on, from a pool of threads, so the
checkpointer holds them all mid-login as a busy server would. The CLI is the
simulator called in-process, so the figures are the graph's and the
checkpointer's, not process start-ups.

Each (checkpointer, durability) pair runs in a fresh interpreter
(`python -m benchmarks.scale ...`), so its peak RSS is its own and not the
high-water mark of whatever ran before it in the same process.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Durability

from benchmarks.clis import BenchmarkError, InProcessSim, new_home
from benchmarks.conversation import (
    DURABILITIES,
    Conversation,
    auth_graph,
    expect,
    manual_login_steps,
)
from benchmarks.plan import Plan
from benchmarks.savers import SAVERS, Saver, memory_storage, sqlite_storage
from okx_auth_graph.builder import AuthGraph

SECONDS_GOAL = 60.0
"""1,000 conversations well under a minute."""
CHECKPOINT_BYTES_GOAL: dict[Durability, int] = {"async": 25_000, "exit": 12_000}
"""Stored checkpoints per finished conversation: at most 25 KB with LangGraph's
default durability, 12 KB with `"exit"`."""


@dataclass(frozen=True)
class ScaleRun:
    """One checkpointer and durability mode, all conversations."""

    saver: Saver
    durability: Durability
    conversations: int
    workers: int
    seconds: float
    """Wall time from the first turn of the first conversation to the last outcome."""
    baseline_rss: int
    """Peak RSS in bytes after imports and the graph, before any conversation."""
    peak_rss: int
    """Peak RSS in bytes at the end."""
    stored_bytes: int
    """Everything the checkpointer stored (checkpoints, channel values, pending writes)."""
    checkpoints: int
    """Checkpoints stored, all conversations."""
    latest_checkpoint_bytes: float
    """Median size of a conversation's latest checkpoint with its values (what a resume loads)."""
    file_bytes: int | None
    """The SQLite database file on disk (None for the in-memory saver)."""
    sqlite_settings: str | None
    """The connection's journal mode and synchronous level, which decide what a commit costs."""

    @property
    def per_second(self) -> float:
        """Conversations per second."""
        return self.conversations / self.seconds

    @property
    def stored_per_conversation(self) -> float:
        """Stored bytes per finished conversation."""
        return self.stored_bytes / self.conversations

    @property
    def checkpoints_per_conversation(self) -> float:
        """Checkpoints per finished conversation."""
        return self.checkpoints / self.conversations


@dataclass(frozen=True)
class ScaleResult:
    """Item 5: every checkpointer and durability mode."""

    runs: tuple[ScaleRun, ...]

    def get(self, saver: Saver, durability: Durability) -> ScaleRun:
        """The run of one checkpointer and durability mode."""
        return next(r for r in self.runs if (r.saver, r.durability) == (saver, durability))


def _peak_rss() -> int:
    """This process's peak resident set size, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _sqlite_settings(conn: sqlite3.Connection) -> str:
    (journal,) = conn.execute("PRAGMA journal_mode").fetchone()
    (synchronous,) = conn.execute("PRAGMA synchronous").fetchone()
    levels = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return f"journal_mode={journal}, synchronous={levels.get(synchronous, synchronous)}"


def _latest_checkpoint_bytes(graph: AuthGraph, threads: Sequence[str]) -> float:
    """Median size of each thread's latest checkpoint, serialized with its values.

    Read through the graph's own checkpointer, the one the runs wrote with.
    """
    saver = graph.checkpointer
    if not isinstance(saver, BaseCheckpointSaver):
        raise BenchmarkError("the scale graph has no checkpointer")
    sizes = []
    for thread in threads:
        found = saver.get_tuple({"configurable": {"thread_id": thread}})
        if found is None:
            raise BenchmarkError(f"no checkpoint for {thread}")
        sizes.append(len(saver.serde.dumps_typed(found.checkpoint)[1]))
    return statistics.median(sizes)


def measure(
    saver_kind: Saver, durability: Durability, conversations: int, workers: int
) -> ScaleRun:
    """Run `conversations` logins at once in this process and measure them."""
    sim = InProcessSim()
    with tempfile.TemporaryDirectory(prefix="okx-bench-scale-") as tmp:
        root = Path(tmp)
        conn = sqlite3.connect(root / "checkpoints.sqlite", check_same_thread=False)
        saver: InMemorySaver | SqliteSaver = (
            InMemorySaver() if saver_kind == "memory" else SqliteSaver(conn)
        )
        graph = auth_graph(sim, saver)
        convs = [
            Conversation(graph, sim, new_home(root / "homes", f"u{i}"), f"t{i}", durability)
            for i in range(conversations)
        ]
        baseline = _peak_rss()
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for step in manual_login_steps(sim):
                list(pool.map(step, convs))
        seconds = time.monotonic() - start
        peak = _peak_rss()
        for conv in convs:
            expect(conv.turns[-1], None, "logged_in")
        latest = _latest_checkpoint_bytes(graph, [c.thread_id for c in convs])
        if isinstance(saver, InMemorySaver):
            stored, checkpoints = memory_storage(saver)
            file_bytes = None
            settings = None
        else:
            settings = _sqlite_settings(conn)
            stored, checkpoints = sqlite_storage(conn)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            file_bytes = sum(p.stat().st_size for p in root.glob("checkpoints.sqlite*"))
        conn.close()
    return ScaleRun(
        saver=saver_kind,
        durability=durability,
        conversations=conversations,
        workers=workers,
        seconds=seconds,
        baseline_rss=baseline,
        peak_rss=peak,
        stored_bytes=stored,
        checkpoints=checkpoints,
        latest_checkpoint_bytes=latest,
        file_bytes=file_bytes,
        sqlite_settings=settings,
    )


def _start(saver: Saver, durability: Durability, plan: Plan) -> subprocess.Popen[str]:
    """Start the interpreter that measures one checkpointer and durability mode."""
    return subprocess.Popen(
        [
            sys.executable, "-m", "benchmarks.scale",
            "--saver", saver,
            "--durability", durability,
            "--conversations", str(plan.conversations),
            "--workers", str(plan.scale_workers),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )


def _finish(pair: tuple[Saver, Durability], child: subprocess.Popen[str]) -> ScaleRun:
    """Wait for the interpreter measuring `pair` and read its result."""
    try:
        out, err = child.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise BenchmarkError(f"scale run {pair} took over 10 minutes") from None
    if child.returncode != 0:
        raise BenchmarkError(f"scale run {pair} failed:\n{err}")
    return ScaleRun(**json.loads(out))


def run(plan: Plan) -> ScaleResult:
    """Each checkpointer and durability mode in its own interpreter, one after another.

    A smoke run times nothing, so there the interpreters run side by side.
    """
    pairs = [(saver, durability) for saver in SAVERS for durability in DURABILITIES]
    if plan.smoke:
        children = [_start(*pair, plan) for pair in pairs]
        return ScaleResult(tuple(map(_finish, pairs, children)))
    return ScaleResult(tuple(_finish(pair, _start(*pair, plan)) for pair in pairs))


def main(argv: Sequence[str] | None = None) -> None:
    """The child side: measure one pair and print it as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale")
    parser.add_argument("--saver", choices=SAVERS, required=True)
    parser.add_argument("--durability", choices=DURABILITIES, required=True)
    parser.add_argument("--conversations", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args(argv)
    result = measure(
        cast(Saver, args.saver), cast(Durability, args.durability), args.conversations, args.workers
    )
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
