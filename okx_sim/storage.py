"""Atomic writes and the exclusive lock shared by every simulated CLI call.

Tests and the graph run many `okx` calls at once against one HOME. A reader
must never see a half-written file (so writes go to a temp file that replaces
the target in one rename) and two writers must never lose each other's update
(so every read-modify-write holds an exclusive `flock`).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` so readers see the old or the new file, never a mix.

    The temp file lives in the same directory (a rename across filesystems is
    not atomic) and is created 0600 because the config holds secrets.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as temp_file:
            temp_file.write(text)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


@contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on `lock_path` for the duration of the block.

    The lock is advisory and released by the kernel when the process dies,
    so a killed call (a test's timeout, a `hang` fault) never wedges others.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
