"""`OKX_SIM_FAULT`: every way the simulated CLI can misbehave, and its scoping."""

from __future__ import annotations

import json
import time

import pytest

from .helpers import Sim

NOT_LOGGED_IN = {"profile": "oauth", "site": "global", "status": "not_logged_in"}
NOT_LOGGED_IN_TEXT = json.dumps(NOT_LOGGED_IN, indent=2) + "\n"
"""`auth status --json` with nobody logged in, framed as the real CLI prints it."""


def fault(value: str, on: str | None = None) -> dict[str, str]:
    env = {"OKX_SIM_FAULT": value}
    if on is not None:
        env["OKX_SIM_FAULT_ON"] = on
    return env


def test_garbage(sim: Sim) -> None:
    result = sim.run("auth", "status", "--json", env=fault("garbage"))
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "%%% not json at all <<<\n",
        "",
    )


def test_garbage_does_not_run_the_command(sim: Sim) -> None:
    sim.run("auth", "login", "--manual", env=fault("garbage"))
    assert sim.json("auth", "status", "--json")["status"] == "not_logged_in"


def test_truncated_is_the_first_half_of_the_normal_output(sim: Sim) -> None:
    result = sim.run("auth", "status", "--json", env=fault("truncated"))
    assert result.returncode == 0
    assert result.stdout == NOT_LOGGED_IN_TEXT[: len(NOT_LOGGED_IN_TEXT) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)


def test_truncated_still_runs_the_command(sim: Sim) -> None:
    sim.run("auth", "login", "--manual", env=fault("truncated"))
    assert sim.json("auth", "status", "--json")["status"] == "pending"


def test_empty(sim: Sim) -> None:
    result = sim.run("config", "show", "--json", env=fault("empty"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_exit1_prints_any_text(sim: Sim) -> None:
    text = "Error: Session expired — run okx auth login again"
    result = sim.run("account", "balance", env=fault(f"exit1:{text}"))
    assert (result.returncode, result.stdout, result.stderr) == (1, "", text + "\n")


def test_nonutf8(sim: Sim) -> None:
    result = sim.run_bytes("auth", "status", "--json", env=fault("nonutf8"))
    assert (result.returncode, result.stdout) == (0, b"\xff\xfe\xfa not utf8 \x80\x81")
    with pytest.raises(UnicodeDecodeError):
        result.stdout.decode()


def test_huge(sim: Sim) -> None:
    result = sim.run_bytes("config", "show", "--json", env=fault("huge"))
    assert result.returncode == 0
    assert 5_000_000 <= len(result.stdout) <= 6_000_000
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)


def test_slow_delays_then_behaves_normally(sim: Sim) -> None:
    started = time.monotonic()
    result = sim.run("auth", "status", "--json", env=fault("slow:0.6"))
    assert time.monotonic() - started >= 0.6
    assert (result.returncode, result.stdout) == (0, NOT_LOGGED_IN_TEXT)


def test_hang_never_answers_but_is_logged(sim: Sim) -> None:
    proc = sim.popen("auth", "status", "--json", env=fault("hang"))
    deadline = time.monotonic() + 10
    while not sim.calls():
        assert time.monotonic() < deadline, "a hanging call must log itself at start"
        time.sleep(0.05)
    time.sleep(0.3)
    assert proc.poll() is None
    proc.kill()
    stdout, stderr = proc.communicate(timeout=10)
    assert (stdout, stderr) == (b"", b"")
    [call] = sim.calls()
    assert call["argv"] == ["auth", "status", "--json"]
    assert call["end"] is None
    assert call["pid"] == proc.pid


def test_hang_terminated_still_logs_exactly_once(sim: Sim) -> None:
    proc = sim.popen("auth", "status", env=fault("hang"))
    deadline = time.monotonic() + 10
    while not sim.calls():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.terminate()
    proc.communicate(timeout=10)
    assert [call["end"] for call in sim.calls()] == [None]


@pytest.mark.parametrize(
    "args",
    [["auth", "status", "--json"], ["auth", "login", "--manual"], ["auth", "logout"]],
)
def test_binary_missing_fails_auth_commands_without_changing_state(
    sim: Sim, args: list[str]
) -> None:
    err = sim.fail(*args, env=fault("binary_missing"))
    assert err == f"Error: Failed to spawn okx-auth: spawn {sim.home}/.okx/bin/okx-auth ENOENT\n"
    assert sim.json("auth", "status", "--json")["status"] == "not_logged_in"
    assert sim.json("auth", "install-status", "--json")["installed"] is True


def test_binary_missing_shows_in_install_status(sim: Sim) -> None:
    payload = sim.json("auth", "install-status", "--json", env=fault("binary_missing"))
    assert payload["installed"] is False


def test_cdn_fail(sim: Sim) -> None:
    sim.ok("auth", "remove", "--force")
    assert sim.fail("auth", "install", env=fault("cdn_fail")) == (
        "Error: Installation failed: All CDN sources failed\n"
    )
    assert sim.json("auth", "install-status", "--json", env=fault("cdn_fail"))["installed"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["auth", "status", "--json"], "Unknown command: auth status\n"),
        (["auth", "login", "--manual", "--site", "eea"], "Unknown command: auth login\n"),
        (["auth", "install"], "Unknown command: auth install\n"),
    ],
)
def test_old_cli_has_no_auth(sim: Sim, args: list[str], message: str) -> None:
    assert sim.fail(*args, env=fault("old_cli")) == message


def test_old_cli_version_and_other_commands(sim: Sim) -> None:
    assert sim.ok("--version", env=fault("old_cli")) == "1.2.4\n"
    assert sim.json("config", "show", "--json", env=fault("old_cli")) == {"profiles": {}}


def test_scope_limits_the_fault_to_matching_words(sim: Sim) -> None:
    env = fault("garbage", on="auth status")
    assert sim.ok("auth", "status", "--json", env=env) == "%%% not json at all <<<\n"
    assert sim.ok("auth", "status", env=env) == "%%% not json at all <<<\n"
    assert sim.json("config", "show", "--json", env=env) == {"profiles": {}}
    assert "userCode" in sim.json("auth", "login", "--manual", env=env)


def test_scope_names_a_flag_only_invocation_by_its_flags(sim: Sim) -> None:
    env = fault("garbage", on="--version")
    assert sim.ok("--version", env=env) == "%%% not json at all <<<\n"
    assert sim.json("config", "show", "--json", env=env) == {"profiles": {}}
    assert sim.ok("--version", env=fault("garbage", on="config show")) == "1.3.1-sim\n"


def test_scope_ignores_flags_before_words(sim: Sim) -> None:
    env = fault("exit1:boom", on="config show")
    assert sim.fail("--json", "config", "show", env=env) == "boom\n"


def test_unscoped_fault_spares_the_simulator_controls(sim: Sim) -> None:
    sim.start_manual_login()
    env = fault("exit1:broken")
    assert sim.fail("auth", "status", "--json", env=env) == "broken\n"
    assert sim.ok("browser", "approve", env=env).startswith("approved ")
    assert sim.ok("clock", "advance", "1", env=env).startswith("clock advanced")
    assert sim.ok("session", "expire", env=env) == "session expired\n"


def test_scoped_fault_can_target_the_browser(sim: Sim) -> None:
    sim.start_manual_login()
    assert sim.fail("browser", "approve", env=fault("exit1:no", on="browser")) == "no\n"
    assert sim.json("auth", "status", "--json")["status"] == "pending"


@pytest.mark.parametrize("value", ["bogus", "slow:", "slow:abc", "slow:-1", "exit1"])
def test_malformed_fault_fails_loudly(sim: Sim, value: str) -> None:
    result = sim.run("config", "show", env=fault(value))
    assert result.returncode == 2
    assert result.stderr == f'okx-sim: invalid OKX_SIM_FAULT value "{value}"\n'
