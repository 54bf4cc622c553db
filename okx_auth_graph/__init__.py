"""okx-auth-graph: the OKX CEX sign-in procedure as a LangGraph state graph.

The package root imports nothing heavy: `okx-sim` starts a Python process per
simulated CLI call, and pulling LangGraph into each of those would make every
simulated command pay for a graph it never uses. Public names resolve lazily.
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False
"""False at run time, true for type checkers, which read this name as `typing.TYPE_CHECKING`.

Importing `typing` for it took 3 of the root's 5 ms (the benchmarks' import time).
"""
if TYPE_CHECKING:
    from typing import Any

    from okx_auth_graph.builder import build_auth_graph

__all__ = ["build_auth_graph"]

_LAZY = {"build_auth_graph": "okx_auth_graph.builder"}


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'okx_auth_graph' has no attribute {name!r}")
    return getattr(import_module(module), name)
