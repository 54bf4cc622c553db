"""Item 7: logins per second through the multi-user server, against what the machine allows.

A real `langgraph dev` serves `langgraph.multiuser.json` on loopback with
okx-sim as the CLI, `--n-jobs-per-worker` set to the number of users as the
README says (the server runs one run at a time otherwise). N users, each with
a token of their own, log in at once through the async SDK (one task per
user, so at most N requests in flight): a thread, the first run (the menu),
the site choice (the code), the browser's approval in that user's HOME, and
"done" (logged in). Every `runs.wait` is one **turn**.

The machine's limit comes from the same run: the CPU the server's okx-sim
processes used (the server process's reaped children), per login, against
the machine's cores. The server is CPU-bound by those process starts, so
logins per second can approach cores / CLI CPU per login but not pass it.

Item 10 sends the same crowd through the production engine instead: an Aegra
cluster (`deploy/aegra/local.sh`, PostgreSQL, Redis, 1 or 2 replicas sharing
`OKX_AUTH_HOMES`). Users are spread round-robin over the replicas and each
turn goes to the next replica, so a login is resumed by a replica that did not
start it, as behind a load balancer. The limit is measured the same way, from
every replica's reaped children.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from benchmarks.aegra import aegra_cluster
from benchmarks.clis import BenchmarkError, InProcessSim, simulator_executable
from benchmarks.dev_server import dev_server
from benchmarks.plan import Plan
from okx_auth_graph.isolation import MAX_CLI_PROCESSES, MAX_CLI_PROCESSES_ENV

CONFIG = "langgraph.multiuser.json"
SHARE_GOAL = 0.9
"""Logins per second, as a share of the machine's limit."""
TURNS_PER_LOGIN = 3
"""The first message, the site choice, "done"."""
SECRET_ENV = "OKX_AUTH_JWT_SECRET"  # noqa: S105 - the variable's name, not a secret
HOMES_ENV = "OKX_AUTH_HOMES"
AEGRA_WORKERS = 3
"""Aegra's `WORKER_COUNT`, its default, set explicitly so the report states what ran."""
AEGRA_JOBS_PER_WORKER = 10
"""Aegra's `N_JOBS_PER_WORKER`, its default: 30 runs at once per replica."""


@dataclass(frozen=True)
class LoadRun:
    """N users logging in at once through one server."""

    users: int
    jobs_per_worker: int
    """`--n-jobs-per-worker` of `langgraph dev`; Aegra's `N_JOBS_PER_WORKER`."""
    logins: int
    """Logins that ended `logged_in`."""
    errors: int
    """Users whose login failed (an HTTP error or any other outcome)."""
    seconds: float
    """Wall time from the first request to the last answer."""
    turn_p50: float
    turn_p95: float
    server_cpu_seconds: float
    """CPU of the server process and every process it started and reaped, during the run."""
    cli_cpu_seconds: float
    """The part of it spent in okx-sim processes."""
    client_cpu_seconds: float
    """CPU of the users' side (this process: the SDK, the browser's approvals), same cores."""
    cores: int
    replicas: int = 1
    """Servers the users' turns were spread over."""

    @property
    def logins_per_second(self) -> float:
        return self.logins / self.seconds

    @property
    def cli_cpu_per_login(self) -> float:
        return self.cli_cpu_seconds / max(self.logins, 1)

    @property
    def limit(self) -> float:
        """Logins per second the cores allow when the CLI's processes are the whole cost."""
        return self.cores / self.cli_cpu_per_login if self.cli_cpu_per_login else float("inf")

    @property
    def share_of_limit(self) -> float:
        return self.logins_per_second / self.limit

    @property
    def cli_share_of_server(self) -> float:
        return self.cli_cpu_seconds / self.server_cpu_seconds if self.server_cpu_seconds else 0


@dataclass(frozen=True)
class MultiUserResult:
    """One `LoadRun` per number of users."""

    runs: list[LoadRun]


FAIRNESS_GOAL = 2.0
"""Another user's status turn beside one user's crowd of slow runs, ÷ the same turn alone."""
SLOW_CALL_SECONDS = 4
"""How long each CLI call of the crowd's user takes (the CLI in front of okx-sim waits)."""
CROWDING_USER = "crowd"
STATUS_INPUT = {"messages": [{"role": "user", "content": "status"}],
                "okx_auth_request": {"action": "status"}}


@dataclass(frozen=True)
class FairnessRun:
    """Another user's status turns on one replica: alone, then beside one user's slow crowd."""

    crowd: int
    """The crowd's runs, started at once, each making CLI calls of `SLOW_CALL_SECONDS`."""
    cli_processes: int
    """`OKX_AUTH_MAX_CLI_PROCESSES`: the crowd's user runs no more CLI processes at once."""
    alone: list[float]
    """The other user's status turns with nothing else running, in seconds."""
    beside: list[float]
    """The same turns while the crowd runs."""
    crowd_seconds: float
    """From the crowd's start to its last run's end: the turns above fell inside it."""

    @property
    def ratio(self) -> float:
        """The median turn beside the crowd ÷ the median turn alone."""
        return statistics.median(self.beside) / statistics.median(self.alone)

    @property
    def met(self) -> bool:
        return self.ratio <= FAIRNESS_GOAL


@dataclass(frozen=True)
class AegraResult:
    """Item 10: one `LoadRun` per number of users and of replicas, each on a fresh cluster,
    and the fairness of one replica to a user beside another's crowd."""

    runs: list[LoadRun]
    fairness: FairnessRun


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _token(secret: str, identity: str) -> str:
    import jwt  # the server extra; imported here so the other benchmarks do not need it

    return jwt.encode({"sub": identity, "exp": int(time.time()) + 3600}, secret, "HS256")


def _cpu(pids: Sequence[int]) -> tuple[float, float]:
    """(everything, reaped children) CPU seconds of the server processes, summed."""
    total = reaped = 0.0
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        children = times.children_user + times.children_system
        total += times.user + times.system + children
        reaped += children
    return total, reaped


async def _turn(client: LangGraphClient, thread_id: str | None, turns: list[float],
                **run: Any) -> dict[str, Any]:
    start = time.monotonic()
    result = await client.runs.wait(thread_id, "okx_auth", **run)
    turns.append(time.monotonic() - start)
    if not isinstance(result, dict):
        raise BenchmarkError(f"a run answered {result!r}")
    return result


async def _log_in(urls: Sequence[str], first: int, secret: str, identity: str, home: Path,
                  turns: list[float]) -> bool:
    """One user's whole login; True when it ends `logged_in`.

    With several servers (replicas behind a load balancer) the thread is made
    on `urls[first]` and each turn goes to the next one, so every resume may
    land on a replica that did not run the turn before it.
    """
    headers = {"Authorization": f"Bearer {_token(secret, identity)}"}
    clients = [get_client(url=url, api_key=None, headers=headers) for url in urls]

    def on(step: int) -> LangGraphClient:
        return clients[(first + step) % len(clients)]

    try:
        thread_id = (await on(0).threads.create())["thread_id"]
        await _turn(on(0), thread_id, turns,
                    input={"messages": [{"role": "user", "content": "log me in to OKX"}]})
        await _turn(on(1), thread_id, turns, command={"resume": "2"})
        InProcessSim().control(home, "browser", "approve")
        final = await _turn(on(2), thread_id, turns, command={"resume": "done"})
    except Exception:  # every failure is one error in the count
        return False
    finally:
        for client in clients:
            await client.aclose()
    return bool(final.get("okx_auth", {}).get("status") == "logged_in")


async def _crowd(urls: Sequence[str], secret: str, homes: Path, users: int,
                 turns: list[float]) -> list[bool]:
    return await asyncio.gather(*(
        _log_in(urls, index, secret, f"user-{index:03d}", homes / f"user-{index:03d}", turns)
        for index in range(users)
    ))


def _measure(urls: Sequence[str], pids: Sequence[int], secret: str, homes: Path,
             users: int, jobs_per_worker: int, cores: int) -> LoadRun:
    """Let `users` log in at once through the servers at `urls` (run by `pids`), measure."""
    turns: list[float] = []
    cpu_before, cli_before = _cpu(pids)
    client_before = time.process_time()
    start = time.monotonic()
    outcomes = asyncio.run(_crowd(urls, secret, homes, users, turns))
    seconds = time.monotonic() - start
    client_cpu = time.process_time() - client_before
    cpu_after, cli_after = _cpu(pids)
    logins = sum(outcomes)
    return LoadRun(
        users=users,
        jobs_per_worker=jobs_per_worker,
        logins=logins,
        errors=users - logins,
        seconds=seconds,
        turn_p50=statistics.median(turns) if turns else 0.0,
        turn_p95=_percentile(turns, 0.95),
        server_cpu_seconds=cpu_after - cpu_before,
        cli_cpu_seconds=cli_after - cli_before,
        client_cpu_seconds=client_cpu,
        cores=cores,
        replicas=len(urls),
    )


def run_users(users: int, root: Path, cores: int) -> LoadRun:
    """Start a server sized for `users`, let them all log in at once, measure."""
    folder = root / f"users-{users}"
    folder.mkdir()
    secret = os.urandom(32).hex()
    homes = folder / "homes"
    env = {"OKX_CLI": simulator_executable(), HOMES_ENV: str(homes), SECRET_ENV: secret}
    with dev_server(folder, env, config=CONFIG, jobs_per_worker=users) as server:
        return _measure([server.url], [server.pid], secret, homes, users, users, cores)


def run_aegra_users(users: int, replicas: int, root: Path, cores: int) -> LoadRun:
    """Start an Aegra cluster of `replicas`, let `users` log in at once through it, measure.

    PostgreSQL's and Redis's CPU is not in the server's: they are processes of
    their own, on the same cores.
    """
    folder = root / f"aegra-{replicas}-{users}"
    env = {"OKX_CLI": simulator_executable(), "WORKER_COUNT": str(AEGRA_WORKERS),
           "N_JOBS_PER_WORKER": str(AEGRA_JOBS_PER_WORKER)}
    with aegra_cluster(folder, env, replicas) as cluster:
        return _measure([r.url for r in cluster.replicas], [r.pid for r in cluster.replicas],
                        cluster.env[SECRET_ENV], cluster.homes, users, AEGRA_JOBS_PER_WORKER,
                        cores)


def _slow_for_one_user(folder: Path) -> Path:
    """okx-sim behind a CLI that first waits `SLOW_CALL_SECONDS` for `CROWDING_USER` only."""
    cli = folder / "okx"
    cli.write_text(
        "#!/bin/sh\n"
        f'[ "$(basename "$HOME")" = {CROWDING_USER} ] && sleep {SLOW_CALL_SECONDS}\n'
        f'exec "{simulator_executable()}" "$@"\n'
    )
    cli.chmod(0o755)
    return cli


async def _status_turns(client: LangGraphClient, count: int) -> list[float]:
    """`count` status checks in a row, each on a new thread; each one's seconds."""
    turns: list[float] = []
    for _ in range(count):
        await _turn(client, None, turns, input=STATUS_INPUT)
    return turns


async def _fairness(url: str, secret: str, plan: Plan) -> tuple[list[float], list[float], float]:
    """The other user's turns alone, then beside the crowd; and how long the crowd ran."""
    def client(identity: str) -> LangGraphClient:
        headers = {"Authorization": f"Bearer {_token(secret, identity)}"}
        return get_client(url=url, api_key=None, headers=headers)

    other, crowding = client("other"), client(CROWDING_USER)
    alone = await _status_turns(other, plan.fairness_turns)
    start = time.monotonic()
    crowd = asyncio.gather(*(
        _turn(crowding, None, [], input=STATUS_INPUT)
        for _ in range(plan.fairness_crowd)
    ))
    await asyncio.sleep(SLOW_CALL_SECONDS / 2)  # the crowd's runs have started their calls
    beside = await _status_turns(other, plan.fairness_turns)
    await crowd
    crowd_seconds = time.monotonic() - start
    for each in (other, crowding):
        await each.aclose()
    return alone, beside, crowd_seconds


def run_fairness(plan: Plan, root: Path) -> FairnessRun:
    """One replica; one user's crowd of slow runs beside another user's status checks."""
    folder = root / "aegra-fairness"
    folder.mkdir()
    env = {"OKX_CLI": str(_slow_for_one_user(folder)), "WORKER_COUNT": str(AEGRA_WORKERS),
           "N_JOBS_PER_WORKER": str(AEGRA_JOBS_PER_WORKER),
           MAX_CLI_PROCESSES_ENV: str(MAX_CLI_PROCESSES)}
    with aegra_cluster(folder / "cluster", env, 1) as cluster:
        alone, beside, crowd_seconds = asyncio.run(
            _fairness(cluster.replicas[0].url, cluster.env[SECRET_ENV], plan)
        )
    return FairnessRun(plan.fairness_crowd, MAX_CLI_PROCESSES, alone, beside, crowd_seconds)


def run(plan: Plan) -> MultiUserResult:
    """Each size of crowd on a server of its own."""
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="okx-bench-multiuser-") as tmp:
        return MultiUserResult([run_users(n, Path(tmp), cores) for n in plan.crowd_sizes])


def run_aegra(plan: Plan) -> AegraResult:
    """Each number of replicas with each size of crowd, on a cluster of its own."""
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="okx-bench-aegra-") as tmp:
        return AegraResult(
            [run_aegra_users(users, replicas, Path(tmp), cores)
             for replicas in plan.aegra_replicas for users in plan.aegra_crowd_sizes],
            run_fairness(plan, Path(tmp)),
        )
