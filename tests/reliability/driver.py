"""One user's whole login, in a process of its own that can die at a chosen step boundary.

The crash tests start this module as a child process
(`python -m tests.reliability.driver ...`). It opens the thread in a durable
store and plays the user: asks to log in, picks a site at the menu, approves
in the simulator's browser and says "好了". A thread that already exists is
resumed from wherever it stopped: an open question is answered, a run that
was cut short continues from its last checkpoint (`invoke(None)`), a finished
thread is only reported.

`--stop-at` names a step boundary; on reaching it the process SIGKILLs
itself, leaving the store, its connections and any CLI child exactly as a
crash would. Mid-run boundaries are detected on the `checkpoints` stream with
`durability="sync"`: a checkpoint is emitted only after the previous one was
committed, so "seen here" means "durable", and the kill lands before the next
step runs. Question boundaries (menu, done-wait) kill the idle process after
the run returned, as a server holding a waiting conversation would be.

On completion it prints one JSON line: the outcome, every text posted and what the user said.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, StateSnapshot

from okx_auth_graph.context import AuthContext
from okx_auth_graph.graph import AuthGraph, build_auth_graph
from okx_auth_graph.testing import Conversation, Request
from tests.reliability.script import CHOICE, DONE_SIGNAL, OPENING
from tests.reliability.stores import open_saver


class StopPoint(StrEnum):
    """The step boundaries of a full login where the process can be killed.

    One per step of the skill the login runs, in order, plus the two
    questions: the opening turn (Step 0 and 0.1 up to the menu), the menu's
    answer (0.1 again, 0.2, 0.3, the gate, the login), the done signal (the
    one check and the success reply).
    """

    AFTER_INTAKE = "after_intake"
    AFTER_PREFLIGHT = "after_preflight"
    AFTER_SITE_CHECK = "after_site_check"
    AFTER_MENU = "after_menu"
    AT_MENU = "at_menu"
    AFTER_CHOICE = "after_choice"
    AFTER_SITE_KNOWN = "after_site_known"
    AFTER_KEY_CHECK = "after_key_check"
    AFTER_OAUTH_CHECK = "after_oauth_check"
    AFTER_GATE = "after_gate"
    AFTER_LOGIN = "after_login"
    AT_DONE_WAIT = "at_done_wait"
    AFTER_DONE_REPLY = "after_done_reply"
    AFTER_VERIFY = "after_verify"


Turn = str
"""Which run of the conversation: `opening`, or the kind of question the run answers."""

NEXT_NODE_AFTER: dict[StopPoint, tuple[Turn, str]] = {
    StopPoint.AFTER_INTAKE: ("opening", "preflight"),
    StopPoint.AFTER_PREFLIGHT: ("opening", "site_check"),
    StopPoint.AFTER_SITE_CHECK: ("opening", "menu"),
    StopPoint.AFTER_MENU: ("opening", "ask_site"),
    StopPoint.AFTER_CHOICE: ("site_choice", "site_check"),
    StopPoint.AFTER_SITE_KNOWN: ("site_choice", "api_key_check"),
    StopPoint.AFTER_KEY_CHECK: ("site_choice", "oauth_check"),
    StopPoint.AFTER_OAUTH_CHECK: ("site_choice", "pre_login_gate"),
    StopPoint.AFTER_GATE: ("site_choice", "login"),
    StopPoint.AFTER_LOGIN: ("site_choice", "await_authorization"),
    StopPoint.AFTER_DONE_REPLY: ("authorization_done", "verify"),
    StopPoint.AFTER_VERIFY: ("authorization_done", "success"),
}
"""Mid-run boundaries: the run, and the node its checkpoint waits for once the step is durable."""
QUESTION_AT: dict[StopPoint, str] = {
    StopPoint.AT_MENU: "site_choice",
    StopPoint.AT_DONE_WAIT: "authorization_done",
}
"""Question boundaries: the interrupt the run ends on."""
def die(point: StopPoint) -> None:
    """Say where, then SIGKILL this process: no cleanup, no flush of anything else."""
    print(json.dumps({"killed_at": point.value}), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def thread_config(thread_id: str) -> RunnableConfig:
    """The run config of one conversation."""
    return {"configurable": {"thread_id": thread_id}}


def checkpoint_id(snapshot: StateSnapshot) -> str | None:
    """The id of the checkpoint a snapshot was read from (None: a new thread)."""
    value = snapshot.config.get("configurable", {}).get("checkpoint_id")
    return str(value) if value else None


class User:
    """The person at the keyboard (and the browser) of one conversation."""

    def __init__(self, okx_cli: str, context: AuthContext, choice: str = CHOICE) -> None:
        self.okx_cli = okx_cli
        self.context = context
        self.choice = choice

    def answer(self, question: Mapping[str, Any]) -> str:
        """The reply to an interrupt of a plain login."""
        kind = question["kind"]
        if kind == "site_choice":
            return self.choice
        if kind == "authorization_done":
            self.approve_in_browser(question.get("user_code"))
            return DONE_SIGNAL
        raise SystemExit(f"a plain login never asks {kind!r}: {question}")

    def approve_in_browser(self, code: str | None) -> None:
        """Enter the code this conversation showed on the OKX page and approve it.

        The simulator refuses a code that is not the pending one, so a thread
        showing a stale code (another device flow replaced it) fails here.
        """
        assert self.context.okx_home
        approved = subprocess.run(
            [self.okx_cli, "browser", "approve", *([code] if code else [])],
            env={**os.environ, "HOME": self.context.okx_home},
            capture_output=True, text=True, check=False, timeout=30,
        )
        if approved.returncode != 0:
            raise SystemExit(f"the browser refused code {code}: {approved.stderr.strip()}")


def run_once(
    conv: Conversation,
    request: Request,
    turn: Turn | None,
    stop_at: StopPoint | None,
) -> None:
    """One run of the conversation, dying at the stop point if this run reaches it."""
    started_from = checkpoint_id(conv.snapshot)
    run, waiting_for = NEXT_NODE_AFTER.get(stop_at, (None, None)) if stop_at else (None, None)
    for event in conv.stream(request):
        checkpoint = event.data
        # The first event of a resumed run re-announces the checkpoint it started from.
        fresh = checkpoint["config"]["configurable"]["checkpoint_id"] != started_from
        if stop_at and run == turn and fresh and waiting_for in checkpoint["next"]:
            die(stop_at)
    if stop_at in QUESTION_AT:
        question = conv.interrupt
        if question and question["kind"] == QUESTION_AT[stop_at]:
            die(stop_at)


def converse(
    graph: AuthGraph, thread_id: str, user: User, stop_at: StopPoint | None
) -> dict[str, Any]:
    """Start or resume the thread and play it to its end."""
    # `sync`: a checkpoint is streamed only once the previous one is committed.
    conv = Conversation(
        graph, user.context, thread_id=thread_id, durability="sync",
        stream_modes=("checkpoints",),
    )
    while True:
        snapshot = conv.catch_up()
        request: Request
        turn: Turn | None = None
        if snapshot.created_at is None:
            request, turn = conv.message(OPENING), "opening"
        elif snapshot.interrupts:
            question = snapshot.interrupts[0].value
            request, turn = Command(resume=user.answer(question)), question["kind"]
        elif snapshot.next:
            request = None  # cut short: continue from the last durable checkpoint
        else:
            break
        run_once(conv, request, turn, stop_at)
    return {"outcome": conv.outcome, "messages": conv.ai_texts(), "human": conv.human_texts()}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, open the store and converse."""
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.driver")
    parser.add_argument("--db", required=True, help="SQLite path or postgresql:// URL")
    parser.add_argument("--thread", required=True)
    parser.add_argument("--okx-cli", required=True)
    parser.add_argument("--okx-home", required=True)
    parser.add_argument("--choice", default=CHOICE, help="the reply to the site menu")
    parser.add_argument("--stop-at", type=StopPoint, choices=list(StopPoint))
    args = parser.parse_args(argv)
    context = AuthContext(okx_home=args.okx_home)
    with open_saver(args.db) as saver:
        graph = build_auth_graph(saver, okx_cli=args.okx_cli)
        result = converse(graph, args.thread, User(args.okx_cli, context, args.choice),
                          args.stop_at)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
