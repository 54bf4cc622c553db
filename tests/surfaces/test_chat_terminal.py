"""`okx-auth-graph chat` in a real pseudo-terminal: leaving is clean whichever way.

A pipe hides what a terminal shows: the chat's stdin is then a tty, Ctrl-C
is the terminal's own key (it sends SIGINT to the foreground group), Ctrl-D
is end of input, and the interpreter's exit has to get past a reader thread
still blocked on the keyboard. Each test types into the terminal as a
person would and checks the exit code and that nothing aborted.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.surfaces.conftest import SCRIPT, THREAD

CTRL_C, CTRL_D = b"\x03", b"\x04"
PROMPT = b"you> "
ABORTED = (b"Fatal Python error", b"Traceback", b"_enter_buffered_busy")


def _controlling_terminal() -> None:
    """In the child: a session of its own, with the pty as its controlling terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """The chat running in a pseudo-terminal; what it printed, and a keyboard."""

    def __init__(self, *args: str) -> None:
        master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [SCRIPT, "chat", *args], stdin=slave, stdout=slave, stderr=slave,
            preexec_fn=_controlling_terminal, close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.screen = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # EIO: the chat closed the terminal
            return False
        self.screen += chunk
        return bool(chunk)

    def expect(self, marker: bytes, *, count: int = 1, timeout: float = 60) -> None:
        """Wait until `marker` has appeared `count` times."""
        deadline = time.monotonic() + timeout
        while self.screen.count(marker) < count:
            assert time.monotonic() < deadline, self.screen.decode(errors="replace")
            if not self._read(0.2):
                break
        assert self.screen.count(marker) >= count, self.screen.decode(errors="replace")

    def type(self, keys: bytes) -> None:
        """Press keys (a line ends with a newline)."""
        os.write(self.master, keys)

    def exit_code(self, timeout: float = 60) -> int:
        """Read to the end, then the chat's exit code."""
        deadline = time.monotonic() + timeout
        while self._read(0.2) and time.monotonic() < deadline:
            if self.process.poll() is not None and not select.select([self.master], [], [], 0)[0]:
                break
        code = self.process.wait(timeout=max(1.0, deadline - time.monotonic()))
        os.close(self.master)
        return code

    def close(self) -> None:
        """Make sure nothing is left running."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


StartChat = Callable[..., Terminal]


@pytest.fixture
def terminal(chat_db: Path) -> Iterator[StartChat]:
    """Start `chat --simulate` on this test's database in a pseudo-terminal."""
    opened: list[Terminal] = []

    def start(*extra: str) -> Terminal:
        chat = Terminal("--simulate", "--db", str(chat_db), "--thread", THREAD, *extra)
        opened.append(chat)
        return chat

    yield start
    for chat in opened:
        chat.close()


def assert_clean(chat: Terminal) -> None:
    """Nothing aborted, no traceback; the chat said how to continue."""
    for sign in ABORTED:
        assert sign not in chat.screen, chat.screen.decode(errors="replace")
    assert b"continue it with:" in chat.screen


def test_quit_at_the_prompt_exits_0(terminal: StartChat) -> None:
    chat = terminal()
    chat.expect(PROMPT)
    chat.type(b"/quit\n")
    assert chat.exit_code() == 0
    assert_clean(chat)


def test_ctrl_d_at_the_prompt_exits_0(terminal: StartChat) -> None:
    chat = terminal()
    chat.expect(PROMPT)
    chat.type(CTRL_D)
    assert chat.exit_code() == 0
    assert_clean(chat)


def test_ctrl_c_at_the_prompt_exits_130(terminal: StartChat) -> None:
    chat = terminal()
    chat.expect(PROMPT)
    chat.type(CTRL_C)
    assert chat.exit_code() == 130
    assert_clean(chat)


def test_ctrl_c_at_the_prompt_mid_login_exits_130(terminal: StartChat) -> None:
    chat = terminal()
    chat.expect(PROMPT)
    chat.type(b"log me in\n")
    chat.expect(PROMPT, count=2)
    chat.type(b"2\n")
    chat.expect(PROMPT, count=3)
    chat.type(CTRL_C)
    assert chat.exit_code() == 130
    assert_clean(chat)


def test_ctrl_c_during_a_blocking_login_exits_130(terminal: StartChat) -> None:
    chat = terminal("--login", "interactive")
    chat.expect(PROMPT)
    chat.type(b"log me in\n")
    chat.expect(PROMPT, count=2)
    chat.type(b"2\n")
    chat.expect(b"Waiting for authorization...")
    chat.type(CTRL_C)
    assert chat.exit_code() == 130
    assert_clean(chat)
