"""The spinner while the graph works, and what the CLI is waiting for.

Ordinary steps are short, so a spinner driven by a timer says "working" with
the seconds since the run began. During a blocking CLI call (the interactive
login) the graph streams heartbeats (`okx_cli_progress`) and the spinner shows
that command, its elapsed time and its budget instead; between two heartbeats
the time is carried forward by the local clock so it never stalls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from okx_auth_graph.apps.chat.console import Console

FRAMES = "-\\|/"
"""ASCII frames: a status line must not depend on the terminal's encoding."""
TICK_SECONDS = 0.1
"""How often the spinner turns (and a browser control typed meanwhile is picked up)."""


@dataclass(frozen=True)
class _CliWait:
    """A blocking CLI call as its last heartbeat described it."""

    command: str
    elapsed: float
    budget: float | None
    seen_at: float


class RunProgress:
    """A ticker thread for the duration of each run."""

    def __init__(
        self,
        console: Console,
        *,
        while_cli_waits: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Draw on `console`.

        Args:
            console: Where the status line goes.
            while_cli_waits: Called at every tick while a blocking CLI call is
                running: the moment a simulated browser may act.
            clock: Monotonic seconds.
        """
        self._console = console
        self._while_cli_waits = while_cli_waits
        self._clock = clock
        self._lock = threading.Lock()
        self._wait: _CliWait | None = None

    @contextmanager
    def running(self) -> Iterator[None]:
        """Spin while the body runs; the status line is gone afterwards."""
        stop = threading.Event()
        started = self._clock()
        ticker = threading.Thread(
            target=self._spin, args=(stop, started), name="chat-progress", daemon=True
        )
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join()
            self.cli_finished()
            self._console.clear_status()

    def cli_waiting(self, command: str, elapsed: float, budget: float | None) -> None:
        """A heartbeat (or a line) of a blocking call: it is still running."""
        with self._lock:
            self._wait = _CliWait(command, elapsed, budget, self._clock())

    def cli_finished(self) -> None:
        """The blocking call ended; back to the plain "working" spinner."""
        with self._lock:
            self._wait = None

    def status_line(self, frame: int, started: float) -> str:
        """The text of the status line at this moment."""
        now = self._clock()
        with self._lock:
            wait = self._wait
        spinner = FRAMES[frame % len(FRAMES)]
        if wait is None:
            return f"{spinner} working {now - started:.0f}s"
        elapsed = wait.elapsed + (now - wait.seen_at)
        budget = f" of {wait.budget:.0f}s" if wait.budget is not None else ""
        return f"{spinner} {wait.command}: waiting {elapsed:.0f}s{budget}"

    def _spin(self, stop: threading.Event, started: float) -> None:
        frame = 0
        while not stop.wait(TICK_SECONDS):
            self._console.status(self.status_line(frame, started))
            frame += 1
            with self._lock:
                waiting = self._wait is not None
            if waiting and self._while_cli_waits is not None:
                self._while_cli_waits()
