"""Contract tests against the real `okx` CLI (npm, pinned 1.2.4) and the simulator.

The shared set runs twice: once against `@okx_ai/okx-trade-cli@1.2.4` installed
from npm into a temp prefix, once against `okx-sim`, so the simulator is held
to the behaviour the okx layer was built on. Version 1.2.4 has no `auth`
command at all; the simulator reproduces that with `OKX_SIM_FAULT=old_cli`.
"""

from __future__ import annotations

import json
import logging
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from benchmarks.real_cli import install as install_real_cli
from okx_auth_graph.context import AuthContext
from okx_auth_graph.examples.trading_agent import build_trading_graph
from okx_auth_graph.okx import (
    INSTALL_COMMAND,
    OAUTH_CLI_VERSION,
    ConfigView,
    LoginClearance,
    OkxError,
    OkxSettings,
    action_of,
    aexecute,
    api_key_profile,
    auth_login_manual,
    auth_status,
    cli_version,
    config_show,
    execute,
    failure_of,
    parse_version,
    run_okx,
    selected_sites,
)
from okx_auth_graph.prompts import Language, render
from okx_auth_graph.replies import text_of
from okx_auth_graph.skill import site_menu
from okx_sim.framing import plant_update_notice
from tests.expected import visible
from tests.graph.test_secrets_in_state import Run, assert_no_secret
from tests.rest_standin import BALANCE, serving
from tests.support import CallLog, Conversation, Simulator
from tests.views import profile

from .helpers import CONFIG_TOML, PLANTED_API_KEY, PLANTED_SECRETS, write_okx_config


@dataclass(frozen=True)
class Cli:
    """One implementation of the okx CLI contract."""

    name: str
    executable: str
    old_cli_env: dict[str, str] = field(default_factory=dict)
    """Environment that makes this CLI behave like one without `auth`."""


@pytest.fixture(scope="session")
def real_okx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the pinned real CLI into a temp prefix; a failed install fails the tests."""
    return install_real_cli(tmp_path_factory.mktemp("okx-real-cli"))


def _simulator() -> str | None:
    return shutil.which("okx-sim", path=str(Path(sys.executable).parent))


@pytest.fixture(params=["real", "sim"])
def cli(request: pytest.FixtureRequest) -> Cli:
    """The real CLI and the simulator, each in turn."""
    if request.param == "real":
        real: Path = request.getfixturevalue("real_okx")
        return Cli("real", str(real))
    sim = _simulator()
    if sim is None:
        pytest.fail(f"okx-sim console script not found beside {sys.executable}")
    return Cli("sim", sim, {"OKX_SIM_FAULT": "old_cli"})


@pytest.fixture
def configured_home(tmp_path: Path) -> Path:
    """A HOME whose `~/.okx/config.toml` holds a keyed profile and a site-only one."""
    home = tmp_path / "home"
    home.mkdir()
    write_okx_config(home)
    return home


@pytest.fixture
def empty_home(tmp_path: Path) -> Path:
    """A HOME without any okx files."""
    home = tmp_path / "empty-home"
    home.mkdir()
    return home


def _assert_parsed(view: ConfigView) -> None:
    assert view["default_profile"] == "main"
    assert view["profiles"] == [
        profile("main", site="eea", demo=True, api_key_masked="***" + PLANTED_API_KEY[-4:]),
        profile("other", site="us", demo=False),
    ]
    assert selected_sites(view) == ["eea", "us"]
    assert api_key_profile(view) == "main"
    assert view["env_api_key_masked"] is None


# ---------------------------------------------------------------- shared contract


def test_raw_config_show_prints_secrets_in_clear(cli: Cli, configured_home: Path) -> None:
    # The premise of the whole redaction design: the CLI itself does not redact.
    result = run_okx(
        ["config", "show", "--json"],
        OkxSettings(okx_cli=cli.executable, okx_home=str(configured_home)),
    )
    assert result.returncode == 0, result.stderr
    for secret in PLANTED_SECRETS:
        assert secret in result.stdout


def test_config_show_parses(cli: Cli, configured_home: Path) -> None:
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(configured_home))
    _assert_parsed(execute(config_show(settings), settings))


async def test_config_show_parses_async(cli: Cli, configured_home: Path) -> None:
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(configured_home))
    _assert_parsed(await aexecute(config_show(settings), settings))


def test_config_show_never_leaks_secrets(
    cli: Cli, configured_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(configured_home))
    view = execute(config_show(settings), settings)
    messages = [record.getMessage() for record in caplog.records]
    assert any("okx config show --json exited 0" in message for message in messages)
    shown = [repr(view), str(view), json.dumps(view), caplog.text, *messages]
    for text in shown:
        for secret in PLANTED_SECRETS:
            assert secret not in text


def test_empty_home_has_no_profiles(cli: Cli, empty_home: Path) -> None:
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(empty_home))
    view = execute(config_show(settings), settings)
    assert view["profiles"] == []
    assert api_key_profile(view) is None
    assert selected_sites(view) == []


def test_config_show_notes_env_api_key(
    cli: Cli, empty_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_API_KEY", "ENV-ONLY-KEY-00001234")
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(empty_home))
    view = execute(config_show(settings), settings)
    assert api_key_profile(view) == "OKX_API_KEY (environment)"
    assert view["env_api_key_masked"] == "***1234"
    assert "ENV-ONLY-KEY-00001234" not in json.dumps(view)


def test_okx_version_reads_as_a_version(cli: Cli, empty_home: Path) -> None:
    # The drift check reads what `okx --version` prints: a version, stable or pre-release.
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(empty_home))
    assert parse_version(execute(cli_version(), settings)) is not None


def test_auth_status_on_a_cli_without_auth_is_too_old(
    cli: Cli, configured_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in cli.old_cli_env.items():
        monkeypatch.setenv(name, value)
    settings = OkxSettings(okx_cli=cli.executable, okx_home=str(configured_home))
    with pytest.raises(OkxError) as caught:
        execute(auth_status(), settings)
    assert caught.value.kind == "cli_too_old"
    assert INSTALL_COMMAND in action_of(caught.value.failure["kind"])
    assert "@latest" not in action_of(caught.value.failure["kind"])  # npm's latest is this very CLI
    assert "Unknown command: auth status" in caught.value.failure["detail"]
    assert caught.value.failure["command"] == ["auth", "status", "--json"]


# ---------------------------------------------------------------- real CLI only


def test_real_cli_auth_status_raw_output(real_okx: Path, empty_home: Path) -> None:
    result = run_okx(
        ["auth", "status", "--json"], OkxSettings(okx_cli=str(real_okx), okx_home=str(empty_home))
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "Unknown command: auth status"


def test_real_cli_login_manual_is_too_old(real_okx: Path, empty_home: Path) -> None:
    settings = OkxSettings(okx_cli=str(real_okx), okx_home=str(empty_home))
    with pytest.raises(OkxError) as caught:
        execute(auth_login_manual(LoginClearance("us")), settings)
    assert caught.value.kind == "cli_too_old"
    assert "Unknown option '--manual'" in caught.value.failure["detail"]
    assert INSTALL_COMMAND in action_of(caught.value.failure["kind"])
    assert caught.value.failure["command"] == ["auth", "login", "--manual", "--site", "us"]


def test_real_cli_is_the_pinned_version(real_okx: Path, empty_home: Path) -> None:
    result = run_okx(["--version"], OkxSettings(okx_cli=str(real_okx), okx_home=str(empty_home)))
    assert result.returncode == 0
    assert "1.2.4" in result.stdout


# ---------------------------------------------------------------- the real CLI's framing

REST_INVALID_SIGN = {"code": "50113", "msg": "Invalid Sign", "data": []}
"""What OKX answers a request signed with a key it refuses."""


def _quiet_update_check(home: Path, latest: str = "1.2.4") -> None:
    """Plant the CLI's update cache: a notice when `latest` is newer, and no npm lookup."""
    plant_update_notice(home / ".okx", latest)


def _keyed_config(base_url: str) -> str:
    """The planted keyed config, its default profile pointed at a local stand-in for OKX."""
    return CONFIG_TOML.replace("demo = true\n", f'demo = true\nbase_url = "{base_url}"\n', 1)


def test_real_cli_config_show_behind_the_update_notice(
    real_okx: Path, configured_home: Path
) -> None:
    _quiet_update_check(configured_home, "99.0.0")
    settings = OkxSettings(okx_cli=str(real_okx), okx_home=str(configured_home))
    raw = run_okx(["config", "show", "--json"], settings)
    assert raw.returncode == 0
    assert "Update available for @okx_ai/okx-trade-cli: 1.2.4 \u2192 99.0.0" in raw.stderr
    assert raw.stdout.startswith('{\n  "')  # JSON.stringify(data, null, 2)
    _assert_parsed(execute(config_show(settings), settings))


def test_real_cli_auth_status_behind_the_notice_is_too_old(
    real_okx: Path, empty_home: Path
) -> None:
    _quiet_update_check(empty_home, "99.0.0")
    settings = OkxSettings(okx_cli=str(real_okx), okx_home=str(empty_home))
    with pytest.raises(OkxError) as caught:
        execute(auth_status(), settings)
    assert caught.value.kind == "cli_too_old"
    assert INSTALL_COMMAND in action_of(caught.value.failure["kind"])
    assert caught.value.failure["detail"] == "Unknown command: auth status"


@pytest.mark.parametrize(("request_text", "language"), [("log me in", "en"), ("帮我登录", "zh")])
def test_real_cli_login_advises_a_version_with_auth_and_never_latest(
    real_okx: Path, empty_home: Path, tmp_path: Path, request_text: str, language: Language
) -> None:
    # npm serves 1.2.4 as `latest` too: "install @latest" here would send the user round in a loop.
    _quiet_update_check(empty_home)
    conv = Conversation(Simulator(str(real_okx), empty_home, CallLog(tmp_path / "unused.jsonl")))

    posted = conv.start(request_text)

    expected = render("failure_cli_too_old", language)
    assert posted == [expected]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": expected}
    assert f"\n{INSTALL_COMMAND}\n" in visible(expected)  # the command, on a line of its own
    assert OAUTH_CLI_VERSION in expected
    assert "No matching version found" in expected  # the registry may not serve it yet
    assert "API key" in expected
    assert "okx config init" in expected
    assert "@latest" not in expected


def test_the_advised_install_gets_okx_auth_or_npm_says_it_has_no_such_version(
    tmp_path: Path, empty_home: Path
) -> None:
    # The advice, run against the real registry: it never installs a CLI without `auth` again.
    npm, install, global_flag, package = shlex.split(INSTALL_COMMAND)
    assert (npm, install, global_flag) == ("npm", "install", "-g")
    npm_path = shutil.which(npm)
    assert npm_path is not None
    done = subprocess.run(
        [npm_path, "install", "--prefix", str(tmp_path), "--no-audit", "--no-fund", package],
        capture_output=True, text=True, timeout=240, check=False,
    )
    if done.returncode != 0:  # what the advice warns of: the registry serves no such version
        assert f"No matching version found for {package}" in done.stderr
    else:
        okx = tmp_path / "node_modules" / ".bin" / "okx"
        status = run_okx(
            ["auth", "status", "--json"], OkxSettings(okx_cli=str(okx), okx_home=str(empty_home))
        )
        assert "Unknown command" not in status.stderr


@pytest.mark.parametrize("notice", ["1.2.4", "99.0.0"], ids=["plain", "behind-notice"])
def test_real_cli_private_call_without_credentials_is_the_sign_in_case(
    real_okx: Path, empty_home: Path, notice: str
) -> None:
    _quiet_update_check(empty_home, notice)
    settings = OkxSettings(okx_cli=str(real_okx), okx_home=str(empty_home))
    result = run_okx(["account", "balance"], settings)
    assert result.returncode == 1
    assert "Error: Private endpoint requires API credentials." in result.stderr
    failure = failure_of(result, settings)
    assert failure["kind"] == "not_authenticated"
    assert failure["detail"] == "Private endpoint requires API credentials."
    assert "OKX_API_KEY" not in failure["detail"]


@pytest.mark.parametrize(
    ("status", "detail"),
    [(200, "Invalid Sign"), (401, "HTTP 401 from OKX: Invalid Sign")],
    ids=["okx-code-50113", "http-401"],
)
def test_real_cli_key_refused_by_a_local_okx_is_api_key_rejected(
    real_okx: Path, configured_home: Path, status: int, detail: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _quiet_update_check(configured_home, "99.0.0")
    with serving(REST_INVALID_SIGN, status) as okx:
        write_okx_config(configured_home, _keyed_config(okx.base_url))
        settings = OkxSettings(okx_cli=str(real_okx), okx_home=str(configured_home))
        result = run_okx(["account", "balance"], settings)
    # The real CLI really signed a request with the planted key and asked the stand-in.
    assert [path.split("?")[0] for path in okx.paths] == ["/api/v5/account/balance"]
    assert okx.headers[0]["OK-ACCESS-KEY"] == PLANTED_API_KEY
    failure = failure_of(result, settings)
    assert failure["kind"] == "api_key_rejected"
    assert failure["detail"] == detail
    for text in (json.dumps(failure), str(OkxError(failure)), caplog.text):
        for secret in PLANTED_SECRETS:
            assert secret not in text


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"code": "51155", "msg": "You can't trade this pair due to local compliance "
          "restrictions.", "data": []}, "region_restricted"),
        ({"code": "51734", "msg": "This feature is not supported for your KYC country or "
          "region.", "data": []}, "region_restricted"),
    ],
    ids=["51155", "51734"],
)
def test_real_cli_region_restriction_is_recognised_without_its_code(
    real_okx: Path, configured_home: Path, body: dict[str, object], kind: str
) -> None:
    _quiet_update_check(configured_home, "99.0.0")
    with serving(body) as okx:
        write_okx_config(configured_home, _keyed_config(okx.base_url))
        settings = OkxSettings(okx_cli=str(real_okx), okx_home=str(configured_home))
        result = run_okx(["account", "balance", "--json"], settings)
    assert okx.paths  # the CLI really asked the stand-in
    assert str(body["code"]) not in result.stderr  # what the classifier cannot rely on
    failure = failure_of(result, settings)
    assert failure["kind"] == kind
    assert failure["detail"] == body["msg"]


def test_real_cli_without_an_answer_from_okx_is_a_network_error(
    real_okx: Path, configured_home: Path
) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    _quiet_update_check(configured_home, "99.0.0")
    write_okx_config(configured_home, _keyed_config(f"http://127.0.0.1:{port}"))
    settings = OkxSettings(okx_cli=str(real_okx), okx_home=str(configured_home))
    result = run_okx(["account", "balance"], settings)
    assert result.returncode == 1
    failure = failure_of(result, settings)
    assert failure["kind"] == "network_error"
    assert failure["detail"] == "Failed to call OKX endpoint GET /api/v5/account/balance."


@pytest.mark.parametrize(
    ("question", "answer", "okx_answers"),
    [
        ("what's my balance?", "Your OKX balance: 1000 USDT available.", BALANCE),
        ("BTC-USDT price?", "BTC-USDT last price: 64123.5",
         {"code": "0", "msg": "", "data": [{"instId": "BTC-USDT", "last": "64123.5"}]}),
    ],
    ids=["balance", "ticker"],
)
def test_the_example_apps_cli_tools_read_what_the_real_cli_prints(
    real_okx: Path, configured_home: Path, question: str, answer: str,
    okx_answers: dict[str, object],
) -> None:
    """The real CLI prints OKX's `data` rows as a bare JSON array, not an object."""
    _quiet_update_check(configured_home, "99.0.0")
    with serving(okx_answers) as okx:
        write_okx_config(configured_home, _keyed_config(okx.base_url))
        app = build_trading_graph(InMemorySaver(), okx_cli=str(real_okx))
        result = app.invoke(
            {"messages": [HumanMessage(question)]},
            {"configurable": {"thread_id": "app"}},
            context=AuthContext(okx_home=str(configured_home)),
        )
    assert okx.paths  # the real CLI asked the stand-in
    assert text_of(result["messages"][-1]) == answer


def test_recover_from_the_real_invalid_sign_offers_step_0_2_a(
    real_okx: Path, configured_home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _quiet_update_check(configured_home, "99.0.0")
    with serving(REST_INVALID_SIGN) as okx:
        write_okx_config(configured_home, _keyed_config(okx.base_url))
        settings = OkxSettings(okx_cli=str(real_okx), okx_home=str(configured_home))
        balance = run_okx(["account", "balance"], settings)
    run = Run(Simulator(str(real_okx), configured_home, CallLog(tmp_path / "unused.jsonl")))
    run.start("check my balance", {"action": "recover", "error": balance.stderr,
                                    "command": ["account", "balance"]})
    # Preflight on the real CLI: `auth status` is too old for it, but the key wins (Step 0.2).
    remedy = render("api_key_remedy", "en", name="main", host="my.okx.com")
    assert run.ai_texts() == [remedy]
    assert [i["kind"] for i in run.questions] == ["api_key_remedy"]
    assert "1. " in remedy
    assert "2. " in remedy
    assert remedy.index("1. ") < remedy.index("2. ")
    assert_no_secret(run.places(caplog), PLANTED_SECRETS)


def test_recover_from_the_real_missing_credentials_text_posts_the_menu(
    real_okx: Path, empty_home: Path, sim: Simulator, call_log: CallLog
) -> None:
    # The text comes from the real CLI; the graph then runs on okx-sim, which has `auth`.
    _quiet_update_check(empty_home, "99.0.0")
    balance = run_okx(
        ["account", "balance"], OkxSettings(okx_cli=str(real_okx), okx_home=str(empty_home))
    )
    conv = Conversation(sim)
    posted = conv.start("查一下余额", okx_auth_request={
        "action": "recover", "error": balance.stderr, "command": ["account", "balance"],
    })
    assert posted[-1] == site_menu()
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "site_choice"
    assert "OKX_API_KEY" not in "\n".join(posted)
    assert all(argv[:2] != ["auth", "login"] for argv in call_log.argvs())
