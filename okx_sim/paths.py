"""Where the simulated CLI keeps its files.

The real CLI keeps everything under `~/.okx/`; callers isolate users by
running it with a different HOME, so HOME is read at call time, never cached.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SimPaths:
    """The files of one simulated user, all derived from their HOME."""

    home: Path

    @classmethod
    def from_environ(cls) -> SimPaths:
        """Use HOME as the process sees it now (the pwd entry when HOME is unset)."""
        return cls(Path(os.environ.get("HOME") or os.path.expanduser("~")))

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
