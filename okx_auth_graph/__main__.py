"""`python -m okx_auth_graph`: the `okx-auth-graph` command where its console script is not on PATH.

An environment's interpreter always finds its own packages, so
`/path/to/venv/bin/python -m okx_auth_graph chat` works from any directory
without activating the venv; the chat then says to continue the same way.
"""

from okx_auth_graph.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
