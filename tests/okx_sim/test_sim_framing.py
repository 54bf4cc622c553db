"""okx-sim frames its output as the real CLI: pretty JSON, `Error:/Hint:/Version:`, the notice."""

from __future__ import annotations

import json

import pytest

from okx_sim.framing import is_newer, plant_update_notice

from .helpers import VERSION_LINE, Sim

NOTICE = (
    "\nUpdate available for @okx_ai/okx-trade-cli: 1.3.1-sim \u2192 1.3.2\n"
    "Run: npm install -g @okx_ai/okx-trade-cli\n\n"
)


def test_json_is_pretty_by_default_and_compact_on_request(sim: Sim) -> None:
    pretty = sim.ok("config", "show", "--json")
    compact = sim.ok("config", "show", "--json", env={"OKX_SIM_JSON": "compact"})
    assert pretty == '{\n  "profiles": {}\n}\n'
    assert compact == '{"profiles":{}}\n'


def test_a_thrown_error_is_three_lines_on_stderr(sim: Sim) -> None:
    result = sim.run("browser", "approve")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"Error: No pending login to approve.\n{VERSION_LINE}\n"


def test_a_planted_update_notice_precedes_every_call(sim: Sim) -> None:
    plant_update_notice(sim.home / ".okx", "1.3.2")
    status = sim.run("auth", "status", "--json")
    assert status.returncode == 0
    assert status.stderr == NOTICE
    assert json.loads(status.stdout)["status"] == "not_logged_in"
    failed = sim.run("browser", "approve")
    assert failed.stderr == NOTICE + f"Error: No pending login to approve.\n{VERSION_LINE}\n"
    unknown = sim.run("nope")
    assert unknown.stderr == NOTICE + "Unknown command: nope\n"


@pytest.mark.parametrize("latest", ["1.3.1-sim", "1.3.0", "1.2.4", "garbage"])
def test_no_notice_unless_the_cache_names_a_newer_version(sim: Sim, latest: str) -> None:
    plant_update_notice(sim.home / ".okx", latest)
    assert sim.run("auth", "status", "--json").stderr == ""


def test_an_unreadable_cache_prints_nothing(sim: Sim) -> None:
    (sim.home / ".okx").mkdir(parents=True, exist_ok=True)
    (sim.home / ".okx" / "update-check.json").write_text("{not json", encoding="utf-8")
    assert sim.run("auth", "status", "--json").stderr == ""


@pytest.mark.parametrize(
    ("current", "candidate", "newer"),
    [
        ("1.2.4", "1.3.2", True),
        ("1.3.1-sim", "1.3.1", True),
        ("1.3.1", "1.3.1-beta.17", False),
        ("1.3.2", "1.3.2", False),
        ("1.10.0", "1.9.9", False),
    ],
)
def test_release_order(current: str, candidate: str, newer: bool) -> None:
    assert is_newer(current, candidate) is newer
