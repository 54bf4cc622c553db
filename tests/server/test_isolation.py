"""Which HOME, executable and budgets a run gets: the pure rules, then through the graph.

The graph half passes an authenticated user the way a LangGraph server does
(`config.configurable.langgraph_auth_user`, which LangGraph turns into
`runtime.server_info.user`), so the rules are seen acting on real CLI calls.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.isolation import (
    HOMES_ENV,
    MAX_IDENTITY_LENGTH,
    MAX_LOGIN_MODE_ENV,
    MAX_LOGIN_TIMEOUT_ENV,
    MAX_LOGIN_TIMEOUT_SECONDS,
    MAX_TIMEOUT_ENV,
    MAX_TIMEOUT_SECONDS,
    Limits,
    ServerSide,
    bounded,
    ensure_private_home,
    identity_home,
    okx_settings,
)
from okx_auth_graph.okx import OkxError
from okx_auth_graph.prompts import render
from okx_auth_graph.state import AuthInput
from tests.expected import SEED_MENU
from tests.support import CallLog, cli_options

ROOT = "/srv/okx-homes"


@pytest.mark.parametrize("identity", ["alice", "user-42", "auth0|5f3a", "a.b@example.com", "7"])
def test_an_identity_names_one_folder_under_the_root(identity: str) -> None:
    assert identity_home(identity, ROOT) == Path(ROOT) / identity


@pytest.mark.parametrize(
    "identity",
    ["", ".", "..", "../bob", "a/../../etc", "bob/", "/etc", ".hidden", "-rf", "a b", "a\nb",
     "é", "x" * (MAX_IDENTITY_LENGTH + 1)],
)
def test_an_identity_that_is_not_one_safe_name_is_refused(identity: str) -> None:
    with pytest.raises(OkxError) as refused:
        identity_home(identity, ROOT)
    assert refused.value.kind == "home_unavailable"
    assert "cannot name a HOME" in refused.value.failure["detail"]


def test_the_longest_identity_allowed_still_maps() -> None:
    longest = "x" * MAX_IDENTITY_LENGTH
    assert identity_home(longest, ROOT).name == longest


def test_an_identity_without_a_homes_root_is_refused_never_the_servers_home() -> None:
    with pytest.raises(OkxError) as refused:
        identity_home("alice", None)
    assert refused.value.kind == "home_unavailable"
    assert HOMES_ENV in refused.value.failure["detail"]


def test_with_an_identity_the_callers_okx_home_is_ignored() -> None:
    side = ServerSide(okx_cli="/opt/okx", identity="alice", homes=ROOT)
    settings = okx_settings(AuthContext(okx_home="/home/bob"), side)
    assert (settings.okx_cli, settings.okx_home) == ("/opt/okx", f"{ROOT}/alice")


def test_without_an_identity_okx_home_is_the_home() -> None:
    settings = okx_settings(AuthContext(okx_home="/home/bob"), ServerSide(homes=ROOT))
    assert (settings.okx_cli, settings.okx_home) == (None, "/home/bob")


@pytest.mark.parametrize(
    ("asked", "ceiling", "kept"),
    [(5.0, 30.0, 5.0), (30.0, 30.0, 30.0), (3600.0, 30.0, 30.0), (0.0, 30.0, 30.0),
     (-1.0, 30.0, 30.0), (float("nan"), 30.0, 30.0), (float("inf"), 30.0, 30.0)],
)
def test_a_budget_is_the_callers_only_within_the_ceiling(
    asked: float, ceiling: float, kept: float
) -> None:
    limits = Limits(timeout_seconds=ceiling, login_timeout_seconds=ceiling)
    context = bounded(AuthContext(timeout_seconds=asked, login_timeout_seconds=asked), limits)
    assert (context.timeout_seconds, context.login_timeout_seconds) == (kept, kept)
    assert okx_settings(AuthContext(timeout_seconds=asked), ServerSide(limits=limits)).timeout == (
        kept
    )


def test_the_login_mode_is_bounded_too() -> None:
    interactive = AuthContext(login_mode="interactive")
    assert bounded(interactive, Limits(login_mode="manual")).login_mode == "manual"
    assert bounded(interactive, Limits()).login_mode == "interactive"
    assert bounded(AuthContext(), Limits()).login_mode == "manual"


def test_the_ceilings_come_from_the_servers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Limits.from_environment() == Limits(
        MAX_TIMEOUT_SECONDS, MAX_LOGIN_TIMEOUT_SECONDS, "interactive"
    )
    monkeypatch.setenv(MAX_TIMEOUT_ENV, "90")
    monkeypatch.setenv(MAX_LOGIN_TIMEOUT_ENV, "120")
    monkeypatch.setenv(MAX_LOGIN_MODE_ENV, "manual")
    assert Limits.from_environment() == Limits(90.0, 120.0, "manual")
    monkeypatch.setenv(MAX_TIMEOUT_ENV, "a lot")
    monkeypatch.setenv(MAX_LOGIN_TIMEOUT_ENV, "-5")
    limits = Limits.from_environment()
    assert (limits.timeout_seconds, limits.login_timeout_seconds) == (
        MAX_TIMEOUT_SECONDS, MAX_LOGIN_TIMEOUT_SECONDS
    )


def test_a_private_home_is_made_0700_and_a_loose_one_tightened(tmp_path: Path) -> None:
    home = tmp_path / "homes" / "alice"
    ensure_private_home(str(home))
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(home.parent.stat().st_mode) == 0o700
    home.chmod(0o755)
    ensure_private_home(str(home))
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_a_home_that_is_a_planted_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "homes").mkdir()
    (tmp_path / "homes" / "alice").symlink_to(tmp_path)
    with pytest.raises(OkxError) as refused:
        ensure_private_home(str(tmp_path / "homes" / "alice"))
    assert "not a folder" in refused.value.failure["detail"]


@dataclass(frozen=True)
class Caller:
    """The user a server's authentication produced (all LangGraph reads is `identity`)."""

    identity: str


def as_server_user(identity: str, thread: str) -> RunnableConfig:
    """A run config as a LangGraph server builds it for an authenticated caller."""
    return {"configurable": {"thread_id": thread, "langgraph_auth_user": Caller(identity)}}


def login_request() -> AuthInput:
    return {"messages": [HumanMessage("log me in to OKX")]}


def test_an_authenticated_run_acts_in_the_identitys_own_home(
    sim_cli: str, tmp_path: Path, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOMES_ENV, str(tmp_path / "homes"))
    victim = tmp_path / "victim"
    (victim / ".okx").mkdir(parents=True)
    graph = build_auth_graph(InMemorySaver(), **cli_options(sim_cli))

    result = graph.invoke(login_request(), as_server_user("alice", "t-alice"),
                          context=AuthContext(okx_home=str(victim)))

    assert result["messages"][-1].content == SEED_MENU
    own = tmp_path / "homes" / "alice"
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    assert {entry["home"] for entry in call_log.entries()} == {str(own)}
    assert list((victim / ".okx").iterdir()) == []


def test_an_authenticated_caller_asking_for_the_blocking_login_gets_the_device_flow(
    sim_cli: str, tmp_path: Path, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The graph's own rule, whatever the engine's auth handler did with the context."""
    monkeypatch.setenv(HOMES_ENV, str(tmp_path / "homes"))
    monkeypatch.delenv(MAX_LOGIN_MODE_ENV, raising=False)
    monkeypatch.setenv(MAX_LOGIN_TIMEOUT_ENV, "3")  # a blocking login that slipped through ends
    graph = build_auth_graph(InMemorySaver(), **cli_options(sim_cli))
    config, context = as_server_user("alice", "t-1"), AuthContext(login_mode="interactive")

    graph.invoke(login_request(), config, context=context)
    graph.invoke(Command(resume="1"), config, context=context)

    assert graph.get_state(config).interrupts[0].value["kind"] == "authorization_done"
    assert ["auth", "login", "--manual", "--site", "global"] in call_log.argvs()
    assert Limits().for_caller("alice").login_mode == "manual"
    assert Limits().for_caller(None).login_mode == "interactive"


def test_an_authenticated_run_without_a_homes_root_runs_nothing(
    sim_cli: str, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HOMES_ENV, raising=False)
    graph = build_auth_graph(InMemorySaver(), **cli_options(sim_cli))

    result = graph.invoke(login_request(), as_server_user("alice", "t-1"))

    assert result["okx_auth"]["status"] == "needs_user_action"
    detail = (
        f"this server authenticates its users but has no {HOMES_ENV}, the folder their "
        "private HOMEs live in; the server's own HOME is never used"
    )
    assert result["messages"][-1].content == render(
        "failure_home_unavailable", "en", detail=detail
    )
    assert call_log.entries() == []


def test_an_identity_that_cannot_be_a_folder_gets_a_clear_answer_in_its_language(
    sim_cli: str, tmp_path: Path, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOMES_ENV, str(tmp_path / "homes"))
    graph = build_auth_graph(InMemorySaver(), **cli_options(sim_cli))

    result = graph.invoke({"messages": [HumanMessage("帮我登录")]},
                          as_server_user("../bob", "t-1"))

    text = result["messages"][-1].content
    assert text.startswith("这台服务器无法为您的账号准备独立的 okx 目录")
    # The package's own English words for the operator stay out of a Chinese reply.
    assert not re.search(r"[A-Za-z]{4,}", text.replace("okx", ""))
    assert call_log.entries() == []
    assert not (tmp_path / "bob").exists()
