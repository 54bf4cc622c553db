"""At most so many CLI processes at once per HOME: one user cannot crowd out the others.

On a server every identity has a HOME of its own (`isolation.okx_settings`),
and every run of every user starts its CLI calls in the same process. Without
a bound, one user's twenty slow runs put twenty processes on the machine's
cores at once, and another user's status check waits behind them. So a run
with `OkxSettings.max_processes` set waits for a free slot of its HOME before
it starts a process, and frees it once the process is reaped. Waiters are
served in the order they came, whether they wait on a thread (the sync
runners) or on an event loop (the async ones, which never block the loop).

The bound is per process: N replicas of a server allow one user N times as
many. Without `max_processes` (a library, a notebook, a single-user server)
nothing waits.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

W = TypeVar("W", threading.Event, "asyncio.Future[None]")
"""A waiter: a thread blocked on its event, or a task awaiting its future, until a slot is
handed over."""


class ProcessSlots:
    """The running processes of each HOME, and who waits for one to end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}
        self._waiting: dict[str, deque[threading.Event | asyncio.Future[None]]] = {}

    def running(self, home: str) -> int:
        """How many slots of `home` are taken now."""
        with self._lock:
            return self._running.get(home, 0)

    @contextmanager
    def held(self, home: str | None, limit: int | None) -> Iterator[None]:
        """A slot of `home` for the block, waited for on this thread (None: no bound)."""
        if home is None or limit is None:
            yield
            return
        event = self._take_or_queue(home, limit, threading.Event)
        if event is not None:
            event.wait()
        try:
            yield
        finally:
            self._release(home)

    @asynccontextmanager
    async def aheld(self, home: str | None, limit: int | None) -> AsyncIterator[None]:
        """`held` on the event loop: a task waits without blocking the loop's thread."""
        if home is None or limit is None:
            yield
            return
        loop = asyncio.get_running_loop()
        future = self._take_or_queue(home, limit, loop.create_future)
        if future is not None:
            try:
                await future
            except asyncio.CancelledError:
                self._forget(home, future)
                raise
        try:
            yield
        finally:
            self._release(home)

    def _take_or_queue(self, home: str, limit: int, make: Callable[[], W]) -> W | None:
        """Take a free slot (None), or queue a new waiter and return it."""
        with self._lock:
            if self._running.get(home, 0) < limit and not self._waiting.get(home):
                self._running[home] = self._running.get(home, 0) + 1
                return None
            waiter = make()
            self._waiting.setdefault(home, deque()).append(waiter)
            return waiter

    def _release(self, home: str) -> None:
        """Hand the slot to the first waiter, or free it when nobody waits."""
        with self._lock:
            queue = self._waiting.get(home)
            if queue:
                waiter = queue.popleft()
                if not queue:
                    del self._waiting[home]
                if isinstance(waiter, threading.Event):
                    waiter.set()
                else:
                    waiter.get_loop().call_soon_threadsafe(self._hand_over, home, waiter)
                return
            self._running[home] -= 1
            if not self._running[home]:
                del self._running[home]

    def _hand_over(self, home: str, future: asyncio.Future[None]) -> None:
        """Wake the task the slot went to; if it was cancelled meanwhile, pass the slot on."""
        if future.cancelled():
            self._release(home)
        else:
            future.set_result(None)

    def _forget(self, home: str, future: asyncio.Future[None]) -> None:
        """A task cancelled while it waited gives up its place, or the slot it was handed.

        Still queued: it leaves the queue. Handed over but not yet woken: its
        future is cancelled too, and `_hand_over` passes the slot on. Woken
        (the cancel came after the hand-over): the slot is its own to free.
        """
        with self._lock:
            queue = self._waiting.get(home)
            if queue is not None and future in queue:
                queue.remove(future)
                if not queue:
                    del self._waiting[home]
                return
        if future.done() and not future.cancelled():
            self._release(home)


SLOTS = ProcessSlots()
"""The process's one table of slots: every runner of this process shares it."""
