"""Every benchmark in smoke mode: it runs, and what it reports holds.

Timings are never asserted (the cores are shared); the properties are the
ones the report's claims rest on: the call counts equal the skill's minimum,
no model is called, the simulator's log agrees with the runner, the
checkpointers kept every conversation.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from benchmarks import anchor, model_cost, report, runner
from benchmarks.calls import BEFORE_ISSUE_14, SCENARIOS
from benchmarks.clis import INHERITED_OKX_VARIABLES
from benchmarks.conversation import DURABILITIES
from benchmarks.import_time import PAIRS, STATEMENTS
from benchmarks.multiuser import AEGRA_JOBS_PER_WORKER, SLOW_CALL_SECONDS
from benchmarks.overhead import TURN_NAMES
from benchmarks.plan import Plan
from benchmarks.results import Results, RunInfo
from benchmarks.savers import SAVERS
from okx_auth_graph.isolation import MAX_CLI_PROCESSES
from tests.benchmarks.support import run_info
from tests.expected import CONFIG_SHOW, INSTALL, INSTALL_STATUS, STATUS, VERSION

PLAN = Plan.quick()


@pytest.fixture(scope="module")
def results() -> Results:
    """One smoke run of every benchmark, shared by the tests below."""
    with pytest.MonkeyPatch.context() as patch:
        for name in INHERITED_OKX_VARIABLES:
            patch.delenv(name, raising=False)
        return runner.run_all(PLAN, model_cost.DEFAULT_SKILL, lambda _message: None)


@pytest.fixture(scope="module")
def info() -> RunInfo:
    """Run facts for rendering the smoke results."""
    return run_info(".venv/bin/python -m benchmarks --smoke", PLAN)


def test_overhead_measures_every_turn_of_both_durabilities(results: Results) -> None:
    o = results.overhead
    assert [r.durability for r in o.in_process] == list(DURABILITIES)
    for turns in o.in_process:
        assert turns.turn.n == PLAN.logins_in_process * len(TURN_NAMES)
        assert len(turns.by_turn) == len(TURN_NAMES)
        assert all(s.n == PLAN.logins_in_process for s in turns.by_turn)
    for logins in o.subprocess:
        assert logins.total.n == PLAN.logins_subprocess
        # the first preflight's three (`--version` among them), login, one status after "done"
        assert logins.calls_per_login == 5
        assert logins.log_matches_runner
        # The log's clock starts after the interpreter is up: it covers less than the process.
        assert 0 < logins.inside_simulator.median < logins.cli.median < logins.total.median
        assert math.isfinite(logins.overhead.median)


def test_the_graph_is_timed_beside_the_real_cli(results: Results) -> None:
    a = results.anchor
    assert a.calls == 5
    assert a.real_cli.n == PLAN.anchor_rounds
    assert {(g.saver, g.durability) for g in a.graph} == {
        (s, d) for s in SAVERS for d in DURABILITIES
    }
    for g in a.graph:
        assert g.seconds.n == g.ratio.n == PLAN.anchor_rounds
        # The graph's own time is a fraction of a real login's four node start-ups.
        assert 0 < g.seconds.median < a.real_cli.median
        assert 0 < g.ratio.median < 1
        # The bare graph of as many steps is timed in the same rounds (how the two compare
        # is the benchmark's to report, not a test's to time).
        assert g.bare.n == g.bare_ratio.n == PLAN.anchor_rounds
        assert 0 < g.bare.median < a.real_cli.median


def test_the_bare_graph_takes_a_login_s_steps_in_its_three_turns() -> None:
    graph = anchor.bare_graph(InMemorySaver())
    config: RunnableConfig = {"configurable": {"thread_id": "bare"}}
    first: anchor.BareState = {"messages": [HumanMessage(content="登录")]}
    requests: list[anchor.BareState | Command[str]] = [
        first, Command(resume="2"), Command(resume="ok"),
    ]
    steps = [len(list(graph.stream(r, config, stream_mode="updates"))) for r in requests]
    # Each question's step ends a turn (its interrupt is an update too) and runs again on resume.
    assert steps == [5, 7, 3]
    assert [m.content for m in graph.get_state(config).values["messages"]] == [
        "登录", "menu", "2", "login text", "ok", "success text",
    ]


def test_preflight_runs_both_clis_in_the_graph_and_in_series(results: Results) -> None:
    p = results.preflight
    assert p.real_cli_version == "1.2.4"
    assert [c.label for c in p.clis] == ["okx-sim subprocesses", "okx 1.2.4 (npm)"]
    for cli in p.clis:
        assert cli.ratio.n == PLAN.preflight_rounds
        assert cli.parallel.median > 0
        assert cli.series_cpu.median > 0
        # No schedule beats the longer call alone or the CPU spread over every core.
        assert 0 < cli.best_ratio.median <= 1


def test_cli_calls_equal_the_skills_minimum_in_every_scenario(results: Results) -> None:
    scenarios = results.calls.scenarios
    names = [s.name for s in SCENARIOS]
    assert [(s.name, s.answers) for s in scenarios] == [
        *((name, "resume") for name in names), *((name, "message") for name in names)
    ]
    for scenario in scenarios:
        assert scenario.equal, scenario
        assert scenario.logged == len(scenario.made) == len(scenario.minimum)
    resumed = {s.name: s for s in scenarios if s.answers == "resume"}
    typed = {s.name: s for s in scenarios if s.answers == "message"}
    # A reply typed as a message runs the same commands, each as often, as its resume.
    for name in names:
        assert sorted(typed[name].made) == sorted(resumed[name].made), name
        assert typed[name].requests >= resumed[name].requests == 1
    assert typed["happy path (zh)"].requests == 3  # the request, "2", "好了"
    happy = [list(argv) for argv in resumed["happy path (zh)"].minimum]
    assert happy == [
        CONFIG_SHOW, STATUS, VERSION, ["auth", "login", "--manual", "--site", "eea"], STATUS,
    ]
    repaired = [list(argv) for argv in resumed["spawn failure, repaired"].minimum]
    assert repaired[3:6] == [INSTALL, INSTALL_STATUS, STATUS]
    assert len(resumed["API key configured"].made) == 3
    assert len(resumed["login skipped by the API-key guard"].made) == 5
    # One checkpoint per super-step, plus one per run's input.
    assert all(s.checkpoints == s.steps + s.requests for s in scenarios)
    # Both stops end before the gate, the login passes every check and the gate.
    assert resumed["API key configured"].steps < resumed["already logged in"].steps
    assert resumed["already logged in"].steps < resumed["happy path (zh)"].steps
    assert set(BEFORE_ISSUE_14) == set(resumed)


def test_the_procedure_calls_no_model(results: Results) -> None:
    cost = results.model_cost
    assert cost.model_calls == 0
    assert cost.chain_steps > 0, "the counting handler saw nothing: it was not attached"
    assert Path(cost.skill_path) == model_cost.DEFAULT_SKILL
    text = Path(cost.skill_path).read_text(encoding="utf-8")
    assert "okx auth login --manual" in text, "not the skill's text"
    assert cost.skill_characters == len(text)
    assert len(text) / 4 <= cost.skill_tokens_estimate <= len(text)
    assert cost.prose_tokens_per_login_estimate > cost.skill_tokens_estimate


def test_scale_keeps_every_conversation_per_checkpointer(results: Results) -> None:
    runs = results.scale.runs
    assert {(r.saver, r.durability) for r in runs} == {
        (s, d) for s in SAVERS for d in DURABILITIES
    }
    for run in runs:
        assert run.conversations == PLAN.conversations
        assert run.peak_rss >= run.baseline_rss > 0
        assert run.stored_bytes > 0
        assert run.latest_checkpoint_bytes > 0
        assert (run.file_bytes is None) == (run.saver == "memory")
        assert (run.sqlite_settings is None) == (run.saver == "memory")
    for saver in SAVERS:
        exit_run, async_run = results.scale.get(saver, "exit"), results.scale.get(saver, "async")
        # "exit" keeps one checkpoint per turn, plus the empty root the first
        # turn's message writes hang from; "async" one per step.
        assert exit_run.checkpoints_per_conversation == len(TURN_NAMES) + 1
        assert async_run.checkpoints_per_conversation > exit_run.checkpoints_per_conversation
        assert async_run.stored_bytes > exit_run.stored_bytes


def test_import_time_covers_both_pairs(results: Results) -> None:
    i = results.import_time
    assert [t.statement for t in i.statements] == list(STATEMENTS)
    assert all(t.process.median > t.import_only.median > 0 for t in i.statements)
    assert [(p.ours, p.theirs) for p in i.pairs] == list(PAIRS)


def test_many_users_log_in_through_the_multiuser_server(results: Results) -> None:
    runs = results.multiuser.runs
    assert [r.users for r in runs] == list(PLAN.crowd_sizes)
    for run in runs:
        assert (run.logins, run.errors) == (run.users, 0)
        assert run.jobs_per_worker == run.users
        # 4 okx-sim processes per login ran under the server, and cost CPU.
        assert 0 < run.cli_cpu_seconds <= run.server_cpu_seconds
        assert run.client_cpu_seconds > 0
        assert 0 < run.limit < math.inf
        assert 0 < run.turn_p50 <= run.turn_p95


def test_many_users_log_in_through_aegra_replicas(results: Results) -> None:
    runs = results.aegra.runs
    assert [(r.replicas, r.users) for r in runs] == [
        (replicas, users) for replicas in PLAN.aegra_replicas for users in PLAN.aegra_crowd_sizes
    ]
    for run in runs:
        # Every turn went to the next replica: each login was resumed by the other one.
        assert (run.logins, run.errors) == (run.users, 0)
        assert run.jobs_per_worker == AEGRA_JOBS_PER_WORKER
        # The okx-sim processes ran under the replicas, whichever ran each turn.
        assert 0 < run.cli_cpu_seconds <= run.server_cpu_seconds
        assert 0 < run.limit < math.inf
        assert 0 < run.turn_p50 <= run.turn_p95


def test_report_has_every_section_and_the_command(results: Results, info: RunInfo) -> None:
    text = report.render(results, info)
    assert text.startswith("# Benchmarks\n")
    assert "```sh\n.venv/bin/python -m benchmarks --smoke\n```" in text
    assert "**Smoke run**" in text
    for heading in (
        "## Goals",
        "## 1. Graph overhead per turn",
        "### (c) Against the real okx CLI",
        "## 2. Preflight in parallel against in series",
        "## 3. CLI calls per scenario",
        "## 4. Model cost",
        "## 5. Scale",
        "## 6. Import time",
        "## 7. Many users on one server",
        "## 8. A login inside a long conversation",
        "## 9. Login after login on one thread",
        report.AEGRA_SECTION,
    ):
        assert f"\n{heading}\n" in text
    assert (
        "| 3 CLI calls equal to the skill's minimum | 16 of 16 scenario runs "
        "(replies resumed and typed) | all | met |"
    ) in text
    assert "| 4 model calls per login | 0 | 0 | met |" in text
    assert "| 10 failed logins, 2 users, 2 Aegra replicas | 0 | 0 | met |" in text


def test_main_writes_the_report_with_its_command(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    measured: list[Path] = []

    def run_all(plan: Plan, skill: Path, progress: object) -> Results:
        measured.append(skill)
        return results

    monkeypatch.setattr(runner, "run_all", run_all)
    skill_text = tmp_path / "SKILL.md"
    skill_text.write_text("another version of the skill\n", encoding="utf-8")
    out = tmp_path / "BENCHMARKS.md"
    assert runner.main(["--smoke", "--out", str(out), "--skill", str(skill_text)]) == 0
    assert measured == [skill_text]
    text = out.read_text(encoding="utf-8")
    assert f"-m benchmarks --smoke --out {out} --skill {skill_text}\n" in text
    assert "## 6. Import time" in text


def test_main_says_where_the_skill_should_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        runner.main(["--smoke", "--skill", str(tmp_path / "missing.txt")])
    assert exited.value.code == 2
    assert "pass --skill PATH" in capsys.readouterr().err


def test_fairness_is_measured_beside_a_crowd_on_aegra(results: Results, info: RunInfo) -> None:
    fairness = results.aegra.fairness
    assert (fairness.crowd, fairness.cli_processes) == (PLAN.fairness_crowd, MAX_CLI_PROCESSES)
    assert len(fairness.alone) == len(fairness.beside) == PLAN.fairness_turns
    # The crowd's calls each wait SLOW_CALL_SECONDS, so it outlasted a turn beside it.
    assert fairness.crowd_seconds >= SLOW_CALL_SECONDS
    assert fairness.ratio > 0
    text = report.render(results, info)
    assert "**Fairness.**" in text
    assert f"status turn beside one user's {PLAN.fairness_crowd} slow runs" in text


def test_an_aegra_section_replaces_only_its_own(results: Results, info: RunInfo) -> None:
    section = report.aegra_section(results.aegra, info)
    assert f"Measured alone by `{info.command}`" in section
    old = f"{report.AEGRA_SECTION}\n\nold figures\n"
    before, after = "# Benchmarks\n\n## 9. Nine\n\nnine\n", "\n## 11. Later\n\nlater\n"
    spliced = report.splice_aegra(before + "\n" + old + after, section)
    assert spliced == f"{before}\n{section.rstrip()}\n{after}"
    assert report.splice_aegra(before + "\n" + old, section) == f"{before}\n{section.rstrip()}\n"
    # A report without the section gains it at the end.
    assert report.splice_aegra(before, section) == f"{before}\n{section}"


def test_main_with_aegra_runs_item_10_alone_into_the_report_out_names(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def everything(*_args: object) -> object:
        raise AssertionError("--aegra ran the other benchmarks")

    monkeypatch.setattr(runner, "run_all", everything)
    monkeypatch.setattr(runner, "run_aegra", lambda plan, progress: results.aegra)
    assert runner.main(["--smoke", "--aegra"]) == 0
    printed = capsys.readouterr().out
    assert "Only item 10 ran (`--aegra`)" in printed
    assert f"\n{report.AEGRA_SECTION}\n" in printed
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n## 9. Nine\n\nkept\n", encoding="utf-8")
    assert runner.main(["--smoke", "--aegra", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\n## 9. Nine\n\nkept\n")
    assert "-m benchmarks --smoke --aegra --out" in text
    assert f"\n{report.AEGRA_SECTION}\n" in text
