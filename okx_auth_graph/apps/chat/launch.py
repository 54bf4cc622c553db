"""Start a chat: pick the CLI, prepare the simulated HOME, open the checkpoints.

Everything the user could have got wrong is checked here, before the first
prompt, and reported as a `ChatError` in plain words: no okx CLI (the chat
never falls back to the simulator on its own), a database it cannot use, a
HOME it cannot create.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from langgraph.checkpoint.sqlite import SqliteSaver

from okx_auth_graph.apps.chat.browser import SimulatedBrowser
from okx_auth_graph.apps.chat.console import Console
from okx_auth_graph.apps.chat.inbox import Inbox
from okx_auth_graph.apps.chat.options import ChatOptions
from okx_auth_graph.apps.chat.session import ChatError, ChatSession
from okx_auth_graph.apps.chat.stopping import Leaving
from okx_auth_graph.apps.demo import simulator_path
from okx_auth_graph.builder import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.okx import OkxError
from okx_auth_graph.okx.runner import resolve_executable


def run_chat(options: ChatOptions, *, stdin: BinaryIO, out: TextIO, err: TextIO) -> int:
    """Hold the conversation `options` names until the user leaves; returns the exit code.

    Raises:
        ChatError: no okx CLI (without `--simulate`), an unusable database or
            simulated HOME, or a thread started against the other CLI.
        Stopped: Ctrl-C, a hang-up or a kill, once the chat has said how to continue.
    """
    console = Console(out, err, echo_input=not stdin.isatty())
    if options.simulate:
        simulator = simulator_path()
        home = _simulated_home(options)
        okx_cli, context = simulator, _context(options, str(home))
        browser: SimulatedBrowser | None = SimulatedBrowser(simulator, home, console)
    else:
        okx_cli, context = _installed_okx(), _context(options, None)
        browser = None
    leaving = Leaving()
    with _checkpointer(options.db) as saver:
        graph = build_auth_graph(
            saver, runner=leaving.stoppable_calls(), streaming_runner=leaving.stoppable(),
            okx_cli=okx_cli,
        )
        session = ChatSession(
            options, graph, context, okx_cli=okx_cli, console=console, inbox=Inbox(stdin),
            browser=browser, leaving=leaving,
        )
        return session.run()


def _context(options: ChatOptions, okx_home: str | None) -> AuthContext:
    return AuthContext(okx_home=okx_home, language=options.language, login_mode=options.login_mode)


def _installed_okx() -> str:
    """The real CLI, or a clear refusal that points at `--simulate`."""
    try:
        return resolve_executable()
    except OkxError as error:
        raise ChatError(
            f"{error.failure['detail']}\n"
            "To try the chat without it, against the offline simulator: "
            "okx-auth-graph chat --simulate"
        ) from None


def _simulated_home(options: ChatOptions) -> Path:
    home = options.simulator_home
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ChatError(f"cannot create the simulated HOME {home}: {error.strerror}") from None
    return home


@contextmanager
def _checkpointer(db: Path) -> Iterator[SqliteSaver]:
    """The conversation store, opened and checked before the chat begins.

    The connection is shared with the graph's worker threads (they save
    checkpoints too); `SqliteSaver` serialises its use with a lock.
    """
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(db, check_same_thread=False)
    except (OSError, sqlite3.Error) as error:
        raise ChatError(f"cannot open the chat database {db}: {error}") from None
    try:
        saver = SqliteSaver(connection)
        try:
            saver.setup()
        except sqlite3.Error as error:
            raise ChatError(f"cannot use {db} as the chat database: {error}") from None
        yield saver
    finally:
        connection.close()
