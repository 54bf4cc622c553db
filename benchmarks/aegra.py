"""The multi-user server on Aegra, started by `deploy/aegra/local.sh` as a developer starts it.

The replica tests and the benchmark use this one launcher: `local.sh up DIR N`
starts PostgreSQL, Redis and N replicas under DIR, and prints where the
replicas answer and what a client needs (`REPLICA` and `ENV` lines, read
here); `local.sh down DIR` stops them, however the block ends. As with
`langgraph dev` (`dev_server`), nothing from the caller's shell that starts
with `OKX_` reaches the servers: the caller passes what they should see.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.dev_server import ROOT, answers, server_environment

LOCAL_SH = ROOT / "deploy" / "aegra" / "local.sh"
"""The script that starts and stops the engine on one machine."""
UP_SECONDS = 900.0
"""Generous: the first `up` on a machine builds Aegra's venv (a minute or two)."""


class AegraError(RuntimeError):
    """`local.sh` failed; the message carries its own output."""


@dataclass(frozen=True)
class Replica:
    """One Aegra process: where it answers, and its pid (the leader of its own session)."""

    url: str
    pid: int

    def alive(self) -> bool:
        """Whether the replica's process still runs."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self) -> None:
        """`kill -9` of the replica and all it started: a machine that dies, not one that stops."""
        os.killpg(self.pid, signal.SIGKILL)


@dataclass(frozen=True)
class AegraCluster:
    """What `local.sh up` started: the replicas and the settings it printed."""

    folder: Path
    replicas: tuple[Replica, ...]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def homes(self) -> Path:
        """`OKX_AUTH_HOMES`, which every replica shares."""
        return Path(self.env["OKX_AUTH_HOMES"])


def parse_up(output: str, folder: Path) -> AegraCluster:
    """The cluster `local.sh up` describes in its `REPLICA` and `ENV` lines."""
    replicas: list[Replica] = []
    env: dict[str, str] = {}
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "REPLICA":
            url, pid = rest.split()
            replicas.append(Replica(url, int(pid)))
        elif kind == "ENV":
            name, _, value = rest.partition("=")
            env[name] = value
    if not replicas:
        raise AegraError(f"local.sh up printed no replica:\n{output}")
    return AegraCluster(folder, tuple(replicas), env)


def healthy(url: str) -> bool:
    """Whether a replica answers its health check (which needs no token)."""
    return answers(f"{url}/health")


@contextmanager
def aegra_cluster(
    folder: Path, env: Mapping[str, str], replicas: int = 2
) -> Iterator[AegraCluster]:
    """`local.sh up folder replicas` until the block ends, then `local.sh down folder`."""
    environment = server_environment(env)
    started = subprocess.run(
        [str(LOCAL_SH), "up", str(folder), str(replicas)],
        env=environment, capture_output=True, text=True, timeout=UP_SECONDS, check=False,
    )
    try:
        if started.returncode != 0:
            raise AegraError(
                f"local.sh up exited {started.returncode}:\n{started.stdout}\n{started.stderr}"
            )
        yield parse_up(started.stdout, folder)
    finally:
        subprocess.run([str(LOCAL_SH), "down", str(folder)], env=environment,
                       capture_output=True, timeout=120, check=False)
