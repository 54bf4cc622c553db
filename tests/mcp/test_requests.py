"""One request of an MCP session (`mcp.requests`), on the in-process simulator, without the SDK.

The SDK's side is the `Asker`: these tests script the user's side of the
client directly, for what the SDK cannot be made to do on cue, such as a
client that drops a question without a word.
"""

from __future__ import annotations

import asyncio

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import build_auth_graph
from okx_auth_graph.mcp import requests
from okx_auth_graph.mcp.elicitation import ClientAsks, ElicitAction, FormQuestion, LinkQuestion
from okx_auth_graph.mcp.requests import Reply, SessionThread, UserResult
from okx_auth_graph.prompts import render
from okx_auth_graph.skill import site_menu
from tests.expected import STATUS
from tests.support import Simulator, cli_options


class SilentClient:
    """A client that shows each question and never answers it (nor cancels it)."""

    asks = ClientAsks(form=True, url=True)

    def __init__(self) -> None:
        self.shown: list[str] = []

    async def form(self, question: FormQuestion) -> UserResult:
        self.shown.append(question.message)
        await asyncio.Event().wait()
        raise AssertionError("never answered")

    async def link(self, question: LinkQuestion, elicitation_id: str) -> ElicitAction:
        self.shown.append(question.message)
        await asyncio.Event().wait()
        raise AssertionError("never answered")

    async def completed(self, elicitation_id: str) -> None:
        raise AssertionError("nothing was accepted")


@pytest.fixture
def thread(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> SessionThread:
    """A session's thread on the in-process simulator; the local user is the sim's HOME."""
    monkeypatch.setenv("HOME", str(sim.home))
    return SessionThread(build_auth_graph(InMemorySaver(), **cli_options(sim.path)), "session-1")


async def test_a_question_left_unanswered_is_closed_and_the_session_goes_on(
    thread: SessionThread, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(requests, "WAIT_SECONDS", 0.2)
    silent = SilentClient()

    login = await asyncio.wait_for(thread.request("login", silent), 30)

    assert silent.shown == [site_menu()]
    assert login == Reply(render("login_cancelled", "en"), {"status": "cancelled"})
    assert sim.log.logins() == []
    status = await asyncio.wait_for(thread.request("status", silent), 30)
    assert status.outcome["status"] == "not_logged_in"


class EagerClient:
    """A client that accepts every link at once (MCP: consent to open it) and answers forms
    from a script; `asks` says which modes it declared."""

    def __init__(self, asks: ClientAsks, forms: list[UserResult]) -> None:
        self.asks = asks
        self.forms = forms
        self.shown: list[str] = []
        self.completed_ids: list[str] = []
        self.link_ids: list[str] = []

    async def form(self, question: FormQuestion) -> UserResult:
        self.shown.append(f"form:{next(iter(question.schema['properties']))}")
        return self.forms.pop(0)

    async def link(self, question: LinkQuestion, elicitation_id: str) -> ElicitAction:
        self.shown.append("link")
        self.link_ids.append(elicitation_id)
        return "accept"

    async def completed(self, elicitation_id: str) -> None:
        self.completed_ids.append(elicitation_id)


async def test_opening_the_link_is_not_done_the_tick_is(
    thread: SessionThread, sim: Simulator
) -> None:
    """An accepted link runs no `auth status`: only the user's ticked "done" does, once."""
    not_yet: UserResult = ("accept", {"done": False})
    client = EagerClient(ClientAsks(form=True, url=True),
                         [("accept", {"site": "eea"}), not_yet, ("accept", {"done": True})])
    original = client.form

    async def approve_before_the_tick(question: FormQuestion) -> UserResult:
        if len(client.forms) == 1:
            assert sim.log.argvs().count(STATUS) == 1  # Step 0's: the open link checked nothing
            sim.browser("approve")
        return await original(question)

    client.form = approve_before_the_tick  # type: ignore[method-assign]
    reply = await asyncio.wait_for(thread.request("login", client), 30)

    assert client.shown == ["form:site", "link", "form:done", "form:done"]
    assert reply.outcome["status"] == "logged_in"
    assert sim.log.argvs().count(STATUS) == 2  # Step 0's, and the one after the tick
    assert client.completed_ids == client.link_ids  # the opened link is over for the client


async def test_a_client_without_forms_stops_waiting_once_the_link_is_open(
    thread: SessionThread, sim: Simulator
) -> None:
    """It cannot say "done": the wait ends (the code stays valid), no status is checked.

    The menu needs a form, so the thread's code comes from an earlier request
    whose client could fill one in (and closed the link unanswered).
    """
    class Declining(EagerClient):
        async def link(self, question: LinkQuestion, elicitation_id: str) -> ElicitAction:
            return "decline"

    started = Declining(ClientAsks(form=True, url=True), [("accept", {"site": "eea"})])
    await asyncio.wait_for(thread.request("login", started), 30)
    statuses = sim.log.argvs().count(STATUS)
    client = EagerClient(ClientAsks(form=False, url=True), [])

    reply = await asyncio.wait_for(thread.request("login", client), 30)

    assert client.shown == ["link"]  # the same code, to open
    assert reply.outcome == {"status": "pending", "site": "eea"}
    assert reply.text == render("stopped_waiting", "en")
    assert sim.log.argvs().count(STATUS) == statuses + 1  # the new request's Step 0 only
    assert len(sim.log.logins()) == 1
