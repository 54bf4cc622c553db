"""What the command line chose, and where a conversation keeps its files."""

from __future__ import annotations

import os
import re
import secrets
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

DEFAULT_DB = Path("~/.okx-auth-graph/chat.sqlite")
"""Where conversations are checkpointed unless `--db` says otherwise."""

_THREAD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def thread_id(text: str) -> str:
    """Check a `--thread` value; it names a directory in simulator mode, so it stays plain.

    Raises:
        ValueError: when the id has characters a file name could misread.
    """
    if not _THREAD_ID.fullmatch(text):
        raise ValueError(
            f"{text!r} is not a thread id: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return text


def new_thread_id() -> str:
    """A fresh id, short enough to type back with `--thread`."""
    return f"chat-{secrets.token_hex(4)}"


def started_as() -> tuple[str, ...]:
    """The words that start this program again, from any directory and with any PATH.

    "continue it with: okx-auth-graph chat ..." works only where that name is
    on PATH, typically inside an activated venv. So the chat names what is
    actually running: started as a console script, that script's absolute
    path (made absolute against the directory it was started from, which the
    chat never leaves); started with `python -m MODULE`, the interpreter's
    absolute path and `-m MODULE`.
    """
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is not None:  # `python -m`: the spec names the module (a package's __main__)
        return (os.path.abspath(sys.executable), "-m", spec.name.removesuffix(".__main__"))
    return (os.path.abspath(sys.argv[0]),)


@dataclass(frozen=True)
class ChatOptions:
    """One `okx-auth-graph chat` invocation."""

    db: Path
    """The SQLite file holding every conversation's checkpoints."""
    thread: str
    """The conversation to start or continue."""
    simulate: bool = False
    """Run against `okx-sim` in a HOME of this conversation's own."""
    language: Literal["zh", "en"] | None = None
    """Force the reply language; None lets the graph pick from the request."""
    login_mode: Literal["manual", "interactive"] = "manual"
    """`manual`: link and code in the chat, then "done"; `interactive`: the CLI waits."""
    launcher: tuple[str, ...] = field(default_factory=started_as)
    """How the chat was started, for the command that continues it (this process's own)."""

    @property
    def cli_kind(self) -> Literal["simulator", "okx"]:
        """Which CLI the conversation runs against; a thread keeps to one."""
        return "simulator" if self.simulate else "okx"

    @property
    def simulator_home(self) -> Path:
        """The simulated user's HOME: beside the database, one per thread.

        It must outlive the process (a simulated login pending at quit is
        still pending on `--thread`), so it is derived, not temporary:
        `<db dir>/<db name>.sim/<thread>/`.
        """
        return self.db.with_name(f"{self.db.name}.sim") / self.thread

    def resume_command(self) -> str:
        """The command line that continues this conversation, shell-quoted, to paste anywhere."""
        words = [*self.launcher, "chat"]
        if self.simulate:
            words.append("--simulate")
        if self.language is not None:
            words += ["--lang", self.language]
        if self.login_mode != "manual":
            words += ["--login", self.login_mode]
        if self.db != DEFAULT_DB.expanduser():
            words += ["--db", str(self.db)]
        words += ["--thread", self.thread]
        return shlex.join(words)
