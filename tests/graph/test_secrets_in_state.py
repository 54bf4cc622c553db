"""No secret from `~/.okx/config.toml` or `OKX_API_KEY` leaves the okx layer.

The real CLI prints `secret_key` and `passphrase` in clear text from
`okx config show --json`. These tests plant distinct secrets, run whole
conversations through the graph (streamed, so every event is seen) and then
search everything a secret could reach: the final state, the messages, the
interrupts, the stream events, every checkpoint and pending write in the
saver (raw and re-serialized), and the log records. Only `***` plus the last
four characters of an API key may appear (other secrets are masked completely).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import StreamMode

from okx_auth_graph import build_auth_graph
from okx_auth_graph.context import AuthContext
from okx_auth_graph.okx import redact_text
from okx_auth_graph.prompts import render
from okx_auth_graph.replies import text_of
from okx_auth_graph.testing import Conversation
from tests.expected import FIRST_STEP_0
from tests.support import CallLog, Simulator, cli_options, keyed_config

API_KEY = "AKc0ffee-5ecret-api-key-WXYZ"
SECRET_KEY = "SKdeadbeef-5ecret-signing-9f8e"  # noqa: S105 - a planted test secret
PASSPHRASE = "PPhorse-battery-staple-4242"  # noqa: S105 - a planted test secret
ENV_API_KEY = "ENVk3y-from-the-environment-QRST"
ALL_SECRETS = (API_KEY, SECRET_KEY, PASSPHRASE, ENV_API_KEY)

KEYED_CONFIG = keyed_config(API_KEY, SECRET_KEY, PASSPHRASE, demo=False)
# A profile that lost its api_key but still holds the other two secrets:
# no key means the OAuth login runs, and `config show` prints them all the same.
KEYLESS_CONFIG = f"""default_profile = "keyless"

[profiles.keyless]
api_key = ""
secret_key = "{SECRET_KEY}"
passphrase = "{PASSPHRASE}"
site = "us"
demo = true
"""
STREAM_MODES: list[StreamMode] = ["values", "updates", "debug", "tasks", "checkpoints", "custom"]


def leaked_fragments(secret: str) -> tuple[str, str]:
    """The whole secret and everything but its last four characters (a partial leak)."""
    return secret, secret[:-4]


def flatten(value: object) -> bytes:
    """Every str and bytes inside nested containers, as one searchable blob."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, Mapping):
        return b"\x00".join(flatten(k) + b"\x00" + flatten(v) for k, v in value.items())
    if isinstance(value, Iterable):
        return b"\x00".join(flatten(item) for item in value)
    return repr(value).encode()


class Run(Conversation):
    """One thread of the auth graph, streamed with every mode, keeping everything seen.

    The package's conversation driver, streaming: `events` holds every event,
    `questions` every interrupt that surfaced.
    """

    def __init__(self, sim: Simulator) -> None:
        self.saver = InMemorySaver()
        super().__init__(
            build_auth_graph(self.saver, **cli_options(sim.path)),
            AuthContext(okx_home=str(sim.home)),
            thread_id="secrets",
            stream_modes=STREAM_MODES,
        )

    def places(self, caplog: pytest.LogCaptureFixture) -> dict[str, bytes]:
        """Every place a secret could have reached, by name."""
        serde = self.saver.serde
        serialized: list[bytes] = []
        for saved in self.saver.list(None):
            serialized.append(serde.dumps_typed(saved.checkpoint)[1])
            serialized.append(serde.dumps_typed(saved.metadata)[1])
            writes = saved.pending_writes or []
            serialized.extend(serde.dumps_typed(write[2])[1] for write in writes)
        history = list(self.graph.get_state_history(self.config))
        return {
            "final state": repr(self.graph.get_state(self.config, subgraphs=True)).encode(),
            "messages": "\n".join(text_of(m) for m in self.values["messages"]).encode(),
            "okx_auth": repr(self.values.get("okx_auth")).encode(),
            "interrupts": repr(self.questions).encode(),
            "stream events": repr(self.events).encode(),
            "state history": repr(history).encode(),
            "saver storage": flatten(self.saver.storage),
            "saver writes": flatten(self.saver.writes),
            "saver blobs": flatten(self.saver.blobs),
            "checkpoints re-serialized": b"\x00".join(serialized),
            "logs": caplog.text.encode(),
        }


def assert_no_secret(places: Mapping[str, bytes], secrets: Iterable[str] = ALL_SECRETS) -> None:
    """None of the secrets (nor a prefix that would give most of one away) anywhere."""
    leaks = [
        (where, fragment)
        for secret in secrets
        for fragment in leaked_fragments(secret)
        for where, blob in places.items()
        if fragment.encode() in blob
    ]
    assert leaks == []


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Capture the package's debug logging (it logs every CLI call)."""
    caplog.set_level(logging.DEBUG)


def test_api_key_path_keeps_only_the_masked_key(
    sim: Simulator, call_log: CallLog, caplog: pytest.LogCaptureFixture
) -> None:
    sim.write_config(KEYED_CONFIG)
    run = Run(sim)
    run.start("log me in")

    assert run.ai_texts() == ["API key already configured (profile: main)"]
    assert run.values["okx_auth"] == {
        "status": "api_key_configured", "profile": "main", "site": "eea",
    }
    places = run.places(caplog)
    assert_no_secret(places)
    # The redacted config view is in the checkpoints, so the search above saw it.
    assert b"***WXYZ" in places["saver writes"] + places["saver blobs"]
    assert sorted(call_log.argvs()) == FIRST_STEP_0


def test_environment_key_keeps_only_the_masked_key(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OKX_API_KEY", ENV_API_KEY)
    sim.write_config(KEYLESS_CONFIG)
    run = Run(sim)
    run.start("帮我登录")

    assert run.ai_texts() == ["已配置 API key (profile: OKX_API_KEY (environment))"]
    assert run.values["okx_auth"]["status"] == "api_key_configured"
    places = run.places(caplog)
    assert_no_secret(places)
    assert b"***QRST" in places["saver writes"] + places["saver blobs"]


def test_full_login_with_secrets_on_disk(
    sim: Simulator, call_log: CallLog, caplog: pytest.LogCaptureFixture
) -> None:
    sim.write_config(KEYLESS_CONFIG)
    run = Run(sim)
    run.start("log me in")
    assert [i["kind"] for i in run.questions] == ["site_choice"]
    run.reply("3")
    sim.browser("approve")
    run.reply("done")

    assert [i["kind"] for i in run.questions] == [
        "site_choice", "authorization_done",
    ]
    assert run.values["okx_auth"] == {
        "status": "logged_in", "site": "us", "scopes": ["live:read", "live:trade"],
    }
    assert ["auth", "login", "--manual", "--site", "us"] in call_log.argvs()
    places = run.places(caplog)
    assert_no_secret(places)
    # The config view (profile `keyless`) was checkpointed and searched.
    assert b"keyless" in places["saver writes"] + places["saver blobs"]


def test_skipped_login_rereads_config_without_leaking(
    sim: Simulator, call_log: CallLog, caplog: pytest.LogCaptureFixture
) -> None:
    run = Run(sim)
    run.start("log me in")
    sim.write_config(KEYED_CONFIG)  # appears after the preflight: the CLI skips OAuth
    run.reply("2")

    assert run.ai_texts()[-1] == "API key already configured (profile: main)"
    assert call_log.argvs()[-2:] == [
        ["auth", "login", "--manual", "--site", "eea"], ["config", "show", "--json"],
    ]
    places = run.places(caplog)
    assert_no_secret(places)
    assert b"***WXYZ" in places["saver writes"] + places["saver blobs"]


def test_cli_error_text_echoing_secrets_is_redacted(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    echoed = f"Error: bad profile api_key={API_KEY} secret_key={SECRET_KEY} passphrase={PASSPHRASE}"
    monkeypatch.setenv("OKX_SIM_FAULT", f"exit1:{echoed}")
    monkeypatch.setenv("OKX_SIM_FAULT_ON", "config show")
    run = Run(sim)
    run.start("log me in")

    text = render("failure_unknown", "en", detail=redact_text(echoed.removeprefix("Error: ")))
    assert run.ai_texts() == [text]
    assert text.startswith("The okx CLI failed: bad profile api_key=***WXYZ secret_key=***")
    assert run.values["okx_auth"] == {"status": "error", "message": text}
    assert_no_secret(run.places(caplog))


def test_recover_request_free_text_reaches_no_checkpoint(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The caller's error text and command are input: they are stored only redacted.

    LangGraph keeps a run's input in the checkpoint it writes before the first
    step; the graph's input channel redacts the request there, so no
    checkpoint, write, event or state in the history holds the secrets.
    """
    error = f"okx account balance failed: secret_key={SECRET_KEY} passphrase={PASSPHRASE}"
    command = ["account", "balance", "--api-key", API_KEY, f"--passphrase={PASSPHRASE}"]
    run = Run(sim)
    run.start("my okx command failed", {"action": "recover", "error": error, "command": command})

    values = run.values
    assert values["okx_auth"]["status"] in ("error", "needs_user_action")
    assert values["okx_auth_request"]["command"][:2] == ["account", "balance"]
    assert "secret_key=***" in values["okx_auth_request"]["error"]
    assert_no_secret(run.places(caplog))


ACCESS_TOKEN = (
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"  # noqa: S105
)
"""A planted test secret, shaped as a JSON Web Token."""
REFRESH_TOKEN = "rt-0a1b2c3d4e5f-refresh-token-9999"  # noqa: S105 - a planted test secret


@pytest.mark.parametrize(
    ("error", "command"),
    [
        pytest.param(
            f"request failed: Authorization: Bearer {ACCESS_TOKEN}",
            ["account", "balance"], id="bearer-header",
        ),
        pytest.param(
            f"okx account balance --secret-key {SECRET_KEY} --passphrase {PASSPHRASE} failed",
            ["account", "balance", "--secret-key", SECRET_KEY], id="flag-then-space",
        ),
        pytest.param(
            f"token={ACCESS_TOKEN}: 401 Unauthorized",
            ["account", "balance", f"--access-token={ACCESS_TOKEN}",
             "--refresh-token", REFRESH_TOKEN], id="token-flags",
        ),
        pytest.param(
            f"stale session {ACCESS_TOKEN} was refused", ["account", "balance"], id="bare-jwt",
        ),
    ],
)
def test_tokens_and_flag_values_in_a_recover_request_reach_no_checkpoint(
    sim: Simulator, caplog: pytest.LogCaptureFixture, error: str, command: list[str]
) -> None:
    """Whatever form a caller's text holds a credential in, only its mask is stored."""
    run = Run(sim)
    run.start("my okx command failed", {"action": "recover", "error": error, "command": command})

    assert run.values["okx_auth_request"]["command"][:2] == ["account", "balance"]
    assert_no_secret(run.places(caplog), (*ALL_SECRETS, ACCESS_TOKEN, REFRESH_TOKEN))
