"""`langgraph.multiuser.json` behind a real `langgraph dev`: two users, and every probe refused.

The server runs as the README's "Serving many users" says: okx-sim as the CLI
through `OKX_CLI`, one HOME per identity under `OKX_AUTH_HOMES`, HS256
tokens. Alice and Bob each hold a token of their own and talk to it through
`langgraph_sdk`; Bob then tries everything a second user tried against the
single-user config (reading, resuming, taking over, updating and deleting
Alice's thread; pointing his runs at Alice's HOME or at a program of his
own), and each attempt is refused or acts on Bob's own HOME only. The
simulator logs the HOME of every call, which is how "only his own" is shown.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import SyncLangGraphClient

from benchmarks.dev_server import ROOT
from okx_auth_graph.isolation import MAX_LOGIN_TIMEOUT_ENV
from okx_auth_graph.server.tokens import SECRET_ENV
from tests.expected import SCOPES, SEED_MENU, STATUS
from tests.server.servers import Server, ask, on_aegra, serving
from tests.server.tokens import Minter, unsigned_token
from tests.support import CallLog

CONFIG = "langgraph.multiuser.json"
LISTED_ORIGIN = "http://localhost:3000"
"""An origin the config lists for CORS."""
LOGIN = ["auth", "login", "--manual", "--site", "eea"]
BLOCKING_LOGIN_CEILING = 5
"""The server's `OKX_AUTH_MAX_LOGIN_TIMEOUT_SECONDS` here."""


@pytest.fixture(scope="module", params=["langgraph dev", "aegra"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sim_path: str
) -> Iterator[Server]:
    """One multi-user server per engine for the module (each takes a while to start).

    The same attacks run against `langgraph dev` and against Aegra (one
    replica of `deploy/aegra/local.sh`): the guarantees are the auth module's
    and the graph's own, not an engine's.
    """
    folder = tmp_path_factory.mktemp("multiuser")
    minter = Minter.fresh()
    calls = CallLog(folder / "okx-calls.jsonl")
    env = {"OKX_CLI": sim_path, "OKX_SIM_LOG": str(calls.path), SECRET_ENV: minter.secret,
           # A blocking login that slipped through would end in seconds, not hang the suite.
           MAX_LOGIN_TIMEOUT_ENV: str(BLOCKING_LOGIN_CEILING)}
    if request.param == "aegra":
        with on_aegra(folder / "aegra", env, replicas=1) as cluster:
            yield Server(cluster.replicas[0].url, minter, cluster.homes, calls, sim_path)
        return
    homes = folder / "homes"
    with serving(folder, env | {"OKX_AUTH_HOMES": str(homes)}, config=CONFIG) as running:
        yield Server(running.url, minter, homes, calls, sim_path)


def request(text: str, action: str | None = None) -> dict[str, Any]:
    """A run's input: the user's message, and an entry request when not a login."""
    turn: dict[str, Any] = {"messages": [{"role": "user", "content": text}]}
    if action is not None:
        turn["okx_auth_request"] = {"action": action}
    return turn


def open_question(client: SyncLangGraphClient, thread_id: str) -> dict[str, Any]:
    """The payload of the thread's one pending interrupt."""
    assert client.threads.get(thread_id)["status"] == "interrupted"
    (question,) = [item["value"] for item in client.threads.get_state(thread_id)["interrupts"]]
    return dict(question)


def owner_of(thread: Any) -> Any:
    """The `owner` a thread's metadata names."""
    return (thread["metadata"] or {}).get("owner")


def refused(call: Any, *statuses: int) -> int:
    """Run `call`; it must fail with one of `statuses`. Returns the status."""
    with pytest.raises(httpx.HTTPStatusError) as error:  # the SDK's errors derive from it
        call()
    status = error.value.response.status_code
    assert status in statuses, error.value
    return status


def runs_seen(call: Any) -> list[Any]:
    """The runs a listing shows: none when refused (`langgraph dev` answers 404 for another
    user's thread, Aegra an empty list; either way nothing of the thread is shown)."""
    try:
        return list(call())
    except httpx.HTTPStatusError as error:
        if error.response.status_code != 404:
            raise
        return []


@dataclass(frozen=True)
class WaitingLogin:
    """Alice's thread, paused with her device code on screen."""

    thread_id: str
    question: dict[str, Any]


@pytest.fixture(scope="module")
def alices_code(server: Server) -> WaitingLogin:
    """Alice asks to log in and picks EEA: her code is shown, her thread waits for "done"."""
    alice = server.client("alice")
    thread_id = alice.threads.create()["thread_id"]
    ask(alice, thread_id, input=request("Please log me in to OKX"))
    assert open_question(alice, thread_id)["message"] == SEED_MENU
    ask(alice, thread_id, command={"resume": "2"})
    return WaitingLogin(thread_id, open_question(alice, thread_id))


def test_the_graphs_are_listed_with_the_single_user_descriptions(server: Server) -> None:
    """Both configs serve the same graphs: Studio and the SDK describe them alike on either."""
    served = {
        assistant["graph_id"]: assistant["description"]
        for assistant in server.client("alice").assistants.search(limit=100)
    }

    declared = json.loads((ROOT / "langgraph.json").read_text())["graphs"]
    assert served == {graph: spec["description"] for graph, spec in declared.items()}
    assert all(served.values())


def test_alices_login_status_and_logout_run_in_her_own_home(
    server: Server, alices_code: WaitingLogin
) -> None:
    alice = server.client("alice")
    assert alices_code.question["kind"] == "authorization_done"
    assert alices_code.question["site"] == "eea"
    since = len(server.calls.entries())
    server.browser("alice").browser("approve")

    final = ask(alice, alices_code.thread_id, command={"resume": "done"})
    status = ask(alice, None, input=request("am I logged in?", "status"))
    out = ask(alice, None, input=request("log me out", "logout"))
    after = ask(alice, None, input=request("am I logged in?", "status"))

    assert final["okx_auth"] == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert status["okx_auth"]["status"] == "logged_in"
    assert out["okx_auth"] == {"status": "not_logged_in"}
    assert after["okx_auth"]["status"] == "not_logged_in"
    assert server.homes_called(since) == {str(server.home("alice"))}
    assert stat.S_IMODE(server.home("alice").stat().st_mode) == 0o700
    assert stat.S_IMODE(server.homes.stat().st_mode) == 0o700


def test_bobs_own_login_runs_in_his_home_with_his_own_code(
    server: Server, alices_code: WaitingLogin
) -> None:
    bob = server.client("bob")
    thread_id = bob.threads.create()["thread_id"]
    since = len(server.calls.entries())

    ask(bob, thread_id, input=request("帮我登录"))
    ask(bob, thread_id, command={"resume": "2"})
    question = open_question(bob, thread_id)
    server.browser("bob").browser("approve")
    final = ask(bob, thread_id, command={"resume": "好了"})

    assert question["user_code"] != alices_code.question["user_code"]
    assert final["okx_auth"] == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert server.homes_called(since) == {str(server.home("bob"))}
    argvs = server.calls.argvs()[since:]
    assert argvs.count(LOGIN) == 1
    assert argvs[argvs.index(LOGIN) + 1:] == [STATUS]


def test_bob_cannot_read_alices_thread_its_state_history_or_runs(
    server: Server, alices_code: WaitingLogin
) -> None:
    bob, thread_id = server.client("bob"), alices_code.thread_id

    refused(lambda: bob.threads.get(thread_id), 404)
    refused(lambda: bob.threads.get_state(thread_id), 404)
    refused(lambda: bob.threads.get_history(thread_id), 404)
    assert not runs_seen(lambda: bob.runs.list(thread_id))
    found = [t["thread_id"] for t in bob.threads.search(limit=100)]

    assert thread_id not in found
    assert all(owner_of(t) == "bob" for t in bob.threads.search(limit=100))


def test_bob_cannot_take_over_resume_update_or_delete_alices_thread(
    server: Server, alices_code: WaitingLogin
) -> None:
    bob, thread_id = server.client("bob"), alices_code.thread_id
    since = len(server.calls.entries())

    refused(lambda: bob.threads.create(thread_id=thread_id, if_exists="do_nothing"), 409)
    refused(lambda: bob.threads.create(thread_id=thread_id, if_exists="raise"), 409)
    refused(lambda: bob.runs.wait(thread_id, "okx_auth", command={"resume": "done"}), 404)
    refused(lambda: bob.threads.update(thread_id, metadata={"owner": "bob"}), 404)
    refused(lambda: bob.threads.update_state(thread_id, {"messages": []}), 403, 404)
    refused(lambda: bob.threads.delete(thread_id), 404)

    alice = server.client("alice")
    assert owner_of(alice.threads.get(thread_id)) == "alice"
    assert server.homes_called(since) == set()


def test_a_home_named_in_context_or_configurable_is_ignored(
    server: Server, alices_code: WaitingLogin
) -> None:
    bob = server.client("bob")
    alices_home = str(server.home("alice"))
    since = len(server.calls.entries())

    by_context = ask(bob, None, input=request("status", "status"),
                     context={"okx_home": alices_home})
    by_config = ask(bob, None, input=request("status", "status"),
                    config={"configurable": {"okx_home": alices_home}})
    via_app = server.client("bob").runs.wait(
        None, "trading_agent", input=request("what is my balance?"),
        context={"okx_home": alices_home},
    )

    assert isinstance(via_app, dict)
    assert by_context["okx_auth"] == by_config["okx_auth"]
    assert server.homes_called(since) == {str(server.home("bob"))}


def test_a_forged_owner_or_user_id_is_overwritten(server: Server) -> None:
    bob = server.client("bob")
    thread = bob.threads.create(metadata={"owner": "alice"})
    since = len(server.calls.entries())

    ask(bob, thread["thread_id"], input=request("status", "status"),
        config={"configurable": {"langgraph_auth_user_id": "alice",
                                 "langgraph_auth_user": {"identity": "alice"}}},
        metadata={"owner": "alice"})

    assert owner_of(thread) == "bob"
    assert owner_of(bob.threads.get(thread["thread_id"])) == "bob"
    refused(lambda: server.client("alice").threads.get(thread["thread_id"]), 404)
    assert server.homes_called(since) == {str(server.home("bob"))}


def test_a_callers_executable_never_runs(server: Server, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "evil-okx"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    bob = server.client("bob")
    since = len(server.calls.entries())

    ask(bob, None, input=request("status", "status"), context={"okx_cli": str(script)})
    ask(bob, None, input=request("status", "status"),
        config={"configurable": {"okx_cli": str(script)}})

    assert not marker.exists()
    assert [argv for argv in server.calls.argvs()[since:]] == [STATUS, STATUS]


def test_a_callers_login_mode_is_dropped(server: Server) -> None:
    carol = server.client("carol")
    thread_id = carol.threads.create()["thread_id"]
    context = {"login_mode": "interactive", "login_timeout_seconds": 86400}

    ask(carol, thread_id, input=request("log me in"), context=context)
    ask(carol, thread_id, command={"resume": "1"}, context=context)

    assert open_question(carol, thread_id)["kind"] == "authorization_done"
    assert ["auth", "login", "--manual", "--site", "global"] in server.calls.argvs()


@pytest.mark.parametrize("command", [
    ["--json", "auth", "login", "--site", "us"],
    ["auth", "--json", "login", "--site", "us"],
    ["--profile", "demo", "auth", "login", "--site", "us"],
])
def test_a_recover_request_cannot_start_a_login_without_the_menu(
    server: Server, command: list[str]
) -> None:
    dave = server.client("dave")
    thread_id = dave.threads.create()["thread_id"]
    since = len(server.calls.entries())
    ask(dave, thread_id, input={
        "messages": [{"role": "user", "content": "retry"}],
        "okx_auth_request": {"action": "recover", "error": "Error: Failed to spawn okx-auth",
                             "command": command},
    })

    assert not any("login" in argv for argv in server.calls.argvs()[since:])
    question = open_question(dave, thread_id)
    assert question["kind"] == "site_choice"
    assert question["message"].endswith(SEED_MENU)  # after "okx-auth was reinstalled"


def test_a_recover_request_never_runs_a_foreign_command_nor_stores_its_secret(
    server: Server,
) -> None:
    erin = server.client("erin")
    thread_id = erin.threads.create()["thread_id"]
    planted = "AKplanted-through-the-server-7777"
    since = len(server.calls.entries())
    ask(erin, thread_id, input={
        "messages": [{"role": "user", "content": "retry"}],
        "okx_auth_request": {
            "action": "recover",
            "error": f"Error: Failed to spawn okx-auth (api_key={planted})",
            "command": ["config", "init", "--api-key", planted, "--secret-key", "s"],
        },
    })

    called = server.calls.argvs()[since:]
    assert called
    assert not any(argv[:1] == ["config"] and "init" in argv for argv in called)
    assert not (server.home("erin") / ".okx" / "config.toml").exists()
    history = erin.threads.get_history(thread_id, limit=100)
    assert history
    assert planted not in json.dumps(history)
    assert planted[:-4] not in json.dumps(history)


def test_assistants_are_readable_but_never_created_or_changed(server: Server) -> None:
    bob = server.client("bob")
    served = bob.assistants.search(limit=100)
    assistant_id = next(a["assistant_id"] for a in served if a["graph_id"] == "okx_auth")

    refused(lambda: bob.assistants.create(
        "okx_auth", context={"okx_home": "/root"}, name="mine"), 403)
    refused(lambda: bob.assistants.update(assistant_id, context={"okx_home": "/root"}), 403)
    refused(lambda: bob.assistants.delete(assistant_id), 403)
    assert bob.assistants.get(assistant_id)["graph_id"] == "okx_auth"
    assert {a["graph_id"] for a in served} == {"okx_auth", "trading_agent"}


def test_crons_and_the_store_are_denied(server: Server) -> None:
    bob = server.client("bob")
    thread_id = bob.threads.create()["thread_id"]

    refused(lambda: bob.crons.create_for_thread(thread_id, "okx_auth", schedule="* * * * *",
                                                input=request("status", "status")), 403)
    refused(lambda: bob.store.put_item(("bob",), "k", {"v": 1}), 403)
    refused(lambda: bob.store.search_items(("alice",)), 403)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-auth-scheme": "langsmith"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Bearer {Minter.fresh().token('alice')}"},  # another key
        {"Authorization": f"Bearer {unsigned_token('alice')}"},
    ],
    ids=["no-token", "studio-header", "garbage", "forged", "alg-none"],
)
def test_no_valid_token_gets_401(server: Server, headers: dict[str, str]) -> None:
    response = httpx.post(f"{server.url}/threads/search", json={}, headers=headers)
    assert response.status_code == 401, response.text


def test_an_expired_token_gets_401(server: Server) -> None:
    expired = server.minter.token("alice", lifetime=-120)
    response = httpx.post(f"{server.url}/threads/search", json={},
                          headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.text


def test_cors_answers_only_the_listed_origins(server: Server) -> None:
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(f"{server.url}/runs/wait", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        })

    evil, listed = preflight("https://evil.example"), preflight(LISTED_ORIGIN)
    simple = httpx.post(f"{server.url}/runs/wait", content='{"assistant_id": "okx_auth"}',
                        headers={"Origin": "https://evil.example", "Content-Type": "text/plain"})

    assert "access-control-allow-origin" not in evil.headers
    assert listed.headers["access-control-allow-origin"] == LISTED_ORIGIN
    assert simple.status_code == 401
    assert "access-control-allow-origin" not in simple.headers


def test_a_stateless_run_is_owned_too(server: Server) -> None:
    dave = server.client("dave")
    since = len(server.calls.entries())
    result = ask(dave, None, input=request("status", "status"))
    assert result["okx_auth"]["status"] == "not_logged_in"
    assert server.homes_called(since) == {str(server.home("dave"))}
