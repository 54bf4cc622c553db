"""Fixtures of the reliability tests: a real PostgreSQL server and the figures they report.

The server is started once per session (initdb takes seconds) and each test
gets its own database in it, so no test reads another's checkpoints. When the
server cannot start the tests that need it error out: a checkpointer claim
that silently skipped its database would prove nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.postgres import PostgresServer, running_postgres
from tests.reliability.report import Figure, recorder, write_summary


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session, stopped at its end (also after failures)."""
    with running_postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database of the session's server."""
    return postgres_server.create_database()


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The checkpoint store a test is parametrized with (`indirect=True`).

    `"sqlite"` becomes a file path, `"postgres"` a fresh database's URL (both
    open with `tests.reliability.stores.open_saver`); `"memory"` stays as it
    is, for the tests that compare the in-process saver too.
    """
    kind = str(request.param)
    if kind == "sqlite":
        return str(tmp_path / "checkpoints.sqlite")
    if kind == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    assert kind == "memory", f"unknown store {kind!r}"
    return kind


@pytest.fixture
def figure(request: pytest.FixtureRequest) -> Figure:
    """Record this test's one-line figure (see `tests.reliability.report`)."""
    return recorder(request)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Print every figure the reliability tests recorded."""
    write_summary(terminalreporter, config)
