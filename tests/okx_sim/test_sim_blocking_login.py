"""The blocking `auth login`: it waits for the browser in another process."""

from __future__ import annotations

import re

import pytest

from .helpers import VERSION_LINE, Sim, read_until

WAITING = b"Waiting for authorization...\n"
VERSION = f"{VERSION_LINE}\n".encode()
"""How the real CLI ends a thrown error, after its `Error:` line."""


def test_prints_link_and_code_before_waiting_then_succeeds_on_approve(sim: Sim) -> None:
    proc = sim.popen("auth", "login", "--site", "eea")
    shown = read_until(proc, WAITING)
    code = re.search(rb"Enter code: ([A-Z]{4}-[A-Z]{4})", shown)
    assert code is not None
    assert shown.startswith(
        b"Open this link in your browser: https://my.okx.com/account/oauth/device\n"
    )
    assert proc.poll() is None, "a blocking login must wait for the browser"
    assert sim.json("auth", "status", "--json")["status"] == "pending"
    sim.ok("browser", "approve", code.group(1).decode())
    stdout, stderr = proc.communicate(timeout=10)
    assert (proc.returncode, stdout, stderr) == (0, b"Logged in successfully!\n", b"")
    assert sim.json("auth", "status", "--json")["site"] == "eea"


def test_fails_when_denied(sim: Sim) -> None:
    proc = sim.popen("auth", "login", "--site", "us")
    read_until(proc, WAITING)
    sim.ok("browser", "deny")
    stdout, stderr = proc.communicate(timeout=10)
    denied = b"Error: Login failed: Access denied\n" + VERSION
    assert (proc.returncode, stdout, stderr) == (1, b"", denied)
    assert sim.json("auth", "status", "--json")["status"] == "not_logged_in"


@pytest.mark.parametrize("advance", ["600", "3600"])
def test_times_out_when_the_clock_passes_the_deadline(sim: Sim, advance: str) -> None:
    proc = sim.popen("auth", "login")
    read_until(proc, WAITING)
    sim.ok("clock", "advance", advance)
    stdout, stderr = proc.communicate(timeout=10)
    timed_out = b"Error: Login failed: Authorization timed out\n" + VERSION
    assert (proc.returncode, stdout, stderr) == (1, b"", timed_out)
    assert sim.state()["pending"] is None


def test_waits_through_time_that_is_not_past_the_deadline(sim: Sim) -> None:
    proc = sim.popen("auth", "login")
    read_until(proc, WAITING)
    sim.ok("clock", "advance", "590")
    assert sim.json("auth", "status", "--json")["status"] == "pending"
    assert proc.poll() is None
    sim.ok("browser", "approve")
    assert proc.wait(timeout=10) == 0


def test_uses_its_own_short_expiry(sim: Sim) -> None:
    proc = sim.popen("auth", "login", env={"OKX_SIM_EXPIRES_IN": "0"})
    stdout, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 1
    assert stdout.endswith(WAITING)
    assert stderr == b"Error: Login failed: Authorization timed out\n" + VERSION


def test_is_logged_when_killed(sim: Sim) -> None:
    proc = sim.popen("auth", "login")
    read_until(proc, WAITING)
    proc.terminate()
    proc.communicate(timeout=10)
    calls = sim.calls()
    assert [call["argv"] for call in calls] == [["auth", "login"]]
    assert calls[0]["end"] is not None
