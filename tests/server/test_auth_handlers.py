"""The auth module's handlers and the context rebuild, called directly as the server would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from langgraph_sdk import Auth

from okx_auth_graph.isolation import Limits
from okx_auth_graph.server import auth as server_auth
from okx_auth_graph.server.auth import caller_context, rebuild_run
from okx_auth_graph.server.tokens import SECRET_ENV
from tests.server.tokens import Minter

LIMITS = Limits(timeout_seconds=30.0, login_timeout_seconds=660.0)


@dataclass(frozen=True)
class Caller:
    """An authenticated user as the handlers see it."""

    identity: str
    is_authenticated: bool = True
    display_name: str = ""
    permissions: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __contains__(self, key: str) -> bool:
        return hasattr(self, key)

    def __iter__(self) -> Any:
        return iter(("identity", "is_authenticated", "display_name", "permissions"))


def ctx_of(identity: str, resource: Any = "threads", action: Any = "create") -> Any:
    return Auth.types.AuthContext(
        permissions=[], user=Caller(identity), resource=resource, action=action
    )


def test_only_language_and_bounded_budgets_survive_from_a_callers_context() -> None:
    asked = {
        "language": "zh", "timeout_seconds": 5, "login_timeout_seconds": 99999,
        "okx_home": "/root", "okx_cli": "/tmp/evil", "login_mode": "interactive",
        "anything": "else",
    }
    assert caller_context(asked, LIMITS) == {
        "language": "zh", "timeout_seconds": 5.0, "login_timeout_seconds": 660.0,
    }


@pytest.mark.parametrize(
    "asked",
    [None, {}, {"language": "fr"}, {"timeout_seconds": True}, {"timeout_seconds": "10"},
     {"timeout_seconds": -1}, {"timeout_seconds": 0}, {"timeout_seconds": float("nan")},
     {"login_timeout_seconds": float("inf")}],
)
def test_anything_else_leaves_the_servers_defaults(asked: dict[str, Any] | None) -> None:
    assert caller_context(asked, LIMITS) == {}


def test_a_run_is_rebuilt_in_place_config_included() -> None:
    configurable = {"okx_home": "/home/alice", "okx_cli": "/tmp/evil", "login_mode": "interactive",
                    "timeout_seconds": 600, "thread_id": "t", "langgraph_auth_user_id": "bob"}
    kwargs: dict[str, Any] = {"context": {"okx_home": "/home/alice", "language": "en"},
                              "config": {"configurable": configurable}}
    rebuild_run(kwargs, LIMITS)
    assert kwargs["context"] == {"language": "en"}
    assert kwargs["config"]["configurable"] is configurable
    assert configurable == {"thread_id": "t", "langgraph_auth_user_id": "bob", "language": "en"}


async def test_a_new_thread_is_stamped_with_its_creator_over_a_forged_owner() -> None:
    value: Any = {"thread_id": uuid4(), "metadata": {"owner": "alice", "topic": "x"},
                  "if_exists": "do_nothing"}
    found = await server_auth.create_thread(ctx=ctx_of("bob"), value=value)
    assert value["metadata"] == {"owner": "bob", "topic": "x"}
    assert found == {"owner": "bob"}  # an existing thread of alice's does not match


async def test_an_update_cannot_relabel_the_owner() -> None:
    value: Any = {"thread_id": uuid4(), "metadata": {"owner": "alice"}}
    found = await server_auth.update_thread(ctx=ctx_of("bob", action="update"), value=value)
    assert (value["metadata"], found) == ({"owner": "bob"}, {"owner": "bob"})


async def test_a_run_is_filtered_to_the_caller_and_its_context_rebuilt() -> None:
    kwargs = {"context": {"okx_home": "/home/alice"}, "config": {"configurable": {}}}
    value: Any = {"thread_id": uuid4(), "metadata": {"owner": "alice"}, "kwargs": kwargs}
    found = await server_auth.create_run(ctx=ctx_of("bob", action="create_run"), value=value)
    assert found == {"owner": "bob"}
    assert value["metadata"] == {"owner": "bob"}
    assert kwargs["context"] == {}


@pytest.mark.parametrize(
    ("resource", "action"),
    [("assistants", "create"), ("assistants", "update"), ("assistants", "delete"),
     ("crons", "create"), ("crons", "search"), ("store", "put"), ("store", "get")],
)
async def test_everything_without_a_handler_is_denied(resource: str, action: str) -> None:
    assert await server_auth.deny_by_default(ctx=ctx_of("bob", resource, action), value={}) is False


async def test_authentication_answers_401_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    minter = Minter.fresh()
    monkeypatch.setenv(SECRET_ENV, minter.secret)
    good, expired = minter.token("bob"), minter.token("bob", lifetime=-100)
    assert await server_auth.authenticate({b"authorization": f"Bearer {good}".encode()}) == {
        "identity": "bob"
    }
    with pytest.raises(Auth.exceptions.HTTPException) as refused:
        await server_auth.authenticate({b"authorization": f"Bearer {expired}".encode()})
    assert (refused.value.status_code, refused.value.detail) == (401, "the token has expired")


@pytest.mark.parametrize(
    "shape",
    ["langgraph dev: raw ASGI bytes", "Aegra: decoded strings", "any case"],
)
async def test_the_token_is_read_from_headers_as_either_engine_passes_them(
    monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    minter = Minter.fresh()
    monkeypatch.setenv(SECRET_ENV, minter.secret)
    value = f"Bearer {minter.token('carol')}"
    shapes: dict[str, dict[str, str] | dict[bytes, bytes]] = {
        "langgraph dev: raw ASGI bytes": {b"host": b"x", b"authorization": value.encode()},
        "Aegra: decoded strings": {"host": "x", "authorization": value},
        "any case": {"Authorization": value},
    }
    headers = shapes[shape]
    assert await server_auth.authenticate(headers) == {"identity": "carol"}


@pytest.mark.parametrize(
    "headers",
    [None, {}, {b"host": b"x"}, {"authorization": ""}, {b"authorization": b"Basic Ym9iOng="},
     {"authorization": "Bearer \u00ff-not-a-jwt"}, {b"authorization": b"Bearer \xff\xfe"}],
)
async def test_a_request_without_a_usable_bearer_token_gets_401(
    monkeypatch: pytest.MonkeyPatch, headers: dict[str, str] | dict[bytes, bytes] | None
) -> None:
    monkeypatch.setenv(SECRET_ENV, Minter.fresh().secret)
    with pytest.raises(Auth.exceptions.HTTPException) as refused:
        await server_auth.authenticate(headers)
    assert refused.value.status_code == 401
