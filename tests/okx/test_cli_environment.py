"""What the okx CLI gets from the environment of the process running the graph: an allow-list.

A fake CLI (a shell script) records the environment it was started with into
its HOME, the one place a recording can go (a variable naming a file would be
dropped like any other). The parent's environment is planted with what a
multi-user server holds: its JWT secret, the folder of every user's HOME, a
database URL, model keys, Node options, and an operator's own OKX key. None
of the project's variables reaches the CLI; the OKX credentials do in a
library and do not on a server that authenticates, where `config show` then
claims no key from the environment either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.isolation import ServerSide, ensure_private_home, okx_settings
from okx_auth_graph.okx import (
    ENV_KEY_PROFILE,
    CliResult,
    OkxSettings,
    aexecute,
    api_key_profile,
    arun_okx,
    config_show,
    execute,
    run_okx,
    run_okx_streaming,
)
from okx_auth_graph.okx.runner import CLI_ENVIRONMENT, CREDENTIAL_ENV, child_environment
from okx_sim.auth import EXPIRES_IN_ENV
from okx_sim.calllog import LOG_ENV
from okx_sim.cli import VERSION_ENV
from okx_sim.faults import FAULT_ENV, FAULT_SCOPE_ENV
from okx_sim.framing import JSON_STYLE_ENV
from tests.expected import SEED_MENU
from tests.support import CallLog, Conversation, Simulator

ALLOWED = frozenset(name for names in CLI_ENVIRONMENT.values() for name in names)
"""Every name the runner may hand the CLI."""
SHELL_OWN = frozenset({"PWD"})
"""What `/bin/sh` adds to its own environment before the recording runs."""
RECORD_PREFIX = "cli-env."
"""The recordings in the CLI's HOME: one file per call (`cli-env.<pid>`)."""

NEVER = {
    "OKX_AUTH_JWT_SECRET": "jwt-secret-planted-0123456789abcdef",
    "OKX_AUTH_HOMES": "/srv/okx-homes-planted",
    "OKX_AUTH_POSTGRES_URL": "postgresql://okx:pw@db.internal/okx",
    "OKX_AUTH_MAX_TIMEOUT_SECONDS": "30",
    "OKX_CLI": "/opt/planted/okx",
    "OKX_TRADE_MCP": "/opt/planted/okx-trade-mcp",
    "OKX_DOH_BINARY_PATH": "/opt/planted/okx-pilot",
    "DATABASE_URL": "postgresql://app:pw@db.internal/app",
    "OPENAI_API_KEY": "sk-planted-openai-key-0001",
    "ANTHROPIC_API_KEY": "sk-ant-planted-0002",
    "LANGSMITH_API_KEY": "lsv2_planted_0003",
    "NODE_OPTIONS": "--require /tmp/planted-hook.js",
    "NODE_PATH": "/tmp/planted-node-modules",
    "NODE_TLS_REJECT_UNAUTHORIZED": "0",
    "PYTHONSTARTUP": "/tmp/planted-startup.py",
    "XDG_CONFIG_HOME": "/srv/operator/.config",
    "AWS_SECRET_ACCESS_KEY": "planted-aws-secret",
}
"""The server's own secrets and settings, and code-loading switches: never the CLI's."""

CREDENTIALS = {
    "OKX_API_KEY": "operator-api-key-planted-9876",
    "OKX_SECRET_KEY": "operator-secret-planted",
    "OKX_PASSPHRASE": "operator-passphrase-planted",
}
"""The operator's own OKX credentials: the user's in a library, nobody's on a server."""

PASSING = {
    "LANG": "zh_CN.UTF-8",
    "LC_MESSAGES": "C.UTF-8",
    "TZ": "Asia/Hong_Kong",
    "HTTPS_PROXY": "http://proxy.internal:3128",
    "https_proxy": "http://proxy.internal:3128",
    "HTTP_PROXY": "http://proxy.internal:3128",
    "NO_PROXY": "localhost,127.0.0.1",
    "SSL_CERT_FILE": "/etc/ssl/certs/planted-ca.pem",
    "NODE_EXTRA_CA_CERTS": "/etc/ssl/certs/planted-ca.pem",
    "OKX_SITE": "eea",
    "OKX_AUTH_BIN": "/opt/okx/bin/okx-auth",
}
"""What the CLI and the okx-auth binary need from the machine: passes everywhere."""


def plant(monkeypatch: pytest.MonkeyPatch, *groups: Mapping[str, str]) -> None:
    """Set every variable of `groups` in this process's environment."""
    for group in groups:
        for name, value in group.items():
            monkeypatch.setenv(name, value)


def recording_cli(folder: Path, then: str | None = None, stdout: str = "") -> Path:
    """A fake okx that records its environment into `$HOME/cli-env.<pid>`.

    With `then` it goes on as that program (the simulator) with the same
    arguments; else it prints `stdout` and exits 0.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tail = f'exec "{then}" "$@"\n' if then else f"printf '%s' '{stdout}'\n"
    script = folder / "recording-okx"
    script.write_text(f'#!/bin/sh\nenv -0 > "$HOME/{RECORD_PREFIX}$$"\n{tail}')
    script.chmod(0o755)
    return script


def recordings(home: Path) -> list[dict[str, str]]:
    """Every environment the CLI was started with in `home`, less what the shell adds."""
    found = []
    for path in sorted(home.glob(f"{RECORD_PREFIX}*")):
        pairs = (entry.partition("=") for entry in path.read_text().split("\0") if entry)
        found.append({name: value for name, _, value in pairs if name not in SHELL_OWN})
    return found


def the_recording(home: Path) -> dict[str, str]:
    """The environment of the one call made in `home`."""
    (env,) = recordings(home)
    return env


def assert_nothing_unlisted(env: Mapping[str, str]) -> None:
    """Only allow-listed names, and none of the planted secrets under any name."""
    assert set(env) <= ALLOWED, set(env) - ALLOWED
    for name in NEVER:
        assert name not in env
    leaked = set(NEVER.values()) & set(env.values())
    assert not leaked


def assert_machine_settings_pass(env: Mapping[str, str]) -> None:
    """PATH and everything of `PASSING`, unchanged."""
    assert env.get("PATH")
    assert {name: env.get(name) for name in PASSING} == PASSING


def library_settings(cli: Path, home: Path) -> OkxSettings:
    """What a library call (no server, no identity) runs the CLI with."""
    return okx_settings(AuthContext(okx_home=str(home)), ServerSide(okx_cli=str(cli)))


def server_settings(cli: Path, homes: Path, identity: str = "alice") -> OkxSettings:
    """What a server that authenticated `identity` runs the CLI with, its HOME made."""
    side = ServerSide(okx_cli=str(cli), identity=identity, homes=str(homes))
    settings = okx_settings(AuthContext(okx_home="/home/somebody-else"), side)
    assert settings.okx_home is not None
    ensure_private_home(settings.okx_home)
    return settings


@dataclass(frozen=True)
class Caller:
    """The user a server's authentication produced (all LangGraph reads is `identity`)."""

    identity: str


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent's environment as a badly placed server would hold it."""
    plant(monkeypatch, NEVER, CREDENTIALS, PASSING)


# ---------------------------------------------------------------- the table


def test_the_credentials_follow_the_settings_and_the_rest_follows_the_table() -> None:
    environ = {**NEVER, **CREDENTIALS, **PASSING, "PATH": "/usr/bin", "HOME": "/root",
               "OKX_AUTH_ANYTHING_NEW": "x", "OKX_SIM_LOG": "/tmp/calls.jsonl"}
    kept = {**PASSING, "PATH": "/usr/bin", "OKX_SIM_LOG": "/tmp/calls.jsonl"}

    library = child_environment(OkxSettings(okx_home="/homes/u"), environ)
    server = child_environment(OkxSettings(okx_home="/homes/u", inherit_credentials=False), environ)
    inherited = child_environment(OkxSettings(), environ)

    assert library == {**kept, **CREDENTIALS, "HOME": "/homes/u"}
    assert server == {**kept, "HOME": "/homes/u"}
    assert inherited == {**kept, **CREDENTIALS, "HOME": "/root"}


def test_no_prefix_lets_a_project_variable_through() -> None:
    project = {name: "x" for name in ("OKX_AUTH_JWT_SECRET", "OKX_AUTH_HOMES", "OKX_AUTH_",
                                      "OKX_AUTH_BINARY", "OKX_SIM_ANYTHING", "OKX_", "LC_EVIL")}
    assert child_environment(OkxSettings(), project) == {}
    assert not any(name.startswith("OKX_AUTH_") and name != "OKX_AUTH_BIN" for name in ALLOWED)


def test_the_credentials_group_is_what_redaction_calls_credentials() -> None:
    assert set(CREDENTIAL_ENV) == set(CREDENTIALS)
    assert set(CLI_ENVIRONMENT["okx credentials"]) == set(CREDENTIALS)


def test_the_simulators_controls_are_the_names_it_reads() -> None:
    read = {LOG_ENV, FAULT_ENV, FAULT_SCOPE_ENV, EXPIRES_IN_ENV, JSON_STYLE_ENV, VERSION_ENV}
    assert set(CLI_ENVIRONMENT["okx simulator"]) == read


def test_library_behaviour_is_the_default_of_the_settings() -> None:
    assert OkxSettings().inherit_credentials is True
    library = okx_settings(AuthContext(), ServerSide())
    server = okx_settings(AuthContext(), ServerSide(identity="alice", homes="/srv/h"))
    assert (library.inherit_credentials, server.inherit_credentials) == (True, False)


# ---------------------------------------------------------------- the runners


def _run_sync(args: Sequence[str], settings: OkxSettings) -> CliResult:
    return run_okx(args, settings)


def _run_async(args: Sequence[str], settings: OkxSettings) -> CliResult:
    return asyncio.run(arun_okx(args, settings))


def _run_streaming(args: Sequence[str], settings: OkxSettings) -> CliResult:
    return run_okx_streaming(args, settings, lambda _line: None)


Run = Callable[[Sequence[str], OkxSettings], CliResult]

RUNNERS = pytest.mark.parametrize(
    "run", [_run_sync, _run_async, _run_streaming], ids=["run_okx", "arun_okx", "streaming"]
)


@pytest.mark.integration  # the recording CLI is a process
@RUNNERS
@pytest.mark.usefixtures("planted")
def test_a_library_call_passes_the_list_and_the_users_credentials(
    run: Run, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    settings = library_settings(recording_cli(tmp_path / "bin"), home)

    assert run(["auth", "status", "--json"], settings).returncode == 0

    env = the_recording(home)
    assert_nothing_unlisted(env)
    assert_machine_settings_pass(env)
    assert {name: env.get(name) for name in CREDENTIALS} == CREDENTIALS
    assert env["HOME"] == str(home)


@pytest.mark.integration  # the recording CLI is a process
@RUNNERS
@pytest.mark.usefixtures("planted")
def test_an_authenticated_run_gets_no_credential_from_the_server(
    run: Run, tmp_path: Path
) -> None:
    homes = tmp_path / "homes"
    settings = server_settings(recording_cli(tmp_path / "bin"), homes)

    assert run(["auth", "status", "--json"], settings).returncode == 0

    env = the_recording(homes / "alice")
    assert_nothing_unlisted(env)
    assert_machine_settings_pass(env)
    assert not set(CREDENTIALS) & set(env)
    assert not set(CREDENTIALS.values()) & set(env.values())
    assert env["HOME"] == str(homes / "alice")


@pytest.mark.integration  # the recording CLI is a process
@pytest.mark.usefixtures("planted")
def test_without_a_home_of_its_own_the_cli_keeps_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    run_okx([], OkxSettings(okx_cli=str(recording_cli(tmp_path / "bin"))))
    env = the_recording(tmp_path)
    assert env["HOME"] == str(tmp_path)
    assert_nothing_unlisted(env)


# ---------------------------------------------------------------- config show


NO_PROFILES = '{"profiles": {}}'


@pytest.mark.integration  # the recording CLI is a process
@pytest.mark.usefixtures("planted")
def test_config_show_notes_the_key_the_cli_got_in_a_library(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cli = recording_cli(tmp_path / "bin", stdout=NO_PROFILES)

    view = execute(config_show(library_settings(cli, home)), library_settings(cli, home))

    assert view["env_api_key_masked"] == "***9876"
    assert api_key_profile(view) == ENV_KEY_PROFILE


@pytest.mark.integration  # the recording CLI is a process
@pytest.mark.usefixtures("planted")
def test_config_show_claims_no_environment_key_on_an_authenticating_server(
    tmp_path: Path,
) -> None:
    cli = recording_cli(tmp_path / "bin", stdout=NO_PROFILES)
    settings = server_settings(cli, tmp_path / "homes")

    view = execute(config_show(settings), settings)
    async_view = asyncio.run(aexecute(config_show(settings), settings))

    assert view["env_api_key_masked"] is None
    assert async_view == view
    assert api_key_profile(view) is None


@pytest.mark.usefixtures("planted")
def test_the_settings_decide_the_key_whatever_runs_the_cli(tmp_path: Path) -> None:
    """`config show` names the key the settings hand the CLI, with a runner of your own too."""
    cli = recording_cli(tmp_path / "bin", stdout=NO_PROFILES)

    def own_runner(args: Sequence[str], _settings: OkxSettings, /) -> CliResult:
        return CliResult(tuple(args), 0, NO_PROFILES, "", 0.0)

    server = server_settings(cli, tmp_path / "homes")
    library = library_settings(cli, tmp_path / "home")
    assert execute(config_show(server), server, own_runner)["env_api_key_masked"] is None
    assert execute(config_show(library), library, own_runner)["env_api_key_masked"] == "***9876"


# ---------------------------------------------------------------- the whole graph


@pytest.mark.usefixtures("planted")
def test_every_call_of_a_library_login_gets_the_list_only(
    sim: Simulator, sim_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in CREDENTIALS:  # a key in the environment would end the login before it starts
        monkeypatch.delenv(name)
    wrapper = recording_cli(tmp_path / "bin", then=sim_path)
    conv = Conversation(Simulator(str(wrapper), sim.home, sim.log))

    assert conv.start("Please log me in to OKX") == [SEED_MENU]
    conv.reply("2")
    sim.browser("approve")
    conv.reply("done")

    assert conv.outcome is not None
    assert conv.outcome["status"] == "logged_in"
    envs = recordings(sim.home)
    assert len(envs) == len(sim.log.argvs()) >= 4
    for env in envs:
        assert_nothing_unlisted(env)
        assert_machine_settings_pass(env)
        assert env["HOME"] == str(sim.home)
        assert env[LOG_ENV] == str(sim.log.path)


@pytest.mark.usefixtures("planted")
def test_a_library_login_with_a_key_in_the_environment_hands_it_over(
    sim: Simulator, sim_path: str, tmp_path: Path,
) -> None:
    sim.write_config('default_profile = "plain"\n\n[profiles.plain]\nsite = "global"\n')
    wrapper = recording_cli(tmp_path / "bin", then=sim_path)
    conv = Conversation(Simulator(str(wrapper), sim.home, sim.log))

    expected = f"API key already configured (profile: {ENV_KEY_PROFILE})"
    assert conv.start("Please log me in to OKX") == [expected]

    assert conv.outcome is not None
    assert conv.outcome["status"] == "api_key_configured"
    assert conv.outcome["profile"] == ENV_KEY_PROFILE
    envs = recordings(sim.home)
    assert envs
    for env in envs:
        assert_nothing_unlisted(env)
        assert {name: env.get(name) for name in CREDENTIALS} == CREDENTIALS


@pytest.mark.usefixtures("planted")
def test_an_authenticated_run_of_the_graph_ignores_the_servers_key(
    sim_path: str, tmp_path: Path, call_log: CallLog, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The run LangGraph hands an identity: the server's OKX_API_KEY is neither used nor claimed."""
    homes = tmp_path / "homes"
    monkeypatch.setenv("OKX_AUTH_HOMES", str(homes))
    wrapper = recording_cli(tmp_path / "bin", then=sim_path)
    graph = build_auth_graph(InMemorySaver(), okx_cli=str(wrapper))
    config: RunnableConfig = {
        "configurable": {"thread_id": "t-alice", "langgraph_auth_user": Caller("alice")}
    }

    menu = graph.invoke({"messages": [HumanMessage("log me in to OKX")]}, config)
    code = graph.invoke(Command(resume="2"), config)

    assert menu["messages"][-1].content == SEED_MENU
    (question,) = code["__interrupt__"]
    assert question.value["kind"] == "authorization_done"
    assert "okx_auth" not in code
    envs = recordings(homes / "alice")
    assert len(envs) == len(call_log.argvs()) >= 3
    for env in envs:
        assert_nothing_unlisted(env)
        assert_machine_settings_pass(env)
        assert not set(CREDENTIALS) & set(env)
        assert "OKX_AUTH_HOMES" not in env
        assert env["HOME"] == str(homes / "alice")
