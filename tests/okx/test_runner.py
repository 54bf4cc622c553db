"""The process boundary: resolution, environment, argv, timeouts, streaming, logging."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Protocol

import pytest

from okx_auth_graph.okx import (
    INSTALL_COMMAND,
    CliResult,
    CliRunner,
    OkxError,
    OkxSettings,
    action_of,
    arun_okx,
    arun_okx_streaming,
    resolve_executable,
    run_okx,
    run_okx_streaming,
)
from okx_auth_graph.okx.runner import (
    MAX_OUTPUT_BYTES,
    LineCallback,
    TickCallback,
    redact_argv,
)

from .helpers import ScriptWriter, hanging_group_body, pid_gone, read_pids, wait_until_gone

ECHO_ARGV = "import json, sys\nprint(json.dumps(sys.argv[1:]))\n"


# ---------------------------------------------------------------- resolution


def _named(scripts: ScriptWriter, word: str) -> Path:
    return scripts.sh(f"echo {word}\n")


def _path_dir(tmp_path: Path, word: str) -> Path:
    directory = tmp_path / f"path-{word}"
    directory.mkdir()
    ScriptWriter(directory).sh(f"echo {word}\n", name="okx")
    return directory


def test_explicit_setting_wins(
    scripts: ScriptWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explicit = _named(scripts, "explicit")
    monkeypatch.setenv("OKX_CLI", str(_named(scripts, "env")))
    monkeypatch.setenv("PATH", str(_path_dir(tmp_path, "path")))
    result = run_okx([], OkxSettings(okx_cli=str(explicit)))
    assert result.stdout == "explicit\n"
    assert resolve_executable(str(explicit)) == str(explicit)


def test_env_is_read_at_call_time(
    scripts: ScriptWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(_path_dir(tmp_path, "path")))
    settings = OkxSettings()
    monkeypatch.setenv("OKX_CLI", str(_named(scripts, "env-one")))
    assert run_okx([], settings).stdout == "env-one\n"
    monkeypatch.setenv("OKX_CLI", str(_named(scripts, "env-two")))
    assert run_okx([], settings).stdout == "env-two\n"


@pytest.mark.integration  # runs an `okx` found on PATH
def test_path_is_the_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = _path_dir(tmp_path, "from-path")
    monkeypatch.setenv("PATH", str(directory))
    assert resolve_executable() == str(directory / "okx")
    assert run_okx([], OkxSettings()).stdout == "from-path\n"


@pytest.mark.integration  # runs an `okx` found on PATH
def test_empty_env_falls_through_to_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(_path_dir(tmp_path, "from-path")))
    monkeypatch.setenv("OKX_CLI", "")
    assert run_okx([], OkxSettings()).stdout == "from-path\n"


def test_env_name_is_looked_up_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "named"
    directory.mkdir()
    ScriptWriter(directory).sh("echo named\n", name="my-okx")
    monkeypatch.setenv("PATH", str(directory))
    monkeypatch.setenv("OKX_CLI", "my-okx")
    assert resolve_executable() == str(directory / "my-okx")


def test_not_found_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(OkxError) as caught:
        run_okx(["auth", "status", "--json"], OkxSettings())
    assert caught.value.kind == "cli_not_found"
    assert INSTALL_COMMAND in str(caught.value)
    assert INSTALL_COMMAND in caught.value.failure["detail"]
    assert INSTALL_COMMAND in action_of(caught.value.failure["kind"])


def test_explicit_missing_does_not_fall_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(_path_dir(tmp_path, "from-path")))
    missing = tmp_path / "nope" / "okx"
    with pytest.raises(OkxError) as caught:
        run_okx([], OkxSettings(okx_cli=str(missing)))
    assert caught.value.kind == "cli_not_found"
    assert str(missing) in caught.value.failure["detail"]


def test_non_executable_file_is_not_found(tmp_path: Path) -> None:
    plain = tmp_path / "okx"
    plain.write_text("#!/bin/sh\necho hi\n", encoding="utf-8")
    with pytest.raises(OkxError) as caught:
        run_okx([], OkxSettings(okx_cli=str(plain)))
    assert caught.value.kind == "cli_not_found"


def _run_either(use_async: bool, args: list[str], settings: OkxSettings) -> CliResult:
    if use_async:
        return asyncio.run(arun_okx(args, settings))
    return run_okx(args, settings)


@pytest.mark.parametrize("use_async", [False, True], ids=["run_okx", "arun_okx"])
def test_unstartable_executable_is_an_okx_error(scripts: ScriptWriter, use_async: bool) -> None:
    # Executable bit set, but its interpreter does not exist (a broken install):
    # the OS refuses to start it. That must surface as an OkxError, not an OSError.
    broken = scripts.write("#!/nonexistent/node\nconsole.log('x')\n")
    settings = OkxSettings(okx_cli=str(broken))
    with pytest.raises(OkxError) as caught:
        _run_either(use_async, ["config", "show", "--json"], settings)
    assert caught.value.kind == "cli_not_found"


@pytest.mark.parametrize("use_async", [False, True], ids=["run_okx", "arun_okx"])
def test_the_cli_inherits_only_the_files_it_is_told_to_hold(
    scripts: ScriptWriter, tmp_path: Path, use_async: bool
) -> None:
    """`holds` (the login lock) stays open in the child; any other open file does not."""
    cli = scripts.py("import os, sys\nprint(*(os.path.exists(f'/proc/self/fd/{fd}') "
                     "for fd in sys.argv[1:]))\n")
    held = os.open(tmp_path / "held", os.O_RDWR | os.O_CREAT, 0o600)
    other = os.open(tmp_path / "other", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.set_inheritable(other, True)  # inheritable, yet not passed on
        settings = OkxSettings(okx_cli=str(cli), holds=(held,))
        result = _run_either(use_async, [str(held), str(other)], settings)
        plain = _run_either(use_async, [str(held)], OkxSettings(okx_cli=str(cli)))
    finally:
        os.close(held)
        os.close(other)
    assert result.stdout.split() == ["True", "False"]
    assert plain.stdout.split() == ["False"]


# ---------------------------------------------------------------- environment and argv


def test_home_override_is_seen_by_the_child(scripts: ScriptWriter, tmp_path: Path) -> None:
    home = tmp_path / "user-home"
    home.mkdir()
    cli = scripts.sh('printf "%s" "$HOME"\n')
    assert run_okx([], OkxSettings(okx_cli=str(cli), okx_home=str(home))).stdout == str(home)


def test_home_is_inherited_without_override(
    scripts: ScriptWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("OKX_SITE", "visible")  # one of the variables the CLI gets
    cli = scripts.sh('printf "%s|%s" "$HOME" "$OKX_SITE"\n')
    assert run_okx([], OkxSettings(okx_cli=str(cli))).stdout == f"{tmp_path}|visible"


def test_explicit_env_mapping_is_used_verbatim(scripts: ScriptWriter, tmp_path: Path) -> None:
    cli = scripts.sh('printf "%s|%s" "$HOME" "$ONLY_THIS"\n')
    result = run_okx(
        [], OkxSettings(okx_cli=str(cli), okx_home=str(tmp_path)), env={"ONLY_THIS": "yes"}
    )
    assert result.stdout == "|yes"


ODD_ARGS = [
    "1; rm -rf ~",
    "$(touch pwned)",
    "`touch pwned2`",
    "*",
    "",
    "a b\tc\nd",
    "--site=us && echo hacked",
    "ünïcødé 登录",
    "'\"",
]


def test_arguments_reach_the_child_verbatim(
    scripts: ScriptWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = scripts.py(ECHO_ARGV)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    result = run_okx(ODD_ARGS, OkxSettings(okx_cli=str(cli)))
    assert json.loads(result.stdout) == ODD_ARGS
    assert result.command == tuple(ODD_ARGS)
    assert list(workdir.iterdir()) == []  # nothing was run by a shell


async def test_async_arguments_reach_the_child_verbatim(scripts: ScriptWriter) -> None:
    cli = scripts.py(ECHO_ARGV)
    result = await arun_okx(ODD_ARGS, OkxSettings(okx_cli=str(cli)))
    assert json.loads(result.stdout) == ODD_ARGS


def test_streaming_arguments_reach_the_child_verbatim(scripts: ScriptWriter) -> None:
    cli = scripts.py(ECHO_ARGV)
    lines: list[str] = []
    run_okx_streaming(ODD_ARGS, OkxSettings(okx_cli=str(cli)), lines.append)
    assert [json.loads(line) for line in lines] == [ODD_ARGS]


def test_stdin_is_closed(scripts: ScriptWriter) -> None:
    cli = scripts.py("import sys\nprint(repr(sys.stdin.read()))\n")
    assert run_okx([], OkxSettings(okx_cli=str(cli))).stdout == "''\n"


# ---------------------------------------------------------------- results


def test_cli_result_fields_and_repr(scripts: ScriptWriter) -> None:
    cli = scripts.sh(
        'echo "STDOUT-SECRET-Zq81 $1"\necho "STDERR-NOTE-Kp02" >&2\nsleep 0.05\nexit 3\n'
    )
    result = run_okx(["config", "show"], OkxSettings(okx_cli=str(cli)))
    assert result.returncode == 3
    assert result.stdout == "STDOUT-SECRET-Zq81 config\n"
    assert result.stderr == "STDERR-NOTE-Kp02\n"
    assert result.command == ("config", "show")
    assert 0.05 <= result.duration < 5
    shown = repr(result)
    assert "STDOUT-SECRET-Zq81" not in shown
    assert "STDERR-NOTE-Kp02" not in shown
    assert "returncode=3" in shown


async def test_async_result_fields(scripts: ScriptWriter) -> None:
    cli = scripts.sh("echo out\necho err >&2\nexit 4\n")
    result = await arun_okx(["auth", "logout"], OkxSettings(okx_cli=str(cli)))
    assert (result.returncode, result.stdout, result.stderr) == (4, "out\n", "err\n")
    assert result.command == ("auth", "logout")
    assert result.duration > 0


def test_run_okx_is_a_cli_runner() -> None:
    runner: CliRunner = run_okx
    assert callable(runner)


def test_non_utf8_output_is_replaced(scripts: ScriptWriter) -> None:
    cli = scripts.sh("printf '\\377\\376ok\\n'\nprintf 'bad \\200 err' >&2\n")
    result = run_okx([], OkxSettings(okx_cli=str(cli)))
    assert result.stdout == "\ufffd\ufffdok\n"
    assert result.stderr == "bad \ufffd err"


async def test_async_non_utf8_output_is_replaced(scripts: ScriptWriter) -> None:
    cli = scripts.sh("printf '\\377ok'\n")
    assert (await arun_okx([], OkxSettings(okx_cli=str(cli)))).stdout == "\ufffdok"


def test_output_beyond_the_limit_is_cut(scripts: ScriptWriter) -> None:
    cli = scripts.sh(
        "head -c 2000000 /dev/zero | tr '\\0' a\nhead -c 1500000 /dev/zero | tr '\\0' b >&2\n"
    )
    result = run_okx([], OkxSettings(okx_cli=str(cli)))
    assert result.returncode == 0
    assert len(result.stdout) == MAX_OUTPUT_BYTES
    assert set(result.stdout) == {"a"}
    assert len(result.stderr) == MAX_OUTPUT_BYTES


async def test_async_output_beyond_the_limit_is_cut(scripts: ScriptWriter) -> None:
    cli = scripts.sh("head -c 2000000 /dev/zero | tr '\\0' a\n")
    result = await arun_okx([], OkxSettings(okx_cli=str(cli)))
    assert len(result.stdout) == MAX_OUTPUT_BYTES


# ---------------------------------------------------------------- timeouts


def test_pid_helpers_see_a_live_process() -> None:
    # The kill checks below would pass vacuously if a live pid looked gone.
    assert not pid_gone(os.getpid())
    assert wait_until_gone([os.getpid()], within=0.1) == [os.getpid()]


def test_timeout_kills_the_whole_group(scripts: ScriptWriter, tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    cli = scripts.sh(hanging_group_body(pid_file))
    start = time.monotonic()
    with pytest.raises(OkxError) as caught:
        run_okx(["auth", "status", "--json"], OkxSettings(okx_cli=str(cli), timeout=1))
    elapsed = time.monotonic() - start
    assert caught.value.kind == "timeout"
    assert caught.value.failure["command"] == ["auth", "status", "--json"]
    assert 1 <= elapsed < 3
    pids = read_pids(pid_file)
    assert len(pids) == 3
    assert wait_until_gone(pids) == []


def test_timeout_with_output_still_raises(scripts: ScriptWriter, tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    cli = scripts.sh(hanging_group_body(pid_file, before="echo partial\n"))
    with pytest.raises(OkxError) as caught:
        run_okx([], OkxSettings(okx_cli=str(cli), timeout=0.5))
    assert caught.value.kind == "timeout"
    assert "0.5 seconds" in caught.value.failure["detail"]
    assert wait_until_gone(read_pids(pid_file)) == []


async def test_async_timeout_kills_the_whole_group(scripts: ScriptWriter, tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    cli = scripts.sh(hanging_group_body(pid_file))
    start = time.monotonic()
    with pytest.raises(OkxError) as caught:
        await arun_okx(["auth", "status", "--json"], OkxSettings(okx_cli=str(cli), timeout=1))
    elapsed = time.monotonic() - start
    assert caught.value.kind == "timeout"
    assert 1 <= elapsed < 3
    pids = read_pids(pid_file)
    assert len(pids) == 3
    assert wait_until_gone(pids) == []


async def started_group(pid_file: Path) -> list[int]:
    """The pids a hanging script wrote, waited for on the event loop (so the call runs on)."""
    deadline = time.monotonic() + 5
    while not (pid_file.exists() and pid_file.read_text().endswith("\n")):
        assert time.monotonic() < deadline, "the script never started"
        await asyncio.sleep(0.02)
    return read_pids(pid_file)


async def test_cancelling_the_task_kills_the_whole_group(
    scripts: ScriptWriter, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pids"
    cli = scripts.sh(hanging_group_body(pid_file))
    task = asyncio.create_task(arun_okx([], OkxSettings(okx_cli=str(cli), timeout=60)))
    pids = await started_group(pid_file)
    task.cancel()
    start = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < 2
    assert wait_until_gone(pids) == []


@pytest.mark.parametrize("runner", ["arun_okx", "arun_okx_streaming"])
async def test_a_task_cancelled_again_and_again_still_reaps_its_cli_before_it_ends(
    scripts: ScriptWriter, tmp_path: Path, runner: str
) -> None:
    """A cancel delivered while the killed CLI is being reaped must not leave its zombie behind."""
    pid_file = tmp_path / "pids"
    cli = scripts.sh(hanging_group_body(pid_file))
    settings = OkxSettings(okx_cli=str(cli), timeout=60)
    call = (
        arun_okx([], settings) if runner == "arun_okx"
        else arun_okx_streaming([], settings, lambda _line: None)
    )
    task = asyncio.create_task(call)
    leader = (await started_group(pid_file))[0]
    while not task.done():  # cancelled again on every turn of the loop, until it ends
        task.cancel()
        await asyncio.sleep(0)
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(ProcessLookupError):  # reaped, not a zombie: nothing left to signal
        os.kill(leader, 0)


# ---------------------------------------------------------------- streaming


class Streaming(Protocol):
    def __call__(
        self,
        args: list[str],
        settings: OkxSettings,
        on_line: LineCallback,
        on_tick: TickCallback | None = None,
        tick_seconds: float = 1.0,
    ) -> CliResult: ...


@pytest.fixture(params=[
    "run_okx_streaming",
    # The OS finds the executable as the async runner starts it: even a missing one is a spawn.
    pytest.param("arun_okx_streaming", marks=pytest.mark.integration),
])
def stream(request: pytest.FixtureRequest) -> Streaming:
    """The streaming runner, or its async twin run to its end on an event loop of its own."""
    if request.param == "run_okx_streaming":
        return run_okx_streaming

    def on_a_loop(
        args: list[str],
        settings: OkxSettings,
        on_line: LineCallback,
        on_tick: TickCallback | None = None,
        tick_seconds: float = 1.0,
    ) -> CliResult:
        return asyncio.run(arun_okx_streaming(args, settings, on_line, on_tick, tick_seconds))

    return on_a_loop


def test_streaming_delivers_lines_live_and_ticks(scripts: ScriptWriter, stream: Streaming) -> None:
    cli = scripts.sh("echo first\nsleep 1.5\necho second\necho note >&2\n")
    arrivals: list[tuple[str, float]] = []
    ticks: list[float] = []
    start = time.monotonic()
    result = stream(
        ["auth", "login", "--site", "us"],
        OkxSettings(okx_cli=str(cli)),
        lambda line: arrivals.append((line, time.monotonic())),
        on_tick=ticks.append,
        tick_seconds=0.2,
    )
    end = time.monotonic()
    assert [line for line, _ in arrivals] == ["first", "second"]
    first_at, second_at = arrivals[0][1], arrivals[1][1]
    assert first_at - start < 1.0
    assert second_at - first_at >= 1.2
    assert end - first_at >= 1.2
    assert len(ticks) >= 3
    assert ticks == sorted(ticks)
    assert all(0 < tick < end - start + 0.1 for tick in ticks)
    assert result.returncode == 0
    assert result.stdout == "first\nsecond\n"
    assert result.stderr == "note\n"
    assert result.command == ("auth", "login", "--site", "us")


def test_streaming_without_tick_callback(scripts: ScriptWriter, stream: Streaming) -> None:
    cli = scripts.sh("sleep 0.3\necho done\nexit 2\n")
    lines: list[str] = []
    result = stream([], OkxSettings(okx_cli=str(cli)), lines.append, tick_seconds=0.05)
    assert lines == ["done"]
    assert result.returncode == 2


def test_streaming_timeout_kills_the_group(
    scripts: ScriptWriter, tmp_path: Path, stream: Streaming
) -> None:
    pid_file = tmp_path / "pids"
    cli = scripts.sh(hanging_group_body(pid_file, before="echo started\n"))
    lines: list[str] = []
    start = time.monotonic()
    with pytest.raises(OkxError) as caught:
        stream(
            ["auth", "login"],
            OkxSettings(okx_cli=str(cli), timeout=1),
            lines.append,
            tick_seconds=0.2,
        )
    assert caught.value.kind == "timeout"
    assert time.monotonic() - start < 3
    assert lines == ["started"]
    pids = read_pids(pid_file)
    assert len(pids) == 3
    assert wait_until_gone(pids) == []


def test_streaming_timeout_holds_after_stdout_closes(
    scripts: ScriptWriter, tmp_path: Path, stream: Streaming
) -> None:
    # The CLI closes stdout but keeps running: the timeout must still apply.
    pid_file = tmp_path / "pids"
    cli = scripts.sh(f'echo started\nexec 1>&-\necho "$$" > "{pid_file}"\nsleep 5\n')
    lines: list[str] = []
    start = time.monotonic()
    with pytest.raises(OkxError) as caught:
        stream([], OkxSettings(okx_cli=str(cli), timeout=1), lines.append)
    assert time.monotonic() - start < 3
    assert caught.value.kind == "timeout"
    assert wait_until_gone(read_pids(pid_file)) == []


def test_streaming_callback_error_kills_the_group(
    scripts: ScriptWriter, tmp_path: Path, stream: Streaming
) -> None:
    pid_file = tmp_path / "pids"
    cli = scripts.sh(hanging_group_body(pid_file, before="echo boom\n"))

    def explode(line: str) -> None:
        read_pids(pid_file)
        raise RuntimeError(f"callback failed on {line}")

    with pytest.raises(RuntimeError, match="callback failed on boom"):
        stream([], OkxSettings(okx_cli=str(cli), timeout=30), explode)
    assert wait_until_gone(read_pids(pid_file)) == []


def test_streaming_non_utf8_and_limit(scripts: ScriptWriter, stream: Streaming) -> None:
    cli = scripts.sh("printf '\\377ok\\r\\n'\nhead -c 1100000 /dev/zero | tr '\\0' z\n")
    lines: list[str] = []
    result = stream([], OkxSettings(okx_cli=str(cli)), lines.append)
    assert lines[0] == "\ufffdok"
    assert len(result.stdout) == MAX_OUTPUT_BYTES
    assert result.stdout.startswith("\ufffdok\r\nzzz")


def test_streaming_not_found(tmp_path: Path, stream: Streaming) -> None:
    with pytest.raises(OkxError) as caught:
        stream([], OkxSettings(okx_cli=str(tmp_path / "missing")), print)
    assert caught.value.kind == "cli_not_found"


async def test_cancelling_a_streaming_task_kills_the_whole_group(
    scripts: ScriptWriter, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pids"
    cli = scripts.sh(hanging_group_body(pid_file, before="echo started\n"))
    lines: list[str] = []
    task = asyncio.create_task(
        arun_okx_streaming([], OkxSettings(okx_cli=str(cli), timeout=60), lines.append)
    )
    pids = await started_group(pid_file)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert lines == ["started"]
    assert wait_until_gone(pids) == []


# ---------------------------------------------------------------- logging


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["config", "init", "--api-key", "K1"], ["config", "init", "--api-key", "***"]),
        (
            ["--secret-key", "S", "--passphrase", "P", "--site", "us"],
            ["--secret-key", "***", "--passphrase", "***", "--site", "us"],
        ),
        (["auth", "status", "--json"], ["auth", "status", "--json"]),
        (["--api-key"], ["--api-key"]),
    ],
)
def test_redact_argv(args: list[str], shown: list[str]) -> None:
    assert redact_argv(args) == shown


def test_debug_log_redacts_arguments_and_omits_output(
    scripts: ScriptWriter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cli = scripts.sh('echo "STDOUT-PAYLOAD-Hx77"\necho "STDERR-PAYLOAD-Jy88" >&2\n')
    args = ["config", "init", "--api-key", "APIKEY-VALUE-0123", "--passphrase", "PP-VALUE-4567"]
    run_okx(args, OkxSettings(okx_cli=str(cli)))
    messages = [record.getMessage() for record in caplog.records]
    assert any("okx config init --api-key *** --passphrase *** exited 0" in m for m in messages), (
        messages
    )
    for text in [*messages, caplog.text]:
        for hidden in ("APIKEY-VALUE-0123", "PP-VALUE-4567", "STDOUT-PAYLOAD", "STDERR-PAYLOAD"):
            assert hidden not in text


async def test_async_debug_log(scripts: ScriptWriter, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    cli = scripts.sh('echo "STDOUT-PAYLOAD-Hx77"\n')
    await arun_okx(["auth", "status", "--json"], OkxSettings(okx_cli=str(cli)))
    messages = [record.getMessage() for record in caplog.records]
    assert any("okx auth status --json exited 0" in m for m in messages)
    assert "STDOUT-PAYLOAD-Hx77" not in caplog.text
