"""Requests in plain words pick their entry when no `okx_auth_request` is given.

The keyword tables (`okx_auth_graph/keywords.py`) are checked on their own,
then whole conversations show that the words alone run the right commands:
a logout runs `okx auth logout` and no login, a status question one
`auth status`, the session-longevity question gets the skill's fixed
sentence, removing the binary is asked first. An explicit request still wins.
"""

from __future__ import annotations

import re

import pytest

from okx_auth_graph.keywords import asks_session_longevity, entry_asked
from okx_auth_graph.prompts import render
from okx_auth_graph.skill import site_menu
from tests.expected import INSTALL, INSTALL_STATUS, STATUS, Argv
from tests.support import CallLog, Conversation, Simulator

LOGOUT: Argv = ["auth", "logout"]


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("log me out", "logout"),
        ("Please sign out of OKX", "logout"),
        ("退出登录", "logout"),
        ("帮我登出", "logout"),
        ("am I logged in?", "status"),
        ("what is my login status?", "status"),
        ("我登录了吗", "status"),
        ("登录状态", "status"),
        ("how long does my session last?", "status"),
        ("am I logged in? how long does my session last?", "status"),
        ("会话多久过期", "status"),
        ("status", "status"),
        ("状态", "status"),
        ("install status", "login"),  # the binary's status is asked only with its name
        ("install okx-auth", "install"),
        ("update the okx-auth binary", "install"),
        ("更新 okx-auth 组件", "install"),
        ("is okx-auth installed?", "install_status"),
        ("okx-auth 装了吗", "install_status"),
        ("remove okx-auth", "remove"),
        # The skill's own triggers for the binary.
        ("install auth", "install"),
        ("update auth", "install"),
        ("download okx-auth", "install"),
        ("安装认证", "install"),
        ("更新认证", "install"),
        ("remove auth", "remove"),
        ("卸载认证", "remove"),
        ("auth binary status", "install_status"),
        ("check okx-auth", "install_status"),
        ("auth status", "status"),
        ("帮我认证", "login"),
        ("卸载 okx-auth 组件", "remove"),
        # A login, or anything else, stays a login.
        ("帮我登录 OKX", "login"),
        ("log me in", "login"),
        ("am I logged in? log me in", "login"),
        ("update my order", "login"),
        ("remove my stop loss", "login"),
        ("BTC price", "login"),
        ("2", "login"),
    ],
)
def test_the_words_pick_the_entry(text: str, entry: str) -> None:
    assert entry_asked(text) == entry


@pytest.mark.parametrize(
    ("text", "asks"),
    [("how long does my session last?", True), ("会话有效期多长", True),
     ("am I logged in?", False), ("log me out", False)],
)
def test_the_longevity_question_is_recognised(text: str, asks: bool) -> None:
    assert asks_session_longevity(text) is asks


@pytest.mark.parametrize(("text", "language"), [("log me out", "en"), ("退出登录", "zh")])
def test_logout_in_words_logs_out_and_never_logs_in(
    sim: Simulator, call_log: CallLog, text: str, language: str
) -> None:
    sim.log_in("us")
    since = len(call_log.argvs())
    conv = Conversation(sim)
    posted = conv.start(text)
    assert posted == [render("logged_out", "zh" if language == "zh" else "en")]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "not_logged_in"}
    assert call_log.argvs()[since:] == [LOGOUT]


def test_status_and_longevity_in_words(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    posted = conv.start("am I logged in? how long does my session last?")
    assert posted[-1] == "Session stays active as long as you use the CLI periodically."
    assert posted[0].startswith("Login status: not_logged_in")
    assert not re.search(r"\d", posted[-1])
    assert conv.interrupt is None
    assert call_log.argvs() == [STATUS]


def test_the_binary_entries_in_words(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    conv.start("install okx-auth")
    assert call_log.argvs()[-1] == INSTALL
    conv.start("is okx-auth installed?")
    assert call_log.argvs()[-1] == INSTALL_STATUS
    before = len(call_log.argvs())
    posted = conv.start("remove okx-auth")
    assert posted == [render("remove_question", "en")]
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "confirm_remove"
    assert call_log.argvs()[before:] == []


def test_an_explicit_request_wins_over_the_words(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    assert conv.start("log me out", okx_auth_request={"action": "login"}) == [site_menu()]
    assert LOGOUT not in call_log.argvs()
