"""Step 0.1: is a site already chosen? If not, the menu, and a reply that is a choice.

`site_check` decides nothing by itself: its rule is `site_selected`, the
router on its out-edge. The menu is posted in one place (`menu`), and asked
in the next step (`ask_site`, made from `SiteSteps.choice`): a step that
interrupts re-runs from its top on resume, so it must not be the one that
posts.
"""

from __future__ import annotations

from langgraph.graph import END
from langgraph.types import Command

from okx_auth_graph.gate import latest_menu_id
from okx_auth_graph.nodes.common import changed, language_of, say
from okx_auth_graph.nodes.questions import (
    Answer,
    QuestionSpec,
    answered,
    asked_again,
    asking,
    closing,
)
from okx_auth_graph.okx import chosen_site, selected_sites
from okx_auth_graph.prompts import render
from okx_auth_graph.replies import is_cancel
from okx_auth_graph.skill import Skill
from okx_auth_graph.state import AuthState, AuthUpdate, SiteChoice


def site_check(state: AuthState) -> AuthUpdate:
    """Step 0.1, where every way into the checks begins; it only reads what is known.

    The preflight, a menu answer, a binary repair and a key profile's removal
    all come here, so no other step decides 0.1, 0.2 or 0.3.
    """
    return {}


def site_selected(state: AuthState) -> str:
    """The skill's rule, plus the reply to this flow's menu, which the skill says to remember.

    A site is known from a profile's `site`, or from `auth status` when logged
    in or pending; a `not_logged_in` status site is a placeholder.
    """
    config, status = state.get("config"), state.get("auth")
    from_config = bool(config and selected_sites(config))
    from_status = status is not None and chosen_site(status) is not None
    chosen = state.get("site_choice") is not None
    return "0.1 site known → 0.2" if from_config or from_status or chosen else "0.1 no site → menu"


class SiteSteps:
    """The menu and its question, for one version of the skill (its sites, its menu)."""

    def __init__(self, skill: Skill) -> None:
        self.skill = skill
        self.choice = QuestionSpec(kind="site_choice", fields=self._fields, decide=self._answer)
        """Step 0.1's question: which site; nothing is ever defaulted."""

    def menu(self, state: AuthState) -> AuthUpdate:
        """Post the exact Chinese menu (in every conversation, as the skill says).

        A choice made at an earlier menu is forgotten: only the reply to this
        one can open the gate.
        """
        posted: AuthUpdate = {
            "messages": [say(self.skill.menu())], **changed(state, {"site_choice": None}),
        }
        return asking("site_choice", posted)

    def _fields(self, state: AuthState) -> dict[str, object]:
        """The menu's choices: the site ids a reply maps to."""
        return {"choices": list(self.skill.site_ids)}

    def _answer(self, state: AuthState, answer: Answer) -> Command[str]:
        """Only a menu number or a site id counts; cancel ends; anything else, the menu again.

        A choice goes back to Step 0.1, which now knows the site. It is
        stored with the ids of the menu it answers (the latest one posted:
        this question follows it) and of the reply, for the gate.
        """
        language = language_of(state)
        site = self.skill.choice(answer.text)
        menu_id = latest_menu_id(state["messages"], self.skill)
        if site is not None and menu_id is not None:
            choice: SiteChoice = {"site": site, "menu_id": menu_id, "reply_id": answer.message_id}
            chosen = answered({"messages": answer.recorded, "site_choice": choice})
            return Command(goto="site_check", update=chosen)
        if is_cancel(answer.text):
            ended = closing(answer, render("login_cancelled", language), {"status": "cancelled"})
            return Command(goto=END, update=ended)
        again = asked_again(answer, self.skill.choices_hint(language))
        return Command(goto="menu", update=again)
