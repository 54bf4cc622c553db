"""The pure rules of the procedure: no I/O, no LangGraph, exhaustively testable.

The pre-login gate is the one rule the whole graph exists for: `okx auth
login` may run only when the exact site menu was posted, the latest human
message is a site choice given after it, and `--site` equals that choice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from okx_auth_graph.okx import LoginClearance, Site
from okx_auth_graph.prompts import Language, site_menu

_CHOICES: dict[str, Site] = {"1": "global", "2": "eea", "3": "us",
                             "global": "global", "eea": "eea", "us": "us"}
_CJK = re.compile(
    r"[\u2e80-\u2fdf\u3000-\u303f\u3100-\u312f\u31a0-\u31ef\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff\uff00-\uffef\U00020000-\U000323af]"
)
_TRAILING_PUNCTUATION = ".!?。！？~～,，…"

DONE_SIGNALS = frozenset({
    "done", "ok", "okay", "yes", "y", "finished", "complete", "completed",
    "authorized", "authorised", "i'm done", "im done", "i am done", "all done",
    "好了", "好", "完成", "完成了", "可以了", "已授权", "授权了", "搞定", "搞定了", "是",
    "好的", "已完成",
})
CANCEL_WORDS = frozenset({"cancel", "取消"})
YES_WORDS = frozenset({"yes", "y", "retry", "try again", "是", "好", "好的", "重试", "要"})
NO_WORDS = frozenset({"no", "n", "否", "不", "不要", "不用"})


def text_of(message: AnyMessage) -> str:
    """A message's text, whatever shape its content has."""
    return message.text if isinstance(message.content, list) else str(message.content)


def parse_site_choice(reply: object) -> Site | None:
    """Map a reply to a site: exactly 1/2/3/global/eea/us, case and outer spaces ignored."""
    if not isinstance(reply, str):
        return None
    return _CHOICES.get(reply.strip().lower())


def normalize_reply(reply: object) -> str:
    """Lower-case, trimmed, trailing punctuation dropped; for matching short answers."""
    if not isinstance(reply, str):
        return ""
    text = unicodedata.normalize("NFKC", reply).replace("’", "'").strip().lower()
    return text.rstrip(_TRAILING_PUNCTUATION).strip()


def is_done_signal(reply: object) -> bool:
    """Whether the user says they finished authorizing in the browser."""
    return normalize_reply(reply) in DONE_SIGNALS


def is_cancel(reply: object) -> bool:
    """Whether the user asks to stop."""
    return normalize_reply(reply) in CANCEL_WORDS


def latest_human_text(messages: Sequence[AnyMessage]) -> str | None:
    """What the user said last, or None before they said anything."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return text_of(message)
    return None


def detect_language(messages: Sequence[AnyMessage]) -> Language:
    """Zh when the latest human message has any CJK character, else en."""
    text = latest_human_text(messages)
    return "zh" if text is not None and _CJK.search(text) else "en"


def is_site_menu(message: AnyMessage) -> bool:
    """Whether a message is the exact Step 0.1 menu, posted by the assistant."""
    return isinstance(message, AIMessage) and text_of(message) == site_menu()


def gate_allows_login(messages: Sequence[AnyMessage], site: Site | None) -> bool:
    """The pre-login gate: the three conditions of the skill, right now.

    1. the exact menu was posted in this conversation;
    2. the latest human message is a site choice, given after the latest menu;
    3. the site about to be passed equals that choice.
    """
    if site is None:
        return False
    latest_human = next(
        (i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)),
        None,
    )
    if latest_human is None:
        return False
    menu_before = any(is_site_menu(m) for m in messages[:latest_human])
    latest_menu = max(
        (i for i, m in enumerate(messages) if is_site_menu(m)), default=-1
    )
    chosen = parse_site_choice(text_of(messages[latest_human]))
    return menu_before and latest_menu < latest_human and chosen == site


def login_clearance(messages: Sequence[AnyMessage], site: Site | None) -> LoginClearance | None:
    """The gate's decision for a login on `site` right now, or None when the gate fails.

    The only maker of a `LoginClearance`: `okx auth login` runs with one or not at all.
    """
    return LoginClearance(site) if site is not None and gate_allows_login(messages, site) else None
