"""What a LangGraph server that runs the auth graph is configured with.

`checkpointer` is the PostgreSQL saver factory (extra `postgres`); `auth`
(imported by path from `langgraph.multiuser.json`, extra `server`) is the
authentication and authorization of a server that many users share. The
factory is re-exported here, where it lived before the package split.
"""

from okx_auth_graph.server.checkpointer import (
    POOL_SIZE_ENV,
    URL_ENV,
    postgres_checkpointer,
)

__all__ = ["POOL_SIZE_ENV", "URL_ENV", "postgres_checkpointer"]
