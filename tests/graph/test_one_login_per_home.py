"""One login at a time per HOME: two conversations of one user racing a login mint one code.

Both threads were shown the menu and both find "not logged in" at Step 0;
the user answers both at once. The HOME's login lock serialises Step 0.3's
second look and the login, so the second finds the first's pending code and
waits for it (Step 0.3's pending branch) instead of minting another. The lock
is a file lock, so it also holds between processes (and replicas sharing the
HOMEs).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from okx_auth_graph.nodes.cli import Cli
from okx_auth_graph.okx import OkxError
from okx_auth_graph.okx.login_lock import (
    POLL_SECONDS,
    LoginLedger,
    lock_path,
    login_lock,
    logins_started,
)
from okx_auth_graph.okx.steps import Pause
from okx_auth_graph.prompts import render
from tests.expected import SEED_MENU
from tests.support import CallLog, Conversation, Simulator

LOGIN_EEA = ["auth", "login", "--manual", "--site", "eea"]


@pytest.mark.parametrize("mode", ["manual", "interactive"])
def test_two_threads_of_one_user_racing_a_login_mint_one_code(
    sim: Simulator, call_log: CallLog, mode: str
) -> None:
    first, second = (
        Conversation(sim, {"login_mode": mode}, thread_id=name) for name in ("t-1", "t-2")
    )
    for conv in (first, second):
        assert conv.start("log me in")[-1] == SEED_MENU
    before = logins_started(str(sim.home))
    results: dict[str, list[str]] = {}

    def answer(conv: Conversation) -> None:
        results[conv.thread_id] = conv.reply("2")

    if mode == "interactive":  # the browser approves whichever code is shown
        threading.Timer(1.0, sim.browser, ("approve",)).start()
    racers = [threading.Thread(target=answer, args=(conv,)) for conv in (first, second)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)

    logins = call_log.logins()
    assert len(logins) == 1, logins
    assert logins_started(str(sim.home)) == before + 1
    if mode == "manual":
        kinds = sorted(str((conv.interrupt or {}).get("kind")) for conv in (first, second))
        assert kinds == ["authorization_done", "authorization_done"]
        posted, waiting = [results["t-1"], results["t-2"]], [render("pending_without_code", "en")]
        assert waiting in posted  # the second found the first's code pending
        (shown,) = [texts for texts in posted if texts != waiting]
        assert shown[0].startswith("Please open the link")


def held(home: str, timeout: float) -> LoginLedger:
    """The HOME's login lock, waited for as a graph step under `invoke` waits for it."""
    return Cli().drive(login_lock(home, timeout))


async def test_waiting_for_the_lock_under_ainvoke_leaves_the_event_loop_running(
    tmp_path: Path,
) -> None:
    """Another conversation holds the lock: the wait pauses on the loop, then gives up."""
    home = str(tmp_path / "home")
    beats: list[float] = []

    async def heartbeat() -> None:
        while True:
            beats.append(time.monotonic())
            await asyncio.sleep(0.02)

    with held(home, 5):
        beating = asyncio.create_task(heartbeat())
        began = time.monotonic()
        with pytest.raises(OkxError) as busy:
            await Cli().adrive(login_lock(home, 0.5))
        beating.cancel()
    assert busy.value.kind == "timeout"
    assert time.monotonic() - began >= 0.5
    assert len([beat for beat in beats if beat >= began]) >= 10  # the loop kept running
    async with asyncio.timeout(5):  # free again: taken at once, and released on the way out
        with await Cli().adrive(login_lock(home, 5)) as ledger:
            assert ledger.record_start() == 1
    with held(home, 0) as ledger:
        assert ledger.started == 1


def test_a_wait_that_is_stopped_lets_go_of_the_lock(tmp_path: Path) -> None:
    """A run stopped while its login waits (a cancelled task) takes nothing with it."""
    home = str(tmp_path / "home")
    held(home, 0).release()  # the lock file exists
    other = os.open(lock_path(home), os.O_RDWR)  # another process's hold, as flock sees it
    fcntl.flock(other, fcntl.LOCK_EX)
    try:
        waiting = login_lock(home, 5)
        assert next(waiting) == Pause(POLL_SECONDS)  # this process's lock taken, the file's not
        waiting.close()
    finally:
        os.close(other)
    with held(home, 0) as ledger:  # nothing left taken: at once
        assert ledger.started == 0


def taken(home: str) -> bool:
    """Whether someone holds the HOME's login lock right now (as another process sees it)."""
    try:
        fd = os.open(lock_path(home), os.O_RDWR)
    except FileNotFoundError:  # no login yet
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing lets go of a lock this look took
    return False


async def test_a_cancelled_async_login_lets_go_of_the_lock(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server cancels a run whose login hangs under the lock: the HOME is free again."""
    conv = Conversation(sim)
    await conv.asend(conv.message("log me in"))
    monkeypatch.setenv("OKX_SIM_FAULT", "hang")
    monkeypatch.setenv("OKX_SIM_FAULT_ON", "auth login")
    run = asyncio.create_task(conv.asend(conv.answer("2")))
    async with asyncio.timeout(10):
        while not taken(str(sim.home)):
            await asyncio.sleep(0.02)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert not taken(str(sim.home))
    with held(str(sim.home), 0) as ledger:  # this process's lock is free too
        assert ledger.started == 0


@pytest.mark.integration  # a second process holds the lock
def test_the_lock_holds_between_processes(tmp_path: Path) -> None:
    """A second process holding the HOME's lock keeps a login here waiting, then refused."""
    home = tmp_path / "home"
    home.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from okx_auth_graph.nodes.cli import Cli\n"
         "from okx_auth_graph.okx.login_lock import login_lock\n"
         "with Cli().drive(login_lock(sys.argv[1], 5)):\n"
         "    print('held', flush=True)\n"
         "    time.sleep(3)\n", str(home)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        began = time.monotonic()
        with pytest.raises(OkxError) as busy, held(str(home), 0.5):
            pass
        assert busy.value.kind == "timeout"
        assert time.monotonic() - began >= 0.5
    finally:
        holder.wait(timeout=10)
    with held(str(home), 5) as ledger:  # free again once the holder is gone
        assert ledger.started == 0
        assert ledger.record_start() == 1
    assert logins_started(str(home)) == 1
    assert (home / ".okx-auth-graph").stat().st_mode & 0o777 == 0o700
