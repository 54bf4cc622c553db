"""The graph suite runs under each checkpoint durability, as LangGraph's own tests do, and async.

The suites that talk through `Conversation` use this fixture (`pytestmark`).
`sync` writes each step's checkpoint before the next step starts, `async`
(the default) while it runs, `exit` only when the run stops (at an interrupt
or the end). Every conversation must read and end the same under all three,
and the same again with every turn on the async API (`ainvoke`, LangGraph's
default durability): there each CLI step runs its async form, on the
in-process simulator's async runners, as a server runs it.
"""

from __future__ import annotations

import pytest
from langgraph.types import Durability

from tests.support import Conversation

SPAWNS_UNDER_AINVOKE = frozenset({"test_missing_cli_needs_an_install"})
"""Tests whose CLI is a path to nothing: the async runner has the OS look the executable up as it
starts the process, so under `ainvoke` they try to start one and belong to the integration tier."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the `ainvoke` runs of `SPAWNS_UNDER_AINVOKE` integration."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if (
            callspec is not None and callspec.params.get("durability") == "ainvoke"
            and getattr(item, "originalname", None) in SPAWNS_UNDER_AINVOKE
        ):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(params=["sync", "async", "exit", "ainvoke"])
def durability(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Durability:
    """Every `Conversation` of the test checkpoints with this durability (and runs on this API)."""
    mode: Durability = "async" if request.param == "ainvoke" else request.param
    if request.param == "ainvoke":
        monkeypatch.setattr(Conversation, "default_api", "async")
    monkeypatch.setattr(Conversation, "default_durability", mode)
    return mode
