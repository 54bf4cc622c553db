"""The middleware tests run okx-sim the way an app's server would: through `$OKX_CLI`.

The middleware builds its own auth graph (no executable given) and the test
tools use the graph's own settings, so both find the simulator in the
environment, read when each call starts. Those tests start processes and are
`integration` (`tests/conftest.py` marks `test_agent.py` by path); the policy
tests need no CLI.
"""

from __future__ import annotations

import pytest

from tests.support import simulator_executable


@pytest.fixture(autouse=True)
def _simulator_as_okx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKX_CLI", simulator_executable())
