"""The simulated okx-auth binary's own state, kept as JSON beside the config.

The real okx-auth binary stores the OAuth session, the DCR client and a
pending device code somewhere the CLI cannot show. The simulator keeps the
equivalent in `~/.okx/okx-sim-state.json` so that a separate "browser"
process (`okx-sim browser approve`) can finish a login that another process
started, and so that tests can move the clock or expire the session.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from okx_sim.paths import SimPaths
from okx_sim.storage import exclusive_lock, write_atomically

AuthStatus = Literal["not_logged_in", "pending", "logged_in"]
LoginOutcome = Literal["approved", "denied"]

# How many finished logins to remember: enough for every blocking login that
# could still be polling, small enough that the file never grows.
_OUTCOMES_KEPT = 32


@dataclass
class PendingLogin:
    """A device code waiting for the user to act in the browser."""

    device_id: str
    user_code: str
    site: str
    expires_at: float
    """Deadline on the simulated clock (see `SimState.now`)."""


@dataclass
class SimState:
    """Everything the simulated okx-auth binary remembers between calls."""

    status: AuthStatus = "not_logged_in"
    site: str | None = None
    """Site of the pending login or of the session; None when not logged in."""
    scopes: list[str] = field(default_factory=list)
    pending: PendingLogin | None = None
    outcomes: dict[str, LoginOutcome] = field(default_factory=dict)
    """device_id → how it ended, so a waiting blocking login learns its result."""
    binary_installed: bool = True
    client_registered: bool = False
    """DCR registration; survives logout, as the real CLI promises."""
    clock_offset: float = 0.0
    """Seconds added to wall time, so tests can expire codes without waiting."""
    session_expired: bool = False
    """Set by `okx-sim session expire`: the refresh token is gone."""

    def now(self) -> float:
        """The simulated clock every expiry is measured against."""
        return time.time() + self.clock_offset

    def record_outcome(self, device_id: str, outcome: LoginOutcome) -> None:
        """Remember how a login ended, forgetting the oldest beyond a small bound."""
        self.outcomes[device_id] = outcome
        for stale in list(self.outcomes)[:-_OUTCOMES_KEPT]:
            del self.outcomes[stale]

    def drop_expired_pending(self) -> None:
        """Forget a device code whose deadline has passed, as the real server does."""
        if self.pending is not None and self.now() >= self.pending.expires_at:
            self.pending = None
            if self.status == "pending":
                self.status = "not_logged_in"
                self.site = None

    def to_json(self) -> str:
        """Serialise for the state file (readable, so a person can inspect it)."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SimState:
        """Parse the state file, tolerating fields added or removed by other versions."""
        raw: dict[str, Any] = json.loads(text)
        known = {name for name in cls.__dataclass_fields__ if name in raw}
        values = {name: raw[name] for name in known}
        pending = values.get("pending")
        if isinstance(pending, dict):
            values["pending"] = PendingLogin(**pending)
        return cls(**values)


def load_state(paths: SimPaths) -> SimState:
    """Read the state, or the fresh-install defaults when there is no file yet."""
    try:
        return SimState.from_json(paths.state.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SimState()


@contextmanager
def state_transaction(paths: SimPaths) -> Iterator[SimState]:
    """Yield the state under the lock and save it afterwards if it changed.

    Saving only on change keeps read-mostly calls (`auth status`) from
    rewriting the file, and holding the lock across read and write means two
    concurrent calls can never lose each other's update.
    """
    with exclusive_lock(paths.lock):
        state = load_state(paths)
        before = state.to_json()
        yield state
        after = state.to_json()
        if after != before:
            write_atomically(paths.state, after)
