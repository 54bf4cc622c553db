"""Commands: their argv, how a finished process is interpreted, and `execute`'s seam."""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from okx_auth_graph.okx import (
    ENV_KEY_PROFILE,
    CliResult,
    ErrorKind,
    GateViolation,
    LoginClearance,
    OkxCommand,
    OkxError,
    OkxSettings,
    Site,
    aexecute,
    api_key_profile,
    auth_command_named,
    auth_install,
    auth_install_status,
    auth_login_manual,
    auth_logout,
    auth_remove,
    auth_status,
    cli_version,
    config_show,
    config_use,
    execute,
    find_profile,
)
from okx_auth_graph.okx.commands import interpret
from okx_auth_graph.okx.errors import RELOGIN_KINDS
from okx_auth_graph.okx.interactive import InteractiveLogin, blocking_login
from okx_auth_graph.okx.redact import config_secrets
from okx_auth_graph.okx.runner import DEFAULT_TIMEOUT_SECONDS, INSTALL_TIMEOUT_SECONDS
from tests.support import keyed_config
from tests.views import profile, status

from .helpers import (
    NO_CONFIG,
    PLANTED_API_KEY,
    PLANTED_PASSPHRASE,
    PLANTED_SECRET_KEY,
    PLANTED_SECRETS,
)
from .test_models import CONFIG_JSON, STATUS_JSON


def _result(
    command: OkxCommand[Any], returncode: int = 0, stdout: str = "", stderr: str = ""
) -> CliResult:
    return CliResult(command.args, returncode, stdout, stderr, 0.01)


@dataclass
class FakeRunner:
    """An in-process runner (the supported seam): canned output, recorded calls."""

    stdout: str = ""
    stderr: str = ""
    returncode: int = 0
    calls: list[tuple[tuple[str, ...], OkxSettings]] = field(default_factory=list)

    def __call__(self, args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        self.calls.append((tuple(args), settings))
        return CliResult(tuple(args), self.returncode, self.stdout, self.stderr, 0.001)


# ---------------------------------------------------------------- argv


@pytest.mark.parametrize(
    ("command", "args"),
    [
        (config_show(OkxSettings()), ("config", "show", "--json")),
        (auth_status(), ("auth", "status", "--json")),
        *[(auth_login_manual(LoginClearance(site)), ("auth", "login", "--manual", "--site", site))
          for site in ("global", "eea", "us")],
        (auth_logout(), ("auth", "logout")),
        (auth_install(), ("auth", "install", "--json")),
        (auth_install_status(), ("auth", "install-status", "--json")),
        (auth_remove(force=True), ("auth", "remove", "--force")),
        (auth_remove(force=False), ("auth", "remove")),
        (config_use("demo"), ("config", "use", "demo")),
        (cli_version(), ("--version",)),
    ],
)
def test_command_arguments(command: OkxCommand[Any], args: tuple[str, ...]) -> None:
    assert command.args == args


def test_login_site_must_be_a_site() -> None:
    with pytest.raises(ValueError, match="mars"):
        auth_login_manual(LoginClearance(cast(Site, "mars")))
    assert auth_login_manual(LoginClearance("eea")).args[-1] == "eea"


def test_only_install_has_a_longer_budget() -> None:
    assert auth_install().timeout == INSTALL_TIMEOUT_SECONDS
    assert INSTALL_TIMEOUT_SECONDS > DEFAULT_TIMEOUT_SECONDS
    login = auth_login_manual(LoginClearance("us"))
    for command in (
        config_show(OkxSettings()), auth_status(), login, auth_logout(), cli_version(),
    ):
        assert command.timeout is None


# ---------------------------------------------------------------- the closed vocabulary

LOGIN_SPELLINGS = [
    ["auth", "login", "--manual", "--site", "us"],
    ["--json", "auth", "login", "--site", "us"],
    ["auth", "--json", "login", "--site", "us"],
    ["--profile", "demo", "auth", "login", "--site", "us"],
    ["auth", "--profile", "demo", "login"],
    ["AUTH", "LOGIN"],
    [" auth ", "login"],
    ["auth", "login", "--site=us"],
]


@pytest.mark.parametrize("argv", LOGIN_SPELLINGS)
def test_every_spelling_of_a_login_is_named_a_login(argv: list[str]) -> None:
    assert auth_command_named(argv) == "login"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["auth", "status", "--json"], "status"),
        (["--json", "auth", "status"], "status"),
        (["auth", "logout"], "logout"),
        (["--profile", "p", "auth", "logout"], "logout"),
        (["auth", "install", "--json"], "install"),
        (["auth", "install-status"], "install-status"),
        (["auth", "remove", "--force"], "remove"),
        (["config", "init", "--api-key", "k"], None),
        (["spot", "place", "--instId", "BTC-USDT", "--side", "buy"], None),
        (["account", "transfer", "--amt", "1"], None),
        (["account", "balance"], None),
        (["login"], None),
        (["auth"], None),
        (["auth", "whoami"], None),
        ([], None),
    ],
)
def test_an_argv_only_names_a_command_of_the_vocabulary(
    argv: list[str], named: str | None
) -> None:
    assert auth_command_named(argv) == named


@pytest.mark.parametrize("argv", LOGIN_SPELLINGS)
def test_the_boundary_refuses_a_login_without_the_gates_decision(argv: list[str]) -> None:
    runner = FakeRunner(stdout="{}")
    with pytest.raises(GateViolation):
        execute(OkxCommand(tuple(argv), str), OkxSettings(), runner)
    assert runner.calls == []


def test_the_boundary_refuses_a_clearance_for_another_site() -> None:
    runner = FakeRunner(stdout="{}")
    forged = OkxCommand(("auth", "login", "--manual", "--site", "us"), str,
                        clearance=LoginClearance("eea"))
    with pytest.raises(GateViolation, match="'us'"):
        execute(forged, OkxSettings(), runner)
    assert runner.calls == []


def test_the_blocking_login_needs_the_clearance_too() -> None:
    started: list[tuple[str, ...]] = []

    def streaming(args: Sequence[str], *_: object) -> CliResult:
        started.append(tuple(args))
        return CliResult(tuple(args), 0, "Logged in successfully!\n", "", 0.01)

    done = blocking_login(LoginClearance("eea"), OkxSettings(), lambda _: None).run(streaming)
    assert done.outcome == "logged_in"
    assert started == [("auth", "login", "--site", "eea")]


async def test_the_blocking_login_reads_the_same_on_the_async_runner() -> None:
    started: list[tuple[str, ...]] = []

    async def streaming(args: Sequence[str], *_: object) -> CliResult:
        started.append(tuple(args))
        return CliResult(tuple(args), 0, "API key already configured (profile: main)\n", "", 0.01)

    done = await blocking_login(LoginClearance("us"), OkxSettings(), lambda _: None).arun(streaming)
    assert done == InteractiveLogin("api_key_configured", "main")
    assert started == [("auth", "login", "--site", "us")]


async def test_aexecute_admits_runs_and_reads_like_execute() -> None:
    seen: list[tuple[str, ...]] = []

    async def runner(args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        seen.append(tuple(args))
        return CliResult(tuple(args), 0, STATUS_JSON, "", 0.01)

    value = await aexecute(auth_status(), OkxSettings(), runner)
    assert value == execute(auth_status(), OkxSettings(), FakeRunner(stdout=STATUS_JSON))
    with pytest.raises(GateViolation):
        await aexecute(OkxCommand(("auth", "login", "--site", "us"), str), OkxSettings(), runner)
    assert seen == [("auth", "status", "--json")]


def test_only_the_gate_makes_a_clearance_and_only_builders_spell_a_login() -> None:
    package = Path(__file__).resolve().parents[2] / "okx_auth_graph"
    makers, spellers = set(), set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "LoginClearance":
                makers.add(path.relative_to(package).as_posix())
            if isinstance(node, ast.Tuple | ast.List) and {"auth", "login"} <= {
                e.value for e in node.elts if isinstance(e, ast.Constant)
            }:
                spellers.add(path.relative_to(package).as_posix())
    assert makers == {"gate.py"}
    assert spellers == {"okx/commands.py", "okx/interactive.py"}


# ---------------------------------------------------------------- interpret


@pytest.mark.parametrize(
    ("stderr", "kind"),
    [
        ("Session expired — run okx auth login again\n", "session_expired"),
        (
            "Error: Failed to spawn okx-auth: spawn /h/.okx/bin/okx-auth ENOENT",
            "spawn_failed",
        ),
        ("Unknown command: auth status", "cli_too_old"),
        ("segfault in the matrix", "unknown"),
    ],
)
def test_nonzero_exit_is_classified(stderr: str, kind: ErrorKind) -> None:
    command = auth_status()
    with pytest.raises(OkxError) as caught:
        interpret(command, _result(command, 1, stdout=STATUS_JSON, stderr=stderr), NO_CONFIG)
    assert caught.value.kind == kind
    assert caught.value.failure["command"] == ["auth", "status", "--json"]


def test_nonzero_exit_even_with_valid_json() -> None:
    command = auth_status()
    with pytest.raises(OkxError) as caught:
        interpret(command, _result(command, 2, stdout='{"status": "logged_in"}'), NO_CONFIG)
    assert caught.value.kind == "unknown"


def test_error_on_stdout_only_is_classified() -> None:
    command = auth_status()
    with pytest.raises(OkxError) as caught:
        interpret(
            command,
            _result(command, 1, stdout="Error: Not authenticated. Run okx auth login first.\n"),
            NO_CONFIG,
        )
    assert caught.value.kind == "not_authenticated"
    assert caught.value.kind in RELOGIN_KINDS


@pytest.mark.parametrize("stdout", ["%%% not json <<<", "", '{"status": "nope"}', "[]"])
def test_clean_exit_with_garbage_is_malformed(stdout: str) -> None:
    command = auth_status()
    with pytest.raises(OkxError) as caught:
        interpret(command, _result(command, 0, stdout=stdout), NO_CONFIG)
    assert caught.value.kind == "malformed_output"
    assert caught.value.failure["command"] == list(command.args)
    assert "auth status --json" in caught.value.failure["detail"]
    if stdout:
        assert stdout not in str(caught.value)


@pytest.mark.parametrize(
    ("stderr", "kind"),
    [
        ("Error: Failed to spawn okx-auth: spawn /x/okx-auth ENOENT", "spawn_failed"),
        ("Network error during login", "network_error"),
    ],
)
def test_clean_exit_with_garbage_and_known_stderr(stderr: str, kind: ErrorKind) -> None:
    command = auth_status()
    with pytest.raises(OkxError) as caught:
        interpret(command, _result(command, 0, stdout="%%% garbage", stderr=stderr), NO_CONFIG)
    assert caught.value.kind == kind
    assert "garbage" not in caught.value.failure["detail"]


def test_clean_exit_with_garbage_and_unknown_stderr_is_malformed() -> None:
    command = auth_status()
    with pytest.raises(OkxError) as caught:
        interpret(
            command, _result(command, 0, stdout="%%%", stderr="(node) DeprecationWarning"),
            NO_CONFIG,
        )
    assert caught.value.kind == "malformed_output"


def test_clean_exit_with_valid_output_ignores_stderr_noise() -> None:
    command = auth_status()
    value = interpret(
        command, _result(command, 0, stdout=STATUS_JSON, stderr="Invalid Sign"), NO_CONFIG
    )
    assert value["status"] == "logged_in"


SECRET_DUMPS = [
    pytest.param(CONFIG_JSON, id="full"),
    pytest.param(CONFIG_JSON[:-3], id="truncated"),
    pytest.param(CONFIG_JSON.replace("\n", " "), id="one-line"),
    pytest.param("Error: could not sign request: " + CONFIG_JSON, id="error-and-dump"),
    pytest.param(CONFIG_JSON.replace('": "', '":"'), id="compact"),
]


def _assert_no_secret(error: OkxError) -> None:
    texts = [str(error), repr(error), error.failure["detail"], json.dumps(error.failure)]
    for text in texts:
        for secret in PLANTED_SECRETS:
            assert secret not in text


@pytest.mark.parametrize("stdout", SECRET_DUMPS)
def test_failed_exit_error_never_holds_stdout_secrets(stdout: str) -> None:
    command = config_show(OkxSettings())
    with pytest.raises(OkxError) as caught:
        interpret(command, _result(command, 1, stdout=stdout), NO_CONFIG)
    _assert_no_secret(caught.value)


@pytest.mark.parametrize(
    "stdout",
    [
        pytest.param(CONFIG_JSON[:-3], id="truncated"),
        pytest.param("Error: could not sign request: " + CONFIG_JSON, id="error-and-dump"),
        pytest.param(CONFIG_JSON.replace('"other": {', '"other": ["x"], "x": {'), id="bad-shape"),
    ],
)
def test_malformed_error_never_holds_stdout_secrets(stdout: str) -> None:
    command = config_show(OkxSettings())
    with pytest.raises(OkxError) as caught:
        interpret(command, _result(command, 0, stdout=stdout), NO_CONFIG)
    assert caught.value.kind == "malformed_output"
    _assert_no_secret(caught.value)


# ---------------------------------------------------------------- execute with a runner


def test_execute_config_show_with_runner() -> None:
    runner = FakeRunner(stdout=CONFIG_JSON)
    settings = OkxSettings(okx_cli="/unused/okx", okx_home="/home/u1")
    view = execute(config_show(settings), settings, runner)
    assert api_key_profile(view) == "main"
    assert find_profile(view, "main") == profile(
        "main", site="eea", demo=True, api_key_masked="***" + PLANTED_API_KEY[-4:]
    )
    assert runner.calls == [(("config", "show", "--json"), settings)]
    for secret in (PLANTED_SECRET_KEY, PLANTED_PASSPHRASE, PLANTED_API_KEY):
        assert secret not in json.dumps(view)


def test_execute_config_show_notes_env_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKX_API_KEY", "ENV-API-KEY-abcd9999")
    view = execute(config_show(OkxSettings()), OkxSettings(), FakeRunner(stdout='{"profiles": {}}'))
    assert view["env_api_key_masked"] == "***9999"
    assert api_key_profile(view) == ENV_KEY_PROFILE


def test_execute_config_show_ignores_empty_env_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKX_API_KEY", "")
    view = execute(config_show(OkxSettings()), OkxSettings(), FakeRunner(stdout='{"profiles": {}}'))
    assert api_key_profile(view) is None


def test_execute_parses_every_command() -> None:
    settings = OkxSettings()
    assert execute(auth_status(), settings, FakeRunner(stdout=STATUS_JSON)) == status(
        "logged_in", "global", ["live:read", "live:trade"]
    )
    code = execute(
        auth_login_manual(LoginClearance("us")),
        settings,
        FakeRunner(
            stdout='{"verificationUri":"https://app.okx.com/d","userCode":"AB-12","expiresIn":600}'
        ),
    )
    assert code == {
        "verification_uri": "https://app.okx.com/d", "user_code": "AB-12", "expires_in": 600,
    }
    skipped = execute(
        auth_login_manual(LoginClearance("us")),
        settings,
        FakeRunner(stdout='{"status":"skipped","reason":"api_key_configured","profile":"main"}'),
    )
    assert skipped == {"status": "skipped", "reason": "api_key_configured", "profile": "main"}
    assert execute(
        auth_install_status(),
        settings,
        FakeRunner(stdout='{"installed": true, "upToDate": true}'),
    ) == {"installed": True, "version": None, "latest": None, "up_to_date": True}
    assert execute(
        auth_install(), settings, FakeRunner(stdout='{"status": "up_to_date"}')
    ) == {"status": "up_to_date", "version": None, "message": None}


def test_text_commands_are_redacted_and_normalized() -> None:
    out = execute(
        auth_logout(),
        OkxSettings(),
        FakeRunner(stdout="Logged out.\n  access_token=TOKENVALUE12345678 revoked\n"),
    )
    assert out == {"message": "Logged out. access_token=*** revoked"}
    removed = execute(auth_remove(force=True), OkxSettings(), FakeRunner(stdout="Removed.\n"))
    assert removed["message"] == "Removed."
    assert execute(config_use("demo"), OkxSettings(), FakeRunner())["message"] == ""


def test_execute_raises_classified_errors() -> None:
    runner = FakeRunner(returncode=1, stderr="Login failed: Access denied")
    with pytest.raises(OkxError) as caught:
        execute(auth_status(), OkxSettings(), runner)
    assert caught.value.kind == "access_denied"


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        (DEFAULT_TIMEOUT_SECONDS, INSTALL_TIMEOUT_SECONDS),
        (5.0, INSTALL_TIMEOUT_SECONDS),
        (600.0, 600.0),
    ],
)
def test_install_gets_the_longer_timeout(configured: float, expected: float) -> None:
    runner = FakeRunner(stdout="{}")
    settings = OkxSettings(okx_cli="okx-x", okx_home="/h", timeout=configured)
    execute(auth_install(), settings, runner)
    ((args, used),) = runner.calls
    assert args == ("auth", "install", "--json")
    assert used.timeout == expected
    assert (used.okx_cli, used.okx_home) == ("okx-x", "/h")


def test_other_commands_keep_the_configured_timeout() -> None:
    runner = FakeRunner(stdout=STATUS_JSON)
    settings = OkxSettings(timeout=2.5)
    execute(auth_status(), settings, runner)
    assert runner.calls[0][1] is settings


# ---------------------------------------------------------------- against a real process


@pytest.mark.integration
def test_execute_default_runner_runs_the_executable(tmp_path: Path) -> None:
    cli = tmp_path / "okx"
    cli.write_text(f"#!/bin/sh\ncat <<'EOF'\n{STATUS_JSON}\nEOF\n", encoding="utf-8")
    cli.chmod(0o755)
    answer = execute(auth_status(), OkxSettings(okx_cli=str(cli)))
    assert answer["scopes"] == ["live:read", "live:trade"]


@pytest.mark.integration
async def test_aexecute(tmp_path: Path) -> None:
    args_file = tmp_path / "argv.json"
    cli = tmp_path / "okx"
    cli.write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"open({str(args_file)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        "print(json.dumps({'verificationUri': 'https://my.okx.com/d', 'userCode': 'EE-77',"
        " 'expiresIn': 90}))\n",
        encoding="utf-8",
    )
    cli.chmod(0o755)
    login = auth_login_manual(LoginClearance("eea"))
    code = await aexecute(login, OkxSettings(okx_cli=str(cli)))
    assert "status" not in code
    assert code["user_code"] == "EE-77"
    assert json.loads(args_file.read_text()) == ["auth", "login", "--manual", "--site", "eea"]


@pytest.mark.integration
async def test_aexecute_classifies(tmp_path: Path) -> None:
    cli = tmp_path / "okx"
    cli.write_text("#!/bin/sh\necho 'Unknown command: auth status' >&2\nexit 1\n", encoding="utf-8")
    cli.chmod(0o755)
    with pytest.raises(OkxError) as caught:
        await aexecute(auth_status(), OkxSettings(okx_cli=str(cli)))
    assert caught.value.kind == "cli_too_old"


def test_a_failure_echoing_the_homes_keys_in_prose_shows_them_masked(tmp_path: Path) -> None:
    """The CLI may echo a config's keys in words no `name: value` pattern catches."""
    key, secret, passphrase = "AKEY-1234567890abcd", "SUPERSECRET999", "PASSPHRASE777"
    (tmp_path / ".okx").mkdir()
    (tmp_path / ".okx" / "config.toml").write_text(keyed_config(key, secret, passphrase))
    settings = OkxSettings(okx_home=str(tmp_path))
    command = auth_status()
    said = f"Error: bad key {key} {secret} ({passphrase})\n"
    details = []
    for result in (_result(command, 1, stderr=said), _result(command, 1, stdout=said)):
        with pytest.raises(OkxError) as caught:
            interpret(command, result, settings)
        details.append(caught.value.failure["detail"])
        for value in (key, secret, passphrase):
            assert value not in str(caught.value)
    # the same masks the environment's secrets get: a value alone keeps nothing of itself
    assert details == ["bad key *** *** (***)"] * 2


@pytest.mark.parametrize(
    "text", ["", "not = [toml", "profiles = 3", "[profiles.main]\napi_key = 5\n"],
    ids=["empty", "malformed", "no-table", "not-a-string"],
)
def test_a_config_without_readable_secrets_holds_none(tmp_path: Path, text: str) -> None:
    (tmp_path / "config.toml").write_text(text)
    assert config_secrets(tmp_path / "config.toml") == []
    assert config_secrets(tmp_path / "missing.toml") == []
