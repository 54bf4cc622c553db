"""`OkxAuthMiddleware` in a real `create_agent` agent, with tools that call `okx-sim`.

The model is scripted; everything else is real: the agent graph, its
checkpointer, the auth graph run inside the agent's nodes, the CLI calls.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from blockbuster import BlockBuster
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.prebuilt import ToolRuntime
from langgraph.types import StreamMode

from okx_auth_graph.context import AuthContext
from okx_auth_graph.examples.trading_agent import okx_account_balance, okx_market_ticker
from okx_auth_graph.isolation import run_settings
from okx_auth_graph.middleware import RULES, OkxAuthMiddleware
from okx_auth_graph.okx import run_okx
from okx_auth_graph.prompts import format_scopes, render
from okx_auth_graph.replies import text_of
from tests.expected import (
    CONFIG_SHOW,
    FIRST_STEP_0,
    SCOPES,
    SEED_MENU,
    SITES,
    STATUS,
    URIS,
    inbox_payload,
)
from tests.middleware.helpers import AgentThread, calls
from tests.support import CallLog, Simulator, keyed_config

BALANCE = ["account", "balance", "--json"]
TICKER = ["market", "ticker", "BTC-USDT", "--json"]
BALANCE_OUTPUT = {"ok": True, "data": [{"ccy": "USDT", "availBal": "1000"}]}
EXPIRED = "Error: Session expired — run okx auth login again"
KEYED_CONFIG = keyed_config(
    "ak-middleware-5678", "sk-middleware-secret", "pp-middleware-secret", site="us"
)


def _settings(runtime: ToolRuntime[AuthContext]) -> Any:
    assert isinstance(runtime.context, AuthContext)
    return run_settings(runtime)


@tool
def okx_session_info(runtime: ToolRuntime[AuthContext]) -> str:
    """`okx auth status --json` exactly as the CLI prints it (token lifetimes included)."""
    return run_okx(("auth", "status", "--json"), _settings(runtime)).stdout


@tool
def okx_profiles_raw(runtime: ToolRuntime[AuthContext]) -> str:
    """`okx config show --json` exactly as the CLI prints it (secrets included)."""
    return run_okx(("config", "show", "--json"), _settings(runtime)).stdout


def tool_messages(result: dict[str, Any]) -> list[ToolMessage]:
    return [m for m in result["messages"] if isinstance(m, ToolMessage)]


def sign_in_fields(outcome: dict[str, Any]) -> dict[str, Any]:
    return {key: outcome.get(key) for key in ("status", "site", "scopes")}


def test_auth_runs_before_the_first_private_tool_not_before_market_data(
    sim: Simulator, call_log: CallLog
) -> None:
    thread = AgentThread(sim, [
        calls("okx_market_ticker", inst_id="BTC-USDT"),
        calls("okx_account_balance"),
        "You have 1000 USDT.",
    ], [okx_account_balance, okx_market_ticker])

    thread.say("BTC price, then my balance")
    # The ticker ran with no sign-in; the balance call stopped at the menu
    # before the tool ran.
    assert thread.interrupts == [
        inbox_payload({"kind": "site_choice", "message": SEED_MENU, "choices": SITES})
    ]
    argvs = call_log.argvs()
    assert argvs[0] == TICKER
    assert sorted(argvs[1:]) == FIRST_STEP_0
    assert thread.agent.get_state(thread.config).interrupts[0].value["kind"] == "site_choice"

    thread.reply("2")
    assert thread.interrupt_kinds == ["authorization_done"]
    code = thread.interrupts[0]["user_code"]
    assert thread.interrupts[0]["verification_uri"] == URIS["eea"]
    assert code in thread.interrupts[0]["message"]
    assert BALANCE not in call_log.argvs()

    sim.browser("approve")
    result = thread.reply("done")
    assert thread.interrupt_kinds == []
    assert sign_in_fields(result["okx_auth"]) == {
        "status": "logged_in", "site": "eea", "scopes": SCOPES,
    }
    assert [json.loads(text_of(m)) for m in tool_messages(result)][1] == BALANCE_OUTPUT
    assert text_of(result["messages"][-1]) == "You have 1000 USDT."
    assert call_log.argvs()[4:] == [
        ["auth", "login", "--manual", "--site", "eea"], STATUS, BALANCE,
    ]
    # The skill's success template is the user's to read: posted after the tool's result
    # (never between a call and its result), before the model's answer. The model's own
    # input leaves it out: it has the facts, and must not read it as text to continue.
    success = render("success", "en", site="eea", scopes=format_scopes(SCOPES))
    last = [type(m).__name__ for m in result["messages"][-3:]]
    assert last == ["ToolMessage", "AIMessage", "AIMessage"]
    assert text_of(result["messages"][-2]) == success
    assert type(thread.model.received[-1][-1]).__name__ == "ToolMessage"
    assert success not in thread.model.seen_conversation()
    assert "okx_auth_to_post" not in result or result["okx_auth_to_post"] == []


def test_a_signed_in_thread_does_not_sign_in_again(sim: Simulator, call_log: CallLog) -> None:
    sim.log_in("us")
    thread = AgentThread(sim, [
        calls("okx_account_balance"), "1000 USDT.",
        calls("okx_account_balance"), "Still 1000 USDT.",
    ], [okx_account_balance])
    before = len(call_log.argvs())

    thread.say("my balance?")
    assert thread.interrupt_kinds == []
    argvs = call_log.argvs()[before:]
    assert sorted(argvs[:3]) == FIRST_STEP_0
    assert argvs[3:] == [BALANCE]

    thread.say("and again?")
    assert call_log.argvs()[before + 4:] == [BALANCE]
    assert text_of(thread.result["messages"][-1]) == "Still 1000 USDT."


def test_session_expired_recovers_then_retries_once(sim: Simulator, call_log: CallLog) -> None:
    sim.log_in("global")
    thread = AgentThread(sim, [
        calls("okx_account_balance"), "1000 USDT.",
        calls("okx_account_balance"), "Back in: 1000 USDT.",
    ], [okx_account_balance])
    thread.say("my balance?")
    assert sim.run("session", "expire").returncode == 0
    before = len(call_log.argvs())

    thread.say("my balance now?")
    # The tool ran once, failed with "Session expired", and the recover entry
    # asked for the site (it never reuses the old one).
    assert thread.interrupt_kinds == ["site_choice"]
    assert call_log.argvs()[before] == BALANCE
    assert call_log.argvs()[before:].count(BALANCE) == 1

    thread.reply("1")
    assert thread.interrupt_kinds == ["authorization_done"]
    # Resuming re-ran the tool node, but not the tool: its first result is saved.
    assert call_log.argvs()[before:].count(BALANCE) == 1

    sim.browser("approve")
    result = thread.reply("done")
    assert thread.interrupt_kinds == []
    argvs = call_log.argvs()[before:]
    assert argvs[0] == BALANCE
    assert sorted(argvs[1:4]) == FIRST_STEP_0
    assert argvs[4:] == [["auth", "login", "--manual", "--site", "global"], STATUS, BALANCE]
    assert json.loads(text_of(tool_messages(result)[-1])) == BALANCE_OUTPUT
    assert sign_in_fields(result["okx_auth"]) == {
        "status": "logged_in", "site": "global", "scopes": SCOPES,
    }
    # The model saw only the retried, successful result of this call.
    assert "Session expired" not in thread.model.seen_conversation()


def test_the_retry_happens_once(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.log_in("global")
    monkeypatch.setenv("OKX_SIM_FAULT", f"exit1:{EXPIRED}")
    monkeypatch.setenv("OKX_SIM_FAULT_ON", "account balance")
    thread = AgentThread(sim, [calls("okx_account_balance"), "Sorry."], [okx_account_balance])

    result = thread.say("my balance?")
    # `auth status` still says logged_in, so the recovery asks nothing; the
    # retry fails the same way, and the model is told so once, plainly.
    assert thread.interrupt_kinds == []
    assert call_log.argvs().count(BALANCE) == 2
    assert call_log.argvs()[-1] == BALANCE
    failure = json.loads(text_of(tool_messages(result)[-1]))
    assert failure["ok"] is False
    assert failure["error"] == "okx_tool_failed_after_sign_in"
    assert failure["okx_auth_status"] == "logged_in"
    assert "Session expired" in failure["message"]


def test_recovery_that_ends_signed_out_does_not_retry(
    sim: Simulator, call_log: CallLog
) -> None:
    sim.log_in("global")
    thread = AgentThread(sim, [
        calls("okx_account_balance"), "ok",
        calls("okx_account_balance"), "You are not signed in.",
    ], [okx_account_balance])
    thread.say("balance?")
    assert sim.run("session", "expire").returncode == 0
    before = len(call_log.argvs())

    thread.say("balance?")
    assert thread.interrupt_kinds == ["site_choice"]
    result = thread.reply("cancel")
    assert thread.interrupt_kinds == []
    assert call_log.argvs()[before:].count(BALANCE) == 1
    answer = tool_messages(result)[-1]
    assert answer.status == "error"
    assert json.loads(text_of(answer))["okx_auth_status"] == "cancelled"
    assert result["okx_auth"]["status"] == "cancelled"


def test_declined_sign_in_keeps_the_tool_from_running(
    sim: Simulator, call_log: CallLog
) -> None:
    thread = AgentThread(sim, [calls("okx_account_balance"), "Maybe later."],
                         [okx_account_balance])
    thread.say("what's my balance")
    assert thread.interrupt_kinds == ["site_choice"]
    result = thread.reply("取消")

    assert BALANCE not in call_log.argvs()
    answer = json.loads(text_of(tool_messages(result)[-1]))
    assert answer["error"] == "okx_sign_in_required"
    assert answer["okx_auth_status"] == "cancelled"
    assert answer["message"]
    assert text_of(result["messages"][-1]) == "Maybe later."
    assert text_of(result["messages"][-2]) == render("login_cancelled", "en")  # posted as is


def test_a_turn_runs_one_sign_in_however_often_the_model_retries(
    sim: Simulator, call_log: CallLog
) -> None:
    """After the user cancels, a model that calls the tool again gets the answer, not the menu."""
    thread = AgentThread(sim, [
        calls("okx_account_balance"), calls("okx_account_balance"), "OK, not signed in.",
        calls("okx_account_balance"), "n/a",
    ], [okx_account_balance])
    thread.say("what's my balance")
    assert thread.interrupt_kinds == ["site_choice"]

    result = thread.reply("cancel")

    assert thread.interrupt_kinds == []  # the second call asked nothing
    answers = [json.loads(text_of(m)) for m in tool_messages(result)]
    assert [a["okx_auth_status"] for a in answers] == ["cancelled", "cancelled"]
    assert text_of(result["messages"][-1]) == "OK, not signed in."
    assert BALANCE not in call_log.argvs()

    thread.say("try again please")  # a new turn: the sign-in runs again
    assert thread.interrupt_kinds == ["site_choice"]


def test_an_api_key_counts_as_signed_in(sim: Simulator, call_log: CallLog) -> None:
    sim.write_config(KEYED_CONFIG)
    thread = AgentThread(sim, [calls("okx_profiles_raw"), "Configured."], [okx_profiles_raw])

    result = thread.say("show my okx profiles")
    assert thread.interrupt_kinds == []
    assert result["okx_auth"]["status"] == "api_key_configured"
    posted = [text_of(m) for m in result["messages"] if type(m).__name__ == "AIMessage"]
    assert posted.count(render("api_key_configured", "en", name="main")) == 1  # Step 0.2's stop
    assert call_log.argvs()[-1] == CONFIG_SHOW
    # Secrets never reach the state or the model; the key is masked to its last four.
    stored = text_of(tool_messages(result)[-1])
    assert json.loads(stored) == {
        "default_profile": "main", "profiles": {"main": {"api_key": "***5678", "site": "us"}},
    }
    seen = thread.model.seen_conversation()
    for secret in ("ak-middleware-5678", "sk-middleware-secret", "pp-middleware-secret"):
        assert secret not in stored
        assert secret not in seen


def test_the_model_never_receives_token_lifetimes(sim: Simulator) -> None:
    sim.log_in("eea")
    thread = AgentThread(sim, [calls("okx_session_info"), "Signed in on eea."],
                         [okx_session_info])
    raw = sim.run("auth", "status", "--json").stdout
    assert {"expiresAt", "ttl", "profile"} <= set(json.loads(raw))

    result = thread.say("am I signed in to okx?")
    stored = json.loads(text_of(tool_messages(result)[-1]))
    assert stored == {"site": "eea", "status": "logged_in", "scopes": SCOPES}
    seen = thread.model.seen_conversation()
    for field in ("expiresAt", "ttl", "profile"):
        assert field not in seen


def test_history_from_before_the_middleware_is_cleaned_for_the_model(sim: Simulator) -> None:
    raw = json.dumps({"status": "logged_in", "site": "us", "profile": "oauth",
                      "expiresAt": "2026-04-11T20:30:00+00:00", "ttl": 3600})
    call = calls("okx_session_info")
    history = [
        {"role": "user", "content": "am I signed in?"},
        call,
        ToolMessage(content=raw, tool_call_id=call.tool_calls[0]["id"] or "",
                    name="okx_session_info"),
        {"role": "user", "content": "thanks"},
    ]
    thread = AgentThread(sim, ["You're welcome."], [okx_session_info])
    thread.send({"messages": history})

    (prompt,) = thread.model.received
    shown = [m for m in prompt if isinstance(m, ToolMessage)]
    assert [json.loads(text_of(m)) for m in shown] == [{"status": "logged_in", "site": "us"}]


def test_the_system_prompt_gets_the_rules(sim: Simulator) -> None:
    thread = AgentThread(sim, ["Hi."], [okx_market_ticker], system_prompt="You trade on OKX.")
    thread.say("hello")

    (prompt,) = thread.model.received
    assert isinstance(prompt[0], SystemMessage)
    assert text_of(prompt[0]) == f"You trade on OKX.\n\n{RULES}"
    assert "Session stays active as long as you use the CLI periodically." in RULES
    assert "expiresAt" in RULES


def test_account_tools_can_be_named(sim: Simulator, call_log: CallLog) -> None:
    middleware = OkxAuthMiddleware(account_tools={"okx_market_ticker"})
    thread = AgentThread(sim, [calls("okx_market_ticker", inst_id="BTC-USDT"), "n/a"],
                         [okx_market_ticker], middleware=middleware)
    thread.say("BTC price")
    assert thread.interrupt_kinds == ["site_choice"]
    assert TICKER not in call_log.argvs()


async def test_async_agent_signs_in_and_recovers(sim: Simulator, call_log: CallLog) -> None:
    thread = AgentThread(sim, [
        calls("okx_account_balance"), "1000 USDT.",
        calls("okx_account_balance"), "Still 1000 USDT.",
    ], [okx_account_balance])

    await thread.asay("余额?")
    assert thread.interrupt_kinds == ["site_choice"]
    await thread.areply("3")
    assert thread.interrupt_kinds == ["authorization_done"]
    assert thread.interrupts[0]["site"] == "us"
    sim.browser("approve")
    result = await thread.areply("好了")
    assert sign_in_fields(result["okx_auth"])["site"] == "us"
    assert call_log.argvs()[-1] == BALANCE

    assert sim.run("session", "expire").returncode == 0
    before = len(call_log.argvs())
    await thread.asay("再看一次余额")
    assert thread.interrupt_kinds == ["site_choice"]
    await thread.areply("3")
    sim.browser("approve")
    await thread.areply("好了")
    result = thread.result
    assert call_log.argvs()[before:].count(BALANCE) == 2
    assert json.loads(text_of(tool_messages(result)[-1])) == BALANCE_OUTPUT


KEYED_SECRETS = ("ak-middleware-5678", "sk-middleware-secret", "pp-middleware-secret")


def saved_bytes(thread: AgentThread) -> bytes:
    """Everything the agent's checkpointer holds for the thread, checkpoints and task writes."""
    saver = thread.agent.checkpointer
    assert isinstance(saver, InMemorySaver)
    found: list[bytes] = []

    def collect(value: object) -> None:
        if isinstance(value, bytes | bytearray):
            found.append(bytes(value))
        elif isinstance(value, str):
            found.append(value.encode())
        elif isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    collect(saver.storage)
    collect(saver.writes)
    collect(saver.blobs)
    return b"\n".join(found)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_raw_okx_output_is_neither_streamed_nor_checkpointed(
    sim: Simulator, mode: str
) -> None:
    """The tool's first attempt is a checkpointed task: what it saves and streams is cleaned."""
    sim.write_config(KEYED_CONFIG)
    thread = AgentThread(sim, [calls("okx_profiles_raw"), "Configured."], [okx_profiles_raw])
    thread.model.disable_streaming = True  # the scripted model cannot stream a tool call
    request = {"messages": [HumanMessage("show my okx profiles")]}
    modes: list[StreamMode] = ["messages", "tasks", "debug", "updates", "values"]
    streamed: list[str] = []
    if mode == "sync":
        for item in thread.agent.stream(
            request, thread.config, context=thread.context, stream_mode=modes
        ):
            streamed.append(repr(item))
    else:
        async for item in thread.agent.astream(
            request, thread.config, context=thread.context, stream_mode=modes
        ):
            streamed.append(repr(item))

    assert any("***5678" in text for text in streamed)  # the tool's answer came
    saved = saved_bytes(thread)
    assert b"***5678" in saved
    for secret in KEYED_SECRETS:
        assert all(secret not in text for text in streamed)
        assert secret.encode() not in saved


def test_a_configured_credential_echoed_in_words_is_masked_everywhere(
    sim: Simulator,
) -> None:
    """An error that quotes the HOME's key and secrets in prose: no pattern catches them, the
    HOME's config does."""
    sim.write_config(KEYED_CONFIG)

    @tool
    def okx_account_positions() -> str:
        """Fails as a CLI might, echoing the configured credentials in words."""
        return ("Error: Session expired for key ak-middleware-5678 with secret "
                "sk-middleware-secret and passphrase pp-middleware-secret")

    thread = AgentThread(sim, [calls("okx_account_positions"), "Sorry."],
                         [okx_account_positions])
    result = thread.say("my positions?")

    answer = json.loads(text_of(tool_messages(result)[-1]))
    assert answer["error"] == "okx_tool_failed_after_sign_in"
    assert "Session expired for key *** with secret *** and passphrase ***" in answer["message"]
    seen = thread.model.seen_conversation()
    saved = saved_bytes(thread)
    for secret in KEYED_SECRETS:
        assert secret not in seen
        assert secret.encode() not in saved


def test_data_that_mentions_auth_words_is_an_answer_not_an_auth_error(
    sim: Simulator, call_log: CallLog
) -> None:
    """A memo saying "401 Unauthorized" does not make a call fail and run again."""
    sim.log_in("eea")
    before = len(call_log.argvs())
    ran: list[str] = []
    bills = [{"billId": "1", "memo": "401 Unauthorized, token expired"}]

    @tool
    def okx_account_bills() -> str:
        """The account's bills, as the CLI prints them with --json: a bare JSON array."""
        ran.append("bills")
        return json.dumps(bills)

    thread = AgentThread(sim, [calls("okx_account_bills"), "One bill."], [okx_account_bills])
    result = thread.say("my bills?")

    assert ran == ["bills"]
    assert thread.interrupt_kinds == []
    assert json.loads(text_of(tool_messages(result)[-1])) == bills
    assert not any(argv[:2] == ["auth", "login"] for argv in call_log.argvs()[before:])


async def test_the_async_hooks_never_block_the_event_loop(sim: Simulator) -> None:
    """Under `ainvoke` the HOME's config is read off the loop, as a server requires."""
    sim.write_config(KEYED_CONFIG)

    @tool
    async def okx_account_positions() -> str:
        """Fails, echoing the configured key (no I/O of its own)."""
        return "Error: rate limit exceeded for key ak-middleware-5678"

    @tool
    async def get_weather() -> str:
        """Not an okx tool."""
        return "sunny"

    thread = AgentThread(sim, [calls("okx_account_positions", "get_weather"), "Done."],
                         [okx_account_positions, get_weather])
    blocking = BlockBuster()
    blocking.activate()
    try:
        result = await thread.asay("my positions, and the weather?")
    finally:
        blocking.deactivate()
    answers = {m.name: text_of(m) for m in tool_messages(result)}
    assert answers == {"okx_account_positions": "Error: rate limit exceeded for key ***",
                       "get_weather": "sunny"}
