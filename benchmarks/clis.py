"""The okx CLIs the graph is measured against, each recording every call.

Three implementations of the `CliRunner` contract, each with its
`AsyncCliRunner` twin (`arunner`, for a graph run under `ainvoke`):

- `InProcessSim`: the simulator's own command dispatch called in this
  process, so the graph's cost can be seen without any process start-up.
  It is `okx-sim` itself (same parser, same handlers, same files), not a
  second fake that could drift from it.
- `SimProcesses`: `okx-sim` run as a subprocess per call through the
  package's `run_okx` (`arun_okx`), with the simulator's JSON-lines call log
  switched on.
- `RealCli`: the npm `okx` executable through `run_okx` (`arun_okx`; only the
  preflight benchmark uses it: version 1.2.4 has no `auth` commands to log
  in with).

Each records what it ran and when, per HOME, so a benchmark can count calls
and measure the time the graph spent waiting on the CLI.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from okx_auth_graph.okx import AsyncCliRunner, CliRunner, OkxSettings, arun_okx, run_okx
from okx_auth_graph.okx.runner import CliResult
from okx_sim.calllog import LOG_ENV
from okx_sim.cli import dispatch, split_argv
from okx_sim.context import Console
from okx_sim.paths import SimPaths

CALL_LOG_NAME = "okx-calls.jsonl"
"""The simulator's call log, kept in each user's HOME beside `.okx/`."""

INHERITED_OKX_VARIABLES = (
    "OKX_API_KEY",
    "OKX_SECRET_KEY",
    "OKX_PASSPHRASE",
    "OKX_CLI",
    "OKX_SIM_FAULT",
    "OKX_SIM_FAULT_ON",
    "OKX_SIM_EXPIRES_IN",
    LOG_ENV,
)
"""Variables that would change what the CLI answers (a key in the shell turns
every login into the API-key path), so no benchmark's CLI inherits them."""


class BenchmarkError(RuntimeError):
    """A benchmark could not measure what it meant to (a failed login, a missing CLI)."""


@dataclass(frozen=True)
class Call:
    """One okx call as the runner saw it, on the `time.monotonic` clock."""

    argv: tuple[str, ...]
    """The arguments after the executable."""
    start: float
    """When the runner started the call (the process spawn, for a subprocess)."""
    end: float
    """When the call's result was back."""


class CallRecorder:
    """Every call, per HOME; the graph's parallel preflight records from two threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, list[Call]] = {}

    def wrap(self, runner: CliRunner) -> CliRunner:
        """A runner that runs `runner` and records the call under its HOME.

        The interval is the runner's own measurement (`CliResult.duration`,
        spawn to exit for a subprocess), ending when the result is back.
        """

        def recorded(args: Sequence[str], settings: OkxSettings, /) -> CliResult:
            return self._record(args, settings, runner(args, settings))

        return recorded

    def awrap(self, runner: AsyncCliRunner) -> AsyncCliRunner:
        """`wrap` for an async runner."""

        async def recorded(args: Sequence[str], settings: OkxSettings, /) -> CliResult:
            return self._record(args, settings, await runner(args, settings))

        return recorded

    def _record(self, args: Sequence[str], settings: OkxSettings, result: CliResult) -> CliResult:
        end = time.monotonic()
        call = Call(tuple(args), end - result.duration, end)
        with self._lock:
            self._calls.setdefault(settings.okx_home or "", []).append(call)
        return result

    def calls(self, home: Path) -> list[Call]:
        """The calls made with this HOME so far, in the order they finished."""
        with self._lock:
            return list(self._calls.get(str(home), []))


class OkxCli(Protocol):
    """What the graph is run against: a recording runner and the executable it names."""

    @property
    def label(self) -> str:
        """How the report names this CLI."""
        ...

    @property
    def okx_cli(self) -> str | None:
        """The executable for `build_auth_graph(okx_cli=...)` (None when nothing is executed)."""
        ...

    @property
    def recorder(self) -> CallRecorder:
        """Every call this CLI ran, per HOME."""
        ...

    @property
    def runner(self) -> CliRunner:
        """The recording runner to build the graph with."""
        ...

    @property
    def arunner(self) -> AsyncCliRunner:
        """Its async twin, recording into the same recorder."""
        ...


class Simulator(OkxCli, Protocol):
    """A CLI whose world the user's side can change (browser, clock, setup commands)."""

    def control(self, home: Path, *args: str) -> None:
        """Run a simulator command as the user or the outside world, unrecorded."""
        ...


def new_home(root: Path, name: str) -> Path:
    """A fresh user HOME with an empty `~/.okx/`."""
    home = root / name
    (home / ".okx").mkdir(parents=True)
    return home


def clean_environment(home: Path) -> dict[str, str]:
    """Our environment without the okx variables, with HOME moved to `home`."""
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_OKX_VARIABLES}
    env["HOME"] = str(home)
    return env


def _home_of(settings: OkxSettings) -> Path:
    if not settings.okx_home:
        raise BenchmarkError("every benchmark call runs with its own okx_home")
    return Path(settings.okx_home)


def _dispatch(args: Sequence[str], home: Path) -> CliResult:
    """Run one simulator command in this process, as `okx-sim` would in its own."""
    stdout, stderr = io.StringIO(), io.StringIO()
    start = time.monotonic()
    code = dispatch(
        split_argv(list(args)),
        SimPaths(home),
        Console(stdout=stdout, stderr=stderr, stdin=io.StringIO()),
        None,
    )
    return CliResult(
        command=tuple(args),
        returncode=code,
        stdout=stdout.getvalue(),
        stderr=stderr.getvalue(),
        duration=time.monotonic() - start,
    )


class InProcessSim:
    """The simulator's command handling called directly: no process, no interpreter start.

    The simulator reads `OKX_API_KEY` and `OKX_SIM_EXPIRES_IN` from this
    process's environment, so callers run it with those unset (the runner
    clears them; the test suite's fixture does too).
    """

    label = "in-process okx-sim"
    okx_cli: str | None = None
    """No executable: the runner never resolves one."""

    def __init__(self) -> None:
        self.recorder = CallRecorder()
        self.runner: CliRunner = self.recorder.wrap(self._run)
        self.arunner: AsyncCliRunner = self.recorder.awrap(self._arun)
        self._cpu_lock = threading.Lock()
        self._cpu = 0.0

    @property
    def cpu_seconds(self) -> float:
        """CPU time spent in the simulator's command code so far, every call's thread summed.

        The simulator runs in this process, so its work is in the process's
        CPU time; a figure of the graph's own cost takes this out.
        """
        with self._cpu_lock:
            return self._cpu

    def _timed(self, args: Sequence[str], settings: OkxSettings) -> CliResult:
        started = time.thread_time()
        try:
            return _dispatch(args, _home_of(settings))
        finally:
            spent = time.thread_time() - started
            with self._cpu_lock:
                self._cpu += spent

    def _run(self, args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        return self._timed(args, settings)

    async def _arun(self, args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        """The same dispatch, on the loop: it is quick (no process, no wait) by design."""
        return self._timed(args, settings)

    def control(self, home: Path, *args: str) -> None:
        """Play the user's side (`browser approve`, `clock advance 700`), unrecorded."""
        result = _dispatch(args, home)
        if result.returncode != 0:
            raise BenchmarkError(f"okx-sim {' '.join(args)} failed: {result.stderr.strip()}")


def simulator_executable() -> str:
    """`okx-sim` beside the running Python (the project's venv), else on PATH."""
    found = shutil.which("okx-sim", path=str(Path(sys.executable).parent)) or shutil.which(
        "okx-sim"
    )
    if found is None:
        raise BenchmarkError("okx-sim is not installed in this environment")
    return found


class SimProcesses:
    """`okx-sim` as a subprocess per call, through the package's `run_okx`, logging every call."""

    label = "okx-sim subprocesses"

    def __init__(self, executable: str | None = None) -> None:
        self.okx_cli: str = executable or simulator_executable()
        self.recorder = CallRecorder()
        self.runner: CliRunner = self.recorder.wrap(self._run)
        self.arunner: AsyncCliRunner = self.recorder.awrap(self._arun)

    @staticmethod
    def _environment(settings: OkxSettings) -> dict[str, str]:
        home = _home_of(settings)
        env = clean_environment(home)
        env[LOG_ENV] = str(home / CALL_LOG_NAME)
        return env

    @classmethod
    def _run(cls, args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        return run_okx(args, settings, cls._environment(settings))

    @classmethod
    async def _arun(cls, args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        return await arun_okx(args, settings, cls._environment(settings))

    def control(self, home: Path, *args: str) -> None:
        """Play the user's side in a separate `okx-sim` process, outside the call log."""
        done = subprocess.run(
            [self.okx_cli, *args],
            env=clean_environment(home),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise BenchmarkError(f"okx-sim {' '.join(args)} failed: {done.stderr.strip()}")


class RealCli:
    """The npm `okx` executable through `run_okx`."""

    label = "okx 1.2.4 (npm)"

    def __init__(self, executable: Path) -> None:
        self.okx_cli: str = str(executable)
        self.recorder = CallRecorder()
        self.runner: CliRunner = self.recorder.wrap(self._run)
        self.arunner: AsyncCliRunner = self.recorder.awrap(self._arun)

    @staticmethod
    def _run(args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        return run_okx(args, settings, clean_environment(_home_of(settings)))

    @staticmethod
    async def _arun(args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        return await arun_okx(args, settings, clean_environment(_home_of(settings)))
