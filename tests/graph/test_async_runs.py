"""The async path: under `ainvoke` every CLI step runs its async form, and reads the same.

The unit tests play whole conversations twice on the in-process simulator,
once with `invoke` and once with `ainvoke` (each on a HOME of its own), and
compare what the user reads and which okx commands ran. The integration
tests run `ainvoke` against the `okx-sim` console script: no thread starts
for a CLI call (a counting `threading.Thread.start` is installed), every call
runs on the event loop's own thread, and a call that times out, or whose run
is cancelled, leaves no process of its group behind.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver

from okx_auth_graph import build_auth_graph
from okx_auth_graph.okx import CliResult, OkxSettings, arun_okx, arun_okx_streaming
from okx_auth_graph.okx.runner import LineCallback, TickCallback
from okx_auth_graph.state import OkxAuthRequest
from tests.expected import FIRST_STEP_0, STEP_0
from tests.okx.helpers import wait_until_gone
from tests.support import CallLog, Conversation, Simulator, ThreadGraph, keyed_config

VOLATILE = re.compile(r"[A-Z]{4}-[A-Z]{4}|\d{8}-\d{6}")
"""A device code and a backup's time stamp: they differ between runs, so become placeholders."""

Turn = Callable[[Conversation, Simulator], object]
"""One step of a scripted conversation: the user's turn, or the world's (the browser)."""


def say(text: str) -> Turn:
    return lambda conv, _sim: conv.say(text)


def start(text: str, **request: Any) -> Turn:
    return lambda conv, _sim: conv.start(text, cast(OkxAuthRequest, request))


def browser(action: str) -> Turn:
    return lambda _conv, sim: sim.browser(action)


def approve_when_pending() -> Turn:
    """The browser approves, on a thread of its own, as soon as a login waits for it."""

    def approve(sim: Simulator) -> None:
        deadline = time.monotonic() + 20
        while sim.run("browser", "approve").returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.05)

    return lambda _conv, sim: threading.Thread(target=approve, args=(sim,), daemon=True).start()


def setup(*args: str) -> Turn:
    return lambda _conv, sim: sim.run(*args)


def config(text: str) -> Turn:
    return lambda _conv, sim: sim.write_config(text)


SCRIPTS: dict[str, tuple[dict[str, Any], list[Turn]]] = {
    "manual login, approved": ({}, [
        say("log me in to okx"), say("2"), say("what now?"), browser("approve"), say("done"),
    ]),
    "manual login, denied, retried on another site": ({}, [
        say("登录 OKX"), say("global"), browser("deny"), say("done"), say("yes"), say("3"),
    ]),
    "blocking login": ({"login_mode": "interactive", "login_timeout_seconds": 30}, [
        say("log me in"), approve_when_pending(), say("1"),
    ]),
    "status and logout": ({}, [
        setup("auth", "login", "--manual", "--site", "us"), browser("approve"),
        start("am I logged in?", action="status"), start("log me out", action="logout"),
    ]),
    "the binary: install, status, remove": ({}, [
        start("install it", action="install"), start("is it installed?", action="install_status"),
        start("remove it", action="remove"), say("yes"),
    ]),
    "a missing binary is repaired": ({}, [
        setup("auth", "remove", "--force"), say("log me in"), say("eea"),
    ]),
    "an API key stops, then its profile is dropped": ({}, [
        config(keyed_config("AK-0123456789abcdef", "SK-secret", "PP-pass")),
        start("my key is rejected", action="recover",
              error="Invalid Sign", command=["account", "balance"]),
        say("2"), say("yes"),
    ]),
}


def play(sim: Simulator, context: dict[str, Any], turns: list[Turn]) -> list[str]:
    """The transcript after every turn, its HOME and volatile values as placeholders."""
    conv = Conversation(sim, context)
    for turn in turns:
        turn(conv, sim)
    return [
        VOLATILE.sub("<volatile>", entry.replace(str(sim.home), "<home>"))
        for entry in conv.transcript()
    ]


def argvs(log: CallLog) -> list[list[str]]:
    """The okx commands a conversation ran; each Step 0's in a fixed order (they run at once).

    Its first Step 0 runs three commands side by side, any later one two.
    """
    ran = log.argvs()
    index = 0
    while index < len(ran):
        step_0 = next(
            (calls for calls in (FIRST_STEP_0, STEP_0)
             if sorted(ran[index : index + len(calls)]) == calls),
            None,
        )
        if step_0 is None:
            index += 1
            continue
        ran[index : index + len(step_0)] = step_0
        index += len(step_0)
    return ran


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_a_conversation_reads_and_runs_the_same_under_ainvoke(
    name: str, sim_cli: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    context, turns = SCRIPTS[name]
    transcripts, commands = {}, {}
    for api in ("sync", "async"):
        home = tmp_path / api
        (home / ".okx").mkdir(parents=True)
        log = CallLog(tmp_path / f"{api}.jsonl")
        monkeypatch.setenv("OKX_SIM_LOG", str(log.path))
        monkeypatch.setattr(Conversation, "default_api", api)
        transcripts[api] = play(Simulator(sim_cli, home, log), context, turns)
        commands[api] = argvs(log)
    assert transcripts["async"] == transcripts["sync"]
    assert commands["async"] == commands["sync"]
    assert len(commands["sync"]) >= 2


# ---------------------------------------------------------------- against okx-sim processes


@dataclass
class ThreadWatch:
    """Which threads start while a CLI call is in flight, and on which thread each call runs."""

    loop_thread: threading.Thread = field(default_factory=threading.current_thread)
    in_flight: int = 0
    calls: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    started_during_calls: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Count every `Thread.start` from now on (whoever starts it)."""
        original = threading.Thread.start
        watch = self

        def counting_start(thread: threading.Thread) -> None:
            watch.started.append(thread.name)
            if watch.in_flight:
                watch.started_during_calls.append(thread.name)
            original(thread)

        monkeypatch.setattr(threading.Thread, "start", counting_start)

    async def arunner(self, args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        """`arun_okx`, watched."""
        self._enter(args)
        try:
            return await arun_okx(args, settings)
        finally:
            self.in_flight -= 1

    async def astreaming_runner(
        self,
        args: Sequence[str],
        settings: OkxSettings,
        on_line: LineCallback,
        on_tick: TickCallback | None = None,
        tick_seconds: float = 1.0,
        /,
    ) -> CliResult:
        """`arun_okx_streaming`, watched."""
        self._enter(args)
        try:
            return await arun_okx_streaming(args, settings, on_line, on_tick, tick_seconds)
        finally:
            self.in_flight -= 1

    def _enter(self, args: Sequence[str]) -> None:
        self.in_flight += 1
        self.calls.append((tuple(args), threading.current_thread().name))

    def graph(self, saver: BaseCheckpointSaver[str], okx_cli: str) -> ThreadGraph:
        """The auth graph on the watched async runners; the sync ones must never run."""
        return build_auth_graph(
            saver, runner=_never, streaming_runner=_never, arunner=self.arunner,
            astreaming_runner=self.astreaming_runner, okx_cli=okx_cli,
        )


def _never(*_args: object) -> CliResult:
    raise AssertionError("a sync runner ran under ainvoke")


@pytest.mark.integration
@pytest.mark.parametrize("mode", ["manual", "interactive"])
async def test_an_async_login_on_okx_sim_starts_no_thread_for_its_cli_calls(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    watch = ThreadWatch()
    conv = Conversation(sim, {"login_mode": mode, "login_timeout_seconds": 30}, build=watch.graph)
    watch.install(monkeypatch)

    await conv.asend(conv.message("log me in"))
    if mode == "interactive":  # the browser approves while the CLI waits for it
        loop = asyncio.get_running_loop()

        def approve() -> None:  # a blocking `okx-sim` process on the loop: no thread
            if sim.run("browser", "approve").returncode != 0:
                loop.call_later(0.2, approve)

        loop.call_later(0.2, approve)
        await conv.asend(conv.answer("2"))
    else:
        await conv.asend(conv.answer("2"))
        sim.browser("approve")
        await conv.asend(conv.answer("done"))

    assert conv.outcome is not None
    assert conv.outcome["status"] == "logged_in"
    ran = sorted(list(args) for args, _ in watch.calls)  # Step 0's two finish in either order
    assert ran == sorted(argv for argv in call_log.argvs() if argv[0] != "browser")
    assert len(ran) >= 4
    assert {name for _, name in watch.calls} == {watch.loop_thread.name}
    assert watch.started_during_calls == []
    assert not [name for name in watch.started if name.startswith(("waitpid", "okx-side"))]


def hung_pids(log: CallLog) -> list[int]:
    """The processes of the calls that never ended (a `hang` fault logs before it sleeps)."""
    return [entry["pid"] for entry in log.entries() if entry["end"] is None]


def group_gone(pgid: int) -> bool:
    """Whether no process is left in the group."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.integration
async def test_an_async_call_that_times_out_leaves_no_process_of_its_group(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "hang")
    monkeypatch.setenv("OKX_SIM_FAULT_ON", "auth status")
    conv = Conversation(sim, {"timeout_seconds": 1})
    began = time.monotonic()
    posted = await conv.asend(conv.message("log me in"))
    assert 1 <= time.monotonic() - began < 5
    assert conv.values["failure"]["kind"] == "timeout"
    assert posted
    (pid,) = hung_pids(call_log)
    assert wait_until_gone([pid]) == []
    assert group_gone(pid)  # the CLI was its group's leader: start_new_session


@pytest.mark.integration
async def test_cancelling_an_async_run_kills_its_cli(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "hang")
    monkeypatch.setenv("OKX_SIM_FAULT_ON", "auth status")
    conv = Conversation(sim, {"timeout_seconds": 60})
    run = asyncio.create_task(conv.asend(conv.message("log me in")))
    async with asyncio.timeout(10):
        while not hung_pids(call_log):
            await asyncio.sleep(0.05)
    (pid,) = hung_pids(call_log)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert wait_until_gone([pid]) == []
    assert group_gone(pid)


def has_async_form(runnable: object) -> bool:
    """Whether a node runs an async form of its own under `ainvoke`.

    LangGraph gives a plain function's node `partial(run_in_executor, None, f)`
    as its async form: the function on a thread.
    """
    afunc = getattr(runnable, "afunc", None)
    return getattr(runnable, "func", None) is not None and afunc is not None and not isinstance(
        afunc, functools.partial
    )


def test_a_node_with_both_forms_is_a_cli_step_of_the_builder() -> None:
    """Every step that runs the CLI has an async form; nothing else gets one."""
    builder = build_auth_graph().builder
    nodes = builder.nodes
    both = {name for name, spec in nodes.items() if has_async_form(spec.runnable)}
    assert both == {
        "preflight", "login", "login_interactive", "verify", "report_status", "logout",
        "install_binary", "report_install_status", "remove_binary", "repair_binary",
        "drop_api_key_profile",
    }
    assert {nodes[name].input_schema for name in both} == {builder.state_schema}

