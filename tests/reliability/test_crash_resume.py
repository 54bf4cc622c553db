"""A login survives its process being SIGKILLed at any step, on SQLite and on Postgres.

For each step boundary of a full login (every step of the skill it runs,
and both questions) a child process runs the graph to that point and is
killed with SIGKILL; the test reads what the dead process left in the
store, then a new process resumes the thread and finishes it. The
simulator's call log is the witness: the login ends as it would have
without the crash, `auth login` ran exactly once, and no command ran twice.

A kill *inside* `auth login --manual` is the one documented repeat: the CLI
runs in its own process group, outlives the killed process and starts a
device flow whose code nobody sees; the resumed run starts a second one and
shows only that code.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from okx_auth_graph.graph import build_auth_graph
from okx_auth_graph.okx.login_lock import lock_path
from tests.reliability.driver import NEXT_NODE_AFTER, QUESTION_AT, StopPoint, thread_config
from tests.reliability.report import Figure
from tests.reliability.script import (
    BEFORE_THE_CHECK,
    CHOICE,
    DONE_CHECK,
    DONE_SIGNAL,
    LOGIN,
    OPENING,
    OUTCOME,
    UNBROKEN_CALLS,
    expected_texts,
    in_preflight_order,
    shown_code,
)
from tests.reliability.stores import kind_of, open_saver
from tests.support import CallLog, Conversation, Simulator

REPO_ROOT = Path(__file__).resolve().parents[2]
THREAD = "crash-user"

CALLS_BEFORE_THE_KILL: dict[StopPoint, int] = {
    StopPoint.AFTER_INTAKE: 0,
    StopPoint.AFTER_PREFLIGHT: 3,
    StopPoint.AFTER_SITE_CHECK: 3,
    StopPoint.AFTER_MENU: 3,
    StopPoint.AT_MENU: 3,
    StopPoint.AFTER_CHOICE: 3,
    StopPoint.AFTER_SITE_KNOWN: 3,
    StopPoint.AFTER_KEY_CHECK: 3,
    StopPoint.AFTER_OAUTH_CHECK: 3,
    StopPoint.AFTER_GATE: 3,
    StopPoint.AFTER_LOGIN: 4,
    StopPoint.AT_DONE_WAIT: 4,
    StopPoint.AFTER_DONE_REPLY: 4,
    StopPoint.AFTER_VERIFY: 5,
}
"""okx calls the killed process made: the kill landed where it was meant to."""
SLOW_LOGIN = {"OKX_SIM_FAULT": "slow:1", "OKX_SIM_FAULT_ON": "auth login"}
"""`auth login` waits a second before it acts (a slow network): time to kill inside it."""


def driver_argv(store: str, sim: Simulator, *extra: str) -> list[str]:
    """The command line of one driver process for this test's user."""
    return [
        sys.executable, "-m", "tests.reliability.driver", "--db", store, "--thread", THREAD,
        "--okx-cli", sim.path, "--okx-home", str(sim.home), *extra,
    ]


def run_driver(store: str, sim: Simulator, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run a driver process to its end (or its death)."""
    return subprocess.run(
        driver_argv(store, sim, *extra), cwd=REPO_ROOT, capture_output=True, text=True,
        check=False, timeout=120,
    )


def finished(resumed: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The result line of a driver that completed the conversation."""
    assert resumed.returncode == 0, resumed.stderr
    return dict(json.loads(resumed.stdout))


def stored_snapshot_summary(store: str) -> tuple[tuple[str, ...], str | None]:
    """What the store holds for the thread: the next nodes and the open question, if any."""
    with open_saver(store) as saver:
        snapshot = build_auth_graph(saver).get_state(thread_config(THREAD))
    question = snapshot.interrupts[0].value["kind"] if snapshot.interrupts else None
    return tuple(snapshot.next), question


@pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("point", list(StopPoint), ids=[p.value for p in StopPoint])
def test_sigkill_at_a_step_boundary_then_resume_finishes_the_same_login(
    store: str, point: StopPoint, sim: Simulator, call_log: CallLog, figure: Figure
) -> None:
    killed = run_driver(store, sim, "--stop-at", point.value)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert json.loads(killed.stdout) == {"killed_at": point.value}

    # The dead process left the thread exactly at the boundary.
    next_nodes, question = stored_snapshot_summary(store)
    if point in NEXT_NODE_AFTER:
        assert (next_nodes, question) == ((NEXT_NODE_AFTER[point][1],), None)
    else:
        assert question == QUESTION_AT[point]
    before_kill = len(call_log.argvs())
    assert before_kill == CALLS_BEFORE_THE_KILL[point]

    result = finished(run_driver(store, sim))

    assert result["outcome"] == OUTCOME
    assert result["messages"] == expected_texts(shown_code(result["messages"]))
    assert result["human"] == [OPENING, CHOICE, DONE_SIGNAL]
    calls = call_log.argvs()
    assert in_preflight_order(calls) == UNBROKEN_CALLS
    figure(
        f"{kind_of(store)}, SIGKILL {point.value}: new process resumed to logged_in; "
        f"okx calls {before_kill} before + {len(calls) - before_kill} after the kill, "
        f"auth login x{calls.count(LOGIN)}, repeated calls {len(calls) - len(UNBROKEN_CALLS)}"
    )


def running_cli(pid: int, words: list[str]) -> None:
    """Return once the process `pid` has a child running `okx <words...>`."""
    parent = psutil.Process(pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for child in parent.children(recursive=True):
            try:
                if " ".join(words) in " ".join(child.cmdline()):
                    return
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.01)
    pytest.fail(f"the driver never ran okx {' '.join(words)}")


def kill_inside_auth_login(store: str, sim: Simulator, slow: dict[str, str]) -> None:
    """SIGKILL a driver process while its `auth login` runs (made `slow` to land inside it)."""
    with subprocess.Popen(
        driver_argv(store, sim), cwd=REPO_ROOT, env={**os.environ, **slow},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as child:
        running_cli(child.pid, LOGIN[:2])
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL


def logged(call_log: CallLog, argv: list[str], times: int) -> None:
    """Return once the call log holds `argv` `times` times (a call logs when it exits)."""
    deadline = time.monotonic() + 60
    while call_log.argvs().count(argv) < times:
        if time.monotonic() > deadline:
            pytest.fail(f"okx {' '.join(argv)} never finished")
        time.sleep(0.05)


@pytest.mark.parametrize(
    "store",
    [
        "sqlite",
        "postgres",
    ],
    indirect=True,
)
def test_sigkill_inside_auth_login_shows_only_the_resumed_device_flow(
    store: str, sim: Simulator, call_log: CallLog, figure: Figure
) -> None:
    kill_inside_auth_login(store, sim, SLOW_LOGIN)

    # The CLI has its own process group: it outlives the kill and starts a device flow.
    logged(call_log, LOGIN, 1)
    state = json.loads((sim.home / ".okx" / "okx-sim-state.json").read_text())
    unseen_code = state["pending"]["user_code"]
    assert stored_snapshot_summary(store) == (("login",), None)

    result = finished(run_driver(store, sim))

    code = shown_code(result["messages"])
    assert code != unseen_code
    assert all(unseen_code not in text for text in result["messages"])
    assert result["outcome"] == OUTCOME
    assert result["messages"] == expected_texts(code)
    assert result["human"] == [OPENING, CHOICE, DONE_SIGNAL]
    calls = call_log.argvs()
    assert in_preflight_order(calls) == [*BEFORE_THE_CHECK, LOGIN, DONE_CHECK]
    figure(
        f"{kind_of(store)}, SIGKILL inside auth login: the orphaned CLI's code never shown; "
        f"auth login x{calls.count(LOGIN)}, the user saw and approved only the resumed one"
    )


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_login_killed_inside_auth_login_keeps_the_homes_lock_until_its_cli_ends(
    store: str, sim: Simulator, call_log: CallLog
) -> None:
    """Another conversation of the user waits for the orphaned CLI: one code at a time.

    The killed worker's `auth login` runs on (its own process group) and
    holds the HOME's login lock it inherited, so a login elsewhere (another
    thread, another replica) starts only once that one has minted its code,
    and the code it shows is the one the HOME waits on.
    """
    kill_inside_auth_login(store, sim, {**SLOW_LOGIN, "OKX_SIM_FAULT": "slow:3"})

    lock = os.open(lock_path(str(sim.home)), os.O_RDWR)
    try:  # the orphan holds the lock its dead worker took
        with pytest.raises(BlockingIOError):
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(lock)
    other = Conversation(sim)
    other.start(OPENING)
    other.reply(CHOICE)  # its login waits for the orphan's to end, then starts its own

    assert call_log.argvs().count(LOGIN) == 2
    shown = shown_code(other.ai_texts())
    approved = sim.run("browser", "approve")
    assert approved.stdout.strip() == f"approved {shown}"  # the code shown is the live one
