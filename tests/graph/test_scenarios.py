"""Whole conversations with the auth graph against the offline simulator.

Each test plays one scenario of the okx-cex-auth skill turn by turn and checks
what the user reads (character for character), what the graph asks (interrupt
kind and payload), how it ends (`okx_auth`) and exactly which okx commands ran
(the simulator's call log).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from okx_auth_graph.okx import API_KEY_INSTALL_COMMAND, INSTALL_COMMAND, OAUTH_CLI_VERSION
from okx_auth_graph.prompts import Language, format_minutes, format_scopes, render
from okx_auth_graph.skill import site_menu
from tests.expected import (
    CONFIG_SHOW,
    FIRST_STEP_0,
    INSTALL,
    INSTALL_STATUS,
    NOT_A_CHOICE,
    SCOPES,
    SEED_MENU,
    SITES,
    STATUS,
    STEP_0,
    URIS,
    VERSION,
    Argv,
    inbox_payload,
    visible,
)
from tests.support import CallLog, Conversation, Simulator, keyed_config

pytestmark = pytest.mark.usefixtures("durability")

PREFLIGHT = "<config show ∥ auth status ∥ --version>"
"""Stands for a thread's first Step 0: its two commands and `okx --version`, side by side
(any order)."""
PREFLIGHT_AGAIN = "<config show ∥ auth status>"
"""Stands for a later Step 0 of the same thread: its two commands only (either order)."""
_STEP_0_CALLS = {PREFLIGHT: FIRST_STEP_0, PREFLIGHT_AGAIN: STEP_0}


# The skill's verbatim templates, copied from the seed, so an edit of a
# template file (or of the renderer) is caught even if both sides agree.
SEED_LOGIN_ZH = (
    "请在浏览器中打开下面的链接并输入验证码完成授权:\n"
    "\n"
    "站点:{site}\n"
    "链接:{uri}\n"
    "验证码:{code}\n"
    "(有效期 {minutes} 分钟)\n"
    "\n"
    "通过链接完成授权,然后告诉我。"
)
SEED_LOGIN_EN = (
    "Please open the link below in your browser and enter the verification code to authorize:\n"
    "\n"
    "Site: {site}\n"
    "URL: {uri}\n"
    "Code: {code}\n"
    "(Valid for {minutes} minutes)\n"
    "\n"
    "Please authorise current session with access to your account, tell me when you are done."
)
SEED_SUCCESS_ZH = "登录成功。\n站点:{site}\n权限:{scopes}"
SEED_SUCCESS_EN = "Login successful.\nSite: {site}\nScopes: {scopes}"

SCENARIO_KEYS = ("ak-scenario-0001-abcd", "sk-scenario-0002", "pp-scenario-0003")
KEYED_CONFIG = keyed_config(*SCENARIO_KEYS, demo=False)
KEYED_CONFIG_NO_SITE = keyed_config(*SCENARIO_KEYS, site=None, demo=False)
SITE_ONLY_CONFIG = """default_profile = "plain"

[profiles.plain]
site = "global"
demo = false
"""


# ---------------------------------------------------------------- helpers


def login_argv(site: str) -> Argv:
    """`okx auth login --manual --site <site>`."""
    return ["auth", "login", "--manual", "--site", site]


def assert_calls(actual: Sequence[Argv], *expected: Argv | str) -> None:
    """The exact okx argv sequence; a Step 0 marker matches its parallel calls in any order."""
    canonical: list[Argv] = []
    wanted: list[Argv] = []
    index = 0
    for item in expected:
        if isinstance(item, str):
            step_0 = _STEP_0_CALLS[item]
            canonical.extend(sorted(actual[index : index + len(step_0)]))
            wanted.extend(step_0)
            index += len(step_0)
        else:
            canonical.extend(actual[index : index + 1])
            wanted.append(item)
            index += 1
    canonical.extend(actual[index:])
    assert canonical == wanted


def login_text(language: Language, site: str, code: str, expires_in: int = 600) -> str:
    """The skill's login template as the graph must render it."""
    return render(
        "login",
        language,
        site=site,
        verificationUri=URIS[site],
        userCode=code,
        **{"expiresIn/60": format_minutes(expires_in)},
    )


def success_text(language: Language, site: str, scopes: Sequence[str] = SCOPES) -> str:
    """The skill's success template as the graph must render it."""
    return render("success", language, site=site, scopes=format_scopes(list(scopes)))


def phrase(key: str, language: Language, **fields: str) -> str:
    """One of the graph's own phrases."""
    return render(key, language, **fields)


def done_payload(message: str, site: str, code: str, expires_in: int = 600) -> dict[str, object]:
    """The `authorization_done` interrupt for a login this thread started."""
    return inbox_payload({
        "kind": "authorization_done",
        "message": message,
        "site": site,
        "verification_uri": URIS[site],
        "user_code": code,
        "expires_in": expires_in,
    })


def menu_payload(message: str) -> dict[str, object]:
    """The `site_choice` interrupt."""
    return inbox_payload({"kind": "site_choice", "message": message, "choices": SITES})


def sim_user_code(sim: Simulator) -> str:
    """The device code the simulated okx-auth binary is waiting on."""
    state = json.loads((sim.home / ".okx" / "okx-sim-state.json").read_text())
    return str(state["pending"]["user_code"])


def start_login(
    conv: Conversation, sim: Simulator, text: str, choice: str, language: Language, site: str
) -> str:
    """Ask to log in, pick a site and check the login template; returns the code."""
    assert conv.start(text) == [site_menu()]
    assert conv.interrupt == menu_payload(site_menu())
    posted = conv.reply(choice)
    code = sim_user_code(sim)
    assert posted == [login_text(language, site, code)]
    assert conv.interrupt == done_payload(posted[0], site, code)
    return code


# ---------------------------------------------------------------- 1-2: happy paths


def test_first_login_in_chinese(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)

    posted = conv.start("帮我登录")
    assert site_menu() == SEED_MENU
    assert posted == [SEED_MENU]
    assert conv.interrupt == inbox_payload({
        "kind": "site_choice",
        "message": SEED_MENU,
        "choices": ["global", "eea", "us"],
    })
    assert conv.outcome is None
    assert_calls(call_log.argvs(), PREFLIGHT)

    posted = conv.reply("2")
    code = sim_user_code(sim)
    expected = login_text("zh", "eea", code)
    seed = SEED_LOGIN_ZH.format(site="eea", uri=URIS["eea"], code=code, minutes="10")
    assert visible(expected) == seed
    # Each line of the site/link/code block ends in a markdown hard break.
    assert expected.split("\n")[2:6] == [f"{line}  " for line in seed.split("\n")[2:5]] + [
        seed.split("\n")[5]
    ]
    assert "(有效期 10 分钟)" in expected
    assert posted == [expected]
    assert conv.interrupt == inbox_payload({
        "kind": "authorization_done",
        "message": expected,
        "site": "eea",
        "verification_uri": "https://my.okx.com/account/oauth/device",
        "user_code": code,
        "expires_in": 600,
    })
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"))

    sim.browser("approve")
    posted = conv.reply("好了")
    expected = success_text("zh", "eea")
    assert visible(expected) == SEED_SUCCESS_ZH.format(site="eea", scopes="live:read, live:trade")
    assert posted == [expected]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert conv.human_texts() == ["帮我登录", "2", "好了"]
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"), STATUS)


@pytest.mark.parametrize("signal", ["done", "Done!"])
def test_first_login_in_english(sim: Simulator, call_log: CallLog, signal: str) -> None:
    conv = Conversation(sim)

    assert conv.start("Please log me in to OKX") == [SEED_MENU]
    assert conv.interrupt == menu_payload(SEED_MENU)

    posted = conv.reply("us")
    code = sim_user_code(sim)
    expected = login_text("en", "us", code)
    assert visible(expected) == SEED_LOGIN_EN.format(
        site="us", uri=URIS["us"], code=code, minutes="10"
    )
    assert posted == [expected]
    assert conv.interrupt == done_payload(expected, "us", code)

    sim.browser("approve")
    posted = conv.reply(signal)
    expected = success_text("en", "us")
    assert visible(expected) == SEED_SUCCESS_EN.format(site="us", scopes="live:read, live:trade")
    assert posted == [expected]
    assert conv.outcome == {"status": "logged_in", "site": "us", "scopes": SCOPES}
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("us"), STATUS)


def test_minutes_of_a_short_code_have_one_decimal(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_EXPIRES_IN", "90")
    conv = Conversation(sim)
    conv.start("log me in")
    posted = conv.reply("1")
    code = sim_user_code(sim)
    assert format_minutes(90) == "1.5"
    assert [visible(text) for text in posted] == [
        SEED_LOGIN_EN.format(site="global", uri=URIS["global"], code=code, minutes="1.5")
    ]
    assert conv.interrupt == done_payload(posted[0], "global", code, expires_in=90)


# ---------------------------------------------------------------- 3: never a default site


@pytest.mark.parametrize(
    "request_text",
    [
        "log me in",
        'The portfolio skill ran auth status and got {"status":"not_logged_in","site":"global"}: '
        "user is not_logged_in, log in",
        "us",
        "--site global",
    ],
)
def test_placeholder_site_is_ignored_and_menu_comes_first(
    sim: Simulator, call_log: CallLog, request_text: str
) -> None:
    status = json.loads(sim.run("auth", "status", "--json").stdout)
    assert (status["status"], status["site"]) == ("not_logged_in", "global")
    since = len(call_log.argvs())

    conv = Conversation(sim)
    assert conv.start(request_text) == [SEED_MENU]
    assert conv.interrupt == menu_payload(SEED_MENU)
    assert conv.outcome is None
    calls = call_log.argvs()[since:]
    assert_calls(calls, PREFLIGHT)
    assert not any(argv[:2] == ["auth", "login"] for argv in calls)


def test_profile_site_without_key_does_not_replace_the_menu(
    sim: Simulator, call_log: CallLog
) -> None:
    sim.write_config(SITE_ONLY_CONFIG)
    conv = Conversation(sim)
    assert conv.start("log me in") == [SEED_MENU]
    assert conv.interrupt == menu_payload(SEED_MENU)
    assert_calls(call_log.argvs(), PREFLIGHT)

    # The login runs on the user's answer, not on the profile's `global`.
    posted = conv.reply("2")
    assert posted == [login_text("en", "eea", sim_user_code(sim))]
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"))


# ---------------------------------------------------------------- 4-5: the menu's replies


@pytest.mark.parametrize(
    ("request_text", "language", "reply"),
    [
        ("帮我登录", "zh", "4"),
        ("log me in", "en", "Europe please"),
        ("log me in", "en", "--site us"),
        ("log me in", "en", "1; rm -rf ~"),
    ],
)
def test_not_a_choice_posts_the_menu_again(
    sim: Simulator, call_log: CallLog, request_text: str, language: Language, reply: str
) -> None:
    conv = Conversation(sim)
    conv.start(request_text)

    posted = conv.reply(reply)
    note = NOT_A_CHOICE[language]
    assert posted == [note, SEED_MENU]
    assert conv.interrupt == menu_payload(f"{note}\n\n{SEED_MENU}")
    assert conv.outcome is None
    assert_calls(call_log.argvs(), PREFLIGHT)

    posted = conv.reply("3")
    code = sim_user_code(sim)
    assert posted == [login_text(language, "us", code)]
    assert conv.human_texts() == [request_text, reply, "3"]
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("us"))


def test_choice_ignores_case_and_surrounding_spaces(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    conv.start("log me in")
    posted = conv.reply("  EEA  ")
    code = sim_user_code(sim)
    assert posted == [login_text("en", "eea", code)]
    assert conv.interrupt == done_payload(posted[0], "eea", code)
    assert conv.human_texts() == ["log me in", "  EEA  "]
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"))


@pytest.mark.parametrize(
    ("request_text", "language", "reply"),
    [("log me in", "en", "cancel"), ("帮我登录", "zh", "取消")],
)
def test_cancel_at_the_menu(
    sim: Simulator, call_log: CallLog, request_text: str, language: Language, reply: str
) -> None:
    conv = Conversation(sim)
    conv.start(request_text)
    posted = conv.reply(reply)
    assert posted == [phrase("login_cancelled", language)]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "cancelled"}
    assert_calls(call_log.argvs(), PREFLIGHT)


# ---------------------------------------------------------------- 6: pending logins


def test_pending_login_at_entry_waits_without_a_new_login(
    sim: Simulator, call_log: CallLog
) -> None:
    sim.start_pending_login("us")
    since = len(call_log.argvs())
    conv = Conversation(sim)

    posted = conv.start("帮我登录")
    text = phrase("pending_without_code", "zh")
    assert posted == [text]
    assert conv.interrupt == inbox_payload({
        "kind": "authorization_done",
        "message": text,
        "site": None,
        "verification_uri": None,
        "user_code": None,
        "expires_in": None,
    })
    assert_calls(call_log.argvs()[since:], PREFLIGHT)

    sim.browser("approve")
    posted = conv.reply("好了")
    assert [visible(text) for text in posted] == [
        SEED_SUCCESS_ZH.format(site="us", scopes="live:read, live:trade")
    ]
    assert conv.outcome == {"status": "logged_in", "site": "us", "scopes": SCOPES}
    assert_calls(call_log.argvs()[since:], PREFLIGHT, STATUS)


def test_a_message_while_waiting_is_a_reply_to_the_wait(
    sim: Simulator, call_log: CallLog
) -> None:
    conv = Conversation(sim)
    code = start_login(conv, sim, "帮我登录", "2", "zh", "eea")

    # Typed as a new message, it answers the open done-wait: not a done
    # signal, so the reminder (in the request's language), and no CLI call.
    posted = conv.start("log me in")
    reminder = phrase("reminder", "zh", site="eea", verificationUri=URIS["eea"], userCode=code)
    assert posted == [reminder]
    assert conv.interrupt == done_payload(reminder, "eea", code)
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"))


def test_new_request_after_the_wait_stopped_repeats_the_same_code(
    sim: Simulator, call_log: CallLog
) -> None:
    conv = Conversation(sim)
    code = start_login(conv, sim, "帮我登录", "2", "zh", "eea")
    assert conv.reply("取消") == [phrase("stopped_waiting", "zh")]
    assert conv.outcome == {"status": "pending", "site": "eea"}

    # A new request (the language is the new request's: English).
    posted = conv.start("log me in")
    expected = [phrase("pending_with_code", "en"), login_text("en", "eea", code)]
    assert posted == expected
    assert conv.interrupt == done_payload("\n\n".join(expected), "eea", code)
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"), PREFLIGHT_AGAIN)

    sim.browser("approve")
    assert conv.reply("done") == [success_text("en", "eea")]
    assert conv.outcome == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"), PREFLIGHT_AGAIN, STATUS)


# ---------------------------------------------------------------- 7-8: expired or denied codes


def _code_fails(sim: Simulator, how: str) -> None:
    if how == "expired":
        done = sim.run("clock", "advance", "700")
        assert done.returncode == 0, done.stderr
    else:
        sim.browser("deny")


def _reach_retry_question(
    conv: Conversation, sim: Simulator, call_log: CallLog, how: str
) -> str:
    code = start_login(conv, sim, "log me in", "2", "en", "eea")
    _code_fails(sim, how)
    posted = conv.reply("done")
    text = phrase("expired_ask_retry", "en")
    assert posted == [text]
    assert conv.interrupt == inbox_payload({"kind": "retry_login", "message": text})
    assert conv.outcome is None
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"), STATUS)
    return code


@pytest.mark.parametrize("how", ["expired", "denied"])
def test_retry_after_a_failed_code_asks_for_the_site_again(
    sim: Simulator, call_log: CallLog, how: str
) -> None:
    conv = Conversation(sim)
    first_code = _reach_retry_question(conv, sim, call_log, how)

    # "yes": Step 0 again and the menu again; the earlier `eea` is not reused.
    assert conv.reply("yes") == [SEED_MENU]
    assert conv.interrupt == menu_payload(SEED_MENU)
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"), STATUS, PREFLIGHT_AGAIN)

    posted = conv.reply("3")
    code = sim_user_code(sim)
    assert code != first_code
    assert posted == [login_text("en", "us", code)]
    assert conv.interrupt == done_payload(posted[0], "us", code)
    assert_calls(
        call_log.argvs(), PREFLIGHT, login_argv("eea"), STATUS, PREFLIGHT_AGAIN, login_argv("us")
    )

    sim.browser("approve")
    assert conv.reply("done") == [success_text("en", "us")]
    assert conv.outcome == {"status": "logged_in", "site": "us", "scopes": SCOPES}


def test_no_retry_ends_not_logged_in(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    _reach_retry_question(conv, sim, call_log, "expired")
    assert conv.reply("no") == [phrase("retry_declined", "en")]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "not_logged_in"}
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"), STATUS)


def test_unclear_retry_answer_asks_again(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    _reach_retry_question(conv, sim, call_log, "denied")
    text = phrase("retry_unclear", "en")
    assert conv.reply("hmm, what happened?") == [text]
    assert conv.interrupt == inbox_payload({"kind": "retry_login", "message": text})
    assert conv.outcome is None
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"), STATUS)

    assert conv.reply("no") == [phrase("retry_declined", "en")]
    assert conv.outcome == {"status": "not_logged_in"}


def test_cancel_at_the_retry_question_is_cancelled(sim: Simulator, call_log: CallLog) -> None:
    """DESIGN: "cancel" at any interrupt but the done-wait ends with `cancelled`."""
    conv = Conversation(sim)
    _reach_retry_question(conv, sim, call_log, "expired")
    conv.reply("cancel")
    assert conv.interrupt is None
    assert conv.outcome is not None
    assert conv.outcome["status"] == "cancelled"
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"), STATUS)


# ---------------------------------------------------------------- 9: not yet, no polling


def test_not_yet_reminder_and_cancel_while_waiting(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    code = start_login(conv, sim, "log me in", "1", "en", "global")

    # "done" without approving: exactly one status check, then wait again.
    not_yet = phrase("not_yet", "en")
    assert conv.reply("done") == [not_yet]
    assert conv.interrupt == done_payload(not_yet, "global", code)
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("global"), STATUS)

    # Not a done signal: the same link and code again, and no CLI call at all.
    reminder = phrase(
        "reminder", "en", site="global", verificationUri=URIS["global"], userCode=code
    )
    assert conv.reply("what?") == [reminder]
    assert f"URL: {URIS['global']}\nCode: {code}\n" in visible(reminder)
    assert conv.interrupt == done_payload(reminder, "global", code)
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("global"), STATUS)

    # "cancel" while waiting: the CLI still holds the login, so it is pending.
    assert conv.reply("cancel") == [phrase("stopped_waiting", "en")]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "pending", "site": "global"}
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("global"), STATUS)
    assert conv.human_texts() == ["log me in", "1", "done", "what?", "cancel"]


# ---------------------------------------------------------------- 10-11: API keys


def test_skipped_login_rereads_config_and_stops(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    conv.start("log me in")
    assert conv.interrupt == menu_payload(SEED_MENU)
    # A key appears after the preflight: Step 0.2 ran on stale data, the CLI skips.
    sim.write_config(KEYED_CONFIG)

    posted = conv.reply("1")
    assert posted == ["API key already configured (profile: main)"]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "api_key_configured", "profile": "main", "site": "eea"}
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("global"), CONFIG_SHOW)


@pytest.mark.parametrize(
    ("request_text", "language", "expected"),
    [
        ("帮我登录", "zh", "已配置 API key (profile: main)"),
        ("log me in", "en", "API key already configured (profile: main)"),
    ],
)
def test_api_key_profile_stops_before_any_login(
    sim: Simulator, call_log: CallLog, request_text: str, language: Language, expected: str
) -> None:
    sim.write_config(KEYED_CONFIG)
    conv = Conversation(sim)
    posted = conv.start(request_text)
    assert posted == [expected]
    assert posted == [phrase("api_key_configured", language, name="main")]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "api_key_configured", "profile": "main", "site": "eea"}
    assert_calls(call_log.argvs(), PREFLIGHT)


def test_api_key_profile_without_site_gets_the_menu_first(
    sim: Simulator, call_log: CallLog
) -> None:
    sim.write_config(KEYED_CONFIG_NO_SITE)
    conv = Conversation(sim)
    assert conv.start("帮我登录") == [SEED_MENU]
    assert conv.interrupt == menu_payload(SEED_MENU)

    assert conv.reply("3") == ["已配置 API key (profile: main)"]
    assert conv.interrupt is None
    assert conv.outcome is not None
    assert conv.outcome["status"] == "api_key_configured"
    assert conv.outcome["profile"] == "main"
    assert_calls(call_log.argvs(), PREFLIGHT)


def test_api_key_from_the_environment(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_API_KEY", "env-key-for-scenario-9876")
    sim.write_config(SITE_ONLY_CONFIG)
    conv = Conversation(sim)
    expected = "API key already configured (profile: OKX_API_KEY (environment))"
    assert conv.start("log me in") == [expected]
    assert conv.interrupt is None
    assert conv.outcome is not None
    assert conv.outcome["status"] == "api_key_configured"
    assert conv.outcome["profile"] == "OKX_API_KEY (environment)"
    assert_calls(call_log.argvs(), PREFLIGHT)


def test_api_key_wins_over_a_logged_in_session(sim: Simulator, call_log: CallLog) -> None:
    sim.log_in("us")
    sim.write_config(KEYED_CONFIG)
    since = len(call_log.argvs())
    conv = Conversation(sim)
    assert conv.start("log me in") == ["API key already configured (profile: main)"]
    assert conv.outcome == {"status": "api_key_configured", "profile": "main", "site": "eea"}
    assert_calls(call_log.argvs()[since:], PREFLIGHT)


# ---------------------------------------------------------------- 12: already logged in


@pytest.mark.parametrize(
    ("request_text", "language", "template"),
    [("帮我登录", "zh", SEED_SUCCESS_ZH), ("am I logged in? log me in", "en", SEED_SUCCESS_EN)],
)
def test_already_logged_in_shows_site_and_scopes_only(
    sim: Simulator, call_log: CallLog, request_text: str, language: Language, template: str
) -> None:
    sim.log_in("us")
    status = json.loads(sim.run("auth", "status", "--json").stdout)
    assert {"expiresAt", "ttl", "profile"} <= status.keys()
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start(request_text)
    expected = template.format(site="us", scopes="live:read, live:trade")
    assert posted == [success_text(language, "us")]
    assert [visible(text) for text in posted] == [expected]
    assert visible(posted[0]).splitlines() == expected.splitlines()
    for forbidden in ("expiresAt", "ttl", str(status["ttl"]), status["expiresAt"],
                      status["profile"]):
        assert forbidden not in posted[0]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "logged_in", "site": "us", "scopes": SCOPES}
    assert_calls(call_log.argvs()[since:], PREFLIGHT)


# ---------------------------------------------------------------- 13: failures


def test_old_cli_without_key_needs_an_upgrade(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "old_cli")
    conv = Conversation(sim)
    posted = conv.start("log me in")
    text = phrase("failure_cli_too_old", "en")
    assert posted == [text]
    assert f"\n{INSTALL_COMMAND}\n" in visible(text)  # a version with `okx auth`, not @latest
    assert f"version {OAUTH_CLI_VERSION}" in text
    assert "@latest" not in text
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": text}
    assert_calls(call_log.argvs(), PREFLIGHT)


def test_old_cli_with_key_is_api_key_configured(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.write_config(KEYED_CONFIG)
    monkeypatch.setenv("OKX_SIM_FAULT", "old_cli")
    conv = Conversation(sim)
    assert conv.start("帮我登录") == ["已配置 API key (profile: main)"]
    assert conv.outcome == {"status": "api_key_configured", "profile": "main", "site": "eea"}
    assert_calls(call_log.argvs(), PREFLIGHT)


def test_missing_cli_needs_an_install(okx_home: Path, call_log: CallLog, tmp_path: Path) -> None:
    nowhere = Simulator(str(tmp_path / "nope"), okx_home, call_log)
    conv = Conversation(nowhere)
    posted = conv.start("log me in")
    text = phrase("failure_cli_not_found", "en")
    assert posted == [text]
    assert f"\n{INSTALL_COMMAND}\n" in visible(text)  # the bare package would be too old
    assert f"install it with {API_KEY_INSTALL_COMMAND} and run okx config init" in text
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": text}
    assert call_log.argvs() == []


def _assert_status_repaired(calls: Sequence[Argv], then: Sequence[Argv] = ()) -> None:
    """config show and --version (in parallel) + status, install, install-status, status,
    then `then`."""
    chain = [STATUS, INSTALL, INSTALL_STATUS, STATUS]
    beside = [CONFIG_SHOW, VERSION]
    head = list(calls[: len(chain) + len(beside)])
    assert sorted(argv for argv in head if argv in beside) == sorted(beside)
    assert [argv for argv in head if argv not in beside] == chain
    assert list(calls[len(chain) + len(beside) :]) == list(then)


def test_missing_auth_binary_is_reinstalled_and_the_login_goes_on(
    sim: Simulator, call_log: CallLog
) -> None:
    removed = sim.run("auth", "remove", "--force")
    assert removed.returncode == 0, removed.stderr
    since = len(call_log.argvs())
    conv = Conversation(sim)

    posted = conv.start("log me in")
    note = phrase("binary_reinstalled", "en")
    assert posted == [note, SEED_MENU]
    assert conv.interrupt == menu_payload(f"{note}\n\n{SEED_MENU}")
    _assert_status_repaired(call_log.argvs()[since:])

    posted = conv.reply("2")
    code = sim_user_code(sim)
    assert posted == [login_text("en", "eea", code)]
    sim.browser("approve")
    assert conv.reply("done") == [success_text("en", "eea")]
    assert conv.outcome == {"status": "logged_in", "site": "eea", "scopes": SCOPES}
    _assert_status_repaired(call_log.argvs()[since:], [login_argv("eea"), STATUS])


def test_missing_auth_binary_at_the_done_check_is_reinstalled(
    sim: Simulator, call_log: CallLog
) -> None:
    conv = Conversation(sim)
    start_login(conv, sim, "log me in", "3", "en", "us")
    sim.browser("approve")
    assert sim.run("auth", "remove", "--force").returncode == 0
    since = len(call_log.argvs())

    posted = conv.reply("done")
    assert posted == [phrase("binary_reinstalled", "en"), success_text("en", "us")]
    assert conv.outcome == {"status": "logged_in", "site": "us", "scopes": SCOPES}
    assert call_log.argvs()[since:] == [STATUS, INSTALL, INSTALL_STATUS, STATUS]


def test_auth_binary_that_stays_broken_needs_user_action(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "binary_missing")
    monkeypatch.setenv("OKX_SIM_FAULT_ON", "auth status")
    conv = Conversation(sim)
    posted = conv.start("log me in")
    detail = f"Failed to spawn okx-auth: spawn {sim.home}/.okx/bin/okx-auth ENOENT"
    text = phrase("failure_spawn_failed", "en", detail=detail)
    assert posted == [text]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": text}
    # Repaired once, automatically, and not again.
    _assert_status_repaired(call_log.argvs())


def test_garbage_status_output_is_a_clear_error(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "garbage")
    monkeypatch.setenv("OKX_SIM_FAULT_ON", "auth status")
    conv = Conversation(sim)
    posted = conv.start("帮我登录")
    text = phrase("failure_malformed_output", "zh", command="okx auth status --json")
    assert posted == [text]
    assert "okx 命令行工具输出了无法识别的内容(来自 okx auth status --json)" in text
    assert conv.interrupt is None
    assert conv.outcome == {"status": "error", "message": text}
    assert_calls(call_log.argvs(), PREFLIGHT)


@pytest.mark.integration  # the hung okx process must be gone: a real process
def test_hanging_status_is_stopped_and_reported(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "hang")
    monkeypatch.setenv("OKX_SIM_FAULT_ON", "auth status")
    conv = Conversation(sim, context_overrides={"timeout_seconds": 1})
    posted = conv.start("log me in")
    text = phrase(
        "failure_timeout", "en", detail="no answer within 1 seconds; the process was stopped"
    )
    assert posted == [text]
    assert "did not answer in time" in text
    assert conv.interrupt is None
    assert conv.outcome == {"status": "error", "message": text}
    assert_calls(call_log.argvs(), PREFLIGHT)

    hung = next(e for e in call_log.entries() if e["argv"] == STATUS)
    assert hung["end"] is None
    deadline = time.monotonic() + 5
    while True:
        try:
            os.kill(hung["pid"], 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "the hung okx process was left running"
        time.sleep(0.05)


# ---------------------------------------------------------------- 14: parallel preflight


def test_preflight_commands_overlap(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "slow:0.5")
    conv = Conversation(sim)
    assert conv.start("log me in") == [SEED_MENU]
    calls = call_log.entries()[:3]
    assert sorted(call["argv"] for call in calls) == FIRST_STEP_0
    assert all(call["end"] - call["start"] >= 0.5 for call in calls)
    # All three at once: `okx --version` adds no wait of its own to Step 0.
    assert max(call["start"] for call in calls) < min(call["end"] for call in calls)


# ---------------------------------------------------------------- 15: language


def test_context_language_overrides_a_chinese_message(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim, context_overrides={"language": "en"})
    assert conv.start("帮我登录") == [SEED_MENU]  # the menu is Chinese in every conversation
    posted = conv.reply("2")
    code = sim_user_code(sim)
    assert [visible(text) for text in posted] == [
        SEED_LOGIN_EN.format(site="eea", uri=URIS["eea"], code=code, minutes="10")
    ]
    sim.browser("approve")
    assert [visible(text) for text in conv.reply("好了")] == [
        SEED_SUCCESS_EN.format(site="eea", scopes="live:read, live:trade")
    ]
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("eea"), STATUS)


def test_chinese_replies_keep_an_english_conversation_english(
    sim: Simulator, call_log: CallLog
) -> None:
    conv = Conversation(sim)
    conv.start("log me in")
    conv.reply("1")
    code = sim_user_code(sim)
    not_yet = phrase("not_yet", "en")
    assert conv.reply("好了") == [not_yet]  # not approved yet: English all the same
    assert conv.interrupt == done_payload(not_yet, "global", code)
    sim.browser("approve")
    assert [visible(text) for text in conv.reply("完成了。")] == [
        SEED_SUCCESS_EN.format(site="global", scopes="live:read, live:trade")
    ]
    assert conv.outcome == {"status": "logged_in", "site": "global", "scopes": SCOPES}
    assert_calls(call_log.argvs(), PREFLIGHT, login_argv("global"), STATUS, STATUS)


# ---------------------------------------------------------------- Step 0.2.a: a rejected key


def test_rejected_api_key_offers_two_options_and_waits(sim: Simulator, call_log: CallLog) -> None:
    """DESIGN rule 6 and its interrupt kinds: 0.2.a offers the options, then *waits*.

    The user's choice (replace the key, or switch to OAuth) must come back to
    this thread as the answer to an `api_key_remedy` interrupt; ending the
    run would make the next message ("2") start an unrelated request.
    """
    sim.write_config(KEYED_CONFIG)
    conv = Conversation(sim)
    posted = conv.start(
        "my balance call failed",
        okx_auth_request={
            "action": "recover",
            "error": "401 Unauthorized: Invalid API-KEY (code 50111)",
            "command": ["account", "balance"],
        },
    )
    text = phrase("api_key_remedy", "en", name="main", host="my.okx.com")
    assert posted == [text]
    assert text.index("1. Replace the API key") < text.index("2. Switch entirely to OAuth")
    assert "recommended" not in text.lower()
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "api_key_remedy"
    assert conv.interrupt["message"] == text
    assert conv.outcome is None
    assert_calls(call_log.argvs(), PREFLIGHT)
