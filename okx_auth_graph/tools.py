"""The okx auth and config commands as LangChain tools an agent can bind.

Each tool returns a JSON-ready dict: the parsed, redacted value with
`"ok": true`, or `"ok": false` with the classified error kind, the skill's
action and a redacted detail. A tool never raises for a CLI failure, so an
agent sees the same error vocabulary the graph branches on.

There is no login tool: a login's site must be the user's reply to the menu,
never a value a model passes, so a login runs only inside the auth graph,
behind its pre-login gate (`build_auth_graph`, or `OkxAuthMiddleware` for an
agent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from okx_auth_graph.okx import (
    OkxCommand,
    OkxError,
    OkxSettings,
    auth_install,
    auth_install_status,
    auth_logout,
    auth_remove,
    auth_status,
    config_show,
    execute,
)
from okx_auth_graph.okx.errors import action_of


class NoArgs(BaseModel):
    """Tools that take no arguments."""


class RemoveArgs(BaseModel):
    """Arguments of `okx auth remove`."""

    force: bool = Field(
        default=False, description="Skip the CLI's confirmation; only after the user said yes"
    )


def failure_payload(error: OkxError) -> dict[str, Any]:
    """The dict a tool returns for a failed call."""
    failure = error.failure
    return {"ok": False, "error": failure["kind"], "action": action_of(failure["kind"]),
            "message": failure["detail"]}


def _run(command: OkxCommand[Any], settings: OkxSettings) -> dict[str, Any]:
    """A command's parsed view (already a JSON-ready dict), or its classified failure."""
    try:
        value = execute(command, settings)
    except OkxError as error:
        return failure_payload(error)
    return {"ok": True, **value}


def make_okx_tools(settings: OkxSettings | None = None) -> list[BaseTool]:
    """Build the auth/config tools bound to one user's CLI settings."""
    run = settings or OkxSettings()

    def tool(
        name: str, description: str, schema: type[BaseModel], func: Callable[..., dict[str, Any]]
    ) -> BaseTool:
        return StructuredTool.from_function(
            func=func, name=name, description=description, args_schema=schema
        )

    return [
        tool("okx_config_show", "Show okx CLI profiles (site, demo, masked API key).", NoArgs,
             lambda: _run(config_show(run), run)),
        tool("okx_auth_status", "OKX OAuth login status: status, site and scopes.", NoArgs,
             lambda: _run(auth_status(), run)),
        tool("okx_auth_logout", "Log out of OKX (the client registration is kept).", NoArgs,
             lambda: _run(auth_logout(), run)),
        tool("okx_auth_install", "Install or update the okx-auth binary.", NoArgs,
             lambda: _run(auth_install(), run)),
        tool("okx_auth_install_status", "Whether the okx-auth binary is installed and current.",
             NoArgs, lambda: _run(auth_install_status(), run)),
        tool("okx_auth_remove", "Remove the okx-auth binary.", RemoveArgs,
             lambda force=False: _run(auth_remove(force=force), run)),
    ]


__all__ = ["failure_payload", "make_okx_tools"]
