"""The keyboard: every line the user types, in order, read by a thread of its own.

Reading happens in the background so that a browser control (`/approve`)
typed while the CLI blocks on a login can run at once, while the graph is
still busy. Everything else is taken in order at the next prompt, so piped
input (a script, a test) behaves exactly like typing.

A stream with a file descriptor (the terminal) is read with `os.read`, not
through its buffered reader: a thread blocked inside `sys.stdin.buffer`
holds that reader's lock, and the interpreter's exit then aborts with
"Fatal Python error: _enter_buffered_busy" instead of leaving (on `/quit`,
on Ctrl-C). A blocked `os.read` holds nothing the exit needs.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import BinaryIO

_CHUNK = 4096


class Inbox:
    """Lines from a byte stream, decoded leniently and queued."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._lines: deque[str | None] = deque()
        self._ready = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="chat-inbox", daemon=True)

    def start(self) -> None:
        """Begin reading; a daemon thread, so a pending read never holds up the exit."""
        self._reader.start()

    def _read(self) -> None:
        for raw in self._raw_lines():
            self._put(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        self._put(None)

    def _raw_lines(self) -> Iterator[bytes]:
        """Each line as bytes, from the file descriptor when the stream has one."""
        try:
            fd = self._stream.fileno()
        except (OSError, ValueError):  # io.UnsupportedOperation: an in-memory stream
            yield from self._stream
            return
        pending = b""
        while chunk := _read_chunk(fd):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            yield from (line + b"\n" for line in lines)
        if pending:
            yield pending

    def _put(self, line: str | None) -> None:
        with self._ready:
            self._lines.append(line)
            self._ready.notify_all()

    def next_line(self) -> str | None:
        """The next line, waiting for it; None once the input ended (Ctrl-D)."""
        with self._ready:
            self._ready.wait_for(lambda: bool(self._lines))
            line = self._lines[0]
            if line is not None:  # the end stays queued: every later call sees it too
                self._lines.popleft()
            return line

    def take_if(self, wanted: Callable[[str], bool]) -> str | None:
        """Take the first queued line only if it is `wanted`, without waiting.

        Only the head is looked at: a reply typed ahead keeps its place, and
        so does everything behind it.
        """
        with self._ready:
            head = self._lines[0] if self._lines else None
            if head is not None and wanted(head):
                self._lines.popleft()
                return head
            return None


def _read_chunk(fd: int) -> bytes:
    """The next bytes typed; none at the end of input or once the terminal is gone (hung up)."""
    try:
        return os.read(fd, _CHUNK)
    except OSError:
        return b""
