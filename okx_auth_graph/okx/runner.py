"""Run the okx executable: argument lists only, a timeout on every call.

Each call gets its own process group so that a timeout (or a cancelled task)
kills the CLI *and* anything it spawned (the okx-auth binary, node workers);
nothing is left polling OKX behind the conversation's back. Sync and async
runners share the resolution, environment and result type.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol, cast

from okx_auth_graph.okx.errors import OkxError, OkxFailure, action_of

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30.0
"""Budget for a quick command (status, config, login --manual)."""
INSTALL_TIMEOUT_SECONDS = 180.0
"""Budget for `auth install`, which downloads the okx-auth binary."""
MAX_OUTPUT_BYTES = 1_048_576
"""Output beyond this is cut off: no command we parse prints a megabyte."""

_SECRET_FLAGS = frozenset({"--api-key", "--secret-key", "--passphrase"})
_INSTALL_ADVICE = f"{action_of('cli_not_found')}."
"""What a missing CLI's detail says to do: the same words as the failure's action."""


@dataclass(frozen=True)
class OkxSettings:
    """Where and how to run the CLI for one user."""

    okx_cli: str | None = None
    """Executable path or name; None falls back to `$OKX_CLI`, then `okx` on PATH."""
    okx_home: str | None = None
    """HOME for the CLI (it keeps `~/.okx/` there); None inherits ours."""
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    """Seconds before the call is killed."""


@dataclass(frozen=True)
class CliResult:
    """What one finished okx process left behind."""

    command: tuple[str, ...]
    """The arguments after the executable."""
    returncode: int
    """The exit code."""
    stdout: str = field(repr=False)
    """Decoded stdout; may hold secrets (`config show --json`), so never in repr."""
    stderr: str = field(repr=False)
    """Decoded stderr."""
    duration: float
    """Wall-clock seconds the process ran."""


class CliRunner(Protocol):
    """Anything that runs `okx <args>` and reports back like `run_okx`."""

    def __call__(self, args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        """Run the command to completion."""
        ...


def resolve_executable(okx_cli: str | None = None) -> str:
    """Find the okx executable: explicit setting, then `$OKX_CLI`, then PATH.

    `$OKX_CLI` is read at call time so a server can be pointed elsewhere
    without re-importing anything.
    """
    for candidate in (okx_cli, os.environ.get("OKX_CLI"), "okx"):
        if not candidate:
            continue
        found = shutil.which(candidate)
        if found:
            return found
        raise OkxError(
            OkxFailure(
                kind="cli_not_found",
                detail=f"the okx CLI was not found ({candidate!r}). {_INSTALL_ADVICE}",
                command=[],
            )
        )
    raise AssertionError("unreachable: 'okx' is always a candidate")


def child_environment(okx_home: str | None) -> dict[str, str]:
    """The CLI's environment: ours, with HOME moved for per-user isolation."""
    env = dict(os.environ)
    if okx_home:
        env["HOME"] = okx_home
    return env


def redact_argv(args: Sequence[str]) -> list[str]:
    """Arguments safe to log: the value after a credential flag is hidden."""
    shown: list[str] = []
    hide_next = False
    for arg in args:
        flag, equals, _ = arg.partition("=")
        if hide_next:
            shown.append("***")
        elif equals and flag in _SECRET_FLAGS:
            shown.append(f"{flag}=***")
        else:
            shown.append(arg)
        hide_next = arg in _SECRET_FLAGS
    return shown


def _decode(data: bytes) -> str:
    return data[:MAX_OUTPUT_BYTES].decode("utf-8", errors="replace")


def _timeout_error(args: Sequence[str], timeout: float) -> OkxError:
    return OkxError(
        OkxFailure(
            kind="timeout",
            detail=f"no answer within {timeout:g} seconds; the process was stopped",
            command=list(args),
        )
    )


def _unstartable(candidate: str, error: OSError) -> OkxError:
    return OkxError(
        OkxFailure(
            kind="cli_not_found",
            detail=(
                f"the okx CLI could not be started ({candidate!r}: {error.strerror}). "
                f"{_INSTALL_ADVICE}"
            ),
            command=[],
        )
    )


def _spawn(
    argv: list[str], settings: OkxSettings, env: Mapping[str, str] | None
) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else child_environment(settings.okx_home),
            start_new_session=True,
        )
    except OSError as error:  # e.g. a script whose interpreter is missing
        raise _unstartable(argv[0], error) from None


def _kill_group(pid: int, sig: signal.Signals = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


STOP_GRACE_SECONDS = 2.0
"""How long a long-running CLI gets to exit after SIGTERM before SIGKILL."""


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Ask the group to exit (so the CLI can tidy up), then make sure nothing is left."""
    _kill_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=STOP_GRACE_SECONDS)
    _kill_group(proc.pid)
    proc.wait()


def _finish(args: Sequence[str], code: int, out: bytes, err: bytes, start: float) -> CliResult:
    result = CliResult(
        command=tuple(args),
        returncode=code,
        stdout=_decode(out),
        stderr=_decode(err),
        duration=time.monotonic() - start,
    )
    logger.debug("okx %s exited %d in %.3fs", " ".join(redact_argv(args)), code, result.duration)
    return result


def run_okx(
    args: Sequence[str], settings: OkxSettings, env: Mapping[str, str] | None = None
) -> CliResult:
    """Run `okx <args>` and wait, killing the process group on timeout."""
    argv = [resolve_executable(settings.okx_cli), *args]
    start = time.monotonic()
    proc = _spawn(argv, settings, env)
    try:
        out, err = proc.communicate(timeout=settings.timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        proc.communicate()
        raise _timeout_error(args, settings.timeout) from None
    except BaseException:
        _kill_group(proc.pid)
        proc.wait()
        raise
    return _finish(args, proc.returncode, out, err, start)


async def arun_okx(
    args: Sequence[str], settings: OkxSettings, env: Mapping[str, str] | None = None
) -> CliResult:
    """Async twin of `run_okx`; cancelling the task also kills the process group."""
    argv = [resolve_executable(settings.okx_cli), *args]
    start = time.monotonic()
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else child_environment(settings.okx_home),
            start_new_session=True,
        )
    except OSError as error:
        raise _unstartable(argv[0], error) from None
    try:
        out, err = await asyncio.wait_for(proc.communicate(), settings.timeout)
    except TimeoutError:
        _kill_group(proc.pid)
        await proc.wait()
        raise _timeout_error(args, settings.timeout) from None
    except BaseException:
        _kill_group(proc.pid)
        await proc.wait()
        raise
    assert proc.returncode is not None  # noqa: S101 - communicate() waited for exit
    return _finish(args, proc.returncode, out, err, start)


LineCallback = Callable[[str], None]
TickCallback = Callable[[float], None]


def run_okx_streaming(
    args: Sequence[str],
    settings: OkxSettings,
    on_line: LineCallback,
    on_tick: TickCallback | None = None,
    tick_seconds: float = 1.0,
) -> CliResult:
    """Run a long, chatty command (blocking login), handing each stdout line over live.

    `on_tick` gets the elapsed seconds whenever the CLI has been quiet for a
    tick, so a UI can show a spinner while the CLI polls silently.
    """
    argv = [resolve_executable(settings.okx_cli), *args]
    start = time.monotonic()
    proc = _spawn(argv, settings, None)
    out_stream, err_stream = cast(IO[bytes], proc.stdout), cast(IO[bytes], proc.stderr)
    lines: queue.Queue[bytes | None] = queue.Queue()
    stderr_chunks: list[bytes] = []
    readers = [
        threading.Thread(target=_pump_lines, args=(out_stream, lines), daemon=True),
        threading.Thread(target=lambda: stderr_chunks.append(err_stream.read()), daemon=True),
    ]
    for reader in readers:
        reader.start()
    seen: list[bytes] = []
    try:
        while True:
            remaining = start + settings.timeout - time.monotonic()
            if remaining <= 0:
                raise _timeout_error(args, settings.timeout)
            try:
                line = lines.get(timeout=min(tick_seconds, remaining))
            except queue.Empty:
                if on_tick is not None:
                    on_tick(time.monotonic() - start)
                continue
            if line is None:
                break
            seen.append(line)
            on_line(_decode(line).rstrip("\r\n"))
        try:  # stdout closed; the process still gets only what is left of its budget
            proc.wait(timeout=max(0.0, start + settings.timeout - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise _timeout_error(args, settings.timeout) from None
    except BaseException:
        _stop_group(proc)
        raise
    finally:
        for reader in readers:
            reader.join(timeout=1)
    return _finish(args, proc.returncode, b"".join(seen), b"".join(stderr_chunks), start)


def _pump_lines(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    for raw in stream:
        lines.put(raw)
    lines.put(None)
