"""What the benchmark tests share: the facts of a run, for rendering a report."""

from __future__ import annotations

from datetime import UTC, datetime

from benchmarks import machine
from benchmarks.plan import Plan
from benchmarks.results import RunInfo


def run_info(command: str, plan: Plan) -> RunInfo:
    """Run facts as the runner gathers them, with this machine's real description."""
    return RunInfo(
        command=command,
        plan=plan,
        started_at=datetime.now(UTC),
        seconds=1.0,
        machine=machine.describe(),
        versions=machine.versions(),
        load_before=machine.load_average(),
        load_after=machine.load_average(),
    )
