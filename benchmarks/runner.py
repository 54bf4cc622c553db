"""Run and report: `python -m benchmarks [--smoke] [--growth|--aegra] [--out PATH] [--skill PATH]`.

The full run writes `BENCHMARKS.md`; `--smoke` runs every benchmark with the
smallest counts (the test suite's check that they all still work) and prints
the report instead of replacing the real one. `--growth` runs only items 8
and 9 (a login's cost as the conversation grows), for measuring a change to
that alone, and prints their report unless `--out` says where: a partial
report never replaces the whole one by default. `--aegra` runs only item 10
(the crowd through Aegra replicas, which takes its own PostgreSQL and Redis);
given `--out` naming an existing report, it replaces that report's item-10
section alone, so the full report gains these figures without rerunning the rest.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    anchor,
    calls,
    embedding,
    import_time,
    long_thread,
    machine,
    model_cost,
    multiuser,
    overhead,
    preflight,
    real_cli,
    report,
    scale,
)
from benchmarks.clis import INHERITED_OKX_VARIABLES
from benchmarks.multiuser import AegraResult
from benchmarks.plan import Plan
from benchmarks.results import GrowthResults, Results, RunInfo

Progress = Callable[[str], None]


def run_all(plan: Plan, skill: Path, progress: Progress) -> Results:
    """Run the benchmarks one after another (never side by side: they would compete).

    The real CLI is installed from npm once, for the two that run it.
    """
    with tempfile.TemporaryDirectory(prefix="okx-bench-npm-") as tmp:
        prefix = Path(tmp)
        progress("installing the real okx CLI from npm")
        executable = real_cli.install(prefix)
        version = real_cli.installed_version(prefix)
        progress("1/10 graph overhead per turn (okx-sim, in-process and subprocesses)")
        overhead_result = overhead.run(plan)
        progress("1/10 the graph's time against the real okx CLI's")
        anchor_result = anchor.run(plan, executable)
        progress("2/10 preflight in parallel against in series")
        preflight_result = preflight.run(plan, executable, version)
    progress("3/10 CLI calls per scenario")
    calls_result = calls.run()
    progress("4/10 model cost")
    model_result = model_cost.run(skill)
    progress("5/10 scale")
    scale_result = scale.run(plan)
    progress("6/10 import time")
    import_result = import_time.run(plan)
    progress("7/10 many users on one server")
    multiuser_result = multiuser.run(plan)
    growth_result = run_growth(plan, progress)
    return Results(
        overhead_result, anchor_result, preflight_result, calls_result, model_result,
        scale_result, import_result, multiuser_result, growth_result, run_aegra(plan, progress),
    )


def run_growth(plan: Plan, progress: Progress) -> GrowthResults:
    """Items 8 and 9, which need neither the real CLI nor a server."""
    progress("8/10 a login embedded in a long conversation, against a trivial node")
    embedding_result = embedding.run(plan)
    progress("9/10 login after login on one thread")
    return GrowthResults(embedding_result, long_thread.run(plan))


def run_aegra(plan: Plan, progress: Progress) -> AegraResult:
    """Item 10, which needs PostgreSQL, Redis and Aegra's venv (`deploy/aegra/local.sh`)."""
    progress("10/10 many users on Aegra replicas")
    return multiuser.run_aegra(plan)


def _command(argv: Sequence[str]) -> str:
    """The command line as typed from the repository root."""
    python = Path(sys.executable)
    try:
        shown = str(python.relative_to(Path.cwd()))
    except ValueError:
        shown = str(python)
    return " ".join([shown, "-m", "benchmarks", *argv])


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run, and write (or print) the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="smallest counts; prints the report")
    parser.add_argument(
        "--growth",
        action="store_true",
        help="run only items 8 and 9 (a login's cost as the conversation grows); prints the report",
    )
    parser.add_argument(
        "--aegra",
        action="store_true",
        help="run only item 10 (many users on Aegra replicas); prints the report, or replaces "
        "item 10 in the report --out names",
    )
    parser.add_argument(
        "--out", type=Path, help="where to write the report (default: BENCHMARKS.md; '-' prints)"
    )
    parser.add_argument(
        "--skill",
        type=Path,
        default=model_cost.DEFAULT_SKILL,
        help="the skill's text, for the model-cost benchmark",
    )
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(args_list)
    if args.growth and args.aegra:
        parser.error("--growth and --aegra each run a part; pass one")
    partial = args.growth or args.aegra
    if not partial and not args.skill.is_file():  # only the model-cost item reads it
        parser.error(f"the skill's text is not at {args.skill}; pass --skill PATH")
    # A key or a fault in the shell would change every scenario's path.
    for name in INHERITED_OKX_VARIABLES:
        os.environ.pop(name, None)
    plan = Plan.quick() if args.smoke else Plan.full()
    out: Path = args.out or Path("-" if args.smoke or partial else "BENCHMARKS.md")

    def progress(message: str) -> None:
        print(f"[benchmarks] {message}", file=sys.stderr, flush=True)

    load_before = machine.load_average()
    started_at = datetime.now(UTC)
    start = time.monotonic()
    results: Results | GrowthResults | AegraResult
    if args.growth:
        results = run_growth(plan, progress)
    elif args.aegra:
        results = run_aegra(plan, progress)
    else:
        results = run_all(plan, args.skill, progress)
    info = RunInfo(
        command=_command(args_list),
        plan=plan,
        started_at=started_at,
        seconds=time.monotonic() - start,
        machine=machine.describe(),
        versions=machine.versions(),
        load_before=load_before,
        load_after=machine.load_average(),
    )
    if isinstance(results, GrowthResults):
        text = report.render_growth(results, info)
    elif isinstance(results, AegraResult):
        if str(out) != "-" and out.is_file():
            existing = out.read_text(encoding="utf-8")
            text = report.splice_aegra(existing, report.aegra_section(results, info))
        else:
            text = report.render_aegra(results, info)
    else:
        text = report.render(results, info)
    if str(out) == "-":
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        progress(f"wrote {out}")
    return 0
