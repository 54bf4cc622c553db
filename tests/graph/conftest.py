"""The graph suite runs under each checkpoint durability, as LangGraph's own tests do.

The suites that talk through `Conversation` use this fixture (`pytestmark`).
`sync` writes each step's checkpoint before the next step starts, `async`
(the default) while it runs, `exit` only when the run stops (at an interrupt
or the end). Every conversation must read and end the same under all three.
"""

from __future__ import annotations

import pytest
from langgraph.types import Durability

from tests.support import Conversation


@pytest.fixture(params=["sync", "async", "exit"])
def durability(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Durability:
    """Every `Conversation` of the test checkpoints with this durability."""
    mode: Durability = request.param
    monkeypatch.setattr(Conversation, "default_durability", mode)
    return mode
