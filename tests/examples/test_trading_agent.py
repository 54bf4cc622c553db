"""The example agent app: the auth graph as a subgraph in front of its okx tools.

Driven against `okx-sim`: market data needs no sign-in, the balance needs it
once per thread, and a session that lapses later is recovered through the
auth graph's `recover` entry before the tool is retried once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode
from langgraph.types import Command

from okx_auth_graph.context import AuthContext
from okx_auth_graph.examples.trading_agent import (
    TradingGraph,
    TradingState,
    answer_text,
    build_trading_graph,
    make_tools,
    okx_market_ticker,
    plan_for,
)
from okx_auth_graph.prompts import render
from okx_auth_graph.replies import text_of
from okx_auth_graph.testing import Conversation
from tests.expected import CONFIG_SHOW, FIRST_STEP_0, SCOPES, SEED_MENU, STATUS
from tests.graph.test_typed_answers import preflight_pairs
from tests.support import CallLog, Simulator

ROOT = Path(__file__).resolve().parents[2]
BALANCE = ["account", "balance", "--json"]
BALANCE_TEXT = "Your OKX balance: 1000 USDT available."
EXPIRED = "Error: Session expired — run okx auth login again"


class App:
    """One thread with the example app, one user turn at a time: the package's driver.

    `say` always sends a new message, even with a question open (a chat box
    that cannot resume); `reply` resumes. Both return the run's output.
    """

    def __init__(self, sim: Simulator) -> None:
        graph: TradingGraph = build_trading_graph(InMemorySaver(), okx_cli=sim.path)
        self.conv = Conversation(graph, AuthContext(okx_home=str(sim.home)), thread_id="app-1")
        self.graph, self.config, self.context = graph, self.conv.config, self.conv.context

    @property
    def result(self) -> dict[str, Any]:
        return self.conv.result

    def say(self, text: str) -> dict[str, Any]:
        self.conv.start(text)
        return self.result

    def reply(self, text: str) -> dict[str, Any]:
        self.conv.send(Command(resume=text))
        return self.result

    @property
    def interrupt_kinds(self) -> list[str]:
        return [i.value["kind"] for i in self.result.get("__interrupt__", [])]

    @property
    def last_text(self) -> str:
        return text_of(self.result["messages"][-1])

    def state(self) -> dict[str, Any]:
        return self.conv.values


def signed_in_as(result: dict[str, Any]) -> dict[str, Any]:
    """The outcome's sign-in fields (the graph may add hand-off fields beside them)."""
    return {key: result["okx_auth"][key] for key in ("status", "site", "scopes")}


def sign_in(app: App, sim: Simulator, request: str, site_reply: str) -> None:
    """Walk the menu and the device code through the app, approving in the browser."""
    app.say(request)
    assert app.interrupt_kinds == ["site_choice"]
    app.reply(site_reply)
    assert app.interrupt_kinds == ["authorization_done"]
    sim.browser("approve")
    app.reply("done")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BTC-USDT price?", {"name": "okx_market_ticker", "args": {"inst_id": "BTC-USDT"}}),
        ("eth-usdt ticker", {"name": "okx_market_ticker", "args": {"inst_id": "ETH-USDT"}}),
        ("what is the market doing", {"name": "okx_market_ticker",
                                      "args": {"inst_id": "BTC-USDT"}}),
        ("what's my balance?", {"name": "okx_account_balance", "args": {}}),
        ("我的余额是多少", {"name": "okx_account_balance", "args": {}}),
        ("log me in", None),
        ("buy 1 BTC", None),
    ],
)
def test_plan_picks_the_tool_from_the_request(text: str, expected: object) -> None:
    assert plan_for(text) == expected


def test_market_data_needs_no_sign_in(sim: Simulator, call_log: CallLog) -> None:
    app = App(sim)
    result = app.say("ETH-USDT price?")
    assert app.interrupt_kinds == []
    assert app.last_text == "ETH-USDT last price: 65000.1"
    assert "okx_auth" not in result
    assert call_log.argvs() == [["market", "ticker", "ETH-USDT", "--json"]]


def test_balance_signs_in_first_then_answers(sim: Simulator, call_log: CallLog) -> None:
    app = App(sim)
    app.say("what's my balance?")
    assert app.interrupt_kinds == ["site_choice"]
    # The subgraph returned at its question: the app's own thread shows the
    # menu while it waits, and the app relays the question.
    assert app.graph.get_state(app.config).next == ("ask_user",)
    assert [text_of(m) for m in app.state()["messages"]] == ["what's my balance?", SEED_MENU]
    assert sorted(call_log.argvs()) == FIRST_STEP_0

    app.reply("2")
    assert app.interrupt_kinds == ["authorization_done"]
    sim.browser("approve")
    result = app.reply("done")

    assert app.interrupt_kinds == []
    assert signed_in_as(result) == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert app.last_text == BALANCE_TEXT
    success = render("success", "en", site="eea", scopes=", ".join(SCOPES))
    texts = [text_of(m) for m in result["messages"]]
    assert texts[:3] == ["what's my balance?", SEED_MENU, "2"]
    assert texts[-5:-3] == ["done", success]
    call, output = result["messages"][-3:-1]
    assert [c["name"] for c in call.tool_calls] == ["okx_account_balance"]
    assert isinstance(output, ToolMessage)
    assert json.loads(text_of(output)) == {
        "ok": True, "data": [{"ccy": "USDT", "availBal": "1000"}],
    }
    assert call_log.argvs()[3:] == [
        ["auth", "login", "--manual", "--site", "eea"], STATUS, BALANCE,
    ]
    state = app.state()
    assert state["okx_auth_request"] is None
    assert state["planned_call"] is None


def test_a_signed_in_thread_skips_the_auth_graph(sim: Simulator, call_log: CallLog) -> None:
    app = App(sim)
    sign_in(app, sim, "balance please", "1")
    before = len(call_log.argvs())

    app.say("and my balance again?")
    assert app.interrupt_kinds == []
    assert app.last_text == BALANCE_TEXT
    assert call_log.argvs()[before:] == [BALANCE]


def test_lapsed_session_recovers_then_retries_once(sim: Simulator, call_log: CallLog) -> None:
    app = App(sim)
    sign_in(app, sim, "balance please", "1")
    assert sim.run("session", "expire").returncode == 0
    before = len(call_log.argvs())

    app.say("my balance now?")
    # The tool failed, the app routed into the auth graph's recover entry:
    # it says why, then asks for the site again (never reusing the old one).
    assert app.interrupt_kinds == ["site_choice"]
    assert app.graph.get_state(app.config).next == ("ask_user",)
    assert text_of(app.state()["messages"][-1]) == SEED_MENU
    tool_results = [m for m in app.result["messages"] if isinstance(m, ToolMessage)]
    assert json.loads(text_of(tool_results[-1]))["error"] == "session_expired"
    assert app.state()["okx_auth_request"] == {"action": "recover", "error": text_of(
        tool_results[-1])}

    app.reply("3")
    assert app.interrupt_kinds == ["authorization_done"]
    sim.browser("approve")
    result = app.reply("done")

    assert signed_in_as(result) == {"status": "logged_in", "site": "us", "scopes": SCOPES}
    assert app.last_text == BALANCE_TEXT
    argvs = call_log.argvs()[before:]
    assert argvs[0] == BALANCE
    assert sorted(argvs[1:3]) == sorted([CONFIG_SHOW, STATUS])
    assert argvs[3:] == [["auth", "login", "--manual", "--site", "us"], STATUS, BALANCE]
    assert app.state()["okx_auth_request"] is None


def test_recovery_is_tried_once(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.log_in("global")
    app = App(sim)
    app.say("balance please")
    assert app.last_text == BALANCE_TEXT
    monkeypatch.setenv("OKX_SIM_FAULT", f"exit1:{EXPIRED}")
    monkeypatch.setenv("OKX_SIM_FAULT_ON", "account balance")
    before = len(call_log.argvs())

    app.say("balance again")
    # Still logged in per `auth status`, so recovery ends without a question;
    # the retry fails the same way and the app reports it instead of looping.
    assert app.interrupt_kinds == []
    assert app.result["okx_auth"]["status"] == "logged_in"
    assert app.last_text.startswith("The okx command failed: Session expired")
    argvs = call_log.argvs()[before:]
    assert argvs.count(BALANCE) == 2
    assert argvs[0] == BALANCE
    assert argvs[-1] == BALANCE


def test_declined_sign_in_ends_without_the_tool(sim: Simulator, call_log: CallLog) -> None:
    app = App(sim)
    app.say("余额多少?")
    assert app.interrupt_kinds == ["site_choice"]
    result = app.reply("取消")
    assert app.interrupt_kinds == []
    assert result["okx_auth"]["status"] == "cancelled"
    assert isinstance(result["messages"][-1], AIMessage)
    assert BALANCE not in call_log.argvs()
    assert app.state()["okx_auth_request"] is None


def test_answers_follow_the_request_language() -> None:
    row = {"ok": True, "data": [{"ccy": "USDT", "availBal": "1000"}]}
    assert answer_text("okx_account_balance", row, "zh") == "您的 OKX 余额:可用 1000 USDT。"
    failed = {"ok": False, "message": "boom", "action": "Check network and retry"}
    assert answer_text("okx_account_balance", failed, "en") == (
        "The okx command failed: boom (Check network and retry)"
    )


@pytest.mark.parametrize(
    ("output", "said"),
    [
        pytest.param({"ok": True, "data": [{"totalEq": "0", "details": []}]},
                     "Your OKX account holds no assets yet.", id="no-assets"),
        pytest.param({"ok": True, "data": []}, "OKX returned no data for this request.",
                     id="no-rows"),
        pytest.param({"ok": True, "data": {"endpoint": "/api/v5/account/balance", "data": []}},
                     "OKX returned no data for this request.", id="mcp-no-rows"),
    ],
)
def test_an_empty_answer_is_said_so(output: dict[str, object], said: str) -> None:
    assert answer_text("okx_account_balance", output, "en") == said


@pytest.mark.integration  # loads the app in a fresh interpreter
def test_langgraph_json_serves_the_app_from_its_path(tmp_path: Path) -> None:
    """The server imports the file by path: it must need nothing but the installed package."""
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert config["graphs"]["okx_auth"]["path"] == "./okx_auth_graph/graph.py:graph"
    path, _, variable = config["graphs"]["trading_agent"]["path"].partition(":")
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('served_app', {str(ROOT / path)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['served_app'] = module  # as the server does\n"
        "spec.loader.exec_module(module)\n"
        f"print(sorted(module.{variable}.get_graph().nodes))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(sorted([
        "__start__", "__end__", "plan", "okx_auth", "after_auth", "ask_user", "call_tool",
        "tools", "check_result", "answer",
    ]))


@pytest.mark.parametrize(
    ("inst_id", "reached_cli"),
    [("btc-usdt", ["market", "ticker", "BTC-USDT", "--json"]), ("--site=us", None),
     ("BTC USDT; rm -rf", None)],
)
def test_the_ticker_passes_only_instrument_ids_to_the_cli(
    sim: Simulator, call_log: CallLog, inst_id: str, reached_cli: list[str] | None
) -> None:
    """A model may write any argument; only a well-formed instrument id reaches the argv."""
    builder = StateGraph(MessagesState, context_schema=AuthContext)
    ticker = next(t for t in make_tools(sim.path) if t.name == okx_market_ticker.name)
    builder.add_node("tools", ToolNode([ticker]))
    builder.add_edge(START, "tools")
    call = AIMessage("", tool_calls=[{"name": "okx_market_ticker", "args": {"inst_id": inst_id},
                                      "id": "t-1"}])
    result = builder.compile().invoke(
        {"messages": [call]}, context=AuthContext(okx_home=str(sim.home))
    )
    output = json.loads(text_of(result["messages"][-1]))
    if reached_cli is None:
        assert output["error"] == "invalid_instrument"
        assert call_log.argvs() == []
    else:
        assert output["data"][0]["instId"] == "BTC-USDT"
        assert call_log.argvs() == [reached_cli]



def _converse(
    sim_path: str, home: Path, monkeypatch: pytest.MonkeyPatch, replies: list[str], *,
    typed: bool,
) -> tuple[list[str], list[list[str]]]:
    """The balance request in a HOME of its own, then each reply: resumed, or typed.

    Returns the app's conversation (the device code masked: it is random per
    HOME) and the okx calls, Step 0's side-by-side pair in one order.
    """
    (home / ".okx").mkdir(parents=True)
    log = CallLog(home.parent / f"{home.name}-calls.jsonl")
    monkeypatch.setenv("OKX_SIM_LOG", str(log.path))
    sim = Simulator(sim_path, home, log)
    app = App(sim)
    app.say("what's my balance?")
    for reply in replies:
        if reply == "<approve>":
            sim.browser("approve")
        elif typed:
            app.say(reply)
        else:
            app.reply(reply)
    code = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b")
    texts = [code.sub("<code>", text_of(m)) for m in app.state()["messages"]]
    return texts, preflight_pairs(log.argvs())


@pytest.mark.parametrize(
    ("replies", "ends_with"),
    [
        pytest.param(["2", "<approve>", "done"], BALANCE_TEXT, id="login"),
        pytest.param(["hello", "3", "not yet", "<approve>", "好了"], BALANCE_TEXT,
                     id="non-answers"),
        pytest.param(["1", "cancel"], render("stopped_waiting", "en"), id="cancel-the-wait"),
    ],
)
def test_a_typed_reply_answers_the_subgraph_like_a_resume(
    sim_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    replies: list[str], ends_with: str,
) -> None:
    """A chat box that only starts runs gets the same conversation and CLI calls as a resume."""
    resumed = _converse(sim_path, tmp_path / "resumed", monkeypatch, replies, typed=False)
    typed = _converse(sim_path, tmp_path / "typed", monkeypatch, replies, typed=True)
    assert typed == resumed
    texts, calls = typed
    assert texts[-1] == ends_with
    assert [t for t in texts if t in replies] == [r for r in replies if r != "<approve>"]
    assert (BALANCE in calls) == (ends_with == BALANCE_TEXT)

def test_the_app_thread_shows_each_question_while_it_waits(sim: Simulator) -> None:
    """Menu, link and code, and a reminder are in the app's own messages before any answer."""
    app = App(sim)
    app.say("what's my balance?")
    assert text_of(app.state()["messages"][-1]) == SEED_MENU
    app.say("2")
    waiting = app.result["__interrupt__"][0].value
    assert waiting["kind"] == "authorization_done"
    assert text_of(app.state()["messages"][-1]) == waiting["message"]
    assert waiting["user_code"] in waiting["message"]
    app.say("not yet")
    reminder = text_of(app.state()["messages"][-1])
    assert waiting["user_code"] in reminder
    assert reminder != waiting["message"]


def test_the_app_stream_carries_the_question_when_it_is_posted(sim: Simulator) -> None:
    """A client reading the app's `values` stream sees the menu before the run stops."""
    app = App(sim)
    request: TradingState = {"messages": [HumanMessage("what's my balance?")]}
    chunks = list(app.graph.stream(request, app.config, context=app.context,
                                   stream_mode="values"))
    shown = [[text_of(m) for m in chunk["messages"]] for chunk in chunks if "messages" in chunk]
    assert ["what's my balance?", SEED_MENU] in shown
