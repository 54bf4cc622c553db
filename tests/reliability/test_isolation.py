"""Fifty users at once on one graph and one Postgres pool: nobody sees anyone else's account.

A long-lived agent server runs one compiled graph and one checkpointer for
everybody; what keeps users apart is the per-call context (`okx_home`) and
the thread id. Here 50 asyncio conversations run at the same
time, each with its own HOME, on different sites and in different states
(API key, pending login, not logged in, logged in), in both languages.

The graph's `okx` is a two-line wrapper around `okx-sim` that logs each call
beside the HOME it ran in, so every user has a call log of their own. A call
made with user A's context but user B's HOME would show up as an extra call
in B's log (and a missing one in A's), so the logs prove which HOME every
call touched. The
replies prove the rest: every outcome is the user's own, and no reply
carries another user's code or profile name.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.types import Command
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from okx_auth_graph.context import AuthContext
from okx_auth_graph.graph import AuthGraph, build_auth_graph
from okx_auth_graph.replies import text_of
from tests.expected import FIRST_STEP_0, SCOPES, SITES, STATUS, Argv
from tests.reliability.driver import thread_config
from tests.reliability.report import Figure
from tests.support import CallLog, Simulator

USERS = 50
POOL_SIZE = 10
"""Connections the server keeps: fewer than users, as in production."""
State = Literal["api_key", "pending", "not_logged_in", "logged_in"]
STATES: tuple[State, ...] = ("api_key", "pending", "not_logged_in", "logged_in")
MENU_REPLIES = {"global": ("1", "Global"), "eea": ("2", " eea "), "us": ("3", "US")}
"""Two ways to pick each site at the menu (a digit, or the name as typed)."""
SLOW_CLI = "slow:0.2"
"""Each okx call waits this long first: long enough for the users' calls to overlap."""


@dataclass
class Account:
    """One user of the server: their HOME, the okx, their state and what they must get."""

    index: int
    state: State
    site: str
    language: Literal["zh", "en"]
    home: Path
    cli: Path
    log: CallLog
    profile: str | None = None
    """The API-key profile's name (API-key users)."""
    codes_shown: list[str] = field(default_factory=list)
    """Verification codes the graph showed this user."""
    setup_code: str | None = None
    """The code of a login the user started elsewhere (pending users)."""

    @property
    def thread(self) -> str:
        """The user's conversation."""
        return f"user-{self.index:02d}"

    @property
    def context(self) -> AuthContext:
        """What each of this user's requests passes."""
        return AuthContext(okx_home=str(self.home))

    @property
    def opening(self) -> str:
        """The first message, in the user's language."""
        return "帮我登录 OKX" if self.language == "zh" else "please log me in to OKX"

    @property
    def menu_reply(self) -> str:
        """The user's answer to the site menu."""
        return MENU_REPLIES[self.site][self.index % 2]

    @property
    def done_signal(self) -> str:
        """What the user says after approving."""
        return "好了" if self.language == "zh" else "done"

    def identity(self) -> set[str]:
        """What would betray this account in someone else's reply."""
        marks = {*self.codes_shown}
        if self.profile:
            marks.add(self.profile)
        if self.setup_code:
            marks.add(self.setup_code)
        return marks

    def expected_outcome(self) -> dict[str, Any]:
        """The user's own `okx_auth`."""
        if self.state == "api_key":
            return {"status": "api_key_configured", "profile": self.profile, "site": self.site}
        return {"status": "logged_in", "site": self.site, "scopes": SCOPES}

    def expected_calls(self) -> list[Argv]:
        """The okx calls this user's conversation makes (its preflight's sorted)."""
        calls = list(FIRST_STEP_0)
        if self.state == "not_logged_in":
            calls.append(["auth", "login", "--manual", "--site", self.site])
        if self.state in ("not_logged_in", "pending"):
            calls.append(STATUS)
        return calls


def keyed_config(profile: str, site: str, index: int) -> str:
    """A config with one API-key profile whose name and key are this user's alone."""
    return (
        f'default_profile = "{profile}"\n\n'
        f"[profiles.{profile}]\n"
        f'api_key = "ak-isolation-user{index:02d}-k{index:02d}x"\n'
        f'secret_key = "sk-isolation-user{index:02d}"\n'
        f'passphrase = "pp-isolation-user{index:02d}"\n'
        f'site = "{site}"\n'
        "demo = false\n"
    )


def logging_okx(sim_path: str, bin_dir: Path) -> Path:
    """The graph's `okx`: `okx-sim`, logging to `okx-calls.jsonl` beside the HOME it runs in."""
    bin_dir.mkdir(parents=True)
    script = bin_dir / "okx"
    script.write_text(
        "#!/bin/sh\n"
        f'OKX_SIM_LOG="$HOME/../okx-calls.jsonl" exec {shlex.quote(sim_path)} "$@"\n'
    )
    script.chmod(0o755)
    return script


def open_accounts(sim_path: str, root: Path) -> list[Account]:
    """Fifty users, cycling through the states, the sites and both languages."""
    accounts = []
    cli = logging_okx(sim_path, root / "bin")
    for index in range(USERS):
        home = root / f"user{index:02d}" / "home"
        (home / ".okx").mkdir(parents=True)
        log = root / f"user{index:02d}" / "okx-calls.jsonl"
        account = Account(
            index=index,
            state=STATES[index % len(STATES)],
            site=SITES[(index // len(STATES)) % len(SITES)],
            language="zh" if index % 3 else "en",
            home=home,
            cli=cli,
            log=CallLog(log),
        )
        # Setup runs the plain simulator: its calls are not the user's conversation.
        setup = Simulator(sim_path, home, CallLog(Path(os.environ["OKX_SIM_LOG"])))
        if account.state == "api_key":
            account.profile = f"desk-{index:02d}"
            setup.write_config(keyed_config(account.profile, account.site, index))
        elif account.state == "pending":
            account.setup_code = str(setup.start_pending_login(account.site)["userCode"])
        elif account.state == "logged_in":
            setup.log_in(account.site)
        accounts.append(account)
    return accounts


def pending_code(account: Account) -> str:
    """The device code waiting in the user's own HOME."""
    state = json.loads((account.home / ".okx" / "okx-sim-state.json").read_text())
    return str(state["pending"]["user_code"])


async def approve_in_browser(account: Account, code: str) -> None:
    """The user enters their code on the OKX page (the simulator refuses any other)."""
    browser = await asyncio.create_subprocess_exec(
        str(account.cli), "browser", "approve", code,
        env={**os.environ, "HOME": str(account.home)},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await browser.communicate()
    assert browser.returncode == 0, f"user {account.index}: {err.decode()}"


@dataclass
class Crowd:
    """How many conversations are in flight, and the most there ever were."""

    in_flight: int = 0
    peak: int = 0

    def enter(self) -> None:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)

    def leave(self) -> None:
        self.in_flight -= 1


async def converse(graph: AuthGraph, account: Account, crowd: Crowd) -> dict[str, Any]:
    """Play the user's whole conversation; returns the final result."""
    config, context = thread_config(account.thread), account.context
    crowd.enter()
    result = await graph.ainvoke(
        {"messages": [HumanMessage(content=account.opening)]}, config, context=context
    )
    while result.get("__interrupt__"):
        question = result["__interrupt__"][0].value
        if question["kind"] == "site_choice":
            reply = account.menu_reply
        else:
            assert question["kind"] == "authorization_done", question
            code = question["user_code"] or account.setup_code
            assert code is not None
            if question["user_code"]:
                account.codes_shown.append(code)
                assert code == pending_code(account)  # the code waiting in *this* HOME
            await approve_in_browser(account, code)
            reply = account.done_signal
        result = await graph.ainvoke(Command(resume=reply), config, context=context)
    crowd.leave()
    return dict(result)


@asynccontextmanager
async def server_checkpointer(url: str) -> AsyncIterator[AsyncPostgresSaver]:
    """The checkpointer of a server: one pool for every user, tables set up once."""
    async with AsyncConnectionPool[AsyncConnection[DictRow]](
        url, max_size=POOL_SIZE, open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    ) as pool:
        saver = AsyncPostgresSaver(pool)
        await saver.setup()
        yield saver


def peak_users_in_the_cli(calls: list[tuple[int, float, float]]) -> int:
    """The most users with an okx call running at one instant (calls: user, start, end)."""
    edges = sorted(
        [(start, 1, user) for user, start, _ in calls] + [(end, -1, user) for user, _, end in calls]
    )
    running: Counter[int] = Counter()
    peak = 0
    for _, step, user in edges:
        running[user] += step
        peak = max(peak, sum(1 for n in running.values() if n > 0))
    return peak


async def test_fifty_concurrent_users_each_see_only_their_own_account(
    sim_path: str, tmp_path: Path, postgres_url: str, figure: Figure,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The setup's own calls go to a log of their own; each user's okx sets its own log.
    monkeypatch.setenv("OKX_SIM_LOG", str(tmp_path / "setup-calls.jsonl"))
    accounts = open_accounts(sim_path, tmp_path)
    # Every okx call now takes a little longer (a real CLI talks to OKX), so the
    # users' calls run side by side instead of one quick process after another.
    monkeypatch.setenv("OKX_SIM_FAULT", SLOW_CLI)
    # The graph's nodes are synchronous: under `ainvoke` each runs in the loop's
    # executor, which a server sizes for its users (the default is a handful).
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=USERS))
    crowd = Crowd()
    async with server_checkpointer(postgres_url) as saver:
        graph = build_auth_graph(saver, okx_cli=str(accounts[0].cli))
        results = await asyncio.gather(*(converse(graph, a, crowd) for a in accounts))
        stored = [
            (await graph.aget_state(thread_config(a.thread))).values.get("okx_auth")
            for a in accounts
        ]

    wrong_outcomes = [
        a.index for a, result, kept in zip(accounts, results, stored, strict=True)
        if not result["okx_auth"] == kept == a.expected_outcome()
    ]
    foreign_homes = [
        (a.index, entry["home"]) for a in accounts for entry in a.log.entries()
        if entry["home"] != str(a.home)
    ]
    wrong_calls = [
        a.index for a in accounts
        if sorted(a.log.argvs()[:3]) + a.log.argvs()[3:] != a.expected_calls()
    ]
    leaks = [
        (a.index, other.index)
        for a, result in zip(accounts, results, strict=True)
        for other in accounts if other is not a
        for text in (text_of(m) for m in result["messages"] if isinstance(m, AIMessage))
        if any(mark in text for mark in other.identity())
    ]
    assert wrong_outcomes == []
    assert foreign_homes == []
    assert wrong_calls == []
    assert leaks == []
    assert crowd.peak == USERS  # every conversation was open before the first one ended
    calls = [(a.index, e["start"], e["end"]) for a in accounts for e in a.log.entries()]
    side_by_side = peak_users_in_the_cli(calls)
    assert side_by_side >= 2  # and different users' CLI calls ran at the same time
    states = Counter(a.state for a in accounts)
    figure(
        f"{USERS} conversations at once ({', '.join(f'{n} {s}' for s, n in states.items())}; "
        f"3 sites; zh+en) on one graph and a {POOL_SIZE}-connection Postgres pool: "
        f"{USERS - len(wrong_outcomes)}/{USERS} own outcomes, {len(calls)} okx calls, "
        f"{len(foreign_homes)} outside their HOME, {len(leaks)} foreign codes or profiles "
        f"in replies; up to {side_by_side} users' okx calls running at once"
    )
