"""The middleware tests run okx-sim the way an app's server would: through `$OKX_CLI`.

The middleware builds its own auth graph (no executable given) and the test
tools use the graph's own settings, so both find the simulator in the
environment, read when each call starts.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _simulator_as_okx(sim_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKX_CLI", sim_path)
