"""One request over several tool calls (`mcp.round_trips`), on the in-process simulator.

What a 2026-07-28 client does through the SDK, without the SDK: each call
returns the request's reply or its next question with a state, and the
call-back carries that state and the user's answer. The SDK seals the state
and binds it to the caller's token; these tests hold the server's own rules
behind that: a state resumes only its caller's request, a request is
deleted once it ends or is forgotten, and a request asks at most
`MAX_QUESTIONS`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import build_auth_graph
from okx_auth_graph.mcp import round_trips
from okx_auth_graph.mcp.elicitation import ClientAsks, FormQuestion, LinkQuestion
from okx_auth_graph.mcp.requests import Reply, UserResult
from okx_auth_graph.mcp.round_trips import RoundTrips
from okx_auth_graph.prompts import render
from okx_auth_graph.skill import site_menu
from tests.expected import URIS
from tests.support import Simulator, cli_options

BOTH = ClientAsks(form=True, url=True)
EEA: UserResult = ("accept", {"site": "eea"})
MARS: UserResult = ("accept", {"site": "mars"})


@pytest.fixture
def saver() -> InMemorySaver:
    return InMemorySaver()


@pytest.fixture
def rounds(sim: Simulator, saver: InMemorySaver, monkeypatch: pytest.MonkeyPatch) -> RoundTrips:
    """The server's round trips on the in-process simulator; the local user is the sim's HOME."""
    monkeypatch.setenv("HOME", str(sim.home))
    return RoundTrips(build_auth_graph(saver, **cli_options(sim.path)), saver)


def threads(saver: InMemorySaver) -> set[str]:
    """The threads that have checkpoints."""
    return {checkpoint.config["configurable"]["thread_id"] for checkpoint in saver.list(None)}


async def test_a_login_in_three_calls_then_its_thread_is_gone(
    rounds: RoundTrips, sim: Simulator, saver: InMemorySaver
) -> None:
    first = await rounds.call("login", None, BOTH, None, None, None)
    assert isinstance(first, tuple)
    state, menu = first
    assert isinstance(menu, FormQuestion)
    assert menu.message == site_menu()
    second = await rounds.call("login", None, BOTH, None, state, EEA)
    assert isinstance(second, tuple)
    assert second[0] == state
    link = second[1]
    assert isinstance(link, LinkQuestion)
    assert link.url == URIS["eea"]
    sim.browser("approve")
    done = await rounds.call("login", None, BOTH, None, state, ("accept", {}))
    assert isinstance(done, Reply)
    assert done.outcome["status"] == "logged_in"
    assert len(sim.log.logins()) == 1
    assert rounds.waiting == {}
    assert threads(saver) == set()


async def test_a_call_back_without_an_answer_is_asked_the_same_again(rounds: RoundTrips) -> None:
    first = await rounds.call("login", None, BOTH, None, None, None)
    assert isinstance(first, tuple)
    again = await rounds.call("login", None, BOTH, None, first[0], None)
    assert again == first


async def test_a_state_this_server_never_gave_starts_at_the_menu(
    rounds: RoundTrips, sim: Simulator
) -> None:
    step = await rounds.call("login", None, BOTH, None, "not-a-thread", EEA)
    assert isinstance(step, tuple)
    state, menu = step
    assert state != "not-a-thread"
    assert isinstance(menu, FormQuestion)
    assert menu.message == site_menu()
    assert sim.log.logins() == []


async def test_another_callers_state_resumes_nothing_of_theirs(
    rounds: RoundTrips, sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_AUTH_HOMES", str(tmp_path / "homes"))
    alice = await rounds.call("login", "alice", BOTH, None, None, None)
    assert isinstance(alice, tuple)
    bob = await rounds.call("login", "bob", BOTH, None, alice[0], EEA)
    assert isinstance(bob, tuple)
    assert bob[0] != alice[0]  # a request of Bob's own, at its menu
    assert isinstance(bob[1], FormQuestion)
    assert sim.log.logins() == []
    assert rounds.waiting[alice[0]].thread.identity == "alice"
    resumed = await rounds.call("login", "alice", BOTH, None, alice[0], EEA)
    assert isinstance(resumed, tuple)
    assert isinstance(resumed[1], LinkQuestion)
    assert [entry["home"] for entry in sim.log.entries() if entry["argv"][:2] == ["auth", "login"]
            ] == [str(tmp_path / "homes" / "alice")]


async def test_a_request_never_called_back_is_forgotten(
    rounds: RoundTrips, saver: InMemorySaver, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await rounds.call("login", None, BOTH, None, None, None)
    assert isinstance(first, tuple)
    monkeypatch.setattr(round_trips, "WAIT_SECONDS", 0.0)
    second = await rounds.call("status", None, BOTH, None, None, None)
    assert isinstance(second, Reply)
    assert first[0] not in rounds.waiting
    assert threads(saver) == set()


async def test_a_request_asks_at_most_max_questions(
    rounds: RoundTrips, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(round_trips, "MAX_QUESTIONS", 3)
    step = await rounds.call("login", None, BOTH, None, None, None)
    asked = 1
    while isinstance(step, tuple):
        step = await rounds.call("login", None, BOTH, None, step[0], MARS)
        asked += 1
    assert step.outcome == {"status": "cancelled"}
    assert step.text == render("login_cancelled", "en")
    assert asked == 4  # three questions asked, the fourth call gives up
    assert sim.log.logins() == []


async def test_a_client_that_cannot_ask_is_told_so_and_nothing_waits(
    rounds: RoundTrips, sim: Simulator
) -> None:
    step = await rounds.call("login", None, ClientAsks(form=False, url=False), "zh", None, None)
    assert isinstance(step, Reply)
    assert step.text == render("mcp_cannot_ask", "zh")
    assert rounds.waiting == {}
    assert sim.log.logins() == []


async def test_a_state_answers_only_through_the_tool_it_came_from(
    rounds: RoundTrips, sim: Simulator
) -> None:
    """A read-only tool's call carrying a removal's state is a status request, not its yes."""
    yes: UserResult = ("accept", {"answer": "yes"})
    removal = await rounds.call("remove", None, BOTH, None, None, None)
    assert isinstance(removal, tuple)
    state, question = removal
    assert isinstance(question, FormQuestion)
    assert question.message == render("remove_question", "en")

    status = await rounds.call("status", None, BOTH, None, state, yes)
    assert isinstance(status, Reply)
    assert status.outcome is not None
    assert status.outcome["status"] == "not_logged_in"
    assert not any(argv[:2] == ["auth", "remove"] for argv in sim.log.argvs())
    assert state in rounds.waiting

    removed = await rounds.call("remove", None, BOTH, None, state, yes)
    assert isinstance(removed, Reply)
    assert [argv for argv in sim.log.argvs() if argv[:2] == ["auth", "remove"]] == [
        ["auth", "remove", "--force"]
    ]
    assert rounds.waiting == {}
