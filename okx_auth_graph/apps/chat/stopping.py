"""Ctrl-C: leave at once, and take a blocking CLI call down too.

A blocking login runs in one of the graph's worker threads, which Ctrl-C
does not reach, and the graph waits for its workers before it lets go. So the
chat hands the graph a streaming runner that checks the key press at every
line and every quiet second and, once it was pressed, raises there: the
runner then kills the CLI's process group on the way out, and nothing keeps
waiting on OKX after the chat has stopped.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from okx_auth_graph.okx import OkxSettings
from okx_auth_graph.okx.interactive import StreamingRunner
from okx_auth_graph.okx.runner import CliResult, LineCallback, TickCallback


class CtrlC:
    """The chat's Ctrl-C: the first press stops everything; later ones are no traceback."""

    def __init__(self) -> None:
        self._pressed = threading.Event()

    @contextmanager
    def handled(self) -> Iterator[None]:
        """Within this block, Ctrl-C raises KeyboardInterrupt once and stops CLI calls.

        Presses after the first, while a worker finishes its step, change
        nothing, so leaving never ends in a traceback.
        """

        def on_press(signum: int, frame: FrameType | None) -> None:
            if not self._pressed.is_set():
                self._pressed.set()
                raise KeyboardInterrupt

        previous = signal.signal(signal.SIGINT, on_press)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def stoppable(self, runner: StreamingRunner) -> StreamingRunner:
        """`runner`, giving up at its next line or quiet second once Ctrl-C was pressed."""

        def check() -> None:
            if self._pressed.is_set():
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
