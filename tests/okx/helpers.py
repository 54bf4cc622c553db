"""Shared helpers for the okx layer tests: fake CLIs as real executables, pid checks."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from okx_auth_graph.okx.runner import OkxSettings

PLANTED_API_KEY = "AK-7f3e9c1d-4b2a-4e8f-9a6b-2c5d8e1f9876"
PLANTED_SECRET_KEY = "SK8D4C2B1A9F8E7D6C5B4A39281706F5E4"  # noqa: S105 - planted fake
PLANTED_PASSPHRASE = "Pp-Contract-Passphrase-2024"  # noqa: S105 - planted fake
PLANTED_SECRETS = (PLANTED_API_KEY, PLANTED_SECRET_KEY, PLANTED_PASSPHRASE)

NO_CONFIG = OkxSettings(okx_home="/nonexistent/okx-auth-graph-test")
"""Settings whose HOME holds no CLI config: no secret of a config to mask a failure with."""

CONFIG_TOML = f"""\
default_profile = "main"

[profiles.main]
api_key = "{PLANTED_API_KEY}"
secret_key = "{PLANTED_SECRET_KEY}"
passphrase = "{PLANTED_PASSPHRASE}"
site = "eea"
demo = true

[profiles.other]
site = "us"
"""
"""The `~/.okx/config.toml` the contract tests plant (the real CLI's format)."""


class ScriptWriter:
    """Writes small executable scripts that stand in for a misbehaving okx CLI."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._count = 0

    def write(self, text: str, name: str | None = None) -> Path:
        """An executable file with exactly this text."""
        self._count += 1
        path = self.directory / (name or f"fake-okx-{self._count}")
        path.write_text(text, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return path

    def sh(self, body: str, name: str | None = None) -> Path:
        """A `#!/bin/sh` script with this body."""
        return self.write("#!/bin/sh\n" + body, name)

    def py(self, body: str, name: str | None = None) -> Path:
        """A `#!/usr/bin/env python3` script with this body."""
        return self.write("#!/usr/bin/env python3\n" + body, name)


def write_okx_config(home: Path, text: str = CONFIG_TOML) -> Path:
    """Plant `~/.okx/config.toml` under `home`."""
    config = home / ".okx" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")
    return config


def pid_gone(pid: int) -> bool:
    """Whether the process is dead: absent, or a zombie nobody reaped yet."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except FileNotFoundError:
        return True
    for line in status.splitlines():
        if line.startswith("State:"):
            return line.split()[1] == "Z"
    return False


def wait_until_gone(pids: list[int], within: float = 3.0) -> list[int]:
    """Poll until every pid is gone; return the ones still alive after `within` s."""
    deadline = time.monotonic() + within
    alive = [pid for pid in pids if not pid_gone(pid)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pid for pid in alive if not pid_gone(pid)]
    return alive


def read_pids(pid_file: Path, within: float = 5.0) -> list[int]:
    """The pids a hanging script wrote (waits for the complete line)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if pid_file.exists():
            text = pid_file.read_text(encoding="utf-8")
            if text.endswith("\n"):
                return [int(word) for word in text.split()]
        time.sleep(0.02)
    raise AssertionError(f"the script never wrote {pid_file}")


def hanging_group_body(pid_file: Path, before: str = "") -> str:
    """A script body that spawns two grandchildren, records all pids and hangs."""
    return (
        f'{before}sleep 300 &\ng1=$!\nsleep 300 &\ng2=$!\necho "$$ $g1 $g2" > "{pid_file}"\nwait\n'
    )
