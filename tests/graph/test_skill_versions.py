"""Skill versions as data: 1.3.9 adds the TR site; 1.3.2 (the seed) stays as it was.

The version is the builder's (`build_auth_graph(skill=...)`) or the host's
(`OKX_AUTH_SKILL`); expectations here are written out from the published
skill's wording, not computed by the package.
"""

from __future__ import annotations

import json
import re

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver

from okx_auth_graph import build_auth_graph
from okx_auth_graph.builder import AuthGraph
from okx_auth_graph.gate import gate_allows_login
from okx_auth_graph.skill import (
    DEFAULT_SKILL,
    SKILL_ENV,
    SKILLS,
    Skill,
    numbered_option,
    skill_named,
)
from okx_auth_graph.state import SiteChoice
from tests.expected import NOT_A_CHOICE, SEED_MENU, STATUS, TR_MENU
from tests.support import CallLog, Conversation, Simulator, cli_options


def tr_graph(checkpointer: BaseCheckpointSaver[str], okx_cli: str) -> AuthGraph:
    """The auth graph following skill 1.3.9."""
    return build_auth_graph(checkpointer, skill="1.3.9", **cli_options(okx_cli))


def user_code(sim: Simulator) -> str:
    state = json.loads((sim.home / ".okx" / "okx-sim-state.json").read_text())
    return str(state["pending"]["user_code"])


@pytest.mark.parametrize("reply", ["4", "tr", " TR "])
def test_a_whole_login_on_tr_under_1_3_9(sim: Simulator, call_log: CallLog, reply: str) -> None:
    conv = Conversation(sim, build=tr_graph)

    assert conv.start("帮我登录") == [TR_MENU]
    assert conv.interrupt is not None
    assert conv.interrupt["choices"] == ["global", "eea", "us", "tr"]
    posted = conv.reply(reply)
    code = user_code(sim)
    assert "tr.okx.com" in posted[0]
    assert code in posted[0]
    sim.run("browser", "approve")
    conv.reply("好了")

    assert conv.outcome is not None
    assert conv.outcome["status"] == "logged_in"
    assert conv.outcome["site"] == "tr"
    logins = call_log.logins()
    assert logins == [["auth", "login", "--manual", "--site", "tr"]]
    assert call_log.argvs()[-1] == STATUS


def test_1_3_2_rejects_four_with_the_three_line_menu_again(
    sim: Simulator, call_log: CallLog
) -> None:
    conv = Conversation(sim)

    assert conv.start("帮我登录") == [SEED_MENU]
    assert conv.reply("4") == [NOT_A_CHOICE["zh"], SEED_MENU]
    assert conv.reply("tr") == [NOT_A_CHOICE["zh"], SEED_MENU]

    assert not call_log.logins()


def test_1_3_9_names_its_four_choices_after_a_reply_that_is_none(sim: Simulator) -> None:
    conv = Conversation(sim, build=tr_graph)
    conv.start("log me in")

    assert conv.reply("5") == [
        "Please reply 1, 2, 3 or 4 (or global / eea / us / tr) to choose a site.", TR_MENU,
    ]


def test_the_host_variable_picks_the_version(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SKILL_ENV, "1.3.9")
    conv = Conversation(sim)

    assert conv.start("log me in") == [TR_MENU]


def test_the_builder_wins_over_the_host_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SKILL_ENV, "1.3.9")

    assert skill_named("1.3.2") is SKILLS["1.3.2"]
    assert skill_named() is SKILLS["1.3.9"]


def test_the_default_is_the_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SKILL_ENV, raising=False)

    assert skill_named() is DEFAULT_SKILL
    assert DEFAULT_SKILL.version == "1.3.2"
    assert DEFAULT_SKILL.menu() == SEED_MENU
    assert DEFAULT_SKILL.choices_hint("zh") == NOT_A_CHOICE["zh"]
    assert DEFAULT_SKILL.choices_hint("en") == NOT_A_CHOICE["en"]


@pytest.mark.parametrize("skill", SKILLS.values(), ids=SKILLS.keys())
def test_each_menu_reads_back_as_its_numbered_sites(skill: Skill) -> None:
    """What renders the menu and what reads numbered options back agree, version by version."""
    options = [found for line in skill.menu().splitlines() if (found := numbered_option(line))]

    assert [number for number, _ in options] == [str(n) for n in range(1, len(skill.sites) + 1)]
    assert [label for _, label in options] == [f"{row.name} ({row.host})" for row in skill.sites]


@pytest.mark.parametrize(
    ("line", "read"),
    [("  2. EEA (my.okx.com)", ("2", "EEA (my.okx.com)")), ("2) EEA ", ("2", "EEA")),
     ("2.EEA", None), ("选择 2. EEA", None), ("10. ten", ("10", "ten")), ("3.   ", None)],
)
def test_a_numbered_option_is_a_number_a_mark_and_text(
    line: str, read: tuple[str, str] | None
) -> None:
    assert numbered_option(line) == read


@pytest.mark.parametrize("version", ["1.3.3", "latest", ""])
def test_an_unknown_version_is_refused_by_name(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SKILL_ENV, version or "nope")

    with pytest.raises(ValueError, match=re.escape("known: 1.3.2, 1.3.9")):
        build_auth_graph(skill=version or None)


def test_the_gate_of_1_3_2_refuses_a_tr_choice() -> None:
    """A stored choice of a site the version does not list never opens the gate."""
    reply = HumanMessage("4", id="r")
    choice: SiteChoice = {"site": "tr", "menu_id": "m", "reply_id": "r"}

    assert not gate_allows_login([AIMessage(SEED_MENU, id="m"), reply], choice, SKILLS["1.3.2"])
    assert gate_allows_login([AIMessage(TR_MENU, id="m"), reply], choice, SKILLS["1.3.9"])
