"""Stand-ins for REST commands, so a caller can check what login achieved.

A private endpoint (`account balance`) succeeds with an API key or an OAuth
session and fails with the real CLI's auth errors otherwise, which is what a
graph needs to exercise its recovery paths. A public endpoint (`market
ticker`) works with no credentials at all.
"""

from __future__ import annotations

from okx_sim.config import api_key_source, read_config
from okx_sim.context import CommandContext, CommandError
from okx_sim.state import load_state

SIMULATED_BALANCE = {"ccy": "USDT", "availBal": "1000"}
SIMULATED_LAST_PRICE = "65000.1"


def account_balance(ctx: CommandContext) -> None:
    """The balance, if the CLI has credentials it would use (API key first)."""
    if api_key_source(read_config(ctx.paths), ctx.environ) is None:
        state = load_state(ctx.paths)
        if state.session_expired:
            raise CommandError("Error: Session expired — run okx auth login again")
        if state.status != "logged_in":
            raise CommandError("Error: Not authenticated. Run okx auth login first.")
    if ctx.wants_json:
        ctx.console.json([SIMULATED_BALANCE])  # OKX's `data`, bare, as the real CLI prints it
    else:
        ctx.console.out(f"{SIMULATED_BALANCE['ccy']} available: {SIMULATED_BALANCE['availBal']}")


def market_ticker(ctx: CommandContext) -> None:
    """A fixed last price for any instrument; needs no authentication."""
    inst_id = ctx.positionals[0]
    if ctx.wants_json:
        ctx.console.json([{"instId": inst_id, "last": SIMULATED_LAST_PRICE}])
    else:
        ctx.console.out(f"{inst_id} last: {SIMULATED_LAST_PRICE}")
