"""The okx CLI behind a real multi-user server gets none of the server's secrets.

`langgraph dev --config langgraph.multiuser.json` runs with its JWT secret,
`OKX_AUTH_HOMES`, a database URL, a model key and an operator's own OKX
credentials in its environment, and with `OKX_CLI` naming a wrapper that
records the environment of every okx call into the caller's HOME before it
goes on as the simulator. Alice logs in and asks for her status through the
server; every call she caused got the allow-list only: no secret of the
server's, no OKX credential, her own HOME. And the graph does not take the
operator's `OKX_API_KEY` for hers: she is offered the site menu, not told
that a key is configured.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from okx_auth_graph.isolation import HOMES_ENV, MAX_LOGIN_TIMEOUT_ENV
from okx_auth_graph.server.tokens import SECRET_ENV
from tests.expected import SCOPES, SEED_MENU
from tests.okx.test_cli_environment import (
    CREDENTIALS,
    assert_nothing_unlisted,
    recording_cli,
    recordings,
)
from tests.server.servers import Server, ask, serving
from tests.server.tokens import Minter
from tests.support import CallLog, Simulator

CONFIG = "langgraph.multiuser.json"

SERVER_SECRETS = {
    "DATABASE_URL": "postgresql://app:pw@db.internal/app",
    "OPENAI_API_KEY": "sk-planted-openai-key-0001",
    "NODE_OPTIONS": "--max-old-space-size=4096",
    "OKX_AUTH_MAX_TIMEOUT_SECONDS": "29.5",
}
"""Settings a server holds that no CLI call needs (besides the JWT secret and the homes)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sim_path: str) -> Iterator[Server]:
    """A multi-user server whose environment holds everything the CLI must not get."""
    folder = tmp_path_factory.mktemp("cli-environment")
    minter, homes = Minter.fresh(), folder / "homes"
    calls = CallLog(folder / "okx-calls.jsonl")
    wrapper = recording_cli(folder / "bin", then=sim_path)
    env = {
        "OKX_CLI": str(wrapper), "OKX_SIM_LOG": str(calls.path), HOMES_ENV: str(homes),
        SECRET_ENV: minter.secret, MAX_LOGIN_TIMEOUT_ENV: "5",
        **CREDENTIALS, **SERVER_SECRETS,
    }
    with serving(folder, env, config=CONFIG) as running:
        yield Server(running.url, minter, homes, calls, sim_path)


def test_alices_login_and_status_hand_the_cli_nothing_of_the_servers(server: Server) -> None:
    alice = server.client("alice")
    home = server.homes / "alice"
    thread_id = alice.threads.create()["thread_id"]

    first = ask(alice, thread_id, input={"messages": [{"role": "user", "content": "log me in"}]})
    ask(alice, thread_id, command={"resume": "2"})
    Simulator(server.sim_path, home, server.calls).browser("approve")
    final = ask(alice, thread_id, command={"resume": "done"})
    status = ask(alice, None, input={"messages": [{"role": "user", "content": "status?"}],
                                     "okx_auth_request": {"action": "status"}})

    assert first["messages"][-1]["content"] == SEED_MENU
    assert final["okx_auth"] == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert status["okx_auth"]["status"] == "logged_in"
    envs = recordings(home)
    calls = [entry for entry in server.calls.entries() if entry["argv"][:1] != ["browser"]]
    assert len(envs) == len(calls) >= 5  # config show, status, login, status; status
    planted = {**CREDENTIALS, **SERVER_SECRETS, SECRET_ENV: server.minter.secret,
               HOMES_ENV: str(server.homes)}
    for env in envs:
        assert_nothing_unlisted(env)
        assert not set(planted) & set(env)
        assert not set(planted.values()) & set(env.values())
        assert "OKX_CLI" not in env
        assert env["HOME"] == str(home)
        assert env["OKX_SIM_LOG"] == str(server.calls.path)
