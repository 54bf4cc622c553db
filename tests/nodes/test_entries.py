"""The non-login entries of the auth graph: status, logout and the okx-auth binary.

Each test starts the graph with an `okx_auth_request` and checks what the user
reads (character for character), what the graph asks (interrupt kind and
payload), how it ends (`okx_auth`) and exactly which okx commands ran (the
simulator's call log). None of these entries may run the Step 0 preflight.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import pytest

from okx_auth_graph.prompts import Language, render
from okx_auth_graph.state import MAX_REQUEST_ARGS, MAX_REQUEST_TEXT, InvalidRequest, checked_request
from okx_sim.binary import AUTH_BINARY_VERSION
from tests.expected import INSTALL, INSTALL_STATUS, SCOPES, STATUS, Argv, inbox_payload
from tests.support import CallLog, Conversation, Simulator

LOGOUT: Argv = ["auth", "logout"]
REMOVE_FORCE: Argv = ["auth", "remove", "--force"]

SCOPES_TEXT = "live:read, live:trade"

# A quoted session length or token lifetime, in either language.
_DURATION = re.compile(
    r"\d+\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|秒|分钟|小时|天)|\b3600\b",
    re.IGNORECASE,
)


def request(action: str) -> dict[str, Any]:
    """An `okx_auth_request` for one entry."""
    return {"action": action}


def status_text(language: Language, status: str, site: str, scopes: str) -> str:
    """The status report as the graph must render it."""
    return render("status_report", language, status=status, site=site, scopes=scopes)


def sim_status(sim: Simulator) -> dict[str, Any]:
    """What `okx auth status --json` says right now (one logged call)."""
    done = sim.run(*STATUS)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def sim_install_status(sim: Simulator) -> dict[str, Any]:
    """What `okx auth install-status --json` says right now (one logged call)."""
    done = sim.run(*INSTALL_STATUS)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def remove_binary_for_real(sim: Simulator) -> None:
    """`okx auth remove --force` outside the graph: the auth commands then cannot spawn."""
    done = sim.run(*REMOVE_FORCE)
    assert done.returncode == 0, done.stderr


def assert_no_token_details(texts: list[str], status_json: dict[str, Any]) -> None:
    """No expiresAt, ttl or profile (names or values) and no quoted duration."""
    joined = "\n".join(texts)
    for name in ("expiresAt", "expires_at", "ttl", "profile", "oauth"):
        assert name.lower() not in joined.lower()
    for field in ("expiresAt", "ttl", "profile"):
        if field in status_json:
            assert str(status_json[field]) not in joined
    if "expiresAt" in status_json:
        assert str(status_json["expiresAt"])[:10] not in joined
    assert not _DURATION.search(joined)


# ---------------------------------------------------------------- status


@pytest.mark.parametrize(
    ("text", "language", "asks_longevity"),
    [
        ("how long does my session last?", "en", True),
        ("会话多久过期", "zh", True),
        ("am I logged in to OKX?", "en", False),
        ("查看我的登录状态", "zh", False),
    ],
)
def test_status_logged_in_shows_site_and_scopes_only(
    sim: Simulator, call_log: CallLog, text: str, language: Language, asks_longevity: bool
) -> None:
    sim.log_in("eea")
    status_json = sim_status(sim)
    assert {"expiresAt", "ttl", "profile"} <= status_json.keys()
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=request("status"))

    expected = [status_text(language, "logged_in", "eea", SCOPES_TEXT)]
    if asks_longevity:
        expected.append(render("session_longevity", language))
    assert posted == expected
    if language == "en" and asks_longevity:
        assert posted[1] == "Session stays active as long as you use the CLI periodically."
    assert conv.interrupt is None
    assert conv.outcome == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert_no_token_details([*posted, json.dumps(conv.outcome)], status_json)
    assert call_log.argvs()[since:] == [STATUS]


@pytest.mark.parametrize(
    ("text", "language"),
    [("how long does my session last?", "en"), ("会话多久过期", "zh")],
)
def test_session_longevity_answer_never_quotes_a_number(
    sim: Simulator, call_log: CallLog, text: str, language: Language
) -> None:
    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=request("status"))
    sentence = render("session_longevity", language)
    assert posted == [status_text(language, "not_logged_in", "-", "-"), sentence]
    assert posted.count(sentence) == 1
    assert not re.search(r"\d", sentence)
    assert call_log.argvs() == [STATUS]


def test_status_pending_names_the_pending_site(sim: Simulator, call_log: CallLog) -> None:
    sim.start_pending_login("us")
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start("what is my login status?", okx_auth_request=request("status"))

    assert posted == [status_text("en", "pending", "us", "-")]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "pending", "site": "us", "scopes": []}
    assert call_log.argvs()[since:] == [STATUS]


@pytest.mark.parametrize(
    ("text", "language"), [("what is my login status?", "en"), ("登录状态", "zh")]
)
def test_status_not_logged_in_hides_the_placeholder_site(
    sim: Simulator, call_log: CallLog, text: str, language: Language
) -> None:
    status_json = sim_status(sim)
    assert (status_json["status"], status_json["site"]) == ("not_logged_in", "global")
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=request("status"))

    assert posted == [status_text(language, "not_logged_in", "-", "-")]
    assert "global" not in "\n".join(posted)
    assert conv.interrupt is None
    assert conv.outcome == {"status": "not_logged_in", "site": None, "scopes": []}
    assert call_log.argvs()[since:] == [STATUS]


def test_status_with_the_binary_missing_reinstalls_it_first(
    sim: Simulator, call_log: CallLog
) -> None:
    remove_binary_for_real(sim)
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start("am I logged in?", okx_auth_request=request("status"))

    assert posted == [
        render("binary_reinstalled", "en"),
        status_text("en", "not_logged_in", "-", "-"),
    ]
    assert conv.outcome == {"status": "not_logged_in", "site": None, "scopes": []}
    assert call_log.argvs()[since:] == [STATUS, INSTALL, INSTALL_STATUS, STATUS]


# ---------------------------------------------------------------- logout


@pytest.mark.parametrize(("text", "language"), [("log me out", "en"), ("退出登录", "zh")])
def test_logout(sim: Simulator, call_log: CallLog, text: str, language: Language) -> None:
    sim.log_in("us")
    assert sim_status(sim)["status"] == "logged_in"
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=request("logout"))

    assert posted == [render("logged_out", language)]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "not_logged_in"}
    assert call_log.argvs()[since:] == [LOGOUT]
    assert sim_status(sim)["status"] == "not_logged_in"


# ---------------------------------------------------------------- install / install-status


def test_install_when_current_says_up_to_date(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    posted = conv.start("update the okx-auth binary", okx_auth_request=request("install"))
    assert posted == [render("binary_up_to_date", "en", version=AUTH_BINARY_VERSION)]
    assert posted == [f"The okx-auth binary is up to date ({AUTH_BINARY_VERSION})."]
    assert conv.interrupt is None
    assert conv.outcome is None
    assert call_log.argvs() == [INSTALL]


@pytest.mark.parametrize(("text", "language"), [("install auth", "en"), ("安装认证", "zh")])
def test_install_after_remove_installs_it(
    sim: Simulator, call_log: CallLog, text: str, language: Language
) -> None:
    remove_binary_for_real(sim)
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=request("install"))

    assert posted == [render("binary_installed", language, version=AUTH_BINARY_VERSION)]
    assert conv.interrupt is None
    assert conv.outcome is None
    assert call_log.argvs()[since:] == [INSTALL]
    assert sim_install_status(sim)["installed"] is True


@pytest.mark.parametrize(("text", "language"), [("install auth", "en"), ("安装认证", "zh")])
def test_install_cdn_failure_needs_user_action(
    sim: Simulator,
    call_log: CallLog,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    language: Language,
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "cdn_fail")
    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=request("install"))

    expected = render("failure_install_cdn_failed", language)
    assert posted == [expected]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": expected}
    assert call_log.argvs() == [INSTALL]


@pytest.mark.parametrize(
    ("text", "language"), [("is okx-auth installed?", "en"), ("认证组件状态", "zh")]
)
def test_install_status_ok(
    sim: Simulator, call_log: CallLog, text: str, language: Language
) -> None:
    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=request("install_status"))
    assert posted == [render("binary_status_ok", language, version=AUTH_BINARY_VERSION)]
    assert conv.interrupt is None
    assert conv.outcome is None
    assert call_log.argvs() == [INSTALL_STATUS]


@pytest.mark.parametrize(
    ("text", "language"), [("is okx-auth installed?", "en"), ("认证组件状态", "zh")]
)
def test_install_status_missing_after_remove(
    sim: Simulator, call_log: CallLog, text: str, language: Language
) -> None:
    remove_binary_for_real(sim)
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=request("install_status"))

    assert posted == [render("binary_status_missing", language)]
    assert conv.interrupt is None
    assert conv.outcome is None
    assert call_log.argvs()[since:] == [INSTALL_STATUS]


def test_install_then_install_status_in_one_thread(sim: Simulator, call_log: CallLog) -> None:
    remove_binary_for_real(sim)
    since = len(call_log.argvs())
    conv = Conversation(sim)

    posted = conv.start("install auth", okx_auth_request=request("install"))
    assert posted == [render("binary_installed", "en", version=AUTH_BINARY_VERSION)]
    posted = conv.start("is it installed now?", okx_auth_request=request("install_status"))
    assert posted == [render("binary_status_ok", "en", version=AUTH_BINARY_VERSION)]
    assert conv.outcome is None
    assert call_log.argvs()[since:] == [INSTALL, INSTALL_STATUS]


# ---------------------------------------------------------------- remove


def confirm_payload(message: str) -> dict[str, object]:
    """The `confirm_remove` interrupt."""
    return inbox_payload({"kind": "confirm_remove", "message": message, "target": "okx-auth"})


def start_remove(conv: Conversation, text: str, language: Language) -> None:
    """Ask to remove the binary: the question, and nothing run yet."""
    question = render("remove_question", language)
    assert conv.start(text, okx_auth_request=request("remove")) == [question]
    assert conv.interrupt == confirm_payload(question)
    assert conv.outcome is None


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("remove the okx-auth binary", "en", "no"),
        ("remove the okx-auth binary", "en", "No."),
        ("remove the okx-auth binary", "en", "cancel"),
        ("卸载认证", "zh", "否"),
        ("卸载认证", "zh", "取消"),
    ],
)
def test_remove_declined_keeps_the_binary(
    sim: Simulator, call_log: CallLog, text: str, language: Language, answer: str
) -> None:
    conv = Conversation(sim)
    start_remove(conv, text, language)
    assert call_log.argvs() == []

    posted = conv.reply(answer)
    assert posted == [render("remove_declined", language)]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "cancelled"}
    assert conv.human_texts() == [text, answer]
    assert call_log.argvs() == []
    assert sim_install_status(sim)["installed"] is True
    assert call_log.argvs() == [INSTALL_STATUS]


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("remove the okx-auth binary", "en", "yes"),
        ("remove the okx-auth binary", "en", "Yes!"),
        ("卸载认证", "zh", "是"),
    ],
)
def test_remove_confirmed_runs_remove_force_once(
    sim: Simulator, call_log: CallLog, text: str, language: Language, answer: str
) -> None:
    conv = Conversation(sim)
    start_remove(conv, text, language)

    posted = conv.reply(answer)
    assert posted == [render("removed", language)]
    assert conv.interrupt is None
    assert conv.outcome is None
    assert call_log.argvs() == [REMOVE_FORCE]
    assert sim_install_status(sim)["installed"] is False


@pytest.mark.parametrize(
    ("text", "language", "unclear", "answer"),
    [
        ("remove the okx-auth binary", "en", "maybe later?", "yes"),
        ("卸载认证", "zh", "再说吧", "是"),
    ],
)
def test_remove_unclear_answer_asks_again(
    sim: Simulator,
    call_log: CallLog,
    text: str,
    language: Language,
    unclear: str,
    answer: str,
) -> None:
    conv = Conversation(sim)
    start_remove(conv, text, language)

    posted = conv.reply(unclear)
    again = render("yes_or_no", language)
    assert posted == [again]
    assert conv.interrupt == confirm_payload(again)
    assert conv.outcome is None
    assert call_log.argvs() == []

    posted = conv.reply(answer)
    assert posted == [render("removed", language)]
    assert conv.interrupt is None
    assert conv.human_texts() == [text, unclear, answer]
    assert call_log.argvs() == [REMOVE_FORCE]


def test_remove_unclear_then_no_removes_nothing(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    start_remove(conv, "卸载认证", "zh")
    assert conv.reply("嗯") == [render("yes_or_no", "zh")]
    assert conv.reply("否") == [render("remove_declined", "zh")]
    assert conv.outcome == {"status": "cancelled"}
    assert call_log.argvs() == []


@pytest.mark.parametrize(
    ("wrong", "said"),
    [
        pytest.param("logout", "must be a mapping", id="a-string"),
        pytest.param(["logout"], "must be a mapping", id="a-list"),
        pytest.param({"action": "hack"}, "action 'hack' is none of: login, status", id="unknown"),
        pytest.param({"action": 5}, "action 5 is none of", id="a-number"),
        pytest.param({"action": "recover", "error": 401}, "error must be text", id="error-number"),
        pytest.param({"action": "recover", "command": "okx auth status"},
                     "command must be a list of texts", id="command-string"),
    ],
)
def test_a_wrong_request_is_refused_by_name_before_any_cli_call(
    sim: Simulator, call_log: CallLog, wrong: object, said: str
) -> None:
    conv = Conversation(sim)
    with pytest.raises(InvalidRequest, match=re.escape(said)):
        conv.start("log me out", cast(Any, wrong))
    assert call_log.argvs() == []


def test_a_huge_error_text_is_kept_only_to_its_bound() -> None:
    request = checked_request({"action": "recover", "error": "x" * 5_000_000,
                               "command": ["a" * 50_000] * 1_000})
    assert request is not None
    assert len(request["error"] or "") == MAX_REQUEST_TEXT
    assert [len(arg) for arg in request["command"] or []] == [MAX_REQUEST_TEXT] * MAX_REQUEST_ARGS
