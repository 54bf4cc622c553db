"""Benchmarks of okx-auth-graph: `python -m benchmarks [--smoke] [--out BENCHMARKS.md]`.

Each module measures one thing the benchmarks issue asks about (graph
overhead, the parallel preflight, CLI calls per scenario, model cost, scale,
import time) and returns a typed result; `report` turns the results into
`BENCHMARKS.md`. Speeds are ratios of runs measured side by side in the same
process and moment, because this machine's cores are shared and absolute
times drift with the load.

Checkpoints are loaded strictly, as the README asks of servers, so a state
type that strict loading rejects would fail here too; the variable is set
before any LangGraph module is imported.
"""

from __future__ import annotations

import os

os.environ.setdefault("LANGGRAPH_STRICT_MSGPACK", "true")
