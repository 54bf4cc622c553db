"""Fixtures that run the real `okx-sim` console script against a private HOME."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import Sim


@pytest.fixture(scope="session")
def okx_sim_exe() -> str:
    """The installed console script, found beside the running interpreter."""
    exe = shutil.which("okx-sim", path=str(Path(sys.executable).parent))
    assert exe is not None, "okx-sim console script is not installed in this environment"
    return exe


@pytest.fixture
def sim(okx_sim_exe: str, tmp_path: Path) -> Iterator[Sim]:
    """A fresh simulated user with an empty HOME and a call log; strays are killed."""
    home = tmp_path / "home"
    home.mkdir()
    simulated_user = Sim(exe=okx_sim_exe, home=home, log=tmp_path / "calls.jsonl")
    yield simulated_user
    simulated_user.kill_background()
