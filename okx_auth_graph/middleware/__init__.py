"""The auth graph for agents: LangChain middleware and the tool-output policy behind it.

`OkxAuthMiddleware` needs the `agents` extra (LangChain). `policy` needs
nothing beyond the package, so a plain LangGraph app can share it; names
therefore resolve lazily and importing `policy` never pulls in LangChain.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from okx_auth_graph.middleware.agent import RULES, OkxAuthMiddleware, OkxAuthState

__all__ = ["RULES", "OkxAuthMiddleware", "OkxAuthState"]


def __getattr__(name: str) -> Any:
    """Import the LangChain side on first use."""
    if name not in __all__:
        raise AttributeError(f"module 'okx_auth_graph.middleware' has no attribute {name!r}")
    return getattr(import_module("okx_auth_graph.middleware.agent"), name)
