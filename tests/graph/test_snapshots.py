"""Snapshots: the graph's drawing and the shape of every interrupt payload.

Volatile values (the device code, the verification link) are replaced by
placeholders before snapshotting; keys, kinds and the rest of the text stay.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from syrupy.assertion import SnapshotAssertion

from okx_auth_graph import build_auth_graph
from okx_auth_graph.graph import graph
from tests.support import Conversation, Simulator

GRAPH_PAGE = Path(__file__).resolve().parents[2] / "docs" / "graph.md"
"""The documentation page that shows the graph's Mermaid text."""


def test_graph_drawing(snapshot: SnapshotAssertion) -> None:
    assert build_auth_graph().get_graph().draw_mermaid() == snapshot


def stable(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload with its code and link replaced by placeholders, everywhere (nested too)."""
    assert payload is not None
    volatile = {
        key: placeholder
        for key, placeholder in (
            ("user_code", "<userCode>"),
            ("verification_uri", "<verificationUri>"),
        )
        if payload.get(key)
    }
    replacements = {str(payload[key]): placeholder for key, placeholder in volatile.items()}

    def masked(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: volatile.get(key) or masked(item) for key, item in value.items()}
        if isinstance(value, str):
            for raw, placeholder in replacements.items():
                value = value.replace(raw, placeholder)
        return value

    return dict(masked(payload))


def test_site_choice_payload(sim: Simulator, snapshot: SnapshotAssertion) -> None:
    conversation = Conversation(sim)
    conversation.start("log me in to okx")
    assert conversation.interrupt is not None
    assert conversation.interrupt["kind"] == "site_choice"
    assert stable(conversation.interrupt) == snapshot


def test_authorization_done_payload_after_a_fresh_login(
    sim: Simulator, snapshot: SnapshotAssertion
) -> None:
    conversation = Conversation(sim)
    conversation.start("log me in to okx")
    conversation.reply("2")
    payload = conversation.interrupt
    assert payload is not None
    assert payload["kind"] == "authorization_done"
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", payload["user_code"])
    assert payload["user_code"] in payload["message"]
    assert payload["verification_uri"] in payload["message"]
    assert stable(payload) == snapshot


def test_authorization_done_payload_for_a_pending_login_without_code(
    sim: Simulator, snapshot: SnapshotAssertion
) -> None:
    device = sim.start_pending_login("us")
    conversation = Conversation(sim)
    conversation.start("log me in to okx")
    payload = conversation.interrupt
    assert payload is not None
    assert payload["kind"] == "authorization_done"
    # This thread never saw the code: it must not invent or leak one.
    assert device["userCode"] not in payload["message"]
    assert stable(payload) == snapshot


def test_retry_login_payload(sim: Simulator, snapshot: SnapshotAssertion) -> None:
    conversation = Conversation(sim)
    conversation.start("log me in to okx")
    conversation.reply("global")
    sim.browser("deny")
    conversation.reply("done")
    payload = conversation.interrupt
    assert payload is not None
    assert payload["kind"] == "retry_login"
    assert stable(payload) == snapshot


def documented_diagram() -> str:
    """The mermaid block between the graph page's markers."""
    text = GRAPH_PAGE.read_text(encoding="utf-8")
    match = re.search(
        r"^<!-- graph:start -->\n```mermaid\n(.*?)\n```\n<!-- graph:end -->$",
        text,
        flags=re.DOTALL | re.MULTILINE,
    )
    assert match, "docs/graph.md has no ```mermaid block between <!-- graph:start/end --> lines"
    return match.group(1)


def test_documented_diagram_matches_the_code() -> None:
    assert documented_diagram().strip() == graph.get_graph().draw_mermaid().strip()
