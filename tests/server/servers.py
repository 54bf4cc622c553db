"""A real `langgraph dev` inside a test (the benchmarks' launcher, failing the test instead), and
the SDK side of a multi-user one: its `Server` record and `ask`, shared by the server tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient

from benchmarks.aegra import AegraCluster, AegraError, aegra_cluster
from benchmarks.dev_server import DevServer, DevServerError, dev_server
from tests.server.tokens import Minter
from tests.support import CallLog, Simulator


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


@contextmanager
def on_aegra(folder: Path, env: Mapping[str, str], replicas: int = 2) -> Iterator[AegraCluster]:
    """Aegra through `deploy/aegra/local.sh` for a test module; a cluster that cannot start
    fails the test with the script's own output."""
    try:
        with aegra_cluster(folder, env, replicas) as cluster:
            yield cluster
    except AegraError as error:
        pytest.fail(str(error))


@dataclass(frozen=True)
class Server:
    """The running multi-user server, its token minter and what its CLI calls left behind."""

    url: str
    minter: Minter
    homes: Path
    calls: CallLog
    sim_path: str

    def client(self, identity: str) -> SyncLangGraphClient:
        """An SDK client that sends `identity`'s bearer token."""
        return get_sync_client(url=self.url, api_key=None, headers=self.minter.header(identity))

    def home(self, identity: str) -> Path:
        """The HOME the server keeps for `identity`."""
        return self.homes / identity

    def browser(self, identity: str) -> Simulator:
        """The simulator's browser side for `identity`'s HOME (the user approving a code)."""
        return Simulator(self.sim_path, self.home(identity), self.calls)

    def homes_called(self, since: int = 0) -> set[str]:
        """The HOMEs the server's okx calls ran in, from the `since`-th logged call on."""
        return {entry["home"] for entry in self.calls.entries()[since:]
                if entry["argv"][:1] != ["browser"]}


def ask(client: SyncLangGraphClient, thread_id: str | None, **run: Any) -> dict[str, Any]:
    """One run of `okx_auth`, waited for; its final values."""
    result = client.runs.wait(thread_id, "okx_auth", **run)
    assert isinstance(result, dict), result
    return result
