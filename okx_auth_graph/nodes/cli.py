"""The process boundary the tool nodes share, and the one place a CLI failure becomes state.

Tool nodes are the only steps that run the okx CLI. They never interrupt (a
node that interrupts re-runs from its top on resume, which would repeat a CLI
call), and no exception of theirs leaves the graph: `reports_failure` turns an
`OkxError` into the `failure` the report step posts, as `ToolNode` does with
`handle_tool_errors`. A "Failed to spawn okx-auth" answer from an auth command
is repaired once, as the skill prescribes: `auth install`, then
`auth install-status`, then the command again.

Each tool node is written once, as a plan: a generator that yields what must
run (`Step`: an okx command, the blocking login, a pause while the login lock
is taken, quick work on local files, or two plans side by side) and is sent
each result back, or has the failure raised where it yielded. `Cli.drive` runs a plan for `invoke`,
blocking; `Cli.adrive` runs the same plan for `ainvoke` and servers on the
event loop, with no thread per call; `Cli.node` makes the graph node that
has both. Everything a step decides (the gate, the lock, the repair, what to
post) is in the plan, so the two ways of running it cannot drift apart; the
same pattern as the middleware's hooks (`middleware/agent.py`).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Generic, ParamSpec, TypeAlias, TypeVar, cast

from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable
from langgraph._internal._runnable import RunnableCallable
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.isolation import ensure_private_home, settings_to_prepare
from okx_auth_graph.nodes.common import language_of, say
from okx_auth_graph.okx import (
    AsyncCliRunner,
    CliRunner,
    ConfigView,
    OkxCommand,
    OkxError,
    OkxSettings,
    aexecute,
    arun_okx,
    arun_okx_streaming,
    auth_install,
    auth_install_status,
    config_show,
    execute,
    run_okx,
    run_okx_streaming,
)
from okx_auth_graph.okx.interactive import (
    AsyncStreamingRunner,
    BlockingLogin,
    InteractiveLogin,
    StreamingRunner,
)
from okx_auth_graph.okx.steps import FileWork, Pause, on_disk
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthState, AuthUpdate

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
R = TypeVar("R")
P = ParamSpec("P")


@dataclass(frozen=True)
class Call(Generic[T]):
    """A step: run one okx command with these settings; its parsed value comes back."""

    command: OkxCommand[T]
    settings: OkxSettings


@dataclass(frozen=True)
class SideBySide(Generic[A, B]):
    """A step: run two plans at once; both values come back, as a pair.

    The step lasts as long as the slower plan. Under `invoke` the first runs
    on a thread of its own; under `ainvoke` both are tasks on the loop.
    """

    first: CliPlan[A]
    second: CliPlan[B]


Step: TypeAlias = Call[Any] | BlockingLogin | Pause | FileWork[Any] | SideBySide[Any, Any]
"""Everything a tool node's plan may ask its driver to run."""
CliPlan: TypeAlias = Generator[Step, Any, R]
"""A tool node's logic (or part of it): yields steps, gets their results, returns its own."""
CliStep: TypeAlias = Callable[[AuthState, Runtime[AuthContext]], CliPlan[R]]
"""A tool node as a plan: the state and the run's runtime in, the plan out."""


def side_by_side(first: CliPlan[A], second: CliPlan[B]) -> CliPlan[tuple[A, B]]:
    """Run two plans at once; returns both results."""
    both: tuple[A, B] = yield SideBySide(first, second)
    return both


def blocking(login: BlockingLogin) -> CliPlan[InteractiveLogin]:
    """Run the blocking login on the streaming runner of the driver at hand."""
    outcome: InteractiveLogin = yield login
    return outcome


def reports_failure(step: Callable[P, CliPlan[Command[str]]]) -> Callable[P, CliPlan[Command[str]]]:
    """Wrap a tool node so a failed CLI call ends in `report_failure`, with the failure as state.

    It wraps the plan, so the failure is caught the same under either driver.
    `builder.py` adds each such node with `report_failure` among its
    `destinations`, so the drawing shows the edge this wrapper takes.
    """

    @functools.wraps(step)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> CliPlan[Command[str]]:
        try:
            return (yield from step(*args, **kwargs))
        except OkxError as error:
            update: AuthUpdate = {"failure": error.failure}
            return Command(goto="report_failure", update=update)

    return guarded


class Cli:
    """One process boundary and one executable for every tool node, and the plans' two drivers.

    `runner` and `arunner` (and `streaming_runner` and `astreaming_runner` for
    the blocking login) are the process boundary under `invoke` and under
    `ainvoke`; the executable is chosen by whoever builds the graph, never by
    a run.
    """

    def __init__(
        self,
        *,
        runner: CliRunner = run_okx,
        streaming_runner: StreamingRunner = run_okx_streaming,
        arunner: AsyncCliRunner = arun_okx,
        astreaming_runner: AsyncStreamingRunner = arun_okx_streaming,
        okx_cli: str | None = None,
    ) -> None:
        self.runner = runner
        self.streaming_runner = streaming_runner
        self.arunner = arunner
        self.astreaming_runner = astreaming_runner
        self.okx_cli = okx_cli

    # ------------------------------------------------------------ the node and its drivers

    def node(self, step: CliStep[R]) -> Runnable[AuthState, R]:
        """The graph node of a plan: `invoke` drives it blocking, `ainvoke` on the event loop.

        LangGraph makes a plain function's node the same way: a
        `RunnableCallable` (its wrapper for every node, with no trace of its
        own), whose async form sends the function to a thread; here the async
        form is the plan's own. No public API takes a node's two forms
        (`RunnableLambda` would add a traced run and inject no runtime), so
        the class comes from `langgraph._internal`, in this one place. The
        runtime is injected as for any node, and the node's input is the
        graph's state, as the plan's first parameter says.
        """

        @functools.wraps(step)
        def run(state: AuthState, runtime: Runtime[AuthContext]) -> R:
            return self.drive(step(state, runtime))

        @functools.wraps(step)
        async def arun(state: AuthState, runtime: Runtime[AuthContext]) -> R:
            return await self.adrive(step(state, runtime))

        return cast(Runnable[AuthState, R], RunnableCallable(run, arun, trace=False))

    def drive(self, plan: CliPlan[R]) -> R:
        """Run a plan to its end, blocking on each step; a step's failure is raised in the plan."""
        try:
            step = next(plan)
            while True:
                try:
                    result = self._perform(step)
                except BaseException as error:  # the plan decides; it re-raises what it leaves
                    step = plan.throw(error)
                else:
                    step = plan.send(result)
        except StopIteration as done:
            return cast(R, done.value)

    async def adrive(self, plan: CliPlan[R]) -> R:
        """`drive` on the event loop: each step awaited, no thread started for it."""
        try:
            step = next(plan)
            while True:
                try:
                    result = await self._aperform(step)
                except BaseException as error:  # a cancelled run too: the plan lets go of locks
                    step = plan.throw(error)
                else:
                    step = plan.send(result)
        except StopIteration as done:
            return cast(R, done.value)

    def _perform(self, step: Step) -> Any:
        if isinstance(step, Call):
            return execute(step.command, step.settings, self.runner)
        if isinstance(step, BlockingLogin):
            return step.run(self.streaming_runner)
        if isinstance(step, Pause):
            time.sleep(step.seconds)
            return None
        if isinstance(step, FileWork):
            return step.work()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="okx-side-by-side") as side:
            first = side.submit(self.drive, step.first)
            second = self.drive(step.second)
        return first.result(), second

    async def _aperform(self, step: Step) -> Any:
        if isinstance(step, Call):
            return await aexecute(step.command, step.settings, self.arunner)
        if isinstance(step, BlockingLogin):
            return await step.arun(self.astreaming_runner)
        if isinstance(step, Pause):
            await asyncio.sleep(step.seconds)
            return None
        if isinstance(step, FileWork):  # a moment on a pooled thread, as the server asks
            return await asyncio.to_thread(step.work)
        halves = [asyncio.ensure_future(self.adrive(plan)) for plan in (step.first, step.second)]
        try:
            first, second = await asyncio.gather(*halves)
        except BaseException:  # the other half stops too (its CLI is killed) before this goes on
            for half in halves:
                half.cancel()
            await asyncio.gather(*halves, return_exceptions=True)
            raise
        return first, second

    # ------------------------------------------------------------ the plans' vocabulary

    def settings(self, runtime: Runtime[AuthContext]) -> CliPlan[OkxSettings]:
        """This run's CLI settings: the builder's executable, the caller's own HOME.

        On a server that authenticates, that HOME is created (or checked) first.
        """
        settings, private_home = settings_to_prepare(runtime, self.okx_cli)
        if private_home is not None:
            yield from on_disk(functools.partial(ensure_private_home, private_home))
        return settings

    def run(
        self, command: OkxCommand[T], runtime: Runtime[AuthContext], holds: tuple[int, ...] = ()
    ) -> CliPlan[T]:
        """Run one okx command with this run's settings, parsed (and redacted) as it returns.

        `holds`: open files the process inherits (`OkxSettings.holds`).
        """
        settings = yield from self.settings(runtime)
        value: T = yield Call(command, replace(settings, holds=holds) if holds else settings)
        return value

    def config(self, runtime: Runtime[AuthContext]) -> CliPlan[ConfigView]:
        """`okx config show --json` with this run's settings (and the API key they pass on)."""
        settings = yield from self.settings(runtime)
        config: ConfigView = yield Call(config_show(settings), settings)
        return config

    def repairing(
        self,
        attempt: Callable[[], CliPlan[T]],
        state: AuthState,
        runtime: Runtime[AuthContext],
        *,
        already_failed: bool = False,
    ) -> CliPlan[tuple[T, list[AIMessage]]]:
        """Make an auth call, repairing a missing okx-auth binary once and calling again.

        The one repair path: the graph's own calls come here, and so does a
        caller's command that could not spawn okx-auth (`already_failed`: its
        first attempt happened elsewhere, so the repair comes first).
        """
        if not already_failed:
            try:
                return (yield from attempt()), []
            except OkxError as error:
                if error.kind != "spawn_failed":
                    raise
        yield from self.reinstall(runtime)
        return (yield from attempt()), [say(render("binary_reinstalled", language_of(state)))]

    def run_auth(
        self, command: OkxCommand[T], state: AuthState, runtime: Runtime[AuthContext],
        holds: tuple[int, ...] = (),
    ) -> CliPlan[tuple[T, list[AIMessage]]]:
        """Run an auth command, repairing a missing okx-auth binary once."""
        return self.repairing(lambda: self.run(command, runtime, holds), state, runtime)

    def reinstall(self, runtime: Runtime[AuthContext]) -> CliPlan[None]:
        """The skill's repair: `auth install`, then `auth install-status`."""
        yield from self.run(auth_install(), runtime)
        yield from self.run(auth_install_status(), runtime)
