"""The two checkpointers the benchmarks compare, and how many bytes each holds.

Stored bytes are read from the savers' own storage (the in-memory saver's
dicts, the SQLite saver's tables), not from process memory or the file size:
those also count allocator slack, indexes and free pages, which change with
everything else in the process or file and would blur what a login adds.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from types import TracebackType
from typing import Literal

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver

Saver = Literal["memory", "sqlite"]
SAVERS: tuple[Saver, ...] = ("memory", "sqlite")


def memory_storage(saver: InMemorySaver) -> tuple[int, int]:
    """(stored bytes, checkpoints) of the in-memory saver: its serialized payloads."""
    entries = [
        entry
        for namespaces in saver.storage.values()
        for by_id in namespaces.values()
        for entry in by_id.values()
    ]
    stored = sum(len(checkpoint[1]) + len(metadata[1]) for checkpoint, metadata, _ in entries)
    stored += sum(len(blob[1]) for blob in saver.blobs.values())
    stored += sum(len(w[2][1]) for writes in saver.writes.values() for w in writes.values())
    return stored, len(entries)


def sqlite_storage(conn: sqlite3.Connection) -> tuple[int, int]:
    """(stored bytes, checkpoints) of the SQLite saver: the payload columns of its tables."""
    count, checkpoints = conn.execute(
        "SELECT count(*), coalesce(sum(length(checkpoint) + length(metadata)), 0) "
        "FROM checkpoints"
    ).fetchone()
    (writes,) = conn.execute("SELECT coalesce(sum(length(value)), 0) FROM writes").fetchone()
    return int(checkpoints) + int(writes), int(count)


class Store:
    """A fresh checkpointer of one kind, which can tell how many bytes it holds so far.

    The SQLite saver gets a new file in `root` with the connection's
    defaults, as an application would open it; reading its size before and
    after a login gives what that login stored.
    """

    def __init__(self, kind: Saver, root: Path) -> None:
        """Open an empty saver of `kind` (a new database file under `root` for SQLite)."""
        self.kind: Saver = kind
        self._conn: sqlite3.Connection | None = None
        if kind == "memory":
            self.saver: InMemorySaver | SqliteSaver = InMemorySaver()
        else:
            path = root / f"checkpoints-{time.monotonic_ns()}.sqlite"
            self._conn = sqlite3.connect(path, check_same_thread=False)
            self.saver = SqliteSaver(self._conn)
            self.saver.setup()

    def stored_bytes(self) -> int:
        """Every byte the saver holds now: checkpoints, channel values, pending writes."""
        if isinstance(self.saver, InMemorySaver):
            return memory_storage(self.saver)[0]
        if self._conn is None:
            raise RuntimeError("the SQLite store is closed")
        return sqlite_storage(self._conn)[0]

    def close(self) -> None:
        """Close the database connection (the in-memory saver has nothing to close)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
