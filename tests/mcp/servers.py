"""`okx-auth-graph mcp` as a process: its environment, and its HTTP server started and stopped.

Written against no version of the `mcp` package, so the 1.x tests (`tests/mcp`)
and the 2.x tests (`tests/mcp2`, run in their own venv) start the server
the same way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from benchmarks.dev_server import free_port
from tests.apps.conftest import SCRIPT

STARTUP_SECONDS = 60.0
"""How long an HTTP server may take to listen on a shared, busy machine."""


def server_env(home: str, **extra: str) -> dict[str, str]:
    """The server's environment: HOME, this checkout on PYTHONPATH, the test's OKX settings."""
    env = {"HOME": home, "PATH": os.environ["PATH"], **extra}
    for name in ("PYTHONPATH", "OKX_SIM_LOG"):
        if name in os.environ:
            env.setdefault(name, os.environ[name])
    return env


@dataclass(frozen=True)
class HttpServer:
    """`okx-auth-graph mcp --http` running: where it listens."""

    url: str


@contextmanager
def http_server(env: Mapping[str, str], *args: str) -> Iterator[HttpServer]:
    """Start `okx-auth-graph mcp --http` on a free loopback port; stop its process group after."""
    port = free_port()
    process = subprocess.Popen(
        [SCRIPT, "mcp", "--http", "--port", str(port), *args], env=dict(env),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        _wait_listening(process, port)
        yield HttpServer(f"http://127.0.0.1:{port}/mcp")
    finally:
        process.terminate()
        process.wait(timeout=30)
        assert process.stderr is not None
        process.stderr.close()


def _wait_listening(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1].decode()
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"okx-auth-graph mcp --http did not listen in {STARTUP_SECONDS}s")


