"""The shared preflight's version drift check, run by a thread's first Step 0.

OKX's other skills run a shared preflight before they send a user here; its
third step compares `okx --version` with the skill's version and, when a
stable CLI is ahead, warns once per session. The graph runs that call beside
Step 0's two in the thread's first Step 0 only, posts the warning before
anything else of that turn, and never lets it change a step: the menu, the
gate, the templates and the outcome are what they are without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver

from okx_auth_graph import build_auth_graph
from okx_auth_graph.graph import AuthGraph
from okx_auth_graph.okx import CliResult, OkxError, OkxFailure, OkxSettings
from okx_auth_graph.okx.runner import timeout_error
from okx_auth_graph.prompts import Language, render
from okx_auth_graph.replies import text_of
from okx_sim.inprocess import (
    arun_in_process,
    arun_in_process_streaming,
    run_in_process,
    run_in_process_streaming,
)
from tests.expected import FIRST_STEP_0, SCOPES, SEED_MENU, STATUS, TR_MENU, VERSION
from tests.graph.test_scenarios import (
    PREFLIGHT,
    PREFLIGHT_AGAIN,
    assert_calls,
    login_argv,
    login_text,
    menu_payload,
    sim_user_code,
    success_text,
)
from tests.support import CallLog, Conversation, Simulator, cli_options

pytestmark = pytest.mark.usefixtures("durability")

WARNING: dict[Language, str] = {
    "en": (
        "⚠️ CLI version is ahead of this skill. Some new commands may not be documented here. "
        "Consider refreshing your skill."
    ),
    "zh": "⚠️ CLI 版本比此技能新,部分新命令可能未在此记录。建议更新您的技能。",
}
"""The shared preflight's words (skills/_shared/preflight.md, step 3), and their Chinese."""


def test_the_warning_is_the_shared_preflights_own_words() -> None:
    assert {language: render("cli_ahead_of_skill", language) for language in WARNING} == WARNING


@pytest.mark.parametrize(("request_text", "language"), [("log me in", "en"), ("帮我登录", "zh")])
def test_a_cli_ahead_of_the_skill_is_warned_of_once_and_the_login_goes_on(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch,
    request_text: str, language: Language,
) -> None:
    monkeypatch.setenv("OKX_SIM_VERSION", "1.3.3")
    conv = Conversation(sim)

    posted = conv.start(request_text)
    assert posted == [WARNING[language], SEED_MENU]  # before the step's own message
    assert conv.interrupt == menu_payload(f"{WARNING[language]}\n\n{SEED_MENU}")
    assert_calls(call_log.argvs(), PREFLIGHT)

    posted = conv.reply("2")  # the gate reads the menu as ever: the warning is not part of it
    assert posted == [login_text(language, "eea", sim_user_code(sim))]
    sim.browser("approve")
    assert conv.reply("done") == [success_text(language, "eea")]
    assert conv.outcome is not None
    assert (conv.outcome["status"], conv.outcome["site"]) == ("logged_in", "eea")

    # A second request in the same thread: Step 0 again, but no second check or warning.
    assert conv.start(request_text) == [success_text(language, "eea")]
    assert_calls(
        call_log.argvs(), PREFLIGHT, login_argv("eea"), STATUS,
        PREFLIGHT_AGAIN,
    )
    warned = [text for text in map(text_of, conv.messages) if text == WARNING[language]]
    assert warned == [WARNING[language]]


def test_a_retry_goes_through_step_0_again_without_a_second_check(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_VERSION", "2.0.0")
    conv = Conversation(sim)
    assert conv.start("log me in") == [WARNING["en"], SEED_MENU]
    conv.reply("1")
    sim.browser("deny")
    conv.reply("done")
    assert conv.reply("yes") == [SEED_MENU]  # Step 0 again, then the menu: no warning
    assert_calls(
        call_log.argvs(), PREFLIGHT, login_argv("global"), STATUS,
        PREFLIGHT_AGAIN,
    )


def test_a_new_thread_checks_again(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_VERSION", "1.4.0 (88fac29)")  # as the real CLI prints it
    assert Conversation(sim, thread_id="one").start("log me in") == [WARNING["en"], SEED_MENU]
    assert Conversation(sim, thread_id="two").start("log me in") == [WARNING["en"], SEED_MENU]
    assert call_log.argvs().count(VERSION) == 2


@pytest.mark.parametrize(
    "version", ["1.3.3-beta.17", "9.0.0-rc.1", "1.3.2", "1.3.1", "1.2.4", "1.3.1-sim"],
    ids=["pre-release", "far-ahead-pre-release", "equal", "behind", "old", "default"],
)
def test_no_warning_unless_a_stable_cli_is_ahead(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    monkeypatch.setenv("OKX_SIM_VERSION", version)
    conv = Conversation(sim)
    assert conv.start("log me in") == [SEED_MENU]
    assert conv.interrupt == menu_payload(SEED_MENU)
    assert sorted(call_log.argvs()) == FIRST_STEP_0


def tr_graph(checkpointer: BaseCheckpointSaver[str], okx_cli: str) -> AuthGraph:
    """The auth graph following skill 1.3.9."""
    return build_auth_graph(checkpointer, skill="1.3.9", **cli_options(okx_cli))


@pytest.mark.parametrize(("version", "warned"), [("1.3.5", False), ("1.3.9", False),
                                                 ("1.3.10", True), ("1.4.0", True)])
def test_under_1_3_9_the_pinned_version_is_1_3_9(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, version: str, warned: bool
) -> None:
    monkeypatch.setenv("OKX_SIM_VERSION", version)
    posted = Conversation(sim, build=tr_graph).start("帮我登录")
    assert posted == ([WARNING["zh"]] if warned else []) + [TR_MENU]


# ---------------------------------------------------------------- a --version that fails


Answer = Callable[[Sequence[str], OkxSettings], CliResult]


@dataclass
class BrokenVersion:
    """The in-process simulator, except that `okx --version` answers as `answer` does."""

    answer: Answer
    asked: list[tuple[str, ...]] = field(default_factory=list)

    def run(self, args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        if tuple(args) == tuple(VERSION):
            self.asked.append(tuple(args))
            return self.answer(args, settings)
        return run_in_process(args, settings)

    async def arun(self, args: Sequence[str], settings: OkxSettings, /) -> CliResult:
        if tuple(args) == tuple(VERSION):
            self.asked.append(tuple(args))
            return self.answer(args, settings)
        return await arun_in_process(args, settings)

    def graph(self, checkpointer: BaseCheckpointSaver[str], _okx_cli: str) -> AuthGraph:
        return build_auth_graph(
            checkpointer, runner=self.run, streaming_runner=run_in_process_streaming,
            arunner=self.arun, astreaming_runner=arun_in_process_streaming,
        )


def _exits(code: int, stdout: str) -> Answer:
    return lambda args, _settings: CliResult(tuple(args), code, stdout, "Error: no", 0.0)


def _times_out(args: Sequence[str], settings: OkxSettings) -> CliResult:
    raise timeout_error(args, settings.timeout)


def _is_missing(_args: Sequence[str], _settings: OkxSettings) -> CliResult:
    raise OkxError(OkxFailure(kind="cli_not_found", detail="not found", command=[]))


@pytest.mark.parametrize(
    "answer",
    [_exits(1, ""), _exits(0, "okx-trade-cli, latest and greatest\n"), _exits(0, ""),
     _exits(0, "\x00\xff garbage"), _times_out, _is_missing],
    ids=["exit-status", "garbled", "empty", "binary", "timeout", "missing"],
)
def test_a_version_that_fails_says_nothing_and_the_login_goes_on(
    sim: Simulator, call_log: CallLog, answer: Answer
) -> None:
    broken = BrokenVersion(answer)
    conv = Conversation(sim, build=broken.graph)

    assert conv.start("log me in") == [SEED_MENU]
    assert conv.interrupt == menu_payload(SEED_MENU)
    posted = conv.reply("3")
    assert posted == [login_text("en", "us", sim_user_code(sim))]
    sim.browser("approve")
    assert conv.reply("done") == [success_text("en", "us")]
    assert conv.outcome == {"status": "logged_in", "site": "us", "scopes": SCOPES}
    assert conv.start("log me in") == [success_text("en", "us")]  # and it is not asked again
    assert broken.asked == [tuple(VERSION)]
    # The simulator saw the rest: Step 0's two calls, the login, the done-check, Step 0's two.
    assert_calls(call_log.argvs(), PREFLIGHT_AGAIN, login_argv("us"), STATUS, PREFLIGHT_AGAIN)


def test_the_console_script_plays_a_cli_ahead_of_the_skill(
    sim_path: str, okx_home: Path, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`okx-sim` as a process, its version set as a user's shell would: the same warning."""
    monkeypatch.setenv("OKX_SIM_VERSION", "1.3.3")
    conv = Conversation(Simulator(sim_path, okx_home, call_log))
    assert conv.start("帮我登录") == [WARNING["zh"], SEED_MENU]
    assert_calls(call_log.argvs(), PREFLIGHT)
