"""Where a user's request goes once they are signed in, and whether it needs sign-in at all.

The skill ends with a hand-off: after a login (or the API-key stop) the
user's original request continues in the skill that serves it. These tables
are the one place that decides which, in both languages. Market data (prices,
tickers, candles) is public, so a request that is only about the market needs
no login: `is_market_only` lets an agent skip the auth graph for it.

Matching is on whole words for English and on substrings for Chinese (which
has no spaces). Longer keywords are matched first and consume their text, so
"order book" is market data even though "order" alone is a trade. When a
request names several skills, the first in `SKILL_ORDER` (most specific)
wins, so "grid bot for BTC" is a bot request, not a trade.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, TypeVar, get_args

NextSkill = Literal["bot", "earn", "trade", "portfolio", "market"]
"""The skills a signed-in request can continue in."""

SKILL_ORDER: tuple[NextSkill, ...] = get_args(NextSkill)
"""Precedence when a request names more than one: the most specific first."""

KEYWORDS: dict[NextSkill, dict[str, frozenset[str]]] = {
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


_LONGEST_FIRST = longest_first(KEYWORDS)


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
