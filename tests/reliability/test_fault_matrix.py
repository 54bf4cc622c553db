"""Every okx command the graph runs, under every way the CLI can fail.

One row per command (reached through the entry and the answers that make the
graph run it), one column per `okx-sim` fault scoped to that command, plus
the CLI missing altogether. Each cell plays the conversation up to the
command with the fault armed and checks that the run ends with a clear
message in the user's language and a sensible `okx_auth.status` (or carries
on normally when the fault cannot matter: a slow answer, noise from a command
whose text is not parsed, a hidden okx-auth binary for a command that does not
spawn it, any failure of the `okx --version` the drift check reads), that no
exception left the graph and no okx process outlived its call. Then the
fault is taken away and the same thread is asked again: the command must now
work, so no failure leaves a thread stuck.

Hangs use a short context timeout so the matrix stays fast; the kill is the
runner's own (the whole process group), which is what the orphan check
proves.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psutil
import pytest
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph.context import AuthContext
from okx_auth_graph.okx import CliResult, CliRunner, OkxSettings, run_okx
from okx_auth_graph.prompts import Language, format_scopes, render
from okx_auth_graph.prompts.phrases import PHRASES
from okx_auth_graph.skill import site_menu
from okx_auth_graph.state import OkxAuthRequest
from okx_sim.binary import AUTH_BINARY_VERSION
from tests.expected import SCOPES, visible
from tests.reliability.report import recorder
from tests.reliability.scenarios import (
    CODE,
    KEYED_AND_SPARE_CONFIG,
    MATRIX_COMMANDS,
    MENU,
    NO_SUCH_CLI,
    REMEDY,
    REMOVE,
    RETRY,
    Chat,
    Turn,
    approve,
    approve_when_shown,
    beside,
    recover,
)
from tests.support import CallLog, Simulator

HANG_SECONDS = 1.0
"""The context timeout of a hang cell: ample for a healthy call, short for the matrix.

Only the turn that runs the command has it (the fault is armed at the question
before), so a slow machine can at worst time out a neighbour of the command in
the same turn, which ends the same way."""
EXIT1_STDERR = "Error: the okx service answered 503, try later"
SPAWN_ERROR = "Error: Failed to spawn okx-auth: spawn /home/u/.okx/bin/okx-auth ENOENT"
RETRIED = ("auth", "logout")
"""An auth command: the repair retries it as the graph's own (any other is never run)."""

# ---------------------------------------------------------------- the faults


@dataclass(frozen=True)
class Fault:
    """A column of the matrix: how the CLI misbehaves."""

    name: str
    env: str | None
    """`OKX_SIM_FAULT`; None for the missing CLI (the context points nowhere)."""


FAULTS = (
    Fault("missing-cli", None),
    Fault("binary-missing", "binary_missing"),
    Fault("exit1", f"exit1:{EXIT1_STDERR}"),
    Fault("garbage", "garbage"),
    Fault("truncated", "truncated"),
    Fault("empty", "empty"),
    Fault("non-utf8", "nonutf8"),
    Fault("huge", "huge"),
    Fault("hang", "hang"),
    Fault("slow", "slow:0.3"),
)
NOISE = frozenset({"garbage", "truncated", "empty", "non-utf8", "huge"})
"""Faults that print the wrong thing and exit 0."""

# ---------------------------------------------------------------- what a cell must show


@dataclass
class Pass:
    """One request on the thread: what the graph posted and where it stopped."""

    chat: Chat
    posted: list[str]
    language: Language
    fault: Fault | None
    """The fault this pass ran under; None for the retry."""

    @property
    def last(self) -> str:
        """The text the user read last."""
        assert self.posted, "the graph posted nothing"
        return self.posted[-1]

    def kind(self) -> str | None:
        """The open interrupt's kind, or None when the run ended."""
        interrupt = self.chat.interrupt
        return None if interrupt is None else str(interrupt["kind"])


Success = Callable[[Pass], None]
"""What a pass that ran the command without a fault shows."""


def at_menu(done: Pass) -> None:
    """The Step 0.1 menu is up."""
    assert done.kind() == MENU
    assert done.last == site_menu()


def code_shown(done: Pass) -> None:
    """Waiting for "done", with this login's code or the notice of a pending one."""
    interrupt = done.chat.interrupt
    assert interrupt is not None
    assert interrupt["kind"] == CODE
    if interrupt["user_code"]:
        assert interrupt["user_code"] in done.last
    else:
        assert done.last == render("pending_without_code", done.language)


def logged_in(done: Pass) -> None:
    """The success template for the EEA session."""
    assert done.kind() is None
    scopes = format_scopes(SCOPES)
    assert done.last == render("success", done.language, site="eea", scopes=scopes)
    outcome = done.chat.outcome or {}
    assert (outcome.get("status"), outcome.get("site")) == ("logged_in", "eea")


def logged_out(done: Pass) -> None:
    """The logout report."""
    assert done.kind() is None
    assert done.last == render("logged_out", done.language)
    assert done.chat.outcome == {"status": "not_logged_in"}


def installed(done: Pass) -> None:
    """The install report (already current, or installed because it was hidden)."""
    assert done.kind() is None
    assert done.last in {
        render(phrase, done.language, version=AUTH_BINARY_VERSION)
        for phrase in ("binary_up_to_date", "binary_installed")
    }
    assert done.chat.outcome is None


def install_status(done: Pass) -> None:
    """The install-status report; a hidden binary is reported missing, which it is."""
    hidden = done.fault is not None and done.fault.name == "binary-missing"
    phrase = "binary_status_missing" if hidden else "binary_status_ok"
    assert done.kind() is None
    assert done.last == render(phrase, done.language, version=AUTH_BINARY_VERSION)
    assert done.chat.outcome is None


def removed(done: Pass) -> None:
    """The binary is gone, as the user confirmed."""
    assert done.kind() is None
    assert done.last == render("removed", done.language)
    assert done.chat.outcome is None


def switched_then_menu(done: Pass) -> None:
    """The keyed profile is gone, the spare is the default, the OAuth login starts."""
    assert render("default_switched", done.language, other="spare") in done.posted
    at_menu(done)


def only_the_menu(done: Pass) -> None:
    """The Step 0.1 menu is up, and nothing came before it (no drift warning either)."""
    at_menu(done)
    assert done.posted == [site_menu()]


def switched_or_menu(done: Pass) -> None:
    """A retry after the switch: the OAuth login starts at the menu."""
    at_menu(done)


def command_retried(done: Pass) -> None:
    """The repair ran the failed command again and it worked."""
    assert done.kind() is None
    assert done.last == render("retried_command", done.language, command=" ".join(RETRIED))
    assert done.chat.outcome == {"status": "not_logged_in"}


# ---------------------------------------------------------------- the rows


@dataclass(frozen=True)
class Probe:
    """A row of the matrix: one command and the conversation that makes the graph run it."""

    command: str
    """The command, as `MATRIX_COMMANDS` names it."""
    situation: str
    """Where in the procedure it runs (a command can run at more than one point)."""
    scope: str
    """`OKX_SIM_FAULT_ON`: the words the fault is limited to."""
    texts: tuple[str, str]
    """What the user says first, in Chinese and in English."""
    success: Success
    retried: Success
    """What the retry on the same thread shows once the fault is gone."""
    request: OkxAuthRequest | None = None
    config: str = ""
    answers: tuple[tuple[str, Turn], ...] = ()
    """The user's answer to each kind of question on the way."""
    arm_at: str | None = None
    """The question at which the fault is armed (its answer makes the command run)."""
    stop_at: str | None = None
    """The question at which the command's success is visible; None: the end of the run."""
    parses_output: bool = True
    """False for commands whose text is not read (exit 0 is trusted)."""
    spawns_okx_auth: bool = False
    """Whether the command runs the okx-auth binary (so `binary_missing` breaks it)."""
    ignores_failure: bool = False
    """Whether the graph goes on as if the command had not run when it fails (the drift
    check's `okx --version`): every fault of its own then shows its success."""
    interactive: bool = False

    @property
    def name(self) -> str:
        """The row's name in test ids."""
        return f"{self.command} ({self.situation})"

    def answer(self, kind: str) -> Turn:
        """The user's answer to a question of this kind."""
        return dict(self.answers)[kind]


LOGIN = ("帮我登录", "log me in")
ON_THE_MENU = ((MENU, Turn("2")),)
TO_THE_END = ((MENU, Turn("2")), (CODE, Turn("done", approve)))


PROBES = (
    Probe("config show --json", "Step 0", "config show", LOGIN, at_menu, at_menu,
          stop_at=MENU),
    Probe("auth status --json", "Step 0", "auth status", LOGIN, at_menu, at_menu,
          stop_at=MENU, spawns_okx_auth=True),
    Probe("--version", "a thread's first Step 0", "--version", LOGIN, only_the_menu,
          only_the_menu, stop_at=MENU, ignores_failure=True),
    Probe("auth status --json", "the done check", "auth status", LOGIN, logged_in, logged_in,
          answers=TO_THE_END, arm_at=CODE, spawns_okx_auth=True),
    Probe("auth login --manual --site S", "after the menu", "auth login", LOGIN, code_shown,
          code_shown, answers=ON_THE_MENU, arm_at=MENU, stop_at=CODE, spawns_okx_auth=True),
    Probe("auth login --site S", "interactive login", "auth login", LOGIN, logged_in,
          logged_in, answers=((MENU, Turn("2", during=approve_when_shown)),), arm_at=MENU,
          spawns_okx_auth=True, interactive=True),
    Probe("auth logout", "logout entry", "auth logout", ("退出登录", "log me out"), logged_out,
          logged_out, request={"action": "logout"}, parses_output=False, spawns_okx_auth=True),
    Probe("auth install --json", "install entry", "auth install", ("安装认证", "install auth"),
          installed, installed, request={"action": "install"}),
    Probe("auth install-status --json", "install_status entry", "auth install-status",
          ("认证组件状态", "is okx-auth installed?"), install_status, install_status,
          request={"action": "install_status"}),
    Probe("auth remove --force", "remove entry, confirmed", "auth remove",
          ("卸载认证", "remove okx-auth"), removed, removed, request={"action": "remove"},
          answers=((REMOVE, Turn("yes")),), arm_at=REMOVE, parses_output=False),
    Probe("config use P", "switching a rejected key to OAuth", "config use",
          ("查余额失败", "balance failed"), switched_then_menu, switched_or_menu,
          request=recover("Invalid Sign"), config=KEYED_AND_SPARE_CONFIG,
          answers=((REMEDY, Turn("2")), (REMOVE, Turn("yes"))), arm_at=REMOVE, stop_at=MENU,
          parses_output=False),
    Probe("auth logout", "retried after the okx-auth repair", "auth logout",
          ("认证失败", "auth failed"), command_retried, command_retried,
          request=recover(SPAWN_ERROR, RETRIED), parses_output=False, spawns_okx_auth=True),
)


# ---------------------------------------------------------------- playing a cell


def phrase_pattern(phrase: str, language: Language) -> str:
    """A regular expression for `phrase` in `language`, whatever its fields hold."""
    pieces = re.split(r"<[A-Za-z][A-Za-z/0-9]*>", PHRASES[phrase][language])
    return "(?s:.+?)".join(re.escape(piece) for piece in pieces)


def assert_phrase(text: str, phrase: str, language: Language, then: str = "") -> None:
    """`text` reads as `phrase` in `language` (followed by `then`), whatever its fields say."""
    pattern = phrase_pattern(phrase, language) + re.escape(then)
    assert re.fullmatch(pattern, visible(text)), (phrase, text)


def assert_failure(done: Pass, status: str, phrase: str, detail: str | None = None) -> None:
    """The run ended on the failure's message, in the user's language."""
    assert done.kind() is None
    if detail is None:
        assert_phrase(done.last, phrase, done.language)
    else:
        assert done.last == render(phrase, done.language, detail=detail)
    assert done.chat.outcome == {"status": status, "message": done.last}


def check_under_fault(probe: Probe, fault: Fault, done: Pass) -> None:
    """What this cell must show: the failure's message, or the command's own success."""
    if fault.name == "missing-cli":
        assert done.kind() is None
        assert done.last == render("failure_cli_not_found", done.language)
        assert done.chat.outcome == {"status": "needs_user_action", "message": done.last}
    elif probe.ignores_failure:
        probe.success(done)
    elif fault.name == "hang" and probe.interactive:
        # The blocking login's own budget ran out: it offers a new attempt.
        assert done.kind() == RETRY
        retry = render("retry_question", done.language)
        assert_phrase(done.last, "login_wait_timeout", done.language, then=f"\n{retry}")
        assert done.chat.outcome is None
    elif fault.name == "hang":
        assert_failure(done, "error", "failure_timeout")
    elif fault.name == "exit1":
        # The user reads the message, without the CLI's `Error:` label.
        assert_failure(done, "error", "failure_unknown", EXIT1_STDERR.removeprefix("Error: "))
    elif fault.name in NOISE and probe.parses_output:
        assert_failure(done, "error", "failure_malformed_output")
    elif fault.name == "binary-missing" and probe.spawns_okx_auth:
        assert_failure(done, "needs_user_action", "failure_spawn_failed")
    else:
        probe.success(done)


def context_for(sim: Simulator, probe: Probe, fault: Fault | None) -> AuthContext:
    """The context of a turn: the simulator's HOME, and a short budget for a hang.

    The executable is `$OKX_CLI` (the cell's graph is built without one), which
    `arm` points at nothing for the missing CLI."""
    mode: Literal["manual", "interactive"] = "interactive" if probe.interactive else "manual"
    context = AuthContext(okx_home=str(sim.home), login_mode=mode)
    if fault is not None and fault.name == "hang":
        return dataclasses.replace(
            context, timeout_seconds=HANG_SECONDS, login_timeout_seconds=HANG_SECONDS
        )
    return context


def arm(chat: Chat, sim: Simulator, probe: Probe, fault: Fault, env: pytest.MonkeyPatch) -> None:
    """From now on the command misbehaves."""
    if fault.env is not None:
        env.setenv("OKX_SIM_FAULT", fault.env)
        env.setenv("OKX_SIM_FAULT_ON", probe.scope)
    if fault.name == "missing-cli":
        env.setenv("OKX_CLI", NO_SUCH_CLI)
    chat.context = context_for(sim, probe, fault)


def converse(
    chat: Chat,
    sim: Simulator,
    probe: Probe,
    language: Language,
    armed: Callable[[], None] | None,
) -> list[str]:
    """One request: the first message, then the probe's answers until it stops.

    `armed` (if given) is called when the probe's arming question is open,
    right before the answer that makes the graph run the command.
    """
    text = probe.texts[0] if language == "zh" else probe.texts[1]
    posted = chat.start(text, probe.request)
    for _ in range(len(probe.answers) + 2):
        interrupt = chat.interrupt
        if interrupt is None or interrupt["kind"] == probe.stop_at:
            break
        kind = str(interrupt["kind"])
        if kind not in dict(probe.answers):
            break
        if armed is not None and kind == probe.arm_at:
            armed()
        turn = probe.answer(kind)
        if turn.before is not None:
            turn.before(sim)
        with beside(sim, turn.during):
            posted += chat.reply(turn.reply)
    return posted


def strays(home: Path) -> list[str]:
    """okx processes left behind: our children (zombies too), or anything with this HOME."""
    found: list[str] = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.name() == "okx-sim":  # a script's process name, even once it exited
                found.append(f"child {child.pid}: okx-sim, {child.status()}")
        except psutil.Error:
            continue
    for process in psutil.process_iter():
        try:
            if process.environ().get("HOME") == str(home):
                found.append(f"process {process.pid} with HOME={home}: {process.cmdline()}")
        except psutil.Error:
            continue
    return found


def budget_capped(chat_context: Callable[[], AuthContext]) -> CliRunner:
    """`run_okx`, with no command allowed longer than the current context's timeout.

    `auth install` has a three-minute download budget of its own; in a hang
    cell the context's short timeout applies to it too, so the cell costs
    seconds. The process is still run, timed out and killed by `run_okx`.
    """

    def run(args: Sequence[str], settings: OkxSettings) -> CliResult:
        limit = chat_context().timeout_seconds
        return run_okx(args, dataclasses.replace(settings, timeout=min(settings.timeout, limit)))

    return run


@dataclass
class Tally:
    """Cells that passed, for the module's figure."""

    ran: int = 0
    passed: int = 0


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    """Count the cells that passed; report the matrix after the last one."""
    counted = Tally()
    yield counted
    recorder(request)(
        f"{len(PROBES)} rows ({len(MATRIX_COMMANDS)} commands) x {len(FAULTS)} faults = "
        f"{len(PROBES) * len(FAULTS)} cells; "
        f"{counted.ran} ran, {counted.ran - counted.passed} failed"
    )


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.name)
def test_cell(
    probe: Probe,
    fault: Fault,
    sim: Simulator,
    call_log: CallLog,
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    tally.ran += 1
    monkeypatch.setenv("OKX_CLI", sim.path)
    language: Language = "zh" if (PROBES.index(probe) + FAULTS.index(fault)) % 2 == 0 else "en"
    sim.write_config(probe.config)
    chat = Chat(
        InMemorySaver(), context_for(sim, probe, None),
        runner=budget_capped(lambda: chat.context), thread_id="cell",
    )
    since = len(call_log.argvs())

    with monkeypatch.context() as env:

        def armed() -> None:
            arm(chat, sim, probe, fault, env)

        if probe.arm_at is None:
            armed()
        posted = converse(chat, sim, probe, language, armed if probe.arm_at else None)
        faulted = Pass(chat, posted, language, fault)
        check_under_fault(probe, fault, faulted)
    assert strays(sim.home) == []
    if fault.env is not None:
        ran = [argv for argv in call_log.argvs()[since:] if " ".join(argv).startswith(probe.scope)]
        assert ran, f"the graph never ran {probe.scope!r}: the cell tested nothing"

    chat.context = context_for(sim, probe, None)
    if chat.interrupt is not None:
        # A question still open takes the next message as its answer: the user
        # drops it first, so the retry is a new request on the same thread.
        chat.reply("取消" if language == "zh" else "cancel")
        assert chat.interrupt is None
    retry = Pass(chat, converse(chat, sim, probe, language, None), language, None)
    probe.retried(retry)
    assert strays(sim.home) == []
    tally.passed += 1


def test_every_command_the_graph_runs_has_a_row() -> None:
    """The catalogue sweep checks the graph runs exactly `MATRIX_COMMANDS`; each is a row."""
    assert {probe.command for probe in PROBES} == set(MATRIX_COMMANDS)


def test_the_orphan_check_sees_a_stray(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hanging okx, then its unreaped corpse, are reported: so an empty report means something."""
    monkeypatch.setenv("OKX_SIM_FAULT", "hang")
    env = {**os.environ, "HOME": str(sim.home)}
    stray = subprocess.Popen([sim.path, "auth", "status", "--json"], env=env)
    try:
        assert any(str(stray.pid) in line for line in strays(sim.home))
        stray.kill()
        assert any(str(stray.pid) in line for line in strays(sim.home))
    finally:
        stray.kill()
        stray.wait()
    assert strays(sim.home) == []
