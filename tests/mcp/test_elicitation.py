"""The graph's questions as elicitations (`okx_auth_graph.mcp.elicitation`), without a process.

The payloads are the graph's own, from a conversation on the in-process
simulator; the last tests run the whole server in memory (the `mcp`
package's in-memory transport) on the same simulator.
"""

from __future__ import annotations

from typing import Any, get_args

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from mcp import types
from mcp.shared.memory import create_connected_server_and_client_session

from okx_auth_graph import build_auth_graph
from okx_auth_graph.builder import AuthGraph
from okx_auth_graph.interrupts import Question
from okx_auth_graph.mcp.elicitation import (
    CANCEL,
    DONE,
    FORMS,
    NO_ANSWER,
    ClientAsks,
    FormQuestion,
    LinkQuestion,
    elicitation_for,
    numbered_options,
    resume_for,
)
from okx_auth_graph.mcp.server import build_server
from okx_auth_graph.prompts import render
from okx_auth_graph.replies import NO_WORDS, YES_WORDS
from okx_auth_graph.skill import site_menu
from tests.expected import URIS
from tests.mcp.answers import accept, choose, confirm, decline
from tests.mcp.clients import User, reply_text
from tests.support import Conversation, Simulator, cli_options

BOTH = ClientAsks(form=True, url=True)
FORM_ONLY = ClientAsks(form=True, url=False)
NEITHER = ClientAsks(form=False, url=False)


def capabilities(**modes: Any) -> types.ClientCapabilities:
    return types.ClientCapabilities(elicitation=types.ElicitationCapability(**modes))


def test_the_client_capabilities_say_which_modes_it_has() -> None:
    assert ClientAsks.of(None) == NEITHER
    assert ClientAsks.of(types.ClientCapabilities()) == NEITHER
    assert ClientAsks.of(capabilities()) == FORM_ONLY  # `elicitation: {}` from older clients
    assert ClientAsks.of(capabilities(form=types.FormElicitationCapability())) == FORM_ONLY
    assert ClientAsks.of(capabilities(url=types.UrlElicitationCapability())) == ClientAsks(
        form=False, url=True)
    both = capabilities(form=types.FormElicitationCapability(),
                        url=types.UrlElicitationCapability())
    assert ClientAsks.of(both) == BOTH


def test_every_question_kind_has_a_form() -> None:
    assert set(FORMS) == set(get_args(Question))


def test_the_menu_lines_are_numbered_options() -> None:
    assert numbered_options(site_menu()) == {
        "1": "1. Global (www.okx.com)", "2": "2. EEA (my.okx.com)", "3": "3. US (app.okx.com)"}


def test_the_site_question_is_the_menu_with_one_required_site_field(sim: Simulator) -> None:
    conversation = Conversation(sim)
    conversation.start("log me in")
    payload = conversation.interrupt
    assert payload is not None
    asked = elicitation_for(payload, BOTH, "en")
    assert isinstance(asked, FormQuestion)
    assert asked.message == site_menu()
    assert asked.schema == {
        "type": "object", "required": ["site"],
        "properties": {"site": {
            "type": "string", "enum": ["global", "eea", "us"],
            "oneOf": [{"const": "global", "title": "1. Global (www.okx.com)"},
                      {"const": "eea", "title": "2. EEA (my.okx.com)"},
                      {"const": "us", "title": "3. US (app.okx.com)"}],
        }},
    }
    assert resume_for(asked, "accept", {"site": "eea"}) == "eea"
    assert resume_for(asked, "decline", None) == CANCEL
    assert resume_for(asked, "cancel", None) == CANCEL
    assert elicitation_for(payload, NEITHER, "en") is None
    assert elicitation_for(payload, ClientAsks(form=False, url=True), "en") is None


def test_under_1_3_9_the_site_form_offers_tr_as_the_menu_s_fourth_line(sim: Simulator) -> None:
    def tr_graph(checkpointer: BaseCheckpointSaver[str], okx_cli: str) -> AuthGraph:
        return build_auth_graph(checkpointer, skill="1.3.9", **cli_options(okx_cli))

    conversation = Conversation(sim, build=tr_graph)
    conversation.start("log me in")
    assert conversation.interrupt is not None
    asked = elicitation_for(conversation.interrupt, BOTH, "en")

    assert isinstance(asked, FormQuestion)
    site = asked.schema["properties"]["site"]
    assert site["enum"] == ["global", "eea", "us", "tr"]
    assert site["oneOf"][-1] == {"const": "tr", "title": "4. TR (tr.okx.com)"}
    assert resume_for(asked, "accept", {"site": "tr"}) == "tr"


def test_the_code_is_a_link_to_open_or_a_form_to_confirm(sim: Simulator) -> None:
    conversation = Conversation(sim)
    conversation.start("log me in")
    conversation.reply("2")
    payload = conversation.interrupt
    assert payload is not None
    link = elicitation_for(payload, BOTH, "en")
    assert isinstance(link, LinkQuestion)
    assert link.url == URIS["eea"]
    assert link.message == payload["message"] == conversation.ai_texts()[-1]
    # Once the user opened the link, the same question is the form whose tick is the "done".
    opened = elicitation_for(payload, BOTH, "en", opened={URIS["eea"]})
    assert isinstance(opened, FormQuestion)
    assert opened.message == link.message
    assert list(opened.schema["properties"]) == ["done"]
    assert elicitation_for(payload, ClientAsks(form=False, url=True), "en", {URIS["eea"]}) is None
    form = elicitation_for(payload, FORM_ONLY, "zh")
    assert isinstance(form, FormQuestion)
    assert form.message == payload["message"]
    assert form.schema["properties"] == {
        "done": {"type": "boolean", "title": render("mcp_done_field", "zh")}}
    assert resume_for(form, "accept", {"done": True}) == DONE
    assert resume_for(form, "accept", {"done": False}) == NO_ANSWER


def test_a_link_that_is_not_okx_is_never_offered_to_open() -> None:
    payload = {"kind": "authorization_done", "message": "…", "verification_uri":
               "https://okx.com.evil.example/device", "user_code": "ABCD-EFGH"}
    assert isinstance(elicitation_for(payload, BOTH, "en"), FormQuestion)
    assert elicitation_for(payload, ClientAsks(form=False, url=True), "en") is None


@pytest.mark.parametrize("kind", ["retry_login", "confirm_remove"])
def test_yes_no_questions_offer_words_the_graph_reads(kind: Question) -> None:
    asked = elicitation_for({"kind": kind, "message": "?"}, BOTH, "zh")
    assert isinstance(asked, FormQuestion)
    options = asked.schema["properties"]["answer"]["oneOf"]
    assert options == [{"const": "yes", "title": "是"}, {"const": "no", "title": "否"}]
    assert "yes" in YES_WORDS
    assert "no" in NO_WORDS


def test_the_remedy_offers_its_numbered_options() -> None:
    message = render("api_key_remedy", "en", name="main", host="my.okx.com")
    payload = {"kind": "api_key_remedy", "message": message, "profile": "main",
               "options": ["replace_api_key", "switch_to_oauth"]}
    asked = elicitation_for(payload, FORM_ONLY, "en")
    assert isinstance(asked, FormQuestion)
    choice = asked.schema["properties"]["choice"]
    assert choice["enum"] == ["1", "2"]
    assert choice["oneOf"][0]["title"].startswith("1. Replace the API key")


def test_an_unexpected_form_value_is_no_answer() -> None:
    asked = elicitation_for({"kind": "confirm_remove", "message": "?"}, BOTH, "en")
    assert isinstance(asked, FormQuestion)
    assert resume_for(asked, "accept", {"answer": 1}) == NO_ANSWER
    assert resume_for(asked, "accept", None) == NO_ANSWER


@pytest.fixture
def in_memory_server(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The server on the in-process simulator, serving the simulator's HOME as the local user's."""
    monkeypatch.setenv("HOME", str(sim.home))
    return build_server(graph=lambda saver: build_auth_graph(saver, **cli_options(sim.path)))


async def test_a_login_in_memory(in_memory_server: Any, sim: Simulator) -> None:
    user = User([choose(site="us"), accept(), confirm(before=lambda: sim.browser("approve"))])
    async with create_connected_server_and_client_session(
        in_memory_server, elicitation_callback=user
    ) as client:
        result = await client.call_tool("okx_auth_login", {})
        status = await client.call_tool("okx_auth_status", {})
    assert result.structuredContent is not None
    assert result.structuredContent["status"] == "logged_in"
    assert result.structuredContent["site"] == "us"
    assert status.structuredContent is not None
    assert status.structuredContent["status"] == "logged_in"
    assert [type(asked).__name__ for asked in user.asked] == [
        "ElicitRequestFormParams", "ElicitRequestURLParams", "ElicitRequestFormParams"]


async def test_a_new_call_after_a_declined_menu_starts_afresh(
    in_memory_server: Any, sim: Simulator
) -> None:
    user = User([decline(), choose(site="eea"), decline()])
    async with create_connected_server_and_client_session(
        in_memory_server, elicitation_callback=user
    ) as client:
        first = await client.call_tool("okx_auth_login", {})
        second = await client.call_tool("okx_auth_login", {})
    assert reply_text(first) == render("login_cancelled", "en")
    assert [asked.message for asked in user.asked[:2]] == [site_menu(), site_menu()]
    assert second.structuredContent == {"status": "pending", "site": "eea"}
    assert reply_text(second) == render("stopped_waiting", "en")

