"""Per-run settings of the auth graph (LangGraph runtime context).

Context is not checkpointed: a resume may arrive without it (a new process, a
server), so every field has a default and the CLI settings fall back to the
environment (`OKX_CLI`) at call time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from okx_auth_graph.okx import OkxSettings
from okx_auth_graph.okx.interactive import BLOCKING_LOGIN_TIMEOUT_SECONDS
from okx_auth_graph.okx.runner import DEFAULT_TIMEOUT_SECONDS


@dataclass(frozen=True)
class AuthContext:
    """What the graph needs to know about this user's machine and conversation."""

    okx_cli: str | None = None
    """okx executable (path or name); None → `$OKX_CLI`, then `okx` on PATH."""
    okx_home: str | None = None
    """HOME for every CLI call, so each user has their own `~/.okx/`."""
    language: Literal["zh", "en"] | None = None
    """Force the reply language; None → from the latest human message."""
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    """Budget for each quick CLI call before it is killed."""
    login_mode: Literal["manual", "interactive"] = "manual"
    """`manual`: the device flow in the chat (the skill's default, for agents);
    `interactive`: a person at a terminal, the CLI waits for the browser itself."""
    login_timeout_seconds: float = BLOCKING_LOGIN_TIMEOUT_SECONDS
    """Budget of the interactive login: the device code's lifetime plus a margin."""

    def okx_settings(self) -> OkxSettings:
        """The CLI settings these fields describe."""
        return OkxSettings(
            okx_cli=self.okx_cli, okx_home=self.okx_home, timeout=self.timeout_seconds
        )
