"""`okx-auth-graph chat` in a real pseudo-terminal, typed into as a person would.

A pipe hides what a terminal shows: the chat's stdin is then a tty, Ctrl-C
is the terminal's own key (it sends SIGINT to the foreground group), Ctrl-D
is end of input, the interpreter's exit has to get past a reader thread
still blocked on the keyboard, and stdout has a width the transcript must
fit. The tests check that leaving is clean whichever way, that one reply is
one `assistant:` block, that lines break between words at the terminal's
width, that a resumed thread picks up without a new greeting, and that the
command printed to continue works as pasted, from anywhere.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shlex
import signal
import struct
import subprocess
import sys
import termios
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from okx_auth_graph.apps.chat.wording import frame
from okx_auth_graph.prompts import render
from okx_auth_graph.skill import site_menu
from tests.apps.conftest import SCRIPT, THREAD, indented, shown_codes
from tests.expected import NOT_A_CHOICE, URIS
from tests.support import okx_sim_processes

CTRL_C, CTRL_D = b"\x03", b"\x04"
PROMPT = b"you> "
ABORTED = (b"Fatal Python error", b"Traceback", b"_enter_buffered_busy")
_STATUS_LINE = re.compile(r"[^\n]*\r\x1b\[K")
"""A line's text up to the last wipe of the status line on it: drawn over, so not shown."""


def _controlling_terminal() -> None:
    """In the child: a session of its own, with the pty as its controlling terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """The chat running in a pseudo-terminal; what it printed, and a keyboard."""

    def __init__(
        self,
        *args: str,
        command: Sequence[str] = (SCRIPT, "chat"),
        columns: int = 80,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """Start `command` with `args` on a terminal `columns` wide (and 24 high).

        Args:
            args: The chat's options.
            command: How the chat is started (the console script, by default).
            columns: The terminal's width, as a terminal window reports it.
            cwd: The directory to start it in (default: this one).
            env: The whole environment (default: this process's).
        """
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        self.process = subprocess.Popen(
            [*command, *args], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
            preexec_fn=_controlling_terminal, close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.screen = b""

    @property
    def text(self) -> str:
        """What the screen shows: CR LF made newlines, the spinner's drawn-over lines gone."""
        plain = self.screen.decode(errors="replace").replace("\r\n", "\n")
        return _STATUS_LINE.sub("", plain)

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

    def start(*extra: str, columns: int = 80, env: dict[str, str] | None = None) -> Terminal:
        chat = Terminal(
            "--simulate", "--db", str(chat_db), "--thread", THREAD, *extra, columns=columns,
            env=env,
        )
        opened.append(chat)
        return chat

    yield start
    for chat in opened:
        chat.close()


def assert_clean(chat: Terminal) -> None:
    """Nothing aborted, no traceback; the chat said how to continue, in either language."""
    for sign in ABORTED:
        assert sign not in chat.screen, chat.screen.decode(errors="replace")
    words = chat.text.split()  # however the width broke the line
    assert frame("saved", "en") in " ".join(words) or frame("saved", "zh") in "".join(words)


@pytest.mark.parametrize(
    ("keys", "exit_code"),
    [
        pytest.param(b"/quit\n", 0, id="quit-exits-0"),
        pytest.param(CTRL_D, 0, id="ctrl-d-exits-0"),
        pytest.param(CTRL_C, 130, id="ctrl-c-exits-130"),
    ],
)
def test_leaving_at_the_prompt(terminal: StartChat, keys: bytes, exit_code: int) -> None:
    chat = terminal()
    chat.expect(PROMPT)
    chat.type(keys)
    assert chat.exit_code() == exit_code
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


def waiting_in_a_blocking_login(terminal: StartChat) -> Terminal:
    """A chat whose blocking login (site 2) waits for the browser, the CLI running."""
    chat = terminal("--login", "interactive")
    chat.expect(PROMPT)
    chat.type(b"log me in\n")
    chat.expect(PROMPT, count=2)
    chat.type(b"2\n")
    chat.expect(b"Waiting for authorization...")
    return chat


def test_ctrl_c_during_a_blocking_login_exits_130(terminal: StartChat) -> None:
    chat = waiting_in_a_blocking_login(terminal)
    chat.type(CTRL_C)
    assert chat.exit_code() == 130
    assert_clean(chat)


HUNG_LOGIN = {**os.environ, "OKX_SIM_FAULT": "hang", "OKX_SIM_FAULT_ON": "auth login"}
"""The simulator's `auth login --manual` hangs: the chat waits on a CLI call that never ends."""
BUDGET_SECONDS = 30
"""The CLI call's budget (the context's default `timeout_seconds`)."""


def waiting_on_a_hung_call(terminal: StartChat, home: Path) -> Terminal:
    """The menu answered; the manual login's call hangs (`home`: the chat's simulated HOME)."""
    chat = terminal(env=HUNG_LOGIN)
    chat.expect(PROMPT)
    chat.type(b"log me in\n")
    chat.expect(PROMPT, count=2)
    chat.type(b"2\n")
    deadline = time.monotonic() + 60
    while not okx_sim_processes(home):
        assert time.monotonic() < deadline, chat.screen.decode(errors="replace")
        time.sleep(0.1)
    return chat


def test_ctrl_c_stops_a_hung_call_before_its_budget(
    terminal: StartChat, simulated_home: Path
) -> None:
    """Step 0's reads and the manual login obey Ctrl-C too, not only the blocking login."""
    chat = waiting_on_a_hung_call(terminal, simulated_home)
    chat.type(CTRL_C)
    assert chat.exit_code(timeout=BUDGET_SECONDS / 2) == 130
    assert_clean(chat)
    assert okx_sim_processes(simulated_home) == []


@pytest.mark.parametrize(
    ("leave", "exit_code"),
    [
        pytest.param(lambda chat: os.close(chat.master), 128 + signal.SIGHUP, id="terminal-closed"),
        pytest.param(lambda chat: chat.process.terminate(), 128 + signal.SIGTERM, id="kill"),
    ],
)
def test_a_chat_that_is_hung_up_on_or_killed_leaves_no_cli_behind(
    terminal: StartChat, simulated_home: Path, leave: Callable[[Terminal], None], exit_code: int
) -> None:
    """The CLI runs in a process group of its own, which the hang-up never reaches."""
    chat = waiting_on_a_hung_call(terminal, simulated_home)
    leave(chat)
    assert chat.process.wait(timeout=BUDGET_SECONDS / 2) == exit_code
    assert okx_sim_processes(simulated_home) == []


# ---------------------------------------------------------------- what the screen shows


def reply_to(chat: Terminal, line: str) -> str:
    """What the chat printed after the user typed `line`, up to its next prompt."""
    typed = f"{PROMPT.decode()}{line}\n"
    start = chat.text.index(typed) + len(typed)
    return chat.text[start:chat.text.index(PROMPT.decode(), start)]


def columns(line: str) -> int:
    """The columns a terminal gives `line`: two for each wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def talk(chat: Terminal, *lines: bytes) -> None:
    """At each prompt type the next line, then leave with /quit; the chat exits 0."""
    for index, line in enumerate((*lines, b"/quit")):
        chat.expect(PROMPT, count=index + 1)
        chat.type(line + b"\n")
    assert chat.exit_code() == 0
    assert_clean(chat)


def test_not_a_choice_and_the_menu_again_are_one_reply(terminal: StartChat) -> None:
    chat = terminal()
    talk(chat, b"log me in", b"hello")

    reply = reply_to(chat, "hello")
    assert reply.count("assistant:") == 1
    assert reply == (
        f"\nassistant:\n    {NOT_A_CHOICE['en']}\n\n"
        f"    {indented(site_menu())}\n"
    )


def test_a_blocking_login_is_one_reply_around_the_cli_lines(terminal: StartChat) -> None:
    chat = waiting_in_a_blocking_login(terminal)
    chat.type(b"/approve\n")
    chat.expect(b"[okx_auth]")
    chat.expect(PROMPT, count=3)
    chat.type(b"/quit\n")
    assert chat.exit_code() == 0

    reply = reply_to(chat, "2")
    assert reply.count("assistant:") == 1  # the announcement, the CLI's lines, the result
    assert reply.index("okx | Waiting for authorization...") < reply.index("Login successful.")


def test_lines_break_between_words_at_the_terminal_width(terminal: StartChat) -> None:
    chat = terminal(columns=30)
    talk(chat, b"log me in", b"2")

    (code,) = shown_codes(chat.text)
    lines = reply_to(chat, "2").splitlines()
    template = render("login", "en", site="eea", verificationUri=URIS["eea"], userCode=code,
                      **{"expiresIn/60": "10"})
    # every word whole, in order: a word cut in two would be two words here
    assert " ".join(lines).split() == ["assistant:", *template.split()]
    for line in lines:  # a line is the terminal's width at most, or one word too long for it
        assert columns(line) <= 30 or len(line.split()) == 1, line
    assert f"    {URIS['eea']}" in lines  # wider than the terminal: a line of its own, whole
    assert f"    Code: {code}" in lines  # a line that fits stays whole (no hard-break blanks)


def test_chinese_breaks_between_characters_measured_two_columns_each(
    terminal: StartChat,
) -> None:
    chat = terminal("--lang", "zh", columns=50)
    talk(chat, b"log me in", b"2")

    (code,) = shown_codes(chat.text)
    reply = reply_to(chat, "2")
    for line in reply.splitlines():
        assert columns(line) <= 50, line
    # 4 + 2 x 22 columns fill the line; counted as one column each, it would not break at all
    assert "    请在浏览器中打开下面的链接并输入验证码完成授\n    权:\n" in reply
    assert f"    链接:{URIS['eea']}\n" in reply
    assert f"    验证码:{code}\n" in reply


def test_a_resumed_thread_asks_its_open_question_without_a_greeting(
    terminal: StartChat, simulated_home: Path
) -> None:
    first = terminal(columns=200)
    talk(first, b"log me in", b"2")
    (code,) = shown_codes(first.text)

    second = terminal(columns=200)
    talk(second)

    assert "Ask to log in" not in second.text
    assert second.text.startswith(
        f"(continuing thread {THREAD}, simulated okx (HOME {simulated_home}); "
        "the question still open:)\n\nassistant:\n    Please open the link below"
    )
    assert shown_codes(second.text) == [code]  # the same code, asked again: no new login


VENV = Path(sys.executable).parent.parent
"""This environment's root; the chat is started from here by a relative path."""


@pytest.mark.parametrize(
    ("started", "launcher"),
    [
        (("bin/okx-auth-graph",), (SCRIPT,)),
        ((f"bin/{Path(sys.executable).name}", "-m", "okx_auth_graph"),
         (sys.executable, "-m", "okx_auth_graph")),
    ],
    ids=["console-script", "python-m"],
)
def test_the_command_to_continue_works_pasted_anywhere(
    tmp_path: Path, started: tuple[str, ...], launcher: tuple[str, ...]
) -> None:
    db = tmp_path / "my chats" / "chat.sqlite"  # a space: the command must quote it
    options = ("--simulate", "--lang", "zh", "--login", "interactive", "--db", str(db),
               "--thread", THREAD)
    first = Terminal(*options, command=(*started, "chat"), cwd=VENV, columns=300)
    try:
        talk(first, b"log me in")
    finally:
        first.close()
    pasted = first.text.split(f"{frame('saved', 'zh')}\n")[1].splitlines()[0]

    words = shlex.split(pasted)
    assert Path(words[0]).is_absolute()
    assert [str(Path(words[0]).resolve()), *words[1:]] == [
        str(Path(launcher[0]).resolve()), *launcher[1:], "chat", *options,
    ]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    no_venv = {**os.environ, "PATH": "/usr/bin:/bin"}
    second = Terminal(command=("/bin/sh", "-c", pasted), cwd=elsewhere, env=no_venv, columns=300)
    try:
        talk(second)
    finally:
        second.close()
    assert second.text.startswith(f"(继续线程 {THREAD},模拟的 okx")  # --lang zh, kept
    assert "您需要选择要连接的 OKX 站点" in second.text  # the open question, in --lang zh
