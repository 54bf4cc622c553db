"""Step 0.2.a, option 2: switch from a rejected API key to OAuth.

The keyed profile must go first (the CLI refuses OAuth while any profile
holds a key), so the graph asks (`confirm_remove`, naming the profile), cuts
the block out of `~/.okx/config.toml` keeping every other byte and a
timestamped backup, reads the config again and runs the OAuth flow from the
site menu. A no changes nothing; an environment key cannot be removed from
here and the user is told how.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from okx_auth_graph.okx import ENV_KEY_PROFILE
from okx_auth_graph.prompts import Language, render
from tests.expected import CONFIG_SHOW, SEED_MENU, SITES, STATUS, inbox_payload
from tests.nodes.test_recover import (
    assert_calls,
    complete_login,
    recover,
    remedy_payload,
)
from tests.support import CallLog, Conversation, Simulator

KEYED_AND_PAPER = """# okx CLI profiles
# main: the live account

[profiles.main]
api_key = "ak-switch-0001-wxyz"
secret_key = "sk-switch-0002"
passphrase = "pp-switch-0003"
site = "eea"

# paper: demo trading, OAuth later
[profiles.paper]
demo = true
"""
WITHOUT_MAIN = """# okx CLI profiles
# main: the live account


# paper: demo trading, OAuth later
[profiles.paper]
demo = true
"""
KEYED_DEFAULT = 'default_profile = "main"\n\n' + KEYED_AND_PAPER
TWO_KEYS = KEYED_AND_PAPER + """
[profiles.backup]
api_key = "ak-switch-0004-abcd"
secret_key = "sk-switch-0005"
passphrase = "pp-switch-0006"
"""
SECRETS = ("ak-switch-0001-wxyz", "sk-switch-0002", "pp-switch-0003")
CONFIG_USE_PAPER = ["config", "use", "paper"]


def config_file(sim: Simulator) -> Path:
    """The simulated user's `~/.okx/config.toml`."""
    return sim.home / ".okx" / "config.toml"


def backups(sim: Simulator) -> list[Path]:
    """Every backup the removal left beside the config."""
    return sorted((sim.home / ".okx").glob("config.toml.*.bak"))


def reach_remove_question(
    conv: Conversation, call_log: CallLog, text: str, language: Language
) -> str:
    """A rejected key, option 2: the question that names the profile, before any change."""
    conv.start(text, okx_auth_request=recover("Invalid Sign"))
    remedy = render("api_key_remedy", language, name="main", host="my.okx.com")
    assert conv.interrupt == remedy_payload(remedy)

    posted = conv.reply("2")
    question = render("remove_profile_question", language, name="main")
    assert posted == [question]
    assert conv.interrupt == inbox_payload(
        {"kind": "confirm_remove", "message": question, "target": "main"}
    )
    assert conv.outcome is None
    assert_calls(call_log.argvs())
    return question


@pytest.mark.parametrize(("text", "language", "no"), [("balance failed", "en", "no"),
                                                     ("查余额失败", "zh", "不要")])
def test_option_two_with_a_no_changes_nothing(
    sim: Simulator, call_log: CallLog, text: str, language: Language, no: str
) -> None:
    sim.write_config(KEYED_AND_PAPER)
    conv = Conversation(sim)
    reach_remove_question(conv, call_log, text, language)

    posted = conv.reply(no)
    assert posted == [render("profile_kept", language, name="main")]
    assert conv.interrupt is None
    assert conv.outcome == {"status": "cancelled", "profile": "main"}
    assert config_file(sim).read_text() == KEYED_AND_PAPER
    assert backups(sim) == []
    assert_calls(call_log.argvs())


def test_option_two_asks_again_until_a_clear_answer(sim: Simulator, call_log: CallLog) -> None:
    sim.write_config(KEYED_AND_PAPER)
    conv = Conversation(sim)
    reach_remove_question(conv, call_log, "balance failed", "en")

    posted = conv.reply("hmm, what would you do?")
    again = render("yes_or_no", "en")
    assert posted == [again]
    assert conv.interrupt == inbox_payload(
        {"kind": "confirm_remove", "message": again, "target": "main"}
    )
    assert config_file(sim).read_text() == KEYED_AND_PAPER
    assert backups(sim) == []


@pytest.mark.parametrize(
    ("text", "language", "yes", "choice", "site", "done"),
    [("balance failed", "en", "yes", "2", "eea", "done"),
     ("查余额失败", "zh", "是", "3", "us", "好了")],
)
def test_option_two_with_a_yes_removes_only_the_profile_then_logs_in(
    sim: Simulator,
    call_log: CallLog,
    text: str,
    language: Language,
    yes: str,
    choice: str,
    site: str,
    done: str,
) -> None:
    sim.write_config(KEYED_AND_PAPER)
    conv = Conversation(sim)
    reach_remove_question(conv, call_log, text, language)

    posted = conv.reply(yes)
    [backup] = backups(sim)
    assert backup.read_bytes() == KEYED_AND_PAPER.encode()
    assert config_file(sim).read_text() == WITHOUT_MAIN
    removed = render("profile_removed", language, name="main", backup=str(backup))
    assert posted == [removed, SEED_MENU]
    assert conv.interrupt == inbox_payload({
        "kind": "site_choice", "message": f"{removed}\n\n{SEED_MENU}", "choices": SITES,
    })
    assert_calls(call_log.argvs(), CONFIG_SHOW)
    shown = "\n".join(str(m.content) for m in conv.messages)
    assert not any(secret in shown for secret in SECRETS)

    complete_login(conv, sim, call_log, language, choice, site, done, "portfolio", [CONFIG_SHOW])


def test_a_removed_default_profile_is_replaced_with_okx_config_use(
    sim: Simulator, call_log: CallLog
) -> None:
    """The default named the removed profile: the CLI's own `config use` names another."""
    sim.write_config(KEYED_DEFAULT)
    conv = Conversation(sim)
    reach_remove_question(conv, call_log, "balance failed", "en")

    posted = conv.reply("yes")
    [backup] = backups(sim)
    assert backup.read_text() == KEYED_DEFAULT
    assert posted == [
        render("profile_removed", "en", name="main", backup=str(backup)),
        render("default_switched", "en", other="paper"),
        SEED_MENU,
    ]
    assert 'default_profile = "paper"' in config_file(sim).read_text()
    assert "[profiles.main]" not in config_file(sim).read_text()
    assert_calls(call_log.argvs(), CONFIG_USE_PAPER, CONFIG_SHOW)


def test_another_keyed_profile_still_stops_at_step_0_2(sim: Simulator, call_log: CallLog) -> None:
    """Removing one key does not hide another: the re-read config stops with its name."""
    sim.write_config(TWO_KEYS)
    conv = Conversation(sim)
    reach_remove_question(conv, call_log, "balance failed", "en")

    posted = conv.reply("yes")
    [backup] = backups(sim)
    assert posted == [
        render("profile_removed", "en", name="main", backup=str(backup)),
        SEED_MENU,
    ]
    posted = conv.reply("1")
    assert posted == [render("api_key_configured", "en", name="backup")]
    assert conv.outcome == {
        "status": "api_key_configured", "profile": "backup", "site": None,
        "next_skill": "portfolio",
    }
    assert not call_log.logins()


def test_an_environment_key_cannot_be_removed_from_here(
    sim: Simulator, call_log: CallLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_API_KEY", "env-key-switch-9876")
    conv = Conversation(sim)
    conv.start("balance failed", okx_auth_request=recover("401 Unauthorized"))
    assert conv.interrupt is not None
    assert conv.interrupt["profile"] == ENV_KEY_PROFILE

    posted = conv.reply("2")
    answer = render("remedy_oauth_env", "en", name=ENV_KEY_PROFILE)
    assert posted == [answer]
    assert conv.outcome == {
        "status": "needs_user_action", "profile": ENV_KEY_PROFILE, "message": answer,
    }
    assert_calls(call_log.argvs())
    assert backups(sim) == []


def test_the_status_call_is_not_repeated_after_the_removal(
    sim: Simulator, call_log: CallLog
) -> None:
    """The preflight's status still holds (removing a key does not log anybody in)."""
    sim.write_config(KEYED_AND_PAPER)
    conv = Conversation(sim)
    reach_remove_question(conv, call_log, "balance failed", "en")
    conv.reply("yes")
    assert call_log.argvs().count(STATUS) == 1
