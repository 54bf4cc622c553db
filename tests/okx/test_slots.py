"""Process slots per HOME: the bound holds across threads and tasks, waiters go in order,
and a task cancelled while it waits never keeps a slot."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from okx_auth_graph.context import AuthContext
from okx_auth_graph.isolation import MAX_CLI_PROCESSES_ENV, Limits, ServerSide, okx_settings
from okx_auth_graph.okx import OkxSettings, arun_okx
from okx_auth_graph.okx.slots import ProcessSlots

from .helpers import ScriptWriter


def test_threads_beyond_the_limit_wait_and_go_in_the_order_they_came() -> None:
    slots, order, most = ProcessSlots(), [], [0]
    release = threading.Event()

    def worker(name: int) -> None:
        with slots.held("alice", 1):
            order.append(name)
            most[0] = max(most[0], slots.running("alice"))
            release.wait(5)

    threads = [threading.Thread(target=worker, args=(0,))]
    threads[0].start()
    while slots.running("alice") < 1:
        threading.Event().wait(0.01)
    for name in (1, 2, 3):  # each queued after the one before
        threads.append(threading.Thread(target=worker, args=(name,)))
        threads[-1].start()
        while len(slots._waiting.get("alice", ())) < name:
            threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(5)

    assert order == [0, 1, 2, 3]
    assert most[0] == 1
    assert slots.running("alice") == 0


def test_no_limit_or_no_home_never_waits() -> None:
    slots = ProcessSlots()
    with slots.held("alice", None), slots.held(None, 1), slots.held(None, 1):
        assert slots.running("alice") == 0


def test_homes_do_not_share_slots() -> None:
    slots = ProcessSlots()
    with slots.held("alice", 1), slots.held("bob", 1):
        assert (slots.running("alice"), slots.running("bob")) == (1, 1)


async def test_a_task_waits_on_the_loop_and_gets_the_slot_when_it_is_freed() -> None:
    slots, entered = ProcessSlots(), asyncio.Event()

    async def holder() -> None:
        async with slots.aheld("alice", 1):
            entered.set()
            await asyncio.sleep(0.1)

    async def waiter() -> int:
        async with slots.aheld("alice", 1):
            return slots.running("alice")

    first = asyncio.create_task(holder())
    await entered.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0.02)
    assert not second.done()  # queued behind the holder, the loop still turning
    assert await second == 1
    await first
    assert slots.running("alice") == 0


@pytest.mark.parametrize("when", ["while queued", "just after the hand-over"])
async def test_a_task_cancelled_while_it_waits_leaves_no_slot_taken(when: str) -> None:
    slots = ProcessSlots()
    taken = asyncio.Event()
    free = asyncio.Event()

    async def holder() -> None:
        async with slots.aheld("alice", 1):
            taken.set()
            await free.wait()

    async def waiter() -> None:
        async with slots.aheld("alice", 1):
            await asyncio.sleep(10)

    first = asyncio.create_task(holder())
    await taken.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    if when == "while queued":
        second.cancel()
        free.set()
    else:
        free.set()
        await first  # the slot is handed to the waiter, which is not yet woken
        second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    await first
    await asyncio.sleep(0)  # a pending hand-over passes the slot on
    assert slots.running("alice") == 0
    async with slots.aheld("alice", 1):  # and the slot is usable again at once
        assert slots.running("alice") == 1


async def test_the_async_runner_runs_one_homes_calls_within_its_slots(
    scripts: ScriptWriter, tmp_path: Path
) -> None:
    """Five calls of one HOME with two slots: never more than two processes at once."""
    log = tmp_path / "spans"
    cli = scripts.sh(f'echo "start $$" >> "{log}"\nsleep 0.3\necho "end $$" >> "{log}"\n')
    settings = OkxSettings(okx_cli=str(cli), okx_home=str(tmp_path), max_processes=2)

    await asyncio.gather(*(arun_okx([], settings) for _ in range(5)))

    running, most = 0, 0
    for line in log.read_text().splitlines():
        running += 1 if line.startswith("start") else -1
        most = max(most, running)
    assert (most, len(log.read_text().splitlines())) == (2, 10)


def test_a_servers_identity_gets_the_bound_and_a_library_call_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MAX_CLI_PROCESSES_ENV, "3")
    served = ServerSide(identity="alice", homes="/srv/homes", limits=Limits.from_environment())
    assert okx_settings(AuthContext(), served).max_processes == 3
    assert okx_settings(AuthContext(), ServerSide()).max_processes is None
    monkeypatch.setenv(MAX_CLI_PROCESSES_ENV, "none")
    assert Limits.from_environment().cli_processes == Limits().cli_processes
