"""The screen: the transcript on stdout, a one-line status (the spinner) on stderr.

Two threads write here (the loop and the spinner), so every write holds one
lock, and a status line is wiped before transcript text goes out. The status
line exists only on a terminal: a pipe or a file (a test, `| tee`) gets the
plain transcript and nothing that redraws itself. Likewise only a terminal
gets the transcript wrapped to its width (`wrapping`), measured again at each
block so a resized window is followed; a pipe gets every line whole.
"""

from __future__ import annotations

import os
import threading
from typing import TextIO

from okx_auth_graph.apps.chat.wrapping import wrap

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
        self._wraps = out.isatty()
        self._status_enabled = err.isatty()
        self._status_shown = False
        self._lock = threading.Lock()

    @property
    def status_enabled(self) -> bool:
        """Whether a status line can be drawn (stderr is a terminal)."""
        return self._status_enabled

    def say(self, text: str, *, wrap_lines: bool = True) -> None:
        """Print a block of the transcript, on its own line.

        Args:
            text: The block.
            wrap_lines: Fit it to the terminal's width. False for a line that
                must stay one line, such as a command to paste: a line break
                in it would run half the command.
        """
        columns = self._columns() if wrap_lines else None
        if columns is not None:
            text = wrap(text, columns)
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
            self._draw_status(f"{_WIPE}{text}")
            self._status_shown = self._status_enabled

    def clear_status(self) -> None:
        """Remove the status line, if one is drawn."""
        with self._lock:
            self._wipe_status()

    def _columns(self) -> int | None:
        """The terminal's width now; None when stdout is no terminal (or says no width)."""
        if not self._wraps:
            return None
        try:
            columns = os.get_terminal_size(self._out.fileno()).columns
        except (OSError, ValueError):  # no file descriptor, or not a terminal after all
            return None
        return columns or None

    def _wipe_status(self) -> None:
        if self._status_shown:
            self._draw_status(_WIPE)
            self._status_shown = False

    def _draw_status(self, text: str) -> None:
        """Write to the status line; a terminal that is gone (hung up) just shows no more.

        The status line is decoration: a failed write must not take the place
        of what the chat is doing, least of all of the hang-up it is leaving on.
        """
        try:
            self._err.write(text)
            self._err.flush()
        except OSError:
            self._status_enabled = False
