"""The real okx CLI, installed from npm into a throwaway prefix (for the contract tests too).

The version is pinned: 1.2.4 is what the registry serves and what the okx
layer was checked against, so the preflight benchmark measures the same
program every time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from benchmarks.clis import BenchmarkError

REAL_CLI_PACKAGE = "@okx_ai/okx-trade-cli@1.2.4"


def install(prefix: Path) -> Path:
    """`npm install` the pinned CLI under `prefix`; returns its `okx` executable."""
    npm = shutil.which("npm")
    if npm is None:
        raise BenchmarkError("npm is not on PATH: cannot install the real okx CLI")
    proc = subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", REAL_CLI_PACKAGE],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchmarkError(
            f"npm install {REAL_CLI_PACKAGE} failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
        )
    executable = prefix / "node_modules" / ".bin" / "okx"
    if not executable.exists():
        raise BenchmarkError(f"npm install succeeded but {executable} is missing")
    return executable


def installed_version(prefix: Path) -> str:
    """The version npm actually installed, from the package's own manifest."""
    manifest = prefix / "node_modules" / "@okx_ai" / "okx-trade-cli" / "package.json"
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
