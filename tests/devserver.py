"""A `langgraph dev` server of this checkout, started offline on a free 127.0.0.1 port.

Shared by the suites that talk to a real server (`langgraph_sdk`, a browser):
the README's offline settings, no LangSmith keys, nothing from the shell's
`OKX_*`, and the whole process group stopped afterwards. A server that cannot
start fails the test with its own output.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
"""The checkout: where `langgraph.json` is."""
LANGGRAPH = str(Path(sys.executable).with_name("langgraph"))
STARTUP_SECONDS = 180.0
"""Generous: the machine is shared, and the server imports every graph before serving."""

OFFLINE_ENV = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",  # langgraph-cli: no usage report
    "LANGGRAPH_NO_VERSION_CHECK": "true",  # langgraph-api: no look-up of newer releases
    "LANGSMITH_TRACING": "false",  # no traces sent to LangSmith
    "LANGCHAIN_TRACING_V2": "false",  # the same, by its older name
    "LANGGRAPH_STRICT_MSGPACK": "true",  # as the README asks of servers
}
"""The README's settings for `langgraph dev`."""

NO_KEYS = ("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "LANGGRAPH_CLOUD_LICENSE_KEY",
           "LANGSMITH_CONTROL_PLANE_API_KEY")
"""With any of these the server would report to LangSmith; it runs without them."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _served_url(log: Path) -> str | None:
    """The API address the server announced (it may differ from the port asked for)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace"))
    found = re.search(r"API: (http://127\.0\.0\.1:\d+)", text)
    return found.group(1) if found else None


def _answers_info(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/info", timeout=5) as response:  # noqa: S310 - local
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_serving(server: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"langgraph dev exited with {server.returncode}:\n{log.read_text()}")
        url = _served_url(log)
        if url is not None and _answers_info(url):
            return url
        time.sleep(0.5)
    pytest.fail(f"langgraph dev did not answer /info in {STARTUP_SECONDS:g}s:\n{log.read_text()}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """End the server and everything it started (its own process group)."""
    for sig, grace in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 20.0)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def langgraph_dev(folder: Path, env: Mapping[str, str]) -> Iterator[str]:
    """Serve this checkout's `langgraph.json` with `env` added; yields the API address."""
    base = {
        name: value for name, value in os.environ.items()
        if name not in NO_KEYS and not name.startswith("OKX_")  # nothing from the shell
    }
    log = folder / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [LANGGRAPH, "dev", "--no-browser", "--no-reload",
             "--port", str(free_port()), "--host", "127.0.0.1"],
            cwd=ROOT, env={**base, **OFFLINE_ENV, **env}, stdin=subprocess.DEVNULL,
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        yield _wait_until_serving(server, log)
    finally:
        _stop(server)
