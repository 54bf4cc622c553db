"""Fixtures for the okx layer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import ScriptWriter


@pytest.fixture
def scripts(tmp_path: Path) -> ScriptWriter:
    """Write fake okx executables into this test's tmp_path."""
    directory = tmp_path / "bin"
    directory.mkdir()
    return ScriptWriter(directory)
