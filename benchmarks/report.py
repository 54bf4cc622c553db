"""`BENCHMARKS.md` from a run's results: tables, goals, and how to read them.

Everything here is computed from the results; the prose only defines what
each figure is, so a rerun never leaves a stale claim behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from benchmarks.anchor import ANCHOR_GOALS, AnchorResult
from benchmarks.calls import BEFORE_ISSUE_14, BEFORE_ISSUE_14_COMMIT, CallsResult
from benchmarks.conversation import DURABILITIES
from benchmarks.embedding import (
    BYTES_GOAL,
    CPU_GOAL,
    EMBEDDINGS,
    EmbeddingResult,
    Marginal,
)
from benchmarks.import_time import IMPORT_GOAL, ImportResult
from benchmarks.long_thread import GROWTH_GOAL, WINDOW, LongThreadResult
from benchmarks.model_cost import (
    LATIN_CHARS_PER_TOKEN,
    PROSE_MODEL_CALLS_PER_LOGIN,
    REPO_ROOT,
    ModelCostResult,
)
from benchmarks.multiuser import (
    AEGRA_JOBS_PER_WORKER,
    AEGRA_WORKERS,
    FAIRNESS_GOAL,
    SHARE_GOAL,
    SLOW_CALL_SECONDS,
    TURNS_PER_LOGIN,
    AegraResult,
    FairnessRun,
    LoadRun,
    MultiUserResult,
)
from benchmarks.overhead import TURN_NAMES, OverheadResult
from benchmarks.plan import Plan
from benchmarks.preflight import PREFLIGHT_GOAL, PreflightResult
from benchmarks.results import GrowthResults, Results, RunInfo
from benchmarks.savers import SAVERS
from benchmarks.scale import CHECKPOINT_BYTES_GOAL, SECONDS_GOAL, ScaleResult
from benchmarks.stats import Summary

SAVER_NAMES = {"memory": "InMemorySaver", "sqlite": "SqliteSaver"}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _spread_ms(s: Summary) -> str:
    return f"{_ms(s.median)} ({s.p25 * 1000:.1f}–{s.p75 * 1000:.1f})"


def _spread_ratio(s: Summary, digits: int = 2) -> str:
    return f"{s.median:.{digits}f} ({s.p25:.{digits}f}–{s.p75:.{digits}f})"


def _percent(s: Summary) -> str:
    return f"{s.median:.1%} ({s.p25:.1%}–{s.p75:.1%})"


def _kb(size: float) -> str:
    return f"{size / 1000:.1f} KB"


def _mb(size: float) -> str:
    return f"{size / 1_000_000:.0f} MB"


def _size_unit(size: float) -> tuple[float, str]:
    """KB below a megabyte, else MB (a login in a long conversation stores several)."""
    return (1_000.0, "KB") if abs(size) < 1_000_000 else (1_000_000.0, "MB")


def _size(size: float) -> str:
    scale, unit = _size_unit(size)
    return f"{size / scale:.1f} {unit}"


def _spread_size(s: Summary) -> str:
    """The median's size with its spread in the same unit."""
    scale, unit = _size_unit(s.median)
    return f"{s.median / scale:.1f} {unit} ({s.p25 / scale:.1f}–{s.p75 / scale:.1f})"


def _warm_up(plan: Plan) -> str:
    return f"{plan.warm_up} unmeasured warm-up round{'s' if plan.warm_up != 1 else ''}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines)


def _argv(argv: Sequence[str]) -> str:
    return "`" + " ".join(argv) + "`"


def _header(info: RunInfo, scope: str = "") -> str:
    m = info.machine
    load = (
        f"{info.load_before[0]:.2f} / {info.load_before[1]:.2f} / {info.load_before[2]:.2f} "
        f"before, {info.load_after[0]:.2f} / {info.load_after[1]:.2f} / "
        f"{info.load_after[2]:.2f} after"
    )
    smoke = (
        "\n**Smoke run**: every benchmark ran with the smallest counts to check that it works; "
        "these numbers mean nothing.\n"
        if info.plan.smoke
        else ""
    )
    machine_rows = [
        ("CPU", m.cpu),
        ("cores", f"{m.logical_cores} logical, {m.physical_cores or '?'} physical"),
        ("memory", _mb(m.memory_bytes)),
        ("system", m.system),
        ("load average (1 / 5 / 15 min)", load),
    ]
    return f"""# Benchmarks

Written by a run of the benchmarks (do not edit by hand; run the command
again):

```sh
{info.command}
```

Started {info.started_at:%Y-%m-%d %H:%M} UTC, took {info.seconds:.0f} s.
{scope}{smoke}
## How to read this

- Every figure is a **median**, with its **spread** in brackets: the
  interquartile range (25th–75th percentile) over the repeated runs.
- **Speed is reported as ratios** of runs measured side by side in the same
  round of the same run; absolute times are context only. The machine's cores
  are shared with other work (see the load average), which moves absolute
  times far more than ratios.
- **Durability**: LangGraph checkpoints after every step by default
  (`durability="async"`); `durability="exit"` checkpoints once per turn, when
  the run stops at an interrupt or the end. It is the caller's choice, made at
  `invoke`, so both are measured. With `"exit"` a crash in the middle of a
  turn replays that turn from the previous interrupt.

## Machine

{_table(("", ""), machine_rows)}

## Versions

{_table(("software", "version"), sorted(info.versions.items()))}
"""


def _goals(results: Results, cores: int) -> str:
    a, p, c, mc, s, i = (
        results.anchor,
        results.preflight,
        results.calls,
        results.model_cost,
        results.scale,
        results.import_time,
    )
    rows: list[Sequence[object]] = []
    for saver, goal in ANCHOR_GOALS.items():
        r = a.get(saver, "async").ratio
        rows.append(
            (f"1c graph / real okx CLI, per login, {SAVER_NAMES[saver]}, `async`",
             f"{r.median:.1%}", f"≤ {goal:.0%}", _verdict(r.median <= goal))
        )
    for cli in p.clis:
        rows.append(
            (f"2 preflight parallel / series, {cli.label}", f"{cli.ratio.median:.2f}",
             f"≤ {PREFLIGHT_GOAL}", _verdict(cli.ratio.median <= PREFLIGHT_GOAL))
        )
    equal = sum(sc.equal for sc in c.scenarios)
    rows.append(
        ("3 CLI calls equal to the skill's minimum",
         f"{equal} of {len(c.scenarios)} scenario runs (replies resumed and typed)",
         "all", _verdict(equal == len(c.scenarios)))
    )
    rows.append(("4 model calls per login", mc.model_calls, "0", _verdict(mc.model_calls == 0)))
    for run in s.runs:
        name = f"{SAVER_NAMES[run.saver]}, `{run.durability}`"
        rows.append(
            (f"5 {run.conversations} conversations, {name}", f"{run.seconds:.1f} s",
             f"< {SECONDS_GOAL:.0f} s", _verdict(run.seconds < SECONDS_GOAL))
        )
        goal = CHECKPOINT_BYTES_GOAL[run.durability]
        rows.append(
            (f"5 stored checkpoints per conversation, {name}",
             _kb(run.stored_per_conversation), f"≤ {_kb(goal)}",
             _verdict(run.stored_per_conversation <= goal))
        )
    for pair in i.pairs:
        rows.append(
            (f"6 `{pair.ours}` / `{pair.theirs}` (process)", f"{pair.process.median:.2f}×",
             f"≤ {IMPORT_GOAL}×", _verdict(pair.process.median <= IMPORT_GOAL))
        )
    for load in results.multiuser.runs:
        rows.append(
            (f"7 logins/s, {load.users} users at once, share of the machine's limit",
             f"{load.share_of_limit:.0%}", f"≥ {SHARE_GOAL:.0%}",
             _verdict(load.share_of_limit >= SHARE_GOAL))
        )
        rows.append((f"7 failed logins, {load.users} users", load.errors, "0",
                     _verdict(load.errors == 0)))
    rows.extend(_growth_rows(results.growth))
    rows.extend(_aegra_rows(results.aegra))
    return _goals_section(rows, [*_notes(results, cores), *_growth_notes(results.growth)])


def _aegra_rows(a: AegraResult) -> list[Sequence[object]]:
    """Item 10 in the goals table: every login ends signed in, whichever replica resumed it;
    another user's status turn keeps its pace beside one user's crowd of slow runs."""
    f = a.fairness
    return [
        *((f"10 failed logins, {load.users} users, {load.replicas} Aegra "
           f"replica{'s' if load.replicas > 1 else ''}", load.errors, "0",
           _verdict(load.errors == 0))
          for load in a.runs),
        (f"10 another user's status turn beside one user's {f.crowd} slow runs ÷ alone "
         "(medians, 1 replica)", f"{f.ratio:.2f}×", f"≤ {FAIRNESS_GOAL:g}×", _verdict(f.met)),
    ]


def _goals_section(rows: Sequence[Sequence[object]], notes: Sequence[str]) -> str:
    """The goals table, then one line for each goal missed."""
    table = _table(("measure", "result", "goal", "verdict"), rows)
    listed = "\n".join(f"- {note}" for note in notes)
    return f"## Goals\n\n{table}\n\n{listed}\n" if listed else f"## Goals\n\n{table}\n"


def _growth_rows(g: GrowthResults) -> list[Sequence[object]]:
    """Items 8 and 9 in the goals table: each at the size (or login) the issue states."""
    rows: list[Sequence[object]] = []
    for embedding in EMBEDDINGS:
        size = g.embedding.goal_size(embedding)
        for saver in SAVERS:
            m = g.embedding.marginal(embedding, saver, size)
            rows.append(
                (f"8 login's marginal cost ÷ a trivial node's, {embedding}, "
                 f"{SAVER_NAMES[saver]}, N {m.base:,} → {m.messages:,}",
                 f"CPU {m.cpu.ratio.median:.2f}×, bytes {m.stored.ratio.median:.2f}×",
                 f"CPU ≤ {CPU_GOAL}×, bytes ≤ {BYTES_GOAL}×", _verdict(m.met))
            )
    for run in g.long_thread.runs:
        rows.append(
            (f"9 one thread, logins {_last_window(run.logins)} ÷ logins 1–{WINDOW}, "
             f"{SAVER_NAMES[run.saver]}", f"{run.growth.median:.2f}×", f"≤ {GROWTH_GOAL}×",
             _verdict(run.met))
        )
        rows.append(
            (f"9 one thread, the login's growth per login over logins 1–{run.logins} ÷ that of "
             f"a trivial graph holding the same conversation, {SAVER_NAMES[run.saver]}",
             f"{run.beyond_stand_in.median:.2f}×", f"≤ {GROWTH_GOAL}× (restated, see 9)",
             _verdict(run.beyond_stand_in.median <= GROWTH_GOAL))
        )
    return rows


def _last_window(logins: int) -> str:
    return f"{logins - WINDOW + 1}–{logins}"


def _growth_notes(g: GrowthResults) -> list[str]:
    """For each growth goal missed, the costs behind its ratio."""
    notes = []
    for embedding in EMBEDDINGS:
        size = g.embedding.goal_size(embedding)
        for saver in SAVERS:
            m = g.embedding.marginal(embedding, saver, size)
            if not m.met:
                notes.append(
                    f"Embedded, {embedding}, {SAVER_NAMES[saver]}, N {m.base:,} → "
                    f"{m.messages:,}: the login's cost grew by {_ms(m.cpu.auth.median)} of CPU "
                    f"and {_size(m.stored.auth.median)} stored, the trivial node's by "
                    f"{_ms(m.cpu.stand_in.median)} and {_size(m.stored.stand_in.median)}."
                )
    for run in g.long_thread.runs:
        if not run.met:
            notes.append(
                f"Login after login, {SAVER_NAMES[run.saver]}: {_ms(run.first.median)} per "
                f"login at the start, {_ms(run.last.median)} after {run.logins - WINDOW} "
                f"logins on the thread; a graph that only holds the same conversation went "
                f"from {_ms(run.stand_in_first.median)} to {_ms(run.stand_in_last.median)} "
                "(LangGraph loads and returns a thread's whole conversation on every turn)."
            )
    return notes


def _notes(results: Results, cores: int) -> list[str]:
    """One line for each goal missed, from the numbers that explain it."""
    notes = []
    for saver, goal in ANCHOR_GOALS.items():
        default = results.anchor.get(saver, "async")
        if default.ratio.median > goal:
            cheap = results.anchor.get(saver, "exit")
            notes.append(
                f"Graph / real CLI, {SAVER_NAMES[saver]}: {default.ratio.median:.1%} "
                f"({_ms(default.seconds.median)} of graph against "
                f"{_ms(results.anchor.real_cli.median)} of CLI) with LangGraph's default "
                f"durability, {cheap.ratio.median:.1%} with `\"exit\"`; a bare graph of as "
                f"many steps takes {default.bare_ratio.median:.1%} "
                f"({_ms(default.bare.median)})."
            )
    for cli in results.preflight.clis:
        if cli.ratio.median <= PREFLIGHT_GOAL:
            continue
        if cli.best_ratio.median > PREFLIGHT_GOAL:
            notes.append(
                f"Preflight, {cli.label}: the goal is below what {cores} cores allow; the "
                f"calls need {_ms(cli.series_cpu.median)} of CPU against "
                f"{_ms(cli.series.median)} in series, which bounds the ratio at about "
                f"{cli.best_ratio.median:.2f} (measured {cli.ratio.median:.2f})."
            )
        else:
            notes.append(
                f"Preflight, {cli.label}: {cli.ratio.median:.2f} against a CPU bound of about "
                f"{cli.best_ratio.median:.2f} on {cores} cores."
            )
    steps = {sc.name: sc.steps for sc in results.calls.scenarios if sc.answers == "resume"}
    for saver in SAVERS:
        slow, fast = (results.scale.get(saver, d) for d in DURABILITIES)
        for run in (slow, fast):
            if run.stored_per_conversation <= CHECKPOINT_BYTES_GOAL[run.durability]:
                continue
            notes.append(
                f"Checkpoints, {SAVER_NAMES[saver]}, `{run.durability}`: "
                f"{_kb(run.stored_per_conversation)} per conversation "
                f"({run.checkpoints_per_conversation:.0f} checkpoints of about "
                f"{_kb(run.stored_per_conversation / run.checkpoints_per_conversation)} each); "
                f"a login is {steps['happy path (zh)']} super-steps (it was "
                f"{BEFORE_ISSUE_14['happy path (zh)'][0]} before the checks became nodes), "
                f"and every checkpoint stores the version of each channel written so far "
                f"and what each node has seen, which grows with the nodes a login passes."
            )
        if slow.seconds >= SECONDS_GOAL:
            notes.append(
                f"Throughput, {SAVER_NAMES[saver]}: {slow.seconds:.0f} s with the default "
                f"durability, {fast.seconds:.0f} s with `\"exit\"`."
            )
    times = {t.statement: t.process.median for t in results.import_time.statements}
    for pair in results.import_time.pairs:
        if pair.process.median > IMPORT_GOAL:
            notes.append(
                f"Import: `{pair.ours}` takes {_ms(times[pair.ours] - times[pair.theirs])} "
                f"more than `{pair.theirs}` ({pair.process.median:.2f}×)."
            )
    for load in results.multiuser.runs:
        if load.share_of_limit < SHARE_GOAL:
            notes.append(
                f"Many users, {load.users} at once: {load.logins_per_second:.2f} logins/s "
                f"against a limit of {load.limit:.2f} ({cores} cores / "
                f"{_ms(load.cli_cpu_per_login)} of okx-sim CPU per login); okx-sim was "
                f"{load.cli_share_of_server:.0%} of the server's CPU, the rest LangGraph's "
                f"own work per run and the HTTP layer."
            )
    return notes


def _load_row(load: LoadRun) -> list[object]:
    """What items 7 and 10 both report of one crowd."""
    return [
        f"{load.logins} / {load.users}",
        f"{load.seconds:.1f} s",
        f"{load.logins_per_second:.2f}",
        _ms(load.cli_cpu_per_login),
        f"{load.limit:.2f}",
        f"{load.share_of_limit:.0%}",
        f"{load.cli_share_of_server:.0%}",
        f"{load.client_cpu_seconds:.1f} s",
        _ms(load.turn_p50),
        _ms(load.turn_p95),
        load.errors,
    ]


LOAD_COLUMNS = ("logged in", "wall", "logins/s", "okx-sim CPU / login", "limit (logins/s)",
                "share of limit", "okx-sim share", "client CPU", "turn p50", "turn p95",
                "errors")


def _multiuser(m: MultiUserResult) -> str:
    rows = [[load.users, load.jobs_per_worker, *_load_row(load)] for load in m.runs]
    return f"""## 7. Many users on one server

`langgraph dev` serving `langgraph.multiuser.json` on loopback (okx-sim as the
CLI, a HOME per user, HS256 tokens), one fresh server per crowd with
`--n-jobs-per-worker` equal to its number of users, as the README says. All
users log in at once through the async SDK, one task each: a thread, then
{TURNS_PER_LOGIN} turns (the menu, the site choice, "done" after the browser
approved in that user's HOME). A **turn** is one `runs.wait`. The **limit** is
the machine's cores over the okx-sim CPU per login, both measured in the same
run from the server process's reaped children; **okx-sim share** is that CPU
over all the server's. The users' side (**client CPU**: the SDK, the browser's
approvals) runs on the same cores, and so does any other work on the machine
(see the load average): both count against the limit without being in it.

{_table(("users", "jobs per worker", *LOAD_COLUMNS), rows)}
"""


AEGRA_SECTION = "## 10. Many users on Aegra replicas"


def _aegra(a: AegraResult, measured_by: RunInfo | None = None) -> str:
    """Item 10; `measured_by` when the section is written into a report another run made."""
    rows = [[load.replicas, load.users, *_load_row(load)] for load in a.runs]
    alone = ""
    if measured_by is not None:
        load = measured_by.load_before, measured_by.load_after
        alone = (
            f"\nMeasured alone by `{measured_by.command}`, started "
            f"{measured_by.started_at:%Y-%m-%d %H:%M} UTC, took {measured_by.seconds:.0f} s "
            f"(1-minute load average {load[0][0]:.2f} before, {load[1][0]:.2f} after); "
            "the rest of this report comes from the command at its top.\n"
        )
    per_replica = AEGRA_WORKERS * AEGRA_JOBS_PER_WORKER
    return f"""{AEGRA_SECTION}
{alone}
The production engine: Aegra (as pinned in `deploy/aegra/constraints.txt`)
serving `langgraph.multiuser.json`, started by `deploy/aegra/local.sh up DIR N`
on loopback: PostgreSQL, Redis as the broker, and N replicas sharing
`OKX_AUTH_HOMES`; okx-sim as the CLI, HS256 tokens, `WORKER_COUNT`
{AEGRA_WORKERS} × `N_JOBS_PER_WORKER` {AEGRA_JOBS_PER_WORKER} = {per_replica} runs at once
per replica (Aegra's defaults). One fresh cluster per row. The users and their
{TURNS_PER_LOGIN} turns are item 7's; user *i* makes the thread on replica *i*
mod N and each turn goes to the next replica, so with 2 replicas every resume
lands on the replica that did not run the turn before, as behind a load
balancer. Aegra's `runs.wait` checks for the run's end every 2 s, so a turn
takes about 2 s even on an idle cluster. The **limit** is item 7's, from the
okx-sim CPU every replica reaped in the same run; PostgreSQL's and Redis's CPU
is in neither the replicas' nor the limit, but it runs on the same cores. On a
machine of few cores a second replica adds failover (a killed replica's runs
are taken over from their checkpoints), not throughput: both replicas share
the cores that the CLI's processes already fill.

{_table(("replicas", "users", *LOAD_COLUMNS), rows)}

{_fairness(a.fairness)}
"""


def _fairness(f: FairnessRun) -> str:
    """Item 10's fairness paragraph: one user's crowd of slow runs beside another's turns."""
    def seconds(turns: Sequence[float]) -> str:
        return ", ".join(f"{turn:.1f}" for turn in turns)

    return f"""**Fairness.** On one replica, one user starts {f.crowd} status runs at once
whose CLI calls each take {SLOW_CALL_SECONDS} s (the CLI in front of okx-sim waits for
that user only), and runs at most {f.cli_processes} CLI processes at once
(`OKX_AUTH_MAX_CLI_PROCESSES`); the rest of the crowd's calls wait their turn on
the event loop. Another user's status turns, {len(f.alone)} in a row: alone
{seconds(f.alone)} s; beside the crowd, which ran {f.crowd_seconds:.1f} s,
{seconds(f.beside)} s. Median beside ÷ median alone: **{f.ratio:.2f}×** (goal ≤
{FAIRNESS_GOAL:g}×). Each turn includes Aegra's 2 s poll of `runs.wait`."""


def aegra_section(a: AegraResult, info: RunInfo) -> str:
    """Item 10 as measured alone, for `splice_aegra`: it names the run that measured it."""
    return _aegra(a, measured_by=info)


def splice_aegra(report: str, section: str) -> str:
    """`report` with its item-10 section replaced by `section` (appended when it has none)."""
    start = report.find(f"\n{AEGRA_SECTION}\n")
    if start < 0:
        return f"{report.rstrip()}\n\n{section}"
    end = report.find("\n## ", start + 1)
    rest = report[end:] if end >= 0 else ""
    return f"{report[:start]}\n{section.rstrip()}\n{rest}"


def _overhead(o: OverheadResult, plan: Plan) -> str:
    rows = [
        (
            f"`{r.durability}`",
            _spread_ms(r.turn),
            *(_spread_ms(t) for t in r.by_turn),
            _spread_ms(r.cli_per_turn),
        )
        for r in o.in_process
    ]
    a = _table(
        ("durability", "per turn", *TURN_NAMES, "of which in the simulator"), rows
    )
    sub_rows = [
        (
            f"`{r.durability}`",
            _spread_ms(r.total),
            _spread_ms(r.cli),
            _spread_ms(r.inside_simulator),
            _percent(r.overhead),
            r.calls_per_login,
            "yes" if r.log_matches_runner else "**no**",
        )
        for r in o.subprocess
    ]
    b = _table(
        ("durability", "login, 3 turns", "CLI time", "simulator's log covers",
         "overhead (total − CLI) / CLI", "CLI calls", "log = runner's calls"),
        sub_rows,
    )
    n_in = o.in_process[0].turn.n // len(TURN_NAMES)
    n_sub = o.subprocess[0].total.n
    return f"""## 1. Graph overhead per turn

A full manual login: preflight → menu → choice → login → done → verify, in
three turns (the user's browser approval happens between the second and the
third, outside the graph).

### (a) In-process simulator (no subprocess)

The simulator's own command handling called in this process, so a turn is
almost entirely graph: LangGraph's steps, checkpoints and the package's
nodes. {n_in} logins per durability, after {_warm_up(plan)}.

{a}

Login time with `"exit"` over `"async"`, paired per round:
{_spread_ratio(o.in_process_exit_vs_async)}.

### (b) okx-sim subprocesses (context)

okx-sim is this package's offline stand-in, about twice as fast as the real
CLI (see (c)), so these figures are context, not the goal's anchor.
{n_sub} logins per durability, after {_warm_up(plan)}. **CLI time** is the time at least one okx
process was running, as the runner measures each call (spawn to exit; the
preflight's calls overlap and count once). The simulator's call log
(`OKX_SIM_LOG`) starts its clock only once the interpreter is up and the
command is dispatched, so its start/end cover just the command's own work;
the rest of each call is the interpreter starting. The overhead is therefore
taken against the runner's CLI time; measured against the log's, it would
count every interpreter start-up as graph time.

{b}
"""


def _anchor(a: AnchorResult, plan: Plan, version: str) -> str:
    rows = [
        (SAVER_NAMES[g.saver], f"`{g.durability}`", _spread_ms(g.seconds),
         _spread_ms(a.real_cli), _percent(g.ratio),
         (f"≤ {ANCHOR_GOALS[g.saver]:.0%}: {_verdict(g.ratio.median <= ANCHOR_GOALS[g.saver])}"
          if g.durability == "async" else "–"),
         _spread_ms(g.bare), _percent(g.bare_ratio))
        for g in a.graph
    ]
    n = a.real_cli.n
    return f"""### (c) Against the real okx CLI

The goal's anchor: the program users run, `@okx_ai/okx-trade-cli@{version}`
from npm. Each of {n} rounds (after {_warm_up(plan)}) times, one right after
the other, the real CLI making the {a.calls} calls of a manual login as the
graph makes them (Step 0's calls side by side, `--version` among them, the
login, the one `auth status` after "done"), and then one whole login through the graph for
each checkpointer and durability. {version} has no `auth login`, so
`config show --json` is timed in its place (a real call of the same program;
start-up is most of any call's time), and its `auth status` answers
`Unknown command`, which it still starts up to say. The **graph's time** is
the login's three turns against the in-process simulator, minus the time
inside the simulator's command code: LangGraph's steps and checkpoints and
the package's nodes. The ratio is taken within each round.

The **bare graph** beside it has as many super-steps as a login, in the same
three turns, on the same checkpointer and durability, and does nothing in
them but post the same messages and ask the same two questions: what
LangGraph spends on a graph of this shape before any of the package's work.

{_table(("checkpointer", "durability", "graph per login", "real CLI per login",
         "graph / real CLI", "goal", "bare graph per login", "bare / real CLI"), rows)}
"""


def _preflight(p: PreflightResult, plan: Plan, cores: int) -> str:
    rows = [
        (c.label, _spread_ms(c.parallel), _spread_ms(c.series), _spread_ms(c.series_cpu),
         _spread_ratio(c.best_ratio), _spread_ratio(c.ratio),
         _verdict(c.ratio.median <= PREFLIGHT_GOAL))
        for c in p.clis
    ]
    n = p.clis[0].ratio.n
    return f"""## 2. Preflight in parallel against in series

`okx config show --json`, `okx auth status --json` and `okx --version` (the
shared preflight's drift check, which a thread's first Step 0 runs beside the
other two). **Parallel** is the graph's own first turn, from the first spawn
to the last exit; **series** runs the same three calls one after the other
through the same runner. {n} rounds per
CLI after {_warm_up(plan)}, alternating which side goes first; the ratio is taken
within each round. The real CLI is `@okx_ai/okx-trade-cli@{p.real_cli_version}`
from npm (it answers `auth status` with `Unknown command`, which it still has
to start up to say). Each side gets a HOME of its own in which the CLI has
already run once, unmeasured: the real CLI asks the npm registry for a newer
version of itself at most once a day per HOME (`~/.okx/update-check.json`) and
waits for the answer, so in a brand-new HOME every call would also time that
request.

**CPU** is what the calls used in series (user + system time of the
processes). The calls cannot finish sooner than their CPU time spread over
the {cores} cores, nor sooner than the longest call alone: the **CPU bound** is
that time over the serial time, about the lowest ratio this machine allows
(it is computed from the serial runs, so under a changing load a round can
land slightly below it). A CLI that keeps more than one core busy while it
starts (CPU above wall time, as node's start-up does) cannot reach 0.5 on two
cores, however the calls are run.

{_table(("CLI", "parallel", "series", "CPU (series)", "CPU bound", "parallel / series",
         f"≤ {PREFLIGHT_GOAL}"), rows)}
"""


_ANSWERED = {"resume": "resumed", "message": "typed"}


def _calls(c: CallsResult) -> str:
    rows = [
        (sc.name, _ANSWERED[sc.answers], len(sc.made), sc.logged, len(sc.minimum),
         "yes" if sc.equal else "**no**", "<br>".join(_argv(a) for a in sc.minimum), sc.rule)
        for sc in c.scenarios
    ]
    resumed = [sc for sc in c.scenarios if sc.answers == "resume"]
    typed = {sc.name: sc for sc in c.scenarios if sc.answers == "message"}
    steps = [
        (sc.name, BEFORE_ISSUE_14[sc.name][0], sc.steps, BEFORE_ISSUE_14[sc.name][1],
         sc.checkpoints, typed[sc.name].steps, typed[sc.name].checkpoints)
        for sc in resumed
    ]
    return f"""## 3. CLI calls per scenario

Each scenario runs against `okx-sim` subprocesses, twice: with every reply
**resumed** (`Command(resume=...)`) and with every reply **typed** as a new
message, as a chat box that only starts runs sends it. The runner counts the
calls and the simulator's log counts them again. The minimum is what the
skill's text requires (the rule on the right); **equal** means the same
commands, each as often (the preflight's calls may finish in any order).
Setup done outside the conversation (a login started elsewhere, a removed
binary, a key written into the config) is not counted.

{_table(("scenario", "replies", "calls", "logged", "skill's minimum", "equal", "required calls",
         "rule"), rows)}

Super-steps and checkpoints of the same scenarios (`async` durability,
InMemorySaver): **before** is the graph of commit `{BEFORE_ISSUE_14_COMMIT}`,
where Steps 0.1–0.3 and the gate were one decision returned by the step that
reached them; **after** is this graph, where each is a node of its own and
its rule the router on its out-edge. A super-step is a checkpoint the loop
wrote; the other checkpoints are one per run's input, so a typed reply adds
one (a new run) where a resume adds none.

{_table(("scenario", "super-steps before", "after", "checkpoints before", "after",
         "super-steps typed", "checkpoints typed"), steps)}
"""


def _model_cost(mc: ModelCostResult) -> str:
    skill = os.path.relpath(mc.skill_path, REPO_ROOT)
    rows = [
        ("model calls to run a whole manual login with the graph", mc.model_calls),
        ("runnable steps the same callback handler saw", mc.chain_steps),
        ("skill text an agent following the prose carries on every model call",
         f"{mc.skill_characters:,} characters ({mc.skill_wide_characters} CJK)"),
        ("the same, in tokens (**estimate**)", f"≈ {mc.skill_tokens_estimate:,}"),
        (f"skill tokens over one login, at ≥ {PROSE_MODEL_CALLS_PER_LOGIN} model calls "
         "(**estimate**)", f"≈ {mc.prose_tokens_per_login_estimate:,}"),
    ]
    return f"""## 4. Model cost

The graph ran a whole manual login with a LangChain callback handler attached
that counts every chat-model and LLM start; the steps it saw show it was
listening. The skill is `{skill}`. Token figures are an **estimate**: one token
per CJK character and one per {LATIN_CHARS_PER_TOKEN} other characters; the
real count depends on the model's tokenizer. A prose-following agent needs at
least {PROSE_MODEL_CALLS_PER_LOGIN} model calls per login (in each of the three
turns one to choose the okx command and one to write the reply), each carrying
the skill.

{_table(("", ""), rows)}
"""


def _scale(s: ScaleResult) -> str:
    rows = [
        (
            SAVER_NAMES[r.saver],
            f"`{r.durability}`",
            f"{r.seconds:.1f} s",
            f"{r.per_second:.0f}",
            f"{_mb(r.peak_rss)} (from {_mb(r.baseline_rss)})",
            _kb(r.stored_per_conversation),
            f"{r.checkpoints_per_conversation:.0f}",
            _kb(r.latest_checkpoint_bytes),
            _kb(r.file_bytes / r.conversations) if r.file_bytes is not None else "–",
        )
        for r in s.runs
    ]
    first = s.runs[0]
    sqlite = s.get("sqlite", "async").sqlite_settings
    speed = [
        (
            f"`{d}`",
            f"{s.get('sqlite', d).per_second / s.get('memory', d).per_second:.2f}",
        )
        for d in DURABILITIES
    ]
    durability = [
        (SAVER_NAMES[saver],
         f"{s.get(saver, 'exit').per_second / s.get(saver, 'async').per_second:.2f}",
         f"{s.get(saver, 'exit').stored_bytes / s.get(saver, 'async').stored_bytes:.2f}")
        for saver in SAVERS
    ]
    return f"""## 5. Scale

{first.conversations} conversations open at once, each through a whole manual
login against the in-process simulator: every conversation gets its first
turn, then every one its second, and so on, from {first.workers} threads. Each
checkpointer and durability runs in a fresh interpreter, so its peak RSS is its
own (the baseline is after imports and the compiled graph). **Stored** is
every byte the checkpointer kept for the finished conversations (checkpoints,
channel values, pending writes); the **latest checkpoint** with its values is
what resuming a conversation loads. SqliteSaver writes to a file on disk with
the connection's defaults ({sqlite}): every checkpoint and every step's
writes is a commit that syncs the file.

{_table(("checkpointer", "durability", "wall", "conversations/s", "peak RSS",
         "stored / conversation", "checkpoints / conversation", "latest checkpoint",
         "SQLite file / conversation"), rows)}

Side by side, conversations per second, SqliteSaver over InMemorySaver:

{_table(("durability", "SqliteSaver / InMemorySaver"), speed)}

`"exit"` over `"async"`:

{_table(("checkpointer", "conversations/s", "stored bytes"), durability)}
"""


def _import_time(i: ImportResult, plan: Plan) -> str:
    rows = [
        (f"`{t.statement}`", _spread_ms(t.process), _spread_ms(t.import_only))
        for t in i.statements
    ]
    pairs = [
        (f"`{p.ours}` / `{p.theirs}`", f"{_spread_ratio(p.process)}×",
         f"{_spread_ratio(p.import_only)}×", _verdict(p.process.median <= IMPORT_GOAL))
        for p in i.pairs
    ]
    n = i.statements[0].process.n
    return f"""## 6. Import time

Each sample is a fresh interpreter of the same Python running one import
statement ({n} rounds after {_warm_up(plan)}, in rotating order). **Process** is
spawn to exit; **import** is the statement alone, timed inside. `langgraph` is
a namespace package that loads nothing and the package root is lazy, so the
first pair compares two near-empty imports; the second compares what building
the graph needs with the least any LangGraph graph imports. The goal is on the
process ratio, the same process type on both sides.

{_table(("statement", "process", "import"), rows)}

{_table(("ours / LangGraph's", "process", "import", f"≤ {IMPORT_GOAL}× (process)"), pairs)}
"""


def _marginal_row(m: Marginal) -> Sequence[object]:
    return (
        m.embedding, SAVER_NAMES[m.saver], f"{m.base:,} → {m.messages:,}",
        _spread_ms(m.cpu.auth), _spread_ms(m.cpu.stand_in), f"{_spread_ratio(m.cpu.ratio)}×",
        _spread_size(m.stored.auth), _spread_size(m.stored.stand_in),
        f"{_spread_ratio(m.stored.ratio)}×", _verdict(m.met),
    )


def _embedding(e: EmbeddingResult, plan: Plan) -> str:
    marginal = _table(
        ("embedding", "checkpointer", "N", "login's CPU growth", "trivial node's",
         "CPU ratio", "login's stored growth", "trivial node's", "bytes ratio",
         f"CPU ≤ {CPU_GOAL}×, bytes ≤ {BYTES_GOAL}×"),
        map(_marginal_row, e.marginals),
    )
    absolute = _table(
        ("embedding", "checkpointer", "N", "login CPU", "trivial node CPU", "login stored",
         "trivial node stored"),
        (
            (p.embedding, SAVER_NAMES[p.saver], f"{p.messages:,}", _spread_ms(p.auth_cpu),
             _spread_ms(p.stand_in_cpu), _spread_size(p.auth_bytes),
             _spread_size(p.stand_in_bytes))
            for p in e.points
        ),
    )
    sizes = ", ".join(f"{n:,}" for n in plan.embedding_sizes)
    return f"""## 8. A login inside a long conversation

A parent graph (`messages` with `add_messages`, and `okx_auth`) whose thread
already holds N prior chat messages (the user's and the assistant's in turn,
written with `update_state` before anything is measured) runs one whole
manual login in three turns: "帮我登录 OKX" → the site menu, "2" → the login
code (the browser approves in the simulator), "好了" → `logged_in`. Two
embeddings: the auth graph as a **plain node**
(`add_node("okx_auth", build_auth_graph(...))`, replies resumed into it), and
the **parent app** of docs/subgraph.md (`build_auth_subgraph(...)`,
`relay_question`, `awaiting_reply`; replies resumed through `relay_question`).
Each is run beside a **trivial node** in the same wiring that asks the same
two questions and posts the same five messages in the same turns, reading
nothing (for the parent app it returns `awaiting_reply` with the question, as
the subgraph does). Every login gets a fresh checkpointer (SqliteSaver: a new
file, the connection's defaults), thread and HOME; LangGraph's default
durability (`"async"`).

**CPU** is this process's CPU time in the login's three `invoke`s (the
simulator runs in-process; its work is the same at every N). **Stored** is
what the checkpointer holds after the login minus before. The **growth** is
the cost at N minus the cost at N = {plan.embedding_sizes[0]:,} in the same
round, and the **ratio** the login's growth over the trivial node's, taken
within each round. N = {sizes}; {plan.embedding_rounds} rounds after
{_warm_up(plan)} (at the smallest N), the two sides of each case back to back
in alternating order. The goals are judged at N = 5,000 (plain node) and
10,000 (parent app), as the issue states them; every N is shown.

{marginal}

Per login, at each N:

{absolute}
"""


def _long_thread(t: LongThreadResult, plan: Plan) -> str:
    by_login = {run.saver: {n: (cpu, stored) for n, cpu, stored in run.per_login}
                for run in t.runs}
    numbers = [n for n, _, _ in t.runs[0].per_login]
    per_login = _table(
        ("login", *(f"CPU, {SAVER_NAMES[r.saver]}" for r in t.runs),
         *(f"stored, {SAVER_NAMES[r.saver]}" for r in t.runs)),
        (
            (n, *(_spread_ms(by_login[r.saver][n][0]) for r in t.runs),
             *(_spread_size(by_login[r.saver][n][1]) for r in t.runs))
            for n in numbers
        ),
    )
    last = _last_window(t.runs[0].logins)
    growth = _table(
        ("checkpointer", f"logins 1–{WINDOW}", f"logins {last}", "last ÷ first",
         f"≤ {GROWTH_GOAL}×", f"trivial graph, 1–{WINDOW}", f"trivial graph, {last}",
         "growth per login ÷ trivial graph's"),
        (
            (SAVER_NAMES[r.saver], _spread_ms(r.first), _spread_ms(r.last),
             f"{_spread_ratio(r.growth)}×", _verdict(r.met), _spread_ms(r.stand_in_first),
             _spread_ms(r.stand_in_last), f"{_spread_ratio(r.beyond_stand_in)}×")
            for r in t.runs
        ),
    )
    return f"""## 9. Login after login on one thread

The auth graph alone (`build_auth_graph(checkpointer)`), one thread, one
HOME: {t.runs[0].logins} whole manual logins one after another (the same three
turns as in 8), and after each the simulator ends the session server-side
(`okx-sim session expire`), so the next request finds the user signed out and
logs in again. **CPU** is this process's CPU time in a login's three
`invoke`s, less the CPU time inside the in-process simulator's command code
(whose own state grows over the first logins; the graph's cost is what is
measured, as in 1); **stored** is what the login added to the checkpointer.
{plan.thread_rounds} threads per checkpointer (each with a fresh one), after
{_warm_up(plan)} of {WINDOW} logins; each figure is the median over the
threads with its range. The ratio compares, within each thread, the median
of the last {WINDOW} logins with the median of the first {WINDOW}.

Beside each thread runs a **trivial graph** on a thread of its own: it holds
the conversation in the same channel and, per login, asks the same two
questions and posts the same messages, nothing else (8's stand-in node as the
whole graph). A graph on its own *is* its thread's conversation (a chat view
reads it from there), and LangGraph loads it and hands it back on every
turn, so both grow with the thread; the last column divides the auth graph's
growth per login (the least-squares slope of its cost over all the logins)
by the trivial graph's. The issue's goal (the last
logins at most 1.3× the first) cannot hold for any graph that keeps a
growing conversation in its state; restated as in 8, against the same
trivial graph, it is the last column.

{per_login}

{growth}
"""


def render_growth(growth: GrowthResults, info: RunInfo) -> str:
    """The report of items 8 and 9 alone (`--growth`)."""
    scope = "\nOnly items 8 and 9 ran (`--growth`); the other items are in the full report.\n"
    return "\n".join([
        _header(info, scope),
        _goals_section(_growth_rows(growth), _growth_notes(growth)),
        _embedding(growth.embedding, info.plan),
        _long_thread(growth.long_thread, info.plan),
    ])


def render_aegra(aegra: AegraResult, info: RunInfo) -> str:
    """The report of item 10 alone (`--aegra`)."""
    scope = "\nOnly item 10 ran (`--aegra`); the other items are in the full report.\n"
    return "\n".join([
        _header(info, scope),
        _goals_section(_aegra_rows(aegra), []),
        _aegra(aegra),
    ])


def render(results: Results, info: RunInfo) -> str:
    """The whole report."""
    sections = [
        _header(info),
        _goals(results, info.machine.logical_cores),
        _overhead(results.overhead, info.plan),
        _anchor(results.anchor, info.plan, results.preflight.real_cli_version),
        _preflight(results.preflight, info.plan, info.machine.logical_cores),
        _calls(results.calls),
        _model_cost(results.model_cost),
        _scale(results.scale),
        _import_time(results.import_time, info.plan),
        _multiuser(results.multiuser),
        _embedding(results.growth.embedding, info.plan),
        _long_thread(results.growth.long_thread, info.plan),
        _aegra(results.aegra),
    ]
    return "\n".join(sections)
