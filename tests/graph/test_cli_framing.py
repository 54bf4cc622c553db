"""A whole login works however the CLI frames its JSON: pretty behind the update notice, or compact.

The real CLI prints `JSON.stringify(data, null, 2)` and, once it knows of a
newer release, an update notice on stderr before every call; a newer one
may print single lines. okx-sim does both (its default is the real framing),
so the same conversation is held against each form, in Chinese and English.
"""

from __future__ import annotations

import pytest

from okx_auth_graph.prompts import Language
from okx_auth_graph.skill import site_menu
from okx_sim.framing import JSON_STYLE_ENV, plant_update_notice
from tests.expected import SCOPES, STATUS
from tests.graph.test_scenarios import (
    PREFLIGHT,
    assert_calls,
    done_payload,
    login_text,
    sim_user_code,
    success_text,
)
from tests.support import CallLog, Conversation, Simulator

NOTICE_LINE = "Update available for @okx_ai/okx-trade-cli: 1.3.1-sim \u2192 1.3.2"


@pytest.fixture(params=["pretty-behind-notice", "compact"])
def framing(request: pytest.FixtureRequest, sim: Simulator,
            monkeypatch: pytest.MonkeyPatch) -> str:
    """Make the simulated CLI frame every answer one way, and prove that it does."""
    if request.param == "compact":
        monkeypatch.setenv(JSON_STYLE_ENV, "compact")
    else:
        plant_update_notice(sim.home / ".okx", "1.3.2")
    shown = sim.run("auth", "status", "--json")
    assert shown.returncode == 0
    if request.param == "compact":
        assert shown.stdout.count("\n") == 1
        assert shown.stderr == ""
    else:
        assert shown.stdout.startswith('{\n  "')
        assert NOTICE_LINE in shown.stderr
    return str(request.param)


@pytest.mark.parametrize(
    ("language", "ask", "choice", "site", "done"),
    [("zh", "帮我登录", "2", "eea", "好了"), ("en", "Please log me in", "us", "us", "done")],
)
def test_a_whole_login_in_every_framing(
    framing: str, sim: Simulator, call_log: CallLog,
    language: Language, ask: str, choice: str, site: str, done: str,
) -> None:
    shown_by_the_fixture = len(call_log.argvs())
    conv = Conversation(sim)
    assert conv.start(ask) == [site_menu()]

    posted = conv.reply(choice)
    code = sim_user_code(sim)
    assert posted == [login_text(language, site, code)]
    assert conv.interrupt == done_payload(posted[0], site, code)

    sim.browser("approve")
    assert conv.reply(done) == [success_text(language, site)]
    assert conv.outcome == {"status": "logged_in", "site": site, "scopes": SCOPES}
    login = ["auth", "login", "--manual", "--site", site]
    assert_calls(call_log.argvs()[shown_by_the_fixture:], PREFLIGHT, login, STATUS)
