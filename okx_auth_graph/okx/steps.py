"""What a plan may ask its driver for besides an okx command: a pause, and blocking file work.

A graph step is written once as a plan (see `okx_auth_graph.nodes.cli`) and
driven two ways: blocking under `invoke`, on the event loop under `ainvoke`.
Waiting and touching the disk are the two things besides the CLI that the
two ways do differently, so a plan names them as steps instead of doing them:
a `Pause` is slept, or awaited with `asyncio.sleep`; `FileWork` (creating a
HOME or the lock's folder, rewriting `~/.okx/config.toml`) is called in
place, or run on the loop's default executor, since LangGraph's server fails
a run that blocks its loop on the disk.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Pause:
    """A step: wait this many seconds before going on (a lock that is taken)."""

    seconds: float


@dataclass(frozen=True)
class FileWork(Generic[T]):
    """A step: quick blocking work on local files; its value (or its exception) comes back."""

    work: Callable[[], T]


def on_disk(work: Callable[[], T]) -> Generator[FileWork[T], Any, T]:
    """Have `work` done as a `FileWork` step; returns its value."""
    done: T = yield FileWork(work)
    return done
