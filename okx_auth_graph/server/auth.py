"""Authentication and authorization of a LangGraph server that many users share.

`langgraph.multiuser.json` points the server here (`auth`), on either engine
that serves it (`langgraph dev`, or Aegra on PostgreSQL and Redis:
`deploy/aegra/`). Every request needs a bearer JWT
(`okx_auth_graph.server.tokens`); its `sub` is the caller's identity, which
the graph turns into the caller's own HOME
(`okx_auth_graph.isolation`). What a caller may do:

- threads and their runs: only their own. A thread is stamped with
  `metadata.owner = <identity>` when it is created, every other access is
  filtered on it, and no update can re-label it. `threads.create` returns
  the filter too, so creating a thread with someone else's id
  (`if_exists="do_nothing"`) answers 409 instead of handing it over.
- a run's context is rebuilt here: only `language` and budgets no longer
  than the server's ceilings survive; `okx_home` (and any other key) is
  dropped, from `context` and `config.configurable` alike.
- assistants: read and searched, never created, changed or deleted (a
  caller's own assistant could carry a context of its choosing).
- everything else (crons, the store, anything added later): denied, because
  a path with no handler would otherwise be allowed.

Handlers do no blocking I/O: they run on the server's event loop.

A server whose keys cannot verify any token (none, both, an HS256 secret
under 32 bytes) does not start: loading this module raises `UnusableKeys`,
with the reason, when the LangGraph server loads it (it sets
`LANGGRAPH_AUTH`). Imported anywhere else (tests, a library) the module
loads as is, and each request still checks the keys as it is verified.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import fields
from typing import Any

from okx_auth_graph.context import AuthContext
from okx_auth_graph.extras import needs_extra
from okx_auth_graph.isolation import Limits, within
from okx_auth_graph.server.tokens import (
    TokenRefused,
    authorization_of,
    identity_of_request,
    require_usable_keys,
)

with needs_extra("server"):
    from langgraph_sdk import Auth

OWNER = "owner"
"""The thread metadata key that names its owner."""

CONTEXT_FIELDS = frozenset({f.name for f in fields(AuthContext)} | {"okx_cli"})
"""Keys a caller's `config.configurable` could carry into the run's context, plus
`okx_cli`: the graph no longer reads it, and the server passes none of it on."""

SERVER_AUTH_ENV = "LANGGRAPH_AUTH"
"""Where the LangGraph server (`langgraph dev`, and the images `langgraph build` makes)
puts the config's `auth`: set, the server is loading this module to guard it."""

if os.environ.get(SERVER_AUTH_ENV):
    require_usable_keys()

auth = Auth()
"""The server's `Auth`: `"auth": {"path": "./okx_auth_graph/server/auth.py:auth"}`."""


@auth.authenticate
async def authenticate(
    headers: Mapping[str, str] | Mapping[bytes, bytes] | None,
) -> Auth.types.MinimalUserDict:
    """The caller's identity from its bearer token; 401 for no token or a bad one.

    The one parameter is `headers` because both engines can give it: `langgraph
    dev` passes the parameters a handler names, by name; Aegra passes the
    headers as the only positional argument.
    """
    try:
        identity = identity_of_request(authorization_of(headers))
    except TokenRefused as refused:
        raise Auth.exceptions.HTTPException(status_code=401, detail=str(refused)) from None
    return {"identity": identity}


@auth.on
async def deny_by_default(ctx: Auth.types.AuthContext, value: Any) -> bool:
    """Whatever has no handler below is refused (403)."""
    return False


def _owned(ctx: Auth.types.AuthContext) -> Auth.types.FilterType:
    return {OWNER: ctx.user.identity}


def _stamp(metadata: MutableMapping[str, Any] | None, ctx: Auth.types.AuthContext) -> None:
    """Name the caller as owner, over anything the caller wrote there."""
    if metadata is not None:
        metadata[OWNER] = ctx.user.identity


@auth.on.threads.create
async def create_thread(
    ctx: Auth.types.AuthContext, value: Auth.types.ThreadsCreate
) -> Auth.types.FilterType:
    """A new thread is the caller's; an existing one is reachable only by its owner."""
    _stamp(value.setdefault("metadata", {}), ctx)
    return _owned(ctx)


@auth.on.threads.read
async def read_thread(
    ctx: Auth.types.AuthContext, value: Auth.types.ThreadsRead
) -> Auth.types.FilterType:
    """State, history, runs: the caller's threads only (others answer 404)."""
    return _owned(ctx)


@auth.on.threads.search
async def search_threads(
    ctx: Auth.types.AuthContext, value: Auth.types.ThreadsSearch
) -> Auth.types.FilterType:
    """Searches see the caller's threads only."""
    return _owned(ctx)


@auth.on.threads.update
async def update_thread(
    ctx: Auth.types.AuthContext, value: Auth.types.ThreadsUpdate
) -> Auth.types.FilterType:
    """The caller's threads only, and the owner stays the caller."""
    _stamp(value.get("metadata"), ctx)
    return _owned(ctx)


@auth.on.threads.delete
async def delete_thread(
    ctx: Auth.types.AuthContext, value: Auth.types.ThreadsDelete
) -> Auth.types.FilterType:
    """The caller's threads only."""
    return _owned(ctx)


@auth.on.threads.create_run
async def create_run(
    ctx: Auth.types.AuthContext, value: Auth.types.RunsCreate
) -> Auth.types.FilterType:
    """Runs on the caller's threads only, with a context the server rebuilt."""
    _stamp(value.get("metadata"), ctx)
    kwargs = value.get("kwargs")
    if isinstance(kwargs, MutableMapping):
        rebuild_run(kwargs, Limits.from_environment())
    return _owned(ctx)


@auth.on.assistants.read
async def read_assistant(
    ctx: Auth.types.AuthContext, value: Auth.types.AssistantsRead
) -> None:
    """The served graphs' assistants are public."""


@auth.on.assistants.search
async def search_assistants(
    ctx: Auth.types.AuthContext, value: Auth.types.AssistantsSearch
) -> None:
    """Listing the served graphs is public."""


def caller_context(asked: Mapping[str, Any] | None, limits: Limits) -> dict[str, Any]:
    """What survives of a caller's context: a known language, budgets within the ceilings."""
    asked = asked or {}
    kept: dict[str, Any] = {}
    if asked.get("language") in ("zh", "en"):
        kept["language"] = asked["language"]
    for name, ceiling in (
        ("timeout_seconds", limits.timeout_seconds),
        ("login_timeout_seconds", limits.login_timeout_seconds),
    ):
        seconds = within(asked.get(name), ceiling)
        if seconds is not None:
            kept[name] = seconds
    return kept


def rebuild_run(kwargs: MutableMapping[str, Any], limits: Limits) -> None:
    """Replace a run's context with `caller_context`, and strip the same keys from its config.

    The server copies `config.configurable` into the context when no context
    is sent, and the worker may read either; both are cleaned in place (the
    server keeps references to these very dictionaries).
    """
    context = kwargs.get("context")
    kwargs["context"] = caller_context(context if isinstance(context, Mapping) else None, limits)
    config = kwargs.get("config")
    configurable = config.get("configurable") if isinstance(config, Mapping) else None
    if isinstance(configurable, MutableMapping):
        for name in CONTEXT_FIELDS:
            configurable.pop(name, None)
        configurable.update(kwargs["context"])
