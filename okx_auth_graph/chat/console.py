"""The screen: the transcript on stdout, a one-line status (the spinner) on stderr.

Two threads write here (the loop and the spinner), so every write holds one
lock, and a status line is wiped before transcript text goes out. The status
line exists only on a terminal: a pipe or a file (a test, `| tee`) gets the
plain transcript and nothing that redraws itself.
"""

from __future__ import annotations

import threading
from typing import TextIO

PROMPT = "you> "
"""Shown when the chat waits for the user."""

_WIPE = "\r\x1b[K"
"""Carriage return, then erase to the end of the line."""


class Console:
    """Serialised output for the transcript and the status line."""

    def __init__(self, out: TextIO, err: TextIO, *, echo_input: bool) -> None:
        """Write to `out` (transcript) and `err` (status).

        Args:
            out: Where the conversation is printed.
            err: Where the spinner is drawn, if it is a terminal.
            echo_input: Print each line read after the prompt, because no
                terminal echoed it (input from a pipe or a file).
        """
        self._out = out
        self._err = err
        self._echo_input = echo_input
        self._status_enabled = err.isatty()
        self._status_shown = False
        self._lock = threading.Lock()

    @property
    def status_enabled(self) -> bool:
        """Whether a status line can be drawn (stderr is a terminal)."""
        return self._status_enabled

    def say(self, text: str) -> None:
        """Print a block of the transcript, on its own line."""
        with self._lock:
            self._wipe_status()
            self._out.write(f"{text}\n")
            self._out.flush()

    def prompt(self) -> None:
        """Ask for the next line."""
        with self._lock:
            self._wipe_status()
            self._out.write(PROMPT)
            self._out.flush()

    def echo(self, line: str) -> None:
        """Complete the prompt with what was read, when no terminal showed it."""
        if self._echo_input:
            with self._lock:
                self._out.write(f"{line}\n")
                self._out.flush()

    def status(self, text: str) -> None:
        """Draw (or redraw) the status line; nothing when stderr is not a terminal."""
        if not self._status_enabled:
            return
        with self._lock:
            self._err.write(f"{_WIPE}{text}")
            self._err.flush()
            self._status_shown = True

    def clear_status(self) -> None:
        """Remove the status line, if one is drawn."""
        with self._lock:
            self._wipe_status()

    def _wipe_status(self) -> None:
        if self._status_shown:
            self._err.write(_WIPE)
            self._err.flush()
            self._status_shown = False
