"""The graph behind a real `langgraph dev` server, driven through `langgraph_sdk`.

This is what LangGraph Studio talks to: the server is started from the
checkout exactly as the README's "Open in LangGraph Studio" says (its offline
settings, `langgraph.json`, a free 127.0.0.1 port), with `OKX_CLI` pointing at
the simulator, and a whole login runs through threads, runs and resumes. A
server that cannot start fails the test with its own output: nothing here is
skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

import pytest
from langgraph_sdk import get_sync_client
from langgraph_sdk.schema import Thread

from benchmarks.dev_server import ROOT
from okx_auth_graph.context import AuthContext
from tests.expected import SCOPES, SEED_MENU, SITES, STATUS, URIS, inbox_payload
from tests.server.servers import serving
from tests.support import CallLog, Simulator


@dataclass(frozen=True)
class Server:
    """A running server and the okx calls its graphs made."""

    url: str
    calls: CallLog


@pytest.fixture(scope="module")
def langgraph_dev(tmp_path_factory: pytest.TempPathFactory, sim_path: str) -> Iterator[Server]:
    """A `langgraph dev` server of this checkout, offline, on a free port (one per module)."""
    folder = tmp_path_factory.mktemp("langgraph-dev")
    calls = CallLog(folder / "okx-calls.jsonl")
    env = {"OKX_CLI": sim_path, "OKX_SIM_LOG": str(calls.path)}
    with serving(folder, env) as server:
        yield Server(server.url, calls)


def _open_questions(thread: Thread) -> list[dict[str, Any]]:
    """The payloads of the thread's pending interrupts."""
    return [item["value"] for items in thread["interrupts"].values() for item in items]


def test_the_server_serves_every_graph_of_langgraph_json(langgraph_dev: Server) -> None:
    client = get_sync_client(url=langgraph_dev.url)

    served = {
        assistant["graph_id"]: assistant["description"]
        for assistant in client.assistants.search(limit=100)
    }

    declared = json.loads((ROOT / "langgraph.json").read_text())["graphs"]
    assert set(declared) == {"okx_auth", "trading_agent"}
    assert served == {graph: spec["description"] for graph, spec in declared.items()}
    assert all(served.values())  # Studio shows a description for each


def test_studio_describes_every_context_field(langgraph_dev: Server) -> None:
    """The context form Studio draws comes from the published schema: each field is described."""
    client = get_sync_client(url=langgraph_dev.url)

    published = {
        assistant["graph_id"]: client.assistants.get_schemas(assistant["assistant_id"])[
            "context_schema"
        ]
        for assistant in client.assistants.search(limit=100)
    }

    assert set(published) == {"okx_auth", "trading_agent"}  # both take an AuthContext
    for schema in published.values():
        assert schema is not None
        descriptions = {name: spec.get("description")
                        for name, spec in schema["properties"].items()}
        assert set(descriptions) == {field.name for field in fields(AuthContext)}
        assert all(isinstance(text, str) and text.strip() for text in descriptions.values())


def test_a_whole_login_through_the_langgraph_server(
    langgraph_dev: Server, sim: Simulator
) -> None:
    client = get_sync_client(url=langgraph_dev.url)
    thread_id = client.threads.create()["thread_id"]
    context = {"okx_home": str(sim.home)}

    request: dict[str, Any] = {
        "messages": [{"role": "user", "content": "Please log me in to OKX"}]
    }
    client.runs.wait(thread_id, "okx_auth", input=request, context=context)
    at_menu = client.threads.get(thread_id)
    client.runs.wait(thread_id, "okx_auth", command={"resume": "2"}, context=context)
    at_code = client.threads.get(thread_id)
    sim.browser("approve")
    final = client.runs.wait(thread_id, "okx_auth", command={"resume": "done"}, context=context)
    ended = client.threads.get(thread_id)

    assert at_menu["status"] == "interrupted"
    assert _open_questions(at_menu) == [
        inbox_payload({"kind": "site_choice", "message": SEED_MENU, "choices": SITES})
    ]
    assert at_code["status"] == "interrupted"
    (question,) = _open_questions(at_code)
    assert question["kind"] == "authorization_done"
    assert (question["site"], question["verification_uri"], question["expires_in"]) == (
        "eea", URIS["eea"], 600
    )
    assert isinstance(final, dict)
    assert final["okx_auth"]["status"] == "logged_in"
    assert (final["okx_auth"]["site"], final["okx_auth"]["scopes"]) == ("eea", SCOPES)
    assert ended["status"] == "idle"
    argvs = langgraph_dev.calls.argvs()
    login = ["auth", "login", "--manual", "--site", "eea"]
    assert argvs.count(login) == 1
    assert argvs[argvs.index(login) + 1:] == [STATUS]  # one check after "done", no polling
