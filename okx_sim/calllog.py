"""One JSON line per invocation, so tests can see every call the graph made.

`OKX_SIM_LOG` names the file. Each line is written with a single `os.write`
on an `O_APPEND` descriptor: the kernel appends it whole, so concurrent calls
never interleave. Times are wall time (`time.time()`), not the simulated
clock, because they measure the caller (timeouts, parallelism), not OAuth.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

LOG_ENV = "OKX_SIM_LOG"


@dataclass
class CallLog:
    """The pending log line of this process; written at most once."""

    path: str | None
    argv: Sequence[str]
    home: str
    start: float
    _written: bool = field(default=False, init=False)

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str], argv: Sequence[str], home: str, start: float
    ) -> CallLog:
        """A log for this call; a no-op when `OKX_SIM_LOG` is unset."""
        return cls(environ.get(LOG_ENV) or None, argv, home, start)

    def write(self, end: float | None) -> None:
        """Append this call's line; `end=None` marks a call that will never end.

        A `hang` call writes its line before it sleeps, because it is killed
        and never reaches the normal write at exit.
        """
        if self.path is None or self._written:
            return
        self._written = True
        record = {
            "argv": list(self.argv),
            "start": self.start,
            "end": end,
            "home": self.home,
            "pid": os.getpid(),
        }
        line = (json.dumps(record) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
