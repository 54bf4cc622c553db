"""Leaving at once: Ctrl-C, a closed terminal or a `kill`, taking any CLI call down too.

Every CLI call runs in one of the graph's worker threads, which a signal
does not reach, and the graph waits for its workers before it lets go. So
the chat hands the graph runners that check, at every line and every quiet
second, whether the chat is leaving and, once it is, raise there: the runner
then stops the CLI's process group on the way out, and nothing keeps waiting
on OKX after the chat has stopped. The CLI runs in a process group of its
own, so a closed terminal's hang-up would never reach it by itself.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from okx_auth_graph.okx import CliRunner, OkxSettings
from okx_auth_graph.okx.interactive import StreamingRunner
from okx_auth_graph.okx.runner import CliResult, LineCallback, TickCallback, run_okx_streaming

LEAVING_SIGNALS = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)
"""Ctrl-C, the terminal closing, and a plain `kill`: each leaves the same way."""


class Stopped(KeyboardInterrupt):
    """The chat is leaving because of a signal (Ctrl-C's is SIGINT)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        """The signal that stopped the chat: the exit code is 128 plus it."""


class Leaving:
    """The chat's way out: the first leaving signal stops everything; later ones do nothing."""

    def __init__(self) -> None:
        self._signalled = threading.Event()

    @contextmanager
    def handled(self) -> Iterator[None]:
        """Within this block, a leaving signal raises `Stopped` once and stops CLI calls.

        Signals after the first, while a worker finishes its step, change
        nothing, so leaving never ends in a traceback.
        """

        def on_signal(signum: int, frame: FrameType | None) -> None:
            if not self._signalled.is_set():
                self._signalled.set()
                raise Stopped(signum)

        previous = {signum: signal.signal(signum, on_signal) for signum in LEAVING_SIGNALS}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def stoppable(self, runner: StreamingRunner = run_okx_streaming) -> StreamingRunner:
        """`runner`, giving up at its next line or quiet second once the chat is leaving."""

        def check() -> None:
            if self._signalled.is_set():
                raise KeyboardInterrupt

        def run(
            args: Sequence[str],
            settings: OkxSettings,
            on_line: LineCallback,
            on_tick: TickCallback | None = None,
            tick_seconds: float = 1.0,
            /,
        ) -> CliResult:
            def line(text: str) -> None:
                check()
                on_line(text)

            def tick(elapsed: float) -> None:
                check()
                if on_tick is not None:
                    on_tick(elapsed)

            return runner(args, settings, line, tick, tick_seconds)

        return run

    def stoppable_calls(self, runner: StreamingRunner = run_okx_streaming) -> CliRunner:
        """Every other CLI call (Step 0's reads, the manual login, ...) on the stoppable runner.

        The output is the same as a plain call's; only the waiting differs, so
        a leaving chat stops a hung call within a second instead of at its
        timeout.
        """
        stoppable = self.stoppable(runner)

        def run(args: Sequence[str], settings: OkxSettings, /) -> CliResult:
            return stoppable(args, settings, _ignore_line)

        return run


def _ignore_line(line: str) -> None:
    """A plain call's lines are read from its result, not as they come."""
