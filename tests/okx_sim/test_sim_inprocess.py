"""The in-process simulator answers as the console script does, and keeps the runner's contract.

The unit tier runs every graph conversation on `okx_sim.inprocess` instead of
`okx-sim` processes, so the two must not drift: the first test runs the same
invocations (commands, errors, faults, the update notice) both ways and
compares status, stdout, stderr and the call log (integration: it starts the
console script). The rest hold, in-process alone, what the runner promises:
the caller's environment and HOME never leak in, the budget stops a hung
call, and a blocking login streams its lines and can be stopped mid-wait;
and the async twins answer as the sync runners do, on the caller's event
loop, which keeps running while the simulator works.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from pathlib import Path

import pytest

from okx_auth_graph.okx import OkxError, OkxSettings, run_okx
from okx_sim.framing import plant_update_notice
from okx_sim.inprocess import (
    arun_in_process,
    arun_in_process_streaming,
    run_command,
    run_in_process,
    run_in_process_streaming,
)
from tests.support import IN_PROCESS_CLI, CallLog, Simulator

CODE = re.compile(r"[A-Z]{4}-[A-Z]{4}")
EXPIRES = re.compile(r'"expiresAt":"[^"]*"')
"""The token's expiry: the time of the call, which two runs a second apart read differently."""
"""A device code: random on each side, so compared as a placeholder."""

INVOCATIONS: list[tuple[list[str], dict[str, str]]] = [
    ([], {}),
    (["--version"], {}),
    (["--version"], {"OKX_SIM_VERSION": "1.4.0"}),
    (["--help"], {"OKX_SIM_VERSION": "1.4.0"}),
    (["auth", "status", "--json"], {}),
    (["config", "show", "--json"], {}),
    (["auth", "login", "--manual", "--site", "eea"], {}),
    (["auth", "status"], {}),
    (["browser", "approve"], {}),
    (["auth", "status", "--json"], {"OKX_SIM_JSON": "compact"}),
    (["account", "balance", "--json"], {}),
    (["no", "such", "command"], {}),
    (["config", "use", "nobody"], {"OKX_SIM_VERSION": "2.0.0-beta.1"}),
    (["config", "init", "--site", "eea"], {}),
    (["auth", "remove"], {}),
    (["auth", "login", "--manual"], {"OKX_API_KEY": "ak-from-the-environment"}),
    (["auth", "status", "--json"], {"OKX_SIM_FAULT": "garbage"}),
    (["auth", "status", "--json"], {"OKX_SIM_FAULT": "truncated"}),
    (["auth", "status", "--json"], {"OKX_SIM_FAULT": "empty"}),
    (["auth", "status", "--json"], {"OKX_SIM_FAULT": "nonutf8"}),
    (["auth", "status", "--json"], {"OKX_SIM_FAULT": "huge"}),
    (["auth", "status", "--json"], {"OKX_SIM_FAULT": "exit1:Error: session lapsed é"}),
    (["auth", "status", "--json"], {"OKX_SIM_FAULT": "binary_missing"}),
    (["auth", "status"], {"OKX_SIM_FAULT": "old_cli"}),
    (["--version"], {"OKX_SIM_FAULT": "old_cli"}),
    (["auth", "install"], {"OKX_SIM_FAULT": "cdn_fail"}),
    (["auth", "status"], {"OKX_SIM_FAULT": "not-a-fault"}),
    (["auth", "status"], {"OKX_SIM_FAULT": "slow:0.05", "OKX_SIM_FAULT_ON": "auth status"}),
    (["auth", "logout"], {}),
]


def _home(root: Path, name: str) -> Path:
    home = root / name
    (home / ".okx").mkdir(parents=True)
    return home


def test_every_answer_is_the_console_scripts(
    okx_sim_exe: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    homes = {side: _home(tmp_path, side) for side in ("process", "inprocess")}
    for side_home in homes.values():
        plant_update_notice(side_home / ".okx", "9.9.9")
    answers: dict[str, list[tuple[int, str, str]]] = {side: [] for side in homes}
    for args, env in INVOCATIONS:
        for side, runner in (("process", run_okx), ("inprocess", run_in_process)):
            with monkeypatch.context() as scoped:
                scoped.setenv("OKX_SIM_LOG", str(tmp_path / f"{side}.jsonl"))
                for name, value in env.items():
                    scoped.setenv(name, value)
                done = runner(args, OkxSettings(okx_cli=okx_sim_exe, okx_home=str(homes[side])))
            home = str(homes[side])
            answers[side].append((
                done.returncode,
                EXPIRES.sub("<expiresAt>", CODE.sub("<code>", done.stdout.replace(home, "<home>"))),
                CODE.sub("<code>", done.stderr.replace(home, "<home>")),
            ))
    for (args, env), process, inprocess in zip(
        INVOCATIONS, answers["process"], answers["inprocess"], strict=True
    ):
        assert inprocess == process, (args, env)
    logs = {side: CallLog(tmp_path / f"{side}.jsonl").entries() for side in homes}
    assert [e["argv"] for e in logs["inprocess"]] == [e["argv"] for e in logs["process"]]
    assert {e["home"] for e in logs["inprocess"]} == {str(homes["inprocess"])}


def test_the_callers_home_and_variables_stay_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs = _home(tmp_path, "ours"), _home(tmp_path, "theirs")
    monkeypatch.setenv("HOME", str(ours))
    monkeypatch.setenv("OKX_API_KEY", "ak-of-the-server-operator")
    settings = OkxSettings(okx_home=str(theirs), inherit_credentials=False)

    login = run_in_process(["auth", "login", "--manual", "--site", "us"], settings)

    assert login.returncode == 0
    assert set(json.loads(login.stdout)) == {"verificationUri", "userCode", "expiresIn"}
    assert (theirs / ".okx" / "okx-sim-state.json").exists()
    assert list((ours / ".okx").iterdir()) == []
    with_key = run_in_process(["auth", "login", "--manual"], OkxSettings(okx_home=str(theirs)))
    assert json.loads(with_key.stdout)["reason"] == "api_key_configured"


def test_a_hung_call_is_stopped_at_the_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = CallLog(tmp_path / "calls.jsonl")
    monkeypatch.setenv("OKX_SIM_LOG", str(log.path))
    monkeypatch.setenv("OKX_SIM_FAULT", "hang")
    began = time.monotonic()
    with pytest.raises(OkxError) as stopped:
        run_in_process(["auth", "status"], OkxSettings(okx_home=str(_home(tmp_path, "h")),
                                                       timeout=0.3))
    assert stopped.value.kind == "timeout"
    assert "no answer within 0.3 seconds; the process was stopped" in str(stopped.value)
    assert 0.3 <= time.monotonic() - began < 3
    assert log.entries()[0]["end"] is None
    assert not any(t.name == "okx-sim in-process" for t in threading.enumerate())


def test_a_blocking_login_streams_and_ends_when_the_browser_approves(tmp_path: Path) -> None:
    home = _home(tmp_path, "h")
    lines: list[str] = []
    ticks: list[float] = []

    def on_line(line: str) -> None:
        lines.append(line)
        if line.startswith("Waiting"):
            threading.Timer(0.2, run_command, (["browser", "approve"], {"HOME": str(home)}),
                            {"timeout": 5}).start()

    done = run_in_process_streaming(
        ["auth", "login", "--site", "eea"], OkxSettings(okx_home=str(home), timeout=10),
        on_line, ticks.append, 0.05,
    )

    assert done.returncode == 0
    assert [CODE.sub("<code>", line) for line in lines] == [
        "Open this link in your browser: https://my.okx.com/account/oauth/device",
        "Enter code: <code>", "Waiting for authorization...", "Logged in successfully!",
    ]
    assert done.stdout == "".join(f"{line}\n" for line in lines)
    assert ticks
    assert ticks == sorted(ticks)


def test_a_callback_that_raises_stops_the_waiting_login(tmp_path: Path) -> None:
    class Refused(Exception):
        pass

    def refuse(line: str) -> None:
        raise Refused(line)

    began = time.monotonic()
    with pytest.raises(Refused):
        run_in_process_streaming(["auth", "login", "--site", "us"],
                                 OkxSettings(okx_home=str(_home(tmp_path, "h")), timeout=30),
                                 refuse)
    assert time.monotonic() - began < 5
    assert not any(t.name == "okx-sim in-process" for t in threading.enumerate())


def test_the_test_simulator_runs_in_process_with_the_same_answers(tmp_path: Path) -> None:
    sim = Simulator(IN_PROCESS_CLI, _home(tmp_path, "h"), CallLog(tmp_path / "calls.jsonl"))
    assert sim.in_process
    pending = sim.start_pending_login("eea")
    assert CODE.fullmatch(str(pending["userCode"]))
    sim.browser("approve")
    refused = sim.run("browser", "deny")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr.startswith("Error: No pending login to deny.")


# ---------------------------------------------------------------- the async twins


async def test_the_async_twin_answers_as_the_sync_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    homes = {side: _home(tmp_path, side) for side in ("sync", "async")}
    answers: dict[str, list[tuple[int, str, str]]] = {side: [] for side in homes}
    for args, env in INVOCATIONS:
        for side, home in homes.items():
            settings = OkxSettings(okx_home=str(home))
            with monkeypatch.context() as scoped:
                for name, value in env.items():
                    scoped.setenv(name, value)
                done = (
                    await arun_in_process(args, settings) if side == "async"
                    else run_in_process(args, settings)
                )
            answers[side].append((
                done.returncode,
                CODE.sub("<code>", done.stdout.replace(str(home), "<home>")),
                CODE.sub("<code>", done.stderr.replace(str(home), "<home>")),
            ))
    assert answers["async"] == answers["sync"]


async def heartbeat(beats: list[float]) -> None:
    while True:
        beats.append(time.monotonic())
        await asyncio.sleep(0.02)


async def test_a_hung_call_is_stopped_at_the_budget_while_the_loop_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "hang")
    beats: list[float] = []
    beating = asyncio.create_task(heartbeat(beats))
    began = time.monotonic()
    with pytest.raises(OkxError) as stopped:
        await arun_in_process(["auth", "status"], OkxSettings(okx_home=str(_home(tmp_path, "h")),
                                                              timeout=0.3))
    beating.cancel()
    assert stopped.value.kind == "timeout"
    assert 0.3 <= time.monotonic() - began < 3
    assert len(beats) >= 5
    assert not any(t.name == "okx-sim in-process" for t in threading.enumerate())


async def test_a_blocking_login_streams_its_lines_on_the_loop(tmp_path: Path) -> None:
    home = _home(tmp_path, "h")
    lines: list[str] = []
    ticks: list[float] = []
    loop_thread = threading.current_thread()

    def on_line(line: str) -> None:
        assert threading.current_thread() is loop_thread
        lines.append(line)
        if line.startswith("Waiting"):
            threading.Timer(0.2, run_command, (["browser", "approve"], {"HOME": str(home)}),
                            {"timeout": 5}).start()

    done = await arun_in_process_streaming(
        ["auth", "login", "--site", "eea"], OkxSettings(okx_home=str(home), timeout=10),
        on_line, ticks.append, 0.05,
    )

    assert done.returncode == 0
    assert [CODE.sub("<code>", line) for line in lines] == [
        "Open this link in your browser: https://my.okx.com/account/oauth/device",
        "Enter code: <code>", "Waiting for authorization...", "Logged in successfully!",
    ]
    assert done.stdout == "".join(f"{line}\n" for line in lines)
    assert ticks
    assert ticks == sorted(ticks)


async def test_cancelling_a_waiting_login_stops_the_call(tmp_path: Path) -> None:
    lines: list[str] = []
    waiting = asyncio.create_task(arun_in_process_streaming(
        ["auth", "login", "--site", "us"],
        OkxSettings(okx_home=str(_home(tmp_path, "h")), timeout=30), lines.append,
    ))
    async with asyncio.timeout(5):
        while not lines or not lines[-1].startswith("Waiting"):
            await asyncio.sleep(0.02)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not any(t.name == "okx-sim in-process" for t in threading.enumerate())
