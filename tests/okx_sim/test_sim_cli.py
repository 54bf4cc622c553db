"""Argument handling shared by every command: version, help, unknown input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .helpers import Sim


def test_version(sim: Sim) -> None:
    assert sim.ok("--version") == "1.3.1-sim\n"


def test_okx_sim_version_sets_every_version_it_says(sim: Sim) -> None:
    env = {"OKX_SIM_VERSION": "1.4.0"}
    assert sim.ok("--version", env=env) == "1.4.0\n"
    assert sim.ok("--help", env=env).startswith("okx-sim 1.4.0: ")
    assert "OKX_SIM_VERSION" in sim.ok("--help")
    failed = sim.run("config", "use", "nobody", env=env)
    assert failed.returncode == 1
    assert failed.stderr.endswith("Version: @okx_ai/okx-trade-cli@1.4.0\n")


def test_python_dash_m_runs_the_same_cli(sim: Sim) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "okx_sim", "--version"],
        env=sim.env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=20,
    )
    assert (result.returncode, result.stdout) == (0, "1.3.1-sim\n")


def test_help_lists_commands(sim: Sim) -> None:
    out = sim.ok("--help")
    assert "okx auth login [--manual] [--site global|eea|us]" in out
    assert "okx browser approve" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["foo", "bar"], "Unknown command: foo bar\n"),
        (["auth", "frobnicate"], "Unknown command: auth frobnicate\n"),
        (["config"], "Unknown command: config\n"),
    ],
)
def test_unknown_command(sim: Sim, args: list[str], message: str) -> None:
    assert sim.fail(*args) == message


def test_flags_do_not_count_as_command_words(sim: Sim) -> None:
    assert sim.fail("--json", "nope", "--site", "eea") == "Unknown command: nope\n"


def test_unknown_option_is_rejected(sim: Sim) -> None:
    assert sim.fail("auth", "status", "--bogus").startswith("Error: Unknown option: --bogus.")


def test_option_needs_value(sim: Sim) -> None:
    error = sim.fail("auth", "login", "--manual", "--site")
    assert error.startswith("Error: Option --site needs a value")


def test_equals_form_of_an_option(sim: Sim) -> None:
    payload = sim.json("auth", "login", "--manual", "--site=us")
    assert payload["verificationUri"] == "https://app.okx.com/account/oauth/device"


def test_missing_positional_shows_usage(sim: Sim) -> None:
    assert sim.fail("config", "use") == "Error: Usage: okx config use <profile>\n"


def test_extra_positional_shows_usage(sim: Sim) -> None:
    assert sim.fail("auth", "status", "extra") == "Error: Usage: okx auth status [--json]\n"
