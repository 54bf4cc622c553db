"""Which of OKX's MCP tools need a signed-in account: the server's own registry.

`@okx_ai/okx-trade-mcp` reports, through its `system_get_capabilities` tool,
that its `market` module works without credentials and that every other
module (account, spot, swap, futures, option, earn, bot, skills) requires
them. Its tool names are listed here as the server serves them with
`--modules all`; a test holds this list to the installed server's own
`list_tools` answer and the rule to its capability report, so a new server
release that adds or renames tools fails the suite instead of passing a tool
ungated.
"""

from __future__ import annotations

SERVER_PACKAGE = "@okx_ai/okx-trade-mcp@1.2.9"
"""The server release this registry was read from."""

PUBLIC_PREFIXES = ("market_", "system_")
"""The market module (no credentials needed) and the server's own `system_*` tools."""

TOOL_NAMES = frozenset({
    # account
    "account_get_asset_balance", "account_get_balance", "account_get_bills",
    "account_get_bills_archive", "account_get_config", "account_get_max_avail_size",
    "account_get_max_size", "account_get_max_withdrawal", "account_get_positions",
    "account_get_positions_history", "account_get_trade_fee", "account_set_position_mode",
    "account_transfer",
    # dca
    "dca_create_order", "dca_get_order_details", "dca_get_orders", "dca_get_sub_orders",
    "dca_stop_order",
    # dcd
    "dcd_get_currency_pairs", "dcd_get_order_state", "dcd_get_orders", "dcd_get_products",
    "dcd_redeem", "dcd_subscribe",
    # earn
    "earn_auto_set", "earn_get_lending_history", "earn_get_lending_rate_history",
    "earn_get_savings_balance", "earn_savings_purchase", "earn_savings_redeem",
    "earn_set_lending_rate",
    # futures
    "futures_amend_algo_order", "futures_amend_order", "futures_batch_amend",
    "futures_batch_cancel", "futures_batch_orders", "futures_cancel_algo_orders",
    "futures_cancel_order", "futures_close_position", "futures_get_algo_orders",
    "futures_get_fills", "futures_get_leverage", "futures_get_order", "futures_get_orders",
    "futures_get_positions", "futures_place_algo_order", "futures_place_move_stop_order",
    "futures_place_order", "futures_set_leverage",
    # grid
    "grid_create_order", "grid_get_order_details", "grid_get_orders", "grid_get_sub_orders",
    "grid_stop_order",
    # market
    "market_get_candles", "market_get_funding_rate", "market_get_index_candles",
    "market_get_index_ticker", "market_get_indicator", "market_get_instruments",
    "market_get_instruments_by_category", "market_get_mark_price", "market_get_open_interest",
    "market_get_orderbook", "market_get_price_limit", "market_get_stock_tokens",
    "market_get_ticker", "market_get_tickers", "market_get_trades",
    # onchain
    "onchain_earn_cancel", "onchain_earn_get_active_orders", "onchain_earn_get_offers",
    "onchain_earn_get_order_history", "onchain_earn_purchase", "onchain_earn_redeem",
    # option
    "option_amend_algo_order", "option_amend_order", "option_batch_cancel",
    "option_cancel_algo_orders", "option_cancel_order", "option_get_algo_orders",
    "option_get_fills", "option_get_greeks", "option_get_instruments", "option_get_order",
    "option_get_orders", "option_get_positions", "option_place_algo_order",
    "option_place_order",
    # skills
    "skills_download", "skills_get_categories", "skills_search",
    # spot
    "spot_amend_algo_order", "spot_amend_order", "spot_batch_amend", "spot_batch_cancel",
    "spot_batch_orders", "spot_cancel_algo_order", "spot_cancel_order", "spot_get_algo_orders",
    "spot_get_fills", "spot_get_order", "spot_get_orders", "spot_place_algo_order",
    "spot_place_order",
    # swap
    "swap_amend_algo_order", "swap_batch_amend", "swap_batch_cancel", "swap_batch_orders",
    "swap_cancel_algo_orders", "swap_cancel_order", "swap_close_position",
    "swap_get_algo_orders", "swap_get_fills", "swap_get_leverage", "swap_get_order",
    "swap_get_orders", "swap_get_positions", "swap_place_algo_order",
    "swap_place_move_stop_order", "swap_place_order", "swap_set_leverage",
    # system
    "system_get_capabilities",
    # trade
    "trade_get_history",
})
"""Every tool `okx-trade-mcp --modules all` serves."""


def registry_name(name: str) -> str | None:
    """The server's name of a tool, with or without a client's `<server>_` prefix.

    `MultiServerMCPClient(..., tool_name_prefix=True)` names a tool
    `<server name>_<tool>`; the longest registry name it ends with wins.
    """
    if name in TOOL_NAMES:
        return name
    matches = [tool for tool in TOOL_NAMES if name.endswith(f"_{tool}")]
    return max(matches, key=len) if matches else None


def needs_account(name: str) -> bool | None:
    """True for a private tool of the server, False for a public one, None if unknown."""
    tool = registry_name(name)
    if tool is None:
        return None
    return not tool.startswith(PUBLIC_PREFIXES)
