"""OKX's real npm packages, installed into a throwaway prefix (for the contract tests too).

The versions are pinned: the CLI 1.2.4 is what the registry serves and what
the okx layer was checked against, so the preflight benchmark measures the
same program every time; the MCP server 1.2.9 is the release the middleware's
tool registry was read from.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from benchmarks.clis import BenchmarkError

REAL_CLI_PACKAGE = "@okx_ai/okx-trade-cli@1.2.4"
REAL_MCP_PACKAGE = "@okx_ai/okx-trade-mcp@1.2.9"


def install(prefix: Path, package: str = REAL_CLI_PACKAGE, executable: str = "okx") -> Path:
    """`npm install` a pinned package under `prefix`; returns its executable."""
    npm = shutil.which("npm")
    if npm is None:
        raise BenchmarkError(f"npm is not on PATH: cannot install {package}")
    proc = subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", package],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchmarkError(
            f"npm install {package} failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
        )
    found = prefix / "node_modules" / ".bin" / executable
    if not found.exists():
        raise BenchmarkError(f"npm install succeeded but {found} is missing")
    return found


def install_mcp_server(prefix: Path) -> Path:
    """The pinned `okx-trade-mcp` under `prefix`."""
    return install(prefix, REAL_MCP_PACKAGE, "okx-trade-mcp")


def installed_version(prefix: Path) -> str:
    """The version npm actually installed, from the package's own manifest."""
    manifest = prefix / "node_modules" / "@okx_ai" / "okx-trade-cli" / "package.json"
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
