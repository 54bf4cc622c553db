"""How a user's reply is read: done, cancel, yes and no, the language.

Pure functions of text and messages, no I/O and no LangGraph: every step that
reads what the user said asks here. Which site a reply names depends on the
skill version's table, so the version reads it (`Skill.choice`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from langchain_core.messages import AnyMessage, HumanMessage

from okx_auth_graph.prompts import Language

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
