"""The LangChain tools: names, schemas, and the ok/error dicts they return."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import BaseTool
from pydantic import ValidationError

from okx_auth_graph.okx import (
    ErrorKind,
    LoginClearance,
    OkxError,
    OkxFailure,
    OkxSettings,
    action_of,
)
from okx_auth_graph.okx.interactive import InteractiveLogin, blocking_login
from okx_auth_graph.tools import failure_payload, make_okx_tools

from .helpers import PLANTED_API_KEY, PLANTED_SECRETS, ScriptWriter
from .test_models import CONFIG_JSON, STATUS_JSON

TOOL_NAMES = [
    "okx_config_show",
    "okx_auth_status",
    "okx_auth_logout",
    "okx_auth_install",
    "okx_auth_install_status",
    "okx_auth_remove",
]

def _tools(cli: Path | str, **extra: Any) -> dict[str, BaseTool]:
    return {tool.name: tool for tool in make_okx_tools(OkxSettings(okx_cli=str(cli), **extra))}


def _invoke(tool: BaseTool, args: dict[str, Any] | None = None) -> dict[str, Any]:
    result = tool.invoke(args or {})
    assert isinstance(result, dict)
    return result


def _recording_cli(scripts: ScriptWriter, argv_file: Path, stdout: str, code: int = 0) -> Path:
    """A python fake CLI that records its argv and prints `stdout`."""
    return scripts.py(
        "import json, sys\n"
        f"open({str(argv_file)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        f"sys.stdout.write({stdout!r})\n"
        f"sys.exit({code})\n"
    )


# ---------------------------------------------------------------- shape


def test_six_tools_with_expected_names_and_no_login(tmp_path: Path) -> None:
    tools = make_okx_tools(OkxSettings(okx_cli=str(tmp_path / "okx")))
    assert [tool.name for tool in tools] == TOOL_NAMES
    assert all(tool.description.strip() for tool in tools)


def test_args_schemas(tmp_path: Path) -> None:
    tools = _tools(tmp_path / "okx")
    for name in (
        "okx_config_show",
        "okx_auth_status",
        "okx_auth_logout",
        "okx_auth_install",
        "okx_auth_install_status",
    ):
        assert tools[name].args == {}, name
    force = tools["okx_auth_remove"].args["force"]
    assert force["type"] == "boolean"
    assert force["default"] is False


def test_no_tool_runs_a_login_whatever_it_is_given(scripts: ScriptWriter, tmp_path: Path) -> None:
    """A login's site is the user's reply to the menu: no tool takes one from a model."""
    argv_file = tmp_path / "argv"
    cli = _recording_cli(scripts, argv_file, "{}")
    for tool in make_okx_tools(OkxSettings(okx_cli=str(cli))):
        for args in ({}, {"site": "us"}, {"force": True}):
            try:
                tool.invoke(args)
            except ValidationError:
                continue
            assert "login" not in json.loads(argv_file.read_text()), tool.name


# ---------------------------------------------------------------- success


def test_config_show_tool_holds_no_secret(scripts: ScriptWriter, tmp_path: Path) -> None:
    argv_file = tmp_path / "argv"
    result = _invoke(_tools(_recording_cli(scripts, argv_file, CONFIG_JSON))["okx_config_show"])
    assert result["ok"] is True
    assert result["default_profile"] == "main"
    assert [p["name"] for p in result["profiles"]] == ["main", "other"]
    assert result["profiles"][0]["api_key_masked"] == "***" + PLANTED_API_KEY[-4:]
    assert result["profiles"][0]["site"] == "eea"
    assert result["profiles"][1]["api_key_masked"] is None
    dumped = json.dumps(result)
    for secret in PLANTED_SECRETS:
        assert secret not in dumped
    assert json.loads(argv_file.read_text()) == ["config", "show", "--json"]


def test_auth_status_tool_keeps_only_site_and_scopes(scripts: ScriptWriter, tmp_path: Path) -> None:
    cli = _recording_cli(scripts, tmp_path / "argv", STATUS_JSON)
    result = _invoke(_tools(cli)["okx_auth_status"])
    assert result == {
        "ok": True,
        "status": "logged_in",
        "site": "global",
        "scopes": ["live:read", "live:trade"],
    }


def test_text_tools(scripts: ScriptWriter, tmp_path: Path) -> None:
    argv_file = tmp_path / "argv"
    cli = _recording_cli(scripts, argv_file, "Logged out.\n  Client kept.\n")
    tools = _tools(cli)
    assert _invoke(tools["okx_auth_logout"]) == {"ok": True, "message": "Logged out. Client kept."}
    assert json.loads(argv_file.read_text()) == ["auth", "logout"]
    assert _invoke(tools["okx_auth_remove"])["ok"] is True
    assert json.loads(argv_file.read_text()) == ["auth", "remove"]
    assert _invoke(tools["okx_auth_remove"], {"force": True})["ok"] is True
    assert json.loads(argv_file.read_text()) == ["auth", "remove", "--force"]


def test_install_tools(scripts: ScriptWriter, tmp_path: Path) -> None:
    argv_file = tmp_path / "argv"
    tools = _tools(_recording_cli(scripts, argv_file, '{"status":"installed","version":"0.4"}'))
    assert _invoke(tools["okx_auth_install"]) == {
        "ok": True,
        "status": "installed",
        "version": "0.4",
        "message": None,
    }
    assert json.loads(argv_file.read_text()) == ["auth", "install", "--json"]
    tools = _tools(_recording_cli(scripts, argv_file, '{"installed":true,"upToDate":false}'))
    assert _invoke(tools["okx_auth_install_status"]) == {
        "ok": True,
        "installed": True,
        "version": None,
        "latest": None,
        "up_to_date": False,
    }
    assert json.loads(argv_file.read_text()) == ["auth", "install-status", "--json"]


def test_tools_without_settings_use_okx_cli_env(
    scripts: ScriptWriter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = {tool.name: tool for tool in make_okx_tools()}
    cli = _recording_cli(scripts, tmp_path / "argv", '{"status": "pending", "site": "us"}')
    monkeypatch.setenv("OKX_CLI", str(cli))
    assert _invoke(tools["okx_auth_status"]) == {
        "ok": True,
        "status": "pending",
        "site": "us",
        "scopes": [],
    }


def test_tools_run_with_the_user_home(scripts: ScriptWriter, tmp_path: Path) -> None:
    home = tmp_path / "home-a"
    home.mkdir()
    cli = scripts.sh('printf "HOME is %s" "$HOME"\n')
    result = _invoke(_tools(cli, okx_home=str(home))["okx_auth_logout"])
    assert result == {"ok": True, "message": f"HOME is {home}"}


# ---------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("stderr", "kind"),
    [
        ("Session expired — run okx auth login again", "session_expired"),
        ("Error: Failed to spawn okx-auth: spawn /x ENOENT", "spawn_failed"),
        ("Unknown command: auth status", "cli_too_old"),
        ("Installation failed: All CDN sources failed", "install_cdn_failed"),
    ],
)
def test_failure_dicts(scripts: ScriptWriter, stderr: str, kind: ErrorKind) -> None:
    cli = scripts.sh(f"echo '{stderr}' >&2\nexit 1\n")
    for name in ("okx_auth_status", "okx_auth_install", "okx_auth_logout"):
        result = _invoke(_tools(cli)[name])
        assert result == {
            "ok": False,
            "error": kind,
            "action": action_of(kind),
            "message": stderr.removeprefix("Error: "),
        }, name


def test_malformed_output_dict(scripts: ScriptWriter) -> None:
    result = _invoke(_tools(scripts.sh("echo '%%% not json'\n"))["okx_auth_status"])
    assert result["ok"] is False
    assert result["error"] == "malformed_output"
    assert "%%%" not in result["message"]


def test_config_failure_dict_holds_no_secret(scripts: ScriptWriter, tmp_path: Path) -> None:
    cli = _recording_cli(scripts, tmp_path / "argv", CONFIG_JSON, code=1)
    result = _invoke(_tools(cli)["okx_config_show"])
    assert result["ok"] is False
    dumped = json.dumps(result)
    for secret in PLANTED_SECRETS:
        assert secret not in dumped


def test_missing_cli_is_a_failure_dict(tmp_path: Path) -> None:
    result = _invoke(_tools(tmp_path / "missing-okx")["okx_auth_status"])
    assert result["ok"] is False
    assert result["error"] == "cli_not_found"
    assert 'npm install -g "@okx_ai/okx-trade-cli@>=1.3.1-beta.17"' in result["action"]
    assert 'npm install -g "@okx_ai/okx-trade-cli@>=1.3.1-beta.17"' in result["message"]


def test_unstartable_cli_is_a_failure_dict(scripts: ScriptWriter) -> None:
    # The tools promise never to raise for a CLI failure; a broken install
    # (interpreter missing) must still come back as a dict.
    broken = scripts.write("#!/nonexistent/node\nconsole.log('x')\n")
    result = _invoke(_tools(broken)["okx_auth_status"])
    assert result["ok"] is False


def test_timeout_is_a_failure_dict(scripts: ScriptWriter) -> None:
    cli = scripts.sh("sleep 30\n")
    result = _invoke(_tools(cli, timeout=0.5)["okx_auth_status"])
    assert result["ok"] is False
    assert result["error"] == "timeout"


def test_failure_payload_shape() -> None:
    error = OkxError(OkxFailure(kind="no_config", detail="No config found.", command=[]))
    assert failure_payload(error) == {
        "ok": False,
        "error": "no_config",
        "action": "Run okx config init",
        "message": "No config found.",
    }


# -------------------------------------------------- blocking login (the graph runs it, no tool)


@pytest.mark.parametrize("on_the_loop", [False, True], ids=["run", "arun"])
def test_blocking_login_collects_lines(
    scripts: ScriptWriter, tmp_path: Path, on_the_loop: bool
) -> None:
    argv_file = tmp_path / "argv"
    cli = scripts.py(
        "import json, sys, time\n"
        f"open({str(argv_file)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        "print('Open https://app.okx.com/device and enter WXYZ-0001', flush=True)\n"
        "time.sleep(0.2)\n"
        "print('access_token=TOKEN-SECRET-VALUE-77aa stored', flush=True)\n"
        "print('Logged in successfully!', flush=True)\n"
    )
    lines: list[str] = []
    call = blocking_login(LoginClearance("us"), OkxSettings(okx_cli=str(cli)), lines.append)
    login = asyncio.run(call.arun()) if on_the_loop else call.run()
    assert login == InteractiveLogin("logged_in")
    assert lines == [
        "Open https://app.okx.com/device and enter WXYZ-0001",
        "access_token=*** stored",
        "Logged in successfully!",
    ]
    assert json.loads(argv_file.read_text()) == ["auth", "login", "--site", "us"]


def test_blocking_login_failure(scripts: ScriptWriter) -> None:
    cli = scripts.sh(
        "echo 'Waiting for authorization...'\necho 'Login failed: Access denied' >&2\nexit 1\n"
    )
    with pytest.raises(OkxError) as failed:
        blocking_login(LoginClearance("eea"), OkxSettings(okx_cli=str(cli)), print).run()
    result = failure_payload(failed.value)
    assert result["ok"] is False
    assert result["error"] == "access_denied"
    assert result["action"] == action_of("access_denied")
    assert result["message"] == "Login failed: Access denied"


def test_blocking_login_missing_cli(tmp_path: Path) -> None:
    with pytest.raises(OkxError) as failed:
        blocking_login(LoginClearance("global"), OkxSettings(okx_cli=str(tmp_path / "nope")),
                       print).run()
    result = failure_payload(failed.value)
    assert result["ok"] is False
    assert result["error"] == "cli_not_found"
