"""Contract tests against the real `okx` CLI (npm, pinned 1.2.4) and the simulator.

The shared set runs twice: once against `@okx_ai/okx-trade-cli@1.2.4` installed
from npm into a temp prefix, once against `okx-sim`, so the simulator is held
to the behaviour the okx layer was built on. Version 1.2.4 has no `auth`
command at all; the simulator reproduces that with `OKX_SIM_FAULT=old_cli`.
"""

from __future__ import annotations

import logging
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from benchmarks.real_cli import install as install_real_cli
from okx_auth_graph.okx import (
    UPGRADE_COMMAND,
    ConfigView,
    ErrorKind,
    OkxError,
    OkxSettings,
    ProfileView,
    Site,
    aexecute,
    auth_login_manual,
    auth_status,
    config_show,
    execute,
    run_okx,
)

from .helpers import PLANTED_API_KEY, PLANTED_SECRETS, write_okx_config


@dataclass(frozen=True)
class Cli:
    """One implementation of the okx CLI contract."""

    name: str
    executable: str
    old_cli_env: dict[str, str] = field(default_factory=dict)
    """Environment that makes this CLI behave like one without `auth`."""


@pytest.fixture(scope="session")
def real_okx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the pinned real CLI into a temp prefix; a failed install fails the tests."""
    return install_real_cli(tmp_path_factory.mktemp("okx-real-cli"))


def _simulator() -> str | None:
    return shutil.which("okx-sim", path=str(Path(sys.executable).parent))


@pytest.fixture(params=["real", "sim"])
def cli(request: pytest.FixtureRequest) -> Cli:
    """The real CLI and the simulator, each in turn."""
    if request.param == "real":
        real: Path = request.getfixturevalue("real_okx")
        return Cli("real", str(real))
    sim = _simulator()
    if sim is None:
        pytest.fail(f"okx-sim console script not found beside {sys.executable}")
    return Cli("sim", sim, {"OKX_SIM_FAULT": "old_cli"})


@pytest.fixture
def configured_home(tmp_path: Path) -> Path:
    """A HOME whose `~/.okx/config.toml` holds a keyed profile and a site-only one."""
    home = tmp_path / "home"
    home.mkdir()
    write_okx_config(home)
    return home


@pytest.fixture
def empty_home(tmp_path: Path) -> Path:
    """A HOME without any okx files."""
    home = tmp_path / "empty-home"
    home.mkdir()
    return home


def _assert_parsed(view: ConfigView) -> None:
    assert view.default_profile == "main"
    assert view.profiles == (
        ProfileView(
            name="main", site=Site.EEA, demo=True, api_key_masked="***" + PLANTED_API_KEY[-4:]
        ),
        ProfileView(name="other", site=Site.US, demo=False),
    )
    assert view.selected_sites == (Site.EEA, Site.US)
    assert view.api_key_profile == "main"
    assert view.env_api_key_masked is None


# ---------------------------------------------------------------- shared contract


def test_raw_config_show_prints_secrets_in_clear(cli: Cli, configured_home: Path) -> None:
    # The premise of the whole redaction design: the CLI itself does not redact.
    result = run_okx(
        ["config", "show", "--json"],
        OkxSettings(okx_cli=cli.executable, okx_home=str(configured_home)),
    )
    assert result.returncode == 0, result.stderr
    for secret in PLANTED_SECRETS:
        assert secret in result.stdout


def test_config_show_parses(cli: Cli, configured_home: Path) -> None:
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(configured_home))
    _assert_parsed(execute(config_show(), settings))


async def test_config_show_parses_async(cli: Cli, configured_home: Path) -> None:
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(configured_home))
    _assert_parsed(await aexecute(config_show(), settings))


def test_config_show_never_leaks_secrets(
    cli: Cli, configured_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(configured_home))
    view = execute(config_show(), settings)
    messages = [record.getMessage() for record in caplog.records]
    assert any("okx config show --json exited 0" in message for message in messages)
    shown = [repr(view), str(view), view.model_dump_json(), caplog.text, *messages]
    for text in shown:
        for secret in PLANTED_SECRETS:
            assert secret not in text


def test_empty_home_has_no_profiles(cli: Cli, empty_home: Path) -> None:
    view = execute(config_show(), OkxSettings(okx_cli=cli.executable, okx_home=str(empty_home)))
    assert view.profiles == ()
    assert view.api_key_profile is None
    assert view.selected_sites == ()


def test_config_show_notes_env_api_key(
    cli: Cli, empty_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_API_KEY", "ENV-ONLY-KEY-00001234")
    view = execute(config_show(), OkxSettings(okx_cli=cli.executable, okx_home=str(empty_home)))
    assert view.api_key_profile == "OKX_API_KEY (environment)"
    assert view.env_api_key_masked == "***1234"
    assert "ENV-ONLY-KEY-00001234" not in view.model_dump_json()


def test_auth_status_on_a_cli_without_auth_is_too_old(
    cli: Cli, configured_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in cli.old_cli_env.items():
        monkeypatch.setenv(name, value)
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(configured_home))
    with pytest.raises(OkxError) as caught:
        execute(auth_status(), settings)
    assert caught.value.kind is ErrorKind.CLI_TOO_OLD
    assert UPGRADE_COMMAND in caught.value.failure.action
    assert "npm install -g @okx_ai/okx-trade-cli@latest" in caught.value.failure.action
    assert "Unknown command: auth status" in caught.value.failure.detail
    assert caught.value.failure.command == ("auth", "status", "--json")


# ---------------------------------------------------------------- real CLI only


def test_real_cli_auth_status_raw_output(real_okx: Path, empty_home: Path) -> None:
    result = run_okx(
        ["auth", "status", "--json"], OkxSettings(okx_cli=str(real_okx), okx_home=str(empty_home))
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "Unknown command: auth status"


def test_real_cli_login_manual_is_too_old(real_okx: Path, empty_home: Path) -> None:
    settings = OkxSettings(okx_cli=str(real_okx), okx_home=str(empty_home))
    with pytest.raises(OkxError) as caught:
        execute(auth_login_manual(Site.US), settings)
    assert caught.value.kind is ErrorKind.CLI_TOO_OLD
    assert "Unknown option '--manual'" in caught.value.failure.detail
    assert UPGRADE_COMMAND in caught.value.failure.action
    assert caught.value.failure.command == ("auth", "login", "--manual", "--site", "us")


def test_real_cli_is_the_pinned_version(real_okx: Path, empty_home: Path) -> None:
    result = run_okx(["--version"], OkxSettings(okx_cli=str(real_okx), okx_home=str(empty_home)))
    assert result.returncode == 0
    assert "1.2.4" in result.stdout
