"""The keyword tables that read a request in plain words (no model call), in both languages.

Two questions are answered here and nowhere else:

- **Which entry of the procedure a request asks for.** The skill names its
  triggers in words: log out, am I logged in, how long a session lasts,
  install / update / check / remove the okx-auth binary. A caller that passes
  no `okx_auth_request` (a chat, the terminal chat) gets the entry its user's
  words ask for; anything else is a login. The binary's entries need the
  binary named ("okx-auth", "binary", "组件"): "update" or "remove" alone
  could mean anything. When a request names several entries, the first in
  `ENTRY_ORDER` wins; an explicit login request ("am I logged in? log me
  in") beats a status question, since a login ends by reporting the session.
- **Where a request goes once the user is signed in.** The skill ends with a
  hand-off: after a login (or the API-key stop) the user's original request
  continues in the skill that serves it. Market data (prices, tickers,
  candles) is public, so a request only about the market needs no login:
  `is_market_only` lets an agent skip the auth graph for it. When a request
  names several skills, the first in `SKILL_ORDER` (most specific) wins, so
  "grid bot for BTC" is a bot request, not a trade.

Matching is on whole words for English and on substrings for Chinese (which
has no spaces). Longer keywords are matched first and consume their text, so
"order book" is market data even though "order" alone is a trade, and
"退出登录" is a logout, never the "登录" inside it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, TypeVar, get_args

NextSkill = Literal["bot", "earn", "trade", "portfolio", "market"]
"""The skills a signed-in request can continue in."""

SKILL_ORDER: tuple[NextSkill, ...] = get_args(NextSkill)
"""Precedence when a request names more than one: the most specific first."""

SKILL_KEYWORDS: dict[NextSkill, dict[str, frozenset[str]]] = {
    "bot": {
        "en": frozenset({"bot", "bots", "grid", "dca", "martingale", "recurring buy",
                         "signal bot", "copy trading", "copy trade", "arbitrage bot"}),
        "zh": frozenset({"机器人", "网格", "定投", "马丁", "跟单", "策略交易", "套利"}),
    },
    "earn": {
        "en": frozenset({"earn", "staking", "stake", "savings", "simple earn", "yield",
                         "apy", "apr", "interest", "dual investment", "lend", "lending"}),
        "zh": frozenset({"赚币", "理财", "质押", "余币宝", "活期", "定期", "收益", "利息",
                         "双币", "借贷", "出借"}),
    },
    "trade": {
        "en": frozenset({"buy", "sell", "order", "orders", "trade", "trading", "go long",
                         "go short", "leverage", "margin", "futures", "perpetual",
                         "limit order", "market order", "stop loss", "take profit",
                         "close position", "cancel order"}),
        "zh": frozenset({"买", "卖", "下单", "订单", "交易", "做多", "做空", "杠杆", "合约",
                         "永续", "限价", "市价", "止损", "止盈", "平仓", "开仓", "撤单"}),
    },
    "portfolio": {
        "en": frozenset({"balance", "balances", "portfolio", "asset", "assets", "account",
                         "positions", "position", "holdings", "pnl", "p&l", "deposit",
                         "withdraw", "withdrawal", "transfer", "bills", "funding"}),
        "zh": frozenset({"余额", "资产", "账户", "持仓", "仓位", "盈亏", "充值", "提现",
                         "提币", "划转", "账单", "资金"}),
    },
    "market": {
        "en": frozenset({"price", "prices", "ticker", "tickers", "candle", "candles",
                         "candlestick", "kline", "chart", "market", "markets", "order book",
                         "orderbook", "depth", "funding rate", "volume", "quote", "quotes"}),
        "zh": frozenset({"价格", "行情", "报价", "k线", "深度", "盘口", "成交量", "资金费率",
                         "涨跌", "走势", "市场"}),
    },
}


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """A keyword as a pattern: a whole word in English, a substring in Chinese."""
    escaped = re.escape(keyword)
    return re.compile(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])" if keyword.isascii() else escaped)


Label = TypeVar("Label", bound=str)


def longest_first(
    tables: dict[Label, dict[str, frozenset[str]]],
) -> tuple[tuple[re.Pattern[str], Label], ...]:
    """Every keyword of every label's tables as a pattern, the longest keyword first."""
    pairs = ((word, label) for label, by_language in tables.items()
             for words in by_language.values() for word in words)
    return tuple(
        (keyword_pattern(word), label)
        for word, label in sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0]))
    )


def labels_named(text: str, patterns: tuple[tuple[re.Pattern[str], Label], ...]) -> set[Label]:
    """The labels whose keywords the text mentions.

    Each match consumes its text, so the longest keyword wins ("order book"
    is market data, not an order).
    """
    remaining = unicodedata.normalize("NFKC", text).lower()
    found: set[Label] = set()
    for pattern, label in patterns:
        remaining, count = pattern.subn(" ", remaining)
        if count:
            found.add(label)
    return found


_LONGEST_FIRST = longest_first(SKILL_KEYWORDS)


def skills_named(text: str) -> list[NextSkill]:
    """Every skill whose keywords the text mentions, in precedence order."""
    found = labels_named(text, _LONGEST_FIRST)
    return [skill for skill in SKILL_ORDER if skill in found]


def route_request(text: str) -> NextSkill | None:
    """The skill the request continues in, or None when it names none (a bare "log me in")."""
    named = skills_named(text)
    return named[0] if named else None


def is_market_only(text: str) -> bool:
    """Whether the request is only about public market data, so it needs no login."""
    return skills_named(text) == ["market"]


Entry = Literal["remove", "install_status", "install", "logout", "login", "status"]
"""What a request in plain words can ask for, in precedence order."""

ENTRY_ORDER: tuple[Entry, ...] = get_args(Entry)
"""Precedence when a request names more than one."""

BINARY_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"okx-auth", "okx auth binary", "auth binary", "binary", "okx_auth", "auth"}),
    "zh": frozenset({"组件", "二进制", "插件", "认证"}),
}
"""Words that name the okx-auth binary; its entries need one of them. The skill's own
triggers name it as "auth" and "认证" ("install/update/remove auth", "安装/更新/卸载认证"):
with no install or remove word beside them, those still ask for a login or the status."""

ENTRY_KEYWORDS: dict[Entry, dict[str, frozenset[str]]] = {
    "remove": {
        "en": frozenset({"remove", "uninstall", "delete"}),
        "zh": frozenset({"卸载", "删除", "移除"}),
    },
    "install_status": {
        "en": frozenset({"installed", "install status", "install-status", "version",
                         "installation status", "binary status", "auth binary status",
                         "okx-auth status", "check"}),
        "zh": frozenset({"安装状态", "装了吗", "已安装", "安装了吗", "版本", "组件状态", "检查"}),
    },
    "install": {
        "en": frozenset({"install", "reinstall", "update", "upgrade", "download"}),
        "zh": frozenset({"安装", "重新安装", "更新", "升级", "下载"}),
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
                         "session expires", "stay logged in", "stay signed in", "status"}),
        "zh": frozenset({"状态", "登录状态", "登录了吗", "登录了没", "是否登录", "有没有登录",
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


_ENTRIES = longest_first(ENTRY_KEYWORDS)
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
