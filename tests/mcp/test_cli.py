"""`okx-auth-graph mcp` refuses, before serving anything, what would expose one user's HOME."""

from __future__ import annotations

import pytest

from okx_auth_graph.cli import main
from okx_auth_graph.isolation import HOMES_ENV
from okx_auth_graph.mcp.server import token_subject
from okx_auth_graph.server.tokens import SECRET_ENV


@pytest.mark.parametrize(("argv", "reason"), [
    (["mcp", "--multi-user"], "--multi-user needs --http"),
    (["mcp", "--http", "--host", "0.0.0.0"], "use a loopback address, or --multi-user"),  # noqa: S104
    (["mcp", "--http", "--multi-user"], "neither OKX_AUTH_JWT_SECRET nor"),
])
def test_a_server_that_would_share_a_home_does_not_start(
    argv: list[str], reason: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv("OKX_AUTH_JWT_PUBLIC_KEY", raising=False)
    assert main(argv) == 2
    assert reason in capsys.readouterr().err


def test_several_users_need_a_folder_for_their_homes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "k" * 32)
    monkeypatch.delenv(HOMES_ENV, raising=False)
    assert main(["mcp", "--http", "--multi-user"]) == 2
    assert HOMES_ENV in capsys.readouterr().err


def test_a_tool_call_without_a_verified_token_is_never_the_local_user() -> None:
    with pytest.raises(PermissionError):
        token_subject()
