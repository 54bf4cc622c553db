"""The compiled graph a LangGraph server serves (`langgraph.json`: `okx_auth`).

A server reads this module's `graph`, so it is compiled on import; code that
only builds its own graph imports `okx_auth_graph.builder` (or the package
root) and does not pay for this one.
"""

from __future__ import annotations

from okx_auth_graph.builder import AuthGraph, build_auth_graph

__all__ = ["AuthGraph", "build_auth_graph", "graph"]

graph = build_auth_graph()
"""The module-level graph `langgraph.json` serves as `okx_auth`."""
