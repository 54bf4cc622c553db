"""Fixtures for the okx layer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import ScriptWriter

_CREDENTIAL_ENV = (
    "OKX_API_KEY",
    "OKX_SECRET_KEY",
    "OKX_PASSPHRASE",
    "OKX_CLI",
    "OKX_SIM_FAULT",
    "OKX_SIM_FAULT_ON",
)


@pytest.fixture(autouse=True)
def _clean_okx_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test inherits credentials, an OKX_CLI or a simulator fault from the shell."""
    for name in _CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def scripts(tmp_path: Path) -> ScriptWriter:
    """Write fake okx executables into this test's tmp_path."""
    directory = tmp_path / "bin"
    directory.mkdir()
    return ScriptWriter(directory)
