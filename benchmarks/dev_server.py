"""A real `langgraph dev` of this checkout, offline, on a free loopback port.

The multi-user benchmark and the server tests start it the same way, as the
README says: the offline settings, no LangSmith keys, `--no-browser
--no-reload`, `127.0.0.1`, a port that was free a moment ago (the server may
still pick another, so the address is read from its own announcement and
checked on `/info`). Nothing from the caller's shell that starts with `OKX_`
reaches it: the caller passes what the server should see.
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The checkout, where the `langgraph*.json` configs live."""
LANGGRAPH = str(Path(sys.executable).with_name("langgraph"))
"""The `langgraph` console script of this environment."""
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


class DevServerError(RuntimeError):
    """The server did not start; the message carries its own output."""


@dataclass(frozen=True)
class DevServer:
    """A running server: where it answers and where its output goes."""

    url: str
    log: Path
    pid: int


def free_port() -> int:
    """A loopback port nobody listened on a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _served_url(log: Path) -> str | None:
    """The API address the server announced (it may differ from the port asked for)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace"))
    found = re.search(r"API: (http://127\.0\.0\.1:\d+)", text)
    return found.group(1) if found else None


def answers(url: str) -> bool:
    """Whether a local server answers `url` with 200 (a route that needs no token)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_serving(server: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise DevServerError(f"langgraph dev exited with {server.returncode}:\n"
                                 f"{log.read_text()}")
        url = _served_url(log)
        if url is not None and answers(f"{url}/info"):
            return url
        time.sleep(0.5)
    raise DevServerError(f"langgraph dev did not answer /info in {STARTUP_SECONDS:g}s:\n"
                         f"{log.read_text()}")


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


def server_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """Ours, less LangSmith keys and anything `OKX_`, plus the offline settings and `extra`."""
    env = {
        name: value for name, value in os.environ.items()
        if name not in NO_KEYS and not name.startswith("OKX_")
    }
    return env | OFFLINE_ENV | dict(extra)


@contextmanager
def dev_server(
    folder: Path,
    env: Mapping[str, str],
    *,
    config: str = "langgraph.json",
    jobs_per_worker: int | None = None,
) -> Iterator[DevServer]:
    """Serve `config` from the checkout until the block ends; the log is `folder/server.log`."""
    log = folder / "server.log"
    argv = [LANGGRAPH, "dev", "--config", config, "--no-browser", "--no-reload",
            "--port", str(free_port()), "--host", "127.0.0.1"]
    if jobs_per_worker is not None:
        argv += ["--n-jobs-per-worker", str(jobs_per_worker)]
    with log.open("wb") as sink:
        server = subprocess.Popen(
            argv, cwd=ROOT, env=server_environment(env), stdin=subprocess.DEVNULL,
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        yield DevServer(_wait_until_serving(server, log), log, server.pid)
    finally:
        _stop(server)
