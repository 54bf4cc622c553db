"""Checkpointing for a LangGraph server that runs the auth graph (extra `postgres`).

One connection pool for the server's life, the tables set up at start, so
threads outlive the server. The saver needs no list of types it may load:
the graph's state is plain data, which loads the same with or without strict
deserialization (`LANGGRAPH_STRICT_MSGPACK`). Point `langgraph.json` at it:

    "checkpointer": {"path": "./okx_auth_graph/server/checkpointer.py:postgres_checkpointer"}

and set `OKX_AUTH_POSTGRES_URL` (and optionally `OKX_AUTH_POSTGRES_POOL_SIZE`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from okx_auth_graph.extras import needs_extra

URL_ENV = "OKX_AUTH_POSTGRES_URL"
"""Where the server's PostgreSQL is, e.g. `postgresql://okx:secret@db:5432/okx_auth`."""
POOL_SIZE_ENV = "OKX_AUTH_POSTGRES_POOL_SIZE"
"""How many connections the server may hold (default 10)."""


@asynccontextmanager
async def postgres_checkpointer() -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """One connection pool for the server's life; the tables created (idempotently) at start.

    The PostgreSQL packages are imported here, not with the module, which
    `okx_auth_graph.server` re-exports: the server's auth must import
    without them.
    """
    with needs_extra("postgres"):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg import AsyncConnection
        from psycopg.rows import DictRow, dict_row
        from psycopg_pool import AsyncConnectionPool

    url = os.environ.get(URL_ENV)
    if not url:
        raise RuntimeError(f"set {URL_ENV} to the PostgreSQL URL the auth threads live in")
    async with AsyncConnectionPool[AsyncConnection[DictRow]](
        url,
        max_size=int(os.environ.get(POOL_SIZE_ENV, "10")),
        open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    ) as pool:
        saver = AsyncPostgresSaver(pool)
        await saver.setup()
        yield saver
