"""What `pip install okx-auth-graph` gives a new user, built and installed for real.

The sdist is built from the checkout and the wheel from the sdist (the path a
`pip install` of the sdist takes), both with the setuptools this suite pins.
The wheel goes into a new virtual environment with no extras, from PyPI at the
versions constraints.txt pins, and every console script the package installs
is run from there as a user would: the demo, and the terminal chat against
the simulator with its input piped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from benchmarks.dev_server import ROOT

CONSTRAINTS = ROOT / "constraints.txt"


def _build(backend_call: str, source: Path, out: Path) -> Path:
    """Run one PEP 517 hook of setuptools (this venv's, pinned) in `source`; returns the file."""
    hook = f"import sys, setuptools.build_meta as m; print(m.{backend_call}(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", hook, str(out)],
        cwd=source, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist built from the checkout, and the wheel built from that sdist."""
    out = tmp_path_factory.mktemp("dist")
    sdist = _build("build_sdist", ROOT, out)
    unpacked = tmp_path_factory.mktemp("sdist")
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    (source,) = unpacked.iterdir()
    wheel = _build("build_wheel", source, out)
    return sdist, wheel


@pytest.fixture(scope="module")
def plain_venv(dists: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the wheel and nothing else: no extras."""
    venv = tmp_path_factory.mktemp("plain") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    clean = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "-c", str(CONSTRAINTS), str(dists[1])],
        env=clean, capture_output=True, text=True, timeout=900, check=False,
    )
    assert installed.returncode == 0, installed.stderr
    return venv / "bin"


@pytest.fixture
def user_env(tmp_path: Path, plain_venv: Path) -> dict[str, str]:
    """A reader's shell with the plain venv activated, in a new HOME, away from the checkout."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "PATH": f"{plain_venv}{os.pathsep}/usr/bin:/bin",
        "HOME": str(home),
        "VIRTUAL_ENV": str(plain_venv.parent),
        "LANG": "C.UTF-8",
    }


def test_the_wheel_and_the_sdist_carry_the_mit_license(dists: tuple[Path, Path]) -> None:
    sdist, wheel = dists
    with zipfile.ZipFile(wheel) as archive:
        licenses = [name for name in archive.namelist() if name.endswith("/licenses/LICENSE")]
        (license_path,) = licenses
        assert archive.read(license_path).decode() == (ROOT / "LICENSE").read_text()
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        assert "License-Expression: MIT" in archive.read(metadata).decode()
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("/LICENSE") for name in archive.getnames())
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")


def test_the_demo_runs_from_a_plain_install(plain_venv: Path, user_env: dict[str, str],
                                            tmp_path: Path) -> None:
    done = subprocess.run(
        [str(plain_venv / "okx-auth-graph"), "demo"], env=user_env, cwd=tmp_path,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "登录成功。" in done.stdout
    assert "Login successful." in done.stdout
    assert done.stdout.count("'status': 'logged_in'") == 2  # the Chinese and the English login


def test_the_simulated_chat_runs_from_a_plain_install(plain_venv: Path, user_env: dict[str, str],
                                                     tmp_path: Path) -> None:
    done = subprocess.run(
        [str(plain_venv / "okx-auth-graph"), "chat", "--simulate", "--db",
         str(tmp_path / "chat.sqlite")],
        input="帮我登录 OKX\n2\n/approve\n好了\n", env=user_env, cwd=tmp_path,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "您需要选择要连接的 OKX 站点" in done.stdout
    assert "登录成功。" in done.stdout
    assert '"status": "logged_in", "site": "eea"' in done.stdout
    assert (tmp_path / "chat.sqlite").is_file()  # the thread is kept: the chat can continue it


DRIVER_SCRIPT = """
import shutil, subprocess, sys, os
from langgraph.checkpoint.memory import InMemorySaver
from okx_auth_graph import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.testing import Conversation

sim = shutil.which("okx-sim")
graph = build_auth_graph(InMemorySaver(), okx_cli=sim)
conv = Conversation(graph, AuthContext(okx_home=os.environ["HOME"]))
conv.start("log me in")
conv.reply("2")
subprocess.run([sim, "browser", "approve"], check=True, capture_output=True)
conv.reply("done")
print(conv.outcome["status"], "pytest" in sys.modules)
"""


def test_the_conversation_driver_runs_from_a_plain_install(
    plain_venv: Path, user_env: dict[str, str], tmp_path: Path
) -> None:
    """`okx_auth_graph.testing` is for an application's own tests: no dev dependency needed."""
    done = subprocess.run(
        [str(plain_venv / "python"), "-c", DRIVER_SCRIPT], env=user_env, cwd=tmp_path,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["logged_in", "False"]


START_THE_CHECKPOINTER = (
    "import asyncio; from okx_auth_graph.server import postgres_checkpointer; "
    "asyncio.run(postgres_checkpointer().__aenter__())"
)
"""The server's saver imports its packages when a server starts it, not with the module."""


@pytest.mark.parametrize(
    ("code", "extra"),
    [
        ("import okx_auth_graph.server.tokens", "server"),
        ("import okx_auth_graph.server.auth", "server"),
        ("import okx_auth_graph.middleware.agent", "agents"),
        ("import okx_auth_graph.mcp.server", "mcp-server"),
        (START_THE_CHECKPOINTER, "postgres"),
    ],
    ids=["server.tokens", "server.auth", "middleware.agent", "mcp.server", "checkpointer"],
)
def test_an_optional_part_names_its_extra(
    plain_venv: Path, user_env: dict[str, str], tmp_path: Path, code: str, extra: str
) -> None:
    done = subprocess.run(
        [str(plain_venv / "python"), "-c", code], env=user_env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: No module named ")
    assert last.endswith(f"needs the {extra!r} extra: pip install 'okx-auth-graph[{extra}]'")
