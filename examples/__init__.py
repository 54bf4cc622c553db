"""Example apps built on okx-auth-graph (not part of the installed package)."""
