"""Fixtures for the graph scenario tests: no credential or fault leaks in from the shell."""

from __future__ import annotations

import pytest

_INHERITED_ENV = (
    "OKX_API_KEY",
    "OKX_SECRET_KEY",
    "OKX_PASSPHRASE",
    "OKX_CLI",
    "OKX_SIM_FAULT",
    "OKX_SIM_FAULT_ON",
    "OKX_SIM_EXPIRES_IN",
)


@pytest.fixture(autouse=True)
def _clean_okx_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each scenario sets exactly the environment it is about."""
    for name in _INHERITED_ENV:
        monkeypatch.delenv(name, raising=False)
