"""The pre-login gate: the one rule the whole graph exists for, as pure functions.

`okx auth login` may run only when the exact site menu was posted, the
latest human message is a site choice given after it, and `--site` equals
that choice. The step that read the reply stored the choice once, with the
ids of the menu and of the reply (`SiteChoice`), so the gate compares ids
and reads only the messages since that menu. The menu and the sites are the
skill version's (`Skill`). No I/O, no LangGraph: exhaustively testable.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from okx_auth_graph.okx import GateViolation, LoginClearance
from okx_auth_graph.replies import text_of
from okx_auth_graph.skill import Skill
from okx_auth_graph.state import SiteChoice


def is_site_menu(message: AnyMessage, skill: Skill) -> bool:
    """Whether a message is the version's exact Step 0.1 menu, posted by the assistant."""
    return isinstance(message, AIMessage) and text_of(message) == skill.menu()


def latest_menu_id(messages: Sequence[AnyMessage], skill: Skill) -> str | None:
    """The id of the latest site menu posted, read back from the end; None when there is none.

    Asked by the menu's own question, which follows the menu: the scan stops
    a few messages back.
    """
    return next(
        (message.id for message in reversed(messages) if is_site_menu(message, skill)), None
    )


def gate_allows_login(
    messages: Sequence[AnyMessage], choice: SiteChoice | None, skill: Skill
) -> bool:
    """The pre-login gate's first two conditions, right now.

    1. the exact menu was posted in this conversation: the message `choice`
       answers is the menu, as the assistant posted it;
    2. the latest human message is that choice (`reply_id`), a site of this
       version, and no menu came after the one it answers.

    The third, `--site` equals the choice, holds by construction: the login
    passes the site of the clearance made from this choice, and the process
    boundary refuses any other (`okx_auth_graph.okx.commands.admit`). It
    reads the messages from the end back to the menu the choice answers (the
    reply and the procedure's own posts since), never the whole history.
    """
    if choice is None or choice["site"] not in skill.site_ids:
        return False
    replied = False
    for message in reversed(messages):
        if message.id == choice["menu_id"]:
            return replied and is_site_menu(message, skill)
        if isinstance(message, HumanMessage):
            if not replied and message.id != choice["reply_id"]:
                return False
            replied = True
        elif is_site_menu(message, skill):
            return False
    return False


def login_clearance(
    messages: Sequence[AnyMessage], choice: SiteChoice | None, skill: Skill
) -> LoginClearance:
    """The gate's decision for a login on the chosen site; `GateViolation` when it fails.

    The only maker of a `LoginClearance`: `okx auth login` runs with one or
    not at all. The graph's one way into a login is the gate's own edge, so a
    failure here is a bug (defence in depth), never a route back to the menu.
    """
    if choice is None or not gate_allows_login(messages, choice, skill):
        raise GateViolation("the pre-login gate does not hold: no login without the menu's choice")
    return LoginClearance(choice["site"])
