"""One login at a time in a HOME: Step 0.3's check and the login under one lock.

The skill says a pending login is waited for, never replaced by a new one.
Two conversations of the same user (two threads, two server workers, two
replicas sharing the HOMEs) could otherwise both find "not logged in" and
both mint a device code. So the login step takes a lock on a file under the
user's HOME (`.okx-auth-graph/login.lock`), exclusive across threads (a lock
per file in this process) and across processes (`flock`, which on a shared
file system the kernel maps to the server's record locks). The file also
counts the logins this HOME has started: Step 0 notes the count, and a login
step that finds it changed under the lock knows another conversation started
one since, and asks `auth status` again before doing anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from okx_auth_graph.okx.errors import OkxError, OkxFailure

LOCK_DIR = ".okx-auth-graph"
"""The folder under the HOME that holds the lock (the CLI's own `.okx/` is left to it)."""
LOCK_FILE = "login.lock"
"""The lock file; its content is the number of logins started in this HOME."""
POLL_SECONDS = 0.05
"""How often a waiting login tries the lock again."""

_LOCAL: dict[Path, threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


def lock_path(home: str | None) -> Path:
    """Where the lock of a HOME lives (`None`: this process's own HOME)."""
    return Path(home or os.path.expanduser("~")) / LOCK_DIR / LOCK_FILE


def _count(raw: bytes) -> int | None:
    """The count a lock file holds (0 when empty); None when it holds anything else."""
    text = raw.strip()
    if not text:
        return 0
    return int(text) if text.isdigit() else None


def logins_started(home: str | None) -> int:
    """How many logins this HOME has started (0 before the first; read without the lock)."""
    try:
        count = _count(lock_path(home).read_bytes())
    except FileNotFoundError:
        return 0
    except OSError:
        count = None
    return -1 if count is None else count  # unreadable: no count matches -1, so it checks again


class LoginLedger:
    """The count in a held lock: what it was, and the login this step starts."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self.started = _count(os.pread(fd, 32, 0)) or 0
        """Logins started in this HOME before this one."""

    def record_start(self) -> int:
        """Count the login this step just started; returns the new count."""
        self.started += 1
        data = str(self.started).encode("ascii")
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)
        os.fsync(self._fd)
        return self.started


def _local_lock(path: Path) -> threading.Lock:
    with _LOCAL_GUARD:
        return _LOCAL.setdefault(path, threading.Lock())


def _busy(timeout: float) -> OkxError:
    return OkxError(OkxFailure(
        kind="timeout",
        detail=f"another sign-in of this user was still starting after {timeout:g} seconds",
        command=[],
    ))


@contextlib.contextmanager
def login_lock(home: str | None, timeout: float) -> Iterator[LoginLedger]:
    """Hold the HOME's login lock (waiting up to `timeout` seconds) and its count."""
    path = lock_path(home)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    local = _local_lock(path)
    deadline = time.monotonic() + timeout
    if not local.acquire(timeout=max(timeout, 0.0)):
        raise _busy(timeout)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise _busy(timeout) from None
                    time.sleep(POLL_SECONDS)
            try:
                yield LoginLedger(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        local.release()
