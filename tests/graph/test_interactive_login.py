"""The blocking login (`login_mode="interactive"`), for a person at a terminal.

The gate is the same; the graph says first that the browser comes next, then
`okx auth login --site S` waits for the browser itself. While it waits, the
CLI's lines and a heartbeat reach the caller as custom stream events; the
budget kills the CLI when it runs out. These tests stream with
`stream_mode=["custom", "values"]` against `okx-sim` and play the browser
from the event loop, the way a terminal UI would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.types import Command

from okx_auth_graph.prompts import Language, format_duration, render
from okx_auth_graph.replies import text_of
from tests.expected import (
    CONFIG_SHOW,
    FIRST_STEP_0,
    INSTALL,
    INSTALL_STATUS,
    NOT_A_CHOICE,
    SCOPES,
    SEED_MENU,
    STATUS,
    URIS,
    inbox_payload,
)
from tests.support import CallLog, Conversation, Simulator, okx_sim_processes

pytestmark = pytest.mark.usefixtures("durability")

LOGIN_EEA = ["auth", "login", "--site", "eea"]
KEYED = """[profiles.main]
api_key = "ak-interactive-0001-wxyz"
secret_key = "sk-interactive-0002"
passphrase = "pp-interactive-0003"
"""

EventHook = Callable[[dict[str, Any]], None]


def interactive(sim: Simulator, **overrides: Any) -> Conversation:
    """A conversation whose logins block in the CLI."""
    return Conversation(sim, context_overrides={"login_mode": "interactive", **overrides})


def stream_reply(
    conv: Conversation, reply: str, on_event: EventHook | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Resume with `reply`, streaming; returns the custom events and the texts posted."""
    events: list[dict[str, Any]] = []
    for event in conv.stream(Command(resume=reply), ["custom", "values"]):
        if event.mode == "custom":
            events.append(event.data)
            if on_event is not None:
                on_event(event.data)
    posted = [text_of(m) for m in conv.new_messages if isinstance(m, AIMessage)]
    return events, posted


def approve_after_heartbeats(sim: Simulator, beats: int) -> EventHook:
    """Approve in the browser once the CLI has waited `beats` heartbeats (a slow user)."""
    seen: list[float] = []

    def hook(event: dict[str, Any]) -> None:
        if event["kind"] == "okx_cli_progress":
            seen.append(event["elapsed_seconds"])
            if len(seen) == beats:
                sim.browser("approve")

    return hook


def reach_menu(conv: Conversation, text: str) -> None:
    """Start the request; the menu comes first, whatever the mode."""
    assert conv.start(text) == [SEED_MENU]
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "site_choice"


@pytest.mark.parametrize(("text", "language", "done"), [("log me in", "en", "2"),
                                                       ("帮我登录,我要买BTC", "zh", "eea")])
def test_a_slow_approval_streams_lines_and_progress_then_logs_in(
    sim: Simulator, call_log: CallLog, text: str, language: Language, done: str
) -> None:
    conv = interactive(sim)
    reach_menu(conv, text)

    events, posted = stream_reply(conv, done, approve_after_heartbeats(sim, 2))

    notice = render("browser_login_notice", language, site="eea",
                    duration=format_duration(660, language))
    success = render("success", language, site="eea", scopes=", ".join(SCOPES))
    assert posted == [notice, success]
    lines = [e["line"] for e in events if e["kind"] == "okx_cli_line"]
    assert lines[0] == f"Open this link in your browser: {URIS['eea']}"
    assert lines[1].startswith("Enter code: ")
    assert lines[-1] == "Logged in successfully!"
    progress = [e for e in events if e["kind"] == "okx_cli_progress"]
    assert len(progress) >= 2
    elapsed = [p["elapsed_seconds"] for p in progress]
    assert elapsed == sorted(elapsed)
    assert all(p["timeout_seconds"] == 660 for p in progress)
    assert {e["command"] for e in events} == {"okx auth login --site eea"}
    assert events[-1]["kind"] == "okx_cli_done"
    assert events[-1]["timed_out"] is False
    assert conv.interrupt is None
    skill = {"next_skill": "trade"} if language == "zh" else {}
    assert conv.outcome == {"status": "logged_in", "site": "eea", "scopes": SCOPES, **skill}
    calls = call_log.argvs()
    assert sorted(calls[:3]) == FIRST_STEP_0
    assert calls[3:] == [LOGIN_EEA, STATUS]


def test_the_gate_holds_in_interactive_mode(sim: Simulator, call_log: CallLog) -> None:
    """A reply that is not a choice never reaches the blocking login."""
    conv = interactive(sim)
    reach_menu(conv, "log me in")
    events, posted = stream_reply(conv, "whatever you think")
    assert events == []
    assert posted == [NOT_A_CHOICE["en"], SEED_MENU]
    assert not call_log.logins()


@pytest.mark.integration  # no okx-sim process may be left running
def test_the_timeout_kills_the_cli_and_says_so(sim: Simulator, call_log: CallLog) -> None:
    conv = interactive(sim, login_timeout_seconds=2.5)
    reach_menu(conv, "log me in")

    events, posted = stream_reply(conv, "3")

    assert format_duration(2.5, "en") == "2.5 seconds"
    stopped = render("login_wait_timeout", "en", duration="2.5 seconds")
    notice = render("browser_login_notice", "en", site="us", duration="2.5 seconds")
    assert posted == [notice, f"{stopped}\n{render('retry_question', 'en')}"]
    assert conv.interrupt == inbox_payload({"kind": "retry_login", "message": "\n\n".join(posted)})
    assert conv.outcome is None
    assert events[-1]["kind"] == "okx_cli_done"
    assert events[-1]["timed_out"] is True
    assert okx_sim_processes(sim.home) == []
    assert sorted(call_log.argvs()[:3]) == FIRST_STEP_0
    assert call_log.argvs()[3:] == [["auth", "login", "--site", "us"]]

    assert stream_reply(conv, "no")[1] == [render("retry_declined", "en")]
    assert conv.outcome == {"status": "not_logged_in"}


@pytest.mark.parametrize(("browser", "kind"), [("deny", "access_denied")])
def test_a_refused_login_shows_the_reason_and_offers_a_retry(
    sim: Simulator, call_log: CallLog, browser: str, kind: str
) -> None:
    conv = interactive(sim)
    reach_menu(conv, "登录")

    def refuse(event: dict[str, Any]) -> None:
        if event["kind"] == "okx_cli_line" and event["line"].startswith("Enter code"):
            sim.browser(browser)

    _, posted = stream_reply(conv, "1", refuse)
    question = f"{render(f'failure_{kind}', 'zh')}\n{render('retry_question', 'zh')}"
    assert posted[-1] == question
    assert conv.interrupt == inbox_payload({"kind": "retry_login", "message": "\n\n".join(posted)})

    _, posted = stream_reply(conv, "是")
    assert posted == [SEED_MENU]
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "site_choice"
    logins = call_log.logins()
    assert logins == [["auth", "login", "--site", "global"]]


def test_the_cli_guard_means_step_0_2_was_stale(sim: Simulator, call_log: CallLog) -> None:
    """A key appeared after the preflight: the CLI skips OAuth, the graph names the profile."""
    conv = interactive(sim)
    reach_menu(conv, "log me in")
    sim.write_config(KEYED)

    _, posted = stream_reply(conv, "1")
    assert posted[-1] == render("api_key_configured", "en", name="main")
    assert conv.outcome == {"status": "api_key_configured", "profile": "main", "site": None}
    assert sorted(call_log.argvs()[:3]) == FIRST_STEP_0
    assert call_log.argvs()[3:] == [["auth", "login", "--site", "global"], CONFIG_SHOW]
    shown = json.dumps([text_of(m) for m in conv.messages])
    assert "ak-interactive-0001-wxyz" not in shown


def test_a_missing_binary_is_repaired_once_before_the_blocking_login(
    sim: Simulator, call_log: CallLog
) -> None:
    conv = interactive(sim)
    reach_menu(conv, "log me in")
    assert sim.run("auth", "remove", "--force").returncode == 0
    since = len(call_log.argvs())

    _, posted = stream_reply(conv, "2", approve_after_heartbeats(sim, 1))
    assert render("binary_reinstalled", "en") in posted
    assert conv.outcome == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert call_log.argvs()[since:] == [LOGIN_EEA, INSTALL, INSTALL_STATUS, LOGIN_EEA, STATUS]


def test_the_reply_that_started_the_login_stays_in_the_conversation(sim: Simulator) -> None:
    conv = interactive(sim)
    reach_menu(conv, "log me in")
    stream_reply(conv, "eea", approve_after_heartbeats(sim, 1))
    humans = [text_of(m) for m in conv.messages if isinstance(m, HumanMessage)]
    assert humans == ["log me in", "eea"]
