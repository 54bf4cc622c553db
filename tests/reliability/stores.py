"""Checkpointers by address, the way a deployment names its store.

A `postgresql://` URL opens the Postgres saver, anything else is a SQLite file
path. The tests, the crash driver's child processes and the test that
inspects what a killed process left behind all open their store through
these two functions, so every process reads the same rows the same way.
Each imports only the saver it opens: a crash-test child process starts a
dozen times per run and should not pay for the other database's driver.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from langgraph.checkpoint.base import BaseCheckpointSaver

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(db: str) -> bool:
    """Whether the address names a PostgreSQL database."""
    return db.startswith(POSTGRES_SCHEMES)


def kind_of(db: str) -> str:
    """What a figure calls the store: `postgres`, `sqlite` (or `memory`, which is no address)."""
    if db == "memory":
        return db
    return "postgres" if is_postgres(db) else "sqlite"


@contextmanager
def open_saver(db: str) -> Iterator[BaseCheckpointSaver[str]]:
    """A synchronous saver on `db`; Postgres tables are created (idempotently) first."""
    if is_postgres(db):
        from langgraph.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(db) as postgres:
            postgres.setup()
            yield postgres
    else:
        from langgraph.checkpoint.sqlite import SqliteSaver

        with SqliteSaver.from_conn_string(db) as sqlite:
            yield sqlite


@asynccontextmanager
async def open_async_saver(db: str) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """The asyncio twin of `open_saver`, for `ainvoke` and async servers."""
    if is_postgres(db):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        async with AsyncPostgresSaver.from_conn_string(db) as postgres:
            await postgres.setup()
            yield postgres
    else:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        async with AsyncSqliteSaver.from_conn_string(db) as sqlite:
            yield sqlite
