"""Where a request goes after sign-in, and which requests need no sign-in at all."""

from __future__ import annotations

import pytest

from okx_auth_graph.keywords import SKILL_KEYWORDS, SKILL_ORDER, is_market_only, route_request


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("buy 0.1 BTC at market", "trade"),
        ("place a limit order for ETH", "trade"),
        ("帮我买点 BTC", "trade"),
        ("平仓我的 ETH 合约", "trade"),
        ("show my balance", "portfolio"),
        ("我的资产有多少", "portfolio"),
        ("what are my open positions?", "portfolio"),
        ("stake my ETH", "earn"),
        ("余币宝收益多少", "earn"),
        ("set up a grid bot on BTC-USDT", "bot"),
        ("开一个网格机器人", "bot"),
        ("what's the BTC price?", "market"),
        ("BTC-USDT-SWAP ticker", "market"),
        ("show the BTC order book", "market"),
        ("funding rate of BTC-USDT-SWAP", "market"),
        ("ETH 行情怎么样", "market"),
        ("BTC 的 K线", "market"),
    ],
)
def test_routes_a_request_to_its_skill(text: str, skill: str) -> None:
    assert route_request(text) == skill


@pytest.mark.parametrize(
    "text",
    ["log me in", "帮我登录", "how long does a session last?", "", "   "],
)
def test_a_request_that_names_no_skill_goes_nowhere(text: str) -> None:
    assert route_request(text) is None
    assert not is_market_only(text)


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("grid bot to buy BTC", "bot"),  # bot before trade
        ("stake ETH and sell the rest", "earn"),  # earn before trade
        ("BTC price and my balance", "portfolio"),  # anything private before market
        ("sell if the price drops", "trade"),
    ],
)
def test_the_most_specific_skill_wins(text: str, skill: str) -> None:
    assert route_request(text) == skill
    assert not is_market_only(text)


@pytest.mark.parametrize(
    ("text", "market_only"),
    [
        ("BTC price", True),
        ("BTC 价格", True),
        ("price of BTC then buy 1", False),
        ("my BTC balance", False),
        ("log me in and show the ticker", True),
    ],
)
def test_market_only_requests_need_no_login(text: str, market_only: bool) -> None:
    assert is_market_only(text) is market_only


def test_words_match_whole_words_only() -> None:
    assert route_request("the ticker for BUYX") == "market"  # "buy" inside a symbol is no trade
    assert route_request("BALANCES please") == "portfolio"  # case does not matter


def test_every_skill_has_keywords_in_both_languages() -> None:
    assert set(SKILL_KEYWORDS) == set(SKILL_ORDER)
    for tables in SKILL_KEYWORDS.values():
        assert tables["en"]
        assert tables["zh"]
