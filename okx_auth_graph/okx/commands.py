"""Every okx command the auth procedure runs, as a typed call: the closed vocabulary.

A command is its arguments plus a parser; `execute` / `aexecute` run it and
return the parsed, redacted value or raise `OkxError` with a classified
failure. Nothing raw (stdout with secrets) leaves this module.

The builders below are the only argv the procedure ever runs; a caller's
argv (a `recover` request's failed command) is data that `auth_command_named`
reads to pick one of them, never something to run. And a login needs more
than its builder: `auth_login_manual` takes a `LoginClearance`, the pre-login
gate's decision for that site, and `admit` (on the way to every process)
refuses an `auth login` that does not carry one for the exact `--site` it
passes, so no path can forget the gate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, Literal, TypeVar, get_args

from typing_extensions import TypedDict

from okx_auth_graph.okx.config_file import config_path
from okx_auth_graph.okx.errors import FailedCall, OkxError, OkxFailure, classify
from okx_auth_graph.okx.framing import MalformedOutput, clean
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
from okx_auth_graph.okx.redact import config_secrets, redact_text
from okx_auth_graph.okx.runner import (
    INSTALL_TIMEOUT_SECONDS,
    AsyncCliRunner,
    CliResult,
    CliRunner,
    OkxSettings,
    api_key_given,
    arun_okx,
    run_okx,
)
from okx_auth_graph.okx.version import parse_version

T = TypeVar("T")


class CommandOutput(TypedDict):
    """The redacted text a command printed, for commands without JSON output."""

    message: str
    """What the CLI said, redacted and whitespace-normalized."""


@dataclass(frozen=True)
class LoginClearance:
    """The pre-login gate's decision that `okx auth login` may run now, on `site`.

    Only `okx_auth_graph.gate.login_clearance` makes one (a test holds the
    package to that), from the conversation at the moment of the login; it
    is never stored, so every login asks the gate afresh.
    """

    site: Site
    """The site the user chose after the latest menu: the one `--site` may name."""


class GateViolation(RuntimeError):
    """An `auth login` reached the process boundary without the gate's decision for its site.

    Not a CLI failure to report to the user: a path that forgot the gate is a
    bug, so the run stops here instead of starting the login.
    """


@dataclass(frozen=True)
class OkxCommand(Generic[T]):
    """An okx invocation and how to read its answer."""

    args: tuple[str, ...]
    """Arguments after the executable."""
    parse: Callable[[str], T]
    """Turns stdout into a value, raising MalformedOutput when it cannot."""
    timeout: float | None = None
    """Overrides the settings' timeout (long downloads)."""
    clearance: LoginClearance | None = None
    """For `auth login` only: the gate's decision it runs under."""


AuthCommandName = Literal["status", "login", "logout", "install", "install-status", "remove"]
"""The `okx auth` subcommands the skill names."""
_AUTH_COMMANDS: dict[str, AuthCommandName] = {name: name for name in get_args(AuthCommandName)}


def auth_command_named(argv: Sequence[str]) -> AuthCommandName | None:
    """Which `okx auth` subcommand an argv spells, whatever options surround it; else None.

    Options are skipped wherever they stand (`--json auth login`, `auth --json
    login`, `--profile demo auth login`), so no spelling of a login passes for
    something else. It only ever names a command of the vocabulary above;
    the caller runs that command's own builder, never the argv.
    """
    words = [arg.strip().lower() for arg in argv if not arg.lstrip().startswith("-")]
    if "auth" not in words:
        return None
    after = words[words.index("auth") + 1:]
    return next((_AUTH_COMMANDS[word] for word in after if word in _AUTH_COMMANDS), None)


def _site_passed(args: Sequence[str]) -> str | None:
    """The value of `--site` in an argv (either spelling), if any."""
    for index, arg in enumerate(args):
        if arg == "--site" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--site="):
            return arg.partition("=")[2]
    return None


def admit(args: Sequence[str], clearance: LoginClearance | None) -> None:
    """Refuse an `auth login` that lacks the gate's decision for the exact site it passes."""
    if auth_command_named(args) != "login":
        return
    if clearance is None or _site_passed(args) != clearance.site:
        raise GateViolation(
            "refusing to start `okx auth login` without the pre-login gate's decision for "
            f"--site {_site_passed(args)!r}"
        )


def _text(stdout: str) -> CommandOutput:
    return {"message": redact_text(" ".join(stdout.split()))}


def config_show(settings: OkxSettings) -> OkxCommand[ConfigView]:
    """`okx config show --json`, redacted on parse; notes the `OKX_API_KEY` the CLI gets too.

    The key is the one a CLI started with `settings` receives (`api_key_given`:
    none on a server that authenticates, whatever the server's environment
    holds), read as the output is parsed.
    """
    return OkxCommand(
        ("config", "show", "--json"),
        lambda out: parse_config_show(out, api_key_given(settings)),
    )


def _version_text(stdout: str) -> str:
    """The version `okx --version` printed, once it reads as one (else MalformedOutput)."""
    text = clean(stdout).strip()
    if parse_version(text) is None:
        raise MalformedOutput("--version", len(stdout.encode()))
    return text


def cli_version() -> OkxCommand[str]:
    """`okx --version`: the CLI's version, for the shared preflight's drift check."""
    return OkxCommand(("--version",), _version_text)


def auth_status() -> OkxCommand[AuthStatus]:
    """`okx auth status --json`."""
    return OkxCommand(("auth", "status", "--json"), parse_auth_status)


def auth_login_manual(clearance: LoginClearance) -> OkxCommand[DeviceCode | LoginSkipped]:
    """`okx auth login --manual --site <site>`, on the site the gate cleared (one of the ids)."""
    return OkxCommand(("auth", "login", "--manual", "--site", checked_site(clearance.site)),
                      parse_login_manual, clearance=clearance)


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


def home_secrets(settings: OkxSettings) -> tuple[str, ...]:
    """The credentials the CLI's config holds in the HOME it ran in: its text may echo them.

    Read when a call failed (and by the middleware, for every okx tool's
    output), used to mask those words, and dropped.
    """
    return tuple(config_secrets(config_path(settings)))


def failure_of(result: CliResult, settings: OkxSettings) -> OkxFailure:
    """Classify a finished process that failed.

    What it printed is masked of the credentials in its HOME's config too.
    """
    return classify(FailedCall(
        result.command, result.returncode, result.stdout, result.stderr, home_secrets(settings)
    ))


def interpret(command: OkxCommand[T], result: CliResult, settings: OkxSettings) -> T:
    """Turn a finished process into the command's value, or raise a classified error."""
    if result.returncode != 0:
        raise OkxError(failure_of(result, settings))
    try:
        return command.parse(result.stdout)
    except MalformedOutput as exc:
        failure = failure_of(replace(result, stdout=""), settings)  # its stderr may say why
        if failure["kind"] == "unknown":
            failure = OkxFailure(kind="malformed_output", detail=str(exc),
                                 command=list(result.command))
        raise OkxError(failure) from None


def execute(command: OkxCommand[T], settings: OkxSettings, runner: CliRunner = run_okx) -> T:
    """Run a command and return its parsed value.

    `runner` is the process boundary; benchmarks swap in an in-process one to
    measure the graph alone. A login is admitted only with its clearance.
    """
    admit(command.args, command.clearance)
    return interpret(command, runner(command.args, _settings_for(command, settings)), settings)


async def aexecute(
    command: OkxCommand[T], settings: OkxSettings, runner: AsyncCliRunner = arun_okx
) -> T:
    """Async twin of `execute`: the same admission and reading, the process awaited."""
    admit(command.args, command.clearance)
    return interpret(
        command, await runner(command.args, _settings_for(command, settings)), settings
    )
