"""A real `langgraph dev` inside a test: the benchmarks' launcher, failing the test instead."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.dev_server import DevServer, DevServerError, dev_server


@contextmanager
def serving(
    folder: Path,
    env: Mapping[str, str],
    *,
    config: str = "langgraph.json",
    jobs_per_worker: int | None = None,
) -> Iterator[DevServer]:
    """A real `langgraph dev` for a test module; a server that cannot start fails the test
    with its own output (nothing here is skipped)."""
    try:
        with dev_server(folder, env, config=config, jobs_per_worker=jobs_per_worker) as server:
            yield server
    except DevServerError as error:
        pytest.fail(str(error))
