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
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_sync_client
from langgraph_sdk.schema import Thread

from tests.expected import SCOPES, SEED_MENU, SITES, STATUS, URIS, inbox_payload
from tests.support import CallLog, Simulator

ROOT = Path(__file__).resolve().parents[2]
LANGGRAPH = str(Path(sys.executable).with_name("langgraph"))
STARTUP_SECONDS = 180.0
"""Generous: the machine is shared, and the server imports every graph before serving."""

OFFLINE_ENV = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",  # langgraph-cli: no usage report
    "LANGGRAPH_NO_VERSION_CHECK": "true",  # langgraph-api: no look-up of newer releases
    "LANGSMITH_TRACING": "false",  # no traces sent to LangSmith
    "LANGCHAIN_TRACING_V2": "false",  # the same, by its older name
    "LANGGRAPH_STRICT_MSGPACK": "true",  # as the README asks of servers
}
"""The README's settings for `langgraph dev`."""

NO_KEYS = ("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "LANGGRAPH_CLOUD_LICENSE_KEY",
           "LANGSMITH_CONTROL_PLANE_API_KEY")
"""With any of these the server would report to LangSmith; it runs without them."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _served_url(log: Path) -> str | None:
    """The API address the server announced (it may differ from the port asked for)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace"))
    found = re.search(r"API: (http://127\.0\.0\.1:\d+)", text)
    return found.group(1) if found else None


def _answers_info(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/info", timeout=5) as response:  # noqa: S310 - local
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_serving(server: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"langgraph dev exited with {server.returncode}:\n{log.read_text()}")
        url = _served_url(log)
        if url is not None and _answers_info(url):
            return url
        time.sleep(0.5)
    pytest.fail(f"langgraph dev did not answer /info in {STARTUP_SECONDS:g}s:\n{log.read_text()}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """End the server and everything it started (its own process group)."""
    for sig, grace in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 20.0)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue


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
    env = {
        name: value for name, value in os.environ.items()
        if name not in NO_KEYS and not name.startswith("OKX_")  # nothing from the shell
    }
    env |= OFFLINE_ENV | {"OKX_CLI": sim_path, "OKX_SIM_LOG": str(calls.path)}
    log = folder / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [LANGGRAPH, "dev", "--no-browser", "--no-reload",
             "--port", str(_free_port()), "--host", "127.0.0.1"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield Server(_wait_until_serving(server, log), calls)
    finally:
        _stop(server)


def _open_questions(thread: Thread) -> list[dict[str, Any]]:
    """The payloads of the thread's pending interrupts."""
    return [item["value"] for items in thread["interrupts"].values() for item in items]


def test_the_server_serves_every_graph_of_langgraph_json(langgraph_dev: Server) -> None:
    client = get_sync_client(url=langgraph_dev.url)

    served = {assistant["graph_id"] for assistant in client.assistants.search(limit=100)}

    declared = set(json.loads((ROOT / "langgraph.json").read_text())["graphs"])
    assert "okx_auth" in declared
    assert served == declared


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
