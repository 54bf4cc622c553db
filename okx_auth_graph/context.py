"""Per-run settings of the auth graph (LangGraph runtime context).

Context is not checkpointed: a resume may arrive without it (a new process, a
server), so every field has a default. It comes from whoever calls the graph,
so nothing here chooses what runs: the executable is the builder's
(`build_auth_graph(okx_cli=...)`, else `$OKX_CLI`, else `okx` on PATH), and
`okx_auth_graph.isolation` bounds the budgets and the login mode and, on a
server that authenticates, puts every call in the caller's own HOME.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import ConfigDict

from okx_auth_graph.okx.interactive import BLOCKING_LOGIN_TIMEOUT_SECONDS
from okx_auth_graph.okx.runner import DEFAULT_TIMEOUT_SECONDS


@dataclass(frozen=True)
class AuthContext:
    """What the graph needs to know about this user's machine and conversation."""

    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(use_attribute_docstrings=True)
    """The docstring under each field is also its `description` in the JSON schema that
    LangGraph builds from this class (pydantic's `TypeAdapter`), which the server publishes
    as the context schema and Studio shows beside each field: one text for both readers.
    Pydantic reads the docstrings from this module's source file."""

    okx_home: str | None = None
    """HOME for every CLI call, so each user has their own `~/.okx/`; ignored on a
    server that authenticates (the HOME follows the identity there)."""
    language: Literal["zh", "en"] | None = None
    """Force the reply language; None → from the latest human message."""
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    """Budget for each quick CLI call before it is killed (at most the server's ceiling)."""
    login_mode: Literal["manual", "interactive"] = "manual"
    """`manual`: the device flow in the chat (the skill's default, for agents);
    `interactive`: a person at a terminal, the CLI waits for the browser itself."""
    login_timeout_seconds: float = BLOCKING_LOGIN_TIMEOUT_SECONDS
    """Budget of the interactive login: the device code's lifetime plus a margin."""
