"""`okx-auth-graph`: the command line of the package (`demo`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from okx_auth_graph.demo import run_demo


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch a subcommand."""
    parser = argparse.ArgumentParser(
        prog="okx-auth-graph", description="OKX sign-in as a LangGraph graph."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="play a scripted login against the offline simulator")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return run_demo()
    parser.error(f"unknown command {args.command}")
    return 2
