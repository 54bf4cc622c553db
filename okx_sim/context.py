"""What every command handler receives, and how it reports failure.

Handlers write through a `Console` rather than to `sys.stdout` directly so
the `truncated` fault can capture the normal output and cut it, and they
raise `CommandError` with the real CLI's exact message instead of printing
and returning codes, so the exit status and stderr text stay in one place.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from okx_sim.faults import Fault
from okx_sim.paths import SimPaths
from okx_sim.state import SimState


class CommandError(Exception):
    """A failure the CLI reports on stderr with exit status 1, as `Error:`/`Hint:`/`Version:`."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        """The CLI's advice line, when the real CLI gives one for this error."""


@dataclass
class Console:
    """The streams of one invocation; every line is flushed at once.

    Flushing matters for the blocking login: a caller reads the link and code
    while the process is still waiting for the browser.
    """

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    compact_json: bool = False
    """One line per JSON answer instead of the real CLI's two-space indented form."""

    def out(self, line: str) -> None:
        """Print one line on stdout."""
        print(line, file=self.stdout, flush=True)

    def err(self, line: str) -> None:
        """Print one line on stderr."""
        print(line, file=self.stderr, flush=True)

    def json(self, payload: Mapping[str, Any] | list[Any]) -> None:
        """Print a payload as the real CLI does (`JSON.stringify(data, null, 2)`), or compact.

        `default=str` covers TOML dates a hand-edited config may contain.
        """
        if self.compact_json:
            text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)
        else:
            text = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
        self.out(text)

    def ask(self, prompt: str) -> str | None:
        """Show a prompt without a newline and read one line; None at end of input."""
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        return line.rstrip("\r\n") if line else None


@dataclass
class CommandContext:
    """One parsed invocation: its arguments, the user's files and any fault."""

    paths: SimPaths
    environ: Mapping[str, str]
    console: Console
    positionals: list[str]
    options: dict[str, str]
    """Flags that take a value, e.g. `{"--site": "eea"}`."""
    switches: frozenset[str]
    """Flags without a value, e.g. `--json`, `--manual`."""
    fault: Fault | None = None
    sleep: Callable[[float], None] = time.sleep
    """How the command waits (the blocking login's polls): an in-process caller's
    `sleep` raises once the call is stopped, where a process would be killed."""

    @property
    def wants_json(self) -> bool:
        """Whether the caller asked for machine-readable output."""
        return "--json" in self.switches

    def faulted(self, kind: str) -> bool:
        """Whether the active fault is `kind`."""
        return self.fault is not None and self.fault.kind == kind

    def auth_binary_present(self, state: SimState) -> bool:
        """Whether okx-auth exists, as the state says unless a fault hides it."""
        return state.binary_installed and not self.faulted("binary_missing")
