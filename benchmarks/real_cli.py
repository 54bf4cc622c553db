"""OKX's real npm packages, installed into a throwaway prefix (for the contract tests too).

The versions are pinned, and so is every package they pull in:
`okx-npm/package.json` names the CLI 1.2.4 (what the registry serves and what
the okx layer was checked against, so the preflight benchmark measures the
same program every time) and the MCP server 1.2.9 (the release the
middleware's tool registry was read from), and `okx-npm/package-lock.json`
holds the whole tree, installed with `npm ci`: a release on the registry
tomorrow changes nothing here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from benchmarks.clis import BenchmarkError

LOCKED = Path(__file__).with_name("okx-npm")
"""The npm project (package.json and its lock) that pins both packages."""


def install(prefix: Path, executable: str = "okx") -> Path:
    """`npm ci` the locked packages under `prefix`; returns the executable asked for."""
    npm = shutil.which("npm")
    if npm is None:
        raise BenchmarkError(f"npm is not on PATH: cannot install {LOCKED}")
    prefix.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(LOCKED / name, prefix / name)
    proc = subprocess.run(
        [npm, "ci", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchmarkError(
            f"npm ci of {LOCKED} failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
        )
    found = prefix / "node_modules" / ".bin" / executable
    if not found.exists():
        raise BenchmarkError(f"npm ci succeeded but {found} is missing")
    return found


def install_mcp_server(prefix: Path) -> Path:
    """The pinned `okx-trade-mcp` under `prefix`."""
    return install(prefix, "okx-trade-mcp")


def installed_version(prefix: Path) -> str:
    """The version npm actually installed, from the package's own manifest."""
    manifest = prefix / "node_modules" / "@okx_ai" / "okx-trade-cli" / "package.json"
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
