"""`okx-auth-graph chat`, driven through its stdin like a person at the keyboard.

Input is piped, so the chat echoes each line after its prompt and draws no
spinner: stdout is exactly the transcript. Each test gets its own database
(and so its own simulated HOME); the simulator's call log shows which okx
commands the conversation really ran.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
from pathlib import Path

import pytest

from okx_auth_graph.apps.demo import run_simulator
from okx_auth_graph.prompts import render
from okx_auth_graph.skill import site_menu
from tests.apps.conftest import (
    SCRIPT,
    THREAD,
    RunChat,
    indented,
    login_template,
    shown_codes,
    success_template,
)
from tests.expected import FIRST_STEP_0, STATUS
from tests.support import CallLog, okx_sim_processes

LOGIN_EEA = ["auth", "login", "--manual", "--site", "eea"]
BLOCKING_LOGIN_EEA = ["auth", "login", "--site", "eea"]
LOGGED_IN = (
    '[okx_auth] {"status": "logged_in", "site": "eea", "scopes": ["live:read", "live:trade"]}'
)


def test_simulated_chat_logs_in_through_stdin(
    run_chat: RunChat, call_log: CallLog, chat_db: Path
) -> None:
    done = run_chat("--simulate", "--thread", THREAD,
                    lines=["log me in", "2", "/approve", "done"])

    assert done.returncode == 0, done.stderr
    transcript = done.stdout
    (code,) = set(shown_codes(transcript))
    assert indented(site_menu()) in transcript
    assert f"you> 2\n\nassistant:\n    {login_template('eea', code)}" in transcript
    assert f"(browser: approved {code})" in transcript
    assert success_template("eea") in transcript
    assert LOGGED_IN in transcript
    assert f"continue it with:\n{continue_command(chat_db)}\n" in transcript
    argvs = call_log.argvs()
    assert argvs.count(LOGIN_EEA) == 1
    assert argvs[argvs.index(LOGIN_EEA) + 1:] == [STATUS]  # after the code: one check, no polling


def test_quitting_mid_login_and_resuming_the_thread_finishes_it(
    run_chat: RunChat, call_log: CallLog, simulated_home: Path
) -> None:
    first = run_chat("--simulate", "--thread", THREAD, lines=["log me in", "2"])

    assert first.returncode == 0, first.stderr
    (code,) = shown_codes(first.stdout)
    assert f"continue it with:\n{SCRIPT} chat --simulate" in first.stdout
    assert LOGGED_IN not in first.stdout

    second = run_chat("--simulate", "--thread", THREAD, lines=["/approve", "done"])

    assert second.returncode == 0, second.stderr
    assert "Ask to log in" not in second.stdout  # no greeting: the conversation goes on
    assert second.stdout.startswith(
        f"(continuing thread t1, simulated okx (HOME {simulated_home}); the question still open:)"
    )
    assert login_template("eea", code) in second.stdout  # the same code: no second login
    assert f"(browser: approved {code})" in second.stdout
    assert success_template("eea") in second.stdout
    assert LOGGED_IN in second.stdout
    assert call_log.argvs().count(LOGIN_EEA) == 1

    third = run_chat("--simulate", "--thread", THREAD)  # the request has ended: say how

    assert third.returncode == 0, third.stderr
    assert third.stdout.startswith(
        f"(continuing thread t1, simulated okx (HOME {simulated_home}); "
        f"its last request has ended:)\n\nassistant:\n    {success_template('eea')}\n\n"
        f"{LOGGED_IN}\nyou> "
    )


def test_an_interactive_login_streams_the_cli_and_the_browser_acts_while_it_waits(
    run_chat: RunChat, call_log: CallLog
) -> None:
    done = run_chat("--simulate", "--login", "interactive", "--thread", THREAD,
                    lines=["log me in", "2", "/approve"])

    assert done.returncode == 0, done.stderr
    (code,) = shown_codes(done.stdout)
    waiting = done.stdout.index(f"  okx | Enter code: {code}\n  okx | Waiting for authorization...")
    # the browser acts once the CLI waits; its note and the CLI's next line may come in any order
    assert done.stdout.index(f"(browser: approved {code})") > waiting
    assert done.stdout.index("  okx | Logged in successfully!") > waiting
    assert success_template("eea") in done.stdout
    assert LOGGED_IN in done.stdout
    assert call_log.argvs().count(BLOCKING_LOGIN_EEA) == 1


def test_ctrl_c_during_a_blocking_login_stops_the_cli_and_the_thread_resumes(
    chat_db: Path, simulated_home: Path, run_chat: RunChat
) -> None:
    chat = subprocess.Popen(
        [SCRIPT, "chat", "--simulate", "--login", "interactive", "--db", str(chat_db),
         "--thread", THREAD],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert chat.stdin is not None
        chat.stdin.write(b"log me in\n2\n")
        chat.stdin.flush()
        seen = _read_until(chat, b"Waiting for authorization...")
        chat.send_signal(signal.SIGINT)
        rest, errors = chat.communicate(timeout=60)
    finally:
        chat.kill()

    assert chat.returncode == 130
    assert b"Traceback" not in errors, errors.decode()
    assert b"(stopped) This conversation is saved" in rest
    assert okx_sim_processes(simulated_home) == []
    (stopped_code,) = shown_codes((seen + rest).decode())

    resumed = run_chat("--simulate", "--login", "interactive", "--thread", THREAD,
                       lines=["/approve", "done"])

    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith(
        f"(continuing thread t1, simulated okx (HOME {simulated_home}), "
        "from the step that was cut off)"
    )
    # The stopped login's code is still pending with OKX: Step 0.3 waits for it
    # (the skill's pending branch) instead of minting a second one.
    assert indented(render("pending_without_code", "en")) in resumed.stdout
    assert f"(browser: approved {stopped_code})" in resumed.stdout
    assert LOGGED_IN in resumed.stdout


def test_ctrl_c_at_the_prompt_leaves_cleanly(chat_db: Path) -> None:
    chat = subprocess.Popen(
        [SCRIPT, "chat", "--simulate", "--db", str(chat_db), "--thread", THREAD],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        _read_until(chat, b"you> ")
        chat.send_signal(signal.SIGINT)
        out, errors = chat.communicate(timeout=60)
    finally:
        chat.kill()

    assert chat.returncode == 130
    assert errors == b""
    assert f"continue it with:\n{continue_command(chat_db)}\n" in out.decode()


def test_ctrl_d_at_the_first_prompt_says_how_to_continue(run_chat: RunChat) -> None:
    done = run_chat("--simulate", "--thread", THREAD)

    assert done.returncode == 0
    assert done.stderr == ""
    assert "you> \nThis conversation is saved; continue it with:" in done.stdout


def test_without_the_okx_cli_the_chat_says_so_and_never_uses_the_simulator(
    run_chat: RunChat, call_log: CallLog, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()

    done = run_chat(lines=["log me in"], env={"PATH": str(empty)})

    assert done.returncode == 1
    assert "the okx CLI was not found ('okx')" in done.stderr
    assert 'npm install -g "@okx_ai/okx-trade-cli@>=1.3.1-beta.17"' in done.stderr
    assert "okx-auth-graph chat --simulate" in done.stderr
    assert done.stdout == ""
    assert call_log.entries() == []


def test_a_missing_okx_cli_named_by_okx_cli_is_refused_too(
    run_chat: RunChat, tmp_path: Path
) -> None:
    done = run_chat(env={"OKX_CLI": str(tmp_path / "no-such-okx")})

    assert done.returncode == 1
    assert f"the okx CLI was not found ('{tmp_path / 'no-such-okx'}')" in done.stderr


def test_the_real_cli_mode_runs_okx_and_has_no_browser_commands(
    run_chat: RunChat, sim_path: str, call_log: CallLog, tmp_path: Path
) -> None:
    home = tmp_path / "user-home"  # the okx CLI (here the simulator) runs in the user's HOME
    done = run_chat("--thread", THREAD, lines=["/approve", "log me in"],
                    env={"OKX_CLI": sim_path, "HOME": str(home)})

    assert done.returncode == 0, done.stderr
    assert f"okx CLI {sim_path}" in done.stdout
    assert "/approve plays the simulated browser and works only with --simulate" in done.stdout
    assert indented(site_menu()) in done.stdout
    assert sorted(call_log.argvs()) == FIRST_STEP_0  # in parallel: any order
    assert (home / ".okx").is_dir()


def test_a_simulated_thread_is_not_continued_against_the_real_cli(
    run_chat: RunChat, sim_path: str
) -> None:
    started = run_chat("--simulate", "--thread", THREAD, lines=["log me in"])
    assert started.returncode == 0, started.stderr

    done = run_chat("--thread", THREAD, lines=["2"], env={"OKX_CLI": sim_path})

    assert done.returncode == 1
    assert "thread t1 was started with --simulate" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_arguments_are_named(run_chat: RunChat, chat_db: Path) -> None:
    bad_thread = run_chat("--simulate", "--thread", "../elsewhere")
    bad_language = run_chat("--simulate", "--lang", "fr")
    chat_db.parent.mkdir(parents=True)
    chat_db.write_text("not a database, just text\n" * 100)
    bad_db = run_chat("--simulate", "--thread", THREAD)
    directory_db = run_chat("--simulate", "--db", str(chat_db.parent))

    assert bad_thread.returncode == 2
    assert "'../elsewhere' is not a thread id" in bad_thread.stderr
    assert bad_language.returncode == 2
    assert "invalid choice: 'fr'" in bad_language.stderr
    assert bad_db.returncode == 1
    assert f"cannot use {chat_db} as the chat database" in bad_db.stderr
    assert directory_db.returncode == 1
    assert f"cannot open the chat database {chat_db.parent}" in directory_db.stderr
    for done in (bad_thread, bad_language, bad_db, directory_db):
        assert "Traceback" not in done.stderr


def test_help_lists_the_browser_commands_only_when_simulating(
    run_chat: RunChat, sim_path: str
) -> None:
    simulated = run_chat("--simulate", "--thread", THREAD, lines=["/help", "/nonsense", "/quit"])
    real = run_chat("--thread", "t2", lines=["/help"], env={"OKX_CLI": sim_path})

    assert simulated.returncode == 0
    for command in ("/approve", "/deny", "/expire", "/quit"):
        assert f"  {command}" in simulated.stdout
    assert "unknown command /nonsense; /help lists them" in simulated.stdout
    assert "  /quit" in real.stdout
    assert "  /approve" not in real.stdout


def test_deny_and_expire_end_the_login_with_a_retry_question(run_chat: RunChat) -> None:
    retry = indented(render("expired_ask_retry", "en"))
    denied = run_chat("--simulate", "--thread", THREAD,
                      lines=["log me in", "1", "/deny", "done"])
    expired = run_chat("--simulate", "--thread", "t2",
                       lines=["log me in", "3", "/expire", "done", "no"])

    assert denied.returncode == 0, denied.stderr
    (code,) = set(shown_codes(denied.stdout))
    assert f"you> /deny\n(browser: denied {code})\nyou> done\n\nassistant:\n    {retry}" \
        in denied.stdout
    assert expired.returncode == 0, expired.stderr
    assert "you> /expire\n(browser: a day passes with no answer; any code shown has expired)" \
        f"\nyou> done\n\nassistant:\n    {retry}" in expired.stdout
    assert '[okx_auth] {"status": "not_logged_in"' in expired.stdout
    assert "logged_in" not in denied.stdout.replace("not_logged_in", "")


def test_lang_forces_the_reply_language(run_chat: RunChat) -> None:
    done = run_chat("--simulate", "--lang", "zh", "--thread", THREAD,
                    lines=["Please log me in", "2"])

    assert done.returncode == 0, done.stderr
    (code,) = shown_codes(done.stdout)
    assert login_template("eea", code, "zh") in done.stdout
    assert login_template("eea", code, "en") not in done.stdout


def test_a_chinese_conversation_is_framed_in_chinese(
    run_chat: RunChat, chat_db: Path, simulated_home: Path
) -> None:
    """The chat's own lines follow the conversation's language once it has one."""
    first = run_chat("--simulate", "--thread", THREAD,
                     lines=["帮我登录 OKX", "2", "/help", "/nonsense", "/deny"])
    second = run_chat("--simulate", "--thread", THREAD, lines=[])

    assert first.returncode == 0, first.stderr
    (code,) = shown_codes(first.stdout)
    assert "Ask to log in to OKX" in first.stdout  # the greeting: no language yet
    assert "其余输入都是发给助手的消息。\n  /help     显示这些命令\n" in first.stdout
    assert "  /approve  授权显示的验证码" in first.stdout
    assert "未知命令 /nonsense;/help 列出可用命令" in first.stdout
    assert f"(浏览器:denied {code})" in first.stdout
    assert f"对话已保存;用以下命令继续:\n{continue_command(chat_db)}\n" in first.stdout
    assert "continue it with" not in first.stdout
    assert second.stdout.startswith(
        f"(继续线程 {THREAD},模拟的 okx(HOME {simulated_home});仍在等待回答的问题:)"
    )
    assert login_template("eea", code, "zh") in second.stdout


def test_the_simulated_browser_gets_the_cli_environment_not_the_hosts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/approve` and the demo's clicks run the simulator without the host's secrets."""
    dump = tmp_path / "env"
    fake = tmp_path / "fake-okx-sim"
    fake.write_text(f"#!/bin/sh\nenv > {shlex.quote(str(dump))}\n")
    fake.chmod(0o755)
    for name in ("OKX_AUTH_JWT_SECRET", "OKX_API_KEY", "OKX_SECRET_KEY", "OKX_PASSPHRASE"):
        monkeypatch.setenv(name, "host-secret")
    monkeypatch.setenv("OKX_SIM_FAULT", "none")

    done = run_simulator(str(fake), tmp_path / "home", "browser", "approve")

    assert done.returncode == 0
    env = dict(line.split("=", 1) for line in dump.read_text().splitlines() if "=" in line)
    assert env["HOME"] == str(tmp_path / "home")
    assert env["OKX_SIM_FAULT"] == "none"  # the simulator's own controls pass
    assert "host-secret" not in env.values()


def continue_command(chat_db: Path) -> str:
    """What the chat says to paste: this environment's script by its absolute path."""
    return shlex.join([SCRIPT, "chat", "--simulate", "--db", str(chat_db), "--thread", THREAD])


def _read_until(process: subprocess.Popen[bytes], marker: bytes) -> bytes:
    """Read the process's stdout until `marker` shows up (or it ends: then fail)."""
    assert process.stdout is not None
    seen = b""
    while marker not in seen:
        chunk = os.read(process.stdout.fileno(), 4096)
        assert chunk, f"the chat ended before {marker!r}: {seen.decode()}"
        seen += chunk
    return seen


