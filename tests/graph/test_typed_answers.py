"""Answers typed as new messages count exactly as resumes do.

A chat box that only starts runs (Agent Chat UI's) sends the user's "2"
after the menu as a new human message, not as a resume. Each scenario here
is played twice in fresh HOMEs: once answering every question by resuming
the interrupt, once by sending the answer as a new message. Both must leave
the same conversation, the same questions, the same outcome and exactly
the same okx calls. Device codes are random per HOME, and a backup's path
names its HOME and the time, so those are compared as placeholders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from okx_auth_graph.prompts import render
from okx_auth_graph.replies import text_of
from okx_auth_graph.skill import site_menu
from tests.expected import CONFIG_SHOW, NOT_A_CHOICE, STATUS, VERSION
from tests.support import CallLog, Conversation, Simulator, keyed_config

pytestmark = pytest.mark.usefixtures("durability")

KEYED_EEA_CONFIG = keyed_config(
    "ak-typed-0001-wxyz", "sk-typed-0002", "pp-typed-0003", demo=False
)
REJECTED_KEY = "Error: Invalid Sign (50113)"


@dataclass(frozen=True)
class Say:
    """The user's turn; `extra` goes with a turn that starts a request."""

    text: str
    extra: dict[str, Any] | None = None


@dataclass(frozen=True)
class Browser:
    """The user approves or denies in the browser (no chat turn)."""

    action: Literal["approve", "deny"]


@dataclass(frozen=True)
class Played:
    """What a whole scenario left behind."""

    transcript: list[tuple[str, str]]
    questions: list[str | None]
    outcome: dict[str, Any] | None
    calls: list[list[str]]


Step = Say | Browser


def _user_code(sim: Simulator) -> str | None:
    path = sim.home / ".okx" / "okx-sim-state.json"
    if not path.exists():
        return None
    pending = json.loads(path.read_text()).get("pending")
    return str(pending["user_code"]) if pending else None


def play(
    sim_cli: str, root: Path, monkeypatch: pytest.MonkeyPatch, name: str,
    steps: Sequence[Step], *, answers: Literal["resume", "message"],
    config: str | None = None,
) -> Played:
    """Play the steps in a HOME of their own; the first turn starts, later turns answer."""
    home = root / name / "home"
    (home / ".okx").mkdir(parents=True)
    log = CallLog(root / name / "calls.jsonl")
    monkeypatch.setenv("OKX_SIM_LOG", str(log.path))
    sim = Simulator(sim_cli, home, log)
    if config is not None:
        sim.write_config(config)
    conv = Conversation(sim)
    codes: set[str] = set()
    questions: list[str | None] = []
    for index, step in enumerate(steps):
        if isinstance(step, Browser):
            sim.browser(step.action)
            continue
        if index == 0 or answers == "message":
            conv.start(step.text, **(step.extra or {}))
        else:
            conv.reply(step.text)
        questions.append(conv.interrupt["kind"] if conv.interrupt else None)
        code = _user_code(sim)
        if code:
            codes.add(code)

    def masked(text: str) -> str:
        text = re.sub(r"\.\d{8}-\d{6}\.bak", ".<time>.bak", text.replace(str(home), "<home>"))
        for code in codes:
            text = text.replace(code, "<code>")
        return text

    transcript = [
        (type(message).__name__, masked(text_of(message)))
        for message in conv.messages
        if isinstance(message, AIMessage | HumanMessage)
    ]
    return Played(transcript, questions, conv.outcome, preflight_pairs(log.argvs()))


def preflight_pairs(calls: list[list[str]]) -> list[list[str]]:
    """Step 0's side-by-side commands in one order (they run in any).

    Each run of consecutive `config show` / `auth status` / `--version` calls
    is sorted: the preflight's calls may follow the done-check's `auth status`
    in any order.
    """
    reads = (CONFIG_SHOW, STATUS, VERSION)
    out: list[list[str]] = []
    run: list[list[str]] = []
    for argv in [*calls, []]:
        if argv in reads:
            run.append(argv)
            continue
        out.extend(sorted(run))
        run = []
        if argv:
            out.append(argv)
    return out


def assert_same_both_ways(
    sim_cli: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    steps: Sequence[Step], config: str | None = None,
) -> Played:
    """The scenario reads, asks, ends and calls the CLI the same whichever way it is answered."""
    resumed = play(sim_cli, tmp_path, monkeypatch, "resume", steps, answers="resume",
                   config=config)
    typed = play(sim_cli, tmp_path, monkeypatch, "message", steps, answers="message",
                 config=config)
    assert typed == resumed
    human = [text for kind, text in typed.transcript if kind == "HumanMessage"]
    assert human == [step.text for step in steps if isinstance(step, Say)]
    return typed


def test_menu_and_done_wait_answered_by_messages(
    sim_cli: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    played = assert_same_both_ways(
        sim_cli, tmp_path, monkeypatch, [Say("帮我登录 OKX"), Say("2"), Browser("approve"),
                                          Say("好了")],
    )
    assert played.questions == ["site_choice", "authorization_done", None]
    assert played.transcript[1] == ("AIMessage", site_menu())
    assert played.transcript[-1] == (
        "AIMessage", render("success", "zh", site="eea", scopes="live:read, live:trade")
    )
    assert played.outcome == {"status": "logged_in", "site": "eea",
                              "scopes": ["live:read", "live:trade"]}
    logins = [argv for argv in played.calls if argv[:2] == ["auth", "login"]]
    assert logins == [["auth", "login", "--manual", "--site", "eea"]]


def test_non_answers_ask_again_and_not_yet_waits(
    sim_cli: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    played = assert_same_both_ways(
        sim_cli, tmp_path, monkeypatch,
        [Say("log me in"), Say("hello"), Say("log me in"), Say("1"), Say("what now?"),
         Say("done"), Browser("approve"), Say("done")],
    )
    assert played.questions == [
        "site_choice", "site_choice", "site_choice", "authorization_done",
        "authorization_done", "authorization_done", None,
    ]
    menus = [text for kind, text in played.transcript if text == site_menu()]
    assert len(menus) == 3
    assert ("AIMessage", render("not_yet", "en")) in played.transcript
    assert played.outcome is not None
    assert played.outcome["status"] == "logged_in"


def test_cancel_at_the_menu_by_message(
    sim_cli: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    played = assert_same_both_ways(
        sim_cli, tmp_path, monkeypatch, [Say("log me in"), Say("cancel")],
    )
    assert played.outcome == {"status": "cancelled"}
    assert [argv for argv in played.calls if argv[:2] == ["auth", "login"]] == []


def test_retry_question_answered_by_message(
    sim_cli: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    played = assert_same_both_ways(
        sim_cli, tmp_path, monkeypatch,
        [Say("log me in"), Say("2"), Browser("deny"), Say("done"), Say("perhaps"), Say("yes"),
         Say("3"), Browser("approve"), Say("done")],
    )
    assert played.questions == [
        "site_choice", "authorization_done", "retry_login", "retry_login", "site_choice",
        "authorization_done", None,
    ]
    logins = [argv[-1] for argv in played.calls if argv[:2] == ["auth", "login"]]
    assert logins == ["eea", "us"]
    assert played.outcome is not None
    assert played.outcome["site"] == "us"


@pytest.mark.parametrize("answers", [["yes"], ["maybe", "no"]])
def test_removal_question_answered_by_message(
    sim_cli: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: list[str]
) -> None:
    steps = [Say("remove it", {"okx_auth_request": {"action": "remove"}}),
             *map(Say, answers)]
    played = assert_same_both_ways(sim_cli, tmp_path, monkeypatch, steps)
    removed = [argv for argv in played.calls if argv[:2] == ["auth", "remove"]]
    assert bool(removed) == (answers == ["yes"])
    assert played.questions[-1] is None


def test_api_key_remedy_and_profile_removal_answered_by_messages(
    sim_cli: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recover = {"action": "recover", "error": REJECTED_KEY,
               "command": ["account", "balance"]}
    played = assert_same_both_ways(
        sim_cli, tmp_path, monkeypatch,
        [Say("balance failed", {"okx_auth_request": recover}), Say("which?"), Say("2"),
         Say("yes"), Say("1"), Browser("approve"), Say("done")],
        config=KEYED_EEA_CONFIG,
    )
    assert played.questions == [
        "api_key_remedy", "api_key_remedy", "confirm_remove", "site_choice",
        "authorization_done", None,
    ]
    assert played.outcome is not None
    assert played.outcome["status"] == "logged_in"
    assert ["auth", "login", "--manual", "--site", "global"] in played.calls


def test_a_site_typed_before_any_menu_is_no_choice(sim: Simulator, call_log: CallLog) -> None:
    """The gate still needs this conversation's menu: "2" as a first message is a login request."""
    conv = Conversation(sim)
    assert conv.start("2") == [site_menu()]
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "site_choice"
    assert call_log.logins() == []


@pytest.mark.parametrize(
    "resume",
    [2, "2", {"type": "response", "args": "2"}, [{"type": "response", "args": "2"}], ["2"]],
)
def test_every_resume_form_answers_like_the_text(
    sim: Simulator, call_log: CallLog, resume: object
) -> None:
    conv = Conversation(sim)
    conv.start("log me in")
    conv.reply(resume)
    assert conv.human_texts() == ["log me in", "2"]
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "authorization_done"
    assert ["auth", "login", "--manual", "--site", "eea"] in call_log.argvs()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_inbox_ignore_cancels(sim: Simulator, call_log: CallLog, language: str) -> None:
    conv = Conversation(sim)
    conv.start("帮我登录" if language == "zh" else "log me in")
    assert conv.reply({"type": "ignore", "args": None}) == [
        render("login_cancelled", "zh" if language == "zh" else "en")
    ]
    assert conv.human_texts()[-1] == ("取消" if language == "zh" else "cancel")
    assert conv.outcome == {"status": "cancelled"}
    assert call_log.logins() == []


@pytest.mark.parametrize("resume", [{"type": "accept", "args": None}, {"args": "2"}, []])
def test_other_resume_shapes_are_no_answer(
    sim: Simulator, call_log: CallLog, resume: object
) -> None:
    conv = Conversation(sim)
    conv.start("log me in")
    assert conv.reply(resume) == [NOT_A_CHOICE["en"], site_menu()]
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "site_choice"
    assert call_log.logins() == []
