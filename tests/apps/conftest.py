"""Fixtures of the apps' tests: the console scripts, run the way a reader runs them.

Each test talks to a real subprocess (`okx-auth-graph chat`, `okx-auth-graph
demo`, `langgraph dev`) through its stdin, stdout and exit code; nothing is
imported from the process under test except the texts it is expected to show.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from okx_auth_graph.apps.chat.options import ChatOptions
from okx_auth_graph.prompts import Language, format_scopes, render
from tests.expected import SCOPES, URIS

SCRIPT = str(Path(sys.executable).with_name("okx-auth-graph"))
"""The `okx-auth-graph` console script of this environment."""

THREAD = "t1"
"""The thread every chat test names, so a second run can continue it."""

RunChat = Callable[..., subprocess.CompletedProcess[str]]


def indented(text: str) -> str:
    """A posted text as a transcript prints it: continuation lines indented by four,
    and no line's trailing blanks (the markdown hard breaks a terminal cannot show)."""
    return "\n    ".join(line.rstrip() for line in text.split("\n"))


def shown_codes(transcript: str) -> list[str]:
    """The device codes the transcript shows, in order (the simulator makes random ones)."""
    return re.findall(r"(?:Code: |Enter code: |验证码:)([A-Z]{4}-[A-Z]{4})", transcript)


def login_template(site: str, code: str, language: Language = "en") -> str:
    """The skill's login template for a fresh ten-minute code, as the transcript indents it."""
    return indented(render(
        "login", language, site=site, verificationUri=URIS[site], userCode=code,
        **{"expiresIn/60": "10"},
    ))


def success_template(site: str, language: Language = "en") -> str:
    """The skill's success template with the simulator's scopes, indented."""
    return indented(render("success", language, site=site, scopes=format_scopes(SCOPES)))


@pytest.fixture
def chat_db(tmp_path: Path) -> Path:
    """Where this test's conversations are checkpointed."""
    return tmp_path / "chat" / "chat.sqlite"


@pytest.fixture
def simulated_home(chat_db: Path) -> Path:
    """The simulated HOME the chat gives thread `THREAD` of `chat_db`."""
    return ChatOptions(db=chat_db, thread=THREAD, simulate=True).simulator_home


@pytest.fixture
def run_chat(chat_db: Path) -> RunChat:
    """Run `okx-auth-graph chat --db <chat_db> <args>`, typing `lines`, to its exit."""

    def run(
        *args: str, lines: Sequence[str] = (), env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SCRIPT, "chat", "--db", str(chat_db), *args],
            input="".join(f"{line}\n" for line in lines),
            env={**os.environ, **(env or {})},
            capture_output=True, text=True, timeout=180, check=False,
        )

    return run
