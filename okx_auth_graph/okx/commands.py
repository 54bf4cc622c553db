"""Every okx command the auth procedure runs, as a typed call.

A command is its arguments plus a parser; `execute` / `aexecute` run it and
return the parsed, redacted value or raise `OkxError` with a classified
failure. Nothing raw (stdout with secrets) leaves this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from typing_extensions import TypedDict

from okx_auth_graph.okx.errors import FailedCall, OkxError, OkxFailure, classify
from okx_auth_graph.okx.framing import MalformedOutput
from okx_auth_graph.okx.models import (
    AuthStatus,
    ConfigView,
    DeviceCode,
    InstallResult,
    InstallStatus,
    LoginSkipped,
    Site,
    checked_site,
    parse_auth_status,
    parse_config_show,
    parse_install,
    parse_install_status,
    parse_login_manual,
)
from okx_auth_graph.okx.redact import redact_text
from okx_auth_graph.okx.runner import (
    INSTALL_TIMEOUT_SECONDS,
    CliResult,
    CliRunner,
    OkxSettings,
    arun_okx,
    run_okx,
)

T = TypeVar("T")


class CommandOutput(TypedDict):
    """The redacted text a command printed, for commands without JSON output."""

    message: str
    """What the CLI said, redacted and whitespace-normalized."""


@dataclass(frozen=True)
class OkxCommand(Generic[T]):
    """An okx invocation and how to read its answer."""

    args: tuple[str, ...]
    """Arguments after the executable."""
    parse: Callable[[str], T]
    """Turns stdout into a value, raising MalformedOutput when it cannot."""
    timeout: float | None = None
    """Overrides the settings' timeout (long downloads)."""


def _text(stdout: str) -> CommandOutput:
    return {"message": redact_text(" ".join(stdout.split()))}


def config_show() -> OkxCommand[ConfigView]:
    """`okx config show --json`, redacted on parse; notes `OKX_API_KEY` too."""
    return OkxCommand(
        ("config", "show", "--json"),
        lambda out: parse_config_show(out, os.environ.get("OKX_API_KEY") or None),
    )


def auth_status() -> OkxCommand[AuthStatus]:
    """`okx auth status --json`."""
    return OkxCommand(("auth", "status", "--json"), parse_auth_status)


def auth_login_manual(site: Site) -> OkxCommand[DeviceCode | LoginSkipped]:
    """`okx auth login --manual --site <site>`; the site can only be one of the three ids."""
    return OkxCommand(("auth", "login", "--manual", "--site", checked_site(site)),
                      parse_login_manual)


def auth_logout() -> OkxCommand[CommandOutput]:
    """`okx auth logout` (the client registration is kept by the CLI)."""
    return OkxCommand(("auth", "logout"), _text)


def auth_install() -> OkxCommand[InstallResult]:
    """`okx auth install --json`, with the long download budget."""
    return OkxCommand(("auth", "install", "--json"), parse_install, INSTALL_TIMEOUT_SECONDS)


def auth_install_status() -> OkxCommand[InstallStatus]:
    """`okx auth install-status --json`."""
    return OkxCommand(("auth", "install-status", "--json"), parse_install_status)


def auth_remove(*, force: bool) -> OkxCommand[CommandOutput]:
    """`okx auth remove [--force]`; without force the CLI's prompt reads EOF and declines."""
    return OkxCommand(("auth", "remove", *(("--force",) if force else ())), _text)


def config_use(profile: str) -> OkxCommand[CommandOutput]:
    """`okx config use <profile>`: make another profile the default."""
    return OkxCommand(("config", "use", profile), _text)


def _settings_for(command: OkxCommand[T], settings: OkxSettings) -> OkxSettings:
    if command.timeout is None or command.timeout <= settings.timeout:
        return settings
    return replace(settings, timeout=command.timeout)


def failure_of(result: CliResult) -> OkxFailure:
    """Classify a finished process that exited non-zero."""
    return classify(FailedCall(result.command, result.returncode, result.stdout, result.stderr))


def interpret(command: OkxCommand[T], result: CliResult) -> T:
    """Turn a finished process into the command's value, or raise a classified error."""
    if result.returncode != 0:
        raise OkxError(failure_of(result))
    try:
        return command.parse(result.stdout)
    except MalformedOutput as exc:
        failure = classify(FailedCall(result.command, result.returncode, "", result.stderr))
        if failure["kind"] == "unknown":
            failure = OkxFailure(kind="malformed_output", detail=str(exc),
                                 command=list(result.command))
        raise OkxError(failure) from None


def execute(command: OkxCommand[T], settings: OkxSettings, runner: CliRunner = run_okx) -> T:
    """Run a command and return its parsed value.

    `runner` is the process boundary; benchmarks swap in an in-process one to
    measure the graph alone.
    """
    return interpret(command, runner(command.args, _settings_for(command, settings)))


async def aexecute(command: OkxCommand[T], settings: OkxSettings) -> T:
    """Async twin of `execute`."""
    return interpret(command, await arun_okx(command.args, _settings_for(command, settings)))
