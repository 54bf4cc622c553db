"""The `recover` entry: one scenario per row of the skill's Error Reference table.

A recover request carries the text a failed okx command printed (and its argv).
The graph must run the Step 0 preflight first (`config show` ∥ `auth status`),
then route on the classified error: a new login for session errors (the menu
and the gate, never a defaulted site), the skill's two neutral options for a
rejected API key, the binary repair for "Failed to spawn okx-auth", and the
skill's action for the rest. Each test checks the texts posted, the interrupt,
the `okx_auth` outcome and the exact okx argv sequence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pytest

from okx_auth_graph.okx import INSTALL_COMMAND
from okx_auth_graph.prompts import Language, format_minutes, format_scopes, render
from okx_auth_graph.skill import site_menu
from tests.expected import (
    CONFIG_SHOW,
    INSTALL,
    INSTALL_STATUS,
    NOT_A_CHOICE,
    SCOPES,
    SEED_MENU,
    SITES,
    STATUS,
    URIS,
    VERSION,
    Argv,
    inbox_payload,
)
from tests.support import CallLog, Conversation, Simulator, keyed_config

REMOVE_FORCE: Argv = ["auth", "remove", "--force"]
BALANCE: Argv = ["account", "balance"]



KEY_SECRETS = ("ak-recover-0001-wxyz", "sk-recover-0002", "pp-recover-0003")
KEYED_EEA_CONFIG = keyed_config(*KEY_SECRETS, demo=False)



# ---------------------------------------------------------------- helpers


def recover(error: str, command: Sequence[str] = BALANCE) -> dict[str, Any]:
    """An `okx_auth_request` to recover from a failed command."""
    return {"action": "recover", "error": error, "command": list(command)}


def assert_calls(
    actual: Sequence[Argv], *after: Argv, status_branch: Sequence[Argv] = (STATUS,)
) -> None:
    """The exact okx argv sequence: the thread's first preflight, then `after`.

    The preflight's calls run in parallel, so `config show` and `okx
    --version` may land anywhere among the status half's calls (`auth
    status`, plus the binary repair when `auth status` cannot spawn
    okx-auth); each must run exactly once.
    """
    beside = (CONFIG_SHOW, VERSION)
    size = len(status_branch) + len(beside)
    head = list(actual[:size])
    for call in beside:
        assert head.count(call) == 1, actual
        head.remove(call)
    assert (head, list(actual[size:])) == (list(status_branch), list(after)), actual


def menu_payload(message: str) -> dict[str, object]:
    """The `site_choice` interrupt."""
    return inbox_payload({"kind": "site_choice", "message": message, "choices": SITES})


def login_argv(site: str) -> Argv:
    """`okx auth login --manual --site <site>`."""
    return ["auth", "login", "--manual", "--site", site]


def login_text(language: Language, site: str, code: str) -> str:
    """The skill's login template for a 600-second code."""
    return render(
        "login",
        language,
        site=site,
        verificationUri=URIS[site],
        userCode=code,
        **{"expiresIn/60": format_minutes(600)},
    )


def sim_user_code(sim: Simulator) -> str:
    """The device code the simulated okx-auth binary is waiting on."""
    state = json.loads((sim.home / ".okx" / "okx-sim-state.json").read_text())
    return str(state["pending"]["user_code"])


def spawn_error(sim: Simulator) -> str:
    """What the CLI prints when it cannot spawn the okx-auth binary."""
    return f"Error: Failed to spawn okx-auth: spawn {sim.home / '.okx' / 'bin' / 'okx-auth'} ENOENT"


def remove_binary_for_real(sim: Simulator) -> None:
    """`okx auth remove --force` outside the graph: the auth commands then cannot spawn."""
    done = sim.run(*REMOVE_FORCE)
    assert done.returncode == 0, done.stderr


def everything_shown(conv: Conversation) -> str:
    """All the user or a parent graph can read: messages, interrupt and outcome."""
    texts = [str(m.content) for m in conv.messages]
    return "\n".join([*texts, json.dumps(conv.interrupt), json.dumps(conv.outcome)])


def complete_login(
    conv: Conversation,
    sim: Simulator,
    call_log: CallLog,
    language: Language,
    choice: str,
    site: str,
    done: str,
    next_skill: str | None = None,
    before: Sequence[Argv] = (),
) -> None:
    """From the open menu: choose, see the code, approve in the browser, say done.

    `next_skill` is where the request that started it goes once signed in;
    `before` are the okx calls made between the preflight and the menu.
    """
    posted = conv.reply(choice)
    code = sim_user_code(sim)
    expected = login_text(language, site, code)
    assert posted == [expected]
    assert conv.interrupt == inbox_payload({
        "kind": "authorization_done",
        "message": expected,
        "site": site,
        "verification_uri": URIS[site],
        "user_code": code,
        "expires_in": 600,
    })
    assert_calls(call_log.argvs(), *before, login_argv(site))

    sim.browser("approve")
    posted = conv.reply(done)
    assert posted == [render("success", language, site=site, scopes=format_scopes(SCOPES))]
    assert conv.interrupt is None
    routed = {"next_skill": next_skill} if next_skill else {}
    assert conv.outcome == {"status": "logged_in", "site": site, "scopes": SCOPES, **routed}
    assert_calls(call_log.argvs(), *before, login_argv(site), STATUS)


# ---------------------------------------------------------------- errors a new login fixes


@pytest.mark.parametrize(
    ("error", "kind", "text", "language", "choice", "site", "done", "next_skill"),
    [
        (
            "Session expired — run okx auth login again",
            "session_expired", "my balance failed", "en", "1", "global", "done", "portfolio",
        ),
        (
            "Error: Not authenticated. Run okx auth login first.",
            "not_authenticated", "查一下余额", "zh", "2", "eea", "好了", "portfolio",
        ),
        (
            "requires_auth",
            "not_authenticated", "buy 0.1 BTC", "en", "us", "us", "done", "trade",
        ),
        ("token expired", "not_authenticated", "网格机器人失败了", "zh", "3", "us", "完成", "bot"),
        (
            "Login failed: Authorization timed out",
            "authorization_timed_out", "the login timed out", "en", "eea", "eea", "ok", None,
        ),
        (
            "Login failed: Access denied",
            "access_denied", "登录被拒绝了", "zh", "1", "global", "好了", None,
        ),
    ],
)
def test_session_errors_explain_then_post_the_menu_and_log_in(
    sim: Simulator,
    call_log: CallLog,
    error: str,
    kind: str,
    text: str,
    language: Language,
    choice: str,
    site: str,
    done: str,
    next_skill: str | None,
) -> None:
    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=recover(error))

    explanation = render(f"failure_{kind}", language)
    assert site_menu() == SEED_MENU
    assert posted == [explanation, SEED_MENU]
    assert conv.interrupt == menu_payload(f"{explanation}\n\n{SEED_MENU}")
    assert conv.outcome is None
    assert_calls(call_log.argvs())

    complete_login(conv, sim, call_log, language, choice, site, done, next_skill)


def test_real_session_expiry_is_recovered_and_the_command_works_again(
    sim: Simulator, call_log: CallLog
) -> None:
    sim.log_in("global")
    assert sim.run("session", "expire").returncode == 0
    failed = sim.run(*BALANCE)
    assert failed.returncode == 1
    assert failed.stderr.startswith("Error: Session expired — run okx auth login again\nVersion: ")
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start("show my balance", okx_auth_request=recover(failed.stderr))
    explanation = render("failure_session_expired", "en")
    assert posted == [explanation, SEED_MENU]
    assert conv.interrupt == menu_payload(f"{explanation}\n\n{SEED_MENU}")
    assert_calls(call_log.argvs()[since:])

    posted = conv.reply("3")
    code = sim_user_code(sim)
    assert posted == [login_text("en", "us", code)]
    sim.browser("approve")
    success = render("success", "en", site="us", scopes="live:read, live:trade")
    assert conv.reply("done") == [success]
    assert conv.outcome == {
        "status": "logged_in", "site": "us", "scopes": SCOPES, "next_skill": "portfolio",
    }
    assert_calls(call_log.argvs()[since:], login_argv("us"), STATUS)
    assert sim.run(*BALANCE).returncode == 0


def test_relogin_menu_rejects_a_non_choice(sim: Simulator, call_log: CallLog) -> None:
    conv = Conversation(sim)
    error = "Session expired — run okx auth login again"
    conv.start("balance failed", okx_auth_request=recover(error))
    posted = conv.reply("the same as before")
    note = NOT_A_CHOICE["en"]
    assert posted == [note, SEED_MENU]
    assert conv.interrupt == menu_payload(f"{note}\n\n{SEED_MENU}")
    assert conv.outcome is None
    assert_calls(call_log.argvs())


# ---------------------------------------------------------------- Step 0.2.a: a rejected API key


API_KEY_ERRORS = [
    "401 Unauthorized",
    "Invalid Sign",
    "50111",
    "50113",
    '{"code":"50113","msg":"Invalid Sign"}',
]


def remedy_payload(message: str) -> dict[str, object]:
    """The `api_key_remedy` interrupt for the keyed profile `main`."""
    return inbox_payload({
        "kind": "api_key_remedy",
        "message": message,
        "profile": "main",
        "options": ["replace_api_key", "switch_to_oauth"],
    })


def assert_neutral_options(remedy: str) -> None:
    """Both options, "1." before "2.", neither labelled as recommended."""
    assert "https://my.okx.com/account/my-api" in remedy
    one, two = remedy.index("  1. "), remedy.index("  2. ")
    assert one < two
    option_one = remedy[one:two]
    option_two = remedy[two:].split("\n\n")[0]
    for option in (option_one, option_two):
        assert "recommended" not in option.lower()
        assert "推荐" not in option
    assert "recommended" not in remedy.lower()
    assert "推荐" not in remedy
    assert "okx config init" in option_one
    assert "OAuth" in option_two


def start_api_key_remedy(
    conv: Conversation, call_log: CallLog, error: str, text: str, language: Language
) -> str:
    """A rejected key with a keyed EEA profile: the two options and the question."""
    posted = conv.start(text, okx_auth_request=recover(error))
    remedy = render("api_key_remedy", language, name="main", host="my.okx.com")
    assert posted == [remedy]
    assert_neutral_options(remedy)
    assert conv.interrupt == remedy_payload(remedy)
    assert conv.outcome is None
    assert_calls(call_log.argvs())
    return remedy


def assert_no_login_and_no_secret(conv: Conversation, call_log: CallLog) -> None:
    """Step 0.2.a never logs in, and the profile's secrets never surface."""
    shown = everything_shown(conv)
    for secret in KEY_SECRETS:
        assert secret not in shown
    assert not call_log.logins()


@pytest.mark.parametrize(
    ("error", "text", "language", "choice"),
    [
        ("401 Unauthorized", "balance failed", "en", "1"),
        ("50113", "查余额失败", "zh", "1"),
        ('{"code":"50113","msg":"Invalid Sign"}', "balance failed", "en", " 1. "),
    ],
)
def test_rejected_api_key_option_one_sends_the_user_to_okx_config_init(
    sim: Simulator,
    call_log: CallLog,
    error: str,
    text: str,
    language: Language,
    choice: str,
) -> None:
    sim.write_config(KEYED_EEA_CONFIG)
    conv = Conversation(sim)
    start_api_key_remedy(conv, call_log, error, text, language)

    posted = conv.reply(choice)
    answer = render("remedy_replace", language, name="main", host="my.okx.com")
    assert posted == [answer]
    assert "recommended" not in answer.lower()
    assert "推荐" not in answer
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "profile": "main", "message": answer}
    assert conv.human_texts() == [text, choice]
    assert_calls(call_log.argvs())
    assert_no_login_and_no_secret(conv, call_log)


@pytest.mark.parametrize(
    ("text", "language", "unclear"),
    [("balance failed", "en", "which one do you recommend?"), ("查余额失败", "zh", "你选吧")],
)
def test_api_key_remedy_never_picks_for_the_user(
    sim: Simulator, call_log: CallLog, text: str, language: Language, unclear: str
) -> None:
    sim.write_config(KEYED_EEA_CONFIG)
    conv = Conversation(sim)
    start_api_key_remedy(conv, call_log, "Invalid Sign", text, language)

    posted = conv.reply(unclear)
    again = render("one_or_two", language)
    assert posted == [again]
    assert conv.interrupt == remedy_payload(again)
    assert conv.outcome is None

    posted = conv.reply("1")
    answer = render("remedy_replace", language, name="main", host="my.okx.com")
    assert posted == [answer]
    assert conv.outcome == {"status": "needs_user_action", "profile": "main", "message": answer}
    assert_calls(call_log.argvs())
    assert_no_login_and_no_secret(conv, call_log)


@pytest.mark.parametrize(
    ("text", "language", "reply"),
    [("balance failed", "en", "cancel"), ("查余额失败", "zh", "取消")],
)
def test_api_key_remedy_cancelled(
    sim: Simulator, call_log: CallLog, text: str, language: Language, reply: str
) -> None:
    sim.write_config(KEYED_EEA_CONFIG)
    conv = Conversation(sim)
    start_api_key_remedy(conv, call_log, "50113", text, language)

    posted = conv.reply(reply)
    assert posted == [render("login_cancelled", language)]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "cancelled", "profile": "main"}
    assert_calls(call_log.argvs())
    assert_no_login_and_no_secret(conv, call_log)


@pytest.mark.parametrize("error", API_KEY_ERRORS)
def test_rejected_api_key_without_a_keyed_profile_is_the_login_flow(
    sim: Simulator, call_log: CallLog, error: str
) -> None:
    """No key is configured, so the refused credential was the session: a login, said so."""
    conv = Conversation(sim)
    posted = conv.start("balance failed", okx_auth_request=recover(error))

    explanation = render("failure_not_authenticated", "en")
    assert posted == [explanation, SEED_MENU]
    assert conv.interrupt == menu_payload(f"{explanation}\n\n{SEED_MENU}")
    assert conv.outcome is None
    assert_calls(call_log.argvs())

    complete_login(conv, sim, call_log, "en", "2", "eea", "done", "portfolio")


# ---------------------------------------------------------------- Failed to spawn okx-auth


@pytest.mark.parametrize(("text", "language"), [("auth status failed", "en"), ("认证失败", "zh")])
def test_spawn_failure_with_the_binary_present_repairs_and_retries(
    sim: Simulator, call_log: CallLog, text: str, language: Language
) -> None:
    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=recover(spawn_error(sim), STATUS))

    assert posted == [
        render("binary_reinstalled", language),
        render("retried_command", language, command="auth status --json"),
    ]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "not_logged_in"}
    assert_calls(call_log.argvs(), INSTALL, INSTALL_STATUS, STATUS)


def test_spawn_failure_with_the_binary_removed_repairs_once(
    sim: Simulator, call_log: CallLog
) -> None:
    """The preflight's own `auth status` meets the missing binary and repairs it.

    That is the one automatic repair the skill prescribes: the binary is
    installed once and the user is told once; afterwards only the failed
    command is run again.
    """
    remove_binary_for_real(sim)
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start("auth status failed", okx_auth_request=recover(spawn_error(sim), STATUS))

    assert posted == [
        render("binary_reinstalled", "en"),
        render("retried_command", "en", command="auth status --json"),
    ]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "not_logged_in"}
    calls = call_log.argvs()[since:]
    assert calls.count(INSTALL) == 1
    assert_calls(calls, STATUS, status_branch=(STATUS, INSTALL, INSTALL_STATUS, STATUS))


def test_spawn_failure_of_a_login_repairs_but_logs_in_only_through_the_gate(
    sim: Simulator, call_log: CallLog
) -> None:
    """The failed command was a login: retrying it would skip the menu and the gate.

    After the repair the login must go through Step 0.1 (the menu, the user's
    choice) like every other login; `auth login` runs only with the chosen site.
    """
    command = login_argv("global")
    conv = Conversation(sim)
    posted = conv.start("log me in", okx_auth_request=recover(spawn_error(sim), command))

    calls = call_log.argvs()
    assert not any(argv[:2] == ["auth", "login"] for argv in calls), calls
    assert posted[-1] == SEED_MENU
    assert render("binary_reinstalled", "en") in posted
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "site_choice"
    assert conv.outcome is None
    assert_calls(calls, INSTALL, INSTALL_STATUS)

    posted = conv.reply("2")
    code = sim_user_code(sim)
    assert posted == [login_text("en", "eea", code)]
    assert_calls(call_log.argvs(), INSTALL, INSTALL_STATUS, login_argv("eea"))


def test_spawn_failure_never_removes_the_binary_unasked(
    sim: Simulator, call_log: CallLog
) -> None:
    """Removing the binary is always asked first (`confirm_remove`), even on a retry."""
    conv = Conversation(sim)
    conv.start("fix it", okx_auth_request=recover(spawn_error(sim), REMOVE_FORCE))
    calls = call_log.argvs()
    assert REMOVE_FORCE not in calls, calls
    done = sim.run(*INSTALL_STATUS)
    assert json.loads(done.stdout)["installed"] is True


@pytest.mark.parametrize(("text", "language"), [("auth status failed", "en"), ("认证失败", "zh")])
def test_spawn_failure_when_the_install_fails_needs_user_action(
    sim: Simulator,
    call_log: CallLog,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    language: Language,
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "cdn_fail")
    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=recover(spawn_error(sim), STATUS))

    expected = render("failure_install_cdn_failed", language)
    assert posted == [expected]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": expected}
    assert_calls(call_log.argvs(), INSTALL)


def test_spawn_failure_with_the_binary_removed_and_the_install_failing(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    remove_binary_for_real(sim)
    since = len(call_log.argvs())
    monkeypatch.setenv("OKX_SIM_FAULT", "cdn_fail")

    conv = Conversation(sim)
    posted = conv.start("auth status failed", okx_auth_request=recover(spawn_error(sim), STATUS))

    expected = render("failure_install_cdn_failed", "en")
    assert posted == [expected]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": expected}
    assert_calls(call_log.argvs()[since:], status_branch=(STATUS, INSTALL))


def test_spawn_failure_that_reinstalling_does_not_fix(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "binary_missing")
    conv = Conversation(sim)
    posted = conv.start("auth status failed", okx_auth_request=recover(spawn_error(sim), STATUS))

    expected = render("failure_spawn_failed", "en", detail=spawn_error(sim).removeprefix("Error: "))
    assert posted == [expected]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": expected}
    assert_calls(call_log.argvs(), status_branch=(STATUS, INSTALL, INSTALL_STATUS, STATUS))


# ---------------------------------------------------------------- the skill's action for the rest


@pytest.mark.parametrize(("text", "language"), [("install failed", "en"), ("安装失败", "zh")])
def test_cdn_failure_text(
    sim: Simulator, call_log: CallLog, text: str, language: Language
) -> None:
    conv = Conversation(sim)
    posted = conv.start(
        text,
        okx_auth_request=recover(
            "Installation failed: All CDN sources failed", ["auth", "install"]
        ),
    )
    expected = render("failure_install_cdn_failed", language)
    assert posted == [expected]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": expected}
    assert_calls(call_log.argvs())


@pytest.mark.parametrize(
    "error",
    [
        "Error 51155: This instrument is not available in your region",
        "Error 51734: region restriction",
        # The real CLI's words for 51155: no code, its fixed hint names the cause.
        "Error: You can't trade this pair or borrow this crypto due to local compliance "
        "restrictions.\nHint: Feature unavailable in your region (site: eea). Verify your site "
        "setting matches your account registration region. Available sites: global, eea, us. "
        "Do not retry.\nVersion: @okx_ai/okx-trade-cli@1.2.4\n",
    ],
    ids=["51155", "51734", "real-cli-51155"],
)
@pytest.mark.parametrize(("text", "language"), [("order failed", "en"), ("下单失败", "zh")])
def test_region_restriction_names_the_site_and_offers_another(
    sim: Simulator, call_log: CallLog, error: str, text: str, language: Language
) -> None:
    sim.log_in("eea")
    since = len(call_log.argvs())

    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=recover(error, ["spot", "place"]))

    expected = "\n".join((
        render("failure_region_restricted", language),
        render("current_site", language, site="eea"),
        render("offer_other_site", language),
    ))
    assert posted == [expected]
    assert conv.interrupt == inbox_payload({"kind": "retry_login", "message": expected})
    assert conv.outcome is None
    calls = call_log.argvs()[since:]
    assert_calls(calls)
    assert not any(argv[:2] in (["auth", "login"], ["auth", "logout"]) for argv in calls)


def test_region_restriction_yes_logs_in_on_the_site_the_user_picks(
    sim: Simulator, call_log: CallLog
) -> None:
    """A live session does not end the flow: the menu, the gate, then a new login."""
    sim.log_in("eea")
    since = len(call_log.argvs())
    conv = Conversation(sim)
    conv.start("order failed", okx_auth_request=recover("Error 51155: region", ["spot", "place"]))

    assert conv.reply("yes") == [SEED_MENU]
    assert conv.interrupt == menu_payload(SEED_MENU)
    assert_calls(call_log.argvs()[since:])

    posted = conv.reply("1")
    code = sim_user_code(sim)
    assert posted == [login_text("en", "global", code)]
    sim.browser("approve")
    success = render("success", "en", site="global", scopes="live:read, live:trade")
    assert conv.reply("done") == [success]
    assert conv.outcome == {
        "status": "logged_in", "site": "global", "scopes": SCOPES, "next_skill": "trade",
    }
    assert_calls(call_log.argvs()[since:], login_argv("global"), STATUS)


def test_region_restriction_no_keeps_the_session(sim: Simulator, call_log: CallLog) -> None:
    sim.log_in("eea")
    since = len(call_log.argvs())
    conv = Conversation(sim)
    conv.start("下单失败", okx_auth_request=recover("Error 51734: region", ["spot", "place"]))

    assert conv.reply("不") == [render("site_unchanged", "zh")]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "logged_in", "site": "eea"}
    assert_calls(call_log.argvs()[since:])


def test_region_restriction_for_an_api_key_user_names_the_profile_site(
    sim: Simulator, call_log: CallLog
) -> None:
    """API-key users keep their site in the profile; an OAuth login would not be used."""
    sim.write_config(KEYED_EEA_CONFIG)
    conv = Conversation(sim)
    posted = conv.start(
        "order failed", okx_auth_request=recover("Error 51155: region", ["spot", "place"])
    )

    expected = "\n".join((
        render("failure_region_restricted", "en"),
        render("current_site", "en", site="eea"),
        render("key_site_hint", "en"),
    ))
    assert posted == [expected]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "site": "eea", "message": expected}
    assert_calls(call_log.argvs())


def test_region_restriction_without_any_known_site_reports_no_fake_site(
    sim: Simulator, call_log: CallLog
) -> None:
    """Nobody logged in and no profile site: no placeholder site is named."""
    conv = Conversation(sim)
    posted = conv.start(
        "order failed", okx_auth_request=recover("Error 51734: region", ["spot", "place"])
    )
    expected = "\n".join((
        render("failure_region_restricted", "en"),
        render("current_site_unknown", "en"),
        render("offer_other_site", "en"),
    ))
    assert posted == [expected]
    assert conv.interrupt == inbox_payload({"kind": "retry_login", "message": expected})
    assert conv.reply("no") == [render("site_unchanged", "en")]
    assert conv.outcome == {"status": "not_logged_in", "site": None}
    assert_calls(call_log.argvs())


@pytest.mark.parametrize(
    ("error", "phrase", "command"),
    [
        ("Network error during login", "failure_network_error", ["auth", "login"]),
        ("No config found. Run okx config init first.", "failure_no_config", BALANCE),
    ],
)
@pytest.mark.parametrize(("text", "language"), [("it failed", "en"), ("失败了", "zh")])
def test_action_only_errors(
    sim: Simulator,
    call_log: CallLog,
    error: str,
    phrase: str,
    command: Argv,
    text: str,
    language: Language,
) -> None:
    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=recover(error, command))
    expected = render(phrase, language)
    assert posted == [expected]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": expected}
    assert_calls(call_log.argvs())


def test_unknown_error_is_shown_as_is(sim: Simulator, call_log: CallLog) -> None:
    error = "Error: something odd happened (code 7)"
    conv = Conversation(sim)
    posted = conv.start("it failed", okx_auth_request=recover(error))
    expected = render("failure_unknown", "en", detail="something odd happened (code 7)")
    assert posted == [expected]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "error", "message": expected}
    assert_calls(call_log.argvs())


def test_unknown_real_cli_error_shows_its_message_without_the_hint_or_the_notice(
    sim: Simulator, call_log: CallLog
) -> None:
    error = (
        "\nUpdate available for @okx_ai/okx-trade-cli: 1.2.4 \u2192 1.3.2\n"
        "Run: npm install -g @okx_ai/okx-trade-cli\n\n"
        "Error: something odd happened\n"
        "Hint: Configure OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE.\n"
        "Version: @okx_ai/okx-trade-cli@1.2.4\n"
    )
    conv = Conversation(sim)
    posted = conv.start("it failed", okx_auth_request=recover(error))
    assert posted == [render("failure_unknown", "en", detail="something odd happened")]
    assert "OKX_API_KEY" not in json.dumps(conv.outcome)
    assert_calls(call_log.argvs())


@pytest.mark.parametrize(("text", "language"), [("it failed", "en"), ("失败了", "zh")])
def test_unknown_error_masks_a_secret_in_its_text(
    sim: Simulator, call_log: CallLog, text: str, language: Language
) -> None:
    error = "Error: request rejected api_key=ABCDEFGH1234 while signing"
    conv = Conversation(sim)
    posted = conv.start(text, okx_auth_request=recover(error))

    expected = render(
        "failure_unknown", language, detail="request rejected api_key=***1234 while signing"
    )
    assert posted == [expected]
    assert conv.outcome == {"status": "error", "message": expected}
    assert "ABCDEFGH1234" not in "\n".join(posted)
    assert "ABCDEFGH" not in json.dumps(conv.outcome)
    failure = conv.graph.get_state(conv.config).values.get("failure")
    assert "ABCDEFGH1234" not in repr(failure)
    assert_calls(call_log.argvs())


@pytest.mark.parametrize(("text", "language"), [("balance failed", "en"), ("查余额失败", "zh")])
def test_old_cli_needs_an_upgrade(
    sim: Simulator,
    call_log: CallLog,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    language: Language,
) -> None:
    monkeypatch.setenv("OKX_SIM_FAULT", "old_cli")
    conv = Conversation(sim)
    posted = conv.start(
        text, okx_auth_request=recover("Session expired — run okx auth login again")
    )
    expected = render("failure_cli_too_old", language)
    assert posted == [expected]
    assert INSTALL_COMMAND in expected
    assert "@latest" not in expected
    assert conv.interrupt is None
    assert conv.outcome == {"status": "needs_user_action", "message": expected}
    calls = call_log.argvs()
    assert_calls(calls)
    assert not re.search(r"\bauth login\b", " ".join(" ".join(argv) for argv in calls))


# ---------------------------------------------------------------- the failed command is data

DISGUISED_LOGINS: list[Argv] = [
    ["--json", "auth", "login", "--site", "us"],
    ["auth", "--json", "login", "--site", "us"],
    ["--profile", "demo", "auth", "login", "--site", "us"],
    ["auth", "login", "--site=us"],
    ["AUTH", "Login", "--manual", "--site", "us"],
]
FOREIGN_COMMANDS: list[Argv] = [
    ["config", "init", "--api-key", "ak-planted-9999", "--secret-key", "sk", "--passphrase", "p"],
    ["spot", "place", "--instId", "BTC-USDT", "--side", "buy", "--sz", "1"],
    ["account", "transfer", "--ccy", "USDT", "--amt", "100", "--from", "18", "--to", "6"],
    ["account", "balance"],
    ["--json", "definitely-not-a-command"],
]


def _ran(calls: Sequence[Argv], words: Sequence[str]) -> bool:
    """Whether any logged call carries all of `words`."""
    return any(all(word in argv for word in words) for argv in calls)


@pytest.mark.parametrize("command", DISGUISED_LOGINS, ids=" ".join)
def test_a_login_in_any_spelling_after_the_repair_goes_through_the_menu(
    sim: Simulator, call_log: CallLog, command: Argv
) -> None:
    conv = Conversation(sim)
    posted = conv.start("retry", okx_auth_request=recover(spawn_error(sim), command))

    calls = call_log.argvs()
    assert not any("login" in argv for argv in calls), calls
    assert posted[-1] == SEED_MENU
    assert conv.interrupt is not None
    assert conv.interrupt["kind"] == "site_choice"
    assert_calls(calls, INSTALL, INSTALL_STATUS)

    conv.reply("2")  # the user's choice, not the `us` the request named
    assert call_log.argvs()[-1] == login_argv("eea")
    assert not _ran(call_log.argvs(), ["--site", "us"])


@pytest.mark.parametrize("command", FOREIGN_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_foreign_command_is_never_run_and_the_caller_retries_it(
    sim: Simulator, call_log: CallLog, command: Argv, language: Language
) -> None:
    config_before = sim.home.joinpath(".okx", "config.toml").exists()
    conv = Conversation(sim)
    text = "retry my call" if language == "en" else "重试我的调用"
    posted = conv.start(text, okx_auth_request=recover(spawn_error(sim), command))

    assert posted == [
        render("binary_reinstalled", language), render("retry_your_call", language),
    ]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "not_logged_in"}
    calls = call_log.argvs()
    assert_calls(calls, INSTALL, INSTALL_STATUS)
    assert not _ran(calls, command[:2])
    assert sim.home.joinpath(".okx", "config.toml").exists() is config_before
    assert "ak-planted-9999" not in everything_shown(conv)


def test_a_failed_logout_is_retried_as_the_graphs_own_logout(
    sim: Simulator, call_log: CallLog
) -> None:
    conv = Conversation(sim)
    posted = conv.start(
        "log out failed", okx_auth_request=recover(spawn_error(sim), ["--json", "auth", "logout"])
    )
    assert posted == [
        render("binary_reinstalled", "en"),
        render("retried_command", "en", command="auth logout"),
    ]
    assert conv.outcome == {"status": "not_logged_in"}
    assert_calls(call_log.argvs(), INSTALL, INSTALL_STATUS, ["auth", "logout"])
