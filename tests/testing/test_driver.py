"""The public conversation driver (`okx_auth_graph.testing`) as an application's tests use it.

The suites lean on it everywhere; these tests pin what they take for granted:
the two ways of answering a question, a chat box's `say`, streamed turns
reading the same as invoked ones, and a second driver picking a thread up.
"""

from __future__ import annotations

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import StreamMode

from okx_auth_graph.context import AuthContext
from okx_auth_graph.testing import Answers, Conversation, StreamEvent, transcript_entry
from tests.support import Simulator, auth_graph_on


def driver(
    sim: Simulator,
    saver: InMemorySaver | None = None,
    *,
    thread_id: str = "conversation",
    answers: Answers = "resume",
    stream_modes: tuple[StreamMode, ...] = (),
) -> Conversation:
    """The driver as an application would set it up: its graph, the user's HOME."""
    graph = auth_graph_on(saver or InMemorySaver(), sim.path)
    return Conversation(
        graph, AuthContext(okx_home=str(sim.home)), thread_id=thread_id, answers=answers,
        stream_modes=stream_modes,
    )


def test_a_login_answered_by_resuming(sim: Simulator) -> None:
    conv = driver(sim)
    menu = conv.start("log me in")
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "site_choice"
    assert menu == [conv.interrupt["message"]]
    conv.reply("2")
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "authorization_done"
    sim.browser("approve")
    conv.reply("done")
    assert conv.interrupt is None
    assert conv.outcome is not None
    assert conv.outcome["status"] == "logged_in"
    assert conv.human_texts() == ["log me in", "2", "done"]
    assert [q["kind"] for q in conv.questions] == ["site_choice", "authorization_done"]


def test_a_login_answered_by_messages_ends_the_same(sim: Simulator) -> None:
    conv = driver(sim, answers="message")
    conv.start("log me in")
    conv.reply("2")
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "authorization_done"
    sim.browser("approve")
    conv.reply("done")
    assert conv.outcome is not None
    assert conv.outcome["status"] == "logged_in"


def test_say_answers_the_open_question_and_otherwise_starts_a_request(sim: Simulator) -> None:
    conv = driver(sim)
    conv.say("log me in")
    conv.say("2")
    sim.browser("approve")
    conv.say("done")
    assert conv.outcome is not None
    assert conv.outcome["status"] == "logged_in"
    conv.say("am I logged in?")  # no question open: a new request
    assert conv.outcome is not None
    assert conv.outcome["status"] == "logged_in"
    assert conv.interrupt is None


def test_a_streamed_turn_reads_as_an_invoked_one(sim: Simulator) -> None:
    invoked = driver(sim, thread_id="invoked")
    streamed = driver(sim, thread_id="streamed", stream_modes=("values", "updates"))
    assert streamed.start("log me in") == invoked.start("log me in")
    assert streamed.interrupt == invoked.interrupt
    assert streamed.events
    assert all(isinstance(e, StreamEvent) for e in streamed.events)
    assert {e.mode for e in streamed.events} == {"values", "updates"}


def test_a_second_driver_on_the_thread_returns_only_what_it_posts(sim: Simulator) -> None:
    saver = InMemorySaver()
    first = driver(sim, saver, thread_id="shared")
    first.start("log me in")
    second = driver(sim, saver, thread_id="shared")
    snapshot = second.catch_up()
    assert snapshot.interrupts
    assert second.interrupt == first.interrupt
    posted = second.reply("2")
    assert second.interrupt is not None
    assert posted == [second.interrupt["message"]]


def test_the_transcript_names_the_speakers_and_drops_trailing_blanks(sim: Simulator) -> None:
    conv = driver(sim)
    conv.start("log me in")
    entries = conv.transcript()
    assert entries[0] == "user:\n    log me in"
    assert entries[1].startswith("assistant:\n    ")
    assert transcript_entry("assistant", "a  \nb") == "assistant:\n    a\n    b"
