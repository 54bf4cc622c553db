"""Items 8 and 9 (a login's cost as the conversation grows) on the smoke plan.

Timings are never asserted (the cores are shared). What is asserted is what
the report's ratios rest on: the arithmetic of a marginal ratio, that every
measured login really ended signed in with the same messages on both sides
(and that a login that did not stops the benchmark), that the stored bytes
come from the checkpointer, and that `--growth` reports these two alone.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langgraph.types import interrupt

from benchmarks import embedding, long_thread, report, runner
from benchmarks.clis import INHERITED_OKX_VARIABLES, BenchmarkError, InProcessSim, new_home
from benchmarks.embedding import (
    EMBEDDINGS,
    MENU,
    Growth,
    ParentState,
    Series,
    marginal_ratios,
    measure_login,
)
from benchmarks.long_thread import WINDOW, ThreadLogins, logins_on_one_thread
from benchmarks.plan import Plan
from benchmarks.results import GrowthResults
from benchmarks.savers import SAVERS, Store
from tests.benchmarks.support import run_info

PLAN = Plan.quick()


@pytest.fixture(scope="module")
def growth() -> GrowthResults:
    """One smoke run of items 8 and 9, shared by the tests below."""
    with pytest.MonkeyPatch.context() as patch:
        for name in INHERITED_OKX_VARIABLES:
            patch.delenv(name, raising=False)
        return runner.run_growth(PLAN, lambda _message: None)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No okx variable of the shell changes what the in-process simulator answers."""
    for name in INHERITED_OKX_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_a_marginal_ratio_is_growth_over_growth_round_by_round() -> None:
    # Round 1: the login grew by 30, the trivial node by 10; round 2: 20 against 20.
    assert marginal_ratios([10, 20], [40, 40], [5, 5], [15, 25]) == [3.0, 1.0]
    # A trivial node that did not grow bounds nothing.
    assert marginal_ratios([10], [40], [5], [5]) == [math.inf]
    with pytest.raises(ValueError, match="one value per round"):
        marginal_ratios([10, 20], [40], [5, 5], [15, 25])


def test_growth_subtracts_the_base_size_of_the_same_round() -> None:
    series: Series = {
        (10, "auth graph"): [1.0, 2.0, 3.0],
        (500, "auth graph"): [5.0, 4.0, 9.0],
        (10, "stand-in"): [1.0, 1.0, 1.0],
        (500, "stand-in"): [3.0, 2.0, 4.0],
    }
    grown = Growth.of(series, 10, 500)
    assert grown.auth.median == 4.0  # 4, 2, 6
    assert grown.stand_in.median == 2.0  # 2, 1, 3
    assert grown.ratio.median == 2.0  # 2, 2, 2 (not 4 / 2 of the medians by chance)
    assert (grown.ratio.p25, grown.ratio.p75) == (2.0, 2.0)


def test_every_embedding_saver_and_size_is_measured(growth: GrowthResults) -> None:
    e = growth.embedding
    base, *larger = PLAN.embedding_sizes
    assert {(p.embedding, p.saver, p.messages) for p in e.points} == {
        (emb, saver, n) for emb in EMBEDDINGS for saver in SAVERS for n in PLAN.embedding_sizes
    }
    assert {(m.embedding, m.saver, m.messages) for m in e.marginals} == {
        (emb, saver, n) for emb in EMBEDDINGS for saver in SAVERS for n in larger
    }
    for point in e.points:
        assert point.auth_cpu.n == point.stand_in_cpu.n == PLAN.embedding_rounds
        assert min(point.auth_cpu.median, point.stand_in_cpu.median) > 0
        assert min(point.auth_bytes.median, point.stand_in_bytes.median) > 0
    for m in e.marginals:
        assert m.base == base
        # Every checkpoint of the parent holds its conversation: both sides store more at N.
        assert min(m.stored.auth.median, m.stored.stand_in.median) > 0
        assert math.isfinite(m.stored.ratio.median)
    # The smoke plan has neither 5,000 nor 10,000 messages: judged at its largest size.
    assert all(e.goal_size(emb) == larger[-1] for emb in EMBEDDINGS)


def test_login_after_login_keeps_every_login(growth: GrowthResults) -> None:
    runs = growth.long_thread.runs
    assert [r.saver for r in runs] == list(SAVERS)
    for run in runs:
        assert run.logins == PLAN.thread_logins
        assert [n for n, _, _ in run.per_login] == [1, 10]
        assert all(cpu.n == PLAN.thread_rounds and stored.median > 0
                   for _, cpu, stored in run.per_login)
        assert run.growth.n == PLAN.thread_rounds
        assert run.growth.median == pytest.approx(run.last.median / run.first.median)
        assert run.beyond_stand_in.n == PLAN.thread_rounds
        assert run.stand_in_first.median > 0


def test_the_growth_beyond_the_trivial_graph_divides_what_each_end_added() -> None:
    auth = ThreadLogins(cpu=(10, 10, 10, 10, 10, 30, 30, 30, 30, 30), stored=(0,) * 10)
    trivial = ThreadLogins(cpu=(2, 2, 2, 2, 2, 12, 12, 12, 12, 12), stored=(0,) * 10)
    flat = ThreadLogins(cpu=(2,) * 10, stored=(0,) * 10)

    run = long_thread.summarise("memory", [auth], [trivial])
    assert run.beyond_stand_in.median == 2.0  # (30 - 10) / (12 - 2)
    assert run.growth.median == 3.0
    assert long_thread.summarise("memory", [auth], [flat]).beyond_stand_in.median == math.inf
    steady = ThreadLogins(cpu=tuple(2.0 + 0.5 * n for n in range(10)), stored=(0,) * 10)
    assert long_thread.per_login_growth(steady) == pytest.approx(0.5)


def test_thread_growth_compares_the_medians_of_both_ends() -> None:
    logins = ThreadLogins(cpu=(1, 9, 1, 1, 1, 3, 3, 3, 30, 3), stored=(0,) * 10)
    assert logins.growth(WINDOW) == 3.0
    with pytest.raises(ValueError, match="at least"):
        ThreadLogins(cpu=(1, 2), stored=(0, 0)).growth(WINDOW)


def _asks_then(outcome: dict[str, Any], posted: int) -> embedding.StandIn:
    """A plain-node stand-in that asks both questions, then ends as told."""

    def node(state: ParentState) -> dict[str, Any]:
        interrupt({"kind": "site_choice", "message": MENU})
        interrupt({"kind": "authorization_done", "message": "code"})
        return {"messages": [AIMessage(content=f"m{i}") for i in range(posted)],
                "okx_auth": outcome}

    return node


@pytest.mark.parametrize(
    ("outcome", "posted", "error"),
    [
        ({"status": "failed"}, 5, "status 'logged_in'"),
        ({"status": "logged_in"}, 4, "added 5 messages, not 6"),
    ],
)
def test_a_login_that_is_not_the_measured_one_stops_the_benchmark(
    clean_env: None, tmp_path: Path, outcome: dict[str, Any], posted: int, error: str
) -> None:
    sim = InProcessSim()
    with Store("memory", tmp_path) as store, pytest.raises(BenchmarkError, match=error):
        measure_login("plain node", "stand-in", _asks_then(outcome, posted), sim, store,
                      new_home(tmp_path, "u"), 4)


def test_the_auth_graph_logs_in_at_every_size_and_sqlite_counts_its_bytes(
    clean_env: None, tmp_path: Path
) -> None:
    sim = InProcessSim()
    with Store("sqlite", tmp_path) as store:
        node = embedding.node_for("parent app", "auth graph", sim)
        login = measure_login("parent app", "auth graph", node, sim, store,
                              new_home(tmp_path, "u"), 20)
        assert 0 < login.stored < store.stored_bytes()  # the history was there before


def test_without_the_session_expiring_the_next_login_is_not_a_login(
    clean_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = InProcessSim()
    with Store("memory", tmp_path) as store:
        done = logins_on_one_thread(sim, store, new_home(tmp_path, "a"), 2)
        assert len(done.cpu) == len(done.stored) == 2
        monkeypatch.setattr(long_thread, "EXPIRE_SESSION", ("clock", "advance", "0"))
        # Still signed in: the graph says so instead of showing the menu.
        with pytest.raises(BenchmarkError, match="expected interrupt 'site_choice'"):
            logins_on_one_thread(sim, store, new_home(tmp_path, "b"), 2)


def test_the_growth_report_has_its_goals_and_sections_only(growth: GrowthResults) -> None:
    text = report.render_growth(growth, run_info(".venv/bin/python -m benchmarks --growth", PLAN))
    assert "```sh\n.venv/bin/python -m benchmarks --growth\n```" in text
    assert "Only items 8 and 9 ran" in text
    for heading in ("## Goals", "## 8. A login inside a long conversation",
                    "## 9. Login after login on one thread"):
        assert f"\n{heading}\n" in text
    assert "## 1. Graph overhead" not in text
    rows = [line for line in text.splitlines() if line.startswith(("| 8 ", "| 9 "))]
    assert len(rows) == len(EMBEDDINGS) * len(SAVERS) + 2 * len(SAVERS)
    assert all(line.endswith(("| met |", "| **not met** |")) for line in rows)


def test_main_with_growth_prints_only_items_8_and_9(
    growth: GrowthResults, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def everything(*_args: object) -> object:
        raise AssertionError("--growth ran the other benchmarks")

    monkeypatch.setattr(runner, "run_all", everything)
    monkeypatch.setattr(runner, "run_growth", lambda plan, progress: growth)
    assert runner.main(["--smoke", "--growth"]) == 0
    out = capsys.readouterr().out
    assert "-m benchmarks --smoke --growth\n" in out
    assert "\n## 9. Login after login on one thread\n" in out
