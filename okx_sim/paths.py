"""Where the simulated CLI keeps its files.

The real CLI keeps everything under `~/.okx/`; callers isolate users by
running it with a different HOME, so HOME is read at call time, never cached.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SimPaths:
    """The files of one simulated user, all derived from their HOME."""

    home: Path

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> SimPaths:
        """Use HOME of `environ` (None: of this process, now); the pwd entry when HOME is unset.

        An in-process call passes the environment its process would have had,
        so the test process's own HOME is never consulted.
        """
        if environ is None or environ is os.environ:
            return cls(Path(os.environ.get("HOME") or os.path.expanduser("~")))
        return cls(Path(environ.get("HOME") or pwd.getpwuid(os.getuid()).pw_dir))

    @property
    def okx_dir(self) -> Path:
        """`~/.okx`, the directory the real CLI owns."""
        return self.home / ".okx"

    @property
    def config(self) -> Path:
        """The real CLI's profile file, read and written in its exact format."""
        return self.okx_dir / "config.toml"

    @property
    def state(self) -> Path:
        """The simulator's stand-in for what the okx-auth binary keeps."""
        return self.okx_dir / "okx-sim-state.json"

    @property
    def lock(self) -> Path:
        """One lock file serialising every read-modify-write of both files."""
        return self.okx_dir / ".okx-sim.lock"

    @property
    def auth_binary(self) -> Path:
        """Where the real CLI installs okx-auth; it appears in messages and JSON."""
        return self.okx_dir / "bin" / "okx-auth"
