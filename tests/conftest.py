"""Fixtures every test folder shares: the simulator, a private HOME, the call log; and the tiers.

The whole suite runs with strict checkpoint deserialization, as production
servers should: a state type that is not declared would fail loudly here.

Two tiers. A test that starts a real process or service (`okx-sim` as a
subprocess, the npm `okx` CLI or MCP server, PostgreSQL, a server, a pty, a
browser, a fresh venv, a notebook kernel) is marked `integration`, here, at
collection: by the fixtures it uses (`INTEGRATION_FIXTURES`), by its folder
or file (`INTEGRATION_PATHS`), or by hand (`@pytest.mark.integration`) where
neither says it. Everything else is the unit tier (`make unit`,
`pytest -m "not integration"`), and there no process may start: the
`_no_processes_in_unit_tests` guard fails a unit test that tries, so a test
that needs one cannot hide in the fast tier. The `sim` fixture follows the
tier: a unit test's simulator answers in-process (`okx_sim.inprocess`, the
same command code on a thread), an integration test's is the console script.
"""

from __future__ import annotations

import os

os.environ.setdefault("LANGGRAPH_STRICT_MSGPACK", "true")

import _posixsubprocess
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.real_cli import install_mcp_server
from okx_auth_graph.mcp.sdk import MCP_2
from tests.support import IN_PROCESS_CLI, CallLog, Simulator, simulator_executable

_INHERITED_ENV = (
    "OKX_API_KEY",
    "OKX_SECRET_KEY",
    "OKX_PASSPHRASE",
    "OKX_CLI",
    "OKX_SIM_FAULT",
    "OKX_SIM_FAULT_ON",
    "OKX_SIM_EXPIRES_IN",
    "OKX_SIM_JSON",
    "OKX_SIM_VERSION",
)

collect_ignore = [] if MCP_2 else ["mcp2"]
"""`tests/mcp2` is written for mcp 2.x: `tests/mcp/test_mcp2.py` runs it in a venv of its own."""

INTEGRATION = "integration"
"""The marker of tests that start real processes or services (registered in pyproject.toml)."""

INTEGRATION_FIXTURES = frozenset({
    "sim_path",  # the okx-sim console script, run as a process
    "okx_sim_exe",  # tests/okx_sim: the console script itself
    "scripts",  # tests/okx: fake okx executables
    "mcp_server",  # OKX's npm MCP server
    "postgres_server",
    "postgres_url",
})
"""Fixtures that exist to start (or to hand a test) a real process or service."""

INTEGRATION_PATHS = (
    "tests/benchmarks/",  # the benchmark runner end to end, the npm CLI
    "tests/browser/",  # Agent Chat UI in Chromium
    "tests/notebooks/",  # notebook kernels
    "tests/packaging/",  # fresh venvs, wheel builds, pinned npm packages
    "tests/reliability/",  # SIGKILLed and resumed processes, orphan checks, PostgreSQL, servers
    # langgraph dev, the multi-user server, the chat as a program and in a pty, the README's
    # snippets (test_chat_wrapping.py, the line-breaking rules alone, is a unit test)
    "tests/apps/test_chat.py",
    "tests/apps/test_chat_screen.py",
    "tests/apps/test_chat_terminal.py",
    "tests/apps/test_demo_cli.py",
    "tests/server/test_multiuser_server.py",
    "tests/docs/test_readme.py",
    "tests/server/test_studio_server.py",
    "tests/okx/test_contract_real_cli.py",  # the real npm okx CLI
    # The example app's tools and the middleware's own graph run `$OKX_CLI` as a process.
    "tests/middleware/test_agent.py",
)
"""Folders and files whose every test starts real processes (paths from the rootdir)."""

SIM_AS_EXECUTABLE_PATHS = ("tests/examples/test_trading_agent.py",)
"""Files whose code under test runs the simulator as an executable (`okx_cli=sim.path`, no
runner to hand it): a test there that uses `sim` is integration."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that starts real processes `integration` (see the module docstring)."""
    root = config.rootpath
    for item in items:
        if _needs_processes(item, root):
            item.add_marker(pytest.mark.integration)


def _needs_processes(item: pytest.Item, root: Path) -> bool:
    if INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    try:
        where = item.path.relative_to(root).as_posix()
    except ValueError:
        return False
    if where.startswith(INTEGRATION_PATHS):
        return True
    return where in SIM_AS_EXECUTABLE_PATHS and "sim" in getattr(item, "fixturenames", ())


class ProcessInUnitTest(RuntimeError):
    """A unit test tried to start a process: mark it `integration`, or use the in-process sim."""


_PROCESS_STARTERS: tuple[tuple[object, str], ...] = (
    (subprocess.Popen, "_execute_child"),  # subprocess.*, asyncio subprocesses
    (_posixsubprocess, "fork_exec"),  # multiprocessing's spawn
    (os, "system"),
    (os, "fork"),
    (os, "forkpty"),
    (os, "posix_spawn"),
    (os, "posix_spawnp"),
)


@pytest.fixture(autouse=True)
def _no_processes_in_unit_tests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """In the unit tier, starting a process fails the test (even when the code catches it)."""
    if request.node.get_closest_marker(INTEGRATION):
        yield
        return
    attempts: list[str] = []

    def refusing(name: str) -> Any:
        def start(*args: Any, **kwargs: Any) -> Any:
            command = args[1] if name == "_execute_child" and len(args) > 1 else args[:1]
            attempts.append(f"{name}: {command!r}")
            raise ProcessInUnitTest(
                f"a unit test started a process ({name} {command!r}); "
                "mark it integration or run the simulator in-process"
            )
        return start

    for owner, name in _PROCESS_STARTERS:
        if hasattr(owner, name):
            monkeypatch.setattr(owner, name, refusing(name))
    yield
    if attempts:
        pytest.fail("unit test started processes: " + "; ".join(attempts), pytrace=False)


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
def sim_cli(request: pytest.FixtureRequest) -> str:
    """The `Simulator.path` of this test's tier: `IN_PROCESS_CLI` in the unit tier, else the
    `okx-sim` console script. For tests that make simulators of their own (`Simulator(sim_cli,
    home, log)`); `sim_path` is for the ones that need the executable itself."""
    if request.node.get_closest_marker(INTEGRATION):
        return simulator_executable()
    return IN_PROCESS_CLI


@pytest.fixture
def sim(sim_cli: str, okx_home: Path, call_log: CallLog) -> Simulator:
    """The simulator bound to this test's HOME, for setup and the browser side.

    In-process in the unit tier (a `Conversation` on it builds the graph on the
    in-process runners); the `okx-sim` console script in the integration tier.
    """
    return Simulator(sim_cli, okx_home, call_log)
