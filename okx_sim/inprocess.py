"""`okx-sim` without a process: the graph's process boundary played in the caller's process.

Starting a Python interpreter per `okx` call costs tens of milliseconds, and a
conversation makes several; the unit tests only need the simulator's answers,
not its process. `run_in_process` and `run_in_process_streaming` are the
twins of `run_okx` and `run_okx_streaming` (the graph's `runner` and
`streaming_runner`), and `arun_in_process` and `arun_in_process_streaming`
those of `arun_okx` and `arun_okx_streaming` (`arunner`, `astreaming_runner`,
for runs under `ainvoke`): the same `okx_sim.cli.invoke` that `okx-sim` runs,
so the same parser, handlers, files, faults, update notice and call log,
only on a thread of this process with in-memory streams. The async twins
wait for that thread on the caller's event loop (its lines and its end are
handed over with `call_soon_threadsafe`), so the loop runs while it works,
and the callbacks run on the loop, as with the async subprocess runners.

What makes it the same as the subprocess, and not a second fake:

- The environment is the one the subprocess would get, `child_environment(settings)`
  (the allow-list, HOME moved to `okx_home`), read when the call starts; the
  simulator is handed it and never reads this process's HOME or variables.
- stdout and stderr are bytes behind a UTF-8 text layer, flushed line by line
  as the CLI flushes them, so canned bytes (`nonutf8`, `huge`) and the blocking
  login's live lines arrive as they would through a pipe, and the results are
  decoded and trimmed by the subprocess runner's own helpers.
- The budget holds: a call still running when `settings.timeout` runs out is
  stopped (its next wait raises, where a process would be killed) and the
  caller gets the same `timeout` failure `run_okx` raises. Only waits can be
  stopped, and only the simulator's waits are long (`hang`, `slow`, the
  blocking login's polls).
- An unexpected exception becomes a traceback on stderr and exit status 1,
  as in the interpreter.

What it cannot show is everything about real processes: process groups,
signals, pipes, interpreter start-up. Tests of those run the console script.
This is the one module of `okx_sim` that imports `okx_auth_graph` (for the
runner contract); the console script never imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from okx_auth_graph.okx.runner import (
    CliResult,
    LineCallback,
    OkxSettings,
    TickCallback,
    arelay_lines,
    child_environment,
    finished,
    relay,
    relay_lines,
    timeout_error,
)
from okx_sim.cli import invoke
from okx_sim.context import Console

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

LineSink = Callable[[bytes | None], None]
"""Where a call hands its stdout lines as they complete, then None when it ends."""

KILLED_EXIT_CODE = -9
"""A stopped call's status, as `Popen.returncode` reports a process killed by SIGKILL."""
STOP_WAIT_SECONDS = 5.0
"""How long stopping a call waits for its thread to leave the simulator's code."""


class _Stopped(BaseException):
    """Raised in a stopped call's thread at its next wait: the in-process kill.

    A `BaseException`, so no handler of the simulator mistakes it for a failure to report.
    """


class _Pipe(io.RawIOBase):
    """One output stream of the call: every byte kept, complete lines handed on as written."""

    def __init__(self, lines: LineSink | None = None) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self._lines = lines
        self._partial = b""

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer, /) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        if self._lines is not None:
            *complete, self._partial = (self._partial + chunk).split(b"\n")
            for line in complete:
                self._lines(line + b"\n")
        return len(chunk)

    def end(self) -> None:
        """The writer is done: hand on an unfinished last line, then the end of the stream."""
        if self._lines is not None:
            if self._partial:
                self._lines(self._partial)
            self._lines(None)

    @property
    def data(self) -> bytes:
        """Everything written so far."""
        return b"".join(self._chunks)



@dataclass(frozen=True)
class Finished:
    """What one in-process call left behind, as bytes, like a finished process."""

    exit_code: int
    stdout: bytes
    stderr: bytes


class InProcessCall:
    """One `okx-sim` invocation on its own thread, with a stop in place of a kill.

    The thread lets the caller keep its deadline (and read lines live) while
    the call waits, as it would while a child process runs.
    """

    def __init__(
        self,
        args: Sequence[str],
        environ: Mapping[str, str],
        lines: LineSink | None = None,
        on_end: Callable[[], None] | None = None,
    ) -> None:
        self._args = list(args)
        self._on_end = on_end
        self._environ = dict(environ)
        self._stop = threading.Event()
        self._stdout = _Pipe(lines)
        self._stderr = _Pipe()
        self._exit_code: int | None = None
        self._thread = threading.Thread(target=self._main, name="okx-sim in-process", daemon=True)

    def start(self) -> InProcessCall:
        """Begin the call; returns itself."""
        self._thread.start()
        return self

    def wait(self, timeout: float | None) -> bool:
        """Wait for the call to end; False when it is still running after `timeout` seconds."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        """End the call at its next wait, as a kill would, and wait for its thread."""
        self._stop.set()
        self._thread.join(STOP_WAIT_SECONDS)

    def result(self) -> Finished:
        """The finished call's status and output."""
        if self._exit_code is None:
            raise RuntimeError("the in-process okx-sim call has not finished")
        return Finished(self._exit_code, self._stdout.data, self._stderr.data)

    def _sleep(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _Stopped

    def _main(self) -> None:
        # Python's own stdout and stderr of a child: UTF-8 text over a byte
        # buffer, so a handler's text and a fault's raw bytes interleave as there.
        stdout = io.TextIOWrapper(io.BufferedWriter(self._stdout), encoding="utf-8")
        stderr = io.TextIOWrapper(io.BufferedWriter(self._stderr), encoding="utf-8")
        code = 1
        try:
            code = invoke(
                self._args, self._environ, Console(stdout, stderr, io.StringIO()),
                sleep=self._sleep,
            )
        except _Stopped:
            code = KILLED_EXIT_CODE
        except SystemExit as done:
            code = _exit_status(done, stderr)
        except BaseException:  # the interpreter's answer to an uncaught exception
            traceback.print_exc(file=stderr)
            code = 1
        finally:
            for stream in (stdout, stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            self._stdout.end()
            self._exit_code = code
            if self._on_end is not None:
                self._on_end()


def _exit_status(done: SystemExit, stderr: io.TextIOWrapper) -> int:
    """The status `sys.exit(x)` gives a process: None is 0, text is printed and is 1."""
    if done.code is None:
        return 0
    if isinstance(done.code, int):
        return done.code
    print(done.code, file=stderr)
    return 1


class _OnLoop:
    """A call's lines and its end, handed from its thread to the caller's event loop."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.lines: asyncio.Queue[bytes | None] = asyncio.Queue()
        """The call's stdout lines, then None (a `LineSink` fills it: `line`)."""
        self._over = asyncio.Event()

    def line(self, item: bytes | None) -> None:
        """The call's `LineSink`, called on its thread."""
        self._loop.call_soon_threadsafe(self.lines.put_nowait, item)

    def end(self) -> None:
        """The call's `on_end`, called on its thread."""
        self._loop.call_soon_threadsafe(self._over.set)

    async def ended(self, timeout: float) -> bool:
        """Wait for the call to end; False when it is still running after `timeout` seconds."""
        try:
            await asyncio.wait_for(self._over.wait(), timeout)
        except TimeoutError:
            return False
        return True


@contextlib.contextmanager
def _running(call: InProcessCall) -> Iterator[InProcessCall]:
    """Start the call; when the caller stops waiting, stop it if it still runs.

    Whatever ends the wait (the call's end, the budget, an exception in the
    waiting caller such as Ctrl-C or a cancelled task) leaves no call behind,
    as a killed child process would not be.
    """
    call.start()
    try:
        yield call
    finally:
        call.stop()


def _run_to_end(args: Sequence[str], environ: Mapping[str, str], timeout: float) -> Finished | None:
    """One call, waited for up to `timeout` seconds; None (the call stopped) if still running."""
    with _running(InProcessCall(args, environ)) as call:
        return call.result() if call.wait(timeout) else None


async def _arun_to_end(
    args: Sequence[str], environ: Mapping[str, str], timeout: float
) -> Finished | None:
    """`_run_to_end` awaited on the caller's event loop."""
    side = _OnLoop()
    with _running(InProcessCall(args, environ, on_end=side.end)) as call:
        return call.result() if await side.ended(timeout) else None


def run_command(
    args: Sequence[str], environ: Mapping[str, str], *, timeout: float
) -> Finished:
    """Run `okx-sim <args>` with `environ` as its whole environment; TimeoutError after `timeout`.

    For a test's own setup and the browser side, where `subprocess.run` was used.
    """
    done = _run_to_end(args, environ, timeout)
    if done is None:
        raise TimeoutError(f"okx-sim {' '.join(args)} did not finish within {timeout:g} seconds")
    return done


def run_in_process(args: Sequence[str], settings: OkxSettings, /) -> CliResult:
    """A `CliRunner`: `okx <args>` answered by the simulator in this process, as `run_okx` would.

    `settings.okx_cli` is not consulted (nothing is executed); HOME, the
    environment and the timeout are taken from `settings` exactly as the
    subprocess runner takes them.
    """
    start = time.monotonic()
    done = _run_to_end(args, child_environment(settings), settings.timeout)
    return _answer(args, settings, done, start)


async def arun_in_process(args: Sequence[str], settings: OkxSettings, /) -> CliResult:
    """An `AsyncCliRunner`: `run_in_process` awaited on the event loop, as `arun_okx` is."""
    start = time.monotonic()
    done = await _arun_to_end(args, child_environment(settings), settings.timeout)
    return _answer(args, settings, done, start)


def _answer(
    args: Sequence[str], settings: OkxSettings, done: Finished | None, start: float
) -> CliResult:
    """What the runner reports for a call: its result, or the timeout of a stopped one."""
    if done is None:
        raise timeout_error(args, settings.timeout)
    return finished(args, done.exit_code, done.stdout, done.stderr, start)


def _left(settings: OkxSettings, start: float) -> float:
    """What is left of the budget, counted from `start`."""
    return max(0.0, start + settings.timeout - time.monotonic())


def run_in_process_streaming(
    args: Sequence[str],
    settings: OkxSettings,
    on_line: LineCallback,
    on_tick: TickCallback | None = None,
    tick_seconds: float = 1.0,
) -> CliResult:
    """A `StreamingRunner`: `run_okx_streaming`'s contract, with the simulator in this process.

    Lines reach `on_line` as the call flushes them, quiet ticks reach
    `on_tick`, and the call is stopped when the budget runs out or when a
    callback raises (the graph stops a login whose line holds a foreign link).
    """
    start = time.monotonic()
    lines: queue.Queue[bytes | None] = queue.Queue()
    with _running(InProcessCall(args, child_environment(settings), lines.put)) as call:
        seen = relay_lines(lines, relay(args, settings, on_line, on_tick, tick_seconds, start))
        if not call.wait(_left(settings, start)):
            raise timeout_error(args, settings.timeout)
        done = call.result()
    return finished(args, done.exit_code, b"".join(seen), done.stderr, start)


async def arun_in_process_streaming(
    args: Sequence[str],
    settings: OkxSettings,
    on_line: LineCallback,
    on_tick: TickCallback | None = None,
    tick_seconds: float = 1.0,
) -> CliResult:
    """An `AsyncStreamingRunner`: `run_in_process_streaming` on the event loop.

    The lines and the ticks reach the callbacks on the loop, as with
    `arun_okx_streaming`.
    """
    start = time.monotonic()
    side = _OnLoop()
    with _running(InProcessCall(args, child_environment(settings), side.line, side.end)) as call:
        seen = await arelay_lines(
            side.lines, relay(args, settings, on_line, on_tick, tick_seconds, start)
        )
        if not await side.ended(_left(settings, start)):
            raise timeout_error(args, settings.timeout)
        done = call.result()
    return finished(args, done.exit_code, b"".join(seen), done.stderr, start)
