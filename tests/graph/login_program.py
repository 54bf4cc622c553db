"""A user's own program around the auth graph, for `test_plain_state.py` to run as a process.

    python login_program.py STORE HOME OKX_SIM STEP [STEP ...]

STORE is `memory` or a SQLite file. Each STEP is one turn of the same thread
(`open`: "log me in"; `choose`: the menu's reply; `done`: the browser
approves, then the reply; `status`: a new request on the thread; `foreign`:
a round trip of a class the graph never stores, the control that shows a
warning would be seen). The program runs its steps in this one process and
prints one JSON line: each turn's open question or outcome, the thread's
state as the store hands it back at the end, and the serde events LangGraph
raised. Logging goes to stderr at WARNING, as in a program that configured
nothing but `basicConfig`, so the test sees any warning a user would.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.event_hooks import SerdeEvent, register_serde_event_listener
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from pydantic import BaseModel

from okx_auth_graph import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.testing import Conversation

THREAD = "user-42"
KEPT = ("config", "auth", "site_choice", "pending_login", "okx_auth", "language")
"""The state values the test compares between runs."""


class Foreign(BaseModel):
    """A class of the caller's own: LangGraph names it in the checkpoint."""

    value: str


@contextmanager
def store(address: str) -> Iterator[BaseCheckpointSaver[str]]:
    """The checkpointer the program's threads live in."""
    if address == "memory":
        yield InMemorySaver()
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    with SqliteSaver.from_conn_string(address) as saver:
        yield saver


def turn(conv: Conversation, step: str, simulator: str) -> None:
    """The user's move in this step (the browser acts first for `done`)."""
    if step == "open":
        conv.start("log me in")
    elif step == "choose":
        conv.reply("2")
    elif step == "done":
        subprocess.run([simulator, "browser", "approve"],
                       env={**os.environ, "HOME": str(conv.context.okx_home)},
                       check=True, capture_output=True)
        conv.reply("done")
    elif step == "status":
        conv.start("am I logged in?")
    else:
        raise SystemExit(f"unknown step {step!r}")


def main(address: str, home: str, simulator: str, steps: list[str]) -> None:
    """Run the steps on one thread and print what the test compares."""
    logging.basicConfig(level=logging.WARNING)
    events: list[SerdeEvent] = []
    register_serde_event_listener(events.append)
    turns: list[dict[str, Any]] = []
    with store(address) as saver:
        graph = build_auth_graph(saver, okx_cli=simulator)
        conv = Conversation(graph, AuthContext(okx_home=home), thread_id=THREAD)
        for step in steps:
            if step == "foreign":
                serde = JsonPlusSerializer()
                serde.loads_typed(serde.dumps_typed(Foreign(value="x")))
                continue
            turn(conv, step, simulator)
            turns.append({"question": conv.interrupt, "outcome": conv.outcome})
        values = conv.values
    kept = {key: values.get(key) for key in KEPT}
    print(json.dumps({"turns": turns, "state": kept, "serde_events": [dict(e) for e in events]}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
