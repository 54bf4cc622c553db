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
