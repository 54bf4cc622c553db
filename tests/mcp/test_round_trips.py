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
from tests.expected import STATUS, URIS
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
    link_state, link = second
    assert link_state != state  # each question has a state of its own
    assert isinstance(link, LinkQuestion)
    assert link.url == URIS["eea"]
    opened = await rounds.call("login", None, BOTH, None, link_state, ("accept", None))
    assert isinstance(opened, tuple)
    done_state, confirm = opened
    assert isinstance(confirm, FormQuestion)  # opening the link is not the user's "done"
    assert list(confirm.schema["properties"]) == ["done"]
    assert sim.log.argvs().count(STATUS) == 1  # Step 0's only
    sim.browser("approve")
    done = await rounds.call("login", None, BOTH, None, done_state, ("accept", {"done": True}))
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


async def test_a_call_back_replayed_with_an_earlier_state_answers_nothing(
    rounds: RoundTrips, sim: Simulator
) -> None:
    """A lost response, the same call-back again: never a second site choice or a "done"."""
    first = await rounds.call("login", None, BOTH, None, None, None)
    assert isinstance(first, tuple)
    link = await rounds.call("login", None, BOTH, None, first[0], EEA)
    assert isinstance(link, tuple)
    statuses = sim.log.argvs().count(STATUS)

    replayed = await rounds.call("login", None, BOTH, None, first[0], EEA)

    assert isinstance(replayed, tuple)
    assert replayed[0] not in (first[0], link[0])  # a request of its own
    assert len(sim.log.logins()) == 1  # the replayed choice started no second login
    assert link[0] in rounds.waiting  # the first request still waits on its link
    opened = await rounds.call("login", None, BOTH, None, link[0], ("accept", None))
    assert isinstance(opened, tuple)
    again = await rounds.call("login", None, BOTH, None, link[0], ("accept", None))
    assert isinstance(again, tuple)
    assert again[0] not in (link[0], opened[0])
    assert sim.log.argvs().count(STATUS) - statuses == 2  # the two new requests' Step 0
    sim.browser("approve")
    done = await rounds.call("login", None, BOTH, None, opened[0], ("accept", {"done": True}))
    assert isinstance(done, Reply)
    assert done.outcome["status"] == "logged_in"


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
    assert step.text == render("mcp_cannot_ask", "zh", sites="<global|eea|us>")
    assert "okx auth login --site <global|eea|us>  \n" in step.text  # a markdown line
    assert rounds.waiting == {}
    assert sim.log.logins() == []


async def test_a_server_user_who_cannot_be_asked_is_not_sent_to_a_terminal(
    rounds: RoundTrips, sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their CLI runs in the server's HOME for them: a local `okx auth login` would not help."""
    monkeypatch.setenv("OKX_AUTH_HOMES", str(tmp_path / "homes"))
    step = await rounds.call("login", "alice", ClientAsks(form=False, url=False), "zh", None, None)
    assert isinstance(step, Reply)
    assert step.text == render("mcp_cannot_ask_server", "zh")
    assert "okx auth login" not in step.text
    assert sim.log.logins() == []


async def test_the_terminal_command_offers_the_skills_own_sites(
    sim: Simulator, saver: InMemorySaver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(sim.home))
    rounds = RoundTrips(build_auth_graph(saver, skill="1.3.9", **cli_options(sim.path)), saver)
    step = await rounds.call("login", None, ClientAsks(form=False, url=False), "en", None, None)
    assert isinstance(step, Reply)
    assert "okx auth login --site <global|eea|us|tr>  \n" in step.text
    # Asked something other than the menu, it names no sites it does not know.
    removal = await rounds.call("remove", None, ClientAsks(form=False, url=False), "en", None,
                                None)
    assert isinstance(removal, Reply)
    assert "okx auth login --site <site>  \n" in removal.text


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
    assert state in rounds.waiting  # still waiting on its own tool

    removed = await rounds.call("remove", None, BOTH, None, state, yes)
    assert isinstance(removed, Reply)
    assert [argv for argv in sim.log.argvs() if argv[:2] == ["auth", "remove"]] == [
        ["auth", "remove", "--force"]
    ]
    assert rounds.waiting == {}
