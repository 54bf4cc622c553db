"""`okx-sim`: argument parsing, fault injection, call logging and dispatch.

The real CLI's argv shapes and output texts are a contract the graph parses,
so parsing here is a small explicit table rather than argparse: argparse
would answer a wrong command with its own usage text and exit status 2,
where the real CLI says `Unknown command: <words>` and exits 1.
"""

from __future__ import annotations

import io
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType

from okx_sim.auth import auth_login, auth_logout, auth_status
from okx_sim.binary import auth_install, auth_install_status, auth_remove
from okx_sim.calllog import CallLog
from okx_sim.config import ConfigError
from okx_sim.config_commands import config_init, config_show, config_use
from okx_sim.context import CommandContext, CommandError, Console
from okx_sim.controls import (
    browser_approve,
    browser_deny,
    clock_advance,
    session_expire,
)
from okx_sim.faults import Fault, FaultError, active_fault, canned_output
from okx_sim.framing import error_lines, json_is_compact, update_notice
from okx_sim.paths import SimPaths
from okx_sim.rest import account_balance, market_ticker

CLI_VERSION = "1.3.1-sim"
"""The version the simulator says it is by default: a pre-release (`-sim`), which the graph's
drift check skips, so a default conversation posts no drift warning."""
VERSION_ENV = "OKX_SIM_VERSION"
"""Names the version the simulator says it is instead (`okx --version`, the `Version:` line of
an error, the update notice), so a test can play a CLI ahead of or behind a skill."""
OLD_CLI_VERSION = "1.2.4"
"""The last CLI without `auth`, which the `old_cli` fault imitates."""

_NUMBER = re.compile(r"-\d+(\.\d+)?")
"""A negative number is a word (`clock advance -10`), not a flag."""
_HANG_NAP_SECONDS = 3600.0
"""A `hang` call sleeps in naps of this length, forever, until it is killed."""


@dataclass(frozen=True)
class CommandSpec:
    """One command: its words, handler and the arguments it accepts."""

    words: tuple[str, ...]
    handler: Callable[[CommandContext], None]
    usage: str
    options: frozenset[str] = frozenset()
    switches: frozenset[str] = frozenset()
    required: int = 0
    optional: int = 0


COMMANDS = (
    CommandSpec(("config", "show"), config_show, "config show [--json]"),
    CommandSpec(
        ("config", "init"),
        config_init,
        "config init [--site S --api-key K --secret-key SK --passphrase P "
        "[--demo|--live] [--profile NAME]]",
        options=frozenset({"--site", "--api-key", "--secret-key", "--passphrase", "--profile"}),
        switches=frozenset({"--demo", "--live"}),
    ),
    CommandSpec(("config", "use"), config_use, "config use <profile>", required=1),
    CommandSpec(("auth", "status"), auth_status, "auth status [--json]"),
    CommandSpec(
        ("auth", "login"),
        auth_login,
        "auth login [--manual] [--site global|eea|us]",
        options=frozenset({"--site"}),
        switches=frozenset({"--manual"}),
    ),
    CommandSpec(("auth", "logout"), auth_logout, "auth logout"),
    CommandSpec(("auth", "install"), auth_install, "auth install [--json]"),
    CommandSpec(("auth", "install-status"), auth_install_status, "auth install-status [--json]"),
    CommandSpec(
        ("auth", "remove"), auth_remove, "auth remove [--force]", switches=frozenset({"--force"})
    ),
    CommandSpec(("account", "balance"), account_balance, "account balance [--json]"),
    CommandSpec(("market", "ticker"), market_ticker, "market ticker <INST> [--json]", required=1),
    CommandSpec(
        ("browser", "approve"),
        browser_approve,
        "browser approve [CODE] [--scopes a,b]   (simulator only)",
        options=frozenset({"--scopes"}),
        optional=1,
    ),
    CommandSpec(
        ("browser", "deny"), browser_deny, "browser deny [CODE]   (simulator only)", optional=1
    ),
    CommandSpec(
        ("clock", "advance"), clock_advance, "clock advance SECONDS   (simulator only)", required=1
    ),
    CommandSpec(("session", "expire"), session_expire, "session expire   (simulator only)"),
)
GLOBAL_SWITCHES = frozenset({"--json"})
"""Accepted by every command, as the real CLI's global output flag is."""
_VALUE_OPTIONS = frozenset().union(*(spec.options for spec in COMMANDS))


@dataclass(frozen=True)
class SplitArgv:
    """argv sorted into words (command and positionals) and flags."""

    words: list[str]
    flags: list[tuple[str, str | None]]
    """(name, value) in order; value is None for switches and for a missing value."""


def split_argv(argv: Sequence[str]) -> SplitArgv:
    """Separate words from flags, knowing which flags take a value.

    Never fails: problems (a missing value, an unknown flag) are reported by
    `dispatch` once the command is known, so faults still see the words.
    """
    words: list[str] = []
    flags: list[tuple[str, str | None]] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if not arg.startswith("-") or arg == "-" or _NUMBER.fullmatch(arg):
            words.append(arg)
        elif arg.startswith("--") and "=" in arg:
            name, _, value = arg.partition("=")
            flags.append((name, value))
        elif arg in _VALUE_OPTIONS:
            index += 1
            flags.append((arg, argv[index] if index < len(argv) else None))
        else:
            flags.append((arg, None))
        index += 1
    return SplitArgv(words, flags)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one simulated `okx` invocation and return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    _exit_cleanly_on_sigterm()
    try:
        return invoke(args, os.environ, Console())
    except BrokenPipeError:
        # The reader went away (e.g. it stopped reading `huge` output); say
        # nothing more, and keep Python from complaining while it exits.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def invoke(
    args: Sequence[str],
    environ: Mapping[str, str],
    streams: Console,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """One invocation: `environ` is its whole environment, `streams` its stdin/stdout/stderr.

    `main` passes the process's own; `okx_sim.inprocess` passes the environment
    a CLI process would have been given and in-memory streams, so the same code
    answers in a test's process without reading that process's HOME or
    variables. Every wait goes through `sleep`, which lets an in-process caller
    stop a waiting call as a subprocess caller would kill it. The call log's
    line is written on the way out, whatever happens.
    """
    args = list(args)
    paths = SimPaths.from_environ(environ)
    call_log = CallLog.from_environ(environ, args, str(paths.home), time.time())
    try:
        return _run(args, paths, call_log, environ, streams, sleep)
    except KeyboardInterrupt:
        return 130
    finally:
        call_log.write(end=time.time())


def _run(
    args: list[str],
    paths: SimPaths,
    call_log: CallLog,
    environ: Mapping[str, str],
    streams: Console,
    sleep: Callable[[float], None],
) -> int:
    """Print the update notice when due, then apply the active fault around the dispatch."""
    notice = update_notice(paths.okx_dir, simulated_version(environ))
    if notice is not None:
        streams.stderr.write(notice)
        streams.stderr.flush()
    split = split_argv(args)
    try:
        fault = active_fault(environ, split.words or [name for name, _ in split.flags])
    except FaultError as error:
        print(error, file=streams.stderr)
        return 2
    if fault is not None:
        early_exit = _apply_fault_before_running(fault, split, call_log, streams, sleep)
        if early_exit is not None:
            return early_exit
    compact = json_is_compact(environ)
    if fault is not None and fault.kind == "truncated":
        captured = io.StringIO()
        console = Console(captured, streams.stderr, streams.stdin, compact_json=compact)
        dispatch(split, paths, console, fault, environ=environ, sleep=sleep)
        text = captured.getvalue()
        streams.stdout.write(text[: len(text) // 2])
        streams.stdout.flush()
        return 0
    console = Console(streams.stdout, streams.stderr, streams.stdin, compact_json=compact)
    return dispatch(split, paths, console, fault, environ=environ, sleep=sleep)


def _apply_fault_before_running(
    fault: Fault,
    split: SplitArgv,
    call_log: CallLog,
    streams: Console,
    sleep: Callable[[float], None],
) -> int | None:
    """Handle the faults that act before (or instead of) the command.

    Returns an exit status when the fault replaces the command, else None.
    """
    if fault.kind == "hang":
        call_log.write(end=None)
        while True:
            sleep(_HANG_NAP_SECONDS)
    if fault.kind == "slow":
        sleep(fault.delay_seconds)
    canned = canned_output(fault)
    if canned is not None:
        streams.stdout.buffer.write(canned.stdout)
        streams.stdout.buffer.flush()
        streams.stderr.buffer.write(canned.stderr)
        streams.stderr.buffer.flush()
        return canned.exit_code
    if fault.kind == "old_cli":
        if split.words[:1] == ["auth"]:
            print(f"Unknown command: {' '.join(split.words[:2])}", file=streams.stderr)
            return 1
        if not split.words and ("--version", None) in split.flags:
            print(OLD_CLI_VERSION, file=streams.stdout)
            return 0
    return None


def dispatch(
    split: SplitArgv,
    paths: SimPaths,
    console: Console,
    fault: Fault | None,
    *,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Find the command, check its arguments and run it; return the exit status.

    `environ` is the invocation's environment (None: this process's).
    """
    environ = os.environ if environ is None else environ
    version = simulated_version(environ)
    flag_names = [name for name, _ in split.flags]
    if not split.words:
        if "--version" in flag_names:
            console.out(version)
            return 0
        if not flag_names or {"--help", "-h"} & set(flag_names):
            console.out(_help_text(version))
            return 0
    spec = _find_command(split.words)
    if spec is None:
        console.err(f"Unknown command: {' '.join(split.words)}")
        return 1
    try:
        context = _build_context(spec, split, paths, console, fault, environ, sleep)
        spec.handler(context)
    except CommandError as error:
        console.err(error_lines(str(error), error.hint, version))
        return 1
    except ConfigError as error:
        console.err(error_lines(str(error), None, version))
        return 1
    return 0


def simulated_version(environ: Mapping[str, str]) -> str:
    """The version this invocation says it is: `$OKX_SIM_VERSION`, else `CLI_VERSION`."""
    return environ.get(VERSION_ENV) or CLI_VERSION


def _find_command(words: list[str]) -> CommandSpec | None:
    """The command whose words start the invocation's words."""
    for spec in COMMANDS:
        if tuple(words[: len(spec.words)]) == spec.words:
            return spec
    return None


def _build_context(
    spec: CommandSpec,
    split: SplitArgv,
    paths: SimPaths,
    console: Console,
    fault: Fault | None,
    environ: Mapping[str, str],
    sleep: Callable[[float], None],
) -> CommandContext:
    """Check the flags and positionals against the spec and bundle them."""
    options: dict[str, str] = {}
    switches: set[str] = set()
    for name, value in split.flags:
        if name in spec.options:
            if value is None:
                raise CommandError(f"Option {name} needs a value. Usage: okx {spec.usage}")
            options[name] = value
        elif name in spec.switches | GLOBAL_SWITCHES and value is None:
            switches.add(name)
        else:
            raise CommandError(f"Unknown option: {name}. Usage: okx {spec.usage}")
    positionals = split.words[len(spec.words) :]
    if not spec.required <= len(positionals) <= spec.required + spec.optional:
        raise CommandError(f"Usage: okx {spec.usage}")
    return CommandContext(
        paths=paths,
        environ=environ,
        console=console,
        positionals=positionals,
        options=options,
        switches=frozenset(switches),
        fault=fault,
        sleep=sleep,
    )


def _help_text(version: str) -> str:
    """A usage summary listing every command, and the variable that sets the version."""
    lines = [f"okx-sim {version}: an offline stand-in for the okx CLI", "", "Commands:"]
    lines.extend(f"  okx {spec.usage}" for spec in COMMANDS)
    lines.append(f"  okx --version   (prints ${VERSION_ENV} when set, else {CLI_VERSION})")
    return "\n".join(lines)


def _exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so the call log still gets its line.

    Only the main thread may install handlers; `main` called from another
    thread (in-process use) keeps the host's handler.
    """

    def raise_system_exit(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, raise_system_exit)
