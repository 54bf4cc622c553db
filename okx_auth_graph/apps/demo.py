"""A scripted conversation against `okx-sim`: the product in thirty seconds.

It plays both sides of a first login (the user's replies and, through the
simulator, the browser) and prints the transcript, so a reader sees every
rule at work: the menu, a reply that is not a choice, the gate, the login
template, a reply that is no signal, and one verification.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph.builder import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.okx.runner import OkxSettings, child_environment
from okx_auth_graph.testing import Conversation


def simulator_path() -> str:
    """The `okx-sim` executable installed beside this Python, else on PATH."""
    beside = Path(sys.executable).with_name("okx-sim")
    found = str(beside) if beside.exists() else shutil.which("okx-sim")
    if not found:
        raise SystemExit("okx-sim is not installed; install this package first (pip install -e .)")
    return found


def run_simulator(simulator: str, home: str | Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one of the simulator's controls (its browser, its clock) for the user in `home`.

    It gets the environment the okx CLI would get there (`child_environment`),
    without this process's OKX credentials either: the host's secrets are none
    of its business.
    """
    return subprocess.run(
        [simulator, *args],
        env=child_environment(OkxSettings(okx_home=str(home), inherit_credentials=False)),
        capture_output=True, text=True, check=False, timeout=30,
    )


@dataclass(frozen=True)
class Turn:
    """A user reply, and what the browser does just before it."""

    reply: str
    browser: tuple[str, ...] = ()


@contextmanager
def private_home() -> Iterator[str]:
    """A throwaway HOME so the demo never touches a real `~/.okx/`."""
    with tempfile.TemporaryDirectory(prefix="okx-auth-demo-") as home:
        yield home


def play(
    opening: str,
    turns: list[Turn],
    out: TextIO,
    *,
    prepare: Callable[[str, str], None] | None = None,
) -> dict[str, Any]:
    """Run one conversation to its end and print it; returns the final output."""
    sim = simulator_path()
    with private_home() as home:
        if prepare is not None:
            prepare(sim, home)
        graph = build_auth_graph(InMemorySaver(), okx_cli=sim)
        conv = Conversation(graph, AuthContext(okx_home=home), thread_id="demo")
        conv.start(opening)
        script = iter(turns)
        while True:
            for entry in conv.transcript(conv.new_messages):
                print(f"\n{entry}", file=out)
            if conv.interrupt is None:
                print(f"\n[okx_auth] {conv.result.get('okx_auth')}", file=out)
                return conv.result
            turn = next(script)
            for action in turn.browser:
                run_simulator(sim, home, "browser", action).check_returncode()
                print(f"\n    (browser: the user clicks {action!r})", file=out)
            conv.reply(turn.reply)


def run_demo(out: TextIO = sys.stdout) -> int:
    """The README's demo: a Chinese first login, then an English one."""
    print("=== A first login, in Chinese ===", file=out)
    play(
        "帮我登录 OKX",
        [Turn("Europe please"), Turn("2"), Turn("稍等"), Turn("好了", browser=("approve",))],
        out,
    )
    print("\n=== The same in English, choosing by name ===", file=out)
    play("Please log me in to OKX", [Turn("us"), Turn("done", browser=("approve",))], out)
    return 0
