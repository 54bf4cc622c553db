"""What the numbers were measured on: the machine, its load, the software versions.

Absolute times only mean something next to these; the load averages matter
most, because the machine's cores are shared with other work.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import psutil

DISTRIBUTIONS = (
    "okx-auth-graph",
    "langgraph",
    "langgraph-checkpoint",
    "langgraph-checkpoint-sqlite",
    "langchain-core",
    "pydantic",
    "psutil",
)
"""The Python distributions whose code the benchmarks time."""


@dataclass(frozen=True)
class Machine:
    """The hardware and operating system."""

    cpu: str
    logical_cores: int
    physical_cores: int | None
    memory_bytes: int
    system: str


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return platform.processor() or platform.machine()
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else platform.machine()


def describe() -> Machine:
    """This machine."""
    return Machine(
        cpu=_cpu_model(),
        logical_cores=os.cpu_count() or 0,
        physical_cores=psutil.cpu_count(logical=False),
        memory_bytes=psutil.virtual_memory().total,
        system=platform.platform(),
    )


def load_average() -> tuple[float, float, float]:
    """1, 5 and 15 minute load averages: how busy the shared cores were."""
    return os.getloadavg()


def _tool_version(*argv: str) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "not found"
    return done.stdout.strip() or done.stderr.strip() or f"exit {done.returncode}"


def versions() -> dict[str, str]:
    """Python, the distributions timed, and the node toolchain the real CLI runs on."""
    found = {"python": sys.version.split()[0]}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["node"] = _tool_version("node", "--version")
    found["npm"] = _tool_version("npm", "--version")
    return found
