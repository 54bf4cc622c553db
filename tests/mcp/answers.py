"""The user's answers to elicitations, as scripts of the MCP tests give them.

Written against what 1.x and 2.x of the `mcp` package share
(`types.ElicitResult`), so `tests/mcp` and `tests/mcp2` script users alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from mcp import types

Answer = Callable[[types.ElicitRequestParams], Awaitable[types.ElicitResult | types.ErrorData]]
"""One step of the user's script: how they answer the elicitation they are shown."""


def choose(**content: Any) -> Answer:
    """Fill the form with `content` and submit it."""
    async def answer(params: types.ElicitRequestParams) -> types.ElicitResult:
        return types.ElicitResult(action="accept", content=content)
    return answer


def accept() -> Answer:
    """Accept (a URL elicitation: consent to open the link; MCP's accept says no more)."""
    async def answer(params: types.ElicitRequestParams) -> types.ElicitResult:
        return types.ElicitResult(action="accept")
    return answer


def confirm(before: Callable[[], None] = lambda: None) -> Answer:
    """Tick the "I have authorized" form (the user's "done"), after doing `before` (the browser)."""
    async def answer(params: types.ElicitRequestParams) -> types.ElicitResult:
        before()
        return types.ElicitResult(action="accept", content={"done": True})
    return answer


def decline() -> Answer:
    """Decline the elicitation."""
    async def answer(params: types.ElicitRequestParams) -> types.ElicitResult:
        return types.ElicitResult(action="decline")
    return answer


def fail() -> Answer:
    """A broken client: answers the elicitation request with an error, shows nothing."""
    async def answer(params: types.ElicitRequestParams) -> types.ErrorData:
        return types.ErrorData(code=types.INTERNAL_ERROR, message="the client broke")
    return answer
