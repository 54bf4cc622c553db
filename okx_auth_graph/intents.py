"""Which entry of the procedure a request in plain words asks for (no model call).

The skill names its triggers in words: log out, am I logged in, how long a
session lasts, install / update / check / remove the okx-auth binary. A
caller that passes no `okx_auth_request` (a chat, the terminal chat) gets
the entry its user's words ask for; anything else is a login. These tables
are the one place that decides it, in both languages, matched as
`routing.py` matches: whole words in English, substrings in Chinese, longer
keywords first, each consuming its text (so "退出登录" is a logout, never
the "登录" inside it, and "login status" is a status, never a login).

The binary's entries need the binary named ("okx-auth", "binary", "组件"):
"update" or "remove" alone could mean anything. When a request names
several entries, the first in `ENTRY_ORDER` wins; an explicit login request
("am I logged in? log me in") beats a status question, since a login ends
by reporting the session anyway.
"""

from __future__ import annotations

from typing import Literal, get_args

from okx_auth_graph.routing import labels_named, longest_first

Entry = Literal["remove", "install_status", "install", "logout", "login", "status"]
"""What a request in plain words can ask for, in precedence order."""

ENTRY_ORDER: tuple[Entry, ...] = get_args(Entry)
"""Precedence when a request names more than one."""

BINARY_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"okx-auth", "okx auth binary", "auth binary", "binary", "okx_auth"}),
    "zh": frozenset({"组件", "二进制", "插件"}),
}
"""Words that name the okx-auth binary; its entries need one of them."""

KEYWORDS: dict[Entry, dict[str, frozenset[str]]] = {
    "remove": {
        "en": frozenset({"remove", "uninstall", "delete"}),
        "zh": frozenset({"卸载", "删除", "移除"}),
    },
    "install_status": {
        "en": frozenset({"installed", "install status", "install-status", "version",
                         "installation status"}),
        "zh": frozenset({"安装状态", "装了吗", "已安装", "安装了吗", "版本"}),
    },
    "install": {
        "en": frozenset({"install", "reinstall", "update", "upgrade"}),
        "zh": frozenset({"安装", "重新安装", "更新", "升级"}),
    },
    "logout": {
        "en": frozenset({"log out", "log me out", "logout", "sign out", "sign me out",
                         "signout", "log off"}),
        "zh": frozenset({"退出登录", "登出", "注销", "退出", "退出账号"}),
    },
    "login": {
        "en": frozenset({"log in", "log me in", "login", "sign in", "sign me in", "authorize",
                         "authorise", "authenticate"}),
        "zh": frozenset({"登录", "登陆", "授权"}),
    },
    "status": {
        "en": frozenset({"am i logged in", "am i signed in", "logged in?", "signed in?",
                         "still logged in", "login status", "auth status", "session status",
                         "am i authenticated", "how long", "session last", "session expire",
                         "session expires", "stay logged in", "stay signed in"}),
        "zh": frozenset({"登录状态", "登录了吗", "登录了没", "是否登录", "有没有登录",
                         "已登录吗", "会话状态", "多久", "多长时间", "有效期", "过期"}),
    },
}
"""Each entry's words, per language."""

LONGEVITY_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"how long", "session last", "session expire", "session expires",
                     "stay logged in", "stay signed in", "expire", "expires"}),
    "zh": frozenset({"多久", "多长时间", "有效期", "过期"}),
}
"""Words asking how long a session lasts: answered with the skill's fixed sentence."""


_ENTRIES = longest_first(KEYWORDS)
_BINARY = longest_first({"binary": BINARY_WORDS})
_LONGEVITY = longest_first({"longevity": LONGEVITY_WORDS})


def entry_asked(text: str) -> Entry:
    """The entry the words ask for; a login when they ask for none."""
    named = labels_named(text, _ENTRIES)
    if not labels_named(text, _BINARY):
        named -= {"remove", "install_status", "install"}
    return next((entry for entry in ENTRY_ORDER if entry in named), "login")


def asks_session_longevity(text: str) -> bool:
    """Whether the words ask how long a session lasts."""
    return bool(labels_named(text, _LONGEVITY))
