"""Fixtures every test folder shares: the simulator, a private HOME, the call log.

The whole suite runs with strict checkpoint deserialization, as production
servers should: a state type that is not declared would fail loudly here.
"""

from __future__ import annotations

import os

os.environ.setdefault("LANGGRAPH_STRICT_MSGPACK", "true")

from pathlib import Path

import pytest

from benchmarks.real_cli import install_mcp_server
from tests.support import CallLog, Simulator, simulator_executable

_INHERITED_ENV = (
    "OKX_API_KEY",
    "OKX_SECRET_KEY",
    "OKX_PASSPHRASE",
    "OKX_CLI",
    "OKX_SIM_FAULT",
    "OKX_SIM_FAULT_ON",
    "OKX_SIM_EXPIRES_IN",
    "OKX_SIM_JSON",
)


@pytest.fixture(autouse=True)
def _clean_okx_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test inherits credentials, an OKX_CLI or a simulator fault from the shell."""
    for name in _INHERITED_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def mcp_server(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OKX's real MCP server (pinned), installed from npm; a failed install fails the tests."""
    return install_mcp_server(tmp_path_factory.mktemp("okx-trade-mcp"))


@pytest.fixture(scope="session")
def sim_path() -> str:
    """The `okx-sim` console script of this environment."""
    return simulator_executable()


@pytest.fixture
def okx_home(tmp_path: Path) -> Path:
    """A private HOME for the CLI, so no test sees another's `~/.okx/`."""
    home = tmp_path / "home"
    (home / ".okx").mkdir(parents=True)
    return home


@pytest.fixture
def call_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CallLog:
    """Every okx-sim invocation of the test, in order (via `OKX_SIM_LOG`)."""
    path = tmp_path / "okx-calls.jsonl"
    monkeypatch.setenv("OKX_SIM_LOG", str(path))
    return CallLog(path)


@pytest.fixture
def sim(sim_path: str, okx_home: Path, call_log: CallLog) -> Simulator:
    """The simulator bound to this test's HOME, for setup and the browser side."""
    return Simulator(sim_path, okx_home, call_log)
