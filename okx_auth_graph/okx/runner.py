"""Run the okx executable: argument lists only, a timeout on every call.

Each call gets its own process group so that a timeout (or a cancelled task)
kills the CLI *and* anything it spawned (the okx-auth binary, node workers);
nothing is left polling OKX behind the conversation's back. Sync and async
runners share the resolution, environment, the spawn itself and the result
type; they differ only in how they wait.

The async runners are asyncio subprocesses, waited for on the event loop
with no thread per call, and with nothing that blocks the loop (LangGraph's
dev server fails a run that does): the executable is found by the OS as the
process starts, not looked up on disk first. On a LangGraph server (uvloop)
and on Linux with Python 3.12 and later no thread is involved; on Python 3.11
asyncio's default child watcher starts a `waitpid` thread for every process,
so on Linux the first async call replaces it with one that waits on a pidfd
in the running loop, the watcher Python 3.12 made its default
(`_thread_free_child_watcher`). Without pidfds (macOS) asyncio's own
watcher still waits on a thread per process.

The CLI's environment is an allow-list, `CLI_ENVIRONMENT` below, and nothing
else: the process running the graph may hold a JWT secret, the folder of
every user's HOME, a database URL, model keys and its operator's own OKX key,
and none of that is the CLI's business (on a server, the CLI runs for
whoever called). What passes, and why:

- `PATH`, to find `node` (the CLI is a `#!/usr/bin/env node` script) and
  anything it starts; `HOME`, where the CLI keeps `~/.okx/` (moved to the
  run's `okx_home` when there is one: that is how users are kept apart).
- Locale (`LANG`, `LANGUAGE`, the `LC_*` variables by name) and `TZ`: how
  text and times are read and printed. `TMPDIR`, `TMP`, `TEMP`: where
  scratch files go.
- Proxies (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, `ALL_PROXY`, each in both
  cases): on a machine that reaches OKX only through a proxy, the CLI (its
  fetch honours them) and the okx-auth binary must too. Node's
  `NODE_USE_ENV_PROXY` switch passes with them: it makes Node's own `https`
  module (the binary's download in `auth install`) use them.
- Certificates: `NODE_EXTRA_CA_CERTS` (how Node trusts a corporate CA) and
  `SSL_CERT_FILE` / `SSL_CERT_DIR` (the names native TLS libraries read, for
  the okx-auth binary). `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE` do not
  pass: they are Python `requests`' and curl's, and neither runs here.
- The `OKX_*` variables the CLI itself reads, each by name, never by a
  prefix: `OKX_SITE`, `OKX_DEMO`, `OKX_API_BASE_URL`, `OKX_TIMEOUT_MS`,
  `OKX_AUTH_BIN` (the okx-auth binary the CLI starts; the one `OKX_AUTH_`
  name that passes, so the project's own `OKX_AUTH_JWT_SECRET`,
  `OKX_AUTH_HOMES`, ... never can, nor `OKX_CLI`), and the credentials
  `OKX_API_KEY`, `OKX_SECRET_KEY`, `OKX_PASSPHRASE`. Those pass only with
  `OkxSettings.inherit_credentials`: in a library, a notebook or a
  single-user server they are the user's own; on a server that
  authenticates its callers (`isolation.okx_settings` turns it off) a
  user's credentials live in that user's HOME, never in the server's
  environment.
- The simulator's controls (`OKX_SIM_LOG`, `OKX_SIM_FAULT`,
  `OKX_SIM_FAULT_ON`, `OKX_SIM_EXPIRES_IN`, `OKX_SIM_JSON`,
  `OKX_SIM_VERSION`): the offline stand-in of the CLI (`okx-sim`) reads
  them; the real CLI does not, so they change nothing when the CLI is the
  real one.

Everything else stays behind, some of it on purpose. `NODE_OPTIONS` would
let whoever set it load code into the CLI (`--require`, `--import`) or open
a debugger port (`--inspect`); `NODE_PATH` would change which modules it
loads (it finds its own beside it); `NODE_TLS_REJECT_UNAUTHORIZED=0` would
switch off certificate checks on the connection that carries tokens and
keys; `PYTHON*` would do to the simulator what `NODE_OPTIONS` does to the
CLI; `XDG_CONFIG_HOME` would point the CLI past the moved HOME at the
operator's config folder. No display (`DISPLAY`, `BROWSER`, ...) passes: the
graph shows the login link itself, and a server has no business opening a
browser on its own screen. Nor do `OKX_DOH_BINARY_PATH` and
`OKX_PILOT_BINARY_PATH`: helpers the auth and config commands never start.
An explicit `env=` given to a runner is used verbatim instead (a test's or
a benchmark's choice, not the process's).
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
import sys
import threading
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol, cast

from okx_auth_graph.okx.errors import OkxError, OkxFailure, action_of
from okx_auth_graph.okx.redact import SECRET_ENV_VARS, SECRET_FLAGS
from okx_auth_graph.okx.slots import SLOTS

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30.0
"""Budget for a quick command (status, config, login --manual)."""
INSTALL_TIMEOUT_SECONDS = 180.0
"""Budget for `auth install`, which downloads the okx-auth binary."""
MAX_OUTPUT_BYTES = 1_048_576
"""Output beyond this is cut off: no command we parse prints a megabyte."""

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
    inherit_credentials: bool = True
    """Whether `OKX_API_KEY`, `OKX_SECRET_KEY` and `OKX_PASSPHRASE` reach the CLI from our
    environment. True for a library (they are the user's own); a server that authenticates
    its callers sets False (each user's credentials are in that user's HOME)."""
    max_processes: int | None = None
    """How many CLI processes of this HOME may run at once in this process (`okx.slots`);
    None: no bound. A server sets it for each identity's HOME."""
    holds: tuple[int, ...] = ()
    """Open files the CLI process inherits: the HOME's login lock for `auth login --manual`,
    so that the lock outlives a worker killed mid-login for as long as its CLI runs on."""


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


class AsyncCliRunner(Protocol):
    """The async twin of `CliRunner`, like `arun_okx`: what a run under `ainvoke` awaits."""

    async def __call__(self, args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        """Run the command to completion without blocking the event loop."""
        ...


def resolve_executable(okx_cli: str | None = None) -> str:
    """Find the okx executable: explicit setting, then `$OKX_CLI`, then PATH.

    `$OKX_CLI` is read at call time so a server can be pointed elsewhere
    without re-importing anything.
    """
    candidate = executable_named(okx_cli)
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


def executable_named(okx_cli: str | None = None) -> str:
    """The executable a call runs, as named: the setting, else `$OKX_CLI` (read now), else `okx`."""
    return okx_cli or os.environ.get("OKX_CLI") or "okx"


CREDENTIAL_ENV: tuple[str, ...] = SECRET_ENV_VARS
"""The CLI's credential variables: passed only with `OkxSettings.inherit_credentials`."""

CLI_ENVIRONMENT: Mapping[str, tuple[str, ...]] = {
    "system": ("PATH", "HOME"),
    "locale": (
        "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LC_COLLATE", "LC_NUMERIC",
        "LC_TIME", "LC_MONETARY", "LC_ADDRESS", "LC_IDENTIFICATION", "LC_MEASUREMENT",
        "LC_NAME", "LC_PAPER", "LC_TELEPHONE", "TZ",
    ),
    "temporary files": ("TMPDIR", "TMP", "TEMP"),
    "proxy": (
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
        "http_proxy", "https_proxy", "no_proxy", "all_proxy", "NODE_USE_ENV_PROXY",
    ),
    "certificates": ("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"),
    "okx cli": ("OKX_SITE", "OKX_DEMO", "OKX_API_BASE_URL", "OKX_TIMEOUT_MS", "OKX_AUTH_BIN"),
    "okx credentials": CREDENTIAL_ENV,
    "okx simulator": (
        "OKX_SIM_LOG", "OKX_SIM_FAULT", "OKX_SIM_FAULT_ON", "OKX_SIM_EXPIRES_IN", "OKX_SIM_JSON",
        "OKX_SIM_VERSION",
    ),
}
"""Every variable the CLI may receive from our environment, by group (the module docstring
says why each group passes); a name not listed here never reaches the CLI."""

_PASSED_ENV = frozenset(name for names in CLI_ENVIRONMENT.values() for name in names)
_API_KEY_ENV = "OKX_API_KEY"


def child_environment(
    settings: OkxSettings, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The CLI's environment: the allow-listed part of ours, HOME moved to `okx_home`.

    `environ` defaults to `os.environ`; the credential variables pass only when
    `settings.inherit_credentials` is set.
    """
    source = os.environ if environ is None else environ
    dropped = () if settings.inherit_credentials else CREDENTIAL_ENV
    env = {
        name: value for name, value in source.items()
        if name in _PASSED_ENV and name not in dropped
    }
    if settings.okx_home:
        env["HOME"] = settings.okx_home
    return env


def api_key_given(settings: OkxSettings) -> str | None:
    """The `OKX_API_KEY` a CLI started with these settings gets from our environment, if any.

    The environment's rule, asked of the environment itself: on a server that
    authenticates, none, whatever the server's own environment holds.
    """
    return child_environment(settings).get(_API_KEY_ENV) or None


def redact_argv(args: Sequence[str]) -> list[str]:
    """Arguments safe to log: the value after a credential flag is hidden."""
    shown: list[str] = []
    hide_next = False
    for arg in args:
        flag, equals, _ = arg.partition("=")
        if hide_next:
            shown.append("***")
        elif equals and flag.lower() in SECRET_FLAGS:
            shown.append(f"{flag}=***")
        else:
            shown.append(arg)
        hide_next = arg.lower() in SECRET_FLAGS
    return shown


def decode_output(data: bytes) -> str:
    """A stream's bytes as text: at most `MAX_OUTPUT_BYTES`, undecodable bytes replaced."""
    return data[:MAX_OUTPUT_BYTES].decode("utf-8", errors="replace")


def timeout_error(args: Sequence[str], timeout: float) -> OkxError:
    """The failure of a command that used up its budget (it was stopped)."""
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


def _environment(settings: OkxSettings, env: Mapping[str, str] | None) -> dict[str, str]:
    """An explicit `env` verbatim, else the allow-listed `child_environment`."""
    return dict(env) if env is not None else child_environment(settings)


def _spawn(
    argv: list[str], env: dict[str, str], holds: tuple[int, ...] = ()
) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
            pass_fds=holds,
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


async def _astop_group(proc: asyncio.subprocess.Process) -> None:
    """`_stop_group` on the event loop; a cancel during the grace period ends it at once."""
    _kill_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(asyncio.shield(proc.wait()), STOP_GRACE_SECONDS)
    await _akill_and_reap(proc)


async def _akill_and_reap(proc: asyncio.subprocess.Process) -> None:
    """Kill the group and wait until its leader is reaped, however often the task is cancelled.

    A run is cancelled from outside (a client hangs up, a parent task is
    cancelled), and the cancellation may be delivered again while the killed
    CLI is being reaped. Giving up then would leave its zombie behind the run
    that started it; after SIGKILL the wait is short, so it is sat out and the
    cancellation raised once it is over.
    """
    _kill_group(proc.pid)
    reaped = asyncio.ensure_future(proc.wait())
    cancelled = False
    while not reaped.done():
        try:
            await asyncio.shield(reaped)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError


def finished(args: Sequence[str], code: int, out: bytes, err: bytes, start: float) -> CliResult:
    """What a command that ran to its end reports: exit code, decoded output, duration."""
    result = CliResult(
        command=tuple(args),
        returncode=code,
        stdout=decode_output(out),
        stderr=decode_output(err),
        duration=time.monotonic() - start,
    )
    logger.debug("okx %s exited %d in %.3fs", " ".join(redact_argv(args)), code, result.duration)
    return result


def run_okx(
    args: Sequence[str], settings: OkxSettings, env: Mapping[str, str] | None = None
) -> CliResult:
    """Run `okx <args>` and wait, killing the process group on timeout."""
    with SLOTS.held(settings.okx_home, settings.max_processes):
        argv = [resolve_executable(settings.okx_cli), *args]
        child_env = _environment(settings, env)
        start = time.monotonic()
        proc = _spawn(argv, child_env, settings.holds)
        try:
            out, err = proc.communicate(timeout=settings.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            proc.communicate()
            raise timeout_error(args, settings.timeout) from None
        except BaseException:
            _kill_group(proc.pid)
            proc.wait()
            raise
        return finished(args, proc.returncode, out, err, start)


async def arun_okx(
    args: Sequence[str], settings: OkxSettings, env: Mapping[str, str] | None = None
) -> CliResult:
    """Async twin of `run_okx`; cancelling the task also kills the process group."""
    async with SLOTS.aheld(settings.okx_home, settings.max_processes):
        child_env = _environment(settings, env)
        start = time.monotonic()
        proc = await _aspawn(settings.okx_cli, args, child_env, settings.holds)
        try:
            out, err = await asyncio.wait_for(proc.communicate(), settings.timeout)
        except TimeoutError:
            await _akill_and_reap(proc)
            raise timeout_error(args, settings.timeout) from None
        except BaseException:
            await _akill_and_reap(proc)
            raise
        assert proc.returncode is not None  # noqa: S101 - communicate() waited for exit
        return finished(args, proc.returncode, out, err, start)


async def _aspawn(
    okx_cli: str | None, args: Sequence[str], env: dict[str, str], holds: tuple[int, ...] = ()
) -> asyncio.subprocess.Process:
    """Start `okx <args>` as an asyncio subprocess in a process group of its own.

    The OS finds the executable as it starts (the name `resolve_executable`
    looks up, on the same PATH); only when that fails is it looked up on disk,
    off the loop, to tell a missing CLI from one that cannot start.
    """
    _thread_free_child_watcher()
    try:
        return await asyncio.create_subprocess_exec(
            executable_named(okx_cli), *args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
            pass_fds=holds,
            limit=MAX_OUTPUT_BYTES,
        )
    except OSError as error:
        found = await asyncio.to_thread(resolve_executable, okx_cli)  # or cli_not_found
        raise _unstartable(found, error) from None


if sys.version_info < (3, 12) and hasattr(os, "pidfd_open"):

    class _PidfdChildWatcher(asyncio.AbstractChildWatcher):
        """Python 3.12's `PidfdChildWatcher` for 3.11: a pidfd read by the running loop.

        Python 3.11's own `PidfdChildWatcher` serves one attached loop only, so
        it cannot stand in for the default watcher, which starts a thread per
        process.
        """

        def add_child_handler(
            self, pid: int, callback: Callable[..., object], *args: object
        ) -> None:
            loop = asyncio.get_running_loop()
            pidfd = os.pidfd_open(pid)
            loop.add_reader(pidfd, self._reap, loop, pid, pidfd, callback, args)

        @staticmethod
        def _reap(
            loop: asyncio.AbstractEventLoop,
            pid: int,
            pidfd: int,
            callback: Callable[..., object],
            args: tuple[object, ...],
        ) -> None:
            loop.remove_reader(pidfd)
            try:
                _, status = os.waitpid(pid, 0)
            except ChildProcessError:  # reaped elsewhere: asyncio's own watchers say 255 too
                code = 255
            else:
                code = os.waitstatus_to_exitcode(status)
            finally:
                os.close(pidfd)
            callback(pid, code, *args)

        def remove_child_handler(self, pid: int) -> bool:
            return False

        def attach_loop(self, loop: asyncio.AbstractEventLoop | None) -> None:
            """Nothing to attach: each process is watched in the loop that started it."""

        def close(self) -> None:
            """Nothing to release: each pidfd closes when its process is reaped."""

        def is_active(self) -> bool:
            return True

        def __enter__(self) -> _PidfdChildWatcher:
            return self

        def __exit__(self, *_: object) -> None:
            return None

    def _thread_free_child_watcher() -> None:
        """On Python 3.11, put the pidfd watcher in place of the default thread-per-process one.

        Only the default policy's own threaded watcher is replaced (a loop of
        another kind, such as uvloop's, does without one); every asyncio
        subprocess of the process gains from it, as on Python 3.12.
        """
        policy = asyncio.get_event_loop_policy()
        if not isinstance(policy, asyncio.DefaultEventLoopPolicy):
            return
        if isinstance(policy.get_child_watcher(), asyncio.ThreadedChildWatcher):
            policy.set_child_watcher(_PidfdChildWatcher())

else:

    def _thread_free_child_watcher() -> None:
        """Python 3.12 and later wait on a pidfd already (or, without pidfds, need a thread)."""


LineCallback = Callable[[str], None]
TickCallback = Callable[[float], None]

QUIET = b""
"""What a relay is sent when no line came within its wait (a relayed line is never empty)."""

Relay = Generator[float, bytes | None, list[bytes]]
"""The rule for a chatty command's lines (see `relay`), apart from how the lines travel."""


def relay(
    args: Sequence[str],
    settings: OkxSettings,
    on_line: LineCallback,
    on_tick: TickCallback | None,
    tick_seconds: float,
    start: float,
) -> Relay:
    """Hand each line of a chatty command over as it arrives, until its stdout ends.

    It yields how long to wait for the next line and is sent that line, `None`
    at the end of stdout, or `QUIET` when the wait passed without one; then
    `on_tick` gets the elapsed seconds. Past the settings' budget (counted
    from `start`) it is a timeout. Returns the lines as they came, for the
    result. Written once for both ways lines travel: a thread's queue
    (`relay_lines`) and the event loop's (`arelay_lines`).
    """
    seen: list[bytes] = []
    while True:
        remaining = start + settings.timeout - time.monotonic()
        if remaining <= 0:
            raise timeout_error(args, settings.timeout)
        line = yield min(tick_seconds, remaining)
        if line is None:
            return seen
        if line == QUIET:
            if on_tick is not None:
                on_tick(time.monotonic() - start)
            continue
        seen.append(line)
        on_line(decode_output(line).rstrip("\r\n"))


def relay_lines(lines: queue.Queue[bytes | None], rule: Relay) -> list[bytes]:
    """Follow `rule` with the lines a thread puts on `lines` (None: stdout ended)."""
    wait = next(rule)
    while True:
        try:
            line = lines.get(timeout=wait)
        except queue.Empty:
            line = QUIET
        try:
            wait = rule.send(line)
        except StopIteration as done:
            return cast(list[bytes], done.value)


async def arelay_lines(lines: asyncio.Queue[bytes | None], rule: Relay) -> list[bytes]:
    """`relay_lines` on the event loop: the lines come through an `asyncio.Queue`."""
    wait = next(rule)
    while True:
        try:
            line = await asyncio.wait_for(lines.get(), wait)
        except TimeoutError:
            line = QUIET
        try:
            wait = rule.send(line)
        except StopIteration as done:
            return cast(list[bytes], done.value)


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
    with SLOTS.held(settings.okx_home, settings.max_processes):
        argv = [resolve_executable(settings.okx_cli), *args]
        child_env = child_environment(settings)
        start = time.monotonic()
        proc = _spawn(argv, child_env)
        out_stream, err_stream = cast(IO[bytes], proc.stdout), cast(IO[bytes], proc.stderr)
        lines: queue.Queue[bytes | None] = queue.Queue()
        stderr_chunks: list[bytes] = []
        readers = [
            threading.Thread(target=_pump_lines, args=(out_stream, lines), daemon=True),
            threading.Thread(target=lambda: stderr_chunks.append(err_stream.read()), daemon=True),
        ]
        for reader in readers:
            reader.start()
        try:
            seen = relay_lines(lines, relay(args, settings, on_line, on_tick, tick_seconds, start))
            try:  # stdout closed; the process still gets only what is left of its budget
                proc.wait(timeout=max(0.0, start + settings.timeout - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise timeout_error(args, settings.timeout) from None
        except BaseException:
            _stop_group(proc)
            raise
        finally:
            for reader in readers:
                reader.join(timeout=1)
        return finished(args, proc.returncode, b"".join(seen), b"".join(stderr_chunks), start)


async def arun_okx_streaming(
    args: Sequence[str],
    settings: OkxSettings,
    on_line: LineCallback,
    on_tick: TickCallback | None = None,
    tick_seconds: float = 1.0,
) -> CliResult:
    """Async twin of `run_okx_streaming`: the lines are read and handed over on the event loop.

    The callbacks run on the loop; a callback's exception, a cancelled task
    or the end of the budget stops the whole group, as in the sync runner.
    """
    async with SLOTS.aheld(settings.okx_home, settings.max_processes):
        start = time.monotonic()
        proc = await _aspawn(settings.okx_cli, args, child_environment(settings))
        stdout = cast(asyncio.StreamReader, proc.stdout)
        stderr = cast(asyncio.StreamReader, proc.stderr)
        lines: asyncio.Queue[bytes | None] = asyncio.Queue()
        pump = asyncio.ensure_future(_apump_lines(stdout, lines))
        errors = asyncio.ensure_future(stderr.read())
        rule = relay(args, settings, on_line, on_tick, tick_seconds, start)
        try:
            seen = await arelay_lines(lines, rule)
            remaining = max(0.0, start + settings.timeout - time.monotonic())
            try:  # stdout closed; the process still gets only what is left of its budget
                await asyncio.wait_for(proc.wait(), remaining)
            except TimeoutError:
                raise timeout_error(args, settings.timeout) from None
        except BaseException:
            await _astop_group(proc)
            raise
        finally:
            await asyncio.wait([pump, errors], timeout=1)
            pump.cancel()
            errors.cancel()
        err = errors.result() if errors.done() and not errors.cancelled() else b""
        assert proc.returncode is not None  # noqa: S101 - wait() returned
        return finished(args, proc.returncode, b"".join(seen), err, start)


def _pump_lines(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    for raw in stream:
        lines.put(raw)
    lines.put(None)


_CHUNK_BYTES = 65_536


async def _apump_lines(stream: asyncio.StreamReader, lines: asyncio.Queue[bytes | None]) -> None:
    """`_pump_lines` on the event loop: each line as it completes, however long, then None."""
    partial = b""
    while chunk := await stream.read(_CHUNK_BYTES):
        *complete, partial = (partial + chunk).split(b"\n")
        for line in complete:
            lines.put_nowait(line + b"\n")
    if partial:
        lines.put_nowait(partial)
    lines.put_nowait(None)
