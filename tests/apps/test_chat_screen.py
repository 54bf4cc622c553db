"""The chat's screen and keyboard on their own: status line, spinner text, typed-ahead input.

The spinner must never reach a transcript that is piped or saved, and must
tell the truth while a blocking login waits; typed-ahead lines must keep
their order except for a browser command during a blocking wait.
"""

from __future__ import annotations

import io
import os
import pty
import subprocess
from pathlib import Path

from okx_auth_graph.apps.chat.console import Console
from okx_auth_graph.apps.chat.inbox import Inbox
from okx_auth_graph.apps.chat.progress import RunProgress
from tests.apps.conftest import SCRIPT, THREAD

WIPE = "\r\x1b[K"


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class _Clock:
    """Monotonic seconds that move only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_status_line_is_wiped_before_the_transcript_continues() -> None:
    out, err = io.StringIO(), _Terminal()
    console = Console(out, err, echo_input=False)

    console.status("- working 1s")
    console.say("assistant:\n    hello")
    console.status("\\ working 2s")
    console.clear_status()

    assert err.getvalue() == f"{WIPE}- working 1s{WIPE}{WIPE}\\ working 2s{WIPE}"
    assert out.getvalue() == "assistant:\n    hello\n"


def test_no_status_line_when_stderr_is_not_a_terminal() -> None:
    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err, echo_input=True)

    console.status("- working 1s")
    console.prompt()
    console.echo("2")
    console.clear_status()

    assert not console.status_enabled
    assert err.getvalue() == ""
    assert out.getvalue() == "you> 2\n"


def test_the_spinner_shows_the_run_then_the_waiting_command_and_its_budget() -> None:
    clock = _Clock()
    progress = RunProgress(Console(io.StringIO(), io.StringIO(), echo_input=False), clock=clock)
    started = clock.now

    clock.now += 3.2
    working = progress.status_line(0, started)
    progress.cli_waiting("okx auth login --site eea", elapsed=12.0, budget=660.0)
    clock.now += 0.6  # between two heartbeats the local clock carries the time on
    waiting = progress.status_line(1, started)
    progress.cli_finished()
    after = progress.status_line(2, started)

    assert working == "- working 3s"
    assert waiting == "\\ okx auth login --site eea: waiting 13s of 660s"
    assert after == "| working 4s"


def test_typed_ahead_lines_keep_their_order_and_the_end_stays() -> None:
    inbox = Inbox(io.BytesIO("done\n/approve\n好了\n".encode()))
    inbox.start()

    first = inbox.next_line()
    control_behind_reply = inbox.take_if(lambda line: line == "done")
    control_at_head = inbox.take_if(lambda line: line.startswith("/"))
    rest = [inbox.next_line(), inbox.next_line(), inbox.next_line()]

    assert first == "done"
    assert control_behind_reply is None  # the head is "/approve", not "done"
    assert control_at_head == "/approve"
    assert rest == ["好了", None, None]


def test_a_terminal_sees_the_spinner_on_stderr_and_stdout_stays_a_clean_transcript(
    chat_db: Path,
) -> None:
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [SCRIPT, "chat", "--simulate", "--db", str(chat_db), "--thread", THREAD],
            input=b"log me in\n", stdout=subprocess.PIPE, stderr=terminal,
            env={**os.environ, "OKX_SIM_FAULT": "slow:1", "OKX_SIM_FAULT_ON": "auth status"},
            timeout=120, check=False,
        )
        os.close(terminal)
        drawn = _drain(controller)
    finally:
        os.close(controller)

    assert done.returncode == 0
    assert b" working " in drawn  # the preflight waits a second for `auth status`
    assert drawn.endswith(WIPE.encode())  # and the line is gone once the run ends
    assert b"\x1b" not in done.stdout


def _drain(controller: int) -> bytes:
    """Everything written to the terminal (its writer is closed, so reading ends)."""
    data = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: no writer is left
            return data
        if not chunk:
            return data
        data += chunk
