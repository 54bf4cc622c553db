"""Two Aegra replicas on one PostgreSQL and one Redis, as `deploy/aegra/local.sh` starts them.

Any replica may run any run, so a login may begin on one, be answered through
the other and finish on the first; a replica may die (`kill -9`) in the middle
of a CLI call and the survivor finishes the login from its checkpoint; the
database may drop every connection while a login waits. The leases are
shortened here (`LEASES`) so a dead replica's run is taken over in seconds.

The CLI is okx-sim behind a small wrapper, slower for two users. The
`crash` user's `auth status` waits a few seconds and leaves its pid in the
user's HOME while it runs, so the test knows which replica is running it;
every call of `mallory`'s waits too and notes its start and end, so the test
can count how many of her processes ran at once. The module's
tests run in file order: one kills a replica, and the last one, on the
survivor, has the database drop every connection.
"""

from __future__ import annotations

import re
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient

from benchmarks.aegra import AegraCluster, healthy
from okx_auth_graph.isolation import MAX_CLI_PROCESSES_ENV
from okx_auth_graph.server.tokens import SECRET_ENV
from tests.expected import SEED_MENU
from tests.server.servers import on_aegra
from tests.server.tokens import Minter
from tests.support import CallLog, Simulator

LEASES = {"LEASE_DURATION_SECONDS": "5", "HEARTBEAT_INTERVAL_SECONDS": "1",
          "REAPER_INTERVAL_SECONDS": "1"}
"""A run whose replica stops renewing its lease is re-queued within about 6 s."""
SLOW_STATUS_SECONDS = 3
"""How long the `crash` user's `auth status` takes: long enough to kill its replica meanwhile."""
IN_FLIGHT = ".status-in-flight"
"""The file in the `crash` user's HOME that holds the pid of its running `auth status`."""
LOGIN_EEA = ["auth", "login", "--manual", "--site", "eea"]
SLOW_SECONDS = 2
"""How long each of `mallory`'s CLI calls takes."""
SPANS = ".spans"
"""The file in `mallory`'s HOME where each of her CLI calls notes its start and its end."""
CLI_PROCESSES = 2
"""`OKX_AUTH_MAX_CLI_PROCESSES` on each replica here."""
CROWD = 20
"""How many runs `mallory` starts at once."""
OPEN_PATHS = {"/", "/info", "/health", "/ready", "/live"}
"""Aegra's status and health routes: they answer without a token and hold no user's data."""


def wrapper(sim_path: str) -> str:
    return f"""#!/bin/sh
if [ "$(basename "$HOME")" = mallory ]; then
  echo "start $$" >> "$HOME/{SPANS}"
  sleep {SLOW_SECONDS}
  "{sim_path}" "$@"
  code=$?
  echo "end $$" >> "$HOME/{SPANS}"
  exit $code
fi
if [ "$(basename "$HOME")" = crash ] && [ "$1 $2" = "auth status" ]; then
  echo $$ > "$HOME/{IN_FLIGHT}"
  sleep {SLOW_STATUS_SECONDS}
  rm -f "$HOME/{IN_FLIGHT}"
fi
exec "{sim_path}" "$@"
"""


class Users:
    """Token-bearing SDK clients for the cluster's replicas."""

    def __init__(
        self, cluster: AegraCluster, minter: Minter, calls: CallLog, sim_path: str
    ) -> None:
        self.cluster, self.minter, self.calls, self.sim_path = cluster, minter, calls, sim_path

    def on(self, replica: int, identity: str) -> SyncLangGraphClient:
        return get_sync_client(url=self.cluster.replicas[replica].url, api_key=None,
                               headers=self.minter.header(identity))

    def alive(self) -> list[int]:
        """The indexes of the replicas still running."""
        return [index for index, replica in enumerate(self.cluster.replicas) if replica.alive()]

    def approve(self, identity: str) -> None:
        """The user approves the pending code in the browser (the simulator's side)."""
        Simulator(self.sim_path, self.cluster.homes / identity, self.calls).browser("approve")

    def logins(self, identity: str) -> list[list[str]]:
        home = str(self.cluster.homes / identity)
        return [entry["argv"] for entry in self.calls.entries()
                if entry["home"] == home and entry["argv"][:2] == ["auth", "login"]]


@pytest.fixture(scope="module")
def users(
    tmp_path_factory: pytest.TempPathFactory, sim_path: str
) -> Iterator[Users]:
    folder = tmp_path_factory.mktemp("aegra")
    cli = folder / "okx"
    cli.write_text(wrapper(sim_path))
    cli.chmod(cli.stat().st_mode | stat.S_IXUSR)
    minter, calls = Minter.fresh(), CallLog(folder / "okx-calls.jsonl")
    env = {"OKX_CLI": str(cli), "OKX_SIM_LOG": str(calls.path), SECRET_ENV: minter.secret,
           MAX_CLI_PROCESSES_ENV: str(CLI_PROCESSES), **LEASES}
    with on_aegra(folder / "cluster", env, replicas=2) as cluster:
        yield Users(cluster, minter, calls, sim_path)


def message(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


def question(client: SyncLangGraphClient, thread_id: str) -> dict[str, Any]:
    """The one question the thread waits on."""
    (asked,) = [item["value"] for item in client.threads.get_state(thread_id)["interrupts"]]
    return dict(asked)


def code_in(text: str) -> str:
    found = re.search(r"[A-Z]{4}-[A-Z]{4}", text)
    assert found, text
    return found.group(0)


def values(client: SyncLangGraphClient, thread_id: str) -> dict[str, Any]:
    state = client.threads.get_state(thread_id)["values"]
    assert isinstance(state, dict)
    return state


def test_every_route_but_health_needs_a_token(users: Users) -> None:
    """Each path of the engine's own OpenAPI description, called without a token."""
    url = users.cluster.replicas[0].url
    spec = httpx.get(f"{url}/openapi.json", timeout=10).json()
    answered: dict[str, int] = {}
    for path, operations in spec["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)
        for method in operations:
            body: dict[str, Any] | None = {} if method in ("post", "put", "patch") else None
            status = httpx.request(method.upper(), f"{url}{concrete}", json=body,
                                   timeout=10).status_code
            if status != 401:
                answered[f"{method.upper()} {path}"] = status
    assert len(spec["paths"]) > 30  # threads, runs, assistants, store, crons...
    assert answered == {f"GET {path}": 200 for path in OPEN_PATHS}


def test_a_login_moves_between_replicas_and_finishes(users: Users) -> None:
    """The menu on A, the choice through B, "done" through A."""
    on_a, on_b = users.on(0, "alice"), users.on(1, "alice")
    thread_id = on_a.threads.create()["thread_id"]

    on_a.runs.wait(thread_id, "okx_auth", input=message("log me in to OKX"))
    assert question(on_b, thread_id)["message"] == SEED_MENU
    on_b.runs.wait(thread_id, "okx_auth", command={"resume": "2"})
    shown = question(on_a, thread_id)
    assert shown["kind"] == "authorization_done"
    users.approve("alice")
    on_a.runs.wait(thread_id, "okx_auth", command={"resume": "done"})

    assert values(on_b, thread_id)["okx_auth"]["status"] == "logged_in"
    assert users.logins("alice") == [LOGIN_EEA]


def test_another_users_thread_is_refused_on_every_replica(users: Users) -> None:
    erin = users.on(0, "erin")
    thread_id = erin.threads.create()["thread_id"]
    erin.runs.wait(thread_id, "okx_auth", input=message("log me in"))
    for bob in (users.on(0, "bob"), users.on(1, "bob")):
        for call in (bob.threads.get, bob.threads.get_state):
            with pytest.raises(httpx.HTTPStatusError) as refused:
                call(thread_id)
            assert refused.value.response.status_code == 404
        with pytest.raises(httpx.HTTPStatusError) as refused:
            bob.runs.wait(thread_id, "okx_auth", command={"resume": "1"})
        assert refused.value.response.status_code == 404
    assert question(erin, thread_id)["message"] == SEED_MENU


def spans(users: Users) -> list[str]:
    """`mallory`'s CLI calls so far, as `start PID` and `end PID` lines in order."""
    path = users.cluster.homes / "mallory" / SPANS
    return path.read_text().splitlines() if path.exists() else []


def test_one_users_crowd_of_slow_runs_does_not_hold_another_users_status(
    users: Users,
) -> None:
    """Mallory starts 20 runs whose CLI calls are slow; Bob's status check is answered
    while they are still running, and her calls never exceed her slots."""
    mallory = users.on(0, "mallory")
    threads = [mallory.threads.create()["thread_id"] for _ in range(CROWD)]
    for thread_id in threads:
        mallory.runs.create(thread_id, "okx_auth", input={
            **message("status"), "okx_auth_request": {"action": "status"}})
    wait_until(lambda: len(spans(users)) >= CLI_PROCESSES, 60, "mallory's calls started")

    bob = users.on(1, "bob").runs.wait(None, "okx_auth", input={
        **message("status"), "okx_auth_request": {"action": "status"}})
    seen_when_bob_was_answered = spans(users)

    assert isinstance(bob, dict)
    assert bob["okx_auth"]["status"] == "not_logged_in"
    ended = [line for line in seen_when_bob_was_answered if line.startswith("end")]
    assert len(ended) < CROWD  # each of her runs makes a call at least: some had not ended
    for thread_id in threads:
        wait_until(idle_on(mallory, thread_id), 180, "mallory's run ended")
        assert values(mallory, thread_id)["okx_auth"]["status"] == "not_logged_in"
    running, most = 0, 0
    for line in spans(users):
        running += 1 if line.startswith("start") else -1
        most = max(most, running)
    home = str(users.cluster.homes / "mallory")
    assert len(spans(users)) == 2 * sum(entry["home"] == home for entry in users.calls.entries())
    assert most <= CLI_PROCESSES * len(users.cluster.replicas)  # the bound is per replica


def replica_running(users: Users, pid: int) -> int:
    """The index of the replica whose process started `pid`."""
    parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    (index,) = [i for i, r in enumerate(users.cluster.replicas) if r.pid == parent]
    return index


def test_a_replica_killed_in_a_cli_call_leaves_the_login_to_the_survivor(users: Users) -> None:
    """`kill -9` of the replica running "done"'s `auth status`: the other one finishes it,
    and the user's one device code is the only one ever minted."""
    starter = users.on(0, "crash")
    thread_id = starter.threads.create()["thread_id"]
    starter.runs.wait(thread_id, "okx_auth", input=message("log me in"))
    starter.runs.wait(thread_id, "okx_auth", command={"resume": "2"})
    code = code_in(question(starter, thread_id)["message"])
    users.approve("crash")

    starter.runs.create(thread_id, "okx_auth", command={"resume": "done"})
    marker = users.cluster.homes / "crash" / IN_FLIGHT
    wait_until(marker.exists, 30, "the status check after done started")
    victim = replica_running(users, int(marker.read_text()))
    users.cluster.replicas[victim].kill()
    survivor_index = 1 - victim
    survivor = users.on(survivor_index, "crash")

    wait_until(lambda: not users.cluster.replicas[victim].alive(), 10, "the replica died")
    wait_until(idle_on(survivor, thread_id), 120, "the survivor finished the login")
    state = values(survivor, thread_id)
    assert state["okx_auth"]["status"] == "logged_in"
    assert code in "\n".join(str(m["content"]) for m in state["messages"])
    assert users.logins("crash") == [LOGIN_EEA]
    assert healthy(users.cluster.replicas[survivor_index].url)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll `condition` until it holds; fail the test naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds:g}s")
        time.sleep(0.2)


def idle_on(client: SyncLangGraphClient, thread_id: str) -> Callable[[], bool]:
    def idle() -> bool:
        try:
            return bool(client.threads.get(thread_id)["status"] == "idle")
        except httpx.HTTPError:
            time.sleep(0.5)
            return False
    return idle


def test_a_waiting_login_survives_the_database_dropping_every_connection(users: Users) -> None:
    alive = users.alive()
    carol = users.on(alive[0], "carol")
    thread_id = carol.threads.create()["thread_id"]
    carol.runs.wait(thread_id, "okx_auth", input=message("log me in"))
    carol.runs.wait(thread_id, "okx_auth", command={"resume": "2"})
    code = code_in(question(carol, thread_id)["message"])

    with psycopg.connect(users.cluster.env["DATABASE_URL"], autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = 'aegra' AND pid <> pg_backend_pid()"
        ).fetchone()
    assert dropped is not None
    assert dropped[0] > 0

    users.approve("carol")
    answer_through_any_replica(users, "carol", thread_id, "done")
    state = values(users.on(alive[-1], "carol"), thread_id)
    assert state["okx_auth"]["status"] == "logged_in"
    assert code in "\n".join(str(m["content"]) for m in state["messages"])
    assert users.logins("carol") == [LOGIN_EEA]


def answer_through_any_replica(users: Users, identity: str, thread_id: str, text: str) -> None:
    """Answer the thread, again through the other replica if the run fails.

    After the database dropped its connections, the first run a replica takes
    may wait out its connection pool's timeout (30 s) and end in an error
    (Aegra's "couldn't get a connection"). Aegra then marks the thread as
    failed and refuses a resume, but the checkpoint, and the question waiting
    in it, is untouched: the user's answer, typed again as a new message, is
    read as the answer to that question.
    """
    alive = users.alive()
    for attempt in range(3):
        client = users.on(alive[attempt % len(alive)], identity)
        try:
            if attempt == 0:
                client.runs.wait(thread_id, "okx_auth", command={"resume": text})
            else:
                client.runs.wait(thread_id, "okx_auth", input=message(text))
            return
        except Exception:  # the SDK raises a bare Exception for a run that errored
            if attempt == 2:
                raise
