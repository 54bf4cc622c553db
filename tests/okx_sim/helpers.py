"""Drive the real `okx-sim` console script in subprocesses against a private HOME."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT = 20.0
VERSION_LINE = "Version: @okx_ai/okx-trade-cli@1.3.1-sim"
"""The last line of every error the simulator throws, as the real CLI's."""


@dataclass
class Sim:
    """One simulated user: a HOME, a call log, and ways to run `okx-sim` there."""

    exe: str
    home: Path
    log: Path
    background: list[subprocess.Popen[bytes]] = field(default_factory=list)
    """Processes started with `popen`, killed when the test ends."""

    @property
    def config_path(self) -> Path:
        return self.home / ".okx" / "config.toml"

    @property
    def state_path(self) -> Path:
        return self.home / ".okx" / "okx-sim-state.json"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The inherited environment minus any OKX_* variable, plus HOME and the log."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("OKX_")}
        env["HOME"] = str(self.home)
        env["OKX_SIM_LOG"] = str(self.log)
        env.update(extra or {})
        return env

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        stdin: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.exe, *args],
            env=self.env(env),
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def run_bytes(
        self, *args: str, env: Mapping[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [self.exe, *args],
            env=self.env(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )

    def ok(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """Run a command that must succeed and return its stdout."""
        result = self.run(*args, env=env)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def json(self, *args: str, env: Mapping[str, str] | None = None) -> Any:
        """Run a command that must succeed and print one JSON answer, framed as the real CLI.

        That is `JSON.stringify(data, null, 2)` plus a newline, or a single
        line when the environment asks for `OKX_SIM_JSON=compact`.
        """
        stdout = self.ok(*args, env=env)
        value = json.loads(stdout)
        if (env or {}).get("OKX_SIM_JSON") == "compact":
            expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            expected = json.dumps(value, indent=2, ensure_ascii=False)
        assert stdout == expected + "\n", stdout
        return value

    def fail(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """Run a command that must exit 1 with nothing on stdout; return its stderr.

        A thrown error ends with the real CLI's `Version:` line, which is
        checked and cut off here, so tests compare the `Error:` (and `Hint:`) lines.
        """
        result = self.run(*args, env=env)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert result.stdout == ""
        return result.stderr.removesuffix(f"{VERSION_LINE}\n")

    def popen(self, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [self.exe, *args],
            env=self.env(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.background.append(proc)
        return proc

    def kill_background(self) -> None:
        for proc in self.background:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()

    def parallel(
        self, commands: Sequence[Sequence[str]], env: Mapping[str, str] | None = None
    ) -> list[subprocess.CompletedProcess[str]]:
        """Run many commands at the same time and return their results in order."""
        with ThreadPoolExecutor(max_workers=len(commands)) as pool:
            return list(pool.map(lambda args: self.run(*args, env=env), commands))

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.state_path.read_text())
        return data

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def write_config(self, text: str) -> None:
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(text)

    def start_manual_login(self, site: str = "global") -> str:
        """Start a `--manual` login and return its user code."""
        payload = self.json("auth", "login", "--manual", "--site", site)
        code: str = payload["userCode"]
        return code


def read_until(proc: subprocess.Popen[bytes], marker: bytes, timeout: float = 10.0) -> bytes:
    """Read the process's stdout until `marker` appears (without waiting for exit)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"timed out waiting for {marker!r}; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 4096)
            assert chunk, f"stdout closed before {marker!r}; got {seen!r}"
            seen += chunk
    return seen
