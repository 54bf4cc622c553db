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

Waiting for the lock is written once, as a plan (`login_lock`) that yields a
`Pause` whenever the lock is taken (and `FileWork` to create its folder): the
graph's sync driver sleeps, its async driver awaits `asyncio.sleep`
(`okx_auth_graph.okx.steps`), so a login waiting under `ainvoke` never blocks
the event loop, and both wait by the same rule.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Generator
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

from okx_auth_graph.okx.errors import OkxError, OkxFailure
from okx_auth_graph.okx.steps import FileWork, Pause, on_disk

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
    """A held login lock and the count in it: what it was, and the login this step starts.

    Leaving its `with` block releases the lock (the file lock, then this
    process's lock); `release` does the same earlier, once.
    """

    def __init__(self, fd: int, local: threading.Lock) -> None:
        self._fd: int | None = fd
        self._local = local
        self.started = _count(os.pread(fd, 32, 0)) or 0
        """Logins started in this HOME before this one."""

    @property
    def holds(self) -> tuple[int, ...]:
        """The lock's open file, for the `auth login` process to inherit (`OkxSettings.holds`).

        A file lock belongs to the open file, not to the process: while the
        CLI has it open, the lock stays taken even if the worker that took it
        is killed (`kill -9`) mid-login, so no other worker starts a second
        login of this HOME while that one is still minting its code. Releasing
        it here (`LOCK_UN`) frees it for every holder at once.
        """
        if self._fd is None:
            raise RuntimeError("the login lock was already released")
        return (self._fd,)

    def record_start(self) -> int:
        """Count the login this step just started; returns the new count.

        Not synced to disk: the next holder of the lock reads the count from
        the kernel's cache on this machine, and on a shared file system the
        client writes it back before it lets go of the lock. Only a machine
        that loses power can lose the count, and with it the runs that were
        counting on it. A sync cost about as much as three of the graph's steps.
        """
        if self._fd is None:
            raise RuntimeError("the login lock was already released")
        self.started += 1
        data = str(self.started).encode("ascii")
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)
        return self.started

    def release(self) -> None:
        """Let the next login of this HOME go ahead (again: nothing)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
            self._local.release()

    def __enter__(self) -> LoginLedger:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def _local_lock(path: Path) -> threading.Lock:
    with _LOCAL_GUARD:
        return _LOCAL.setdefault(path, threading.Lock())


def _busy(timeout: float) -> OkxError:
    return OkxError(OkxFailure(
        kind="timeout",
        detail=f"another sign-in of this user was still starting after {timeout:g} seconds",
        command=[],
    ))


def _flocked(fd: int) -> bool:
    """Take the file lock if it is free, without waiting."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


LockWait = Generator[Pause | FileWork[Any], Any, LoginLedger]
"""Waiting for a HOME's login lock: pauses while it is taken, then the held lock."""


def login_lock(home: str | None, timeout: float) -> LockWait:
    """Take the HOME's login lock, waiting up to `timeout` seconds; `with` the result.

    A plan for the graph's drivers (see the module docstring): it tries the
    lock, and pauses `POLL_SECONDS` each time it is taken. Whatever stops the
    wait (the deadline, an exception thrown in, a closed plan) lets go of
    anything already taken.
    """
    path = lock_path(home)
    if not path.parent.is_dir():
        yield from on_disk(partial(path.parent.mkdir, mode=0o700, parents=True, exist_ok=True))
    local = _local_lock(path)
    deadline = time.monotonic() + timeout
    while not local.acquire(blocking=False):
        if time.monotonic() >= deadline:
            raise _busy(timeout)
        yield Pause(POLL_SECONDS)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while not _flocked(fd):
                if time.monotonic() >= deadline:
                    raise _busy(timeout)
                yield Pause(POLL_SECONDS)
            return LoginLedger(fd, local)
        except BaseException:
            os.close(fd)
            raise
    except BaseException:
        local.release()
        raise
