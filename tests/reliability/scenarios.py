"""A catalogue of whole conversations with the auth graph, and the driver that plays them.

The reliability tests need the same thing over and over: reach a given branch
of the procedure (a login in Chinese, a pending login found at entry, a
recover request for each row of the skill's error table, the binary entries)
through the public contract only: an input with `messages` and an optional
`okx_auth_request`, then `Command(resume=...)` answers, then `okx_auth`. A
scenario is that recipe as data, so one test can run every branch against
every checkpointer, and the contract changes in one place when the graph does.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, FrameType
from typing import Any, Literal

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import StreamMode

import okx_auth_graph
from okx_auth_graph import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.okx import CliRunner, run_okx
from okx_auth_graph.state import OkxAuthRequest, OutcomeStatus
from okx_auth_graph.testing import Conversation
from tests.support import Simulator, keyed_config

# ---------------------------------------------------------------- planted secrets

# Every 8 characters of these mix digits, lower-case letters beyond `f` and
# dashes, which no checkpoint id, task id or device id (hex), user code
# (capitals) or text of the graph can reproduce by chance; so any 8-character
# window found anywhere is a leak. The tails (digit + capitals) cannot occur
# in a user code either, so they may only ever appear masked.
API_KEY = "ak-3f9k0e7w1b5m28y4-Q7XZ"
SECRET_KEY = "sk-8d2r6b1t0c4v93s7-M3NP"  # noqa: S105 - a planted test secret
PASSPHRASE = "pp-5a7j3e9h1d0u24z8-R4TK"  # noqa: S105 - a planted test secret
ENV_API_KEY = "ek-1b3n5f7p9c2q40x8-E9VW"
SECRETS = (API_KEY, SECRET_KEY, PASSPHRASE, ENV_API_KEY)
MASKED_KEYS = {API_KEY: "***Q7XZ", ENV_API_KEY: "***E9VW"}
"""The one form of a key allowed to appear: `***` and its last four characters."""

KEYED_CONFIG = keyed_config(API_KEY, SECRET_KEY, PASSPHRASE, demo=False)
KEYED_CONFIG_NO_SITE = keyed_config(API_KEY, SECRET_KEY, PASSPHRASE, site=None, demo=False)
# No api_key, so OAuth runs; `config show --json` still prints the other two.
KEYLESS_CONFIG = f"""default_profile = "keyless"

[profiles.keyless]
api_key = ""
secret_key = "{SECRET_KEY}"
passphrase = "{PASSPHRASE}"
site = "us"
demo = true
"""
# A keyed default and a spare: switching to OAuth removes `main` and makes the
# spare the default with `okx config use`.
KEYED_AND_SPARE_CONFIG = KEYED_CONFIG + f"""
[profiles.spare]
secret_key = "{SECRET_KEY}"
demo = true
"""
ECHOED_SECRETS = (
    f"Error: bad profile api_key={API_KEY} secret_key={SECRET_KEY} "
    f'passphrase="{PASSPHRASE}" {{"apiKey": "{API_KEY}", "secretKey": "{SECRET_KEY}"}}'
)
"""A CLI error that echoes every credential in the shapes the CLI uses."""

NO_SUCH_CLI = "/nonexistent/bin/okx"
"""The executable for "the CLI is not installed"."""

ALL_STREAM_MODES: tuple[StreamMode, ...] = (
    "values", "updates", "checkpoints", "tasks", "debug", "messages", "custom",
)

# ---------------------------------------------------------------- the conversation driver


class Chat(Conversation):
    """The package's conversation driver on a fresh auth graph over `saver`.

    With `stream_modes` each turn is streamed (subgraphs included) so every
    event can be searched (`events`); without, it is a plain `invoke`, which is
    cheaper. `context` may be replaced between turns (a resume from another
    process passes its own). `questions` keeps every interrupt that surfaced.
    """

    def __init__(
        self,
        saver: BaseCheckpointSaver[str],
        context: AuthContext,
        stream_modes: tuple[StreamMode, ...] = (),
        *,
        runner: CliRunner = run_okx,
        thread_id: str = "reliability",
        okx_cli: str | None = None,
    ) -> None:
        graph = build_auth_graph(saver, runner=runner, okx_cli=okx_cli)
        super().__init__(graph, context, thread_id=thread_id, stream_modes=stream_modes)


# ---------------------------------------------------------------- what happens outside the chat

SimAction = Callable[[Simulator], object]


def approve(sim: Simulator) -> None:
    """The user authorizes the pending code in the browser."""
    sim.browser("approve")


def deny(sim: Simulator) -> None:
    """The user refuses the pending code in the browser."""
    sim.browser("deny")


def let_code_expire(sim: Simulator) -> None:
    """Eleven minutes pass: a 600-second code is dead."""
    assert sim.run("clock", "advance", "700").returncode == 0


def log_in_eea(sim: Simulator) -> None:
    """A session on the EEA site, made outside the graph."""
    sim.log_in("eea")


def pending_global(sim: Simulator) -> None:
    """A login another session started and nobody authorized yet."""
    sim.start_pending_login("global")


def remove_binary(sim: Simulator) -> None:
    """`okx auth remove --force` outside the graph: the auth commands cannot spawn."""
    done = sim.run("auth", "remove", "--force")
    assert done.returncode == 0, done.stderr


BrowserHelper = Callable[[Simulator, threading.Event], object]
"""Something the user does in the browser while a turn runs, until told to stop."""


def _answer_when_shown(sim: Simulator, action: str, stop: threading.Event) -> None:
    """Act in the browser as soon as a blocking login has a code to show.

    The blocking login holds the graph until the browser answers, so the
    user's answer comes from beside it: watch the simulator's state file (a
    cheap read, no process) until a code is pending, then answer it once. A
    login that never shows a code ends the watch with the turn and fails its
    own checks.
    """
    state_file = sim.home / ".okx" / "okx-sim-state.json"
    while not stop.is_set():
        try:
            pending = json.loads(state_file.read_text()).get("pending")
        except (OSError, ValueError):  # not written yet
            pending = None
        if pending:
            sim.browser(action)
            return
        stop.wait(0.05)


def approve_when_shown(sim: Simulator, stop: threading.Event) -> None:
    """The user approves the blocking login's code in the browser."""
    _answer_when_shown(sim, "approve", stop)


def deny_when_shown(sim: Simulator, stop: threading.Event) -> None:
    """The user refuses the blocking login's code in the browser."""
    _answer_when_shown(sim, "deny", stop)


def add_api_key(sim: Simulator) -> None:
    """The user runs `okx config init` in a terminal while the chat waits."""
    sim.write_config(KEYED_CONFIG)


# ---------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Turn:
    """One answer of the user, after what they did outside the chat (if anything)."""

    reply: str
    before: SimAction | None = None
    during: BrowserHelper | None = None
    """Done by the user while the graph works on this turn (the blocking login)."""


@dataclass(frozen=True)
class Scenario:
    """One branch of the procedure, from the user's first message to `okx_auth`.

    `setup` prepares the simulated machine before the config is written and the
    environment (`env_key`, `fault`) applied, so the setup's own CLI calls are
    neither faulted nor refused for an API key.
    """

    name: str
    text: str
    expect: OutcomeStatus | None
    """`okx_auth.status` at the end (None: the entry reports without an outcome)."""
    kinds: tuple[str, ...] = ()
    """The interrupts the conversation meets, in order."""
    turns: tuple[Turn, ...] = ()
    request: OkxAuthRequest | None = None
    config: str = KEYLESS_CONFIG
    env_key: bool = False
    setup: SimAction | None = None
    fault: str | None = None
    fault_on: str | None = None
    missing_cli: bool = False
    interactive: bool = False
    """Log in with the blocking `okx auth login --site S` (context `login_mode`)."""

    @property
    def runs_config_show(self) -> bool:
        """Whether Step 0's `config show --json` succeeds in this scenario."""
        action = (self.request or {}).get("action", "login")
        broken = self.missing_cli or (self.fault is not None and self.fault_on == "config show")
        return action in ("login", "recover") and not broken

    @property
    def expected_mask(self) -> str | None:
        """The masked key the checkpoints must hold, proving the scan saw the config."""
        if not self.runs_config_show:
            return None
        if self.env_key:
            return MASKED_KEYS[ENV_API_KEY]
        return MASKED_KEYS[API_KEY] if f'api_key = "{API_KEY}"' in self.config else None


def recover(error: str, command: Sequence[str] = ("account", "balance")) -> OkxAuthRequest:
    """A `recover` request for a failed okx command."""
    return {"action": "recover", "error": error, "command": list(command)}


def _spawn_error() -> str:
    return "Error: Failed to spawn okx-auth: spawn /home/u/.okx/bin/okx-auth ENOENT"


MENU, CODE, RETRY, REMOVE, REMEDY = (
    "site_choice", "authorization_done", "retry_login", "confirm_remove", "api_key_remedy",
)

CATALOGUE: tuple[Scenario, ...] = (
    # ---- the login entry
    Scenario("login-zh", "帮我登录 OKX", "logged_in", (MENU, CODE),
             (Turn("2"), Turn("好了", approve))),
    Scenario("login-en", "log me in", "logged_in", (MENU, CODE),
             (Turn("us"), Turn("done", approve))),
    Scenario("login-not-yet-then-done", "log me in", "logged_in", (MENU, CODE, CODE),
             (Turn("1"), Turn("done"), Turn("done", approve))),
    Scenario("login-reminder-then-cancel", "登录", "pending", (MENU, CODE, CODE),
             (Turn("3"), Turn("现在呢?"), Turn("取消"))),
    Scenario("login-code-expired-no-retry", "log me in", "not_logged_in", (MENU, CODE, RETRY),
             (Turn("1"), Turn("done", let_code_expire), Turn("no"))),
    Scenario("login-denied-retry-yes", "log me in", "logged_in",
             (MENU, CODE, RETRY, MENU, CODE),
             (Turn("2"), Turn("done", deny), Turn("yes"), Turn("eea"), Turn("ok", approve))),
    Scenario("login-denied-retry-cancel", "帮我登录", "cancelled", (MENU, CODE, RETRY),
             (Turn("2"), Turn("好了", deny), Turn("取消"))),
    Scenario("menu-not-a-choice-then-cancel", "log me in", "cancelled", (MENU, MENU),
             (Turn("whichever is best"), Turn("cancel"))),
    Scenario("api-key-in-config", "log me in", "api_key_configured", config=KEYED_CONFIG),
    Scenario("api-key-in-env", "帮我登录", "api_key_configured", env_key=True),
    Scenario("api-key-without-site", "log me in", "api_key_configured", (MENU,),
             (Turn("1"),), config=KEYED_CONFIG_NO_SITE),
    Scenario("api-key-appears-before-login", "log me in", "api_key_configured", (MENU,),
             (Turn("2", add_api_key),)),
    Scenario("interactive-login-zh", "帮我登录", "logged_in", (MENU,),
             (Turn("2", during=approve_when_shown),), interactive=True),
    Scenario("interactive-login-denied-no-retry", "log me in", "not_logged_in", (MENU, RETRY),
             (Turn("1", during=deny_when_shown), Turn("no")), interactive=True),
    Scenario("already-logged-in", "我登录了吗", "logged_in", setup=log_in_eea),
    Scenario("pending-at-entry", "log me in", "logged_in", (CODE,),
             (Turn("done", approve),), setup=pending_global),
    Scenario("binary-missing-is-reinstalled", "log me in", "logged_in", (MENU, CODE),
             (Turn("2"), Turn("done", approve)), setup=remove_binary),
    Scenario("old-cli-without-key", "帮我登录", "needs_user_action", fault="old_cli"),
    Scenario("old-cli-with-key", "log me in", "api_key_configured",
             config=KEYED_CONFIG, fault="old_cli"),
    Scenario("no-cli", "log me in", "needs_user_action", missing_cli=True),
    Scenario("config-show-error-echoes-secrets", "log me in", "error", config=KEYED_CONFIG,
             fault=f"exit1:{ECHOED_SECRETS}", fault_on="config show"),
    Scenario("auth-status-error-echoes-secrets", "帮我登录", "error",
             fault=f"exit1:{ECHOED_SECRETS}", fault_on="auth status"),
    Scenario("config-show-truncated", "log me in", "error", config=KEYED_CONFIG,
             fault="truncated", fault_on="config show"),
    Scenario("config-show-garbage", "log me in", "error", fault="garbage", fault_on="config show"),
    # ---- the other entries
    Scenario("status-logged-in-longevity", "how long does my session last?", "logged_in",
             request={"action": "status"}, config=KEYED_CONFIG, env_key=True, setup=log_in_eea),
    Scenario("status-not-logged-in-zh", "登录状态", "not_logged_in",
             request={"action": "status"}, config=KEYED_CONFIG),
    Scenario("status-pending", "what is my login status?", "pending",
             request={"action": "status"}, setup=pending_global),
    Scenario("status-binary-missing", "am I logged in?", "not_logged_in",
             request={"action": "status"}, setup=remove_binary),
    Scenario("logout-zh", "退出登录", "not_logged_in",
             request={"action": "logout"}, config=KEYED_CONFIG, env_key=True, setup=log_in_eea),
    Scenario("install", "update the okx-auth binary", None,
             request={"action": "install"}, config=KEYED_CONFIG),
    Scenario("install-cdn-failure-zh", "安装认证", "needs_user_action",
             request={"action": "install"}, fault="cdn_fail"),
    Scenario("install-status", "is okx-auth installed?", None,
             request={"action": "install_status"}, env_key=True),
    Scenario("install-status-missing", "认证组件状态", None,
             request={"action": "install_status"}, setup=remove_binary),
    Scenario("remove-yes", "remove the okx-auth binary", None, (REMOVE,),
             (Turn("yes"),), request={"action": "remove"}, config=KEYED_CONFIG),
    Scenario("remove-unclear-then-no", "卸载认证", "cancelled", (REMOVE, REMOVE),
             (Turn("再说吧"), Turn("否")), request={"action": "remove"}),
    # ---- recover: one row of the skill's error table each
    Scenario("recover-session-expired", "my balance failed", "logged_in", (MENU, CODE),
             (Turn("1"), Turn("done", approve)),
             request=recover("Session expired — run okx auth login again")),
    Scenario("recover-not-authenticated-zh", "查一下余额", "cancelled", (MENU,),
             (Turn("取消"),),
             request=recover("Error: Not authenticated. Run okx auth login first.")),
    Scenario("recover-authorization-timed-out", "the login timed out", "pending", (MENU, CODE),
             (Turn("3"), Turn("cancel")),
             request=recover("Login failed: Authorization timed out", ("auth", "login"))),
    Scenario("recover-access-denied", "登录被拒绝了", "logged_in", (MENU, CODE),
             (Turn("eea"), Turn("完成", approve)),
             request=recover("Login failed: Access denied", ("auth", "login"))),
    Scenario("recover-api-key-rejected-replace", "balance failed", "needs_user_action",
             (REMEDY,), (Turn("1"),), request=recover("Invalid Sign"), config=KEYED_CONFIG),
    Scenario("recover-api-key-rejected-unclear-then-replace", "查余额失败", "needs_user_action",
             (REMEDY, REMEDY), (Turn("你选吧"), Turn("1")),
             request=recover('{"code":"50113","msg":"Invalid Sign"}'), config=KEYED_CONFIG),
    Scenario("recover-api-key-rejected-cancel", "balance failed", "cancelled", (REMEDY,),
             (Turn("cancel"),), request=recover("401 Unauthorized"), config=KEYED_CONFIG),
    Scenario("recover-api-key-rejected-switch-to-oauth", "balance failed", "logged_in",
             (REMEDY, REMOVE, MENU, CODE),
             (Turn("2"), Turn("yes"), Turn("1"), Turn("done", approve)),
             request=recover("Invalid Sign"), config=KEYED_AND_SPARE_CONFIG),
    Scenario("recover-api-key-rejected-keep-profile-zh", "查余额失败", "cancelled",
             (REMEDY, REMOVE), (Turn("2"), Turn("否")),
             request=recover("50113"), config=KEYED_CONFIG),
    Scenario("recover-api-key-rejected-env-key-oauth", "balance failed", "needs_user_action",
             (REMEDY,), (Turn("2"),), request=recover("50111"), env_key=True),
    Scenario("recover-api-key-rejected-env-key", "balance failed", "needs_user_action",
             (REMEDY,), (Turn("1"),), request=recover("50111"), env_key=True),
    Scenario("recover-api-key-rejected-without-key", "balance failed", "cancelled", (MENU,),
             (Turn("cancel"),), request=recover("Invalid API-KEY")),
    Scenario("recover-spawn-failed-status", "auth status failed", "not_logged_in",
             request=recover(_spawn_error(), ("auth", "status", "--json"))),
    Scenario("recover-spawn-failed-balance", "查余额失败", "logged_in",
             request=recover(_spawn_error()), setup=log_in_eea),
    Scenario("recover-spawn-failed-login", "log me in", "pending", (MENU, CODE),
             (Turn("2"), Turn("cancel")),
             request=recover(_spawn_error(), ("auth", "login", "--manual", "--site", "global"))),
    Scenario("recover-spawn-failed-cdn-down", "认证失败", "needs_user_action",
             request=recover(_spawn_error(), ("auth", "status", "--json")),
             setup=remove_binary, fault="cdn_fail"),
    Scenario("recover-region-switch-site", "order failed", "logged_in", (RETRY, MENU, CODE),
             (Turn("yes"), Turn("us"), Turn("done", approve)),
             request=recover("Error 51155: not available in your region", ("spot", "place")),
             setup=log_in_eea),
    Scenario("recover-region-keep-site-zh", "下单失败", "logged_in", (RETRY,), (Turn("否"),),
             request=recover("Error 51734: region restriction", ("spot", "place")),
             setup=log_in_eea),
    Scenario("recover-region-api-key-zh", "下单失败", "needs_user_action",
             request=recover("Error 51734: region restriction", ("spot", "place")),
             config=KEYED_CONFIG),
    Scenario("recover-network-error", "it failed", "needs_user_action",
             request=recover("Network error during login", ("auth", "login"))),
    Scenario("recover-no-config-zh", "失败了", "needs_user_action",
             request=recover("No config found. Run okx config init first.")),
    Scenario("recover-cdn-failed", "install failed", "needs_user_action",
             request=recover("Installation failed: All CDN sources failed", ("auth", "install"))),
    Scenario("recover-unknown-error", "it failed", "error",
             request=recover("Error: something odd happened (code 7)"), config=KEYED_CONFIG),
    Scenario("recover-old-cli", "查余额失败", "needs_user_action",
             request=recover("Session expired — run okx auth login again"), fault="old_cli"),
)


def prepare(scenario: Scenario, sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the simulated machine up, then write the config and apply the environment."""
    if scenario.setup is not None:
        scenario.setup(sim)
    sim.write_config(scenario.config)
    if scenario.env_key:
        monkeypatch.setenv("OKX_API_KEY", ENV_API_KEY)
    if scenario.fault is not None:
        monkeypatch.setenv("OKX_SIM_FAULT", scenario.fault)
    if scenario.fault_on is not None:
        monkeypatch.setenv("OKX_SIM_FAULT_ON", scenario.fault_on)


def converse(
    scenario: Scenario,
    sim: Simulator,
    saver: BaseCheckpointSaver[str],
    stream_modes: tuple[StreamMode, ...] = (),
    thread_id: str = "reliability",
) -> Chat:
    """Hold the scenario's conversation on a fresh thread of `saver`; return the thread."""
    cli = NO_SUCH_CLI if scenario.missing_cli else sim.path
    mode: Literal["manual", "interactive"] = "interactive" if scenario.interactive else "manual"
    context = AuthContext(okx_home=str(sim.home), login_mode=mode)
    chat = Chat(saver, context, stream_modes, thread_id=thread_id, okx_cli=cli)
    chat.start(scenario.text, scenario.request)
    for turn in scenario.turns:
        assert chat.interrupt is not None, f"{scenario.name}: ended before {turn.reply!r}"
        if turn.before is not None:
            turn.before(sim)
        with beside(sim, turn.during):
            chat.reply(turn.reply)
    return chat


def play(
    scenario: Scenario,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    saver: BaseCheckpointSaver[str],
    stream_modes: tuple[StreamMode, ...] = (),
    thread_id: str = "reliability",
) -> Chat:
    """Prepare the machine and hold the conversation."""
    prepare(scenario, sim, monkeypatch)
    return converse(scenario, sim, saver, stream_modes, thread_id)


# ---------------------------------------------------------------- the commands the graph runs

MATRIX_COMMANDS = (
    "config show --json",
    "auth status --json",
    "--version",
    "auth login --manual --site S",
    "auth login --site S",
    "auth logout",
    "auth install --json",
    "auth install-status --json",
    "auth remove --force",
    "config use P",
)
"""Every okx command the graph runs, as the fault matrix names its rows.

The catalogue sweep checks that the graph ran exactly these (so a new
command without a row fails there), the matrix that each has a row.
"""


def command_name(argv: Sequence[str]) -> str:
    """An okx call as `MATRIX_COMMANDS` names it: sites and profile names generalized."""
    words = list(argv)
    if words[:2] == ["config", "use"]:
        return "config use P"
    if "--site" in words[:-1]:
        words[words.index("--site") + 1] = "S"
    return " ".join(words)


@contextmanager
def beside(sim: Simulator, helper: BrowserHelper | None) -> Iterator[None]:
    """Run `helper` in a thread of its own while the block runs; stop and join it after."""
    if helper is None:
        yield
        return
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            helper(sim, stop)
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(timeout=60)
    if errors:
        raise errors[0]


# ---------------------------------------------------------------- every exception raised

_PACKAGE_DIR = str(Path(okx_auth_graph.__file__).parent)


@contextmanager
def raised_exceptions() -> Iterator[list[str]]:
    """Collect the text of every exception that passes through the package's code.

    Caught ones included: an error the graph turns into state was still an
    exception with a message, and that message must be as clean as the state.
    Tracing covers this thread and the threads LangGraph starts for its nodes;
    only the package's frames get a local tracer, which keeps the cost low.
    """
    texts: list[str] = []
    seen: dict[int, BaseException] = {}  # holding each one keeps its id unique

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "exception":
            error: BaseException | None = arg[1]
            while error is not None and id(error) not in seen:
                seen[id(error)] = error
                texts.append(f"{type(error).__name__}: {error!s} {error!r}")
                error = error.__cause__ or error.__context__
        return local

    watched: dict[CodeType, bool] = {}

    def watch(frame: FrameType, event: str, arg: Any) -> Any:
        code = frame.f_code
        hit = watched.get(code)
        if hit is None:
            hit = watched[code] = code.co_filename.startswith(_PACKAGE_DIR)
        if hit:
            frame.f_trace_lines = False
            return local
        return None

    previous = sys.gettrace()
    threading.settrace(watch)
    sys.settrace(watch)
    try:
        yield texts
    finally:
        sys.settrace(previous)
        threading.settrace(previous)
