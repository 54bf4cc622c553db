"""The MCP server on mcp 2.x: `tests/mcp2`, in a venv where the `mcp-server` extra resolves to 2.x.

The main venv holds the 1.x line (`langchain-mcp-adapters` needs `mcp<2`),
so the 2.x tests get a venv of their own, `.venv-mcp2`: this checkout with
`dev,server,mcp-server`, pinned by `constraints.txt` except for mcp, which
`tests/mcp2/constraints.txt` pins. It is built once and rebuilt when a pin
or pyproject.toml changes. There the 2.x tests run with 2.x's own client,
and mypy checks the 2.x side of `okx_auth_graph/mcp/sdk.py`, which the main
venv's mypy leaves out (`always_false = ["MCP_2"]`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-mcp2"
PINS = (ROOT / "constraints.txt", ROOT / "tests" / "mcp2" / "constraints.txt",
        ROOT / "pyproject.toml")
REPLACED = re.compile(r"^(mcp|mcp-types|langchain-mcp-adapters)==", re.MULTILINE)
"""constraints.txt's lines that the 2.x venv leaves out."""


def _pins() -> str:
    """constraints.txt without its mcp pins, then the 2.x pins."""
    main = [line for line in PINS[0].read_text().splitlines() if not REPLACED.match(line)]
    return "\n".join([*main, PINS[1].read_text()])


def _run(*argv: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(arg) for arg in argv], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=900)


@pytest.fixture(scope="module")
def mcp2_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2.x venv's python, the venv (re)built when its pins changed."""
    stamp = hashlib.sha256(b"".join(path.read_bytes() for path in PINS)).hexdigest()
    python = VENV / "bin" / "python"
    if (VENV / ".stamp").exists() and (VENV / ".stamp").read_text() == stamp:
        return python
    shutil.rmtree(VENV, ignore_errors=True)
    pins = tmp_path_factory.mktemp("mcp2") / "constraints.txt"
    for step in (
        (sys.executable, "-m", "venv", VENV),
        (python, "-m", "pip", "install", "-q", "-c", PINS[0], "pip"),
    ):
        done = _run(*step)
        assert done.returncode == 0, done.stderr
    pins.write_text(_pins())
    done = _run(python, "-m", "pip", "install", "-q", "-c", pins, "--build-constraint", pins,
                "-e", ".[dev,server,mcp-server]")
    assert done.returncode == 0, done.stderr
    (VENV / ".stamp").write_text(stamp)
    return python


def test_the_venv_has_mcp_2_and_no_adapters(mcp2_python: Path) -> None:
    done = _run(mcp2_python, "-m", "pip", "list", "--format=freeze")
    installed = dict(line.split("==", 1) for line in done.stdout.splitlines() if "==" in line)
    assert installed["mcp"].startswith("2.")
    assert "langchain-mcp-adapters" not in installed


def test_the_server_passes_tests_mcp2_on_mcp_2(mcp2_python: Path) -> None:
    bin_dir = str(mcp2_python.parent)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "VIRTUAL_ENV": str(VENV)}
    pytest = (mcp2_python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/mcp2")
    collected = _run(*pytest, "--collect-only", env=env)
    count = re.search(r"^(\d+) tests? collected", collected.stdout, re.MULTILINE)
    assert count is not None, collected.stdout[-3000:]
    done = _run(*pytest, env=env)
    assert done.returncode == 0, done.stdout[-6000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(rf"=* ?{count[1]} passed in .*", summary), summary


def test_mypy_checks_the_2_x_side_in_that_venv(mcp2_python: Path, tmp_path: Path) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\npython_version = 3.11\nalways_true = MCP_2\n"
                      "follow_imports = silent\n")
    done = _run(mcp2_python, "-m", "mypy", "--config-file", config, "--cache-dir",
                tmp_path / "cache", "okx_auth_graph/mcp", "tests/mcp2")
    assert done.returncode == 0, done.stdout
    assert "Success" in done.stdout
