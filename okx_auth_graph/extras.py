"""The optional parts of the package say which extra they need when it is missing.

A plain `pip install okx-auth-graph` has the graph, the terminal chat and the
demo; the server's auth, the LangChain middleware and the MCP tools need more.
Importing one of those without its extra fails with a message that names the
extra to install, instead of a bare "No module named 'jwt'".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def needs_extra(extra: str) -> Iterator[None]:
    """Wrap the imports of an optional dependency; a missing one names `extra`."""
    try:
        yield
    except ModuleNotFoundError as missing:
        raise ModuleNotFoundError(
            f"No module named {missing.name!r}: this part of okx-auth-graph needs the "
            f"{extra!r} extra: pip install 'okx-auth-graph[{extra}]'",
            name=missing.name,
        ) from None
