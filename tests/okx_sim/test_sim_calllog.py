"""`OKX_SIM_LOG`: one JSON line per invocation, whatever happened in it."""

from __future__ import annotations

import time

from .helpers import Sim


def test_one_line_per_call_with_the_documented_keys(sim: Sim) -> None:
    before = time.time()
    sim.ok("--version")
    sim.fail("nope")
    sim.run("auth", "status", env={"OKX_SIM_FAULT": "garbage"})
    sim.ok("clock", "advance", "5")
    after = time.time()
    calls = sim.calls()
    assert [call["argv"] for call in calls] == [
        ["--version"],
        ["nope"],
        ["auth", "status"],
        ["clock", "advance", "5"],
    ]
    for call in calls:
        assert set(call) == {"argv", "start", "end", "home", "pid"}
        assert call["home"] == str(sim.home)
        assert before <= call["start"] <= call["end"] <= after
    assert len({call["pid"] for call in calls}) == len(calls)
    starts = [call["start"] for call in calls]
    assert starts == sorted(starts)


def test_log_times_are_wall_time_not_the_simulated_clock(sim: Sim) -> None:
    sim.ok("clock", "advance", "100000")
    sim.ok("auth", "status")
    assert abs(sim.calls()[-1]["start"] - time.time()) < 60


def test_no_log_without_the_variable(sim: Sim) -> None:
    sim.ok("--version", env={"OKX_SIM_LOG": ""})
    assert not sim.log.exists()


def test_concurrent_calls_never_interleave(sim: Sim) -> None:
    commands = [["market", "ticker", f"INST-{index}-" + "X" * 2000] for index in range(24)]
    results = sim.parallel(commands)
    assert all(result.returncode == 0 for result in results)
    logged = sorted(call["argv"][2] for call in sim.calls())
    assert logged == sorted(command[2] for command in commands)
